//! Helpers shared by the proxy's integration tests: building the router,
//! sending requests to it without sockets, capturing logs, and starting
//! local servers on 127.0.0.1 only.

#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use std::io::Write;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use bytes::Bytes;
use clap::Parser;
use http_body_util::BodyExt;
use polyarch_proxy::config::{Args, Config, FileConfig};
use polyarch_proxy::state::AppState;
use tower::ServiceExt;

/// The origin the tests' proxy believes it has.
pub const PROXY_ORIGIN: &str = "http://127.0.0.1:8080";

/// The proxy's router for these flags (the program name is added).
pub fn proxy(flags: &[&str]) -> Router {
    let mut argv = vec!["polyarch-proxy"];
    argv.extend_from_slice(flags);
    let config = Config::from_parts(Args::parse_from(argv), FileConfig::default()).unwrap();
    polyarch_proxy::app(AppState::new(config).unwrap())
}

/// A response read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `code` of the first error in a registry error envelope.
    pub fn error_code(&self) -> String {
        let value: serde_json::Value = serde_json::from_slice(&self.body).unwrap_or_default();
        value["errors"][0]["code"].as_str().unwrap_or("").to_owned()
    }
}

/// Sends one request to the router, no socket involved.
pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    Answer {
        status,
        headers,
        body,
    }
}

/// A request builder with the given method and URI.
pub fn request(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(uri)
}

/// A free port on 127.0.0.1 (bound and released).
pub fn free_port() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Serves a router on 127.0.0.1 (or another loopback address) port 0; the
/// server stops with the test's runtime.
pub async fn serve(router: Router, ip: &str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    address
}

/// Waits until something accepts connections on the address.
pub async fn wait_for_port(address: SocketAddr) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(address).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {address}");
}

/// Log lines written while the guard lives, at debug level for every target.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line of this test binary, at debug level for every
/// target, from the first call on. A process-wide subscriber is used because
/// a thread-scoped one can miss events whose callsites another test thread
/// registered first.
pub fn capture_logs() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::DEBUG)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).unwrap();
            captured
        })
        .clone()
}

/// The proxy for these flags, served on a real 127.0.0.1 port through
/// [`polyarch_proxy::serve::serve`]; the state is returned so that tests can
/// read its request slots. The server stops with the test's runtime.
pub async fn serve_proxy(flags: &[&str]) -> (SocketAddr, AppState) {
    let mut argv = vec!["polyarch-proxy"];
    argv.extend_from_slice(flags);
    let config = Config::from_parts(Args::parse_from(argv), FileConfig::default()).unwrap();
    let limits = config.limits.clone();
    let state = AppState::new(config).unwrap();
    let router = polyarch_proxy::app(state.clone());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        polyarch_proxy::serve::serve(listener, router, &limits, std::future::pending()).await;
    });
    (address, state)
}

/// An HTTP client for the tests: no system proxy, no connection reuse, and
/// a 20 s bound on every request so that no test can hang.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}
