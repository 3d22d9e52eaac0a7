//! The page's state, started from the URL fragment and the stored
//! document (see [`crate::persist`] for which wins).

use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::persist::Stored;
use crate::state::{Action, AppState};

/// The reducer that holds [`AppState`], restored from the last visit.
#[hook]
pub fn use_app_state() -> UseReducerHandle<AppState> {
    use_reducer_eq(restore)
}

fn restore() -> AppState {
    let fragment = browser::read_fragment();
    let state = Rc::new(AppState {
        content_type: fragment.content_type.clone(),
        expected_digest: fragment.expected_digest.clone(),
        query: fragment.query.clone(),
        ..AppState::default()
    });

    let action = match (fragment.doc, browser::load_stored()) {
        (Some(text), _) | (None, Stored::Text(text)) => Some(Action::LoadText(Rc::from(text))),
        (None, Stored::File(name, bytes)) => Some(Action::FileLoaded {
            name,
            bytes: Rc::from(bytes),
        }),
        (None, Stored::Nothing) => None,
    };
    let state = match action {
        Some(action) => state.reduce(action),
        None => state,
    };
    (*state).clone()
}
