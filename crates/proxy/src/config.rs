//! Configuration: a TOML file, environment variables and flags.
//!
//! Each setting can come from three places; the first one that gives it wins:
//!
//! 1. a command-line flag (`--allow-registry ghcr.io`),
//! 2. an environment variable (`POLYARCH_PROXY_ALLOW_REGISTRY=ghcr.io,quay.io`;
//!    lists are comma-separated),
//! 3. the TOML file named by `--config` / `POLYARCH_PROXY_CONFIG`, whose keys
//!    are the flag names with `_` for `-`:
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! site = "dist"
//! allow_registry = ["registry.example:5000"]
//! allow_private = ["127.0.0.1:5000"]
//! plain_http = ["127.0.0.1:5000"]
//! max_manifest_bytes = 4194304
//! ```
//!
//! A list given by a flag or variable replaces the file's list. The defaults
//! are safe: listen on `127.0.0.1:8080`; forward only to the well-known public
//! registries ([`crate::allowlist::DEFAULT_REGISTRIES`]) over HTTPS; reach no
//! private address; allow only the proxy's own origin
//! (`http://127.0.0.1:8080`, and `http://localhost:8080` when listening on
//! loopback); 4 MiB manifests, 16 KiB of headers, 10 s for a client to send
//! a request head (and for an idle connection to send its next one), 10 s to
//! connect, 60 s for an answer or between two body chunks, 256 requests at
//! once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use serde::Deserialize;
use url::Url;

use crate::allowlist::{Allowlist, DEFAULT_REGISTRIES, PatternError};
use crate::registry::{Registry, RegistryError};

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
const DEFAULT_HEADER_BYTES: usize = 16 * 1024;
const DEFAULT_CONNECT_SECS: u64 = 10;
const DEFAULT_REQUEST_HEAD_SECS: u64 = 10;
const DEFAULT_RESPONSE_SECS: u64 = 60;
const DEFAULT_CONCURRENT: usize = 256;
const DEFAULT_REDIRECTS: usize = 5;
const DEFAULT_LOG: &str = "info";

/// Command-line flags; every flag also reads an environment variable.
#[derive(Debug, Default, Parser)]
#[command(
    name = "polyarch-proxy",
    version,
    about = "Serves the polyarch site and lets it speak the registry API: a CORS proxy \
             that forwards /r/{registry}/v2/... to allowlisted registries."
)]
pub struct Args {
    /// TOML file with any of the settings below (keys are the flag names with
    /// `_` for `-`). Flags and environment variables override it.
    #[arg(long, env = "POLYARCH_PROXY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Address and port to listen on. [default: 127.0.0.1:8080]
    #[arg(long, env = "POLYARCH_PROXY_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,

    /// Directory served at `/` (the built site). Without it only the proxy
    /// routes answer.
    #[arg(long, env = "POLYARCH_PROXY_SITE", value_name = "DIR")]
    pub site: Option<PathBuf>,

    /// Origin under which the page reaches the proxy, used in rewritten
    /// token realms and as the default allowed origin.
    /// [default: http://{listen}]
    #[arg(long, env = "POLYARCH_PROXY_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<Url>,

