//! Why a transfer stopped, and the rate-limit figures of a `429`.
//!
//! A [`Failure`] names the step (`"copy blob sha256:…"`), the request that
//! got the answer (`"PUT /v2/app/manifests/v1"`) and the [`Problem`]. A
//! registry's refusal keeps the status and every error of its envelope
//! (distribution-spec, "Error Codes"), so the report reads as
//! `registry answered 400: MANIFEST_BLOB_UNKNOWN: blob unknown to registry`.

use std::fmt;

use serde::Serialize;

use crate::inspect::Kind;
use crate::registry::error::{RegistryError, parse_envelope};

use super::request::Response;

/// The rate-limit figures a registry sent with a `429`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// `Retry-After` in seconds, when it was a number.
    pub retry_after: Option<u64>,
    /// Every `RateLimit-*` header (and `RateLimit` itself), names in lower
    /// case, values as sent (`100;w=21600`).
    pub headers: Vec<(String, String)>,
}

impl RateLimit {
    /// Reads the figures from a response.
    pub fn from_response(response: &Response) -> Self {
        RateLimit {
            retry_after: response
                .header("retry-after")
                .and_then(|v| v.trim().parse().ok()),
            headers: response.headers_starting("ratelimit"),
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "problem",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Problem {
    /// The registry answered a status the step does not expect.
    Status {
        /// The status.
        status: u16,
        /// The errors of its envelope; empty when the body was not one.
        errors: Vec<RegistryError>,
    },
    /// Still `429` after the allowed number of waits.
    RateLimited {
        /// How many `429`s in a row.
        attempts: u32,
        /// The figures of the last one.
        rate_limit: RateLimit,
    },
    /// An upload answer without a usable `Location`.
    MissingLocation,
    /// Bytes that do not hash to the digest they were asked for by.
    DigestMismatch {
        /// The digest asked for.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// A ranged read that returned another number of bytes.
    ShortRead {
        /// The bytes asked for.
        expected: u64,
        /// The bytes received.
        received: u64,
    },
    /// A document that is neither an image manifest nor an index.
    UnsupportedDocument {
        /// What it is.
        kind: Kind,
    },
    /// A descriptor whose digest is not one.
    InvalidDescriptor {
        /// The digest as written.
        digest: String,
    },
    /// The tag read back is not the document pushed.
    VerifyMismatch {
        /// The tag.
        tag: String,
        /// The digest pushed.
        expected: String,
        /// `Docker-Content-Digest`, as sent; `None` when absent.
        header: Option<String>,
        /// The digest of the bytes read back.
        body: String,
    },
}

impl Problem {
    /// A refusal: the status and the errors of the body's envelope.
    pub fn from_status(response: &Response) -> Self {
        Problem::Status {
            status: response.status,
            errors: parse_envelope(&response.body)
                .map(|envelope| envelope.errors)
                .unwrap_or_default(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Status { status, errors } if errors.is_empty() => {
                write!(f, "registry answered {status}")
            }
            Problem::Status { status, errors } => {
                let summary: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "registry answered {status}: {}", summary.join("; "))
            }
            Problem::RateLimited {
                attempts,
                rate_limit,
            } => {
                write!(f, "rate limited {attempts} times in a row")?;
                for (name, value) in &rate_limit.headers {
                    write!(f, "; {name}: {value}")?;
                }
                Ok(())
            }
            Problem::MissingLocation => f.write_str("the upload answer has no location"),
            Problem::DigestMismatch { expected, actual } => {
                write!(f, "expected content {expected}, received {actual}")
            }
            Problem::ShortRead { expected, received } => {
                write!(f, "asked for {expected} bytes, received {received}")
            }
            Problem::UnsupportedDocument { kind } => write!(
                f,
                "expected an image manifest or an index, found {}",
                kind.as_str()
            ),
            Problem::InvalidDescriptor { digest } => {
                write!(f, "a descriptor's digest is not a digest: {digest:?}")
            }
            Problem::VerifyMismatch {
                tag,
                expected,
                header,
                body,
            } => write!(
                f,
                "tag {tag} reads back as {body} (header {}), expected {expected}",
                header.as_deref().unwrap_or("absent")
            ),
        }
    }
}

/// A stopped transfer: where, with which request, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// The step, as [`Progress::step`](super::Progress::step) named it.
    pub step: String,
    /// The request answered, `METHOD path`.
    pub request: String,
    /// What went wrong.
    pub problem: Problem,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.step, self.request, self.problem)
    }
}

impl std::error::Error for Failure {}
