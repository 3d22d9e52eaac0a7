//! `createIndex(entries, options?)`: an image index or manifest list from
//! its entries, with the exact bytes to push.
//!
//! Each entry is `{ mediaType, digest, size, platform?, annotations?,
//! artifactType? }`; `options` is `{ format?: 'oci' | 'docker' | 'auto',
//! annotations?, pretty?, artifactType?, subject? }`. The rules (which
//! format `auto` picks, what a Docker list cannot hold, how the bytes are
//! written) are core's, in `polyarch_core::assemble`.
//!
//! What the entries say is never an exception: an entry that cannot be
//! written (a bad digest, a negative size, a platform without os) is left
//! out with an `assembly-entry-invalid` error, and the rest are
//! diagnostics. A value of the wrong JavaScript type is a `TypeError` that
//! names the entry and the field: `entries` not an array, an entry not an
//! object, a `size` that is not an integer up to 2^53 − 1. A member whose
//! value is `undefined` is read as absent.

use js_sys::{Array, Object, Reflect};
use polyarch_core::assemble::{CreateOptions, NewEntry};
use wasm_bindgen::prelude::*;

use crate::input::type_name;
use crate::output::{serde_message, to_js, type_error};

/// Assembles an index from `entries`.
#[wasm_bindgen(js_name = createIndex)]
pub fn create_index(entries: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let Some(list) = entries.dyn_ref::<Array>() else {
        return Err(type_error(&format!(
            "createIndex: entries must be an array, found {}",
            type_name(&entries)
        )));
    };
    let entries = list
        .iter()
        .enumerate()
        .map(|(i, value)| read_entry(i, value))
        .collect::<Result<Vec<_>, _>>()?;
    let options = read_options(options)?;

    to_js(&polyarch_core::assemble::create(&entries, &options))
}

fn read_entry(i: usize, value: JsValue) -> Result<NewEntry, JsValue> {
    if !value.is_object() || Array::is_array(&value) {
        return Err(type_error(&format!(
            "createIndex: entries[{i}] must be an object, found {}",
            type_name(&value)
        )));
    }
    refuse_lone_surrogates(&value, &format!("entries[{i}]"))?;
    serde_wasm_bindgen::from_value(without_undefined(&value))
        .map_err(|e| type_error(&format!("createIndex: entries[{i}]: {}", serde_message(&e))))
}

fn read_options(options: JsValue) -> Result<CreateOptions, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(CreateOptions::default());
    }
    if !options.is_object() {
        return Err(type_error(&format!(
            "createIndex: options must be an object, found {}",
            type_name(&options)
        )));
    }
    refuse_lone_surrogates(&options, "options")?;
    serde_wasm_bindgen::from_value(without_undefined(&options))
        .map_err(|e| type_error(&format!("createIndex: bad options: {}", serde_message(&e))))
}

/// A copy of `object` without its `undefined` members, so that
/// `{ pretty: undefined }` reads as an absent `pretty`, as JavaScript means
/// it.
fn without_undefined(object: &JsValue) -> JsValue {
    let copy = Object::new();
    for pair in Object::entries(object.unchecked_ref()).iter() {
        let pair: Array = pair.unchecked_into();
        let value = pair.get(1);
        if !value.is_undefined() {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&copy, &pair.get(0), &value);
        }
    }
    copy.into()
}

/// A string with a lone surrogate has no UTF-8 form: rather than let it
/// become U+FFFD on the way into Rust, and so into the bytes that are hashed,
/// refuse it and say where it is.
fn refuse_lone_surrogates(value: &JsValue, path: &str) -> Result<(), JsValue> {
    match find_lone_surrogate(value, path, 0) {
        Some(at) => Err(type_error(&format!(
            "createIndex: {at} holds a lone surrogate, which has no UTF-8 form"
        ))),
        None => Ok(()),
    }
}

/// How deep [`find_lone_surrogate`] looks: entries nest three levels
/// (`platform.os.features`), and a cyclic object must not loop.
const MAX_LOOK_DEPTH: usize = 8;

fn find_lone_surrogate(value: &JsValue, path: &str, depth: usize) -> Option<String> {
    if let Some(text) = value.dyn_ref::<js_sys::JsString>() {
        return (!text.is_well_formed()).then(|| path.to_owned());
    }
    if depth >= MAX_LOOK_DEPTH || !value.is_object() {
        return None;
    }
    for pair in Object::entries(value.unchecked_ref()).iter() {
        let pair: Array = pair.unchecked_into();
        let key = pair.get(0);
        let name = key.as_string().unwrap_or_default();
        let inner = format!("{path}.{name}");
        if key
            .dyn_ref::<js_sys::JsString>()
            .is_some_and(|k| !k.is_well_formed())
        {
            return Some(format!("a key of {path}"));
        }
        if let Some(found) = find_lone_surrogate(&pair.get(1), &inner, depth + 1) {
            return Some(found);
        }
    }
    None
}
