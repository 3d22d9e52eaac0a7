//! A `config.yml` for the CNCF distribution registry (Debian's
//! `docker-registry`, 2.8), for the demo and the end-to-end tests.
//!
//! What is written (distribution's `docs/configuration.md` names each key):
//!
//! ```yaml
//! version: 0.1
//! log:
//!   level: warn
//!   accesslog:
//!     disabled: true
//! storage:
//!   filesystem:
//!     rootdirectory: "<storage>"
//!   delete:
//!     enabled: true
//! http:
//!   addr: "127.0.0.1:5000"
//!   secret: "<random>"
//!   headers:
//!     X-Content-Type-Options: [nosniff]
//! auth: …   # none, htpasswd or token, see [`Auth`]
//! ```
//!
//! - **No CORS.** Nothing under `http.headers` starts with
//!   `Access-Control-`: distribution's own CORS headers would sit beside the
//!   proxy's and a browser would refuse the pair; polyarch's proxy answers
//!   CORS alone.
//! - **Deletes on**, so that the page's delete and a re-seed can be tried.
//! - **Loopback only.** The address must be a loopback address
//!   ([`RegistryConfigError::NotLoopback`]): in `none` mode anyone who
//!   reaches the registry may write to it.
//! - `http.secret` signs upload state; a fresh random one per file only
//!   breaks uploads left half-way across a restart.
//! - Every path and string is written as a YAML double-quoted scalar
//!   ([`quote`]), so spaces, colons and quotes in paths are safe; a path
//!   that is not UTF-8 is refused.
//!
//! ```
//! use polyarch_demo::registry_config::{Auth, RegistryConfig};
//!
//! let config = RegistryConfig {
//!     listen: "127.0.0.1:5000".parse().unwrap(),
//!     storage: "/tmp/demo storage".into(),
//!     secret: "s".to_owned(),
//!     auth: Auth::None,
//! };
//! let yaml = config.to_yaml().unwrap();
//! assert!(yaml.contains("    rootdirectory: \"/tmp/demo storage\"\n"));
//! assert!(!yaml.contains("Access-Control"));
//! ```

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};
use thiserror::Error;

/// The service name registry and token server agree on by default.
pub const DEFAULT_SERVICE: &str = "polyarch-demo-registry";

/// The issuer name registry and token server agree on by default.
pub const DEFAULT_ISSUER: &str = "polyarch-demo-issuer";

/// The realm named in Basic challenges.
pub const BASIC_REALM: &str = "polyarch-demo";

/// How clients authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Anyone may pull and push.
    None,
    /// HTTP Basic against an htpasswd file (bcrypt entries only).
    Basic {
        /// The htpasswd file.
        htpasswd: PathBuf,
    },
    /// Bearer tokens from a token server.
    Token {
        /// The token server's URL (`http://127.0.0.1:PORT/token`).
        realm: String,
        /// The `service` the tokens are for.
        service: String,
        /// The `iss` the tokens carry.
        issuer: String,
        /// The PEM bundle of certificates that may sign tokens.
        bundle: PathBuf,
    },
}

/// Why no configuration was written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegistryConfigError {
    /// The address is not a loopback address.
    #[error(
        "{address} is not a loopback address; the demo registry listens on 127.0.0.1 or [::1] only"
    )]
    NotLoopback {
        /// The address given.
        address: SocketAddr,
    },
    /// A path is not UTF-8.
    #[error("the path {path:?} is not UTF-8")]
    PathNotUtf8 {
        /// The path, lossily shown.
        path: String,
    },
}

/// Everything the written file depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// `http.addr`.
    pub listen: SocketAddr,
    /// `storage.filesystem.rootdirectory`.
    pub storage: PathBuf,
    /// `http.secret`.
    pub secret: String,
    /// `auth`.
    pub auth: Auth,
}

impl RegistryConfig {
    /// The YAML text.
    ///
    /// # Errors
    ///
    /// A [`RegistryConfigError`] when the address is not loopback or a
    /// path is not UTF-8.
    pub fn to_yaml(&self) -> Result<String, RegistryConfigError> {
        let listen = require_loopback(self.listen)?;

        let mut yaml = String::from(
            "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n",
        );
        let _ = writeln!(
            yaml,
            "  filesystem:\n    rootdirectory: {}",
            path(&self.storage)?
        );
        yaml.push_str("  delete:\n    enabled: true\nhttp:\n");
        let _ = writeln!(yaml, "  addr: {}", quote(&listen.to_string()));
        let _ = writeln!(yaml, "  secret: {}", quote(&self.secret));
        yaml.push_str("  headers:\n    X-Content-Type-Options: [nosniff]\n");

        match &self.auth {
            Auth::None => {}
            Auth::Basic { htpasswd } => {
                yaml.push_str("auth:\n  htpasswd:\n");
                let _ = writeln!(yaml, "    realm: {}", quote(BASIC_REALM));
                let _ = writeln!(yaml, "    path: {}", path(htpasswd)?);
            }
            Auth::Token {
                realm,
                service,
                issuer,
                bundle,
            } => {
                yaml.push_str("auth:\n  token:\n");
                let _ = writeln!(yaml, "    realm: {}", quote(realm));
                let _ = writeln!(yaml, "    service: {}", quote(service));
                let _ = writeln!(yaml, "    issuer: {}", quote(issuer));
                let _ = writeln!(yaml, "    rootcertbundle: {}", path(bundle)?);
            }
        }
        Ok(yaml)
    }
}

