//! Code text that may wrap after `/` and `.` (media types), rather than
//! anywhere or nowhere. A plain function, not a component: tables call it
//! once per cell, thousands of times.

use yew::prelude::*;

/// `<code>` with a line-break opportunity after each `/` and `.`; `text` is
/// shown as text, never as markup.
pub fn breakable_code(text: &str, class: &'static str) -> Html {
    let parts = text
        .split_inclusive(['/', '.'])
        .map(|part| html! { <>{ part.to_owned() }<wbr /></> });
    html! { <code {class}>{ for parts }</code> }
}
