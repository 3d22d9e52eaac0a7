//! CORS for the proxy routes, answered by the proxy itself (the Fetch
//! standard, section 3.2 "CORS protocol").
//!
//! - A preflight (`OPTIONS` with `Access-Control-Request-Method`) is never
//!   forwarded: registries such as distribution answer it with 401 when auth
//!   is on. From an allowed origin it gets `204` with the allowed methods and
//!   request headers; from any other origin `403`. A plain `OPTIONS` is
//!   refused.
//! - Any other request that carries an `Origin` not on the list is refused
//!   with `403` before anything is forwarded, so other sites cannot drive the
//!   proxy even with "simple" requests that skip the preflight. Requests with
//!   no `Origin` (same-origin `GET`, command-line tools) pass.
//! - Answers to an allowed origin carry `Access-Control-Allow-Origin` with
//!   that origin (never `*`, never a reflected unknown origin, and never
//!   `Allow-Credentials`: the page sends `Authorization` itself) and
//!   `Access-Control-Expose-Headers` with [`EXPOSED_HEADERS`], so the page can
//!   read digests, upload locations, pagination and challenges.
//! - Every answer carries `Vary: Origin`, merged into the upstream's `Vary`
//!   (`Vary: Accept` becomes `Vary: Accept, Origin`; `Vary: *` stays).
//!   Upstream `Access-Control-*` headers are dropped by the forwarding layer.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;

/// Response headers the page may read.
pub const EXPOSED_HEADERS: &str = "Docker-Content-Digest, WWW-Authenticate, Location, Link, \
     Range, Content-Range, Content-Length, Docker-Upload-UUID, Docker-Distribution-Api-Version, \
     OCI-Subject, OCI-Filters-Applied, OCI-Tag, Retry-After, RateLimit-Limit, RateLimit-Remaining";

/// Methods the page may use.
pub const ALLOWED_METHODS: &str = "GET, HEAD, PUT, POST, PATCH, DELETE";

/// Request headers the page may send.
pub const ALLOWED_HEADERS: &str =
    "Accept, Authorization, Content-Type, Content-Range, Range, If-None-Match, If-Match";

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// Whether an `Origin` header value is on the allowed list.
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| a.eq_ignore_ascii_case(origin))
}

/// Adds `Origin` to a `Vary` value unless it is there already or is `*`.
pub fn merge_vary(existing: Option<&str>) -> String {
    let Some(existing) = existing.map(str::trim).filter(|v| !v.is_empty()) else {
        return "Origin".to_owned();
    };
    let has_origin_or_star = existing
        .split(',')
        .map(str::trim)
        .any(|v| v == "*" || v.eq_ignore_ascii_case("origin"));
    if has_origin_or_star {
        existing.to_owned()
    } else {
        format!("{existing}, Origin")
    }
}

/// The middleware for `/r/...`.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let origin = origin.map(str::to_owned);
    let allowed = origin
        .as_deref()
        .map(|o| origin_allowed(o, &state.config.allowed_origins));

    let mut response = if request.method() == Method::OPTIONS {
        preflight(request.headers(), origin.as_deref(), allowed)
    } else if let (Some(origin), Some(false)) = (&origin, allowed) {
        AppError::OriginNotAllowed {
            origin: origin.clone(),
        }
        .into_response()
    } else {
        next.run(request).await
    };

    let headers = response.headers_mut();
    if let (Some(origin), Some(true)) = (origin, allowed) {
        if let Ok(value) = HeaderValue::from_str(&origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        }
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    set_vary(headers);
    response
}

fn preflight(headers: &HeaderMap, origin: Option<&str>, allowed: Option<bool>) -> Response {
    if !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        return AppError::NotAPreflight.into_response();
    }
    if allowed != Some(true) {
        let origin = origin.unwrap_or("(none)").to_owned();
        return AppError::OriginNotAllowed { origin }.into_response();
    }

    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    out.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_HEADERS),
    );
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    out.append(
        header::VARY,
        HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers"),
    );
    response
}

/// Folds every `Vary` value into one that includes `Origin`.
fn set_vary(headers: &mut HeaderMap) {
    let values: Vec<&str> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let joined = values.join(", ");
    let merged = merge_vary(Some(&joined));

    if let Ok(value) = HeaderValue::from_str(&merged) {
        headers.insert(header::VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_vary() {
        let table = [
            (None, "Origin"),
            (Some(""), "Origin"),
            (Some("Accept"), "Accept, Origin"),
            (Some("Accept, origin"), "Accept, origin"),
            (Some("*"), "*"),
            (
                Some("Accept-Encoding, Accept"),
                "Accept-Encoding, Accept, Origin",
            ),
        ];

        for (existing, expected) in table {
            assert_eq!(merge_vary(existing), expected, "{existing:?}");
        }
    }

    #[test]
    fn matches_origins_exactly() {
        let allowed = vec!["http://127.0.0.1:8080".to_owned()];
        let table = [
            ("http://127.0.0.1:8080", true),
            ("HTTP://127.0.0.1:8080", true),
            ("http://127.0.0.1:8081", false),
            ("http://127.0.0.1:8080.evil.example", false),
            ("null", false),
            ("", false),
        ];

        for (origin, expected) in table {
            assert_eq!(origin_allowed(origin, &allowed), expected, "{origin}");
        }
    }
}