    /// Registry to forward to, in addition to the default public ones:
    /// `host`, `host:port` or `*.domain`. Repeat or separate with commas.
    #[arg(
        long,
        env = "POLYARCH_PROXY_ALLOW_REGISTRY",
        value_name = "HOST[:PORT]",
        value_delimiter = ','
    )]
    pub allow_registry: Vec<String>,

    /// Forget the default list of public registries (Docker Hub, ghcr.io,
    /// quay.io, mcr.microsoft.com, gcr.io, *.pkg.dev, public.ecr.aws,
    /// *.azurecr.io, registry.k8s.io); only --allow-registry entries remain.
    #[arg(long, env = "POLYARCH_PROXY_NO_DEFAULT_REGISTRIES")]
    pub no_default_registries: bool,

    /// Registry that may be reached on a loopback, private, link-local,
    /// unique-local or metadata address (a local demo registry). This is the
    /// only way such an address is reached; the entry is also allowlisted.
    #[arg(
        long,
        env = "POLYARCH_PROXY_ALLOW_PRIVATE",
        value_name = "HOST[:PORT]",
        value_delimiter = ','
    )]
    pub allow_private: Vec<String>,

    /// Registry spoken to over plain HTTP instead of HTTPS.
    #[arg(
        long,
        env = "POLYARCH_PROXY_PLAIN_HTTP",
        value_name = "HOST:PORT",
        value_delimiter = ','
    )]
    pub plain_http: Vec<String>,

    /// Origin (`scheme://host[:port]`) whose pages may call the proxy.
    /// [default: the proxy's own origin]
    #[arg(
        long,
        env = "POLYARCH_PROXY_ALLOW_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allow_origin: Vec<String>,

    /// Largest manifest forwarded either way, in bytes. [default: 4194304]
    #[arg(long, env = "POLYARCH_PROXY_MAX_MANIFEST_BYTES", value_name = "BYTES")]
    pub max_manifest_bytes: Option<u64>,

    /// Largest request or upstream response header block, in bytes.
    /// [default: 16384]
    #[arg(long, env = "POLYARCH_PROXY_MAX_HEADER_BYTES", value_name = "BYTES")]
    pub max_header_bytes: Option<usize>,

    /// Seconds a client has to send a whole request head, and an idle
    /// connection to start its next request; then the connection is closed.
    /// [default: 10]
    #[arg(
        long,
        env = "POLYARCH_PROXY_REQUEST_HEAD_TIMEOUT",
        value_name = "SECONDS"
    )]
    pub request_head_timeout: Option<u64>,

    /// Seconds allowed to connect to a registry. [default: 10]
    #[arg(long, env = "POLYARCH_PROXY_CONNECT_TIMEOUT", value_name = "SECONDS")]
    pub connect_timeout: Option<u64>,

    /// Seconds allowed for a registry's answer to start, and between two
    /// chunks of its body. [default: 60]
    #[arg(long, env = "POLYARCH_PROXY_RESPONSE_TIMEOUT", value_name = "SECONDS")]
    pub response_timeout: Option<u64>,

    /// Requests forwarded at once; more are refused with 503. [default: 256]
    #[arg(long, env = "POLYARCH_PROXY_MAX_CONCURRENT", value_name = "N")]
    pub max_concurrent: Option<usize>,

    /// Log filter in `tracing` syntax (`info`, `debug`,
    /// `polyarch_proxy=debug`). [default: info]
    #[arg(long, env = "POLYARCH_PROXY_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

/// The TOML file; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See `--listen`.
    pub listen: Option<SocketAddr>,
    /// See `--site`.
    pub site: Option<PathBuf>,
    /// See `--public-url`.
    pub public_url: Option<Url>,
    /// See `--allow-registry`.
    pub allow_registry: Option<Vec<String>>,
    /// See `--no-default-registries`.
    pub no_default_registries: Option<bool>,
    /// See `--allow-private`.
    pub allow_private: Option<Vec<String>>,
    /// See `--plain-http`.
    pub plain_http: Option<Vec<String>>,
    /// See `--allow-origin`.
    pub allow_origin: Option<Vec<String>>,
    /// See `--max-manifest-bytes`.
    pub max_manifest_bytes: Option<u64>,
    /// See `--max-header-bytes`.
    pub max_header_bytes: Option<usize>,
    /// See `--request-head-timeout`.
    pub request_head_timeout: Option<u64>,
    /// See `--connect-timeout`.
    pub connect_timeout: Option<u64>,
    /// See `--response-timeout`.
    pub response_timeout: Option<u64>,
    /// See `--max-concurrent`.
    pub max_concurrent: Option<usize>,
    /// See `--log`.
    pub log: Option<String>,
}

/// Limits on what the proxy accepts and how long it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest manifest, either way.
    pub max_manifest_bytes: u64,
    /// Largest header block, request or upstream response.
    pub max_header_bytes: usize,
    /// Time for a client to send a request head, and for an idle
    /// connection to start its next request.
    pub request_head_timeout: Duration,
    /// Time to connect to a registry.
    pub connect_timeout: Duration,
    /// Time for an answer to start, and between body chunks.
    pub response_timeout: Duration,
    /// Requests forwarded at once.
    pub max_concurrent: usize,
    /// Redirects followed for one request.
    pub max_redirects: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_manifest_bytes: DEFAULT_MANIFEST_BYTES,
            max_header_bytes: DEFAULT_HEADER_BYTES,
            request_head_timeout: Duration::from_secs(DEFAULT_REQUEST_HEAD_SECS),
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_SECS),
            response_timeout: Duration::from_secs(DEFAULT_RESPONSE_SECS),
            max_concurrent: DEFAULT_CONCURRENT,
            max_redirects: DEFAULT_REDIRECTS,
        }
    }
}

