//! Forwarding `/r/{registry}/...` to the registry.
//!
//! Routes:
//!
//! | Proxy path | Upstream |
//! |---|---|
//! | `/r/{registry}/v2/{rest}?{query}` | `{scheme}://{host}/v2/{rest}?{query}` |
//! | `/r/{registry}/token?{query}` | the realm the registry announced ([`crate::token`]) |
//!
//! `{registry}` is `host[:port]` ([`crate::registry`]); `{scheme}` is
//! `https` unless the registry is named by `--plain-http`; Docker Hub's names
//! go to `registry-1.docker.io`. The path is passed on as sent, query
//! included; a path that would leave `/v2/` once dot segments are resolved is
//! refused. Methods: `GET`, `HEAD`, `PUT`, `POST`, `PATCH`, `DELETE`.
//!
//! Request headers passed on: `Accept`, `Authorization`, `Content-Type`,
//! `Content-Length`, `Content-Range`, `Range`, `If-None-Match`, `If-Match`.
//! Nothing else leaves the proxy: no cookies, no `Origin`, no `Referer`, no
//! forwarding headers. Response headers come back except hop-by-hop
//! headers, `Set-Cookie`, `Alt-Svc` and the registry's own `Access-Control-*`
//! (CORS is the proxy's, see [`crate::cors`]); `Location`, `Link` and
//! `WWW-Authenticate` are rewritten ([`crate::rewrite`]).
//!
//! Bodies stream both ways in constant memory, except manifests
//! (`/v2/{name}/manifests/{reference}`), which are read whole up to the
//! manifest limit (4 MiB by default) in both directions: a larger one is
//! refused with `413` on the way up and `502` on the way down. Upstream
//! answers of every status pass through with their body, so registry errors
//! reach the page as the registry wrote them.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::OwnedSemaphorePermit;
use url::Url;

use crate::body::{Observed, RequestLog, check_announced_digest, read_manifest};
use crate::config::Config;
use crate::error::AppError;
use crate::registry::Registry;
use crate::rewrite::{self, Upstream as RewriteContext};
use crate::state::AppState;
use crate::token;
use crate::upstream::Outgoing;

/// Request headers passed on to the registry.
const FORWARDED_REQUEST_HEADERS: [HeaderName; 8] = [
    header::ACCEPT,
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_RANGE,
    header::RANGE,
    header::IF_NONE_MATCH,
    header::IF_MATCH,
];

/// Response headers never passed back.
const DROPPED_RESPONSE_HEADERS: [&str; 11] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "set-cookie",
    "alt-svc",
    "strict-transport-security",
];

/// A parsed proxy path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyRoute {
    /// `/r/{registry}/v2/...`: the path from `/v2/` on, as sent.
    Api {
        /// The registry.
        registry: Registry,
        /// The upstream path, starting with `/v2/`.
        path: String,
    },
    /// `/r/{registry}/token`.
    Token {
        /// The registry.
        registry: Registry,
    },
}

impl ProxyRoute {
    /// Parses a raw request path.
    pub fn parse(path: &str) -> Result<ProxyRoute, AppError> {
        let rest = path.strip_prefix("/r/").ok_or(AppError::UnknownRoute)?;
        let (name, tail) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let registry: Registry = name.parse()?;

        if tail == "/token" {
            return Ok(ProxyRoute::Token { registry });
        }
        if tail == "/v2" || tail.starts_with("/v2/") {
            let path = if tail == "/v2" {
                "/v2/".to_owned()
            } else {
                tail.to_owned()
            };
            return Ok(ProxyRoute::Api { registry, path });
        }
        Err(AppError::UnknownRoute)
    }

    fn registry(&self) -> &Registry {
        match self {
            ProxyRoute::Api { registry, .. } | ProxyRoute::Token { registry } => registry,
        }
    }
}