/// `address` when it is a loopback address.
///
/// # Errors
///
/// [`RegistryConfigError::NotLoopback`] otherwise.
pub fn require_loopback(address: SocketAddr) -> Result<SocketAddr, RegistryConfigError> {
    if address.ip().is_loopback() {
        Ok(address)
    } else {
        Err(RegistryConfigError::NotLoopback { address })
    }
}

/// 32 random bytes, hex: a fresh `http.secret`.
///
/// # Errors
///
/// ring's error when the system has no randomness to give.
pub fn random_secret() -> Result<String, ring::error::Unspecified> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A YAML double-quoted scalar (YAML 1.2 §7.3.1): `\` and `"` are escaped,
/// control characters written as `\uXXXX`, everything else as it is.
pub fn quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            c if c.is_control() => {
                let _ = write!(quoted, "\\u{:04X}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn path(path: &Path) -> Result<String, RegistryConfigError> {
    path.to_str()
        .map(quote)
        .ok_or_else(|| RegistryConfigError::PathNotUtf8 {
            path: path.to_string_lossy().into_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn config(auth: Auth) -> RegistryConfig {
        RegistryConfig {
            listen: "127.0.0.1:5000".parse().unwrap(),
            storage: "/var/demo".into(),
            secret: "s3".to_owned(),
            auth,
        }
    }

    #[test]
    fn quoting_table() {
        let cases = [
            ("plain", r#""plain""#),
            ("/a path/with: colon", r#""/a path/with: colon""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
            (r"back\slash", r#""back\\slash""#),
            ("line\nbreak", r#""line\u000Abreak""#),
            ("del\u{7f}", r#""del\u007F""#),
            ("ünï", r#""ünï""#),
            ("", r#""""#),
        ];
        for (value, expected) in cases {
            assert_eq!(quote(value), expected, "{value:?}");
        }
    }

    #[test]
    fn each_auth_mode_writes_its_section() {
        let cases = [
            (Auth::None, vec![], vec!["auth:"]),
            (
                Auth::Basic {
                    htpasswd: "/d/htpasswd".into(),
                },
                vec![
                    "auth:\n  htpasswd:\n    realm: \"polyarch-demo\"\n",
                    "    path: \"/d/htpasswd\"\n",
                ],
                vec!["token:"],
            ),
            (
                Auth::Token {
                    realm: "http://127.0.0.1:9000/token".to_owned(),
                    service: DEFAULT_SERVICE.to_owned(),
                    issuer: DEFAULT_ISSUER.to_owned(),
                    bundle: "/d/issuer.pem".into(),
                },
                vec![
                    "auth:\n  token:\n    realm: \"http://127.0.0.1:9000/token\"\n",
                    "    service: \"polyarch-demo-registry\"\n",
                    "    issuer: \"polyarch-demo-issuer\"\n",
                    "    rootcertbundle: \"/d/issuer.pem\"\n",
                ],
                vec!["htpasswd:"],
            ),
        ];
        for (auth, must_have, must_not_have) in cases {
            let yaml = config(auth.clone()).to_yaml().unwrap();

            assert!(yaml.starts_with("version: 0.1\n"), "{yaml}");
            assert!(yaml.contains("  addr: \"127.0.0.1:5000\"\n"), "{yaml}");
            assert!(yaml.contains("  delete:\n    enabled: true\n"), "{yaml}");
            assert!(
                yaml.contains("    rootdirectory: \"/var/demo\"\n"),
                "{yaml}"
            );
            assert!(
                !yaml.to_ascii_lowercase().contains("access-control"),
                "{yaml}"
            );
            for part in must_have {
                assert!(yaml.contains(part), "{auth:?} lacks {part:?}:\n{yaml}");
            }
            for part in must_not_have {
                assert!(!yaml.contains(part), "{auth:?} has {part:?}:\n{yaml}");
            }
        }
    }

    #[test]
    fn addresses_that_must_be_refused_and_accepted() {
        let refused = ["0.0.0.0:5000", "192.0.2.1:5000", "[::]:5000"];
        let accepted = ["127.0.0.1:5000", "127.0.0.2:1", "[::1]:5000"];

        for address in refused {
            let mut config = config(Auth::None);
            config.listen = address.parse().unwrap();
            assert!(
                matches!(
                    config.to_yaml(),
                    Err(RegistryConfigError::NotLoopback { .. })
                ),
                "{address}"
            );
        }
        for address in accepted {
            let mut config = config(Auth::None);
            config.listen = address.parse().unwrap();
            assert!(config.to_yaml().is_ok(), "{address}");
        }
    }

    #[test]
    fn non_utf8_paths_are_refused() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let mut config = config(Auth::None);
        config.storage = PathBuf::from(OsStr::from_bytes(b"/tmp/\xff"));

        let written = config.to_yaml();

        assert!(matches!(
            written,
            Err(RegistryConfigError::PathNotUtf8 { .. })
        ));
    }

    #[test]
    fn secrets_are_64_hex_digits_and_differ() {
        let first = random_secret().unwrap();

        let second = random_secret().unwrap();

        assert_eq!(first.len(), 64);
        assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(first, second);
    }

    proptest! {
        /// Every quoted value is one line that starts and ends with a quote
        /// and has no unescaped quote inside.
        #[test]
        fn quoting_keeps_values_on_one_line(value in "\\PC{0,40}|[\\x00-\\x1f\"\\\\a]{0,10}") {
            let quoted = quote(&value);

            prop_assert!(!quoted.contains('\n'));
            prop_assert!(quoted.starts_with('"') && quoted.ends_with('"'));
            let inner = &quoted[1..quoted.len() - 1];
            let mut escaped = false;
            for c in inner.chars() {
                prop_assert!(escaped || c != '"');
                escaped = !escaped && c == '\\';
            }
        }
    }
}
