//! `polyarch-proxy`: see `polyarch-proxy --help` and the library docs.

use std::process::ExitCode;

use clap::Parser;
use polyarch_proxy::config::{Args, Config};
use polyarch_proxy::state::AppState;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::load(Args::parse()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("polyarch-proxy: {}", chain(&error));
            return ExitCode::from(2);
        }
    };

    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();

    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %chain(error.as_ref()), "polyarch-proxy stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let listen = config.listen;
    tracing::info!(
        listen = %listen,
        site = ?config.site,
        public_origin = %config.public_origin,
        registries = %config.registries,
        allow_private = %config.allow_private,
        plain_http = ?config.plain_http.iter().map(ToString::to_string).collect::<Vec<_>>(),
        allowed_origins = ?config.allowed_origins,
        limits = ?config.limits,
        "polyarch-proxy starting"
    );

    let limits = config.limits.clone();
    let state = AppState::new(config)?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");

    polyarch_proxy::serve::serve(listener, polyarch_proxy::app(state), &limits, shutdown()).await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };

    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, finishing open requests"),
        () = term => tracing::info!("SIGTERM received, finishing open requests"),
    }
}

/// An error and its causes, joined by `: `.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
