//! The registry error envelope (distribution-spec, "Error Codes"):
//!
//! ```json
//! { "errors": [ { "code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": {…} } ] }
//! ```
//!
//! `code` is one of the spec's codes (code-1 to code-15) or one that
//! distribution adds (`MANIFEST_UNVERIFIED`, `TAG_INVALID`, `RANGE_INVALID`,
//! `PAGINATION_NUMBER_INVALID`, `QUERY_PARAMETER_INVALID`, `UNAVAILABLE`,
//! `UNKNOWN`); any other string is kept in [`ErrorCode::Other`]. `message`
//! is optional and may be empty; `detail` is arbitrary JSON, kept as the
//! exact text the registry sent.
//!
//! A `4xx` body "MAY be in any format", so [`parse_envelope`] answers
//! `None` for anything that is not an envelope (HTML, an empty body, a
//! Quay-style `{"error": …}`) rather than failing.
//!
//! ```
//! use polyarch_core::registry::error::{parse_envelope, ErrorCode};
//!
//! let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v9"}}]}"#;
//! let envelope = parse_envelope(body).unwrap();
//! assert_eq!(envelope.errors[0].code, ErrorCode::ManifestUnknown);
//! assert_eq!(envelope.errors[0].detail.as_deref(), Some(r#"{"Tag":"v9"}"#));
//! assert_eq!(envelope.summary(), "MANIFEST_UNKNOWN: manifest unknown");
//! ```

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// A registry error code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `BLOB_UNKNOWN` (code-1): blob unknown to registry.
    BlobUnknown,
    /// `BLOB_UPLOAD_INVALID` (code-2): blob upload invalid.
    BlobUploadInvalid,
    /// `BLOB_UPLOAD_UNKNOWN` (code-3): blob upload unknown to registry.
    BlobUploadUnknown,
    /// `DIGEST_INVALID` (code-4): provided digest did not match uploaded
    /// content.
    DigestInvalid,
    /// `MANIFEST_BLOB_UNKNOWN` (code-5): a manifest references a blob the
    /// registry does not have.
    ManifestBlobUnknown,
    /// `MANIFEST_INVALID` (code-6): manifest invalid.
    ManifestInvalid,
    /// `MANIFEST_UNKNOWN` (code-7): manifest unknown.
    ManifestUnknown,
    /// `NAME_INVALID` (code-8): invalid repository name.
    NameInvalid,
    /// `NAME_UNKNOWN` (code-9): repository name not known to registry.
    NameUnknown,
    /// `SIZE_INVALID` (code-10): provided length did not match content
    /// length.
    SizeInvalid,
    /// `UNAUTHORIZED` (code-12): authentication required.
    Unauthorized,
    /// `DENIED` (code-13): requested access to the resource is denied.
    Denied,
    /// `UNSUPPORTED` (code-14): the operation is unsupported.
    Unsupported,
    /// `TOOMANYREQUESTS` (code-15): too many requests.
    TooManyRequests,
    /// `MANIFEST_UNVERIFIED` (distribution): manifest failed signature
    /// verification.
    ManifestUnverified,
    /// `TAG_INVALID` (distribution): manifest tag did not match URI.
    TagInvalid,
    /// `RANGE_INVALID` (distribution): invalid content range.
    RangeInvalid,
    /// `PAGINATION_NUMBER_INVALID` (distribution): invalid number of
    /// results requested.
    PaginationNumberInvalid,
    /// `QUERY_PARAMETER_INVALID` (distribution): invalid query parameter
    /// value.
    QueryParameterInvalid,
    /// `UNAVAILABLE` (distribution): service unavailable.
    Unavailable,
    /// `UNKNOWN` (distribution): unknown error; also what an error without
    /// a `code` reads as.
    Unknown,
    /// Any other code, as written.
    Other(String),
}

