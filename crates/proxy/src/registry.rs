//! Registry names: the `{registry}` segment of `/r/{registry}/v2/...`.
//!
//! Grammar: `host[:port]`, where `host` is an ASCII DNS name (IDNs in their
//! `xn--` form), an IPv4 address in any
//! form a URL parser accepts, or a bracketed IPv6 literal (`[::1]:5000`). The
//! name is normalised once, on the way in: domain names are lower-cased and
//! lose a trailing dot, IPv4 forms such as `2130706433` become dotted
//! decimal, and IPv6 literals are written in their canonical form. Every
//! later check (allowlist, `--allow-private`, `--plain-http`) compares these
//! normalised names, so no spelling of a host can pass one check and fail
//! another.
//!
//! Docker Hub is known by several names; `docker.io` and `index.docker.io`
//! are served by `registry-1.docker.io` (see [`Registry::upstream_host`]).
//!
//! ```
//! use polyarch_proxy::registry::Registry;
//!
//! let r: Registry = "GHCR.io.".parse().unwrap();
//! assert_eq!(r.to_string(), "ghcr.io");
//! let r: Registry = "0x7f000001:5000".parse().unwrap();
//! assert_eq!(r.to_string(), "127.0.0.1:5000");
//! ```

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::address::host_ip;

/// Docker Hub's public names, and the host that serves its registry API.
const DOCKER_HUB_NAMES: [&str; 2] = ["docker.io", "index.docker.io"];
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A normalised `host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Registry {
    host: String,
    port: Option<u16>,
}

/// Why a string is not a registry name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The string is empty.
    #[error("registry name is empty")]
    Empty,
    /// The string holds a character that cannot appear in `host[:port]`.
    #[error("registry name {text:?} holds a character not allowed in host[:port]")]
    BadCharacter {
        /// The rejected input.
        text: String,
    },
    /// The port is not a number from 1 to 65535.
    #[error("registry name {text:?} has a port that is not a number from 1 to 65535")]
    BadPort {
        /// The rejected input.
        text: String,
    },
    /// The host is not a valid host name or address.
    #[error("registry name {text:?} does not hold a valid host")]
    BadHost {
        /// The rejected input.
        text: String,
    },
}

impl Registry {
    /// The normalised host: a lower-case domain name, a dotted IPv4 address or
    /// a bracketed IPv6 address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, if one was named.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The IP address the host names, if it is an address literal.
    pub fn ip(&self) -> Option<IpAddr> {
        host_ip(&self.host)
    }

    /// The host that serves this registry's API: Docker Hub's names map to
    /// `registry-1.docker.io`, every other host to itself.
    pub fn upstream_host(&self) -> &str {
        if DOCKER_HUB_NAMES.contains(&self.host.as_str()) {
            DOCKER_HUB_API
        } else {
            &self.host
        }
    }
}

impl FromStr for Registry {
    type Err = RegistryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(RegistryError::Empty);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-._[]:".contains(c);
        if !text.chars().all(allowed) {
            return Err(RegistryError::BadCharacter {
                text: text.to_owned(),
            });
        }

        let (host_text, port_text) = split_port(text);
        let port = match port_text {
            None => None,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
                _ => {
                    return Err(RegistryError::BadPort {
                        text: text.to_owned(),
                    });
                }
            },
        };

        let host = match url::Host::parse(host_text) {
            Ok(url::Host::Domain(d)) => d.trim_end_matches('.').to_owned(),
            Ok(url::Host::Ipv4(v4)) => v4.to_string(),
            Ok(url::Host::Ipv6(v6)) => format!("[{v6}]"),
            Err(_) => {
                return Err(RegistryError::BadHost {
                    text: text.to_owned(),
                });
            }
        };
        if host.is_empty() || host.contains(':') && !host.starts_with('[') {
            return Err(RegistryError::BadHost {
                text: text.to_owned(),
            });
        }

        Ok(Registry { host, port })
    }
}

/// Splits `host:port`, keeping the brackets of an IPv6 literal with the host.
fn split_port(text: &str) -> (&str, Option<&str>) {
    if text.starts_with('[') {
        return match text.find(']') {
            Some(end) => match text[end + 1..].strip_prefix(':') {
                Some(port) => (&text[..=end], Some(port)),
                None if end + 1 == text.len() => (text, None),
                None => (text, Some("")),
            },
            None => (text, None),
        };
    }
    match text.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (text, None),
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_names() {
        let table = [
            ("ghcr.io", "ghcr.io"),
            ("GHCR.IO", "ghcr.io"),
            ("ghcr.io.", "ghcr.io"),
            ("registry.example:5000", "registry.example:5000"),
            ("127.0.0.1:5000", "127.0.0.1:5000"),
            ("2130706433:5000", "127.0.0.1:5000"),
            ("0x7f000001", "127.0.0.1"),
            ("127.1:80", "127.0.0.1:80"),
            ("127.0.0.1.:5000", "127.0.0.1:5000"),
            ("[::1]:5000", "[::1]:5000"),
            ("[::ffff:7f00:1]", "[::ffff:127.0.0.1]"),
            ("[0:0:0:0:0:0:0:1]", "[::1]"),
        ];

        for (text, expected) in table {
            let registry: Registry = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(registry.to_string(), expected, "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_host_and_port() {
        let table = [
            ("", RegistryError::Empty),
            (
                "user@ghcr.io",
                RegistryError::BadCharacter {
                    text: "user@ghcr.io".into(),
                },
            ),
            (
                "ghcr.io/x",
                RegistryError::BadCharacter {
                    text: "ghcr.io/x".into(),
                },
            ),
            (
                "ghcr.io%2f",
                RegistryError::BadCharacter {
                    text: "ghcr.io%2f".into(),
                },
            ),
            ("a b", RegistryError::BadCharacter { text: "a b".into() }),
            (
                "ghcr.io:0",
                RegistryError::BadPort {
                    text: "ghcr.io:0".into(),
                },
            ),
            (
                "ghcr.io:",
                RegistryError::BadPort {
                    text: "ghcr.io:".into(),
                },
            ),
            (
                "ghcr.io:+5",
                RegistryError::BadCharacter {
                    text: "ghcr.io:+5".into(),
                },
            ),
            (
                "ghcr.io:70000",
                RegistryError::BadPort {
                    text: "ghcr.io:70000".into(),
                },
            ),
            ("::1", RegistryError::BadHost { text: "::1".into() }),
            (
                "[::1",
                RegistryError::BadHost {
                    text: "[::1".into(),
                },
            ),
            (
                "[::1]x",
                RegistryError::BadPort {
                    text: "[::1]x".into(),
                },
            ),
            (
                ":5000",
                RegistryError::BadHost {
                    text: ":5000".into(),
                },
            ),
        ];

        for (text, expected) in table {
            assert_eq!(text.parse::<Registry>(), Err(expected), "{text}");
        }
    }

    #[test]
    fn maps_docker_hub_to_its_api_host() {
        let table = [
            ("docker.io", "registry-1.docker.io"),
            ("index.docker.io", "registry-1.docker.io"),
            ("registry-1.docker.io", "registry-1.docker.io"),
            ("ghcr.io", "ghcr.io"),
        ];

        for (text, expected) in table {
            let registry: Registry = text.parse().unwrap();
            assert_eq!(registry.upstream_host(), expected, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_normal_form_is_stable(text in "\\PC{0,30}") {
            if let Ok(registry) = text.parse::<Registry>() {
                let again: Registry = registry.to_string().parse().unwrap();
                proptest::prop_assert_eq!(again, registry);
            }
        }
    }
}
