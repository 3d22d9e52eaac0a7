//! The proxy's own errors, answered in the registry error format.
//!
//! Every refusal or failure of the proxy itself becomes a status code and the
//! error envelope of the distribution specification (OCI distribution-spec
//! v1.1, "Error Codes"):
//!
//! ```json
//! {"errors":[{"code":"DENIED","message":"registry example.com is not allowed by this proxy"}]}
//! ```
//!
//! so that the page reads proxy and registry errors the same way. Codes are
//! the spec's where one fits (`DENIED`, `NAME_INVALID`, `SIZE_INVALID`,
//! `UNSUPPORTED`, `TOOMANYREQUESTS`) and distribution's `UNAVAILABLE` for an
//! upstream that cannot be reached. Messages say what was refused and why,
//! but never carry upstream internals: those are logged (without query
//! strings or credentials), not sent. Errors that the upstream registry itself
//! returns are not wrapped: their status and body pass through unchanged.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::address::AddressClass;
use crate::registry::RegistryError;

/// A request the proxy refuses or cannot complete.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The path is not `/r/{registry}/v2/...` or `/r/{registry}/token`.
    #[error("no such proxy route; use /r/{{registry}}/v2/... or /r/{{registry}}/token")]
    UnknownRoute,
    /// The `{registry}` segment is not a valid `host[:port]`.
    #[error(transparent)]
    InvalidRegistry(#[from] RegistryError),
    /// The registry is not on the allowlist.
    #[error("registry {registry} is not allowed by this proxy")]
    RegistryNotAllowed {
        /// The normalised registry name.
        registry: String,
    },
    /// The target (registry, redirect or token realm) is an address the proxy
    /// must not reach.
    #[error(
        "{host} is a {class} address, which this proxy does not reach unless --allow-private names it"
    )]
    AddressNotAllowed {
        /// The host as named in the URL.
        host: String,
        /// The class of the refused address.
        class: AddressClass,
    },
    /// A request from a page whose origin is not allowed.
    #[error("origin {origin} is not allowed by this proxy")]
    OriginNotAllowed {
        /// The `Origin` header as sent.
        origin: String,
    },
    /// An `OPTIONS` request that is not a CORS preflight.
    #[error("OPTIONS is answered only as a CORS preflight")]
    NotAPreflight,
    /// A method the registry API does not use.
    #[error("method {method} is not forwarded")]
    MethodNotAllowed {
        /// The refused method.
        method: String,
    },
    /// The path tries to leave `/v2/`.
    #[error("the forwarded path must stay under /v2/")]
    PathEscapes,
    /// The request headers are larger than the limit.
    #[error("request headers exceed the limit of {limit} bytes")]
    RequestHeadersTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A manifest pushed through the proxy is larger than the limit.
    #[error("manifest exceeds the limit of {limit} bytes")]
    ManifestTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A manifest pushed through the proxy broke off before its end.
    #[error("the manifest body broke off before its end")]
    ManifestBodyBroken,
    /// A manifest sent by the registry is larger than the limit.
    #[error("the registry sent a manifest larger than the limit of {limit} bytes")]
    UpstreamManifestTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The registry's response headers are larger than the limit.
    #[error("the registry sent response headers larger than the limit of {limit} bytes")]
    UpstreamHeadersTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The registry did not answer in time.
    #[error("the registry did not answer within {seconds} s")]
    UpstreamTimeout {
        /// The timeout that expired.
        seconds: u64,
    },
    /// The registry could not be reached or broke the connection.
    #[error("the registry at {host} could not be reached")]
    UpstreamUnreachable {
        /// The host the proxy tried.
        host: String,
        /// The cause, logged and never sent.
        #[source]
        source: reqwest::Error,
    },
    /// A redirect without a usable `Location`.
    #[error("the registry sent a redirect without a valid Location")]
    BadRedirect,
    /// More redirects than the limit.
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The limit.
        limit: usize,
    },
    /// A token request before the registry announced a Bearer realm.
    #[error("registry {registry} has not announced a Bearer token realm")]
    NoTokenRealm {
        /// The normalised registry name.
        registry: String,
    },
    /// Every request slot is taken.
    #[error("the proxy is busy; retry shortly")]
    Busy,
}

