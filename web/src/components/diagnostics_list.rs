//! Every problem, with its severity, code, message, rule source and place;
//! choosing one marks its place in the text.

use polyarch_core::diagnostic::Diagnostic;
use polyarch_core::inspect::Report;
use yew::prelude::*;

use crate::cells;
use crate::state::Shared;

/// How many diagnostics are drawn at first, and added by "show more": a
/// 10,000-entry index can have as many warnings, and drawing them all would
/// hold the page for seconds. Errors come first, so they are always among
/// the first drawn.
const SHOWN_AT_ONCE: usize = 100;

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
    let diagnostics = &props.report.diagnostics;
    if diagnostics.is_empty() {
        return html! {
            <section class="diagnostics" aria-labelledby="diagnostics-heading">
                <h2 id="diagnostics-heading">{ "Diagnostics" }</h2>
                <p class="note" id="no-diagnostics">{ "No problems found." }</p>
            </section>
        };
    }

    let shown = (*limit).min(diagnostics.len());
    let items = diagnostics[..shown].iter().map(|d| item(d, &props.on_jump));
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
            <ol class="diagnostic-list">{ for items }</ol>
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

fn item(d: &Diagnostic, on_jump: &Callback<(usize, usize)>) -> Html {
    let (line, column) = (d.line, d.column);
    let onclick = on_jump.reform(move |_: MouseEvent| (line, column));
    let severity = d.severity.as_str();
    let pointer = if d.pointer.is_empty() {
        "the document".to_owned()
    } else {
        d.pointer.clone()
    };
    html! {
        <li class={classes!("diagnostic", severity)} data-code={d.code}
            data-severity={severity} data-pointer={d.pointer.clone()}
            data-line={line.to_string()} data-column={column.to_string()}>
            <button type="button" class="jump" {onclick}
                title="Mark this place in the text">
                <span class="severity">{ severity }</span>
                <span class="place">{ format!("line {line}, column {column}") }</span>
            </button>
            <div class="diagnostic-body">
                <p class="message">{ &d.message }</p>
                <p class="meta">
                    <code class="code">{ d.code }</code>
                    { " · " }<code class="pointer">{ pointer }</code>
                    { " · " }<span class="rule-source">{ d.source }</span>
                </p>
            </div>
        </li>
    }
}
