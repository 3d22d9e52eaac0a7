//! polyarch-proxy: lets the polyarch page speak the container registry API,
//! and serves the page.
//!
//! Browsers cannot call most registries directly: Docker Hub and Azure
//! Container Registry send no CORS headers, and distribution answers the
//! CORS preflight with 401 when auth is on. The proxy forwards
//! `/r/{registry}/v2/...` to `https://{registry}/v2/...`, answers CORS
//! itself, keeps the page on its own origin (rewriting `Location`, `Link`
//! and Bearer realms), relays token requests to the realm the registry
//! announced, and refuses to become a way into the local network.
//!
//! Layers, bottom up, one concept per module:
//!
//! | Module | Concept |
//! |---|---|
//! | [`address`] | which IP addresses are public (pure functions) |
//! | [`registry`] | `host[:port]` names and their normal form |
//! | [`allowlist`] | registry patterns and the default public list |
//! | [`config`] | file, environment and flags |
//! | [`error`] | the proxy's errors as registry error envelopes |
//! | [`resolver`] | DNS that drops non-public addresses at connect time |
//! | [`rewrite`] | `Location`, `Link`, `WWW-Authenticate` (pure functions) |
//! | [`upstream`] | HTTP clients, per-hop checks, redirects |
//! | [`body`] | streamed bodies, manifest limits, the request log line |
//! | [`token`] | the token relay |
//! | [`cors`] | preflights, allowed origins, exposed headers, `Vary` |
//! | [`forward`] | the `/r/...` handler |
//! | [`site`] | the built site at `/` |
//! | [`serve`] | accepting connections, request-head time limits |
//! | [`state`] | what handlers share |
//!
//! [`app`] puts them together into one `axum` router.

pub mod address;
pub mod allowlist;
pub mod body;
pub mod config;
pub mod cors;
pub mod error;
pub mod forward;
pub mod registry;
pub mod resolver;
pub mod rewrite;
pub mod serve;
pub mod site;
pub mod state;
pub mod token;
pub mod upstream;

use axum::Router;
use axum::middleware;
use axum::routing::any;

use crate::state::AppState;

/// The whole application: the proxy under `/r/`, the site (if configured)
/// everywhere else.
pub fn app(state: AppState) -> Router {
    let proxy = Router::new()
        .route("/r", any(forward::handle))
        .route("/r/", any(forward::handle))
        .route("/r/{*path}", any(forward::handle))
        .layer(middleware::from_fn_with_state(state.clone(), cors::layer))
        .with_state(state.clone());

    match &state.config.site {
        Some(dir) => proxy.merge(site::router(dir)),
        None => proxy,
    }
}
