//! The page: the document on one side, what it is on the other, and below
//! them the question "which entry is pulled?" with the Platforms table, or
//! a manifest's contents.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::{
    AnnotationsList, DiagnosticsList, Editor, ExamplesBar, ImportPanel, ListBuilder, ManifestView,
    PlatformQueryForm, PlatformsTable, RegistryPanel, Summary,
};
use crate::hooks::{use_app_state, use_inspection, use_persistence};
use crate::position;
use crate::registry::Connection;
use crate::selection::{self, Answer};
use crate::state::{Action, Inspection};

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_app_state();
    let editor = use_node_ref();
    let show = use_state_eq(|| None::<(u64, usize)>);

    let session = use_mut_ref(Default::default);
    let proxy = use_state(|| crate::browser::load_setting("proxy").unwrap_or_default());
    let connection = Connection {
        session: session.clone(),
        proxy: std::rc::Rc::from(proxy.as_str()),
    };
    let on_proxy = {
        let proxy = proxy.clone();
        Callback::from(move |value: String| {
            crate::browser::store_setting("proxy", &value);
            proxy.set(value);
        })
    };
    // A child of the fetched index to open, numbered so that asking twice
    // for the same one opens it again.
    let open = use_state_eq(|| None::<(u64, String)>);
    // The name under which the registry panel loaded its last document:
    // while the page shows that document, its rows can be opened.
    let fetched = use_state_eq(|| None::<String>);
    let on_fetched = {
        let fetched = fetched.clone();
        Callback::from(move |name: String| fetched.set(Some(name)))
    };
    let on_open_digest = {
        let open = open.clone();
        Callback::from(move |digest: String| {
            let serial = open.as_ref().map(|(n, _)| n + 1).unwrap_or(0);
            open.set(Some((serial, digest)));
        })
    };

    use_inspection(&state, &editor);
    let storage_failure = use_persistence(&state);

    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    let on_jump = {
        let editor = editor.clone();
        Callback::from(move |(line, column): (usize, usize)| mark(&editor, line, column))
    };
    let on_show_row = {
        let show = show.clone();
        Callback::from(move |row: usize| {
            let serial = show.map(|(n, _)| n + 1).unwrap_or(0);
            show.set(Some((serial, row)));
        })
    };

    let answer = {
        let report = match &state.inspection {
            Inspection::Loaded { report, .. } => Some(report.clone()),
            Inspection::Idle | Inspection::Loading => None,
        };
        use_memo(
            (report, state.query.clone()),
            |(report, query)| match report {
                Some(report) if report.kind.is_index() => selection::answer(&report.entries, query),
                _ => Answer::Unasked,
            },
        )
    };

    let busy = matches!(state.inspection, Inspection::Loading);
    let results = match &state.inspection {
        Inspection::Idle => html! {
            <section class="summary empty">
                <p class="verdict idle" id="verdict" data-valid="">{ "Nothing to inspect yet" }</p>
                <p class="note">
                    { "polyarch tells what a manifest or index is, whether it is valid, its \
                       exact digest, and which entry a host of a given platform pulls. \
                       What you paste or open is inspected in this page and sent nowhere; \
                       only fetching and pushing talk to a registry, through the proxy." }
                </p>
            </section>
        },
        Inspection::Loading if !matches!(state.source, crate::state::Source::Empty) => html! {
            <section class="summary">
                <p class="verdict pending" id="verdict" data-valid="">{ "Inspecting…" }</p>
            </section>
        },
        Inspection::Loading => html! {},
        Inspection::Loaded {
            report, took_ms, ..
        } => html! {
            <>
                <Summary report={report.clone()} source={state.source.clone()} took_ms={*took_ms} />
                <DiagnosticsList report={report.clone()} on_jump={on_jump.clone()} />
            </>
        },
    };
    let from_registry = matches!(
        (&state.source, fetched.as_deref()),
        (crate::state::Source::File { name, .. }, Some(loaded)) if name == loaded
    );
    let contents = match &state.inspection {
        Inspection::Loaded { report, rows, .. } if report.kind.is_index() => html! {
            <div class="contents">
                <PlatformQueryForm query={state.query.clone()} answer={(*answer).clone()}
                    on_action={on_action.clone()} on_show_row={on_show_row.clone()} />
                <PlatformsTable rows={rows.clone()} filter={state.filter.clone()}
                    pulled={selection::pulled_row(&answer)} show={*show}
                    on_action={on_action.clone()} on_show_row={on_show_row.clone()}
                    on_open={from_registry.then(|| on_open_digest.clone())} />
                if !report.annotations.is_empty() {
                    <section class="index-annotations" aria-labelledby="index-annotations-heading">
                        <h2 id="index-annotations-heading">{ "Annotations of the index" }</h2>
                        <AnnotationsList annotations={report.annotations.clone()} />
                    </section>
                }
            </div>
        },
        Inspection::Loaded { report, .. }
            if matches!(
                report.kind,
                polyarch_core::inspect::Kind::OciManifest
                    | polyarch_core::inspect::Kind::DockerManifest
            ) =>
        {
            html! { <div class="contents"><ManifestView report={report.clone()} /></div> }
        }
        _ => html! {},
    };

    html! {
        <div class="page">
            <header class="top">
                <h1>{ "polyarch" }</h1>
                <p class="tagline">
                    { "Multi-architecture images: what an index or manifest list says, and \
                       which entry each platform pulls." }
                </p>
            </header>
            <main id="main" aria-busy={busy.to_string()} data-revision={state.revision.to_string()}>
                <RegistryPanel connection={connection.clone()} on_proxy={on_proxy}
                    on_action={on_action.clone()} open={(*open).clone()} {on_fetched} />
                <div class="workspace">
                    <section class="input" aria-label="Document">
                        <ExamplesBar on_action={on_action.clone()} />
                        <Editor node_ref={editor.clone()} on_action={on_action.clone()}
                            source={state.source.clone()} sync={state.editor_sync}
                            file_read={state.file_read.clone()} fetched={from_registry}
                            content_type={state.content_type.clone()}
                            expected_digest={state.expected_digest.clone()}
                            storage_failure={storage_failure.map(|e| AttrValue::from(e.to_string()))} />
                    </section>
                    <div class="results" aria-live="polite">{ results }</div>
                </div>
                { contents }
                <ListBuilder connection={connection.clone()} />
                <ImportPanel connection={connection.clone()} />
            </main>
            <footer class="bottom">
                <p>
                    { "Rules: OCI image-spec v1.1, Docker image manifest v2 schema 2, and \
                       containerd's platform matching. The page keeps your document in this \
                       browser only." }
                </p>
            </footer>
        </div>
    }
}

/// Moves the text area's cursor to `line`, `column`, selects the token there
/// and scrolls it into view.
fn mark(editor: &NodeRef, line: usize, column: usize) {
    let Some(area) = editor.cast::<HtmlTextAreaElement>() else {
        return;
    };
    let text = area.value();
    let (start, end) = position::mark(&text, line, column);

    let _ = area.focus();
    let _ = area.set_selection_range(start, end);

    let line_height = web_sys::window()
        .and_then(|w| w.get_computed_style(&area).ok().flatten())
        .and_then(|style| style.get_property_value("line-height").ok())
        .and_then(|value| value.trim_end_matches("px").parse::<f64>().ok())
        .unwrap_or(20.0);
    let target = (line.saturating_sub(1) as f64) * line_height;
    let top = (target - f64::from(area.client_height()) / 3.0).max(0.0);
    area.set_scroll_top(top as i32);
    if let Some(el) = area.dyn_ref::<HtmlElement>() {
        el.set_attribute("data-marked", &format!("{line}:{column}"))
            .ok();
    }
}
