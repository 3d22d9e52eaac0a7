//! The Platforms table: one row per entry of an index or manifest list.
//!
//! Up to [`VIRTUALISE_ABOVE`] rows (after the filter) every row is drawn;
//! beyond that only the rows in view, between two spacer rows whose heights
//! stand for the rest. The spacers' heights are set through the CSSOM, which
//! a Content-Security-Policy without `'unsafe-inline'` allows, where a
//! `style` attribute would be refused.
//!
//! A 1,000-row table is drawn in one go, so each row is kept small: plain
//! cells with text built once per report ([`Row`]), no component and no
//! callback per row or cell (one click handler on the table reads the
//! button's `data-copy-row` or `data-show-row`), no `tabindex` until a row
//! is brought into view, and the rows' markup is kept between draws that
//! change only the copy status or the scroll position within the window.

use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlElement, HtmlInputElement, ScrollBehavior, ScrollIntoViewOptions,
    ScrollLogicalPosition,
};
use yew::prelude::*;

use yew::virtual_dom::VText;

use crate::browser;
use crate::cells;
use crate::rows::{self, ROW_HEIGHT, Row, VIRTUALISE_ABOVE};
use crate::state::{Action, Shared};

const COLUMNS: [&str; 11] = [
    "#",
    "OS",
    "Architecture",
    "Variant",
    "OS version",
    "OS features",
    "Features",
    "Media type",
    "Size",
    "Digest",
    "Role",
];

/// The life of copying one row's digest (one handler serves every row's
/// button, so that a large table has no component per row).
#[derive(Debug, Clone, PartialEq)]
enum RowCopy {
    Idle,
    Copying { row: usize },
    Copied { row: usize },
    Failed { row: usize, message: String },
}

/// The rows and what is highlighted.
#[derive(Debug, Properties, PartialEq)]
pub struct PlatformsTableProps {
    /// Every row of the index.
    pub rows: Shared<Vec<Row>>,
    /// The filter field.
    pub filter: AttrValue,
    /// The row that the platform question picked.
    pub pulled: Option<usize>,
    /// A request to bring a row into view: a counter, so that the same row
    /// can be asked for twice, and the row number.
    pub show: Option<(u64, usize)>,
    /// Receives filter changes.
    pub on_action: Callback<Action>,
    /// Asks for a row to be brought into view.
    pub on_show_row: Callback<usize>,
    /// Opens a row's manifest by digest: given when the index was fetched
    /// from a registry, so that its entries can be fetched from the same
    /// repository; each row with a digest then has an **Open** button.
    #[prop_or_default]
    pub on_open: Option<Callback<String>>,
}