const CODES: [(ErrorCode, &str, &str); 21] = [
    (
        ErrorCode::BlobUnknown,
        "BLOB_UNKNOWN",
        "blob unknown to registry",
    ),
    (
        ErrorCode::BlobUploadInvalid,
        "BLOB_UPLOAD_INVALID",
        "blob upload invalid",
    ),
    (
        ErrorCode::BlobUploadUnknown,
        "BLOB_UPLOAD_UNKNOWN",
        "blob upload unknown to registry",
    ),
    (
        ErrorCode::DigestInvalid,
        "DIGEST_INVALID",
        "provided digest did not match uploaded content",
    ),
    (
        ErrorCode::ManifestBlobUnknown,
        "MANIFEST_BLOB_UNKNOWN",
        "manifest references a blob unknown to registry",
    ),
    (
        ErrorCode::ManifestInvalid,
        "MANIFEST_INVALID",
        "manifest invalid",
    ),
    (
        ErrorCode::ManifestUnknown,
        "MANIFEST_UNKNOWN",
        "manifest unknown",
    ),
    (
        ErrorCode::NameInvalid,
        "NAME_INVALID",
        "invalid repository name",
    ),
    (
        ErrorCode::NameUnknown,
        "NAME_UNKNOWN",
        "repository name not known to registry",
    ),
    (
        ErrorCode::SizeInvalid,
        "SIZE_INVALID",
        "provided length did not match content length",
    ),
    (
        ErrorCode::Unauthorized,
        "UNAUTHORIZED",
        "authentication required",
    ),
    (
        ErrorCode::Denied,
        "DENIED",
        "requested access to the resource is denied",
    ),
    (
        ErrorCode::Unsupported,
        "UNSUPPORTED",
        "the operation is unsupported",
    ),
    (
        ErrorCode::TooManyRequests,
        "TOOMANYREQUESTS",
        "too many requests",
    ),
    (
        ErrorCode::ManifestUnverified,
        "MANIFEST_UNVERIFIED",
        "manifest failed signature verification",
    ),
    (
        ErrorCode::TagInvalid,
        "TAG_INVALID",
        "manifest tag did not match URI",
    ),
    (
        ErrorCode::RangeInvalid,
        "RANGE_INVALID",
        "invalid content range",
    ),
    (
        ErrorCode::PaginationNumberInvalid,
        "PAGINATION_NUMBER_INVALID",
        "invalid number of results requested",
    ),
    (
        ErrorCode::QueryParameterInvalid,
        "QUERY_PARAMETER_INVALID",
        "invalid query parameter value",
    ),
    (ErrorCode::Unavailable, "UNAVAILABLE", "service unavailable"),
    (ErrorCode::Unknown, "UNKNOWN", "unknown error"),
];

impl ErrorCode {
    /// Reads a code; registries write them in upper case, but one in
    /// another case is still recognised.
    pub fn parse(code: &str) -> Self {
        CODES
            .iter()
            .find(|(_, name, _)| name.eq_ignore_ascii_case(code))
            .map_or_else(|| ErrorCode::Other(code.to_owned()), |(c, _, _)| c.clone())
    }

    /// The code as registries write it.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Other(code) => code,
            known => CODES
                .iter()
                .find(|(c, _, _)| c == known)
                .map_or("UNKNOWN", |(_, name, _)| name),
        }
    }

    /// A short description, after the spec's table; `None` for
    /// [`ErrorCode::Other`].
    pub fn description(&self) -> Option<&'static str> {
        CODES
            .iter()
            .find(|(c, _, _)| c == self)
            .map(|(_, _, description)| *description)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One error of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryError {
    /// The code; [`ErrorCode::Unknown`] when the registry sent none.
    pub code: ErrorCode,
    /// The message; empty when the registry sent none.
    pub message: String,
    /// `detail`, as the exact JSON text the registry sent.
    pub detail: Option<String>,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match (self.message.is_empty(), self.code.description()) {
            (false, _) => self.message.as_str(),
            (true, Some(description)) => description,
            (true, None) => "no message",
        };
        write!(f, "{}: {message}", self.code)
    }
}

/// A parsed error envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEnvelope {
    /// The errors, in order.
    pub errors: Vec<RegistryError>,
}

impl ErrorEnvelope {
    /// One line for a person: each error as `CODE: message` (the spec's
    /// description when the message is empty), joined by `; `.
    pub fn summary(&self) -> String {
        self.errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether any error has `code`.
    pub fn has(&self, code: &ErrorCode) -> bool {
        self.errors.iter().any(|e| e.code == *code)
    }
}

#[derive(Deserialize)]
struct WireEnvelope<'a> {
    #[serde(borrow)]
    errors: Vec<WireError<'a>>,
}

#[derive(Deserialize)]
struct WireError<'a> {
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default, borrow)]
    detail: Option<&'a RawValue>,
}

/// Reads an error envelope; `None` when `body` is not one.
///
/// Lenient where registries differ: a code or message that is not a string
/// is kept as its JSON text, and a `null` detail counts as none.
pub fn parse_envelope(body: &[u8]) -> Option<ErrorEnvelope> {
    let wire: WireEnvelope<'_> = serde_json::from_slice(body).ok()?;

    let errors = wire
        .errors
        .into_iter()
        .map(|e| RegistryError {
            code: match e.code {
                None | Some(Value::Null) => ErrorCode::Unknown,
                Some(Value::String(code)) => ErrorCode::parse(&code),
                Some(other) => ErrorCode::Other(other.to_string()),
            },
            message: match e.message {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(message)) => message,
                Some(other) => other.to_string(),
            },
            detail: e
                .detail
                .map(|raw| raw.get().to_owned())
                .filter(|raw| raw != "null"),
        })
        .collect();
    Some(ErrorEnvelope { errors })
}
