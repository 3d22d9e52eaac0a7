//! The few browser services the page uses, each behind a small function:
//! the clock, local storage, the URL fragment, the clipboard, downloads and
//! reading files. None of them panics; where the browser refuses, the
//! caller gets an error with the browser's words.

use std::fmt;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Storage, Url};

use crate::persist::{self, Fragment, Stored};
use crate::state::Source;

/// A refusal by the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// The page has no window or document (it is not in a browser).
    NoWindow,
    /// A browser call failed; the browser's message.
    Refused {
        /// What was being done, in a few words.
        doing: &'static str,
        /// The browser's message.
        message: String,
    },
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrowserError::NoWindow => f.write_str("no browser window"),
            BrowserError::Refused { doing, message } => write!(f, "{doing}: {message}"),
        }
    }
}

fn refused(doing: &'static str) -> impl Fn(JsValue) -> BrowserError {
    move |value| BrowserError::Refused {
        doing,
        message: value
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| value.as_string())
            .unwrap_or_else(|| "no reason given".to_owned()),
    }
}

fn window() -> Result<web_sys::Window, BrowserError> {
    web_sys::window().ok_or(BrowserError::NoWindow)
}

/// Milliseconds from a fixed point, for measuring.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn storage() -> Option<Storage> {
    window().ok()?.local_storage().ok().flatten()
}

/// The document kept by the last visit.
pub fn load_stored() -> Stored {
    let Some(storage) = storage() else {
        return Stored::Nothing;
    };
    persist::read_stored(|key| storage.get_item(key).ok().flatten())
}

/// Keeps `source` for the next visit.
pub fn store(source: &Source) -> Result<(), BrowserError> {
    let storage = storage().ok_or(BrowserError::NoWindow)?;
    let (set, remove) = persist::storage_entries(source);
    for key in remove {
        storage
            .remove_item(key)
            .map_err(refused("clearing storage"))?;
    }
    for (key, value) in set {
        if let Err(e) = storage.set_item(key, &value) {
            for (key, _) in persist::storage_entries(source).0 {
                let _ = storage.remove_item(key);
            }
            return Err(refused("storing the document")(e));
        }
    }
    Ok(())
}

/// A small setting kept for the next visit (`polyarch.setting.<name>`):
/// the reference typed, the proxy. Never a credential.
pub fn load_setting(name: &str) -> Option<String> {
    storage()?
        .get_item(&format!("polyarch.setting.{name}"))
        .ok()
        .flatten()
}

/// Keeps a small setting for the next visit; a refusal only loses it.
pub fn store_setting(name: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&format!("polyarch.setting.{name}"), value);
    }
}

/// The URL's fragment, decoded.
pub fn read_fragment() -> Fragment {
    let hash = window()
        .ok()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Fragment::decode(&hash)
}

/// Replaces the URL's fragment without adding to the history.
pub fn write_fragment(fragment: &Fragment) -> Result<(), BrowserError> {
    let window = window()?;
    let encoded = fragment.encode();
    let current = window.location().hash().unwrap_or_default();
    if current.trim_start_matches('#') == encoded {
        return Ok(());
    }
    let url = if encoded.is_empty() {
        let href = window
            .location()
            .href()
            .map_err(refused("reading the URL"))?;
        href.split('#').next().unwrap_or_default().to_owned()
    } else {
        format!("#{encoded}")
    };
    let history = window.history().map_err(refused("reading the history"))?;
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&url))
        .map_err(refused("updating the URL"))
}

/// Copies `text` to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), BrowserError> {
    let clipboard = window()?.navigator().clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(refused("copying"))
}

/// Offers `bytes` as a download named `name`.
pub fn download(bytes: &[u8], name: &str, media_type: &str) -> Result<(), BrowserError> {
    let window = window()?;
    let document = window.document().ok_or(BrowserError::NoWindow)?;

    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(refused("making the download"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(refused("making the download"))?;

    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(refused("making the download"))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();

    // Some browsers read the object URL after `click` returns: let it live a
    // little before it is revoked.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The exact bytes of `file`.
pub async fn read_file(file: &File) -> Result<Vec<u8>, BrowserError> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(refused("reading the file"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
