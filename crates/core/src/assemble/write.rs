//! Writing the document: the structs in the field order of the Go types
//! that the reference tools marshal, and the bytes as Go's `encoding/json`
//! writes them.
//!
//! - OCI index (image-spec `specs-go/v1/index.go`): `schemaVersion`,
//!   `mediaType`, `artifactType`, `manifests`, `subject`, `annotations`.
//! - OCI descriptor (`descriptor.go`): `mediaType`, `digest`, `size`,
//!   `urls`, `annotations`, `data`, `platform`, `artifactType`.
//! - Docker manifest list (distribution `manifest/manifestlist`):
//!   `schemaVersion`, `mediaType`, `manifests`; an entry is `mediaType`,
//!   `size`, `digest`, `platform`.
//! - Platform (both): `architecture`, `os`, `os.version`, `os.features`,
//!   `variant`, `features`.
//!
//! Empty optional values are left out, as Go's `omitempty` does; maps are
//! written with their keys sorted, as Go writes a `map[string]string`.
//!
//! Two deliberate differences from the Go types: distribution's descriptor
//! tags `size` with `omitempty`, so Go leaves out a size of 0, where
//! polyarch always writes `size`, because an entry without one is invalid;
//! and image-spec v1.1's Go `Platform` has no `features`, which the spec
//! reserves, where polyarch writes `features` (last, as Docker's
//! `PlatformSpec` does) when the caller gives any.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::platform::Platform;

/// `schemaVersion` of both formats.
const SCHEMA_VERSION: u32 = 2;

/// An OCI image index.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OciIndex<'a> {
    pub(crate) schema_version: u32,
    pub(crate) media_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) artifact_type: Option<&'a str>,
    pub(crate) manifests: Vec<OciDescriptor<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) subject: Option<OciDescriptor<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) annotations: BTreeMap<&'a str, &'a str>,
}

impl<'a> OciIndex<'a> {
    pub(crate) fn new(media_type: &'static str) -> Self {
        OciIndex {
            schema_version: SCHEMA_VERSION,
            media_type,
            artifact_type: None,
            manifests: Vec::new(),
            subject: None,
            annotations: BTreeMap::new(),
        }
    }
}

/// An OCI descriptor, with the platform of an index entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OciDescriptor<'a> {
    pub(crate) media_type: &'a str,
    pub(crate) digest: &'a str,
    pub(crate) size: i64,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub(crate) urls: &'a [String],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) annotations: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) data: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) platform: Option<PlatformSpec<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) artifact_type: Option<&'a str>,
}

/// A Docker manifest list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DockerList<'a> {
    pub(crate) schema_version: u32,
    pub(crate) media_type: &'static str,
    pub(crate) manifests: Vec<DockerEntry<'a>>,
}

impl<'a> DockerList<'a> {
    pub(crate) fn new(media_type: &'static str) -> Self {
        DockerList {
            schema_version: SCHEMA_VERSION,
            media_type,
            manifests: Vec::new(),
        }
    }
}

/// A Docker manifest list entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DockerEntry<'a> {
    pub(crate) media_type: &'a str,
    pub(crate) size: i64,
    pub(crate) digest: &'a str,
    pub(crate) platform: PlatformSpec<'a>,
}

/// A platform object.
#[derive(Serialize)]
pub(crate) struct PlatformSpec<'a> {
    architecture: &'a str,
    os: &'a str,
    #[serde(rename = "os.version", skip_serializing_if = "str::is_empty")]
    os_version: &'a str,
    #[serde(rename = "os.features", skip_serializing_if = "<[_]>::is_empty")]
    os_features: &'a [String],
    #[serde(skip_serializing_if = "str::is_empty")]
    variant: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    features: &'a [String],
}

impl<'a> From<&'a Platform> for PlatformSpec<'a> {
    fn from(p: &'a Platform) -> Self {
        PlatformSpec {
            architecture: &p.architecture,
            os: &p.os,
            os_version: p.os_version.as_deref().unwrap_or(""),
            os_features: &p.os_features,
            variant: p.variant.as_deref().unwrap_or(""),
            features: &p.features,
        }
    }
}

/// The indentation of `docker manifest push`: distribution's manifest list
/// is marshalled with `json.MarshalIndent(m, "", "   ")`.
const INDENT: &[u8] = b"   ";

/// Writes `value` once, compact or indented by three spaces, with no
/// trailing newline, and escapes what Go escapes.
pub(crate) fn to_text<T: Serialize>(value: &T, pretty: bool) -> Result<String, serde_json::Error> {
    let mut bytes = Vec::with_capacity(512);
    if pretty {
        let formatter = serde_json::ser::PrettyFormatter::with_indent(INDENT);
        let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        value.serialize(&mut serializer)?;
    } else {
        serde_json::to_writer(&mut bytes, value)?;
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let message = format!("the writer produced bytes that are not UTF-8: {e}");
        <serde_json::Error as serde::ser::Error>::custom(message)
    })?;
    Ok(escape_like_go(text))
}

/// Go's `encoding/json` writes `<`, `>`, `&`, U+2028 and U+2029 as `\u`
/// escapes, where `serde_json` writes them as they are. None of them can
/// occur in JSON outside a string, so replacing them in the whole text
/// changes exactly the string contents, and gives Go's bytes.
fn escape_like_go(text: String) -> String {
    const SPECIAL: [char; 5] = ['<', '>', '&', '\u{2028}', '\u{2029}'];
    if !text.contains(SPECIAL) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_characters_are_escaped_as_go_does() {
        let map: BTreeMap<&str, &str> = [("a<b", "x&y>z\u{2028}")].into_iter().collect();

        let text = to_text(&map, false).unwrap();

        assert_eq!(text, r#"{"a\u003cb":"x\u0026y\u003ez\u2028"}"#);
        let back: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back["a<b"], "x&y>z\u{2028}");
    }

    #[test]
    fn pretty_uses_three_spaces_and_no_trailing_newline() {
        let list = DockerList::new("m");

        let text = to_text(&list, true).unwrap();

        assert_eq!(
            text,
            "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"m\",\n   \"manifests\": []\n}"
        );
    }

    #[test]
    fn empty_platform_options_are_omitted() {
        let platform = Platform {
            os: "linux".into(),
            architecture: "arm".into(),
            variant: Some(String::new()),
            ..Platform::default()
        };

        let text = to_text(&PlatformSpec::from(&platform), false).unwrap();

        assert_eq!(text, r#"{"architecture":"arm","os":"linux"}"#);
    }
}
