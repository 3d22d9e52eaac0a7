//! Descriptors and index entries as polyarch reports them.
//!
//! A descriptor (OCI image-spec, descriptor.md) points at content by media
//! type, digest and size, optionally with `urls`, `annotations`, `data`,
//! `artifactType` and, in an index, `platform`. These types hold what a
//! document said, owned, so that a report outlives the input; the checks
//! that produce them live in [`crate::inspect`].
//!
//! # As JSON
//!
//! These types are written and read back in polyarch's report form, not in
//! the OCI form: members are camelCase (`mediaType`, `platformString`), an
//! absent `size`, `platform` or `platformString` is `null`, and
//! `artifactType`, `urls`, `data` and an [`Entry`]'s `attests` are left out
//! when absent. An [`Entry`] writes its index, its descriptor's members and
//! its role in one object. [`Annotations`] are an object whose members keep
//! their order, a key written twice included. Reading refuses unknown
//! members, so that nothing is silently dropped on the way back.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::platform::Platform;

/// Annotations in document order.
///
/// Serialised as a JSON object; a key written twice keeps both entries here
/// (and is reported as a duplicate key). Read back from JSON, the members
/// are kept in order, a repeated key as often as it is written; values must
/// be strings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Annotations(pub Vec<(String, String)>);

impl Annotations {
    /// The first value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl Serialize for Annotations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Annotations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AnnotationsVisitor)
    }
}

/// Reads an object's members in order, keeping repeated keys.
struct AnnotationsVisitor;

impl<'de> Visitor<'de> for AnnotationsVisitor {
    type Value = Annotations;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Annotations, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) = map.next_entry::<String, String>()? {
            pairs.push(pair);
        }
        Ok(Annotations(pairs))
    }
}

/// A descriptor as written in a document.
///
/// Fields that were absent or of the wrong type are empty here; the
/// diagnostics say which.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Descriptor {
    /// `mediaType`, as written; empty when absent.
    pub media_type: String,
    /// `digest`, as written; empty when absent.
    pub digest: String,
    /// `size`, exact; `None` when absent, not an integer or beyond `i64`.
    pub size: Option<i64>,
    /// `platform`, with its values as written.
    pub platform: Option<Platform>,
    /// `platform` formatted from the values as written (`linux/arm/v7`).
    pub platform_string: Option<String>,
    /// `annotations`.
    pub annotations: Annotations,
    /// `artifactType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// `urls`, for foreign layers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// `data`: the base64 content embedded in the descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// What an index entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An image manifest (OCI or Docker) with an image config, or none known.
    Image,
    /// A nested index or manifest list.
    Index,
    /// A Docker attestation manifest (`unknown/unknown` with
    /// `vnd.docker.reference.*` annotations).
    Attestation,
    /// An artifact: `artifactType` set, or a config that is not an image's.
    Artifact,
    /// Any other media type.
    Other,
}

/// One row of an index or manifest list.
///
/// Written as one object: `index`, the descriptor's members, `role` and,
/// for an attestation, `attests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Its position in `manifests`, from 0.
    pub index: usize,
    /// The descriptor.
    #[serde(flatten)]
    pub descriptor: Descriptor,
    /// What it points at.
    pub role: Role,
    /// For an attestation, the digest of the manifest it attests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attests: Option<String>,
}

/// An [`Entry`] as JSON writes it: the descriptor's members beside the
/// entry's own.
///
/// Reading through this flat shape, rather than with `#[serde(flatten)]`,
/// keeps unknown members an error and avoids buffering every entry before
/// it is read. Each of [`Descriptor`]'s fields is named in the conversion
/// below, so a field added there does not build until it is added here.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EntryText {
    index: usize,
    media_type: String,
    digest: String,
    size: Option<i64>,
    platform: Option<Platform>,
    platform_string: Option<String>,
    annotations: Annotations,
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    data: Option<String>,
    role: Role,
    #[serde(default)]
    attests: Option<String>,
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = EntryText::deserialize(deserializer)?;

        Ok(Entry {
            index: text.index,
            descriptor: Descriptor {
                media_type: text.media_type,
                digest: text.digest,
                size: text.size,
                platform: text.platform,
                platform_string: text.platform_string,
                annotations: text.annotations,
                artifact_type: text.artifact_type,
                urls: text.urls,
                data: text.data,
            },
            role: text.role,
            attests: text.attests,
        })
    }
}
