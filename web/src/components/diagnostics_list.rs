//! Every problem, with its severity, code, message, rule source and place;
//! choosing one marks its place in the text.
//!
//! A click anywhere on a diagnostic marks its place. For the keyboard each
//! diagnostic has one tab stop, the button that shows its severity and
//! place (Enter or Space), described by the message. The text stays
//! selectable for copying: a click that ends a drag, or the second and
//! third clicks that select a word or a line, do not jump. One handler on
//! the list serves every diagnostic, reading the line and column from the
//! item's data attributes.

use polyarch_core::diagnostic::Diagnostic;
use polyarch_core::inspect::Report;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use crate::cells;
use crate::state::Shared;

/// How many diagnostics are drawn at first, and added by "show more": a
/// 10,000-entry index can have as many warnings, and drawing them all would
/// hold the page for seconds. Errors come first, so they are always among
/// the first drawn.
const SHOWN_AT_ONCE: usize = 100;

/// How far, in CSS pixels, the pointer may move between press and release
/// for a click to mark the place rather than end a text selection.
const DRAG_SLOP: i32 = 4;

/// The diagnostics to list.
#[derive(Debug, Properties, PartialEq)]
pub struct DiagnosticsListProps {
    /// What core found.
    pub report: Shared<Report>,
    /// Receives the line and column to mark.
    pub on_jump: Callback<(usize, usize)>,
}

/// The list of diagnostics.
#[component]
pub fn DiagnosticsList(props: &DiagnosticsListProps) -> Html {
    let limit = use_state_eq(|| SHOWN_AT_ONCE);
    let pressed_at = use_mut_ref(|| None::<(i32, i32)>);
    let diagnostics = &props.report.diagnostics;
    if diagnostics.is_empty() {
        return html! {
            <section class="diagnostics" aria-labelledby="diagnostics-heading">
                <h2 id="diagnostics-heading">{ "Diagnostics" }</h2>
                <p class="note" id="no-diagnostics">{ "No problems found." }</p>
            </section>
        };
    }

    let on_press = {
        let pressed_at = pressed_at.clone();
        Callback::from(move |e: MouseEvent| {
            *pressed_at.borrow_mut() = Some((e.client_x(), e.client_y()));
        })
    };
    let on_click = {
        let on_jump = props.on_jump.clone();
        Callback::from(move |e: MouseEvent| {
            let pressed = pressed_at.borrow_mut().take();
            if selects_text(&e, pressed) {
                return;
            }
            let place = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|el| el.closest("li.diagnostic").ok().flatten())
                .and_then(|li| Some((number(&li, "data-line")?, number(&li, "data-column")?)));
            if let Some(place) = place {
                on_jump.emit(place);
            }
        })
    };

    let shown = (*limit).min(diagnostics.len());
    let items = diagnostics[..shown]
        .iter()
        .enumerate()
        .map(|(i, d)| item(i, d));
    let more = diagnostics.len() - shown;
    let on_more = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(*limit + SHOWN_AT_ONCE))
    };
    html! {
        <section class="diagnostics" aria-labelledby="diagnostics-heading">
            <h2 id="diagnostics-heading">
                { format!("Diagnostics ({})", cells::grouped(diagnostics.len() as u64)) }
            </h2>
            <ol class="diagnostic-list jumps" onmousedown={on_press} onclick={on_click}>
                { for items }
            </ol>
            if more > 0 {
                <button type="button" class="secondary more" onclick={on_more}>
                    { format!("Show {} more ({} not shown)",
                        cells::grouped(more.min(SHOWN_AT_ONCE) as u64),
                        cells::grouped(more as u64)) }
                </button>
            }
        </section>
    }
}

/// Whether a click selects text rather than asks for a jump: a double or
/// triple click, or a press and release apart. A click from the keyboard
/// (`detail` 0) always jumps.
fn selects_text(e: &MouseEvent, pressed: Option<(i32, i32)>) -> bool {
    if e.detail() == 0 {
        return false;
    }
    if e.detail() > 1 {
        return true;
    }
    pressed.is_some_and(|(x, y)| {
        (e.client_x() - x).abs() > DRAG_SLOP || (e.client_y() - y).abs() > DRAG_SLOP
    })
}

fn number(el: &Element, name: &str) -> Option<usize> {
    el.get_attribute(name)?.parse().ok()
}

fn item(i: usize, d: &Diagnostic) -> Html {
    let severity = d.severity.as_str();
    let pointer = if d.pointer.is_empty() {
        "the document".to_owned()
    } else {
        d.pointer.clone()
    };
    let message_id = format!("diagnostic-{i}-message");
    html! {
        <li class={classes!("diagnostic", severity)} data-code={d.code}
            data-severity={severity} data-pointer={d.pointer.clone()}
            data-line={d.line.to_string()} data-column={d.column.to_string()}>
            <button type="button" class="jump" aria-describedby={message_id.clone()}
                title="Mark this place in the text">
                <span class="severity">{ severity }</span>
                <span class="place">{ format!("line {}, column {}", d.line, d.column) }</span>
            </button>
            <div class="diagnostic-body">
                <p class="message" id={message_id}>{ &d.message }</p>
                <p class="meta">
                    <code class="code">{ d.code }</code>
                    { " · " }<code class="pointer">{ pointer }</code>
                    { " · " }<span class="rule-source">{ d.source }</span>
                </p>
            </div>
        </li>
    }
}
