//! `inspect(input, options?)` and `selectPlatform(input, platform, options?)`.
//!
//! Both read a document (a string or a `Uint8Array`, see [`crate::input`])
//! and never throw for what the document says: every problem is a
//! diagnostic from `polyarch-core`. Two things are added here, at the
//! boundary with JavaScript:
//!
//! - a string with a lone surrogate is inspected with U+FFFD in its place
//!   and gets a `lone-surrogate` error at the document root, placed at the
//!   first one (the digest is then of the replaced bytes, which no registry
//!   would receive);
//! - every descriptor size is passed through [`js_size`], so that a size
//!   beyond 2^53 − 1 is `null` (core has already reported
//!   `size-unsafe-integer` for it).
//!
//! A report holds every entry of an index, so it is built as JSON text and
//! parsed by the engine's `JSON.parse`, which measured about three times
//! less overhead than building the objects one call at a time.
//!
//! `options` is `undefined`, `null` or an object; `inspect` reads
//! `contentType` and `expectedDigest`, `selectPlatform` reads `osVersion`
//! (the Windows build the client runs) and `strict` (no fallback). Options
//! of the wrong type are a `TypeError`.

use polyarch_core::descriptor::{Descriptor, Entry};
use polyarch_core::diagnostic::{Diagnostic, Rule};
use polyarch_core::inspect::{InspectOptions, Report, SelectionReport};
use polyarch_core::json::LineIndex;
use polyarch_core::select::SelectOptions;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::input::{self, Input};
use crate::output::{js_size, serde_message, to_js_via_json, type_error};

/// `inspect`'s options as JavaScript writes them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InspectOptionsObject {
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    expected_digest: Option<String>,
}

/// `selectPlatform`'s options as JavaScript writes them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SelectOptionsObject {
    #[serde(default)]
    os_version: Option<String>,
    #[serde(default)]
    strict: Option<bool>,
}

/// What `selectPlatform` returns: the four fields, no more.
#[derive(Debug, Serialize)]
struct Selection {
    entry: Option<Entry>,
    reason: String,
    unresolved: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
}

/// Validates a manifest, image index or manifest list.
#[wasm_bindgen(js_name = inspect)]
pub fn inspect(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let options: InspectOptionsObject = read_options(options, "inspect")?;
    let input = input::read(&input)?;

    let options = InspectOptions {
        content_type: options.content_type,
        expected_digest: options.expected_digest,
    };
    let mut report = polyarch_core::inspect::inspect(&input.bytes, &options);

    add_lone_surrogate(&input, &mut report.diagnostics);
    report.valid = !report.diagnostics.iter().any(Diagnostic::is_error);
    to_js_via_json(&js_safe_report(report))
}

/// Chooses the row that a client on `platform` pulls.
#[wasm_bindgen(js_name = selectPlatform)]
pub fn select_platform(
    input: JsValue,
    platform: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: SelectOptionsObject = read_options(options, "selectPlatform")?;
    let mut wanted = crate::platform::wanted(platform)?;
    let input = input::read(&input)?;

    if options.os_version.is_some() {
        wanted.os_version = options.os_version;
    }
    let select_options = SelectOptions {
        strict: options.strict.unwrap_or(false),
        ..SelectOptions::default()
    };
    let found = polyarch_core::inspect::select_platform(&input.bytes, &wanted, &select_options);

    to_js_via_json(&js_safe_selection(found, &input))
}

fn read_options<T: Default + for<'de> Deserialize<'de>>(
    options: JsValue,
    function: &str,
) -> Result<T, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    if !options.is_object() {
        return Err(type_error(&format!(
            "{function}: options must be an object, found {}",
            input::type_name(&options)
        )));
    }
    serde_wasm_bindgen::from_value(options)
        .map_err(|e| type_error(&format!("{function}: bad options: {}", serde_message(&e))))
}

/// Adds a `lone-surrogate` error if the string had one.
fn add_lone_surrogate(input: &Input, diagnostics: &mut Vec<Diagnostic>) {
    let Some(lone) = input.lone_surrogate else {
        return;
    };
    let position = LineIndex::new(&input.bytes).position(lone.offset);
    diagnostics.push(Diagnostic::new(
        Rule::LoneSurrogate,
        String::new(),
        position,
        format!("{lone}; it was read as U+FFFD"),
    ));
    diagnostics.sort_by_key(|d| (d.severity, d.offset));
}

fn js_safe_report(mut report: Report) -> Report {
    for entry in &mut report.entries {
        js_safe_descriptor(&mut entry.descriptor);
    }
    for layer in &mut report.layers {
        js_safe_descriptor(layer);
    }
    if let Some(config) = &mut report.config {
        js_safe_descriptor(config);
    }
    if let Some(subject) = &mut report.subject {
        js_safe_descriptor(subject);
    }
    report
}

fn js_safe_selection(found: SelectionReport, input: &Input) -> Selection {
    let mut selection = Selection {
        entry: found.entry,
        reason: found.reason,
        unresolved: found.unresolved,
        diagnostics: found.diagnostics,
    };
    if let Some(entry) = &mut selection.entry {
        js_safe_descriptor(&mut entry.descriptor);
    }
    add_lone_surrogate(input, &mut selection.diagnostics);
    selection
}

fn js_safe_descriptor(descriptor: &mut Descriptor) {
    descriptor.size = js_size(descriptor.size);
}