impl AppError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::UnknownRoute => StatusCode::NOT_FOUND,
            AppError::InvalidRegistry(_)
            | AppError::PathEscapes
            | AppError::NotAPreflight
            | AppError::ManifestBodyBroken => StatusCode::BAD_REQUEST,
            AppError::RegistryNotAllowed { .. }
            | AppError::AddressNotAllowed { .. }
            | AppError::OriginNotAllowed { .. } => StatusCode::FORBIDDEN,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::RequestHeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            AppError::ManifestTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UpstreamManifestTooLarge { .. }
            | AppError::UpstreamHeadersTooLarge { .. }
            | AppError::UpstreamUnreachable { .. }
            | AppError::BadRedirect
            | AppError::TooManyRedirects { .. }
            | AppError::NoTokenRealm { .. } => StatusCode::BAD_GATEWAY,
            AppError::UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The error code in the envelope.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::UnknownRoute
            | AppError::NotAPreflight
            | AppError::MethodNotAllowed { .. }
            | AppError::PathEscapes => "UNSUPPORTED",
            AppError::InvalidRegistry(_) => "NAME_INVALID",
            AppError::ManifestBodyBroken => "MANIFEST_INVALID",
            AppError::RegistryNotAllowed { .. }
            | AppError::AddressNotAllowed { .. }
            | AppError::OriginNotAllowed { .. } => "DENIED",
            AppError::RequestHeadersTooLarge { .. }
            | AppError::ManifestTooLarge { .. }
            | AppError::UpstreamManifestTooLarge { .. }
            | AppError::UpstreamHeadersTooLarge { .. } => "SIZE_INVALID",
            AppError::UpstreamTimeout { .. }
            | AppError::UpstreamUnreachable { .. }
            | AppError::BadRedirect
            | AppError::TooManyRedirects { .. }
            | AppError::NoTokenRealm { .. } => "UNAVAILABLE",
            AppError::Busy => "TOOMANYREQUESTS",
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    errors: [Entry<'a>; 1],
}

#[derive(Serialize)]
struct Entry<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let envelope = Envelope {
            errors: [Entry {
                code: self.code(),
                message: self.to_string(),
            }],
        };
        let mut response = (status, Json(envelope)).into_response();

        if matches!(self, AppError::Busy) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_status_and_code() {
        let table = [
            (AppError::UnknownRoute, StatusCode::NOT_FOUND, "UNSUPPORTED"),
            (
                AppError::RegistryNotAllowed {
                    registry: "example.com".into(),
                },
                StatusCode::FORBIDDEN,
                "DENIED",
            ),
            (
                AppError::AddressNotAllowed {
                    host: "127.0.0.1".into(),
                    class: AddressClass::Loopback,
                },
                StatusCode::FORBIDDEN,
                "DENIED",
            ),
            (
                AppError::ManifestTooLarge { limit: 4 },
                StatusCode::PAYLOAD_TOO_LARGE,
                "SIZE_INVALID",
            ),
            (
                AppError::UpstreamTimeout { seconds: 1 },
                StatusCode::GATEWAY_TIMEOUT,
                "UNAVAILABLE",
            ),
            (
                AppError::Busy,
                StatusCode::SERVICE_UNAVAILABLE,
                "TOOMANYREQUESTS",
            ),
        ];

        for (error, status, code) in table {
            assert_eq!((error.status(), error.code()), (status, code), "{error}");
        }
    }

    #[test]
    fn message_names_the_refused_address_class() {
        let error = AppError::AddressNotAllowed {
            host: "10.0.0.1".into(),
            class: AddressClass::Private,
        };

        assert_eq!(
            error.to_string(),
            "10.0.0.1 is a private address, which this proxy does not reach unless --allow-private names it"
        );
    }
}
