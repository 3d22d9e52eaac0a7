//! polyarch's core as a WebAssembly module: the bindings behind the npm
//! package `polyarch`.
//!
//! Each function here is exported to JavaScript under the name the package
//! documents (`inspect`, `digest`, `parsePlatform`, …); the package's
//! TypeScript declarations (`js/polyarch.d.ts`) give their exact types, and
//! its README is the user's manual. This crate only converts: values come in
//! from JavaScript, go to `polyarch-core`, and small results go back out.
//! It holds no rules of its own.
//!
//! Conventions that every function follows:
//!
//! - **Documents** are a string (hashed and read as its UTF-8 bytes) or a
//!   `Uint8Array` (taken byte for byte); see [`input`].
//! - **Bad manifest input never throws**: it becomes diagnostics. A string
//!   with a lone surrogate has no UTF-8 form and gets a `lone-surrogate`
//!   diagnostic rather than a silent U+FFFD.
//! - **Functions that parse one string with a grammar throw** an `Error`
//!   whose message says what is wrong and where; a value of the wrong type
//!   is a `TypeError`.
//! - **Sizes are numbers**, and `null` beyond 2^53 − 1; see [`output`].
//! - **The module never traps**: core does not panic, and nothing here
//!   unwraps.

mod assemble;
mod digest;
mod input;
mod inspect;
mod output;
mod platform;
mod reference;

pub use assemble::create_index;
pub use digest::digest;
pub use inspect::{inspect, select_platform};
pub use platform::{format_platform, parse_platform};
pub use reference::{parse_challenge, parse_reference};
