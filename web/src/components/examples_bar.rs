//! The example buttons.

use std::rc::Rc;

use yew::prelude::*;

use crate::examples::EXAMPLES;
use crate::state::Action;

/// Where the examples go.
#[derive(Debug, Properties, PartialEq)]
pub struct ExamplesBarProps {
    /// Receives [`Action::LoadText`].
    pub on_action: Callback<Action>,
}

/// One button per example in [`EXAMPLES`].
#[component]
pub fn ExamplesBar(props: &ExamplesBarProps) -> Html {
    let buttons = EXAMPLES.iter().map(|example| {
        let on_action = props.on_action.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::LoadText(Rc::from(example.text)));
        });
        html! {
            <li>
                <button type="button" class="secondary" {onclick}
                    data-example={example.id}>
                    { example.label }
                </button>
            </li>
        }
    });

    html! {
        <nav class="examples" aria-label="Examples">
            <span class="examples-label">{ "Examples:" }</span>
            <ul>{ for buttons }</ul>
        </nav>
    }
}
