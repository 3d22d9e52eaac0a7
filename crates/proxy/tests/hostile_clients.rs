//! The proxy, served on a real 127.0.0.1 port, against clients that break
//! the rules: oversized and malformed heads, slow senders, uploads cut off
//! half-way, header injection, refused and disguised hosts, and a thousand
//! connections at once. Each gets a clear answer (or a closed connection when
//! no answer is possible), and the proxy answers the next request.
//!
//! The upstream is an in-process registry on 127.0.0.1 that records what
//! reaches it. Every target in this file is on 127.0.0.0/8.

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use common::{client, serve, serve_proxy};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What reached the upstream registry.
#[derive(Clone, Default)]
struct Seen {
    /// Request target and header block of each request.
    requests: Arc<Mutex<Vec<(String, String)>>>,
    /// How each upload body ended: `complete` or `broke off`.
    uploads: Arc<Mutex<Vec<&'static str>>>,
}

impl Seen {
    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

async fn record(State(seen): State<Seen>, request: Request) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let fields: String = parts
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())))
        .collect();
    seen.requests
        .lock()
        .unwrap()
        .push((parts.uri.to_string(), fields));

    if parts.uri.path().starts_with("/v2/slow/") {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    if parts.method == axum::http::Method::PATCH {
        let mut stream = body.into_data_stream();
        let mut ending = "complete";
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                ending = "broke off";
                break;
            }
        }
        seen.uploads.lock().unwrap().push(ending);
    }
    (StatusCode::OK, "{}").into_response()
}

async fn recording_registry() -> (String, Seen) {
    let seen = Seen::default();
    let router = Router::new().fallback(record).with_state(seen.clone());
    let address = serve(router, "127.0.0.1").await;
    (address.to_string(), seen)
}

async fn proxy_for(
    registry: &str,
    extra: &[&str],
) -> (SocketAddr, polyarch_proxy::state::AppState) {
    let mut flags = vec![
        "--no-default-registries",
        "--allow-private",
        registry,
        "--plain-http",
        registry,
    ];
    flags.extend_from_slice(extra);
    serve_proxy(&flags).await
}