/// The table, its filter and its scrolling window.
#[component]
pub fn PlatformsTable(props: &PlatformsTableProps) -> Html {
    let scroll_top = use_state_eq(|| 0.0_f64);
    let copy = use_state_eq(|| RowCopy::Idle);
    let viewport = use_state_eq(|| 600.0_f64);
    let scroller = use_node_ref();
    let top_spacer = use_node_ref();
    let bottom_spacer = use_node_ref();

    let visible = {
        let rows = props.rows.clone();
        use_memo((rows, props.filter.clone()), |(rows, filter)| {
            rows::filter(rows, filter)
        })
    };
    let virtual_mode = visible.len() > VIRTUALISE_ABOVE;
    let range = rows::window(visible.len(), *scroll_top, *viewport);

    {
        let (top, bottom) = (top_spacer.clone(), bottom_spacer.clone());
        let heights = if virtual_mode {
            (
                range.start as f64 * ROW_HEIGHT,
                (visible.len() - range.end) as f64 * ROW_HEIGHT,
            )
        } else {
            (0.0, 0.0)
        };
        use_effect_with((heights.0 as u64, heights.1 as u64), move |_| {
            for (node, px) in [(top, heights.0), (bottom, heights.1)] {
                if let Some(el) = node.cast::<HtmlElement>() {
                    let _ = el.style().set_property("height", &format!("{px}px"));
                }
            }
        });
    }

    {
        let scroller = scroller.clone();
        let visible = visible.clone();
        let scroll_top = scroll_top.clone();
        use_effect_with(props.show, move |show| {
            let Some((_, row)) = *show else {
                return;
            };
            let Some(position) = visible.iter().position(|&i| i == row) else {
                return;
            };
            if virtual_mode && let Some(el) = scroller.cast::<Element>() {
                let top = (position as f64 - 2.0).max(0.0) * ROW_HEIGHT;
                el.set_scroll_top(top as i32);
                scroll_top.set(top);
            }
            bring_into_view(row);
        });
    }

    let onscroll = {
        let scroll_top = scroll_top.clone();
        let viewport = viewport.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                scroll_top.set(f64::from(el.scroll_top()));
                viewport.set(f64::from(el.client_height()));
            }
        })
    };
    let onclick = {
        let copy = copy.clone();
        let rows = props.rows.clone();
        let on_show_row = props.on_show_row.clone();
        let on_open = props.on_open.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(button) = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|el| el.closest("button").ok().flatten())
            else {
                return;
            };
            if let Some(row) = row_attribute(&button, "data-show-row") {
                on_show_row.emit(row);
                return;
            }
            if let (Some(row), Some(on_open)) = (row_attribute(&button, "data-open-row"), &on_open)
            {
                if let Some(row) = rows.get(row).filter(|r| r.digest != cells::NONE) {
                    on_open.emit(row.digest.to_string());
                }
                return;
            }
            let Some(row) = row_attribute(&button, "data-copy-row") else {
                return;
            };
            let Some(digest) = rows.get(row).map(|r| r.digest.clone()) else {
                return;
            };
            copy.set(RowCopy::Copying { row });
            let copy = copy.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match browser::copy_text(&digest).await {
                    Ok(()) => copy.set(RowCopy::Copied { row }),
                    Err(e) => copy.set(RowCopy::Failed {
                        row,
                        message: e.to_string(),
                    }),
                }
            });
        })
    };
    let copy_status = match &*copy {
        RowCopy::Idle => String::new(),
        RowCopy::Copying { row } => format!("Copying the digest of row {row}…"),
        RowCopy::Copied { row } => format!("Copied the digest of row {row}."),
        RowCopy::Failed { row, message } => {
            format!("The digest of row {row} was not copied: {message}")
        }
    };
    let on_filter = props.on_action.reform(|e: InputEvent| {
        Action::Filter(e.target_unchecked_into::<HtmlInputElement>().value())
    });

    let total = props.rows.len();
    let count = if visible.len() == total {
        format!("{} rows", cells::grouped(total as u64))
    } else {
        format!(
            "{} of {} rows",
            cells::grouped(visible.len() as u64),
            cells::grouped(total as u64)
        )
    };
    let drawn = use_memo(
        (
            props.rows.clone(),
            visible.clone(),
            range.clone(),
            props.pulled,
            props.on_open.is_some(),
        ),
        |(rows, visible, range, pulled, openable)| {
            visible[range.clone()]
                .iter()
                .filter_map(|&i| rows.get(i))
                .map(|row| row_html(row, *pulled == Some(row.index), *openable))
                .collect::<Html>()
        },
    );

    html! {
        <section class="platforms" aria-labelledby="platforms-caption">
            <div class="table-tools">
                <div class="field">
                    <label for="platform-filter">{ "Filter rows" }</label>
                    <input id="platform-filter" type="search" value={props.filter.clone()}
                        oninput={on_filter} placeholder="arm64, windows, attestation…"
                        autocomplete="off" spellcheck="false" />
                </div>
                <p class="count" id="row-count" aria-live="polite">{ count }</p>
                <p class="count copy-status" role="status">{ copy_status }</p>
            </div>
            <div ref={scroller.clone()} id="platforms-scroll"
                class={classes!("table-scroll", virtual_mode.then_some("virtual"))}
                {onscroll} tabindex="0" aria-labelledby="platforms-caption">
                <table id="platforms" class="data platforms-table" {onclick}>
                    <caption id="platforms-caption">{ "Platforms" }</caption>
                    <thead>
                        <tr>{ for COLUMNS.iter().map(|c| html! { <th scope="col">{ *c }</th> }) }</tr>
                    </thead>
                    <tbody>
                        if virtual_mode {
                            <tr class="spacer" aria-hidden="true" ref={top_spacer.clone()}>
                                <td colspan="11"></td>
                            </tr>
                        }
                        { (*drawn).clone() }
                        if virtual_mode {
                            <tr class="spacer" aria-hidden="true" ref={bottom_spacer.clone()}>
                                <td colspan="11"></td>
                            </tr>
                        }
                    </tbody>
                </table>
                if visible.is_empty() {
                    <p class="note empty-table">
                        { if total == 0 { "The index lists no entries." } else { "No row matches the filter." } }
                    </p>
                }
            </div>
        </section>
    }
}