/// The registry's base URL: scheme, API host and port.
pub fn base_url(config: &Config, registry: &Registry) -> Result<Url, AppError> {
    let scheme = if config.is_plain_http(registry) {
        "http"
    } else {
        "https"
    };
    let port = registry.port().map(|p| format!(":{p}")).unwrap_or_default();
    let text = format!("{scheme}://{}{port}/", registry.upstream_host());

    Url::parse(&text).map_err(|_| AppError::UnknownRoute)
}

/// Whether an upstream path names a manifest.
pub fn is_manifest_path(path: &str) -> bool {
    let mut segments = path.rsplit('/');
    let reference = segments.next().unwrap_or("");
    !reference.is_empty() && segments.next() == Some("manifests") && path.starts_with("/v2/")
}

/// The handler for every `/r/...` request.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let route = ProxyRoute::parse(parts.uri.path());
    let mut log = RequestLog {
        method: parts.method.to_string(),
        registry: route
            .as_ref()
            .map(|r| r.registry().to_string())
            .unwrap_or_default(),
        path: parts.uri.path().to_owned(),
        status: 0,
        started,
    };

    let result = match route {
        Ok(route) => {
            dispatch(
                &state,
                route,
                parts.method,
                &parts.uri,
                &parts.headers,
                body,
                &log,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(response) => response,
        Err(error) => {
            log.status = error.status().as_u16();
            if let AppError::UpstreamUnreachable { host, source } = &error {
                tracing::warn!(host = %host, error = %source, "registry unreachable");
            }
            tracing::debug!(reason = %error, "refused");
            log.emit(0);
            error.into_response()
        }
    }
}

async fn dispatch(
    state: &AppState,
    route: ProxyRoute,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    log: &RequestLog,
) -> Result<Response, AppError> {
    let limit = state.config.limits.max_header_bytes;
    let header_bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > limit {
        return Err(AppError::RequestHeadersTooLarge { limit });
    }

    let registry = route.registry().clone();
    if !state.config.registries.allows(&registry) {
        return Err(AppError::RegistryNotAllowed {
            registry: registry.to_string(),
        });
    }
    let base = base_url(&state.config, &registry)?;
    let permit = state
        .permits
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::Busy)?;

    match route {
        ProxyRoute::Token { .. } => {
            if method != Method::GET {
                return Err(AppError::MethodNotAllowed {
                    method: method.to_string(),
                });
            }
            let response =
                token::fetch(state, &registry, &base, uri.query(), headers, log.clone()).await;
            drop(permit);
            response
        }
        ProxyRoute::Api { path, .. } => {
            let call = ApiCall {
                registry,
                base,
                path,
                method,
                uri,
                headers,
                log,
            };
            forward(state, call, body, permit).await
        }
    }
}

struct ApiCall<'a> {
    registry: Registry,
    base: Url,
    path: String,
    method: Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    log: &'a RequestLog,
}

