//! Header rewriting that keeps the page on the proxy's origin.
//!
//! Three response headers name URLs that the page follows:
//!
//! - `Location` (upload sessions, finished uploads, cross-repository mounts;
//!   distribution-spec v1.1 "Pushing blobs"): an absolute or relative URL.
//! - `Link` (pagination of `/v2/_catalog` and tag lists, RFC 8288):
//!   `<url>; rel="next"`, possibly several comma-separated entries.
//! - `WWW-Authenticate` (token auth, distribution's "Token Authentication
//!   Specification"): `Bearer realm="...",service="...",scope="..."`.
//!
//! A `Location` or `Link` URL is resolved against the upstream request URL;
//! when it points back at the registry (same scheme, host and port) and into
//! `/v2/`, it becomes the path-absolute `/r/{registry}/v2/...?query`. URLs to
//! anywhere else are left as they are. A Bearer challenge has its `realm`
//! replaced by the proxy's token endpoint; its other parameters are kept and
//! re-written as quoted strings. Basic challenges pass unchanged.
//!
//! ```
//! use polyarch_proxy::rewrite::{Upstream, location};
//! use url::Url;
//!
//! let request = Url::parse("http://127.0.0.1:5000/v2/a/blobs/uploads/").unwrap();
//! let upstream = Upstream { request: &request, registry: "127.0.0.1:5000" };
//! assert_eq!(
//!     location("/v2/a/blobs/uploads/u1?_state=x", &upstream).as_deref(),
//!     Some("/r/127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=x"),
//! );
//! ```

use url::Url;

/// Where an upstream response came from.
#[derive(Debug, Clone, Copy)]
pub struct Upstream<'a> {
    /// The URL the proxy requested (after any redirects).
    pub request: &'a Url,
    /// The registry as named in the proxy path (`/r/{registry}/...`).
    pub registry: &'a str,
}

/// The proxy form of a `Location` URL, or `None` when it does not point at
/// the registry's `/v2/` API and stays as it is.
pub fn location(value: &str, upstream: &Upstream<'_>) -> Option<String> {
    let target = upstream.request.join(value.trim()).ok()?;

    let same_origin = target.origin() == upstream.request.origin();
    if !same_origin || !target.path().starts_with("/v2/") {
        return None;
    }

    let mut proxied = format!("/r/{}{}", upstream.registry, target.path());
    if let Some(query) = target.query() {
        proxied.push('?');
        proxied.push_str(query);
    }
    Some(proxied)
}

/// A `Link` header with every registry URL in it rewritten; entries that
/// cannot be parsed are kept as they are.
pub fn link(value: &str, upstream: &Upstream<'_>) -> String {
    let mut out = String::with_capacity(value.len() + 32);
    let mut rest = value;

    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|i| open + i) else {
            break;
        };
        let uri = &rest[open + 1..close];

        out.push_str(&rest[..=open]);
        match location(uri, upstream) {
            Some(proxied) => out.push_str(&proxied),
            None => out.push_str(uri),
        }
        out.push('>');
        rest = &rest[close + 1..];
    }

    out.push_str(rest);
    out
}

