//! Inspection off the input handler.
//!
//! Typing only raises the state's revision; the text area's text is read
//! and inspected when typing pauses ([`TYPING_PAUSE_MS`], longer for large
//! texts), in a timer callback, so that a keystroke never waits for a
//! 4 MiB document to be hashed and checked. Any other change (an example, a
//! file, a restored document) is inspected in the next turn of the event
//! loop. A newer change cancels the pending timer; a report for an older
//! revision is dropped by the reducer.
//!
//! Inspection itself runs in a Web Worker ([`crate::inspector`]), so
//! that a 4 MiB index never holds the page; where the worker cannot run,
//! it runs here, in the timer callback.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::inspector::Inspector;
use crate::state::AppState;

/// How long typing must pause before inspection, in milliseconds.
pub const TYPING_PAUSE_MS: u32 = 150;

/// The pause for documents above 256 KiB, whose inspection takes longer.
pub const LARGE_TYPING_PAUSE_MS: u32 = 400;

const LARGE: usize = 256 * 1024;

/// Inspects the document of `state` whenever its revision changes; the
/// text area is `editor`.
#[hook]
pub fn use_inspection(state: &UseReducerHandle<AppState>, editor: &NodeRef) {
    let inspector = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| Inspector::new(dispatcher))
    };
    let editor = editor.clone();
    let revision = state.revision;
    let dirty = state.editor_dirty;
    let source = state.source.clone();
    let options = state.inspect_options();
    let delay = match (state.debounce, source.bytes().len() > LARGE) {
        (false, _) => 0,
        (true, false) => TYPING_PAUSE_MS,
        (true, true) => LARGE_TYPING_PAUSE_MS,
    };

    use_effect_with(revision, move |_| {
        let timer = Timeout::new(delay, move || {
            let text: Option<Rc<str>> = if dirty {
                editor
                    .cast::<HtmlTextAreaElement>()
                    .map(|area| Rc::from(area.value()))
            } else {
                None
            };
            let bytes: Rc<[u8]> = match &text {
                Some(text) => Rc::from(text.as_bytes()),
                None => Rc::from(source.bytes()),
            };
            inspector.inspect(revision, text, bytes, options);
        });
        move || drop(timer)
    });
}
