//! Registry protocol helpers, without I/O: what a client sends to and reads
//! from a registry that speaks the OCI distribution spec (v1.1) and the
//! Docker registry token protocol.
//!
//! | file | what it gives | where it comes from |
//! |---|---|---|
//! | [`accept`] | the `Accept` header for manifests | distribution-spec, "Pulling manifests" |
//! | [`paths`] | request paths and query strings; the referrers fallback tag | distribution-spec, "Endpoints", "Referrers Tag Schema" |
//! | [`challenge`] | `WWW-Authenticate` parsing | RFC 7235 §2.1 and §4.1, RFC 7230 §3.2.6 |
//! | [`token`] | token request URLs, scopes, token responses | Docker registry token authentication spec |
//! | [`error`] | the error envelope and its codes | distribution-spec, "Error Codes"; distribution's `errcode` |
//!
//! A pull goes: `GET /v2/<name>/manifests/<reference>` with
//! [`ACCEPT_MANIFESTS`]; on `401`, [`challenge::parse`] the
//! `WWW-Authenticate` header, build the token URL with
//! [`token::BearerChallenge::token_url`], read the answer with
//! [`token::parse_response`], and retry with `Authorization: Bearer <token>`.
//! Any `4xx` body may carry an error envelope: [`error::parse_envelope`].
//!
//! ```
//! use polyarch_core::reference::Reference;
//! use polyarch_core::registry::{challenge, paths, token};
//!
//! let image = Reference::parse("bash:5.3.9").unwrap();
//! assert_eq!(paths::manifest_for(&image), "/v2/library/bash/manifests/5.3.9");
//!
//! let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#;
//! let challenges = challenge::parse(header).unwrap();
//! let bearer = token::BearerChallenge::from_challenges(&challenges).unwrap();
//! let scope = token::Scope::pull(image.repository());
//! assert_eq!(
//!     bearer.token_url(&[scope]),
//!     "https://auth.docker.io/token?service=registry.docker.io\
//!      &scope=repository%3Alibrary%2Fbash%3Apull"
//! );
//! ```

pub mod accept;
pub mod challenge;
pub mod error;
pub mod paths;
pub mod token;

pub use accept::ACCEPT_MANIFESTS;
