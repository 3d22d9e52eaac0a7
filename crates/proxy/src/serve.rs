//! Accepting connections: HTTP/1.1 with bounds on what one client may hold.
//!
//! `axum::serve` puts no time limit on a request head, so a client that
//! sends one header byte every few seconds (slowloris) could hold a
//! connection, and its memory, for ever. [`serve`] accepts connections itself
//! and hands each to hyper's HTTP/1 server with these rules (RFC 9112 for
//! the message syntax):
//!
//! | Situation | What happens |
//! |---|---|
//! | request head not complete `--request-head-timeout` after its first byte (10 s) | connection closed |
//! | keep-alive connection idle for as long | connection closed |
//! | request head larger than [`READ_BUFFER_BYTES`] (64 KiB), or more than 100 fields | `431`, connection closed (hyper) |
//! | head within that but over `--max-header-bytes` (16 KiB) | `431` with an error envelope ([`crate::forward`]) |
//! | malformed request line or field (a raw CR or LF in the target, a bad name, a bad `Content-Length`) | `400`, connection closed (hyper) |
//! | the client goes away mid-request | the handler is dropped, which drops the upstream request: an upload in flight is cut off, its request slot returned |
//! | accepting fails (no file descriptor left) | logged at `error`, retried after 100 ms; never fatal |
//!
//! Connections are not counted: each costs a task and a 64 KiB buffer at
//! most, and the time limits above bound how long an idle or slow one lives.
//! The number of requests forwarded at once is bounded separately
//! (`--max-concurrent`, `503` with `Retry-After`).
//!
//! On shutdown the listener closes at once; open connections finish their
//! current request (up to [`DRAIN`]), then [`serve`] returns.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::config::Limits;

/// Largest read buffer per connection, and so the largest request head.
pub const READ_BUFFER_BYTES: usize = 64 * 1024;

/// How long open connections may take to finish after shutdown begins.
pub const DRAIN: Duration = Duration::from_secs(30);

/// Pause after a failed `accept` (file descriptors exhausted, typically).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until `shutdown` resolves, then lets open
/// connections finish (up to [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.request_head_timeout)
        .max_buf_size(READ_BUFFER_BYTES);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::error!(error = %error, "cannot accept a connection");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);

        let service = TowerToHyperService::new(app.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(peer = %peer, error = %error, "connection ended with an error");
            }
        });
    }

    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!(
            seconds = DRAIN.as_secs(),
            "connections still open after the drain time; closing them"
        );
    }
}
