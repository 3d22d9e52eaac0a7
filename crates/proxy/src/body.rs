//! Response bodies on their way back to the page.
//!
//! Blob bodies stream through in constant memory: each chunk is passed on
//! as it arrives, counted, and dropped. When the body ends (or the page goes
//! away) one `debug` line records the request: method, registry, path
//! without its query, status, bytes and milliseconds. A body that breaks off
//! upstream is logged at `warn` and ends the page's response with an error,
//! so a truncated blob is never mistaken for a whole one.
//!
//! Manifests are small and bounded ([`read_manifest`]): the proxy reads one
//! whole, up to the manifest limit, so that an oversized manifest is refused
//! with a clear error rather than cut off, and so that a
//! `Docker-Content-Digest` that does not match the bytes can be logged at
//! `warn`. The bytes and the header are passed on unchanged either way: the
//! page computes digests itself, over the bytes it receives.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::sync::OwnedSemaphorePermit;

use crate::error::AppError;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, reqwest::Error>> + Send>>;

/// What the request log line says about a request.
#[derive(Debug, Clone)]
pub struct RequestLog {
    /// The method.
    pub method: String,
    /// The registry as named in the path.
    pub registry: String,
    /// The proxy path, without query.
    pub path: String,
    /// The status sent to the page.
    pub status: u16,
    /// When the request arrived.
    pub started: Instant,
}

impl RequestLog {
    /// Writes the request line.
    pub fn emit(&self, bytes: u64) {
        tracing::debug!(
            method = %self.method,
            registry = %self.registry,
            path = %self.path,
            status = self.status,
            bytes,
            ms = self.started.elapsed().as_millis() as u64,
            "request"
        );
    }
}

/// A response body that counts, logs at its end and holds a request slot.
pub struct Observed {
    inner: ByteStream,
    bytes: u64,
    log: RequestLog,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Observed {
    /// Wraps an upstream body.
    pub fn new(
        inner: impl Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
        log: RequestLog,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Observed {
        Observed {
            inner: Box::pin(inner),
            bytes: 0,
            log,
            _permit: permit,
        }
    }
}

impl Stream for Observed {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.bytes += chunk.len() as u64;
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(error))) => {
                let error = error.without_url();
                tracing::warn!(
                    registry = %self.log.registry,
                    path = %self.log.path,
                    after_bytes = self.bytes,
                    error = %error,
                    "registry body broke off"
                );
                Poll::Ready(Some(Err(Box::new(error))))
            }
            other => other.map(|o| o.map(|r| r.map_err(|e| Box::new(e) as BoxError))),
        }
    }
}

impl Drop for Observed {
    fn drop(&mut self) {
        self.log.emit(self.bytes);
    }
}

/// Reads a whole manifest body, refusing one longer than `limit`.
pub async fn read_manifest(
    mut body: impl Stream<Item = Result<Bytes, reqwest::Error>> + Unpin,
    announced_length: Option<u64>,
    limit: u64,
) -> Result<Bytes, ManifestReadError> {
    if announced_length.is_some_and(|n| n > limit) {
        return Err(ManifestReadError::TooLarge);
    }

    let mut buffer = Vec::with_capacity(announced_length.unwrap_or(0) as usize);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ManifestReadError::Broken(e.without_url()))?;
        if (buffer.len() + chunk.len()) as u64 > limit {
            return Err(ManifestReadError::TooLarge);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

/// Why a manifest body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestReadError {
    /// Longer than the limit.
    #[error("manifest larger than the limit")]
    TooLarge,
    /// The body broke off.
    #[error("manifest body broke off")]
    Broken(#[source] reqwest::Error),
}

impl ManifestReadError {
    /// The proxy error for the page: `SIZE_INVALID` for a manifest over
    /// `limit`, a timeout for a body that stalled longer than the response
    /// timeout, and `UNAVAILABLE` for one that broke off.
    pub fn into_app_error(self, host: String, limit: u64, timeout: Duration) -> AppError {
        match self {
            ManifestReadError::TooLarge => AppError::UpstreamManifestTooLarge { limit },
            ManifestReadError::Broken(source) if source.is_timeout() => AppError::UpstreamTimeout {
                seconds: timeout.as_secs(),
            },
            ManifestReadError::Broken(source) => AppError::UpstreamUnreachable { host, source },
        }
    }
}

/// `sha256:<hex>` of the bytes.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut text = String::with_capacity(7 + 64);
    text.push_str("sha256:");
    for byte in hash {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// Compares an announced `Docker-Content-Digest` with the bytes; logs at
/// `warn` when it is missing or does not match. Digests of other algorithms
/// are not checked.
pub fn check_announced_digest(announced: Option<&str>, bytes: &[u8], log: &RequestLog) {
    let Some(announced) = announced else {
        tracing::warn!(registry = %log.registry, path = %log.path, "registry sent a manifest without Docker-Content-Digest");
        return;
    };
    if !announced.starts_with("sha256:") {
        return;
    }

    let computed = sha256_digest(bytes);
    if computed != announced {
        tracing::warn!(
            registry = %log.registry,
            path = %log.path,
            announced,
            computed = %computed,
            "registry's Docker-Content-Digest does not match the manifest bytes; passed on unchanged"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(
        parts: &[&'static [u8]],
    ) -> impl Stream<Item = Result<Bytes, reqwest::Error>> + Unpin {
        let items: Vec<Result<Bytes, reqwest::Error>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        futures_util::stream::iter(items)
    }

    #[test]
    fn digests_bytes() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[tokio::test]
    async fn reads_manifests_up_to_the_limit() {
        let whole = read_manifest(chunks(&[b"{\"a\":", b"1}"]), None, 7)
            .await
            .unwrap();
        let too_long = read_manifest(chunks(&[b"{\"a\":", b"12}"]), None, 7).await;
        let announced_too_long = read_manifest(chunks(&[]), Some(8), 7).await;

        assert_eq!(&whole[..], b"{\"a\":1}");
        assert!(matches!(too_long, Err(ManifestReadError::TooLarge)));
        assert!(matches!(
            announced_too_long,
            Err(ManifestReadError::TooLarge)
        ));
    }
}
