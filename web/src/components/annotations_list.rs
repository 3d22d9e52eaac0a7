//! Annotations as a list of keys and values, written as text.

use polyarch_core::descriptor::Annotations;
use yew::prelude::*;

/// The annotations to list.
#[derive(Debug, Properties, PartialEq)]
pub struct AnnotationsListProps {
    /// In document order.
    pub annotations: Annotations,
}

/// `key = value` lines; nothing when there are none.
#[component]
pub fn AnnotationsList(props: &AnnotationsListProps) -> Html {
    if props.annotations.is_empty() {
        return html! {};
    }
    let items = props.annotations.iter().map(|(k, v)| {
        html! {
            <div class="annotation">
                <dt><code>{ k }</code></dt>
                <dd><code>{ if v.is_empty() { "\"\"" } else { v } }</code></dd>
            </div>
        }
    });
    html! { <dl class="annotations">{ for items }</dl> }
}
