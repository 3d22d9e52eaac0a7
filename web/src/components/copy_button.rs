//! A button that copies a text to the clipboard and says whether it did.

use yew::prelude::*;

use crate::browser;

/// The life of one copy.
#[derive(Debug, Clone, PartialEq)]
enum CopyState {
    Idle,
    Copying,
    Copied,
    Failed(String),
}

/// What [`CopyButton`] copies.
#[derive(Debug, Properties, PartialEq)]
pub struct CopyButtonProps {
    /// The text to copy.
    pub text: AttrValue,
    /// What is copied, for the accessible name (`Copy digest`).
    pub what: AttrValue,
    /// The visible label; "Copy" by default.
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
}

/// Copies [`CopyButtonProps::text`].
#[component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let copy = use_state_eq(|| CopyState::Idle);

    let onclick = {
        let copy = copy.clone();
        let text = props.text.clone();
        Callback::from(move |_: MouseEvent| {
            copy.set(CopyState::Copying);
            let copy = copy.clone();
            let text = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match browser::copy_text(&text).await {
                    Ok(()) => copy.set(CopyState::Copied),
                    Err(e) => copy.set(CopyState::Failed(e.to_string())),
                }
            });
        })
    };

    let (label, title) = match &*copy {
        CopyState::Idle => (props.label.to_string(), None),
        CopyState::Copying => ("Copying…".to_owned(), None),
        CopyState::Copied => ("Copied".to_owned(), None),
        CopyState::Failed(why) => ("Not copied".to_owned(), Some(why.clone())),
    };

    html! {
        <button type="button" class="copy" {onclick} {title}
            aria-label={format!("{} ({label})", props.what)}>
            { label }
        </button>
    }
}
