//! `digest(input, algorithm?)`: the digest of exact bytes.
//!
//! The algorithm is `"sha256"` (the default) or `"sha512"`. A string is
//! hashed as its UTF-8 bytes. A `Uint8Array` is hashed in chunks of
//! [`CHUNK`] bytes, so that hashing a large blob does not copy it whole into
//! the module's memory.
//!
//! Throws a `TypeError` for input that is neither a string nor a
//! `Uint8Array`, and an `Error` for an unknown algorithm or a string with a
//! lone surrogate (it has no UTF-8 form, so it has no digest).

use js_sys::Uint8Array;
use polyarch_core::digest::Hasher;
use wasm_bindgen::prelude::*;

use crate::input;
use crate::output::{error, type_error};

/// How many bytes of a `Uint8Array` are copied into the module at a time.
const CHUNK: u32 = 1 << 20;

/// The digest of `input`, `algorithm:hex`.
#[wasm_bindgen(js_name = digest)]
pub fn digest(input: JsValue, algorithm: JsValue) -> Result<String, JsValue> {
    let mut hasher = hasher(&algorithm)?;

    if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        hash_chunked(&mut hasher, bytes);
        return Ok(hasher.finish().to_string());
    }

    let input = input::read(&input)?;
    if let Some(lone) = input.lone_surrogate {
        return Err(error(&lone.to_string()));
    }
    hasher.update(&input.bytes);
    Ok(hasher.finish().to_string())
}

fn hasher(algorithm: &JsValue) -> Result<Hasher, JsValue> {
    if algorithm.is_undefined() || algorithm.is_null() {
        return Ok(Hasher::sha256());
    }
    match algorithm.as_string().as_deref() {
        Some("sha256") => Ok(Hasher::sha256()),
        Some("sha512") => Ok(Hasher::sha512()),
        Some(other) => Err(error(&format!(
            "unknown digest algorithm {other:?}: expected \"sha256\" or \"sha512\""
        ))),
        None => Err(type_error(&format!(
            "the algorithm must be a string, found {}",
            input::type_name(algorithm)
        ))),
    }
}

fn hash_chunked(hasher: &mut Hasher, bytes: &Uint8Array) {
    let length = bytes.length();
    let mut buffer = vec![0; CHUNK.min(length) as usize];
    let mut start = 0;

    while start < length {
        let end = start.saturating_add(CHUNK).min(length);
        let chunk = &mut buffer[..(end - start) as usize];
        bytes.subarray(start, end).copy_to(chunk);
        hasher.update(chunk);
        start = end;
    }
}
