//! Bearer tokens: scopes, the token request URL and the token response, as
//! the Docker registry token authentication spec describes them (the flow
//! every public registry uses, anonymous pulls included).
//!
//! # Request
//!
//! A `401` carries `WWW-Authenticate: Bearer realm="…",service="…"` (and
//! often `scope="…"`). The client asks the realm for a token with a `GET`:
//!
//! ```text
//! <realm>?service=<service>&scope=<scope>&scope=<scope>…
//! ```
//!
//! `service` is sent only when the challenge has one. Each scope is its own
//! `scope=` parameter; a scope is `<type>:<name>:<action>[,<action>…]`, e.g.
//! `repository:myorg/app:pull,push` or `registry:catalog:*`. Values are
//! percent-encoded. A realm that already has a query keeps it.
//!
//! # Response
//!
//! A JSON object with the token under `token` or, for OAuth 2
//! compatibility, `access_token`; either alone or both (then `token` is
//! used: the spec calls a client's choice between unequal values
//! undefined). `expires_in` is the lifetime in seconds (60 when absent, and
//! never taken as less than 60, as the spec asks of servers and Docker's
//! client enforces); `issued_at` is an RFC 3339 time, kept as written;
//! `refresh_token` is kept when present.
//!
//! ```
//! use polyarch_core::registry::token;
//!
//! let response = token::parse_response(br#"{"access_token":"abc","expires_in":300}"#).unwrap();
//! assert_eq!(response.token, "abc");
//! assert_eq!(response.lifetime_secs(), 300);
//! ```

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::challenge::Challenge;
use super::paths::push_query;

/// The lifetime assumed when a response has no `expires_in`, and the
/// least one honoured.
pub const MIN_LIFETIME_SECS: u64 = 60;

/// An access scope: `<type>:<name>:<actions>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// `repository` or `registry`.
    pub resource_type: String,
    /// The repository (`library/bash`) or `catalog`.
    pub name: String,
    /// `pull`, `push`, `delete` or `*`.
    pub actions: Vec<String>,
}

impl Scope {
    /// `repository:<name>:<actions>`.
    pub fn repository(name: &str, actions: &[&str]) -> Self {
        Scope {
            resource_type: "repository".to_owned(),
            name: name.to_owned(),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// `repository:<name>:pull`.
    pub fn pull(name: &str) -> Self {
        Scope::repository(name, &["pull"])
    }

    /// `repository:<name>:pull,push`: what pushing needs, pull included for
    /// the existence checks and blob mounts that come before.
    pub fn push(name: &str) -> Self {
        Scope::repository(name, &["pull", "push"])
    }

    /// `registry:catalog:*`.
    pub fn catalog() -> Self {
        Scope {
            resource_type: "registry".to_owned(),
            name: "catalog".to_owned(),
            actions: vec!["*".to_owned()],
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.resource_type,
            self.name,
            self.actions.join(",")
        )
    }
}

/// The parts of a `Bearer` challenge that a token request needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BearerChallenge {
    /// The token server's URL.
    pub realm: String,
    /// The `service` to name in the request, when the registry gave one.
    pub service: Option<String>,
    /// The `scope` the registry asked for, as written (space-separated
    /// scopes when it asked for several).
    pub scope: Option<String>,
}

/// Why no token request can be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BearerError {
    /// None of the challenges is `Bearer`.
    NotBearer {
        /// The schemes that were offered, lower-cased.
        offered: Vec<String>,
    },
    /// The `Bearer` challenge has no `realm`, or an empty one.
    MissingRealm,
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BearerError::NotBearer { offered } if offered.is_empty() => {
                f.write_str("the registry offered no authentication scheme")
            }
            BearerError::NotBearer { offered } => write!(
                f,
                "the registry offers {} but not bearer tokens",
                offered.join(", ")
            ),
            BearerError::MissingRealm => f.write_str("the bearer challenge has no realm"),
        }
    }
}

impl std::error::Error for BearerError {}

