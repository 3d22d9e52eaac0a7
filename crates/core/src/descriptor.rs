//! Descriptors and index entries as polyarch reports them.
//!
//! A descriptor (OCI image-spec, descriptor.md) points at content by media
//! type, digest and size, optionally with `urls`, `annotations`, `data`,
//! `artifactType` and, in an index, `platform`. These types hold what a
//! document said, owned, so that a report outlives the input; the checks
//! that produce them live in [`crate::inspect`].

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::platform::Platform;

/// Annotations in document order.
///
/// Serialised as a JSON object; a key written twice keeps both entries here
/// (and is reported as a duplicate key).
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

/// A descriptor as written in a document.
///
/// Fields that were absent or of the wrong type are empty here; the
/// diagnostics say which.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// `urls`, for foreign layers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// `data`: the base64 content embedded in the descriptor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// What an index entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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
