//! Sending requests upstream: the two HTTP clients, the check made before
//! every hop, and redirects.
//!
//! Every URL the proxy is about to fetch (the registry, each redirect
//! target, a token realm) passes [`check_hop`] first:
//!
//! - only `http` and `https`;
//! - an address literal (in any spelling, see [`crate::address`]) must be
//!   public, unless the `host:port` is named by `--allow-private`;
//! - a domain name is fetched with the public client, whose resolver drops
//!   non-public addresses at connect time ([`crate::resolver`]); only names
//!   on `--allow-private` use the unfiltered private client.
//!
//! Redirects are followed by the proxy, never by the browser, and only for
//! `GET` and `HEAD` (blob downloads sent to a CDN), at most
//! [`crate::config::Limits::max_redirects`] times. Each hop is checked again;
//! a hop to another origin drops `Authorization` and `Cookie`, so a
//! registry's credentials never reach a CDN or a host it names.
//!
//! Time limits: connecting, the start of the answer and each gap between
//! body chunks are bounded (see [`crate::config::Limits`]). Neither client
//! uses a system HTTP proxy.

use std::error::Error as StdError;
use std::sync::Arc;

use axum::http::{HeaderMap, Method, StatusCode, header};
use reqwest::redirect::Policy;
use url::Url;

use crate::address::classify;
use crate::config::Config;
use crate::error::AppError;
use crate::registry::Registry;
use crate::resolver::{BlockedName, PublicOnly};

const USER_AGENT: &str = concat!("polyarch-proxy/", env!("CARGO_PKG_VERSION"));

/// A request to send upstream.
#[derive(Debug)]
pub struct Outgoing {
    /// The method.
    pub method: Method,
    /// The first URL.
    pub url: Url,
    /// Headers to send (already filtered).
    pub headers: HeaderMap,
    /// The body, for `PUT`, `POST` and `PATCH`.
    pub body: Option<reqwest::Body>,
}

/// Which client a hop goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Public addresses only, enforced by the resolver.
    Public,
    /// Named by `--allow-private`: any address.
    Private,
}

/// Idle connections kept per registry host.
pub const IDLE_PER_REGISTRY: usize = 8;

/// How long an idle connection to a registry is kept.
pub const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The clients.
#[derive(Debug)]
pub struct Upstream {
    config: Arc<Config>,
    public: reqwest::Client,
    private: reqwest::Client,
}

impl Upstream {
    /// Builds both clients.
    ///
    /// # Errors
    ///
    /// When the TLS backend cannot be set up.
    pub fn new(config: Arc<Config>) -> Result<Upstream, reqwest::Error> {
        // Idle connections to registries are kept few and briefly: each
        // holds read buffers of up to a few hundred KiB, and under a burst
        // of clients the pool would otherwise grow with every connection
        // the burst opened and keep them for reqwest's default 90 s
        // (BENCHMARKS.md, "fixed-rate load").
        let builder = || {
            reqwest::Client::builder()
                .user_agent(USER_AGENT)
                .redirect(Policy::none())
                .no_proxy()
                .connect_timeout(config.limits.connect_timeout)
                .read_timeout(config.limits.response_timeout)
                .pool_max_idle_per_host(IDLE_PER_REGISTRY)
                .pool_idle_timeout(IDLE_TIMEOUT)
        };
        let public = builder().dns_resolver(Arc::new(PublicOnly)).build()?;
        let private = builder().build()?;

        Ok(Upstream {
            config,
            public,
            private,
        })
    }

    /// Sends a request, following redirects for `GET` and `HEAD`; gives the
    /// final response and the URL it came from.
    pub async fn send(&self, outgoing: Outgoing) -> Result<(reqwest::Response, Url), AppError> {
        let Outgoing {
            method,
            mut url,
            mut headers,
            mut body,
        } = outgoing;
        let follow = method == Method::GET || method == Method::HEAD;
        let max = self.config.limits.max_redirects;

        for hop in 0..=max {
            let route = check_hop(&url, &self.config)?;
            let client = match route {
                Route::Public => &self.public,
                Route::Private => &self.private,
            };

            let mut request = client
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(b) = body.take() {
                request = request.body(b);
            }
            let timeout = self.config.limits.response_timeout;
            let response = match tokio::time::timeout(timeout, request.send()).await {
                Err(_) => {
                    return Err(AppError::UpstreamTimeout {
                        seconds: timeout.as_secs(),
                    });
                }
                Ok(Err(error)) => return Err(send_error(error, &url, timeout.as_secs())),
                Ok(Ok(response)) => response,
            };

            if !(follow && is_followed_redirect(response.status())) {
                return Ok((response, url));
            }

            let next = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| url.join(v).ok())
                .ok_or(AppError::BadRedirect)?;
            if next.origin() != url.origin() {
                headers.remove(header::AUTHORIZATION);
                headers.remove(header::COOKIE);
            }
            tracing::debug!(
                hop = hop + 1,
                from = url.host_str().unwrap_or(""),
                to = next.host_str().unwrap_or(""),
                "following redirect"
            );
            url = next;
        }

