//! The proxy against a registry that breaks HTTP mid-body: a scripted server
//! on 127.0.0.1 that writes raw bytes, so it can do what no well-behaved
//! server library would (announce more than it sends, reset, never end,
//! stall, contradict itself, redirect in a loop).
//!
//! What the page sees, by case:
//!
//! - A manifest is read whole before the proxy answers, so every failure
//!   becomes a distribution error envelope with a status (`502`, or `504`
//!   for a stall): the page can show the message.
//! - A blob streams through: its status and `Content-Length` are already on
//!   their way when the body breaks, so the only honest signal left is to
//!   break the page's response too. The proxy aborts the connection, and the
//!   client sees an incomplete body (`fetch` rejects while reading), never a
//!   short blob that looks whole.
//!
//! After each case the same proxy answers a plain request, to show that it
//! keeps serving.

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{client, serve_proxy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const CHUNK: usize = 64 * 1024;
/// The scripted server never writes more than this on one response.
const ENDLESS_CAP: usize = 64 * 1024 * 1024;
/// Nor stalls longer than this.
const STALL_CAP: Duration = Duration::from_secs(20);

/// Reads one request head; gives its target, or `None` when the connection
/// ends first.
async fn read_target(socket: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    text.split(' ').nth(1).map(str::to_owned)
}

fn head(status: &str, kind: &str, fields: &str) -> String {
    let content_type = if kind == "manifests" {
        MANIFEST_TYPE
    } else {
        "application/octet-stream"
    };
    format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{fields}\r\n")
}

/// Answers requests on one connection by script; returns when the script
/// closes or resets the connection.
async fn answer(mut socket: TcpStream) {
    for _ in 0..100 {
        let Some(target) = read_target(&mut socket).await else {
            return;
        };
        let mut parts = target.trim_start_matches("/v2/t/").split('/');
        let (kind, case) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));

        let written = match case {
            "truncated" => {
                let h = head("200 OK", kind, "Content-Length: 1000\r\n");
                let _ = socket.write_all(h.as_bytes()).await;
                let _ = socket.write_all(&[b'{'; 100]).await;
                return;
            }
            "reset" => {
                let h = head("200 OK", kind, "Content-Length: 1048576\r\n");
                let _ = socket.write_all(h.as_bytes()).await;
                let _ = socket.write_all(&[b' '; CHUNK]).await;
                let _ = socket.flush().await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = socket.set_zero_linger();
                return;
            }
            "endless" => {
                let h = head("200 OK", kind, "Transfer-Encoding: chunked\r\n");
                let _ = socket.write_all(h.as_bytes()).await;
                let chunk = format!("{CHUNK:x}\r\n{}\r\n", " ".repeat(CHUNK));
                let started = Instant::now();
                let mut sent = 0;
                while sent < ENDLESS_CAP && started.elapsed() < STALL_CAP {
                    if socket.write_all(chunk.as_bytes()).await.is_err() {
                        break;
                    }
                    sent += CHUNK;
                }
                return;
            }
            "short" => {
                let h = head("200 OK", kind, "Content-Length: 10\r\n");
                let body = format!("{h}{{\"schemaVersion\":2,\"x\":\"yy\"}}");
                socket.write_all(body.as_bytes()).await
            }
            "conflicting" => {
                let h = head(
                    "200 OK",
                    kind,
                    "Content-Length: 10\r\nContent-Length: 20\r\n",
                );
                let _ = socket
                    .write_all(format!("{h}{}", "z".repeat(20)).as_bytes())
                    .await;
                return;
            }
            "stall" => {
                let h = head("200 OK", kind, "Content-Length: 100\r\n");
                let _ = socket
                    .write_all(format!("{h}{}", "s".repeat(10)).as_bytes())
                    .await;
                tokio::time::sleep(STALL_CAP).await;
                return;
            }
            "loop" => {
                let fields = format!("Location: {target}\r\nContent-Length: 0\r\n");
                socket
                    .write_all(head("302 Found", kind, &fields).as_bytes())
                    .await
            }
            _ => {
                let h = head("200 OK", kind, "Content-Length: 2\r\n");
                socket.write_all(format!("{h}{{}}").as_bytes()).await
            }
        };
        if written.is_err() {
            return;
        }
    }
}

async fn scripted_registry() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(answer(socket));
        }
    });
    address
}

/// What the page's client ends up with.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// A whole answer: status, envelope code (empty when none), body length.
    Answer(u16, String, usize),
    /// Headers arrived, then the body broke off.
    BrokenStream(u16),
}

async fn fetch(client: &reqwest::Client, url: &str) -> Outcome {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    match response.bytes().await {
        Ok(body) => {
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let code = value["errors"][0]["code"].as_str().unwrap_or("").to_owned();
            Outcome::Answer(status, code, body.len())
        }
        Err(_) => Outcome::BrokenStream(status),
    }
}

fn answer_with(status: u16, code: &str, length: Option<usize>) -> impl Fn(&Outcome) -> bool {
    let code = code.to_owned();
    move |outcome| match outcome {
        Outcome::Answer(s, c, n) => *s == status && *c == code && length.is_none_or(|l| *n == l),
        Outcome::BrokenStream(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_broken_body_ends_in_time_with_an_error_the_page_can_show() {
    let registry = scripted_registry().await.to_string();
    let (proxy, _) = serve_proxy(&[
        "--no-default-registries",
        "--allow-private",
        &registry,
        "--plain-http",
        &registry,
        "--response-timeout",
        "1",
    ])
    .await;
    let client = client();
    let broken = |o: &Outcome| matches!(o, Outcome::BrokenStream(200));
    type Check = Box<dyn Fn(&Outcome) -> bool>;
    let table: [(&str, Check, u64); 13] = [
        (
            "manifests/truncated",
            Box::new(answer_with(502, "UNAVAILABLE", None)),
            5,
        ),
        (
            "manifests/reset",
            Box::new(answer_with(502, "UNAVAILABLE", None)),
            5,
        ),
        (
            "manifests/endless",
            Box::new(answer_with(502, "SIZE_INVALID", None)),
            10,
        ),
        (
            "manifests/conflicting",
            Box::new(answer_with(502, "UNAVAILABLE", None)),
            5,
        ),
        (
            "manifests/stall",
            Box::new(answer_with(504, "UNAVAILABLE", None)),
            5,
        ),
        (
            "manifests/loop",
            Box::new(answer_with(502, "UNAVAILABLE", None)),
            5,
        ),
        (
            "manifests/short",
            Box::new(answer_with(200, "", Some(10))),
            5,
        ),
        ("blobs/truncated", Box::new(broken), 5),
        ("blobs/reset", Box::new(broken), 5),
        ("blobs/stall", Box::new(broken), 5),
        (
            "blobs/conflicting",
            Box::new(answer_with(502, "UNAVAILABLE", None)),
            5,
        ),
        (
            "blobs/loop",
            Box::new(answer_with(502, "UNAVAILABLE", None)),
            5,
        ),
        ("blobs/short", Box::new(answer_with(200, "", Some(10))), 5),
    ];

    for (case, check, seconds) in table {
        let url = format!("http://{proxy}/r/{registry}/v2/t/{case}");
        let started = Instant::now();

        let outcome = fetch(&client, &url).await;
        let took = started.elapsed();
        let after = fetch(&client, &format!("http://{proxy}/r/{registry}/v2/")).await;

        assert!(check(&outcome), "{case}: {outcome:?}");
        assert!(took < Duration::from_secs(seconds), "{case} took {took:?}");
        assert_eq!(
            after,
            Outcome::Answer(200, String::new(), 2),
            "after {case}"
        );
    }
}
