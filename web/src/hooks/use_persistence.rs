//! Keeps the document and the fields across reloads and in the URL
//! ([`crate::persist`] says what goes where).

use yew::prelude::*;

use crate::browser::{self, BrowserError};
use crate::persist::Fragment;
use crate::state::{AppState, Inspection};

/// Stores the document after each inspection and writes the fields into the
/// URL fragment as they change. Returns why the document could not be
/// stored, when it could not.
#[hook]
pub fn use_persistence(state: &AppState) -> Option<BrowserError> {
    let failure = use_state_eq(|| None::<BrowserError>);

    let stored_revision = match state.inspection {
        Inspection::Loading => None,
        Inspection::Idle | Inspection::Loaded { .. } => Some(state.revision),
    };
    {
        let failure = failure.clone();
        let source = state.source.clone();
        use_effect_with(stored_revision, move |revision| {
            if revision.is_some() {
                failure.set(browser::store(&source).err());
            }
        });
    }

    let fragment = Fragment::of(state);
    use_effect_with(fragment, |fragment| {
        let _ = browser::write_fragment(fragment);
    });

    (*failure).clone()
}
