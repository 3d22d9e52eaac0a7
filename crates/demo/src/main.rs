//! `polyarch-demo`: see `polyarch-demo --help` and the library docs.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use polyarch_demo::credentials::Credentials;
use polyarch_demo::issuer::Issuer;
use polyarch_demo::registry_config::{
    Auth, DEFAULT_ISSUER, DEFAULT_SERVICE, RegistryConfig, random_secret, require_loopback,
};
use polyarch_demo::token_server::{TokenService, router};
use polyarch_demo::{htpasswd, seed};

/// The certificate bundle's file name in the token server's directory.
const BUNDLE: &str = "token-issuer.pem";

#[derive(Debug, Parser)]
#[command(
    name = "polyarch-demo",
    version,
    about = "The local demo registry behind `make run`: registry configuration, a token \
             issuer, and small demo images for linux/amd64, linux/arm64 and linux/arm/v7."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes demo/app:amd64, demo/app:arm64, demo/app:v1 (an OCI index of
    /// the two) and demo/base:armv7 to a registry over plain HTTP; present
    /// content is skipped.
    Seed {
        /// The registry, HOST:PORT.
        #[arg(long, value_name = "HOST:PORT")]
        registry: String,
        /// User name for Basic or token authentication.
        #[arg(long, requires = "password")]
        user: Option<String>,
        /// Password for Basic or token authentication; ignored without
        /// --user.
        #[arg(long, env = "POLYARCH_DEMO_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Serves GET /token for distribution's token authentication: signed
    /// tokens for the user, anonymous pull-only tokens without credentials.
    /// Writes its certificate to DIR/token-issuer.pem before listening, and
    /// prints "listening on http://ADDR/token" once it is.
    TokenServer {
        /// Loopback address and port; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR:PORT")]
        listen: SocketAddr,
        /// Directory for the certificate bundle.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// The user name tokens with push rights are issued to.
        #[arg(long)]
        user: String,
        /// Its password.
        #[arg(long, env = "POLYARCH_DEMO_PASSWORD", hide_env_values = true)]
        password: String,
        /// The service tokens are for (the registry's auth.token.service).
        #[arg(long, default_value = DEFAULT_SERVICE)]
        service: String,
        /// The issuer name (the registry's auth.token.issuer).
        #[arg(long, default_value = DEFAULT_ISSUER)]
        issuer: String,
    },
    /// Writes a docker-registry config.yml (and, for basic auth, an
    /// htpasswd file beside it).
    RegistryConfig {
        /// Loopback address and port the registry listens on.
        #[arg(long, value_name = "ADDR:PORT")]
        listen: SocketAddr,
        /// Storage directory.
        #[arg(long, value_name = "DIR")]
        storage: PathBuf,
        /// The config file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// How clients authenticate.
        #[arg(long, value_enum, default_value_t = AuthMode::None)]
        auth: AuthMode,
        /// User name (basic).
        #[arg(long, required_if_eq("auth", "basic"))]
        user: Option<String>,
        /// Password (basic).
        #[arg(
            long,
            env = "POLYARCH_DEMO_PASSWORD",
            hide_env_values = true,
            required_if_eq("auth", "basic")
        )]
        password: Option<String>,
        /// The token server's URL, http://ADDR/token (token).
        #[arg(long, required_if_eq("auth", "token"), value_name = "URL")]
        realm: Option<String>,
        /// The token server's certificate bundle (token).
        #[arg(long, required_if_eq("auth", "token"), value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// The service name (token).
        #[arg(long, default_value = DEFAULT_SERVICE)]
        service: String,
        /// The issuer name (token).
        #[arg(long, default_value = DEFAULT_ISSUER)]
        issuer: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AuthMode {
    /// Anyone may pull and push.
    None,
    /// HTTP Basic against an htpasswd file.
    Basic,
    /// Bearer tokens from `polyarch-demo token-server`.
    Token,
}

type BoxError = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Seed {
            registry,
            user,
            password,
        } => run_seed(&registry, user, password).await,
        Command::TokenServer {
            listen,
            dir,
            user,
            password,
            service,
            issuer,
        } => run_token_server(listen, &dir, &user, &password, &service, &issuer).await,
        Command::RegistryConfig {
            listen,
            storage,
            out,
            auth,
            user,
            password,
            realm,
            bundle,
            service,
            issuer,
        } => {
            let auth = match (auth, realm, bundle) {
                (AuthMode::None, ..) => Ok(Auth::None),
                (AuthMode::Basic, ..) => Ok(Auth::Basic {
                    htpasswd: out.with_file_name("htpasswd"),
                }),
                (AuthMode::Token, Some(realm), Some(bundle)) => Ok(Auth::Token {
                    realm,
                    service,
                    issuer,
                    bundle,
                }),
                (AuthMode::Token, ..) => Err("token auth needs --realm and --bundle".into()),
            };
            auth.and_then(|auth| {
                write_registry_config(listen, storage, &out, auth, credentials(user, password))
            })
        }
    };

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("polyarch-demo: {}", chain(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}

fn credentials(
    user: Option<String>,
    password: Option<String>,
) -> Result<Option<Credentials>, BoxError> {
    match (user, password) {
        (Some(user), Some(password)) => Ok(Some(Credentials::new(&user, &password)?)),
        _ => Ok(None),
    }
}

async fn run_seed(
    registry: &str,
    user: Option<String>,
    password: Option<String>,
) -> Result<(), BoxError> {
    let credentials = credentials(user, password)?;

    let reports = seed::seed(registry, credentials).await?;

    for report in reports {
        println!("seeded {registry}/{}", report.summary());
    }
    Ok(())
}

async fn run_token_server(
    listen: SocketAddr,
    dir: &std::path::Path,
    user: &str,
    password: &str,
    service: &str,
    issuer: &str,
) -> Result<(), BoxError> {
    let listen = require_loopback(listen)?;
    let credentials = Credentials::new(user, password)?;
    let issuer = Issuer::generate(issuer, service)?;

    std::fs::create_dir_all(dir)?;
    let bundle = dir.join(BUNDLE);
    std::fs::write(&bundle, issuer.certificate_pem())?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let address = listener.local_addr()?;

    println!(
        "polyarch-demo token-server: listening on http://{address}/token; certificate {}",
        bundle.display()
    );
    std::io::stdout().flush()?;

    let app = router(Arc::new(TokenService::new(issuer, credentials)));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

fn write_registry_config(
    listen: SocketAddr,
    storage: PathBuf,
    out: &std::path::Path,
    auth: Auth,
    credentials: Result<Option<Credentials>, BoxError>,
) -> Result<(), BoxError> {
    if let Auth::Basic { htpasswd } = &auth {
        let credentials = credentials?.ok_or("basic auth needs --user and --password")?;
        htpasswd::write(htpasswd, &credentials)?;
    }

    let config = RegistryConfig {
        listen,
        storage,
        secret: random_secret().map_err(|_| "no random bytes for the registry's secret")?,
        auth,
    };
    let yaml = config.to_yaml()?;
    std::fs::write(out, yaml)?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// An error and its sources, joined with ": ".
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