/// The settled configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The site directory, if any.
    pub site: Option<PathBuf>,
    /// The proxy's own origin as the page sees it, without a trailing slash.
    pub public_origin: String,
    /// Registries forwarded to.
    pub registries: Allowlist,
    /// Registries that may be on non-public addresses.
    pub allow_private: Allowlist,
    /// Registries spoken to over plain HTTP.
    pub plain_http: Vec<Registry>,
    /// Allowed page origins, normalised (`scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
    /// Limits.
    pub limits: Limits,
    /// The log filter.
    pub log: String,
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML for this configuration.
    #[error("invalid config file {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: toml::de::Error,
    },
    /// A registry pattern is invalid.
    #[error("invalid registry in --{setting}")]
    Pattern {
        /// The setting.
        setting: &'static str,
        /// The cause.
        #[source]
        source: PatternError,
    },
    /// A `--plain-http` entry is invalid.
    #[error("invalid registry in --plain-http")]
    PlainHttp(#[source] RegistryError),
    /// An origin is not `scheme://host[:port]`.
    #[error("invalid origin {origin:?}: expected scheme://host[:port]")]
    Origin {
        /// The rejected text.
        origin: String,
    },
    /// A limit is zero.
    #[error("--{setting} must be greater than zero")]
    Zero {
        /// The setting.
        setting: &'static str,
    },
}

impl Default for Config {
    fn default() -> Self {
        Config::from_parts(Args::default(), FileConfig::default())
            .unwrap_or_else(|_| unreachable!("the defaults are valid"))
    }
}

impl Config {
    /// Reads the file named by `args.config`, if any, and settles the
    /// configuration.
    pub fn load(args: Args) -> Result<Config, ConfigError> {
        let file = match &args.config {
            None => FileConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.clone(),
                    source,
                })?
            }
        };
        Config::from_parts(args, file)
    }

    /// Settles flags (and environment) over the file over the defaults.
    pub fn from_parts(args: Args, file: FileConfig) -> Result<Config, ConfigError> {
        let pick = |flag: Vec<String>, file: Option<Vec<String>>| {
            if flag.is_empty() {
                file.unwrap_or_default()
            } else {
                flag
            }
        };
        let listen = args.listen.or(file.listen).unwrap_or_else(default_listen);
        let no_defaults = args.no_default_registries || file.no_default_registries.unwrap_or(false);
        let allow_registry = pick(args.allow_registry, file.allow_registry);
        let allow_private = pick(args.allow_private, file.allow_private);
        let plain_http = pick(args.plain_http, file.plain_http);
        let allow_origin = pick(args.allow_origin, file.allow_origin);

        let mut patterns: Vec<String> = Vec::new();
        if !no_defaults {
            patterns.extend(DEFAULT_REGISTRIES.iter().map(|s| (*s).to_owned()));
        }
        patterns.extend(allow_registry);
        patterns.extend(allow_private.iter().cloned());
        let registries = Allowlist::parse(&patterns).map_err(|source| ConfigError::Pattern {
            setting: "allow-registry",
            source,
        })?;
        let allow_private =
            Allowlist::parse(&allow_private).map_err(|source| ConfigError::Pattern {
                setting: "allow-private",
                source,
            })?;
        let plain_http = plain_http
            .iter()
            .map(|s| s.parse())
            .collect::<Result<Vec<Registry>, _>>()
            .map_err(ConfigError::PlainHttp)?;

        let public_url = args.public_url.or(file.public_url);
        let public_origin = match &public_url {
            Some(url) => url.origin().ascii_serialization(),
            None => format!("http://{listen}"),
        };
        let allowed_origins = if allow_origin.is_empty() {
            own_origins(&public_origin, public_url.is_none(), listen)
        } else {
            allow_origin
                .iter()
                .map(|o| normalise_origin(o))
                .collect::<Result<_, _>>()?
        };

        let limits = Limits {
            max_manifest_bytes: args
                .max_manifest_bytes
                .or(file.max_manifest_bytes)
                .unwrap_or(DEFAULT_MANIFEST_BYTES),
            max_header_bytes: args
                .max_header_bytes
                .or(file.max_header_bytes)
                .unwrap_or(DEFAULT_HEADER_BYTES),
            request_head_timeout: Duration::from_secs(
                args.request_head_timeout
                    .or(file.request_head_timeout)
                    .unwrap_or(DEFAULT_REQUEST_HEAD_SECS),
            ),
            connect_timeout: Duration::from_secs(
                args.connect_timeout
                    .or(file.connect_timeout)
                    .unwrap_or(DEFAULT_CONNECT_SECS),
            ),
            response_timeout: Duration::from_secs(
                args.response_timeout
                    .or(file.response_timeout)
                    .unwrap_or(DEFAULT_RESPONSE_SECS),
            ),
            max_concurrent: args
                .max_concurrent
                .or(file.max_concurrent)
                .unwrap_or(DEFAULT_CONCURRENT),
            max_redirects: DEFAULT_REDIRECTS,
        };
        check_limits(&limits)?;

        Ok(Config {
            listen,
            site: args.site.or(file.site),
            public_origin,
            registries,
            allow_private,
            plain_http,
            allowed_origins,
            limits,
            log: args
                .log
                .or(file.log)
                .unwrap_or_else(|| DEFAULT_LOG.to_owned()),
        })
    }

    /// Whether a registry is spoken to over plain HTTP.
    pub fn is_plain_http(&self, registry: &Registry) -> bool {
        self.plain_http.contains(registry)
    }
}

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN
        .parse()
        .unwrap_or_else(|_| unreachable!("the default address parses"))
}

