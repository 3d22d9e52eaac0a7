//! Registry allowlists: which registries the proxy forwards to, and which of
//! them may live on a private address.
//!
//! A pattern is either an exact `host[:port]` or `*.suffix`:
//!
//! - `ghcr.io` matches `ghcr.io` on any port; `ghcr.io:443` only on port 443.
//! - `*.azurecr.io` matches `myreg.azurecr.io` and `a.b.azurecr.io` on any
//!   port, but not `azurecr.io` itself.
//!
//! Hosts are compared in their normalised form (see [`crate::registry`]), so
//! `GHCR.IO.` and `ghcr.io` are one host and `2130706433` is `127.0.0.1`.
//! Suffix patterns match domain names only, never IP addresses.
//!
//! The default registry allowlist, [`DEFAULT_REGISTRIES`], holds the
//! well-known public registries; `--allow-registry` adds to it and
//! `--no-default-registries` empties it. The `--allow-private` list has no
//! default: an address that is loopback, private, link-local, unique-local or
//! metadata is reached only when its registry is named there.
//!
//! ```
//! use polyarch_proxy::allowlist::Allowlist;
//!
//! let list = Allowlist::parse(["ghcr.io", "*.azurecr.io"]).unwrap();
//! assert!(list.allows(&"myreg.azurecr.io".parse().unwrap()));
//! assert!(!list.allows(&"azurecr.io".parse().unwrap()));
//! ```

use std::fmt;
use std::str::FromStr;

use crate::registry::{Registry, RegistryError};

/// The well-known public registries, allowed unless `--no-default-registries`.
pub const DEFAULT_REGISTRIES: [&str; 12] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "ghcr.io",
    "quay.io",
    "mcr.microsoft.com",
    "gcr.io",
    "*.gcr.io",
    "*.pkg.dev",
    "public.ecr.aws",
    "*.azurecr.io",
    "registry.k8s.io",
];

/// One allowlist entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A host, with or without a port.
    Exact(Registry),
    /// `*.suffix`: any domain name that ends in `.suffix`.
    Suffix(String),
}

/// Why a string is not an allowlist pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The exact host is not a valid registry name.
    #[error("invalid registry pattern: {0}")]
    Registry(#[from] RegistryError),
    /// The suffix after `*.` is not a domain name without a port.
    #[error("pattern {text:?} must be *.domain, with no port and no address")]
    BadSuffix {
        /// The rejected input.
        text: String,
    },
}

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let Some(suffix) = text.strip_prefix("*.") else {
            return Ok(Pattern::Exact(text.parse()?));
        };

        let bad = || PatternError::BadSuffix {
            text: text.to_owned(),
        };
        let registry: Registry = suffix.parse().map_err(|_| bad())?;
        if registry.port().is_some() || registry.ip().is_some() || !registry.host().contains('.') {
            return Err(bad());
        }
        Ok(Pattern::Suffix(registry.host().to_owned()))
    }
}

impl Pattern {
    /// Whether the pattern covers a registry.
    pub fn matches(&self, registry: &Registry) -> bool {
        match self {
            Pattern::Exact(pattern) => {
                pattern.host() == registry.host()
                    && (pattern.port().is_none() || pattern.port() == registry.port())
            }
            Pattern::Suffix(suffix) => {
                registry.ip().is_none()
                    && registry
                        .host()
                        .strip_suffix(suffix.as_str())
                        .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
            }
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Exact(registry) => write!(f, "{registry}"),
            Pattern::Suffix(suffix) => write!(f, "*.{suffix}"),
        }
    }
}

/// A list of patterns; empty allows nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    patterns: Vec<Pattern>,
}

impl Allowlist {
    /// Parses every pattern, stopping at the first invalid one.
    pub fn parse<I, S>(patterns: I) -> Result<Self, PatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let patterns = patterns
            .into_iter()
            .map(|p| p.as_ref().parse())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Allowlist { patterns })
    }

    /// Whether any pattern covers the registry.
    pub fn allows(&self, registry: &Registry) -> bool {
        self.patterns.iter().any(|p| p.matches(registry))
    }

    /// The patterns, in order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }
}

impl fmt::Display for Allowlist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.patterns.iter().map(ToString::to_string).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(text: &str) -> Registry {
        text.parse().unwrap()
    }

    #[test]
    fn must_match() {
        let table = [
            ("ghcr.io", "ghcr.io"),
            ("ghcr.io", "GHCR.io."),
            ("ghcr.io", "ghcr.io:443"),
            ("ghcr.io:443", "ghcr.io:443"),
            ("*.azurecr.io", "myreg.azurecr.io"),
            ("*.azurecr.io", "a.b.azurecr.io:443"),
            ("127.0.0.1:5000", "127.0.0.1:5000"),
            ("127.0.0.1:5000", "2130706433:5000"),
            ("127.0.0.1", "127.0.0.1:6000"),
            ("[::1]:5000", "[0::1]:5000"),
        ];

        for (pattern, name) in table {
            let list = Allowlist::parse([pattern]).unwrap();
            assert!(list.allows(&registry(name)), "{pattern} must match {name}");
        }
    }

    #[test]
    fn must_not_match() {
        let table = [
            ("ghcr.io", "ghcr.io.evil.example"),
            ("ghcr.io", "evilghcr.io"),
            ("ghcr.io:443", "ghcr.io"),
            ("ghcr.io:443", "ghcr.io:444"),
            ("*.azurecr.io", "azurecr.io"),
            ("*.azurecr.io", "evilazurecr.io"),
            ("*.azurecr.io", "azurecr.io.evil.example"),
            ("127.0.0.1:5000", "127.0.0.1:5001"),
            ("127.0.0.1:5000", "127.0.0.2:5000"),
            ("127.0.0.1:5000", "localhost:5000"),
            ("localhost:5000", "127.0.0.1:5000"),
        ];

        for (pattern, name) in table {
            let list = Allowlist::parse([pattern]).unwrap();
            assert!(
                !list.allows(&registry(name)),
                "{pattern} must not match {name}"
            );
        }
    }

    #[test]
    fn rejects_bad_patterns() {
        let table = [
            "*.",
            "*.io:443",
            "*.127.0.0.1",
            "*.localhost",
            "ghcr.io/x",
            "*ghcr.io",
            "",
        ];

        for text in table {
            assert!(text.parse::<Pattern>().is_err(), "{text} must be rejected");
        }
    }

    #[test]
    fn default_list_holds_the_public_registries() {
        let list = Allowlist::parse(DEFAULT_REGISTRIES).unwrap();

        for name in [
            "docker.io",
            "ghcr.io",
            "us-docker.pkg.dev",
            "myreg.azurecr.io",
        ] {
            assert!(list.allows(&registry(name)), "{name}");
        }
        for name in ["127.0.0.1", "localhost", "example.com", "pkg.dev"] {
            assert!(!list.allows(&registry(name)), "{name}");
        }
    }

    #[test]
    fn empty_list_allows_nothing() {
        let list = Allowlist::default();

        assert!(!list.allows(&registry("ghcr.io")));
    }
}
