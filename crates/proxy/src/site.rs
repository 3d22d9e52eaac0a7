//! Serving the built site at `/`.
//!
//! Files come from the `--site` directory with content types from their
//! extensions (`.wasm` is `application/wasm`, which browsers require for
//! streaming compilation), `Last-Modified` and conditional requests, and
//! `index.html` for directories. A precompressed `file.gz` next to a file is
//! sent when the browser accepts gzip; other answers are gzip-compressed on
//! the fly.
//!
//! Caching: a file whose name carries a content hash (`app-0123456789abcdef_bg.wasm`,
//! the form trunk writes) never changes, so it is cached for a year as
//! `immutable`; everything else (`index.html` above all) is `no-cache`, so a
//! new build is seen at once.
//!
//! Every answer carries a strict [`CONTENT_SECURITY_POLICY`]: scripts only
//! from the site itself plus `'wasm-unsafe-eval'` (needed to compile the
//! wasm module), no inline scripts, requests only to the site's own origin,
//! no framing. `X-Content-Type-Options: nosniff` and `Referrer-Policy:
//! no-referrer` go with it.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy sent with every file.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// A router that serves `dir`.
pub fn router(dir: &Path) -> Router {
    let files = ServeDir::new(dir).precompressed_gzip();

    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
        .layer(CompressionLayer::new())
        .layer(fixed_header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(fixed_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed_header(header::REFERRER_POLICY, "no-referrer"))
}

fn fixed_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

async fn cache_control(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;

    if response.status().is_success() || response.status().as_u16() == 304 {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// The `Cache-Control` value for a request path.
pub fn cache_policy(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);

    match stem.rsplit_once('-') {
        Some((_, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            IMMUTABLE
        }
        _ => NO_CACHE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_only_hashed_names_for_long() {
        let table = [
            ("/", NO_CACHE),
            ("/index.html", NO_CACHE),
            ("/polyarch-web-0123456789abcdef_bg.wasm", IMMUTABLE),
            ("/polyarch-web-0123456789abcdef.js", IMMUTABLE),
            ("/polyarch-web-0123456789abcdef.wasm", IMMUTABLE),
            ("/assets/style-fedcba9876543210.css", IMMUTABLE),
            ("/polyarch-inspector-loader-0123456789abcdef.js", IMMUTABLE),
            ("/polyarch-inspector-0123456789abcdef_bg.wasm", IMMUTABLE),
            ("/polyarch-inspector_loader.js", NO_CACHE),
            ("/style-xyz.css", NO_CACHE),
            ("/style-0123456789abcde.css", NO_CACHE),
        ];

        for (path, expected) in table {
            assert_eq!(cache_policy(path), expected, "{path}");
        }
    }
}