fn check_limits(limits: &Limits) -> Result<(), ConfigError> {
    let zero = [
        ("max-manifest-bytes", limits.max_manifest_bytes == 0),
        ("max-header-bytes", limits.max_header_bytes == 0),
        (
            "request-head-timeout",
            limits.request_head_timeout.is_zero(),
        ),
        ("connect-timeout", limits.connect_timeout.is_zero()),
        ("response-timeout", limits.response_timeout.is_zero()),
        ("max-concurrent", limits.max_concurrent == 0),
    ];
    match zero.iter().find(|(_, is_zero)| *is_zero) {
        Some((setting, _)) => Err(ConfigError::Zero { setting }),
        None => Ok(()),
    }
}

/// The proxy's own origins: the public origin, plus its `localhost` spelling
/// when the proxy listens on loopback and no public URL was given.
fn own_origins(public_origin: &str, derived: bool, listen: SocketAddr) -> Vec<String> {
    let mut origins = vec![public_origin.to_owned()];
    if derived && listen.ip().is_loopback() {
        origins.push(format!("http://localhost:{}", listen.port()));
    }
    origins
}

/// `scheme://host[:port]` in the form browsers send in `Origin`.
pub fn normalise_origin(text: &str) -> Result<String, ConfigError> {
    let bad = || ConfigError::Origin {
        origin: text.to_owned(),
    };
    let url = Url::parse(text).map_err(|_| bad())?;

    let bare = matches!(url.path(), "" | "/") && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || !bare || !url.username().is_empty() {
        return Err(bad());
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_safe() {
        let config = Config::default();

        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.allowed_origins,
            ["http://127.0.0.1:8080", "http://localhost:8080"]
        );
        assert!(config.registries.allows(&"ghcr.io".parse().unwrap()));
        assert!(!config.registries.allows(&"127.0.0.1:5000".parse().unwrap()));
        assert!(config.allow_private.patterns().is_empty());
        assert!(config.plain_http.is_empty());
        assert_eq!(config.limits, Limits::default());
    }

    #[test]
    fn flags_win_over_the_file() {
        let args = Args::parse_from([
            "polyarch-proxy",
            "--listen",
            "127.0.0.1:9000",
            "--allow-registry",
            "a.example,b.example",
            "--no-default-registries",
        ]);
        let file: FileConfig = toml::from_str(
            "listen = \"127.0.0.1:7000\"\nallow_registry = [\"c.example\"]\nmax_concurrent = 3\n",
        )
        .unwrap();

        let config = Config::from_parts(args, file).unwrap();

        assert_eq!(config.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(config.registries.to_string(), "a.example, b.example");
        assert_eq!(config.limits.max_concurrent, 3);
    }

    #[test]
    fn allow_private_entries_are_allowlisted_too() {
        let args = Args::parse_from([
            "polyarch-proxy",
            "--no-default-registries",
            "--allow-private",
            "127.0.0.1:5000",
        ]);

        let config = Config::from_parts(args, FileConfig::default()).unwrap();

        let demo = "127.0.0.1:5000".parse().unwrap();
        assert!(config.registries.allows(&demo));
        assert!(config.allow_private.allows(&demo));
    }

    #[test]
    fn normalises_origins() {
        let table = [
            ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("HTTP://Example.COM:80/", Some("http://example.com")),
            ("https://example.com:443", Some("https://example.com")),
            ("https://example.com/path", None),
            ("ftp://example.com", None),
            ("null", None),
            ("http://user@example.com", None),
        ];

        for (text, expected) in table {
            assert_eq!(normalise_origin(text).ok().as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn rejects_unknown_keys_and_zero_limits() {
        assert!(toml::from_str::<FileConfig>("listen_on = \"x\"").is_err());

        let args = Args::parse_from(["polyarch-proxy", "--max-concurrent", "0"]);
        let result = Config::from_parts(args, FileConfig::default());

        assert!(matches!(
            result,
            Err(ConfigError::Zero {
                setting: "max-concurrent"
            })
        ));
    }
}
