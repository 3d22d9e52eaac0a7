//! polyarch's engine: strict JSON with positions, digests, media types,
//! manifests and indexes, platforms, references, validation, index assembly
//! and registry protocol helpers.
//!
//! The crate is pure logic: no I/O, no async, no logging. It compiles for
//! `wasm32-unknown-unknown` and natively; the npm package, the web page and
//! the registry proxy all stand on it.

pub mod assemble;
mod check;
pub mod config;
pub mod descriptor;
pub mod diagnostic;
pub mod digest;
pub mod inspect;
pub mod json;
pub mod media_type;
pub mod platform;
pub mod reference;
pub mod registry;
pub mod select;
pub mod transfer;
