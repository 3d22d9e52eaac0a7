//! The proxy against an in-process registry that misbehaves, served on
//! 127.0.0.1 (and 127.0.0.2 for a second host) on port 0.

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use common::{PROXY_ORIGIN, capture_logs, proxy, request, send, serve};
use sha2::{Digest, Sha256};

const MANIFEST: &str =
    r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#;
const WRONG_DIGEST: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
const FIVE_MIB: usize = 5 * 1024 * 1024;

#[derive(Clone, Default)]
struct Seen {
    options: Arc<AtomicUsize>,
    authorization: Arc<std::sync::Mutex<Vec<String>>>,
}

fn digest_of(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn manifest_response(digest: Option<&str>, body: Body) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        "application/vnd.oci.image.manifest.v1+json"
            .parse()
            .unwrap(),
    );
    if let Some(d) = digest {
        headers.insert("docker-content-digest", d.parse().unwrap());
    }
    response
}

/// The misbehaving registry; `elsewhere` is a second host for redirects.
fn misbehaving(seen: Seen, elsewhere: String) -> Router {
    let realm = "http://127.0.0.2:9/token-from-registry";
    Router::new()
        .route("/v2/", any(|State(seen): State<Seen>, method: axum::http::Method| async move {
            if method == axum::http::Method::OPTIONS {
                seen.options.fetch_add(1, Ordering::SeqCst);
                return StatusCode::UNAUTHORIZED.into_response();
            }
            StatusCode::OK.into_response()
        }))
        .route("/v2/wrong/manifests/latest", get(|| async { manifest_response(Some(WRONG_DIGEST), Body::from(MANIFEST)) }))
        .route("/v2/nodigest/manifests/latest", get(|| async { manifest_response(None, Body::from(MANIFEST)) }))
        .route("/v2/big/manifests/latest", get(|| async { manifest_response(None, Body::from(vec![b' '; FIVE_MIB])) }))
        .route("/v2/bigstream/manifests/latest", get(|| async {
            let chunks = (0..80).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 64 * 1024])));
            manifest_response(None, Body::from_stream(futures_util::stream::iter(chunks)))
        }))
        .route("/v2/slow/manifests/latest", get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            manifest_response(None, Body::from(MANIFEST))
        }))
        .route("/v2/app/blobs/{digest}", get(move || {
            let target = format!("{elsewhere}/blob");
            async move { (StatusCode::TEMPORARY_REDIRECT, [("location", target)]).into_response() }
        }))
        .route("/v2/locked/manifests/latest", get(move || async move {
            let challenge = format!(r#"Bearer realm="{realm}",service="fake",scope="repository:locked:pull""#);
            (StatusCode::UNAUTHORIZED, [("www-authenticate", challenge)], r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
        }))
        .with_state(seen)
}

/// A second host that records the `Authorization` it receives.
fn blob_host(seen: Seen) -> Router {
    Router::new()
        .route(
            "/blob",
            get(|State(seen): State<Seen>, headers: HeaderMap| async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                seen.authorization.lock().unwrap().push(auth);
                "blob bytes"
            }),
        )
        .route(
            "/token",
            get(
                |State(seen): State<Seen>,
                 headers: HeaderMap,
                 Query(query): Query<Vec<(String, String)>>| async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    seen.authorization.lock().unwrap().push(auth);
                    let names: Vec<String> = query.iter().map(|(k, _)| k.clone()).collect();
                    axum::Json(serde_json::json!({"token": "issued", "params": names}))
                },
            ),
        )
        .with_state(seen)
}

struct Setup {
    router: Router,
    registry: String,
    seen: Seen,
}

