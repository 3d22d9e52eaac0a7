//! polyarch-demo: the local registry behind `make run` and the browser
//! end-to-end tests.
//!
//! The binary `polyarch-demo` has three subcommands; `scripts/demo.sh` and
//! `tests/web/stack.mjs` use them to start a real CNCF distribution
//! registry (Debian's `docker-registry`) next to `polyarch-proxy`:
//!
//! | subcommand | what it does | module |
//! |---|---|---|
//! | `registry-config` | writes the registry's `config.yml` (no auth, htpasswd or token) and, for Basic mode, the htpasswd file | [`registry_config`], [`htpasswd`] |
//! | `token-server` | issues signed tokens for the registry's token mode | [`token_server`], [`issuer`], [`grant`] |
//! | `seed` | writes small demo images for three platforms to two repositories | [`seed`], [`client`], [`demo_set`], [`image`], [`layer`] |
//!
//! Layers, bottom up: [`layer`] (a tar with one file), [`image`] (config
//! and manifest around it), [`demo_set`] (which images under which tags,
//! and the index built by the core's assembly), [`credentials`] (Basic
//! authentication), [`grant`] and [`issuer`] (what a token allows, and its
//! signature), [`registry_config`] and [`htpasswd`] (files the registry
//! reads); then the parts that do I/O: [`client`] (the transfer plan's
//! requests over HTTP), [`seed`] (driving the plan) and [`token_server`]
//! (the `/token` endpoint).
//!
//! Everything here is for a registry on a loopback address: the
//! configuration refuses any other address, and seeding speaks plain HTTP.

pub mod client;
pub mod credentials;
pub mod demo_set;
pub mod grant;
pub mod htpasswd;
pub mod image;
pub mod issuer;
pub mod layer;
pub mod registry_config;
pub mod seed;
pub mod token_server;
