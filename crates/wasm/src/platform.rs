//! `parsePlatform(text)`, `formatPlatform(platform)` and the platform
//! objects that JavaScript passes in.
//!
//! `parsePlatform` reads `os[(os.version+features)][/architecture[/variant]]`
//! (the grammar is core's, `polyarch_core::platform`) and normalises it the
//! way containerd does; it throws an `Error` whose message names the fault
//! and its byte offset.
//!
//! A platform object has `os` and `architecture` (strings) and optionally
//! `variant`, `osVersion`, `osFeatures` and `features`; other members are
//! ignored, so that an `Entry`'s `platform` can be passed back as it is.
//! `formatPlatform` writes `os/architecture[/variant]` from the values as
//! given, without normalising them (`parsePlatform` is the one that
//! normalises); `osVersion` and the feature lists are not part of the string.
//!
//! A value that is not such an object is a `TypeError`.

use polyarch_core::platform::Platform;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::output::{error, serde_message, to_js, type_error};

/// A platform object as JavaScript writes it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlatformObject {
    os: String,
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    os_version: Option<String>,
    #[serde(default)]
    os_features: Option<Vec<String>>,
    #[serde(default)]
    features: Option<Vec<String>>,
}

impl From<PlatformObject> for Platform {
    fn from(object: PlatformObject) -> Self {
        Platform {
            os: object.os,
            architecture: object.architecture,
            variant: object.variant,
            os_version: object.os_version,
            os_features: object.os_features.unwrap_or_default(),
            features: object.features.unwrap_or_default(),
        }
    }
}

/// Reads a platform object; a `TypeError` that names the fault otherwise.
pub(crate) fn from_js(value: JsValue) -> Result<Platform, JsValue> {
    if !value.is_object() {
        return Err(type_error(&format!(
            "expected a platform object, found {}",
            crate::input::type_name(&value)
        )));
    }
    serde_wasm_bindgen::from_value::<PlatformObject>(value)
        .map(Platform::from)
        .map_err(|e| type_error(&format!("not a platform object: {}", serde_message(&e))))
}

/// A platform string, parsed and normalised.
#[wasm_bindgen(js_name = parsePlatform)]
pub fn parse_platform(text: JsValue) -> Result<JsValue, JsValue> {
    let Some(text) = text.as_string() else {
        return Err(type_error(&format!(
            "expected a platform string, found {}",
            crate::input::type_name(&text)
        )));
    };
    let platform = polyarch_core::platform::parse(&text).map_err(|e| error(&e.to_string()))?;
    to_js(&platform)
}

/// The platform a caller asks for: a string (parsed as by `parsePlatform`)
/// or a platform object (taken as given; the matcher normalises it).
pub(crate) fn wanted(value: JsValue) -> Result<Platform, JsValue> {
    match value.as_string() {
        Some(text) => polyarch_core::platform::parse(&text).map_err(|e| error(&e.to_string())),
        None => from_js(value),
    }
}

/// `os/architecture[/variant]`, from the values as given.
#[wasm_bindgen(js_name = formatPlatform)]
pub fn format_platform(platform: JsValue) -> Result<String, JsValue> {
    Ok(from_js(platform)?.format())
}
