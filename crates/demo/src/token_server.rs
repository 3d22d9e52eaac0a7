//! The token server: `GET /token` for distribution's token authentication.
//!
//! A registry in token mode answers an unauthenticated request with
//! `401` and `WWW-Authenticate: Bearer realm="http://<this server>/token",
//! service="…",scope="…"`. The client then asks:
//!
//! ```text
//! GET /token?service=<service>&scope=<scope>&scope=<scope>…
//! Authorization: Basic <user:password>        (optional)
//! ```
//!
//! and gets `200` with `{"token": …, "access_token": …, "expires_in": 300}`
//! (the same token under both names, as the Docker token spec and OAuth 2
//! clients expect). What the token grants is decided by [`crate::grant`]:
//!
//! | request | answer |
//! |---|---|
//! | no `Authorization` | `200`, a token for anonymous pulls only |
//! | the right Basic credentials | `200`, a token for what was asked (pull, push, delete, catalog) |
//! | wrong credentials, or another scheme | `401`, error code `UNAUTHORIZED`; no `WWW-Authenticate`, so that a browser shows no login dialog |
//! | `service` other than the issuer's | `400`, error code `DENIED` |
//!
//! Errors use the registry error envelope
//! (`{"errors":[{"code":…,"message":…}]}`). `account`, `client_id` and
//! `offline_token` are accepted and ignored; no refresh tokens are issued.
//! Nothing about a request is logged.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::credentials::Credentials;
use crate::grant::{Caller, grant, parse_scopes};
use crate::issuer::{Issuer, IssuerError, TOKEN_LIFETIME};

/// The subject of tokens issued without credentials.
pub const ANONYMOUS: &str = "anonymous";

/// An issuer and the one user it knows.
pub struct TokenService {
    issuer: Issuer,
    credentials: Credentials,
}

/// How a token request is answered.
#[derive(Debug)]
pub enum TokenAnswer {
    /// A token was issued.
    Issued {
        /// The signed token.
        token: String,
        /// Its lifetime in seconds.
        expires_in: u64,
    },
    /// Credentials were sent and are wrong (or not Basic).
    WrongCredentials,
    /// The request names a service this issuer does not sign for.
    UnknownService {
        /// The service asked for.
        service: String,
    },
    /// Signing failed.
    Failed(IssuerError),
}

impl TokenService {
    /// A service signing with `issuer` for the user `credentials`.
    pub fn new(issuer: Issuer, credentials: Credentials) -> Self {
        TokenService {
            issuer,
            credentials,
        }
    }

    /// The issuer.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// Answers a token request with this `Authorization` header and query
    /// pairs, at `now` (seconds since the Unix epoch).
    pub fn answer(
        &self,
        authorization: Option<&str>,
        query: &[(String, String)],
        now: u64,
    ) -> TokenAnswer {
        let caller = match authorization {
            None => Caller::Anonymous,
            Some(header) if self.credentials.matches_basic_header(header) => Caller::User,
            Some(_) => return TokenAnswer::WrongCredentials,
        };
        let service = query.iter().find(|(k, _)| k == "service").map(|(_, v)| v);
        if let Some(service) = service.filter(|s| *s != self.issuer.service()) {
            return TokenAnswer::UnknownService {
                service: service.clone(),
            };
        }

        let asked: Vec<_> = query
            .iter()
            .filter(|(k, _)| k == "scope")
            .flat_map(|(_, v)| parse_scopes(v))
            .collect();
        let granted = grant(&asked, caller);
        let subject = match caller {
            Caller::User => self.credentials.user(),
            Caller::Anonymous => ANONYMOUS,
        };
        match self.issuer.sign(subject, &granted, now) {
            Ok(token) => TokenAnswer::Issued {
                token,
                expires_in: TOKEN_LIFETIME,
            },
            Err(error) => TokenAnswer::Failed(error),
        }
    }
}

