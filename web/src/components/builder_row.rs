//! One row of the list builder: its platform, source, digest and size with
//! its controls (annotate, up, down, remove), and under it, when there is
//! one, what the row asks for: a platform to pick from an index, replace
//! or keep both, a retry, or its annotation fields.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::builder::fields::Field;
use crate::builder::source::platform_label;
use crate::builder::state::{BuilderAction, Load, Row, Via};
use crate::cells;

/// The columns of the rows table.
pub const BUILDER_COLUMNS: usize = 6;

/// A row and where it stands.
#[derive(Properties, PartialEq)]
pub struct BuilderRowProps {
    /// The row.
    pub row: Row,
    /// Its number, from 1.
    pub number: usize,
    /// How many rows there are.
    pub count: usize,
    /// The numbers of the rows with its platform, when it is awaiting.
    pub conflicts: Vec<usize>,
    /// Whether the annotation fields are open.
    pub open: bool,
    /// Changes the builder.
    pub on_action: Callback<BuilderAction>,
    /// Opens or closes the annotation fields.
    pub on_toggle: Callback<u64>,
}

fn state_name(row: &Row) -> &'static str {
    match &row.load {
        Load::Loading => "loading",
        Load::Ready { .. } if row.awaiting => "awaiting",
        Load::Ready { .. } => "ready",
        Load::Choose { .. } => "choose",
        Load::Failed(_) => "failed",
    }
}

fn via_note(via: Via) -> Option<&'static str> {
    match via {
        Via::Manifest => None,
        Via::Picked => Some("an entry of this index"),
        Via::Nested => Some("the whole index, nested"),
        Via::Opened => Some("from the list opened"),
    }
}

/// The row, and under it what it asks for.
#[component]
pub fn BuilderRow(props: &BuilderRowProps) -> Html {
    let row = &props.row;
    let (id, number) = (row.id, props.number);
    let entry = row.entry();
    let editor_id = format!("row-{id}-editor");

    let act = |action: BuilderAction| props.on_action.reform(move |_: MouseEvent| action.clone());
    let on_toggle = props.on_toggle.reform(move |_: MouseEvent| id);

    let platform = match (&row.load, &entry) {
        (Load::Loading, _) => html! { <span class="pending">{ "Reading…" }</span> },
        (Load::Failed(_), _) => html! { <span class="bad">{ "No entry" }</span> },
        (Load::Choose { .. }, _) => html! { <span class="pending">{ "Pick a platform" }</span> },
        (Load::Ready { .. }, Some(e)) => {
            html! { <code>{ platform_label(e.platform.as_ref()) }</code> }
        }
        (Load::Ready { .. }, None) => html! {},
    };
    let via = match &row.load {
        Load::Ready { via, .. } => via_note(*via),
        _ => None,
    };
    let digest = entry.as_ref().map(|e| e.digest.clone()).unwrap_or_default();
    let size = entry.as_ref().map(|e| e.size);

    html! {
        <>
            <tr class={classes!("builder-row", state_name(row))} data-row={number.to_string()}
                data-row-id={id.to_string()} data-state={state_name(row)}
                data-platform={entry.as_ref().map(|e| platform_label(e.platform.as_ref()))}
                data-digest={(!digest.is_empty()).then(|| digest.clone())}>
                <td class="num">{ number }</td>
                <td class="platform-cell">{ platform }</td>
                <td class="source-cell">
                    <code class="source-reference">{ &row.reference }</code>
                    if let Some(via) = via {
                        <span class="via">{ via }</span>
                    }
                </td>
                <td class="digest-cell">
                    <code title={digest.clone()}>{ cells::short_digest(&digest) }</code>
                </td>
                <td class="num">{ if size.is_some() { cells::size(size) } else { cells::NONE.to_owned() } }</td>
                <td class="row-actions">
                    <button type="button" class="secondary" data-action="annotate"
                        aria-expanded={props.open.to_string()} aria-controls={editor_id.clone()}
                        disabled={entry.is_none()} aria-label={format!("Annotate row {number}")}
                        onclick={on_toggle}>
                        { "Annotate" }
                    </button>
                    <button type="button" class="secondary" data-action="up" disabled={number == 1}
                        aria-label={format!("Move row {number} up")}
                        onclick={act(BuilderAction::MoveUp { id })}>{ "↑" }</button>
                    <button type="button" class="secondary" data-action="down"
                        disabled={number == props.count}
                        aria-label={format!("Move row {number} down")}
                        onclick={act(BuilderAction::MoveDown { id })}>{ "↓" }</button>
                    <button type="button" class="secondary" data-action="remove"
                        aria-label={format!("Remove row {number}")}
                        onclick={act(BuilderAction::Remove { id })}>{ "Remove" }</button>
                </td>
            </tr>
            { asks(props) }
            if props.open && entry.is_some() {
                <tr class="builder-detail" data-editor-for={number.to_string()}>
                    <td colspan={BUILDER_COLUMNS.to_string()} id={editor_id}>
                        { editor(props) }
                    </td>
                </tr>
            }
        </>
    }
}

