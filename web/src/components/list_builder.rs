//! "Build a multi-arch list": a target, sources added by reference, their
//! rows, the format, the preview and the push (see [`crate::builder`] for
//! the rules). This component fetches: each row's source, and the list at
//! the target when asked to open it; the rest is the builder's reducer.

use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;

use polyarch_core::assemble::{Format, IndexBuilder};
use polyarch_core::digest::Digest;
use polyarch_core::reference::Reference;
use polyarch_core::transfer::{Options, Transfer};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::builder::fields::parse_annotations;
use crate::builder::preview::preview;
use crate::builder::run::RunState;
use crate::builder::saved::{self, BUILDER_KEY, BUILDER_TRANSFER_KEY, SavedBuilder};
use crate::builder::source::{self, SourceDoc, SourceError};
use crate::builder::state::{
    BuilderAction, BuilderState, Loaded, OpenFailure, OpenedList, Opening,
};
use crate::cells;
use crate::components::{BuilderPreview, BuilderRow, Start, TransferProgress};
use crate::registry::Connection;
use crate::state::Shared;

/// The builder's inputs.
#[derive(Properties, PartialEq)]
pub struct ListBuilderProps {
    /// The session (with the credentials of the sign-in) and the proxy.
    pub connection: Connection,
}

fn restore() -> BuilderState {
    saved::load(BUILDER_KEY)
        .and_then(|text| SavedBuilder::decode(&text))
        .map(SavedBuilder::restore)
        .unwrap_or_default()
}

/// Fetches a source and reads what it gives.
async fn load(connection: Connection, reference: String) -> Result<Loaded, SourceError> {
    let reference = Reference::parse(&reference).map_err(SourceError::Reference)?;
    let client = connection.client().map_err(SourceError::Proxy)?;
    let fetched = client.manifest(&reference).await?;
    let content_type = fetched.content_type.as_deref();

    match source::read(&fetched.bytes, content_type, &fetched.checks)? {
        SourceDoc::Index { facts, choices } => Ok(Loaded::Index { facts, choices }),
        SourceDoc::Manifest {
            config,
            config_size,
        } => {
            let config = client
                .blob(
                    reference.registry(),
                    reference.repository(),
                    &config,
                    config_size,
                )
                .await?;
            source::entry(&fetched.bytes, content_type, &config).map(|e| Loaded::Entry(Box::new(e)))
        }
    }
}

/// Fetches the list at `target` to edit.
async fn open(connection: Connection, target: String) -> BuilderAction {
    let reference = match Reference::parse(target.trim()) {
        Ok(reference) => reference,
        Err(error) => return BuilderAction::OpenFailed(OpenFailure::Reference(error)),
    };
    let client = match connection.client() {
        Ok(client) => client,
        Err(error) => return BuilderAction::OpenFailed(OpenFailure::Proxy(error)),
    };
    let fetched = match client.manifest(&reference).await {
        Ok(fetched) => fetched,
        Err(error) => return BuilderAction::OpenFailed(OpenFailure::Fetch(error)),
    };
    match IndexBuilder::from_document(&fetched.bytes, fetched.content_type.as_deref()) {
        Ok(builder) => BuilderAction::Opened(Box::new(OpenedList {
            reference,
            digest: Digest::sha256(&fetched.bytes).to_string(),
            builder,
        })),
        Err(error) => BuilderAction::OpenFailed(OpenFailure::Open(error)),
    }
}

const FORMATS: [(Format, &str, &str); 3] = [
    (
        Format::Auto,
        "auto",
        "Auto: a Docker manifest list when nothing would be lost, else an OCI image index",
    ),
    (
        Format::Oci,
        "oci",
        "OCI image index (a manifest list, in Docker's words)",
    ),
    (
        Format::Docker,
        "docker",
        "Docker manifest list (an image index, in OCI's words)",
    ),
];