/// Scrolls row `row` into view and focuses it; rows take focus only from
/// here, so the row gets its `tabindex` now.
fn bring_into_view(row: usize) {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&rows::element_id(row)))
    else {
        return;
    };
    let options = ScrollIntoViewOptions::new();
    options.set_block(ScrollLogicalPosition::Nearest);
    options.set_behavior(ScrollBehavior::Auto);
    el.scroll_into_view_with_scroll_into_view_options(&options);
    if let Ok(el) = el.dyn_into::<HtmlElement>() {
        let _ = el.set_attribute("tabindex", "-1");
        let _ = el.focus();
    }
}

/// The row number in `button`'s attribute `name`.
fn row_attribute(button: &Element, name: &str) -> Option<usize> {
    button.get_attribute(name)?.parse().ok()
}

/// A platform cell; an absent value reads "none" to a screen reader, and
/// the style sheet greys it by that label.
fn cell(text: &AttrValue) -> Html {
    if text == cells::NONE {
        html! { <td aria-label="none">{ cells::NONE }</td> }
    } else {
        html! { <td>{ text }</td> }
    }
}

/// The media type's lines, with a line-break opportunity between them.
fn media_type_cell(lines: &[AttrValue]) -> Html {
    let mut nodes: Vec<Html> = Vec::with_capacity(lines.len() * 2);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            nodes.push(html! { <wbr /> });
        }
        nodes.push(VText::new(line.clone()).into());
    }
    html! { <td class="media-type">{ for nodes }</td> }
}

fn show_row_button(label: String, target: usize) -> Html {
    html! {
        <button type="button" class="link" data-show-row={target.to_string()}>{ label }</button>
    }
}

fn row_html(row: &Row, pulled: bool, openable: bool) -> Html {
    let class = if pulled {
        AttrValue::from(format!("{} pulled", row.class))
    } else {
        row.class.clone()
    };

    let platform = if row.has_platform {
        row.platform.iter().map(cell).collect::<Html>()
    } else {
        html! {
            <td colspan="6" class="no-platform-cell">
                { "no platform: a client reads it from the image config" }
            </td>
        }
    };
    let relation = match (row.attests_row, &row.attests_missing) {
        (Some(target), _) => Some(show_row_button(format!("attests row {target}"), target)),
        (None, Some(digest)) => Some(html! {
            <span class="dangling" title={digest.clone()}>
                { format!("attests {} (not in this index)", cells::short_digest(digest)) }
            </span>
        }),
        (None, None) => None,
    };
    let attested_by = row
        .attested_by
        .iter()
        .map(|&by| show_row_button(format!("attested by row {by}"), by));

    html! {
        <tr key={row.key.clone()} id={&row.id} {class} aria-current={pulled.then_some("true")}>
            <th scope="row">{ &row.number }</th>
            { platform }
            { media_type_cell(&row.media_type) }
            <td class="num size">{ &row.size }</td>
            <td class="digest-cell">
                <code title={&row.digest} class="short-digest">{ &row.short_digest }</code>
                if row.digest != cells::NONE {
                    <button type="button" class="copy" data-copy-row={row.number.clone()}
                        aria-label={format!("Copy the digest of row {}", row.index)}>
                        { "Copy" }
                    </button>
                    if openable {
                        <button type="button" class="open" data-open-row={row.number.clone()}
                            aria-label={format!("Open the manifest of row {}", row.index)}>
                            { "Open" }
                        </button>
                    }
                }
            </td>
            <td class="role">
                <span class="role-name">{ row.role }</span>
                if pulled {
                    <span class="badge">{ "pulled" }</span>
                }
                { for relation }
                { for attested_by }
            </td>
        </tr>
    }
}