async fn forward(
    state: &AppState,
    call: ApiCall<'_>,
    body: Body,
    permit: OwnedSemaphorePermit,
) -> Result<Response, AppError> {
    let has_body = matches!(call.method, Method::PUT | Method::POST | Method::PATCH);
    if !has_body && !matches!(call.method, Method::GET | Method::HEAD | Method::DELETE) {
        return Err(AppError::MethodNotAllowed {
            method: call.method.to_string(),
        });
    }

    let mut url = call
        .base
        .join(&call.path)
        .map_err(|_| AppError::PathEscapes)?;
    url.set_query(call.uri.query());
    if !url.path().starts_with("/v2/") {
        return Err(AppError::PathEscapes);
    }
    let manifest = is_manifest_path(url.path());
    let limit = state.config.limits.max_manifest_bytes;

    let mut headers = HeaderMap::new();
    for name in FORWARDED_REQUEST_HEADERS {
        if name == header::CONTENT_LENGTH && !has_body {
            continue;
        }
        for value in call.headers.get_all(&name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let upload = match (has_body, manifest) {
        (false, _) => None,
        (true, true) => Some(reqwest::Body::from(
            read_request_manifest(call.headers, body, limit).await?,
        )),
        (true, false) => Some(reqwest::Body::wrap_stream(body.into_data_stream())),
    };

    let outgoing = Outgoing {
        method: call.method.clone(),
        url,
        headers,
        body: upload,
    };
    let (response, final_url) = state.upstream.send(outgoing).await?;

    let header_limit = state.config.limits.max_header_bytes;
    let header_bytes: usize = response
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > header_limit {
        return Err(AppError::UpstreamHeadersTooLarge {
            limit: header_limit,
        });
    }

    let status = response.status();
    let registry_name = call.registry.to_string();
    let context = RewriteContext {
        request: &final_url,
        registry: &registry_name,
    };
    let proxy_realm = format!("{}/r/{registry_name}/token", state.config.public_origin);
    let mut out = response_headers(response.headers(), &context, &proxy_realm, |realm| {
        state.realms.remember(&call.registry, realm);
    });
    let log = RequestLog {
        status: status.as_u16(),
        ..call.log.clone()
    };

    let read_whole = manifest && call.method == Method::GET && status.is_success();
    let body = if read_whole {
        let announced = response.content_length();
        let digest = response.headers().get("docker-content-digest").cloned();
        let host = final_url.host_str().unwrap_or("").to_owned();
        let bytes = read_manifest(response.bytes_stream(), announced, limit)
            .await
            .map_err(|e| e.into_app_error(host, limit, state.config.limits.response_timeout))?;
        check_announced_digest(digest.as_ref().and_then(|v| v.to_str().ok()), &bytes, &log);

        out.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        let once = futures_util::stream::once(async move { Ok::<Bytes, reqwest::Error>(bytes) });
        Body::from_stream(Observed::new(once, log, Some(permit)))
    } else {
        Body::from_stream(Observed::new(response.bytes_stream(), log, Some(permit)))
    };

    let mut answer = (status, body).into_response();
    *answer.headers_mut() = out;
    Ok(answer)
}

/// Reads a manifest the page is pushing, up to the limit.
async fn read_request_manifest(
    headers: &HeaderMap,
    body: Body,
    limit: u64,
) -> Result<Bytes, AppError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(AppError::ManifestTooLarge { limit });
    }

    let mut stream = body.into_data_stream();
    let mut buffer = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::ManifestBodyBroken)?;
        if (buffer.len() + chunk.len()) as u64 > limit {
            return Err(AppError::ManifestTooLarge { limit });
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

/// The registry's response headers as the page gets them.
fn response_headers(
    upstream: &HeaderMap,
    context: &RewriteContext<'_>,
    proxy_realm: &str,
    mut remember_realm: impl FnMut(Url),
) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(upstream.len());

    for (name, value) in upstream {
        let lower = name.as_str();
        if DROPPED_RESPONSE_HEADERS.contains(&lower) || lower.starts_with("access-control-") {
            continue;
        }
        let text = value.to_str().ok();
        let rewritten = match (name, text) {
            (n, Some(t)) if n == header::LOCATION => rewrite::location(t, context),
            (n, Some(t)) if n == header::LINK => Some(rewrite::link(t, context)),
            (n, Some(t)) if n == header::WWW_AUTHENTICATE => rewrite::challenge(t, proxy_realm)
                .map(|(header_value, realm)| {
                    remember_realm(realm);
                    header_value
                }),
            _ => None,
        };
        match rewritten.and_then(|r| HeaderValue::from_str(&r).ok()) {
            Some(new_value) => out.append(name.clone(), new_value),
            None => out.append(name.clone(), value.clone()),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proxy_paths() {
        let registry = |s: &str| s.parse::<Registry>().unwrap();
        let table = [
            (
                "/r/ghcr.io/v2/",
                Ok(ProxyRoute::Api {
                    registry: registry("ghcr.io"),
                    path: "/v2/".into(),
                }),
            ),
            (
                "/r/ghcr.io/v2",
                Ok(ProxyRoute::Api {
                    registry: registry("ghcr.io"),
                    path: "/v2/".into(),
                }),
            ),
            (
                "/r/127.0.0.1:5000/v2/a/b/manifests/latest",
                Ok(ProxyRoute::Api {
                    registry: registry("127.0.0.1:5000"),
                    path: "/v2/a/b/manifests/latest".into(),
                }),
            ),
            (
                "/r/docker.io/token",
                Ok(ProxyRoute::Token {
                    registry: registry("docker.io"),
                }),
            ),
            ("/r/ghcr.io", Err("no such proxy route")),
            ("/r/ghcr.io/v3/", Err("no such proxy route")),
            ("/r/ghcr.io/token/x", Err("no such proxy route")),
            ("/r/", Err("registry name is empty")),
            ("/r/user@host/v2/", Err("registry name \"user@host\"")),
            ("/x/ghcr.io/v2/", Err("no such proxy route")),
        ];

        for (path, expected) in table {
            let got = ProxyRoute::parse(path).map_err(|e| e.to_string());
            match (got, expected) {
                (Ok(route), Ok(want)) => assert_eq!(route, want, "{path}"),
                (Err(message), Err(want)) => {
                    assert!(message.starts_with(want), "{path}: {message}")
                }
                (got, want) => panic!("{path}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn recognises_manifest_paths() {
        let must_match = [
            "/v2/a/manifests/latest",
            "/v2/a/b/manifests/sha256:00",
            "/v2/manifests/manifests/x",
        ];
        let must_not_match = [
            "/v2/a/blobs/sha256:00",
            "/v2/a/manifests/",
            "/v2/_catalog",
            "/v2/a/tags/list",
            "/v2/manifests/x/blobs/y",
        ];

        for path in must_match {
            assert!(is_manifest_path(path), "{path}");
        }
        for path in must_not_match {
            assert!(!is_manifest_path(path), "{path}");
        }
    }

    #[test]
    fn builds_base_urls() {
        let config = crate::config::Config {
            plain_http: vec!["127.0.0.1:5000".parse().unwrap()],
            ..crate::config::Config::default()
        };
        let table = [
            ("docker.io", "https://registry-1.docker.io/"),
            ("ghcr.io:8443", "https://ghcr.io:8443/"),
            ("127.0.0.1:5000", "http://127.0.0.1:5000/"),
            ("127.0.0.1:5001", "https://127.0.0.1:5001/"),
            ("[::1]:5000", "https://[::1]:5000/"),
        ];

        for (name, expected) in table {
            let url = base_url(&config, &name.parse().unwrap()).unwrap();
            assert_eq!(url.as_str(), expected, "{name}");
        }
    }

    #[test]
    fn drops_and_rewrites_response_headers() {
        let mut upstream = HeaderMap::new();
        upstream.insert(
            "docker-content-digest",
            HeaderValue::from_static("sha256:00"),
        );
        upstream.insert("set-cookie", HeaderValue::from_static("s=1"));
        upstream.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        upstream.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        upstream.insert(
            "location",
            HeaderValue::from_static("/v2/a/blobs/uploads/u?x=1"),
        );
        upstream.insert(
            "www-authenticate",
            HeaderValue::from_static(r#"Bearer realm="https://auth.example/token",service="s""#),
        );
        let request = Url::parse("https://reg.example/v2/a/blobs/uploads/").unwrap();
        let context = RewriteContext {
            request: &request,
            registry: "reg.example",
        };
        let mut realms = Vec::new();

        let out = response_headers(&upstream, &context, "http://p/r/reg.example/token", |r| {
            realms.push(r)
        });

        assert_eq!(out.get("docker-content-digest").unwrap(), "sha256:00");
        assert_eq!(
            out.get("location").unwrap(),
            "/r/reg.example/v2/a/blobs/uploads/u?x=1"
        );
        assert_eq!(
            out.get("www-authenticate").unwrap(),
            r#"Bearer realm="http://p/r/reg.example/token",service="s""#
        );
        assert!(out.get("set-cookie").is_none());
        assert!(out.get("access-control-allow-origin").is_none());
        assert!(out.get("transfer-encoding").is_none());
        assert_eq!(realms, [Url::parse("https://auth.example/token").unwrap()]);
    }
}
