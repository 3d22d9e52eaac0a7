//! One HTTP exchange with the browser's `fetch`, in the core's terms: a
//! method, a URL, headers and bytes in; a
//! [`Response`](polyarch_core::transfer::Response) out, with every header
//! the proxy exposes.
//!
//! Requests are sent with `credentials: "omit"` (no cookies; registry
//! credentials travel only in `Authorization`), `cache: "no-store"`, and
//! `redirect: "follow"` (the proxy follows registry redirects itself). The
//! headers a browser sets on its own (`Content-Length`, `Host`) are left
//! to it. An [`AbortSignal`] given with a request ends it, and the reading
//! of its answer, at once when it fires: [`NetError::Aborted`].

use std::fmt;

use polyarch_core::transfer::{Method, Response};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestCache, RequestCredentials, RequestInit, RequestMode};

/// Why no answer came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// The page is not in a browser window.
    NoWindow,
    /// The browser refused to build the request (a bad URL or header).
    BadRequest {
        /// The browser's words.
        message: String,
    },
    /// The request failed without an answer: the proxy is unreachable, or
    /// its CORS answer did not allow the page.
    Unreachable {
        /// The URL.
        url: String,
        /// The browser's words.
        message: String,
    },
    /// The answer's body could not be read.
    Body {
        /// The browser's words.
        message: String,
    },
    /// The request was called off through its signal.
    Aborted,
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::NoWindow => f.write_str("no browser window"),
            NetError::BadRequest { message } => write!(f, "the request cannot be sent: {message}"),
            NetError::Unreachable { url, message } => write!(
                f,
                "no answer from {url} ({message}); is the polyarch proxy running, and does it \
                 allow this page's origin?"
            ),
            NetError::Body { message } => write!(f, "the answer could not be read: {message}"),
            NetError::Aborted => f.write_str("the request was called off"),
        }
    }
}

impl std::error::Error for NetError {}

fn words(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "no reason given".to_owned())
}

/// Headers the browser sets itself and refuses from a page.
fn browser_owned(name: &str) -> bool {
    ["content-length", "host", "connection", "accept-encoding"]
        .iter()
        .any(|owned| name.eq_ignore_ascii_case(owned))
}

/// Whether a failed `fetch` or body read was the work of `signal`.
fn aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(AbortSignal::aborted)
}

/// Sends one request and reads the whole answer; `signal`, when given, can
/// call both off.
pub async fn send(
    method: Method,
    url: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
    signal: Option<&AbortSignal>,
) -> Result<Response, NetError> {
    if aborted(signal) {
        return Err(NetError::Aborted);
    }
    let window = web_sys::window().ok_or(NetError::NoWindow)?;
    let bad = |value: JsValue| NetError::BadRequest {
        message: words(&value),
    };

    let sent_headers = Headers::new().map_err(bad)?;
    for (name, value) in headers.iter().filter(|(n, _)| !browser_owned(n)) {
        sent_headers.append(name, value).map_err(bad)?;
    }
    let init = RequestInit::new();
    init.set_method(method.as_str());
    init.set_headers(&sent_headers);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    if let Some(signal) = signal {
        init.set_signal(Some(signal));
    }
    if let Some(body) = body.filter(|_| !matches!(method, Method::Get | Method::Head)) {
        init.set_body(&js_sys::Uint8Array::from(body).into());
    }

    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| match aborted(signal) {
            true => NetError::Aborted,
            false => NetError::Unreachable {
                url: url.to_owned(),
                message: words(&e),
            },
        })?;
    let answer: web_sys::Response = answer
        .dyn_into()
        .map_err(|e| NetError::Body { message: words(&e) })?;

    let mut response = Response::new(answer.status());
    if let Ok(Some(entries)) = js_sys::try_iter(&answer.headers()) {
        for entry in entries.flatten() {
            let pair = js_sys::Array::from(&entry);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                response.headers.push((name, value));
            }
        }
    }
    if method != Method::Head {
        let buffer = answer
            .array_buffer()
            .map_err(|e| NetError::Body { message: words(&e) })?;
        let buffer = JsFuture::from(buffer)
            .await
            .map_err(|e| match aborted(signal) {
                true => NetError::Aborted,
                false => NetError::Body { message: words(&e) },
            })?;
        response.body = js_sys::Uint8Array::new(&buffer).to_vec();
    }
    Ok(response)
}
