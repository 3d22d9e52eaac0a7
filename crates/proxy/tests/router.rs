//! Router tests without sockets: CORS, refusals, and the site. Nothing here
//! sends traffic anywhere; refused targets are refused before any
//! connection (the `localhost` case resolves the name and stops there).

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::StatusCode;
use common::{PROXY_ORIGIN, proxy, request, send};

const DEMO: &str = "127.0.0.1:5000";

#[tokio::test]
async fn answers_preflights_itself() {
    let router = proxy(&["--no-default-registries", "--allow-private", DEMO]);
    let preflight = request("OPTIONS", "/r/127.0.0.1:5000/v2/app/manifests/latest")
        .header("origin", PROXY_ORIGIN)
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .body(Body::empty())
        .unwrap();

    let answer = send(&router, preflight).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(PROXY_ORIGIN)
    );
    assert!(
        answer
            .header("access-control-allow-methods")
            .unwrap()
            .contains("PUT")
    );
    assert!(
        answer
            .header("access-control-allow-headers")
            .unwrap()
            .contains("Authorization")
    );
    assert!(answer.header("access-control-allow-credentials").is_none());
    assert!(answer.header("vary").unwrap().contains("Origin"));
}

#[tokio::test]
async fn refuses_disallowed_origins_before_forwarding() {
    let router = proxy(&["--no-default-registries", "--allow-private", DEMO]);
    let table = [("OPTIONS", Some("GET")), ("GET", None), ("POST", None)];

    for (method, request_method) in table {
        let mut builder =
            request(method, "/r/127.0.0.1:5000/v2/").header("origin", "https://evil.example");
        if let Some(m) = request_method {
            builder = builder.header("access-control-request-method", m);
        }

        let answer = send(&router, builder.body(Body::empty()).unwrap()).await;

        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method}");
        assert_eq!(answer.error_code(), "DENIED", "{method}");
        assert!(
            answer.header("access-control-allow-origin").is_none(),
            "{method}"
        );
        assert_eq!(answer.header("vary"), Some("Origin"), "{method}");
    }
}

#[tokio::test]
async fn allowed_origins_come_from_configuration() {
    let router = proxy(&["--allow-origin", "http://localhost:3000"]);
    let table = [
        ("http://localhost:3000", StatusCode::NO_CONTENT),
        (PROXY_ORIGIN, StatusCode::FORBIDDEN),
    ];

    for (origin, expected) in table {
        let preflight = request("OPTIONS", "/r/ghcr.io/v2/")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .unwrap();

        let answer = send(&router, preflight).await;

        assert_eq!(answer.status, expected, "{origin}");
    }
}

#[tokio::test]
async fn refuses_what_the_policy_forbids_without_sending() {
    let router = proxy(&["--allow-registry", "127.0.0.1:5000,localhost:5000,10.0.0.1"]);
    let table = [
        (
            "/r/registry.example/v2/",
            StatusCode::FORBIDDEN,
            "registry registry.example is not allowed",
        ),
        (
            "/r/127.0.0.1:5001/v2/",
            StatusCode::FORBIDDEN,
            "registry 127.0.0.1:5001 is not allowed",
        ),
        (
            "/r/127.0.0.1:5000/v2/",
            StatusCode::FORBIDDEN,
            "127.0.0.1:5000 is a loopback address",
        ),
        (
            "/r/2130706433:5000/v2/",
            StatusCode::FORBIDDEN,
            "127.0.0.1:5000 is a loopback address",
        ),
        (
            "/r/0x7f000001:5000/v2/",
            StatusCode::FORBIDDEN,
            "127.0.0.1:5000 is a loopback address",
        ),
        (
            "/r/10.0.0.1/v2/",
            StatusCode::FORBIDDEN,
            "10.0.0.1:443 is a private address",
        ),
        (
            "/r/localhost:5000/v2/",
            StatusCode::FORBIDDEN,
            "localhost:5000 is a loopback address",
        ),
        (
            "/r/user@ghcr.io/v2/",
            StatusCode::BAD_REQUEST,
            "registry name \"user@ghcr.io\"",
        ),
        (
            "/r/ghcr.io/v1/",
            StatusCode::NOT_FOUND,
            "no such proxy route",
        ),
    ];

    for (path, status, message) in table {
        let answer = send(&router, request("GET", path).body(Body::empty()).unwrap()).await;

        assert_eq!(answer.status, status, "{path}: {}", answer.text());
        let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        let text = body["errors"][0]["message"].as_str().unwrap();
        assert!(text.starts_with(message), "{path}: {text}");
    }
}

#[tokio::test]
async fn refuses_methods_and_paths_outside_the_api() {
    let router = proxy(&[
        "--no-default-registries",
        "--allow-private",
        DEMO,
        "--plain-http",
        DEMO,
    ]);
    let table = [
        (
            "TRACE",
            "/r/127.0.0.1:5000/v2/",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "POST",
            "/r/127.0.0.1:5000/token",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "GET",
            "/r/127.0.0.1:5000/v2/../admin",
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/r/127.0.0.1:5000/v2/%2e%2e/admin",
            StatusCode::BAD_REQUEST,
        ),
    ];

    for (method, path, status) in table {
        let answer = send(&router, request(method, path).body(Body::empty()).unwrap()).await;

        assert_eq!(answer.status, status, "{method} {path}: {}", answer.text());
    }
}

#[tokio::test]
async fn refuses_oversized_request_headers() {
    let router = proxy(&["--max-header-bytes", "1024"]);
    let big = "x".repeat(2048);

    let answer = send(
        &router,
        request("GET", "/r/ghcr.io/v2/")
            .header("x-filler", big)
            .body(Body::empty())
            .unwrap(),
    )
    .await;

    assert_eq!(answer.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(answer.error_code(), "SIZE_INVALID");
}

#[tokio::test]
async fn serves_the_site_with_types_policy_caching_and_compression() {
    let dir = tempfile::tempdir().unwrap();
    let page = "<!doctype html><title>polyarch</title>".repeat(40);
    std::fs::write(dir.path().join("index.html"), &page).unwrap();
    std::fs::write(
        dir.path().join("app-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    let site = dir.path().to_str().unwrap();
    let router = proxy(&["--site", site]);

    let index = send(&router, request("GET", "/").body(Body::empty()).unwrap()).await;
    let gzipped = send(
        &router,
        request("GET", "/index.html")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let wasm = send(
        &router,
        request("GET", "/app-0123456789abcdef_bg.wasm")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let missing = send(
        &router,
        request("GET", "/nope.js").body(Body::empty()).unwrap(),
    )
    .await;

    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(index.text(), page);
    assert!(
        index
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    let policy = index.header("content-security-policy").unwrap();
    assert!(policy.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval';"));
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(
        wasm.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
