//! Results as JavaScript values.
//!
//! Small results are built by `serde-wasm-bindgen` with two settings: maps
//! become plain objects, not `Map`s, and an absent value becomes `null` (so
//! that `digest: null` is written, not left `undefined`). Fields that the
//! API marks optional (`variant?`, `attests?`) are left out instead.
//!
//! Reports, and every result with a record whose keys come from the input
//! (`annotations`, `params`), go through JSON text instead: see
//! [`to_js_via_json`].
//!
//! JavaScript numbers hold integers exactly up to 2^53 − 1. Every size is
//! passed through [`js_size`] first: a size beyond that is `null`, never a
//! rounded number (core reports `size-unsafe-integer` for it).

use serde::Serialize;
use wasm_bindgen::JsValue;

/// The largest integer a JavaScript number holds exactly, 2^53 − 1.
pub(crate) const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// `size` if a JavaScript number holds it exactly, else `None`.
pub(crate) fn js_size(size: Option<i64>) -> Option<i64> {
    size.filter(|s| (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(s))
}

/// `value` as a JavaScript value.
///
/// Fails only if a result holds an integer beyond 2^53 − 1 that was not
/// passed through [`js_size`]; the error says so rather than rounding.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value
        .serialize(&serializer)
        .map_err(|e| js_sys::Error::new(&format!("polyarch could not convert its result: {e}")))
        .map_err(JsValue::from)
}

/// `value` as a JavaScript value, through JSON text and `JSON.parse`.
///
/// For large results (a report of an index with thousands of entries) this
/// crosses into JavaScript once instead of once per value. It is also the
/// way to build records whose keys come from input: `JSON.parse` makes a
/// key `__proto__` an own member, where `serde-wasm-bindgen` assigns it and
/// the value is lost. Objects come out
/// plain, `null` stands for absent values as with [`to_js`], and every
/// integer must be within 2^53 − 1 (sizes through [`js_size`]), since
/// `JSON.parse` would round the others.
pub(crate) fn to_js_via_json<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| error(&format!("polyarch could not convert its result: {e}")))?;
    js_sys::JSON::parse(&text)
}

/// The message of a `serde-wasm-bindgen` error, without the `Error: `
/// that its `Display` puts first.
pub(crate) fn serde_message(error: &serde_wasm_bindgen::Error) -> String {
    let text = error.to_string();
    match text.strip_prefix("Error: ") {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// A JavaScript `Error` with `message`.
pub(crate) fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// A JavaScript `TypeError` with `message`.
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_beyond_two_to_the_53_are_dropped() {
        let cases = [
            (Some(0), Some(0)),
            (Some(700), Some(700)),
            (Some(MAX_SAFE_INTEGER), Some(MAX_SAFE_INTEGER)),
            (Some(MAX_SAFE_INTEGER + 1), None),
            (Some(i64::MAX), None),
            (Some(-1), Some(-1)),
            (Some(i64::MIN), None),
            (None, None),
        ];

        for (size, expected) in cases {
            assert_eq!(js_size(size), expected, "{size:?}");
        }
    }
}