impl BearerChallenge {
    /// The first `Bearer` challenge among `challenges`.
    pub fn from_challenges(challenges: &[Challenge]) -> Result<Self, BearerError> {
        let bearer = challenges
            .iter()
            .find(|c| c.scheme == "bearer")
            .ok_or_else(|| BearerError::NotBearer {
                offered: challenges.iter().map(|c| c.scheme.clone()).collect(),
            })?;

        let realm = bearer
            .param("realm")
            .filter(|realm| !realm.is_empty())
            .ok_or(BearerError::MissingRealm)?;
        Ok(BearerChallenge {
            realm: realm.to_owned(),
            service: bearer.param("service").map(str::to_owned),
            scope: bearer.param("scope").map(str::to_owned),
        })
    }

    /// The URL to `GET` a token for `scopes` from; when `scopes` is empty,
    /// the scopes the challenge itself named are asked for.
    pub fn token_url(&self, scopes: &[Scope]) -> String {
        let mut url = self.realm.clone();
        if let Some(service) = &self.service {
            push_query(&mut url, "service", service);
        }

        if scopes.is_empty() {
            let asked = self.scope.as_deref().unwrap_or("");
            for scope in asked.split(' ').filter(|s| !s.is_empty()) {
                push_query(&mut url, "scope", scope);
            }
        } else {
            for scope in scopes {
                push_query(&mut url, "scope", &scope.to_string());
            }
        }
        url
    }
}

/// A token server's answer.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// The bearer token (`token`, else `access_token`).
    pub token: String,
    /// `expires_in`, in seconds, as sent.
    pub expires_in: Option<u64>,
    /// `issued_at`, as sent.
    pub issued_at: Option<String>,
    /// `refresh_token`, when sent.
    pub refresh_token: Option<String>,
}

impl TokenResponse {
    /// How long the token may be used, in seconds: `expires_in`, 60 when
    /// absent, and never less than 60.
    pub fn lifetime_secs(&self) -> u64 {
        self.expires_in
            .unwrap_or(MIN_LIFETIME_SECS)
            .max(MIN_LIFETIME_SECS)
    }
}

/// Leaves the secrets out, so that a logged response leaks nothing.
impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("issued_at", &self.issued_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Why a token response cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// The body is not JSON.
    InvalidJson {
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column of the fault.
        column: usize,
    },
    /// The body is JSON but not an object.
    NotAnObject,
    /// Neither `token` nor `access_token` is a non-empty string.
    MissingToken,
    /// A field has the wrong JSON type.
    WrongType {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::InvalidJson { line, column } => write!(
                f,
                "the token response is not JSON (line {line}, column {column})"
            ),
            TokenError::NotAnObject => f.write_str("the token response is not a JSON object"),
            TokenError::MissingToken => f.write_str(
                "the token response has neither a \"token\" nor an \"access_token\" string",
            ),
            TokenError::WrongType { field, expected } => {
                write!(f, "\"{field}\" in the token response must be {expected}")
            }
        }
    }
}

impl std::error::Error for TokenError {}

/// Reads a token server's JSON answer.
pub fn parse_response(body: &[u8]) -> Result<TokenResponse, TokenError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| TokenError::InvalidJson {
        line: e.line(),
        column: e.column(),
    })?;
    let Value::Object(object) = value else {
        return Err(TokenError::NotAnObject);
    };

    let token = string_field(&object, "token")?.filter(|t| !t.is_empty());
    let access_token = string_field(&object, "access_token")?.filter(|t| !t.is_empty());
    let token = token.or(access_token).ok_or(TokenError::MissingToken)?;

    let expires_in = match object.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(value) => Some(value.as_u64().ok_or(TokenError::WrongType {
            field: "expires_in",
            expected: "a whole number of seconds",
        })?),
    };

    Ok(TokenResponse {
        token,
        expires_in,
        issued_at: string_field(&object, "issued_at")?,
        refresh_token: string_field(&object, "refresh_token")?,
    })
}

fn string_field(
    object: &serde_json::Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, TokenError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(TokenError::WrongType {
            field,
            expected: "a string",
        }),
    }
}