impl IntoResponse for TokenAnswer {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            TokenAnswer::Issued { token, expires_in } => (
                StatusCode::OK,
                json!({"token": token, "access_token": token, "expires_in": expires_in}),
            ),
            TokenAnswer::WrongCredentials => (
                StatusCode::UNAUTHORIZED,
                envelope("UNAUTHORIZED", "wrong user name or password"),
            ),
            TokenAnswer::UnknownService { service } => (
                StatusCode::BAD_REQUEST,
                envelope(
                    "DENIED",
                    &format!("no tokens are issued for service {service:?}"),
                ),
            ),
            TokenAnswer::Failed(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                envelope("UNKNOWN", "the token could not be signed"),
            ),
        };
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

fn envelope(code: &str, message: &str) -> serde_json::Value {
    json!({"errors": [{"code": code, "message": message}]})
}

/// The router: `GET /token`.
pub fn router(service: Arc<TokenService>) -> Router {
    Router::new()
        .route("/token", get(token))
        .with_state(service)
}

async fn token(
    State(service): State<Arc<TokenService>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> TokenAnswer {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    service.answer(authorization, &query, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::Value;

    const SERVICE: &str = "polyarch-demo-registry";

    fn service() -> TokenService {
        let issuer = Issuer::generate("polyarch-demo-issuer", SERVICE).unwrap();
        TokenService::new(issuer, Credentials::new("polyarch", "demo").unwrap())
    }

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn access_of(answer: TokenAnswer) -> (String, Value) {
        let TokenAnswer::Issued { token, expires_in } = answer else {
            panic!("no token: {answer:?}");
        };
        assert_eq!(expires_in, TOKEN_LIFETIME);
        let claims = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        (
            claims["sub"].as_str().unwrap().to_owned(),
            claims["access"].clone(),
        )
    }

    #[test]
    fn the_user_gets_what_was_asked() {
        let service = service();
        let basic = Credentials::new("polyarch", "demo").unwrap().basic_header();
        let asked = query(&[
            ("service", SERVICE),
            ("scope", "repository:demo/app:pull,push"),
            ("scope", "registry:catalog:*"),
        ]);

        let answer = service.answer(Some(&basic), &asked, 1_700_000_000);

        let (subject, access) = access_of(answer);
        assert_eq!(subject, "polyarch");
        assert_eq!(access.as_array().unwrap().len(), 2);
        assert_eq!(access[0]["actions"], serde_json::json!(["pull", "push"]));
    }

    #[test]
    fn anonymous_callers_may_only_pull() {
        let service = service();
        let asked = query(&[("scope", "repository:demo/app:pull,push")]);

        let answer = service.answer(None, &asked, 1_700_000_000);

        let (subject, access) = access_of(answer);
        assert_eq!(subject, ANONYMOUS);
        assert_eq!(
            access,
            serde_json::json!([{"type": "repository", "name": "demo/app", "actions": ["pull"]}])
        );
    }

    #[test]
    fn refused_requests() {
        let service = service();
        let wrong = Credentials::new("polyarch", "demo2")
            .unwrap()
            .basic_header();
        let cases = [
            (Some(wrong.as_str()), query(&[]), "wrong"),
            (Some("Bearer abc"), query(&[]), "wrong"),
            (Some(""), query(&[]), "wrong"),
            (None, query(&[("service", "elsewhere")]), "service"),
        ];
        for (authorization, asked, expected) in cases {
            let answer = service.answer(authorization, &asked, 1);

            let kind = match answer {
                TokenAnswer::WrongCredentials => "wrong",
                TokenAnswer::UnknownService { .. } => "service",
                _ => "other",
            };
            assert_eq!(kind, expected, "{authorization:?} {asked:?}");
        }
    }

    #[test]
    fn answers_become_responses_with_envelopes() {
        let cases = [
            (TokenAnswer::WrongCredentials, StatusCode::UNAUTHORIZED),
            (
                TokenAnswer::UnknownService {
                    service: "x".to_owned(),
                },
                StatusCode::BAD_REQUEST,
            ),
            (
                TokenAnswer::Failed(IssuerError::Crypto),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (answer, status) in cases {
            let response = answer.into_response();

            assert_eq!(response.status(), status);
            assert!(response.headers().get(header::WWW_AUTHENTICATE).is_none());
            assert_eq!(
                response.headers().get(header::CONTENT_TYPE).unwrap(),
                "application/json"
            );
        }
    }
}
