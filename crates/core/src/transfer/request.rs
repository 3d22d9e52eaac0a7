//! The abstract HTTP exchange between a [`Transfer`](super::Transfer) and
//! whoever drives it.
//!
//! A [`Request`] names the registry it is for (`registry`, as
//! [`Reference::registry`](crate::reference::Reference::registry) gives it),
//! a method, a path with its query (always starting with `/v2/`), headers
//! and a [`Body`]. The driver turns it into a real request: to
//! `https://<api host><path_and_query>`, or through polyarch's proxy to
//! `/r/<registry><path_and_query>`; it adds credentials, answers a `401`
//! with the token flow of [`registry::token`](crate::registry::token) and
//! sends the same request again, and hands the final answer back as a
//! [`Response`] with every header it got.
//!
//! [`Body::BlobRange`] asks the driver for bytes the plan does not hold: a
//! slice of a local blob (a file the user chose) by digest, offset and
//! length. The driver reads just that slice, so memory stays flat.
//!
//! ```
//! use polyarch_core::transfer::{Response, upload_path};
//!
//! let answer = Response::new(202)
//!     .with_header("Location", "/r/127.0.0.1:5000/v2/app/blobs/uploads/3f?_state=x");
//! assert_eq!(answer.header("location"), Some("/r/127.0.0.1:5000/v2/app/blobs/uploads/3f?_state=x"));
//! assert_eq!(
//!     upload_path("http://127.0.0.1:5000/v2/app/blobs/uploads/3f?_state=x").as_deref(),
//!     Some("/v2/app/blobs/uploads/3f?_state=x"),
//! );
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

/// An HTTP method the plan uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`.
    Get,
    /// `HEAD`.
    Head,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
}

impl Method {
    /// The method as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum Body {
    /// Nothing (`Content-Length: 0` where the method has a body).
    None,
    /// These bytes.
    Bytes(Vec<u8>),
    /// `len` bytes of the local blob `digest`, from byte `start`.
    BlobRange {
        /// The blob's digest, `sha256:…`.
        digest: String,
        /// The first byte.
        start: u64,
        /// How many bytes.
        len: u64,
    },
}

impl Body {
    /// The number of bytes the body sends.
    pub fn len(&self) -> u64 {
        match self {
            Body::None => 0,
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::BlobRange { len, .. } => *len,
        }
    }

    /// Whether the body sends nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One request for the driver to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The registry, as in a reference (`docker.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// The method.
    pub method: Method,
    /// The path and query, from `/v2/` on.
    pub path_and_query: String,
    /// Headers, in order; names in their usual case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Request {
    pub(crate) fn new(registry: &str, method: Method, path_and_query: String) -> Self {
        Request {
            registry: registry.to_owned(),
            method,
            path_and_query,
            headers: Vec::new(),
            body: Body::None,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// `METHOD path`, for reports.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path_and_query)
    }
}

/// The answer to a [`Request`], as the driver got it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Every header received, in any case.
    pub headers: Vec<(String, String)>,
    /// The body; empty for `HEAD`.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `status`, no headers and no body.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            ..Response::default()
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The first header named `name`, compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header whose name starts with `prefix`, compared without case.
    pub(crate) fn headers_starting(&self, prefix: &str) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(k, _)| {
                k.len() >= prefix.len() && k[..prefix.len()].eq_ignore_ascii_case(prefix)
            })
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect()
    }
}

/// The path and query of an upload `Location`, from `/v2/` on.
///
/// A registry may answer an absolute URL (`http://host/v2/…`), a path, or,
/// through polyarch's proxy, a proxied path (`/r/<registry>/v2/…`); the
/// plan keeps only what the registry itself would read, and the driver
/// puts its own prefix back. `None` when there is no `/v2/` in it.
///
/// A registry that sends uploads to another host (a storage redirect) is
/// not followed: its `Location` would be read as a path on the registry.
/// Keeping the scheme and host in the plan, for the driver to use, would
/// fix that.
pub fn upload_path(location: &str) -> Option<String> {
    location.find("/v2/").map(|at| location[at..].to_owned())
}
