//! Code text that may wrap after `/` and `.` (media types, long values),
//! rather than anywhere or nowhere.

use yew::prelude::*;

/// The text to show.
#[derive(Debug, Properties, PartialEq)]
pub struct BreakableCodeProps {
    /// Shown as text, never as markup.
    pub text: AttrValue,
    /// Extra classes.
    #[prop_or_default]
    pub class: Classes,
}

/// `<code>` with a line-break opportunity after each `/` and `.`.
#[component]
pub fn BreakableCode(props: &BreakableCodeProps) -> Html {
    let parts = props.text.split_inclusive(['/', '.']).map(|part| {
        html! { <>{ part.to_owned() }<wbr /></> }
    });
    html! { <code class={props.class.clone()}>{ for parts }</code> }
}
