//! `parseReference(text)` and `parseChallenge(header)`: the two registry
//! strings a client reads before it fetches anything.
//!
//! `parseReference` normalises the way distribution/reference does (Docker
//! Hub is `docker.io`, its official images are `library/…`, `latest` is the
//! tag when neither tag nor digest is written) and adds the host to send API
//! requests to and the canonical form. `parseChallenge` reads a
//! `WWW-Authenticate` value and returns its first challenge, with the scheme
//! and the parameter names lower-cased; a header with several challenges
//! (`Basic …, Bearer …`) gives the first.
//!
//! Both throw an `Error` whose message says what is wrong and where.

use polyarch_core::reference::Reference;
use polyarch_core::registry::challenge;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::output::{error, to_js, to_js_via_json, type_error};

/// A reference as JavaScript receives it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceObject<'a> {
    registry: &'a str,
    repository: &'a str,
    tag: Option<&'a str>,
    digest: Option<String>,
    api_host: &'a str,
    canonical: String,
}

/// A challenge as JavaScript receives it.
#[derive(Debug, Serialize)]
struct ChallengeObject<'a> {
    scheme: &'a str,
    params: Params<'a>,
}

/// Parameters in the order written, as one object; a name written twice
/// keeps its first value.
#[derive(Debug)]
struct Params<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for Params<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        let mut seen = std::collections::HashSet::new();
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in &self.0 {
            if seen.insert(name) {
                map.serialize_entry(name, value)?;
            }
        }
        map.end()
    }
}

/// Parses an image reference.
#[wasm_bindgen(js_name = parseReference)]
pub fn parse_reference(text: JsValue) -> Result<JsValue, JsValue> {
    let text = string_argument(&text, "an image reference")?;
    let reference = Reference::parse(&text).map_err(|e| error(&e.to_string()))?;

    to_js(&ReferenceObject {
        registry: reference.registry(),
        repository: reference.repository(),
        tag: reference.tag(),
        digest: reference.digest().map(ToString::to_string),
        api_host: reference.api_host(),
        canonical: reference.canonical(),
    })
}

/// Parses a `WWW-Authenticate` header value.
#[wasm_bindgen(js_name = parseChallenge)]
pub fn parse_challenge(header: JsValue) -> Result<JsValue, JsValue> {
    let header = string_argument(&header, "a WWW-Authenticate value")?;
    let challenges = challenge::parse(&header).map_err(|e| error(&e.to_string()))?;
    let Some(first) = challenges.first() else {
        return Err(error("the header holds no challenge"));
    };

    let params = first
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // Through JSON, so that a parameter named `__proto__` stays a member.
    to_js_via_json(&ChallengeObject {
        scheme: &first.scheme,
        params: Params(params),
    })
}

fn string_argument(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        type_error(&format!(
            "expected {what} as a string, found {}",
            crate::input::type_name(value)
        ))
    })
}
