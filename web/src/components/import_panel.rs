//! "Import": copies a whole multi-arch image, as `skopeo copy --all` or
//! `az acr import` do, from a source reference to a target repository
//! (see [`crate::builder::import`]), with the same progress, failure
//! report and resume as a push.

use std::rc::Rc;

use polyarch_core::transfer::{Options, Transfer};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::builder::import::plan;
use crate::builder::run::RunState;
use crate::builder::saved::{self, IMPORT_KEY, IMPORT_TRANSFER_KEY, SavedImport};
use crate::components::{Start, TransferProgress};
use crate::registry::Connection;

/// The import's inputs.
#[derive(Properties, PartialEq)]
pub struct ImportPanelProps {
    /// The session (with the credentials of the sign-in) and the proxy.
    pub connection: Connection,
}

fn restore() -> SavedImport {
    saved::load(IMPORT_KEY)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// The import panel.
#[component]
pub fn ImportPanel(props: &ImportPanelProps) -> Html {
    let fields = use_state_eq(restore);
    let start = use_state_eq(|| None::<Start>);
    let run = use_state_eq(RunState::default);

    use_effect_with((*fields).clone(), |fields| {
        if let Ok(text) = serde_json::to_string(fields) {
            saved::save(IMPORT_KEY, &text);
        }
    });

    let copy = plan(&fields.source, &fields.target);
    let on_source = {
        let fields = fields.clone();
        Callback::from(move |e: InputEvent| {
            fields.set(SavedImport {
                source: e.target_unchecked_into::<HtmlInputElement>().value(),
                ..(*fields).clone()
            });
        })
    };
    let on_target = {
        let fields = fields.clone();
        Callback::from(move |e: InputEvent| {
            fields.set(SavedImport {
                target: e.target_unchecked_into::<HtmlInputElement>().value(),
                ..(*fields).clone()
            });
        })
    };
    let on_copy = {
        let copy = copy.clone();
        let start = start.clone();
        let run = run.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(copy) = &copy else {
                return;
            };
            if run.is_active() {
                return;
            }
            let transfer = Transfer::copy(&copy.source, &copy.target, Options::default());
            let serial = start.as_ref().map(|s| s.serial + 1).unwrap_or(1);
            start.set(Some(Start {
                serial,
                label: copy.label(),
                transfer: Rc::new(transfer),
            }));
        })
    };
    let on_run = {
        let run = run.clone();
        Callback::from(move |state: RunState| run.set(state))
    };

    let typed = !fields.source.trim().is_empty() || !fields.target.trim().is_empty();
    let status = match &copy {
        Ok(copy) => html! {
            <p class="status" id="import-plan" data-valid="true">
                { "Copies " }<code>{ copy.source.to_string() }</code>{ " and everything it refers \
                   to into " }<code>{ copy.target.to_string() }</code>
            </p>
        },
        Err(error) if typed => html! {
            <p class="status error" id="import-plan" data-valid="false">{ error.to_string() }</p>
        },
        Err(_) => html! {},
    };

    html! {
        <section class="import" id="import" aria-labelledby="import-heading">
            <h2 id="import-heading">{ "Import" }</h2>
            <p class="note">
                { "Copy a whole multi-arch image, every child (attestations included), every blob \
                   and every referrer, to another repository or registry, digests unchanged: \
                   blobs are mounted where the registry allows and copied in chunks otherwise." }
            </p>
            <form class="builder-line" onsubmit={on_copy}>
                <div class="field">
                    <label for="import-source">{ "Source reference" }</label>
                    <input type="text" id="import-source" value={fields.source.clone()}
                        oninput={on_source} placeholder="127.0.0.1:5000/demo/app:multi"
                        autocomplete="off" spellcheck="false" />
                </div>
                <div class="field">
                    <label for="import-target">{ "Target reference" }</label>
                    <input type="text" id="import-target" value={fields.target.clone()}
                        oninput={on_target} placeholder="127.0.0.1:5000/demo/copy"
                        autocomplete="off" spellcheck="false" />
                </div>
                <div class="line-action">
                    <button type="submit" id="import-copy"
                        disabled={copy.is_err() || run.is_active()}>{ "Copy" }</button>
                </div>
            </form>
            { status }
            <TransferProgress prefix="import" storage_key={IMPORT_TRANSFER_KEY}
                connection={props.connection.clone()} start={(*start).clone()}
                on_change={on_run} />
        </section>
    }
}
