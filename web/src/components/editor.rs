//! The document: a text area labelled "Manifest JSON", a file chooser and
//! drop target, and the optional Content-Type and expected digest.
//!
//! The text area is not re-rendered from the state as the user types (a
//! 4 MiB value would be copied on every keystroke): typing only tells the
//! reducer, and the text is read when it is inspected. When the state puts
//! a new document in (an example, a file, a restored one), the text area is
//! given it once.

use std::rc::Rc;

use web_sys::{DragEvent, File, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::browser;
use crate::state::{Action, FileRead, Source};

const MEDIA_TYPES: [&str; 5] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/json",
];

/// What the editor shows and where its changes go.
#[derive(Debug, Properties, PartialEq)]
pub struct EditorProps {
    /// The text area.
    pub node_ref: NodeRef,
    /// Receives every change.
    pub on_action: Callback<Action>,
    /// The document.
    pub source: Source,
    /// Raised when the text area must be given the document.
    pub sync: u64,
    /// Reading a file.
    pub file_read: FileRead,
    /// The Content-Type field.
    pub content_type: AttrValue,
    /// The expected digest field.
    pub expected_digest: AttrValue,
    /// Why the document is not kept across reloads, when it is not.
    pub storage_failure: Option<AttrValue>,
    /// The document was fetched from a registry, under its file name: the
    /// note says so rather than calling it a file.
    #[prop_or_default]
    pub fetched: bool,
}

/// The input half of the page.
#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let dragging = use_state_eq(|| false);
    let options_open = {
        let filled = !props.content_type.is_empty() || !props.expected_digest.is_empty();
        use_memo((), move |_| filled)
    };

    {
        let node_ref = props.node_ref.clone();
        let source = props.source.clone();
        use_effect_with(props.sync, move |_| {
            if let Some(area) = node_ref.cast::<HtmlTextAreaElement>() {
                area.set_value(&source.display_text());
            }
        });
    }

    let read = {
        let on_action = props.on_action.clone();
        Callback::from(move |file: File| {
            let on_action = on_action.clone();
            let name = file.name();
            on_action.emit(Action::FileLoading(name.clone()));
            wasm_bindgen_futures::spawn_local(async move {
                match browser::read_file(&file).await {
                    Ok(bytes) => on_action.emit(Action::FileLoaded {
                        name,
                        bytes: Rc::from(bytes),
                    }),
                    Err(e) => on_action.emit(Action::FileFailed {
                        name,
                        message: e.to_string(),
                    }),
                }
            });
        })
    };

    let oninput = props.on_action.reform(|_: InputEvent| Action::Typed);
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dragging = dragging.clone();
        let read = read.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let file = e
                .data_transfer()
                .and_then(|t| t.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                read.emit(file);
            }
        })
    };
    let onchange = {
        let read = read.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                read.emit(file);
            }
            input.set_value("");
        })
    };
    let onclear = props.on_action.reform(|_: MouseEvent| Action::Clear);
    let on_content_type = props.on_action.reform(|e: InputEvent| {
        Action::ContentType(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let on_expected = props.on_action.reform(|e: InputEvent| {
        Action::ExpectedDigest(e.target_unchecked_into::<HtmlInputElement>().value())
    });

    let note = match &props.source {
        Source::Empty => html! {
            <p class="note">{ "Paste a manifest or index, drop a file here, or load an example." }</p>
        },
        Source::Text(_) => html! {
            <p class="note" data-source="text">
                { "Pasted text is hashed as its UTF-8 bytes: re-typed whitespace or a changed \
                   newline gives another digest. To check a registry's digest, use the file \
                   as downloaded." }
            </p>
        },
        Source::File { name, bytes } => {
            let utf8 = std::str::from_utf8(bytes).is_ok();
            let (what, how) = match props.fetched {
                true => ("Fetched", ", as the registry sent them,"),
                false => ("File", ""),
            };
            html! {
                <p class="note" data-source="file">
                    { format!("{what} {name}: its exact {} bytes{how} are hashed. Editing \
                               the text makes it pasted text.",
                              crate::cells::grouped(bytes.len() as u64)) }
                    if !utf8 {
                        { " The file is not UTF-8: the text area shows it with replacement \
                            characters." }
                    }
                </p>
            }
        }
    };
    let file_status = match &props.file_read {
        FileRead::Idle => html! {},
        FileRead::Loading { name } => html! {
            <p class="status" role="status">{ format!("Reading {name}…") }</p>
        },
        FileRead::Failed { name, message } => html! {
            <p class="status error" role="alert">
                { format!("{name} could not be read: {message}") }
            </p>
        },
    };
    let storage = props.storage_failure.as_ref().map(|why| {
        html! {
            <p class="status warning" role="status">
                { format!("This document will not survive a reload ({why}).") }
            </p>
        }
    });

    html! {
        <div class="editor">
            <div class="editor-head">
                <label for="manifest-json">{ "Manifest JSON" }</label>
                <div class="editor-actions">
                    <label class="button secondary file-choose">
                        { "Choose a file…" }
                        <input type="file" id="file-input" class="visually-hidden"
                            accept=".json,application/json,application/vnd.oci.image.index.v1+json"
                            {onchange} />
                    </label>
                    <button type="button" class="secondary" onclick={onclear}>{ "Clear" }</button>
                </div>
            </div>
            <div class={classes!("drop", dragging.then_some("dragging"))}
                {ondragover} {ondragleave} {ondrop}>
                <textarea id="manifest-json" ref={props.node_ref.clone()} {oninput}
                    spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                    aria-describedby="manifest-json-note"
                    placeholder="{ \"schemaVersion\": 2, \"manifests\": [ … ] }" />
                <div class="drop-hint" aria-hidden="true">{ "Drop the file to inspect it" }</div>
            </div>
            <div id="manifest-json-note">{ note }{ file_status }{ for storage }</div>
            <details class="options" open={*options_open}>
                <summary>{ "Content-Type and expected digest" }</summary>
                <div class="fields">
                    <div class="field">
                        <label for="content-type">{ "Content-Type" }</label>
                        <input id="content-type" type="text" list="media-types"
                            value={props.content_type.clone()} oninput={on_content_type}
                            autocomplete="off" spellcheck="false"
                            placeholder="as the registry sent it" />
                        <datalist id="media-types">
                            { for MEDIA_TYPES.iter().map(|m| html! { <option value={*m} /> }) }
                        </datalist>
                    </div>
                    <div class="field">
                        <label for="expected-digest">{ "Expected digest" }</label>
                        <input id="expected-digest" type="text"
                            value={props.expected_digest.clone()} oninput={on_expected}
                            autocomplete="off" spellcheck="false"
                            placeholder="sha256:… (Docker-Content-Digest, or from a reference)" />
                    </div>
                </div>
            </details>
        </div>
    }
}
