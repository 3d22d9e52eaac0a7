//! Token relay for registries that use Bearer tokens (distribution's "Token
//! Authentication Specification", the flow Docker Hub, ghcr.io and quay.io
//! use).
//!
//! The flow, seen from the page:
//!
//! 1. A request to `/r/{registry}/v2/...` gets `401` with
//!    `WWW-Authenticate: Bearer realm="{proxy}/r/{registry}/token",service=...,scope=...`.
//!    The forwarding layer wrote that realm; the registry's own realm
//!    (`https://auth.docker.io/token`) is remembered here, per registry.
//! 2. The page calls `GET /r/{registry}/token?service=...&scope=...`, with
//!    `Authorization: Basic ...` if the user gave credentials.
//! 3. The proxy fetches the token from the remembered realm, passing on the
//!    query parameters `service`, `scope` (each of them), `account`,
//!    `client_id` and `offline_token`, and the `Authorization` header; the
//!    realm's answer (status, body, content type) goes back to the page with
//!    `Cache-Control: no-store`.
//!
//! The realm always comes from the registry's 401, never from the page:
//! a page cannot make the proxy send credentials anywhere else. If no realm
//! is known yet (a fresh proxy), the proxy asks `GET /v2/` of the registry
//! first to learn it. The realm URL passes the same checks as any hop (see
//! [`crate::upstream`]), and neither the query nor the answer is logged.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use url::Url;

use crate::body::{Observed, RequestLog};
use crate::error::AppError;
use crate::registry::Registry;
use crate::rewrite::Challenge;
use crate::state::AppState;
use crate::upstream::Outgoing;

/// Query parameters passed on to the realm.
const PASSED_PARAMS: [&str; 5] = ["service", "scope", "account", "client_id", "offline_token"];

/// Realms announced by registries, by normalised registry name.
#[derive(Debug, Default)]
pub struct Realms {
    by_registry: Mutex<HashMap<String, Url>>,
}

impl Realms {
    /// Remembers the realm a registry announced.
    pub fn remember(&self, registry: &Registry, realm: Url) {
        if let Ok(mut map) = self.by_registry.lock() {
            map.insert(registry.to_string(), realm);
        }
    }

    /// The realm a registry announced, if any.
    pub fn get(&self, registry: &Registry) -> Option<Url> {
        self.by_registry
            .lock()
            .ok()?
            .get(&registry.to_string())
            .cloned()
    }
}

/// The realm URL with the page's allowed query parameters.
pub fn realm_request_url(realm: &Url, query: Option<&str>) -> Url {
    let mut url = realm.clone();
    let passed: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| PASSED_PARAMS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();

    if !passed.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in &passed {
            pairs.append_pair(k, v);
        }
    }
    url
}

/// Fetches a token for the page.
pub async fn fetch(
    state: &AppState,
    registry: &Registry,
    base: &Url,
    query: Option<&str>,
    headers: &HeaderMap,
    log: RequestLog,
) -> Result<Response, AppError> {
    let realm = match state.realms.get(registry) {
        Some(realm) => realm,
        None => learn_realm(state, registry, base).await?,
    };

    let mut outgoing_headers = HeaderMap::new();
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        outgoing_headers.insert(header::AUTHORIZATION, auth.clone());
    }
    outgoing_headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let outgoing = Outgoing {
        method: Method::GET,
        url: realm_request_url(&realm, query),
        headers: outgoing_headers,
        body: None,
    };
    let (response, _) = state.upstream.send(outgoing).await?;

    let status = response.status();
    let mut builder = Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store");
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::WWW_AUTHENTICATE,
    ] {
        if let Some(value) = response.headers().get(&name) {
            builder = builder.header(name, value);
        }
    }
    let log = RequestLog {
        status: status.as_u16(),
        ..log
    };
    let body = Body::from_stream(Observed::new(response.bytes_stream(), log, None));

    builder.body(body).map_err(|_| AppError::BadRedirect)
}

/// Asks the registry's `/v2/` for its challenge and remembers the realm.
async fn learn_realm(state: &AppState, registry: &Registry, base: &Url) -> Result<Url, AppError> {
    let no_realm = || AppError::NoTokenRealm {
        registry: registry.to_string(),
    };
    let url = base.join("/v2/").map_err(|_| no_realm())?;
    let outgoing = Outgoing {
        method: Method::GET,
        url,
        headers: HeaderMap::new(),
        body: None,
    };
    let (response, _) = state.upstream.send(outgoing).await?;

    if response.status() != StatusCode::UNAUTHORIZED {
        return Err(no_realm());
    }
    let realm = response
        .headers()
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(Challenge::parse)
        .filter(Challenge::is_bearer)
        .find_map(|c| c.param("realm").and_then(|r| Url::parse(r).ok()))
        .ok_or_else(no_realm)?;

    state.realms.remember(registry, realm.clone());
    Ok(realm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_only_token_parameters() {
        let realm = Url::parse("https://auth.example/token?fixed=1").unwrap();
        let table = [
            (None, "https://auth.example/token?fixed=1"),
            (
                Some("service=reg&scope=repository:a:pull&scope=repository:b:pull,push"),
                "https://auth.example/token?fixed=1&service=reg&scope=repository%3Aa%3Apull&scope=repository%3Ab%3Apull%2Cpush",
            ),
            (
                Some("realm=https://evil.example&service=reg"),
                "https://auth.example/token?fixed=1&service=reg",
            ),
            (Some("password=x"), "https://auth.example/token?fixed=1"),
        ];

        for (query, expected) in table {
            assert_eq!(
                realm_request_url(&realm, query).as_str(),
                expected,
                "{query:?}"
            );
        }
    }

    #[test]
    fn remembers_realms_per_registry() {
        let realms = Realms::default();
        let hub: Registry = "docker.io".parse().unwrap();
        let ghcr: Registry = "ghcr.io".parse().unwrap();

        realms.remember(&hub, Url::parse("https://auth.docker.io/token").unwrap());

        assert_eq!(
            realms.get(&hub).map(String::from),
            Some("https://auth.docker.io/token".into())
        );
        assert_eq!(realms.get(&ghcr), None);
    }
}