/// A parsed `WWW-Authenticate` challenge: its scheme and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The auth scheme as sent (`Bearer`, `Basic`).
    pub scheme: String,
    /// The parameters in order, keys lower-cased.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// Parses one challenge; `None` for anything that is not
    /// `scheme key=value, key="quoted value", ...`.
    pub fn parse(value: &str) -> Option<Challenge> {
        let value = value.trim();
        let (scheme, mut rest) = match value.find(char::is_whitespace) {
            Some(i) => (&value[..i], &value[i..]),
            None => (value, ""),
        };
        if scheme.is_empty() || !scheme.bytes().all(is_token_byte) {
            return None;
        }

        let mut params = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
            if rest.is_empty() {
                break;
            }

            let eq = rest.find('=')?;
            let key = rest[..eq].trim();
            if key.is_empty() || !key.bytes().all(is_token_byte) {
                return None;
            }
            rest = rest[eq + 1..].trim_start();

            let (val, after) = if let Some(quoted) = rest.strip_prefix('"') {
                parse_quoted(quoted)?
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                (rest[..end].trim().to_owned(), &rest[end..])
            };
            params.push((key.to_ascii_lowercase(), val));
            rest = after;
        }

        Some(Challenge {
            scheme: scheme.to_owned(),
            params,
        })
    }

    /// Whether the scheme is `Bearer` (in any case).
    pub fn is_bearer(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("bearer")
    }

    /// The value of a parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The challenge as a header value, every parameter quoted.
    pub fn to_header(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        format!("{} {}", self.scheme, params.join(","))
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Reads a quoted string whose opening quote is already consumed; gives the
/// unescaped value and the text after the closing quote.
fn parse_quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();

    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[i + 1..])),
            '\\' => value.push(chars.next()?.1),
            _ => value.push(c),
        }
    }
    None
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A Bearer challenge with its realm replaced by `proxy_realm`, and the realm
/// the registry announced. `None` when the value is not a Bearer challenge
/// with an absolute `http(s)` realm.
pub fn challenge(value: &str, proxy_realm: &str) -> Option<(String, Url)> {
    let mut parsed = Challenge::parse(value)?;
    if !parsed.is_bearer() {
        return None;
    }

    let announced = Url::parse(parsed.param("realm")?).ok()?;
    if !matches!(announced.scheme(), "http" | "https") || announced.host().is_none() {
        return None;
    }

    for (key, val) in &mut parsed.params {
        if key == "realm" {
            *val = proxy_realm.to_owned();
        }
    }
    Some((parsed.to_header(), announced))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTRY: &str = "127.0.0.1:5000";

    fn request() -> Url {
        Url::parse("http://127.0.0.1:5000/v2/lib/app/blobs/uploads/").unwrap()
    }

    #[test]
    fn rewrites_locations_that_point_at_the_registry() {
        let url = request();
        let upstream = Upstream {
            request: &url,
            registry: REGISTRY,
        };
        let table = [
            (
                "http://127.0.0.1:5000/v2/lib/app/blobs/uploads/abc?_state=s%3D",
                Some("/r/127.0.0.1:5000/v2/lib/app/blobs/uploads/abc?_state=s%3D"),
            ),
            (
                "/v2/lib/app/blobs/sha256:00",
                Some("/r/127.0.0.1:5000/v2/lib/app/blobs/sha256:00"),
            ),
            (
                "abc?x=1",
                Some("/r/127.0.0.1:5000/v2/lib/app/blobs/uploads/abc?x=1"),
            ),
            ("  /v2/x  ", Some("/r/127.0.0.1:5000/v2/x")),
            ("https://127.0.0.1:5000/v2/x", None),
            ("http://127.0.0.1:5001/v2/x", None),
            ("http://cdn.example/v2/x", None),
            ("http://127.0.0.1:5000/other", None),
            ("/v2/../etc", None),
            ("http://[::1", None),
        ];

        for (value, expected) in table {
            assert_eq!(location(value, &upstream).as_deref(), expected, "{value}");
        }
    }

    #[test]
    fn rewrites_link_entries() {
        let url = Url::parse("http://127.0.0.1:5000/v2/_catalog?n=1").unwrap();
        let upstream = Upstream {
            request: &url,
            registry: REGISTRY,
        };
        let table = [
            (
                r#"</v2/_catalog?last=a&n=1>; rel="next""#,
                r#"</r/127.0.0.1:5000/v2/_catalog?last=a&n=1>; rel="next""#,
            ),
            (
                r#"<http://127.0.0.1:5000/v2/t/tags/list?n=1&last=b>; rel="next", <https://docs.example/x>; rel="help""#,
                r#"</r/127.0.0.1:5000/v2/t/tags/list?n=1&last=b>; rel="next", <https://docs.example/x>; rel="help""#,
            ),
            ("<unclosed; rel=next", "<unclosed; rel=next"),
            ("", ""),
        ];

        for (value, expected) in table {
            assert_eq!(link(value, &upstream), expected, "{value}");
        }
    }

    #[test]
    fn replaces_the_bearer_realm_and_keeps_other_parameters() {
        let proxy_realm = "http://127.0.0.1:8080/r/docker.io/token";
        let table = [
            (
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
                r#"Bearer realm="http://127.0.0.1:8080/r/docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
                "https://auth.docker.io/token",
            ),
            (
                r#"bearer Realm=https://ghcr.io/token, service=ghcr.io"#,
                r#"bearer realm="http://127.0.0.1:8080/r/docker.io/token",service="ghcr.io""#,
                "https://ghcr.io/token",
            ),
            (
                r#"Bearer realm="http://127.0.0.1:9/token",error="invalid_token",error_description="a \"quoted\" word""#,
                r#"Bearer realm="http://127.0.0.1:8080/r/docker.io/token",error="invalid_token",error_description="a \"quoted\" word""#,
                "http://127.0.0.1:9/token",
            ),
        ];

        for (value, expected, announced) in table {
            let (rewritten, realm) = challenge(value, proxy_realm).unwrap();
            assert_eq!(rewritten, expected, "{value}");
            assert_eq!(realm.as_str(), announced, "{value}");
        }
    }

    #[test]
    fn leaves_other_challenges_alone() {
        let table = [
            r#"Basic realm="Registry Realm""#,
            r#"Bearer service="x""#,
            r#"Bearer realm="/relative/token""#,
            r#"Bearer realm="file:///etc/passwd""#,
            r#"Bearer realm="unterminated"#,
            "",
            "Bearer =x",
        ];

        for value in table {
            assert_eq!(challenge(value, "/r/x/token"), None, "{value}");
        }
    }

    proptest::proptest! {
        #[test]
        fn rewriting_never_panics(value in "\\PC{0,60}") {
            let url = request();
            let upstream = Upstream { request: &url, registry: REGISTRY };
            let _ = location(&value, &upstream);
            let _ = link(&value, &upstream);
            let _ = challenge(&value, "/r/x/token");
        }

        #[test]
        fn challenges_round_trip(realm in "[ -~]{0,20}", scope in "[ -~]{0,20}") {
            let original = Challenge {
                scheme: "Bearer".into(),
                params: vec![("realm".into(), realm), ("scope".into(), scope)],
            };
            let parsed = Challenge::parse(&original.to_header());
            proptest::prop_assert_eq!(parsed, Some(original));
        }
    }
}
