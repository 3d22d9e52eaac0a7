//! Talking to registries from the page, always through a polyarch proxy.
//!
//! - [`endpoint`]: the proxy setting and proxied URLs (pure).
//! - [`auth`]: credentials and what to do with a `401` (pure).
//! - [`checks`]: a fetched manifest's headers against its bytes (pure).
//! - [`remember`]: credentials kept for the tab when the user asks.
//! - [`http`]: one `fetch`, in the core's request and response terms.
//! - [`client`]: fetches manifests and blobs, answering `401`s.
//! - [`driver`]: runs a core transfer (push, import) through the client.
//!
//! The pure modules are tested natively; the others are exercised by the
//! browser tests against a real registry and proxy.

pub mod auth;
pub mod checks;
pub mod client;
pub mod driver;
pub mod endpoint;
pub mod http;
pub mod remember;

pub use auth::Credential;
pub use client::{Client, ClientError, Fetched, SharedSession};

use std::rc::Rc;

/// What every registry component shares: the tab's [`client::Session`]
/// and the proxy setting. Equal when both are the same.
#[derive(Clone)]
pub struct Connection {
    /// Credentials and accepted `Authorization`s.
    pub session: SharedSession,
    /// The proxy setting as typed; empty for the page's own server.
    pub proxy: Rc<str>,
}

impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session) && self.proxy == other.proxy
    }
}

impl Connection {
    /// A client for the proxy setting, resolved against the page's origin.
    pub fn client(&self) -> Result<Client, endpoint::ProxyError> {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let base = endpoint::proxy_base(&self.proxy, &origin)?;
        Ok(Client::new(base, Rc::clone(&self.session)))
    }
}