/// The list builder.
#[component]
pub fn ListBuilder(props: &ListBuilderProps) -> Html {
    let state = use_reducer_eq(restore);
    let open_editors = use_state_eq(BTreeSet::<u64>::new);
    let in_flight = use_mut_ref(HashSet::<u64>::new);
    let start = use_state_eq(|| None::<Start>);
    let run = use_state_eq(RunState::default);

    let preview = use_memo((*state).clone(), |state| Shared(Rc::new(preview(state))));
    let preview = (*preview).clone();

    use_effect_with(SavedBuilder::of(&state), |kept| {
        saved::save(BUILDER_KEY, &kept.encode());
    });
    {
        let connection = props.connection.clone();
        let dispatcher = state.dispatcher();
        let in_flight = in_flight.clone();
        use_effect_with(state.loading(), move |loading| {
            for (id, reference) in loading.iter().cloned() {
                if !in_flight.borrow_mut().insert(id) {
                    continue;
                }
                let connection = connection.clone();
                let dispatcher = dispatcher.clone();
                let in_flight = in_flight.clone();
                spawn_local(async move {
                    let outcome = load(connection, reference).await;
                    in_flight.borrow_mut().remove(&id);
                    dispatcher.dispatch(BuilderAction::Loaded {
                        id,
                        outcome: Box::new(outcome),
                    });
                });
            }
        });
    }

    let dispatch = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: BuilderAction| dispatcher.dispatch(action))
    };
    let on_target = dispatch.reform(|e: InputEvent| {
        BuilderAction::SetTarget(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let on_source = dispatch.reform(|e: InputEvent| {
        BuilderAction::SetSource(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let on_add = dispatch.reform(|e: SubmitEvent| {
        e.prevent_default();
        BuilderAction::Add
    });
    let on_pretty = dispatch.reform(|e: Event| {
        BuilderAction::SetPretty(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let on_list_annotations = dispatch.reform(|e: InputEvent| {
        BuilderAction::SetListAnnotations(e.target_unchecked_into::<HtmlTextAreaElement>().value())
    });
    let on_toggle = {
        let open_editors = open_editors.clone();
        Callback::from(move |id: u64| {
            let mut next = (*open_editors).clone();
            if !next.remove(&id) {
                next.insert(id);
            }
            open_editors.set(next);
        })
    };
    let on_open = {
        let connection = props.connection.clone();
        let dispatcher = state.dispatcher();
        let target = state.target.clone();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(BuilderAction::OpenStarted);
            let connection = connection.clone();
            let dispatcher = dispatcher.clone();
            let target = target.clone();
            spawn_local(async move { dispatcher.dispatch(open(connection, target).await) });
        })
    };
    let on_push = {
        let preview = preview.clone();
        let start = start.clone();
        let run = run.clone();
        Callback::from(move |_: MouseEvent| {
            let Ok(target) = &preview.target else {
                return;
            };
            if !preview.pushable() || run.is_active() {
                return;
            }
            let transfer = Transfer::push_assembled(
                &target.repository,
                &target.tag,
                &preview.assembled,
                preview.sources.clone(),
                Options::default(),
            );
            let serial = start.as_ref().map(|s| s.serial + 1).unwrap_or(1);
            start.set(Some(Start {
                serial,
                label: format!("push to {}", target.reference),
                transfer: Rc::new(transfer),
            }));
        })
    };
    let on_run = {
        let run = run.clone();
        Callback::from(move |state: RunState| run.set(state))
    };

    let target_status = match &preview.target {
        Ok(target) => html! {
            <p class="status" id="builder-target-status" data-valid="true">
                { "Pushes to " }<code>{ target.reference.to_string() }</code>
            </p>
        },
        Err(error) if state.target.trim().is_empty() => html! {
            <p class="note" id="builder-target-status" data-valid="false">{ error.to_string() }</p>
        },
        Err(error) => html! {
            <p class="status error" id="builder-target-status" data-valid="false">
                { error.to_string() }
            </p>
        },
    };
    let opening = match &state.opening {
        Opening::Idle => html! {},
        Opening::Loading => html! {
            <p class="status" id="builder-open-status" data-state="loading">{ "Opening…" }</p>
        },
        Opening::Opened {
            reference,
            digest,
            entries,
        } => html! {
            <p class="status" id="builder-open-status" data-state="opened">
                { match entries {
                    1 => format!("Read the one entry of {reference} ("),
                    n => format!("Read the {n} entries of {reference} ("),
                } }
                <code title={digest.clone()}>{ cells::short_digest(digest) }</code>
                { ") into the rows below; opening it again reads it as it is now." }
            </p>
        },
        Opening::Failed(failure) => html! {
            <p class="status error" id="builder-open-status" data-state="failed" role="alert">
                { format!("Not opened: {failure}") }
            </p>
        },
    };

    let kept = if state.kept.is_empty() {
        html! {}
    } else {
        let on_drop_kept = dispatch.reform(|_: MouseEvent| BuilderAction::DropKept);
        html! {
            <p class="note" id="builder-kept">
                { "Kept from the opened list, and pushed with it:" }
                if let Some(artifact_type) = &state.kept.artifact_type {
                    { " artifactType " }<code>{ artifact_type.clone() }</code>
                }
                if let Some(subject) = &state.kept.subject {
                    { " subject " }
                    <code title={subject.digest.clone()}>
                        { cells::short_digest(&subject.digest) }
                    </code>
                }
                { ". " }
                <button type="button" class="link" id="builder-drop-kept" onclick={on_drop_kept}>
                    { "Leave them out" }
                </button>
            </p>
        }
    };

    let count = state.rows.len();
    let rows = state.rows.iter().enumerate().map(|(at, row)| {
        let conflicts = if row.awaiting {
            state
                .conflicts(row.id)
                .iter()
                .filter_map(|c| state.position(*c))
                .map(|p| p + 1)
                .collect()
        } else {
            Vec::new()
        };
        html! {
            <BuilderRow key={row.id} row={row.clone()} number={at + 1} {count} {conflicts}
                open={open_editors.contains(&row.id)} on_action={dispatch.clone()}
                on_toggle={on_toggle.clone()} />
        }
    });
    let formats = FORMATS.iter().map(|(format, name, label)| {
        let id = format!("builder-format-{name}");
        let format = *format;
        let onchange = dispatch.reform(move |_: Event| BuilderAction::SetFormat(format));
        html! {
            <label class="choice" for={id.clone()}>
                <input type="radio" name="builder-format" id={id} value={*name}
                    checked={state.format == format} {onchange} />
                { *label }
            </label>
        }
    });
    let list_errors = parse_annotations(&state.list_annotations).1;
    let read_back = match run.data_state() {
        "done" => run
            .progress
            .verified
            .first()
            .map(|v| AttrValue::from(v.digest.clone())),
        _ => None,
    };
    let push_label = match &preview.target {
        Ok(target) => format!("Push to {}", target.reference),
        Err(_) => "Push".to_owned(),
    };

    html! {
        <section class="builder" id="builder" aria-labelledby="builder-heading">
            <h2 id="builder-heading">{ "Build a multi-arch list" }</h2>
            <p class="note">
                { "One tag for every architecture: add the per-architecture images by tag or \
                   digest (from the target repository, another repository or another \
                   registry), check the exact document, and push it. Children missing from the \
                   target repository are copied there first." }
            </p>

            <div class="builder-line">
                <div class="field">
                    <label for="builder-target">{ "Target" }</label>
                    <input type="text" id="builder-target" value={state.target.clone()}
                        oninput={on_target} placeholder="127.0.0.1:5000/demo/app:multi"
                        autocomplete="off" spellcheck="false" />
                </div>
                <div class="line-action">
                    <button type="button" class="secondary" id="builder-open" onclick={on_open}
                        disabled={matches!(state.opening, Opening::Loading)}>
                        { "Open the list at the target" }
                    </button>
                </div>
            </div>
            { target_status }
            { opening }
            { kept }
            if count > 0 && !matches!(state.opening, Opening::Opened { .. }) {
                <p class="note">{ "Opening the list at the target replaces the rows below." }</p>
            }

            <form class="builder-line builder-add" onsubmit={on_add}>
                <div class="field">
                    <label for="builder-source">{ "Source reference" }</label>
                    <input type="text" id="builder-source" value={state.source.clone()}
                        oninput={on_source} placeholder="127.0.0.1:5000/demo/app:arm64"
                        autocomplete="off" spellcheck="false" />
                </div>
                <div class="line-action">
                    <button type="submit" id="builder-add">{ "Add" }</button>
                </div>
            </form>

            if count == 0 {
                <p class="note" id="builder-empty">
                    { "No sources yet. Add one image per platform, such as \
                       demo/app:amd64 and demo/app:arm64." }
                </p>
            } else {
                <div class="table-scroll">
                    <table class="data builder-table" id="builder-rows">
                        <caption>
                            { format!("Entries ({count}): clients pull the first entry that \
                                       matches them") }
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col" class="num">{ "#" }</th>
                                <th scope="col">{ "Platform" }</th>
                                <th scope="col">{ "Source" }</th>
                                <th scope="col">{ "Digest" }</th>
                                <th scope="col" class="num">{ "Size" }</th>
                                <th scope="col">{ "Actions" }</th>
                            </tr>
                        </thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }

            <fieldset class="format-choice" id="builder-format">
                <legend>{ "Format" }</legend>
                { for formats }
            </fieldset>
            <div class="field check">
                <input type="checkbox" id="builder-pretty" checked={state.pretty}
                    onchange={on_pretty} />
                <label for="builder-pretty">
                    { "Indent the document, as docker manifest push writes it" }
                </label>
            </div>
            <details class="options" open={!state.list_annotations.is_empty()}>
                <summary>{ "Annotations of the list itself" }</summary>
                <div class="field">
                    <label for="builder-list-annotations">{ "List annotations (one key=value a line)" }</label>
                    <textarea id="builder-list-annotations" rows="3" spellcheck="false"
                        value={state.list_annotations.clone()} oninput={on_list_annotations}
                        placeholder="org.opencontainers.image.source=https://…"
                        aria-invalid={(!list_errors.is_empty()).to_string()} />
                </div>
                if !list_errors.is_empty() {
                    <ul class="field-errors" role="alert">
                        { for list_errors.iter().map(|e| html! { <li>{ e.to_string() }</li> }) }
                    </ul>
                }
            </details>

            if count > 0 {
                <BuilderPreview preview={preview.clone()} {read_back} />
            }

            if !preview.blockers.is_empty() {
                <ul class="blockers" id="builder-blockers" aria-label="Before pushing">
                    { for preview.blockers.iter().map(|b| html! { <li>{ b.to_string() }</li> }) }
                </ul>
            }
            <div class="push-actions">
                <button type="button" id="builder-push" onclick={on_push}
                    disabled={!preview.pushable() || run.is_active()}>
                    { push_label }
                </button>
            </div>
            <TransferProgress prefix="push" storage_key={BUILDER_TRANSFER_KEY}
                connection={props.connection.clone()} start={(*start).clone()}
                on_change={on_run} />
        </section>
    }
}
