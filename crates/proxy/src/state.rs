//! What every request handler shares: the configuration, the upstream
//! clients, the token realms learnt from registries and the request slots.
//!
//! The state holds no credential and no token: realms are URLs that
//! registries announce publicly in their 401 answers.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::config::Config;
use crate::token::Realms;
use crate::upstream::Upstream;

/// Shared, cheaply cloned state.
#[derive(Clone)]
pub struct AppState {
    /// The settled configuration.
    pub config: Arc<Config>,
    /// The HTTP clients and the hop checks.
    pub upstream: Arc<Upstream>,
    /// Token realms announced by registries, by registry name.
    pub realms: Arc<Realms>,
    /// One permit per request being forwarded.
    pub permits: Arc<Semaphore>,
}

impl AppState {
    /// Builds the clients for a configuration.
    ///
    /// # Errors
    ///
    /// When the TLS backend cannot be set up.
    pub fn new(config: Config) -> Result<AppState, reqwest::Error> {
        let config = Arc::new(config);
        let upstream = Arc::new(Upstream::new(Arc::clone(&config))?);
        let permits = Arc::new(Semaphore::new(config.limits.max_concurrent));

        Ok(AppState {
            config,
            upstream,
            realms: Arc::default(),
            permits,
        })
    }
}