        Err(AppError::TooManyRedirects { limit: max })
    }
}

fn is_followed_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Checks a URL before it is fetched and picks the client for it.
pub fn check_hop(url: &Url, config: &Config) -> Result<Route, AppError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::BadRedirect);
    }
    let host = url.host_str().ok_or(AppError::BadRedirect)?;
    let port = url.port_or_known_default().ok_or(AppError::BadRedirect)?;
    let registry: Registry = format!("{host}:{port}").parse()?;

    if config.allow_private.allows(&registry) {
        return Ok(Route::Private);
    }
    if let Some(ip) = registry.ip() {
        let class = classify(ip);
        if !class.is_public() {
            return Err(AppError::AddressNotAllowed {
                host: registry.to_string(),
                class,
            });
        }
    }
    Ok(Route::Public)
}

/// Turns a client error into the proxy's error, finding a refusal by the
/// resolver among its causes.
fn send_error(error: reqwest::Error, url: &Url, timeout_secs: u64) -> AppError {
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => String::new(),
    };

    let mut cause: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(c) = cause {
        if let Some(blocked) = c.downcast_ref::<BlockedName>() {
            return AppError::AddressNotAllowed {
                host,
                class: blocked.class,
            };
        }
        cause = c.source();
    }

    if error.is_timeout() {
        return AppError::UpstreamTimeout {
            seconds: timeout_secs,
        };
    }
    AppError::UpstreamUnreachable {
        host,
        source: error.without_url(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Args, FileConfig};
    use clap::Parser;

    fn config(flags: &[&str]) -> Config {
        let mut argv = vec!["polyarch-proxy"];
        argv.extend_from_slice(flags);
        Config::from_parts(Args::parse_from(argv), FileConfig::default()).unwrap()
    }

    #[test]
    fn checks_every_hop_before_sending() {
        let config = config(&["--allow-private", "127.0.0.1:5000,registry.internal"]);
        let table = [
            ("https://ghcr.io/v2/", Ok(Route::Public)),
            ("https://cdn.example/blob", Ok(Route::Public)),
            ("http://127.0.0.1:5000/v2/", Ok(Route::Private)),
            ("http://2130706433:5000/v2/", Ok(Route::Private)),
            ("http://registry.internal:8443/", Ok(Route::Private)),
            ("http://localhost:5000/v2/", Ok(Route::Public)),
            (
                "http://127.0.0.1:5001/v2/",
                Err("127.0.0.1:5001 is a loopback"),
            ),
            ("http://0x7f000001/", Err("127.0.0.1:80 is a loopback")),
            (
                "http://[::ffff:127.0.0.1]:5000/",
                Err("[::ffff:127.0.0.1]:5000 is a loopback"),
            ),
            (
                "http://169.254.169.254/latest/",
                Err("169.254.169.254:80 is a metadata"),
            ),
            ("http://10.1.2.3/", Err("10.1.2.3:80 is a private")),
            ("http://[fd00::1]/", Err("[fd00::1]:80 is a unique-local")),
            ("http://[fe80::1]/", Err("[fe80::1]:80 is a link-local")),
            ("file:///etc/passwd", Err("the registry sent a redirect")),
        ];

        for (text, expected) in table {
            let url = Url::parse(text).unwrap();
            let result = check_hop(&url, &config).map_err(|e| e.to_string());
            match (result, expected) {
                (Ok(route), Ok(want)) => assert_eq!(route, want, "{text}"),
                (Err(message), Err(want)) => {
                    assert!(message.starts_with(want), "{text}: {message}")
                }
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }
}