/// Writes raw bytes and reads until the proxy closes the connection (or
/// 5 s pass); gives what was read.
async fn raw(proxy: SocketAddr, bytes: &[u8]) -> String {
    let mut socket = TcpStream::connect(proxy).await.unwrap();
    let _ = socket.write_all(bytes).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// Status of a plain `GET /r/{registry}/v2/` through the proxy.
async fn still_serving(proxy: SocketAddr, registry: &str) -> u16 {
    let url = format!("http://{proxy}/r/{registry}/v2/");
    client().get(url).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn answers_oversized_and_malformed_heads_and_keeps_serving() {
    let (registry, seen) = recording_registry().await;
    let (proxy, _) = proxy_for(&registry, &[]).await;
    let path = format!("/r/{registry}/v2/");
    let table = [
        (
            format!(
                "GET {path} HTTP/1.1\r\nHost: p\r\nX-Filler: {}\r\n\r\n",
                "x".repeat(100_000)
            ),
            "HTTP/1.1 431",
        ),
        (
            format!(
                "GET {path} HTTP/1.1\r\nHost: p\r\nX-Filler: {}\r\n\r\n",
                "x".repeat(20_000)
            ),
            "HTTP/1.1 431",
        ),
        (
            format!(
                "GET {path} HTTP/1.1\r\nHost: p\r\n{}\r\n",
                "X-Many: 1\r\n".repeat(150)
            ),
            "HTTP/1.1 431",
        ),
        ("NOT HTTP AT ALL\r\n\r\n".to_owned(), "HTTP/1.1 400"),
        (
            format!("GET {path} HTTP/1.1\r\nBad Header\r\n\r\n"),
            "HTTP/1.1 400",
        ),
        (
            format!("GET {path} HTTP/1.1\r\nHost: p\r\nContent-Length: x\r\n\r\n"),
            "HTTP/1.1 400",
        ),
        (
            format!(
                "PUT {path} HTTP/1.1\r\nHost: p\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
            ),
            "HTTP/1.1 400",
        ),
        (
            format!("GET {path}x\rX-Injected: 1 HTTP/1.1\r\nHost: p\r\n\r\n"),
            "HTTP/1.1 400",
        ),
        (
            format!("GET {path}x\nX-Injected: 1 HTTP/1.1\r\nHost: p\r\n\r\n"),
            "HTTP/1.1 400",
        ),
    ];

    for (head, expected) in &table {
        let answer = raw(proxy, head.as_bytes()).await;

        assert!(answer.starts_with(expected), "{:.60}: {answer:.200}", head);
        assert_eq!(
            still_serving(proxy, &registry).await,
            200,
            "after {:.60}",
            head
        );
    }
    let requests = seen.requests.lock().unwrap();
    assert!(
        requests.iter().all(|(target, _)| target == "/v2/"),
        "{requests:?}"
    );
}

#[tokio::test]
async fn closes_slow_and_idle_connections_after_the_head_timeout() {
    let (registry, _) = recording_registry().await;
    let (proxy, _) = proxy_for(&registry, &["--request-head-timeout", "1"]).await;
    let head = format!("GET /r/{registry}/v2/ HTTP/1.1\r\nHost: p\r\nX-Slow: ");

    let slow_started = Instant::now();
    let mut slow = TcpStream::connect(proxy).await.unwrap();
    let mut slow_closed = false;
    for byte in head.bytes().chain(std::iter::repeat_n(b'a', 40)) {
        if slow.write_all(&[byte]).await.is_err() {
            slow_closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), slow.read_to_end(&mut rest)).await;
    let slow_took = slow_started.elapsed();

    let idle_started = Instant::now();
    let mut idle = TcpStream::connect(proxy).await.unwrap();
    let mut nothing = Vec::new();
    let idle_read =
        tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut nothing)).await;
    let idle_took = idle_started.elapsed();

    assert!(
        slow_closed || matches!(read, Ok(Ok(_))),
        "slow sender not cut off"
    );
    assert!(
        slow_took < Duration::from_secs(8),
        "slow sender held {slow_took:?}"
    );
    assert!(
        matches!(idle_read, Ok(Ok(0))),
        "idle connection kept open: {idle_read:?}"
    );
    assert!(
        idle_took < Duration::from_secs(3),
        "idle connection held {idle_took:?}"
    );
    assert_eq!(still_serving(proxy, &registry).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_vanishes_mid_upload_aborts_the_upstream_upload() {
    let (registry, seen) = recording_registry().await;
    let (proxy, state) = proxy_for(&registry, &["--max-concurrent", "4"]).await;
    let head = format!(
        "PATCH /r/{registry}/v2/app/blobs/uploads/u1 HTTP/1.1\r\nHost: p\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: 10485760\r\n\r\n"
    );

    let mut socket = TcpStream::connect(proxy).await.unwrap();
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&vec![0u8; 1024 * 1024]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(socket);
    let started = Instant::now();
    while seen.uploads.lock().unwrap().is_empty() && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while state.permits.available_permits() < 4 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    assert_eq!(*seen.uploads.lock().unwrap(), ["broke off"]);
    assert_eq!(state.permits.available_permits(), 4, "request slot leaked");
    assert_eq!(still_serving(proxy, &registry).await, 200);
}

#[tokio::test]
async fn encoded_line_breaks_stay_encoded_and_never_become_headers() {
    let (registry, seen) = recording_registry().await;
    let (proxy, _) = proxy_for(&registry, &[]).await;
    let paths = [
        format!("/r/{registry}/v2/app%0d%0aX-Injected:%201/manifests/latest"),
        format!("/r/{registry}/v2/app/tags/list?n=1%0D%0AX-Injected:%201"),
        format!("/r/{registry}/v2/app/blobs/sha256:00?x=%0aX-Injected:%201"),
    ];

    for path in &paths {
        let status = client()
            .get(format!("http://{proxy}{path}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "{path}");
    }
    let refused = client()
        .get(format!(
            "http://{proxy}/r/127.0.0.1%0d%0aX-Injected:%201/v2/"
        ))
        .send()
        .await
        .unwrap();

    assert_eq!(refused.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    assert_eq!(body["errors"][0]["code"], "NAME_INVALID");
    let requests = seen.requests.lock().unwrap();
    assert_eq!(requests.len(), paths.len());
    for (target, fields) in requests.iter() {
        assert!(
            !fields.to_ascii_lowercase().contains("x-injected"),
            "{fields}"
        );
        assert!(
            !target.contains('\r') && !target.contains('\n'),
            "{target:?}"
        );
        assert!(target.to_ascii_lowercase().contains("%0a"), "{target}");
    }
}

#[tokio::test]
async fn refuses_disallowed_hosts_and_disguised_loopback_without_sending() {
    let (allowed, _) = recording_registry().await;
    let (target, seen) = recording_registry().await;
    let port = target.rsplit(':').next().unwrap().to_owned();
    let listed = format!("127.0.0.1:{port},localhost:{port}");
    let (proxy, _) = proxy_for(&allowed, &["--allow-registry", &listed]).await;
    let table = [
        (format!("127.0.0.2:{port}"), 403, "is not allowed"),
        (format!("127.0.0.1:{port}"), 403, "is a loopback address"),
        (format!("2130706433:{port}"), 403, "is a loopback address"),
        (format!("0x7f000001:{port}"), 403, "is a loopback address"),
        (format!("0x7f.1:{port}"), 403, "is a loopback address"),
        (format!("[::ffff:127.0.0.1]:{port}"), 403, "is not allowed"),
        (format!("127.0.0.1.:{port}"), 403, "is a loopback address"),
        (format!("localhost:{port}"), 403, "is a loopback address"),
        (format!("localhost.:{port}"), 403, "is a loopback address"),
        (format!("[::1]:{port}"), 403, "is not allowed"),
    ];

    for (name, status, message) in &table {
        let answer = client()
            .get(format!("http://{proxy}/r/{name}/v2/"))
            .send()
            .await
            .unwrap();

        assert_eq!(answer.status().as_u16(), *status, "{name}");
        let body: serde_json::Value =
            serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
        let text = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(text.contains(message), "{name}: {text}");
    }
    assert_eq!(seen.count(), 0, "a refused target was reached");
    assert_eq!(still_serving(proxy, &allowed).await, 200);
}

/// Opens `connections` connections at once, each sending one request for a
/// slow upstream answer; gives (answered 200, answered 503 with
/// `Retry-After`, anything else) and the time taken.
async fn burst(
    proxy: SocketAddr,
    registry: &str,
    connections: usize,
) -> ((usize, usize, usize), Duration) {
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(connections);
    for i in 0..connections {
        let head = format!(
            "GET /r/{registry}/v2/slow/manifests/{i} HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"
        );
        tasks.push(tokio::spawn(async move {
            let mut socket = TcpStream::connect(proxy).await.ok()?;
            socket.write_all(head.as_bytes()).await.ok()?;
            let mut answer = Vec::new();
            tokio::time::timeout(Duration::from_secs(30), socket.read_to_end(&mut answer))
                .await
                .ok()?
                .ok()?;
            Some(String::from_utf8_lossy(&answer).into_owned())
        }));
    }

    let mut counts = (0, 0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Some(a) if a.starts_with("HTTP/1.1 200") => counts.0 += 1,
            Some(a)
                if a.starts_with("HTTP/1.1 503")
                    && a.to_ascii_lowercase().contains("\r\nretry-after: 1\r\n") =>
            {
                counts.1 += 1
            }
            _ => counts.2 += 1,
        }
    }
    (counts, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_at_once_get_answers_or_busy_and_nothing_breaks() {
    let (registry, _) = recording_registry().await;
    let (proxy, state) = proxy_for(&registry, &["--max-concurrent", "64"]).await;

    let ((ok, busy, failed), took) = burst(proxy, &registry, 1000).await;

    assert_eq!(failed, 0, "{ok} answered, {busy} busy");
    assert_eq!(ok + busy, 1000);
    assert!(ok >= 64, "only {ok} answered");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(state.permits.available_permits(), 64);
    assert_eq!(still_serving(proxy, &registry).await, 200);
}

/// The long version, for `make load`: ten bursts of 1,000 connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long; run by make load"]
async fn ten_bursts_of_a_thousand_connections() {
    let (registry, _) = recording_registry().await;
    let (proxy, state) = proxy_for(&registry, &["--max-concurrent", "256"]).await;

    for round in 0..10 {
        let ((ok, busy, failed), took) = burst(proxy, &registry, 1000).await;

        println!("burst {round}: {ok} answered, {busy} busy, {failed} failed in {took:?}");
        assert_eq!(failed, 0, "round {round}");
        assert!(
            took < Duration::from_secs(30),
            "round {round} took {took:?}"
        );
    }
    assert_eq!(state.permits.available_permits(), 256);
}
