//! polyarch's web page: paste, drop or choose a manifest or index and see
//! at once what it is, whether it is valid, its exact digest, every problem
//! at its line and column, and which entry a host of a given platform
//! pulls.
//!
//! The page is a static site (`make site` builds it into `dist/`) that works
//! from any static host under any path: every asset URL is relative, and
//! the WebAssembly is started from a script file, so that a
//! Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'` and
//! `style-src 'self'` holds. It calls `polyarch-core` directly; nothing
//! leaves the browser.
//!
//! Layout of the crate: [`state`] holds the reducer; [`hooks`] run
//! inspection off the input handler and keep the work across reloads;
//! [`components`] draw the page, one component per file; [`cells`],
//! [`rows`], [`position`], [`selection`] and [`persist`] are the pure
//! rules behind them, tested natively; [`browser`] wraps the few browser
//! services the page uses.

mod browser;
mod builder;
mod cells;
mod components;
mod examples;
mod hooks;
mod inspector;
mod persist;
mod position;
mod registry;
mod rows;
mod selection;
mod state;

fn main() {
    yew::Renderer::<components::App>::new().render();
}