/// What the row asks for, as a row under it.
fn asks(props: &BuilderRowProps) -> Html {
    let row = &props.row;
    let (id, number) = (row.id, props.number);
    let act = |action: BuilderAction| props.on_action.reform(move |_: MouseEvent| action.clone());
    let detail = |class: &'static str, body: Html| {
        html! {
            <tr class={classes!("builder-detail", class)} data-detail-for={number.to_string()}>
                <td colspan={BUILDER_COLUMNS.to_string()}>{ body }</td>
            </tr>
        }
    };

    match &row.load {
        Load::Failed(error) => detail(
            "failed",
            html! {
                <>
                    <p class="status error" role="alert">{ error.to_string() }</p>
                    <button type="button" class="secondary" data-action="retry"
                        aria-label={format!("Read row {number} again")}
                        onclick={act(BuilderAction::Retry { id })}>{ "Retry" }</button>
                </>
            },
        ),
        Load::Choose { facts, choices } => {
            let items = choices.iter().enumerate().map(|(choice, c)| {
                let label = c.label();
                html! {
                    <li>
                        <button type="button" class="secondary" data-action="pick"
                            data-choice={choice.to_string()} data-platform={label.clone()}
                            onclick={act(BuilderAction::Pick { id, choice })}>
                            { format!("Use {label}") }
                        </button>
                        { " " }<code title={c.entry.digest.clone()}>{ cells::short_digest(&c.entry.digest) }</code>
                    </li>
                }
            });
            detail(
                "choose",
                html! {
                    <>
                        <p>{ format!("Row {number} is an index ({} entries, {}): take one of its \
                                      platforms, or nest the whole index as one entry.",
                                     choices.len(), facts.media_type) }</p>
                        <ul class="choices">
                            { for items }
                            <li>
                                <button type="button" class="secondary" data-action="nest"
                                    onclick={act(BuilderAction::Nest { id })}>
                                    { "Nest the whole index" }
                                </button>
                            </li>
                        </ul>
                    </>
                },
            )
        }
        Load::Ready { .. } if row.awaiting => {
            let others: Vec<String> = props.conflicts.iter().map(ToString::to_string).collect();
            let platform = row
                .entry()
                .map(|e| platform_label(e.platform.as_ref()))
                .unwrap_or_default();
            let first = props.conflicts.first().copied().unwrap_or(number);
            detail(
                "offer",
                html! {
                    <>
                        <p>{ format!("Row {number} is {platform}, as row {} is already. Clients \
                                      pull the first entry for a platform and never a second.",
                                     others.join(" and row ")) }</p>
                        <button type="button" data-action="replace"
                            onclick={act(BuilderAction::Replace { id })}>
                            { format!("Replace row {first}") }
                        </button>
                        { " " }
                        <button type="button" class="secondary" data-action="keep"
                            onclick={act(BuilderAction::KeepBoth { id })}>{ "Keep both" }</button>
                    </>
                },
            )
        }
        _ => html! {},
    }
}

/// The annotation fields of a ready row.
fn editor(props: &BuilderRowProps) -> Html {
    let row = &props.row;
    let id = row.id;
    let has_platform = row.base().is_some_and(|e| e.platform.is_some());

    let input = |field: Field| {
        let field_id = format!("row-{id}-{}", field.name().replace('.', "-"));
        let oninput = props
            .on_action
            .reform(move |e: InputEvent| BuilderAction::SetField {
                id,
                field,
                value: e.target_unchecked_into::<HtmlInputElement>().value(),
            });
        html! {
            <div class="field">
                <label for={field_id.clone()}>{ field.name() }</label>
                <input type="text" id={field_id} data-field={field.name()}
                    value={row.fields.get(field).to_owned()} {oninput} placeholder={field.example()}
                    disabled={!has_platform} autocomplete="off" spellcheck="false" />
            </div>
        }
    };

    let annotations_id = format!("row-{id}-annotations");
    let on_annotations = props
        .on_action
        .reform(move |e: InputEvent| BuilderAction::SetField {
            id,
            field: Field::Annotations,
            value: e.target_unchecked_into::<HtmlTextAreaElement>().value(),
        });
    let errors = row.fields.errors();

    html! {
        <div class="row-editor">
            <div class="fields inline">
                { for Field::ALL.into_iter().filter(|f| f.is_platform()).map(input) }
            </div>
            if !has_platform {
                <p class="note">{ "A nested index has no platform; only annotations apply." }</p>
            }
            <div class="field">
                <label for={annotations_id.clone()}>{ "annotations (one key=value a line)" }</label>
                <textarea id={annotations_id} data-field="annotations" rows="3" spellcheck="false"
                    value={row.fields.annotations.clone()} oninput={on_annotations}
                    placeholder={Field::Annotations.example()}
                    aria-invalid={(!errors.is_empty()).to_string()} />
            </div>
            if !errors.is_empty() {
                <ul class="field-errors" role="alert">
                    { for errors.iter().map(|e| html! { <li>{ e.to_string() }</li> }) }
                </ul>
            }
        </div>
    }
}
