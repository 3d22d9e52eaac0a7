//! Where the page sends registry requests: always through a polyarch
//! proxy, at `<proxy>/r/<registry><path>`.
//!
//! The proxy setting is an origin (`http://127.0.0.1:8080`) with an
//! optional path prefix; empty means the origin that served the page,
//! which is the proxy when `polyarch-proxy --site` serves it. The registry
//! is written as in a reference (`docker.io`, `127.0.0.1:5000`); the proxy
//! maps Docker Hub's name to its API host itself.
//!
//! ```text
//! proxy "" on http://127.0.0.1:8080/      →  http://127.0.0.1:8080/r/127.0.0.1:5000/v2/demo/app/manifests/v1
//! proxy "https://proxy.example/polyarch/" →  https://proxy.example/polyarch/r/docker.io/v2/library/bash/manifests/5
//! ```

use std::fmt;

/// Why a proxy setting cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyError {
    /// The setting is not an `http:` or `https:` URL.
    NotHttp {
        /// The setting as typed.
        given: String,
    },
    /// The URL has a query or fragment, which a prefix cannot keep.
    HasQuery {
        /// The setting as typed.
        given: String,
    },
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyError::NotHttp { given } => write!(
                f,
                "the proxy {given:?} is not an http:// or https:// address"
            ),
            ProxyError::HasQuery { given } => write!(
                f,
                "the proxy {given:?} has a query or fragment; give its address and path only"
            ),
        }
    }
}

impl std::error::Error for ProxyError {}

/// The base every proxied URL starts with, without a trailing slash.
///
/// `setting` is what the user typed; `page_origin` is the page's own
/// origin (`location.origin`), used when the setting is empty.
pub fn proxy_base(setting: &str, page_origin: &str) -> Result<String, ProxyError> {
    let setting = setting.trim();
    if setting.is_empty() {
        return Ok(page_origin.trim_end_matches('/').to_owned());
    }

    let lower = setting.to_ascii_lowercase();
    let has_host = |scheme: &str| lower.len() > scheme.len() && lower.starts_with(scheme);
    if !(has_host("http://") || has_host("https://")) {
        return Err(ProxyError::NotHttp {
            given: setting.to_owned(),
        });
    }
    if setting.contains(['?', '#']) {
        return Err(ProxyError::HasQuery {
            given: setting.to_owned(),
        });
    }
    Ok(setting.trim_end_matches('/').to_owned())
}

/// The URL of `path_and_query` (from `/v2/` on) of `registry`, through the
/// proxy at `base`.
pub fn proxied(base: &str, registry: &str, path_and_query: &str) -> String {
    format!("{base}/r/{registry}{path_and_query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_settings() {
        let page = "http://127.0.0.1:8080";
        let table: &[(&str, Result<&str, &str>)] = &[
            ("", Ok("http://127.0.0.1:8080")),
            ("   ", Ok("http://127.0.0.1:8080")),
            ("http://proxy:9000/", Ok("http://proxy:9000")),
            (
                "https://proxy.example/polyarch/",
                Ok("https://proxy.example/polyarch"),
            ),
            ("HTTPS://Proxy", Ok("HTTPS://Proxy")),
            ("proxy:9000", Err("not an http")),
            ("ftp://proxy", Err("not an http")),
            ("http://", Err("not an http")),
            ("http://proxy/?x=1", Err("query or fragment")),
            ("http://proxy/#top", Err("query or fragment")),
        ];
        for (setting, want) in table {
            let got = proxy_base(setting, page);
            match want {
                Ok(base) => assert_eq!(got.as_deref(), Ok(*base), "{setting:?}"),
                Err(words) => {
                    let message = got.expect_err(setting).to_string();
                    assert!(message.contains(words), "{setting:?}: {message}");
                }
            }
        }
    }

    #[test]
    fn proxied_urls() {
        assert_eq!(
            proxied(
                "http://127.0.0.1:8080",
                "127.0.0.1:5000",
                "/v2/demo/app/manifests/v1"
            ),
            "http://127.0.0.1:8080/r/127.0.0.1:5000/v2/demo/app/manifests/v1"
        );
    }
}
