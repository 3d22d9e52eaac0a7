//! "Which entry is pulled?": a platform, an optional OS version and a
//! strict switch, and the answer.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::selection::Answer;
use crate::state::{Action, PlatformQuery};

/// The question and its answer.
#[derive(Debug, Properties, PartialEq)]
pub struct PlatformQueryFormProps {
    /// The fields.
    pub query: PlatformQuery,
    /// The answer for the current document.
    pub answer: Answer,
    /// Receives the field changes.
    pub on_action: Callback<Action>,
    /// Moves to a row of the Platforms table.
    pub on_show_row: Callback<usize>,
}

/// The form.
#[component]
pub fn PlatformQueryForm(props: &PlatformQueryFormProps) -> Html {
    let on_platform = props.on_action.reform(|e: InputEvent| {
        Action::QueryPlatform(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let on_version = props.on_action.reform(|e: InputEvent| {
        Action::QueryOsVersion(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let on_strict = props.on_action.reform(|e: Event| {
        Action::QueryStrict(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let onsubmit = Callback::from(|e: SubmitEvent| e.prevent_default());

    html! {
        <section class="query" aria-labelledby="query-heading">
            <h2 id="query-heading">{ "Which entry is pulled?" }</h2>
            <form class="fields inline" {onsubmit}>
                <div class="field">
                    <label for="query-platform">{ "Platform" }</label>
                    <input id="query-platform" type="text" value={props.query.platform.clone()}
                        oninput={on_platform} placeholder="linux/arm/v6" autocomplete="off"
                        spellcheck="false" aria-describedby="query-rules" />
                </div>
                <div class="field">
                    <label for="query-os-version">{ "OS version (Windows hosts)" }</label>
                    <input id="query-os-version" type="text" value={props.query.os_version.clone()}
                        oninput={on_version} placeholder="10.0.17763.1697" autocomplete="off"
                        spellcheck="false" />
                </div>
                <div class="field check">
                    <input id="query-strict" type="checkbox" checked={props.query.strict}
                        onchange={on_strict} />
                    <label for="query-strict">{ "Strict: no fallback" }</label>
                </div>
            </form>
            <p class="note" id="query-rules">
                { "Matched by containerd's platform rules, the rules of Docker Engine and \
                   Kubernetes: an exact match first, then the fallbacks the host can run \
                   (arm/v7 → v6 → v5, amd64 → 386, arm64 → arm/v8 …)." }
            </p>
            <div id="answer" aria-live="polite">{ answer(&props.answer, &props.on_show_row) }</div>
        </section>
    }
}

fn answer(answer: &Answer, on_show_row: &Callback<usize>) -> Html {
    match answer {
        Answer::Unasked => html! {},
        Answer::Invalid(message) => html! {
            <p class="answer invalid" data-answer="invalid">{ message }</p>
        },
        Answer::Pulled {
            row,
            platform,
            reason,
            nested,
            notes,
            unresolved,
        } => {
            let row = *row;
            let onclick = on_show_row.reform(move |_: MouseEvent| row);
            html! {
                <div class="answer pulled" data-answer="pulled" data-row={row.to_string()}>
                    <p>
                        <button type="button" class="link" {onclick}>
                            { format!("Row {row}") }
                        </button>
                        { format!(" is pulled ({platform}): ") }
                        <strong class="reason">{ reason }</strong>
                        { "." }
                    </p>
                    if *nested {
                        <p class="note">
                            { "It is a nested index: a client fetches it and selects again." }
                        </p>
                    }
                    { extras(notes, unresolved) }
                </div>
            }
        }
        Answer::NoMatch {
            reason,
            notes,
            unresolved,
        } => html! {
            <div class="answer no-match" data-answer="no-match">
                <p><strong class="reason">{
                    if reason == "no match" { "No match.".to_owned() } else { format!("No match: {reason}.") }
                }</strong>
                   { " No entry of this document runs on that platform." }</p>
                { extras(notes, unresolved) }
            </div>
        },
    }
}

fn extras(notes: &[String], unresolved: &[usize]) -> Html {
    let unresolved = (!unresolved.is_empty()).then(|| {
        let rows: Vec<String> = unresolved.iter().map(usize::to_string).collect();
        html! {
            <li>{ format!("Rows without a platform ({}) cannot be judged from the index: a \
                           client reads their config.", rows.join(", ")) }</li>
        }
    });
    if notes.is_empty() && unresolved.is_none() {
        return html! {};
    }
    html! {
        <ul class="notes">
            { for notes.iter().map(|n| html! { <li>{ n }</li> }) }
            { for unresolved }
        </ul>
    }
}