async fn setup(extra: &[&str]) -> Setup {
    let seen = Seen::default();
    let blob_address = serve(blob_host(seen.clone()), "127.0.0.2").await;
    let registry_address = serve(
        misbehaving(seen.clone(), format!("http://{blob_address}")),
        "127.0.0.1",
    )
    .await;
    let registry = registry_address.to_string();

    let mut flags = vec![
        "--no-default-registries",
        "--allow-private",
        &registry,
        "--plain-http",
        &registry,
    ];
    flags.extend_from_slice(extra);
    Setup {
        router: proxy(&flags),
        registry,
        seen,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_wrong_and_missing_digests_through_and_warns() {
    let logs = capture_logs();
    let s = setup(&[]).await;

    let wrong = send(
        &s.router,
        request(
            "GET",
            &format!("/r/{}/v2/wrong/manifests/latest", s.registry),
        )
        .body(Body::empty())
        .unwrap(),
    )
    .await;
    let missing = send(
        &s.router,
        request(
            "GET",
            &format!("/r/{}/v2/nodigest/manifests/latest", s.registry),
        )
        .body(Body::empty())
        .unwrap(),
    )
    .await;

    assert_eq!(wrong.status, StatusCode::OK);
    assert_eq!(wrong.text(), MANIFEST);
    assert_eq!(wrong.header("docker-content-digest"), Some(WRONG_DIGEST));
    assert_eq!(missing.text(), MANIFEST);
    assert!(missing.header("docker-content-digest").is_none());
    let text = logs.text();
    assert!(
        text.contains("WARN") && text.contains("does not match the manifest bytes"),
        "{text}"
    );
    assert!(text.contains(&digest_of(MANIFEST.as_bytes())), "{text}");
    assert!(text.contains("without Docker-Content-Digest"), "{text}");
}

#[tokio::test]
async fn never_forwards_a_preflight() {
    let s = setup(&[]).await;
    let preflight = request("OPTIONS", &format!("/r/{}/v2/", s.registry))
        .header("origin", PROXY_ORIGIN)
        .header("access-control-request-method", "GET")
        .body(Body::empty())
        .unwrap();

    let answer = send(&s.router, preflight).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(s.seen.options.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn refuses_oversized_manifests() {
    let s = setup(&[]).await;

    let announced = send(
        &s.router,
        request("GET", &format!("/r/{}/v2/big/manifests/latest", s.registry))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let streamed = send(
        &s.router,
        request(
            "GET",
            &format!("/r/{}/v2/bigstream/manifests/latest", s.registry),
        )
        .body(Body::empty())
        .unwrap(),
    )
    .await;
    let pushed = send(
        &s.router,
        request("PUT", &format!("/r/{}/v2/big/manifests/latest", s.registry))
            .header("content-type", "application/vnd.oci.image.manifest.v1+json")
            .body(Body::from(vec![b' '; FIVE_MIB]))
            .unwrap(),
    )
    .await;

    assert_eq!(announced.status, StatusCode::BAD_GATEWAY);
    assert_eq!(announced.error_code(), "SIZE_INVALID");
    assert_eq!(streamed.status, StatusCode::BAD_GATEWAY);
    assert_eq!(streamed.error_code(), "SIZE_INVALID");
    assert_eq!(pushed.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn times_out_slow_registries() {
    let s = setup(&["--response-timeout", "1"]).await;

    let answer = send(
        &s.router,
        request(
            "GET",
            &format!("/r/{}/v2/slow/manifests/latest", s.registry),
        )
        .body(Body::empty())
        .unwrap(),
    )
    .await;

    assert_eq!(answer.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(answer.error_code(), "UNAVAILABLE");
}

#[tokio::test]
async fn reports_reset_connections() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let router = proxy(&[
        "--no-default-registries",
        "--allow-private",
        &address,
        "--plain-http",
        &address,
    ]);

    let answer = send(
        &router,
        request("GET", &format!("/r/{address}/v2/"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;

    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert_eq!(answer.error_code(), "UNAVAILABLE");
    assert!(
        answer.text().contains("could not be reached"),
        "{}",
        answer.text()
    );
}

#[tokio::test]
async fn refuses_a_redirect_to_a_loopback_address_not_allowed() {
    let s = setup(&[]).await;

    let answer = send(
        &s.router,
        request("GET", &format!("/r/{}/v2/app/blobs/sha256:00", s.registry))
            .body(Body::empty())
            .unwrap(),
    )
    .await;

    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
    assert!(answer.text().contains("127.0.0.2:"), "{}", answer.text());
    assert!(
        answer.text().contains("is a loopback address"),
        "{}",
        answer.text()
    );
    assert!(s.seen.authorization.lock().unwrap().is_empty());
}

#[tokio::test]
async fn follows_allowed_redirects_and_drops_authorization_across_hosts() {
    let s = setup(&["--allow-private", "127.0.0.2"]).await;

    let answer = send(
        &s.router,
        request("GET", &format!("/r/{}/v2/app/blobs/sha256:00", s.registry))
            .header("authorization", "Basic dXNlcjpzZWNyZXQ=")
            .body(Body::empty())
            .unwrap(),
    )
    .await;

    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.text(), "blob bytes");
    assert_eq!(*s.seen.authorization.lock().unwrap(), [String::new()]);
}

#[tokio::test]
async fn relays_tokens_from_the_realm_the_registry_announced() {
    let s = setup(&["--allow-private", "127.0.0.2"]).await;
    let locked = send(
        &s.router,
        request(
            "GET",
            &format!("/r/{}/v2/locked/manifests/latest", s.registry),
        )
        .body(Body::empty())
        .unwrap(),
    )
    .await;

    let challenge = locked.header("www-authenticate").unwrap().to_owned();
    let token_path = format!(
        "/r/{}/token?service=fake&scope=repository:locked:pull&realm=http://127.0.0.3/",
        s.registry
    );
    let token = send(
        &s.router,
        request("GET", &token_path)
            .header("authorization", "Basic dXNlcjpzZWNyZXQ=")
            .body(Body::empty())
            .unwrap(),
    )
    .await;

    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(locked.error_code(), "UNAUTHORIZED");
    let expected_realm = format!(r#"Bearer realm="{PROXY_ORIGIN}/r/{}/token""#, s.registry);
    assert!(challenge.starts_with(&expected_realm), "{challenge}");
    assert!(
        challenge.contains(r#"scope="repository:locked:pull""#),
        "{challenge}"
    );
    assert_eq!(
        token.status,
        StatusCode::BAD_GATEWAY,
        "the announced realm's port 9 is closed"
    );

    let s = setup(&["--allow-private", "127.0.0.2"]).await;
    let realm_router = relay_with_working_realm(&s).await;
    let token = send(
        &realm_router.0,
        request(
            "GET",
            &format!(
                "/r/{}/token?service=fake&scope=repository:locked:pull&realm=http://127.0.0.3/",
                realm_router.1
            ),
        )
        .header("authorization", "Basic dXNlcjpzZWNyZXQ=")
        .body(Body::empty())
        .unwrap(),
    )
    .await;

    assert_eq!(token.status, StatusCode::OK, "{}", token.text());
    assert_eq!(token.header("cache-control"), Some("no-store"));
    let body: serde_json::Value = serde_json::from_slice(&token.body).unwrap();
    assert_eq!(body["token"], "issued");
    assert_eq!(body["params"], serde_json::json!(["service", "scope"]));
    assert_eq!(
        *s.seen.authorization.lock().unwrap(),
        ["Basic dXNlcjpzZWNyZXQ="]
    );
}

/// A registry whose 401 names the blob host's `/token` as realm; the proxy
/// learns the realm by itself (no 401 seen before the token request).
async fn relay_with_working_realm(s: &Setup) -> (Router, String) {
    let blob = s.seen.clone();
    let blob_address = serve(blob_host(blob), "127.0.0.2").await;
    let realm = format!("http://{blob_address}/token");
    let registry =
        Router::new().route(
            "/v2/",
            get(move || {
                let challenge = format!(r#"Bearer realm="{realm}",service="fake""#);
                async move {
                    (StatusCode::UNAUTHORIZED, [("www-authenticate", challenge)]).into_response()
                }
            }),
        );
    let address = serve(registry, "127.0.0.1").await.to_string();
    let flags = [
        "--no-default-registries",
        "--allow-private",
        &address,
        "--plain-http",
        &address,
        "--allow-private",
        "127.0.0.2",
    ];
    (proxy(&flags), address)
}
