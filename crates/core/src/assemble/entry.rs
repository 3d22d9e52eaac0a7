//! The rows of an index to assemble: what a caller gives ([`NewEntry`]),
//! how an entry is changed in place ([`EntryPatch`]), and the checks an
//! entry must pass before it is written.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::descriptor::Annotations;
use crate::digest::Digest;
use crate::media_type::{self, MediaType};
use crate::platform::Platform;

/// The empty descriptor's digest: the SHA-256 of the two bytes `{}`.
const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// One row to write into an index: a descriptor with its platform.
///
/// Deserialised from camelCase JSON (`mediaType`, `artifactType`);
/// `platform` takes `os.version` / `os.features` as a document writes them,
/// or `osVersion` / `osFeatures` as polyarch reports them. `platform`,
/// `annotations` and `artifactType` may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEntry {
    /// The child's media type, usually a manifest or index type.
    pub media_type: String,
    /// The digest of the child's exact bytes.
    pub digest: String,
    /// The number of the child's bytes; a negative size is refused.
    pub size: i64,
    /// The platform the child runs on; a Docker manifest list requires it.
    #[serde(default, deserialize_with = "platform_option")]
    pub platform: Option<Platform>,
    /// The entry's annotations; a key given twice keeps its last value.
    #[serde(default, deserialize_with = "annotations")]
    pub annotations: Annotations,
    /// `artifactType`, for an artifact entry (OCI only).
    #[serde(default)]
    pub artifact_type: Option<String>,
    /// `urls` from which the child may also be fetched.
    #[serde(default)]
    pub urls: Vec<String>,
    /// `data`: the child's bytes embedded in base64 (OCI only).
    #[serde(default)]
    pub data: Option<String>,
}

impl NewEntry {
    /// An entry without annotations or artifact type.
    pub fn new(media_type: &str, digest: &str, size: i64, platform: Option<Platform>) -> Self {
        NewEntry {
            media_type: media_type.to_owned(),
            digest: digest.to_owned(),
            size,
            platform,
            annotations: Annotations::default(),
            artifact_type: None,
            urls: Vec::new(),
            data: None,
        }
    }

    /// The platform that [`IndexBuilder::amend`](super::IndexBuilder::amend)
    /// and the duplicate check compare; `None` without a platform and for an
    /// attestation (`unknown/unknown`), which is matched by digest instead.
    pub(crate) fn platform_key(&self) -> Option<PlatformKey> {
        let platform = self.platform.as_ref()?;
        if platform.os == "unknown" && platform.architecture == "unknown" {
            return None;
        }
        let normalized = platform.normalized();
        Some(PlatformKey {
            os: normalized.os,
            architecture: normalized.architecture,
            variant: normalized.variant.filter(|v| !v.is_empty()),
            os_version: normalized.os_version.filter(|v| !v.is_empty()),
            os_features: normalized.os_features,
        })
    }

    /// `linux/arm64`, `windows(10.0.17763.1697)/amd64`, or `no platform`.
    pub(crate) fn platform_label(&self) -> String {
        match &self.platform {
            Some(p) => p.format_all(),
            None => "no platform".to_owned(),
        }
    }
}

/// What makes two entries the same platform for a client: the normalised
/// os, architecture, variant, os version and sorted os features.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PlatformKey {
    os: String,
    architecture: String,
    variant: Option<String>,
    os_version: Option<String>,
    os_features: Vec<String>,
}

/// A change to one entry, as `docker manifest annotate` makes it.
///
/// Each platform field left `None` is kept; `Some("")` (or an empty list)
/// clears it. Setting `os` or `architecture` on an entry without a platform
/// gives it one. Annotations are set in order: `Some(value)` sets the key,
/// `None` removes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryPatch {
    /// `os`.
    pub os: Option<String>,
    /// `architecture`.
    pub architecture: Option<String>,
    /// `variant`.
    pub variant: Option<String>,
    /// `os.version`.
    pub os_version: Option<String>,
    /// `os.features`.
    pub os_features: Option<Vec<String>>,
    /// `features`.
    pub features: Option<Vec<String>>,
    /// Annotations to set (`Some`) or remove (`None`).
    pub annotations: Vec<(String, Option<String>)>,
}

impl EntryPatch {
    /// Applies the patch to `entry`.
    pub(crate) fn apply(&self, entry: &mut NewEntry) {
        let touches_platform = self.os.is_some()
            || self.architecture.is_some()
            || self.variant.is_some()
            || self.os_version.is_some()
            || self.os_features.is_some()
            || self.features.is_some();
        if touches_platform {
            let platform = entry.platform.get_or_insert_with(Platform::default);
            if let Some(os) = &self.os {
                platform.os.clone_from(os);
            }
            if let Some(architecture) = &self.architecture {
                platform.architecture.clone_from(architecture);
            }
            if let Some(variant) = &self.variant {
                platform.variant = non_empty(variant);
            }
            if let Some(version) = &self.os_version {
                platform.os_version = non_empty(version);
            }
            if let Some(features) = &self.os_features {
                platform.os_features.clone_from(features);
            }
            if let Some(features) = &self.features {
                platform.features.clone_from(features);
            }
        }

        for (key, value) in &self.annotations {
            set_annotation(&mut entry.annotations, key, value.as_deref());
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// Sets `key` to `value` (or removes it), replacing every earlier value.
pub(crate) fn set_annotation(annotations: &mut Annotations, key: &str, value: Option<&str>) {
    let first = annotations.0.iter().position(|(k, _)| k == key);
    annotations.0.retain(|(k, _)| k != key);
    if let Some(value) = value {
        let at = first
            .unwrap_or(annotations.0.len())
            .min(annotations.0.len());
        annotations.0.insert(at, (key.to_owned(), value.to_owned()));
    }
}

/// Why an entry cannot be written; each becomes an `assembly-entry-invalid`
/// diagnostic and the entry is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryProblem {
    /// `mediaType` breaks the RFC 6838 grammar.
    MediaType {
        /// As given.
        found: String,
        /// What is wrong with it.
        error: media_type::MediaTypeError,
    },
    /// `digest` breaks the digest grammar.
    Digest {
        /// As given.
        found: String,
        /// What is wrong with it.
        error: crate::digest::DigestError,
    },
    /// `size` is negative.
    NegativeSize {
        /// As given.
        found: i64,
    },
    /// The platform has no `os` or no `architecture`.
    PlatformIncomplete {
        /// The part that is empty.
        missing: &'static str,
    },
    /// A Docker manifest list entry without a platform.
    PlatformRequired,
    /// `artifactType` breaks the RFC 6838 grammar.
    ArtifactType {
        /// As given.
        found: String,
        /// What is wrong with it.
        error: media_type::MediaTypeError,
    },
    /// The empty descriptor's media type with another digest or size.
    EmptyDescriptor,
    /// A `urls` item that is not an absolute URL.
    Url {
        /// As given.
        found: String,
    },
    /// `data` that is not base64 (RFC 4648, standard alphabet, padded).
    DataNotBase64 {
        /// What the decoder found.
        error: base64::DecodeError,
    },
    /// `data` whose bytes contradict the entry's `size` or `digest`.
    DataMismatch {
        /// How many bytes `data` decodes to.
        decoded: usize,
        /// The digest of those bytes, in the entry's algorithm.
        decoded_digest: String,
    },
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryProblem::MediaType { found, error } => {
                write!(f, "media type \"{found}\" is not valid: {error}")
            }
            EntryProblem::Digest { found, error } => {
                write!(f, "digest \"{found}\" is not valid: {error}")
            }
            EntryProblem::NegativeSize { found } => {
                write!(f, "size {found} is negative")
            }
            EntryProblem::PlatformIncomplete { missing } => {
                write!(f, "the platform has no {missing}")
            }
            EntryProblem::PlatformRequired => f.write_str(
                "a Docker manifest list entry requires a platform; add one or write an OCI index",
            ),
            EntryProblem::ArtifactType { found, error } => {
                write!(f, "artifact type \"{found}\" is not valid: {error}")
            }
            EntryProblem::EmptyDescriptor => write!(
                f,
                "the empty descriptor's media type names the bytes {{}}: digest {EMPTY_DIGEST}, \
                 size 2"
            ),
            EntryProblem::Url { found } => {
                write!(f, "url \"{found}\" is not an absolute URL (RFC 3986)")
            }
            EntryProblem::DataNotBase64 { error } => {
                write!(f, "data is not base64 (standard alphabet, padded): {error}")
            }
            EntryProblem::DataMismatch {
                decoded,
                decoded_digest,
            } => write!(
                f,
                "data decodes to {decoded} bytes with digest {decoded_digest}, which the entry's \
                 size and digest must equal"
            ),
        }
    }
}

impl std::error::Error for EntryProblem {}

/// The problems that keep `entry` out of any document, in field order.
pub(crate) fn problems(entry: &NewEntry) -> Vec<EntryProblem> {
    let mut found = Vec::new();

    if let Err(error) = media_type::parse(&entry.media_type) {
        found.push(EntryProblem::MediaType {
            found: entry.media_type.clone(),
            error,
        });
    }
    if let Err(error) = entry.digest.parse::<Digest>() {
        found.push(EntryProblem::Digest {
            found: entry.digest.clone(),
            error,
        });
    }
    if entry.size < 0 {
        found.push(EntryProblem::NegativeSize { found: entry.size });
    }

    if let Some(platform) = &entry.platform {
        if platform.os.is_empty() {
            found.push(EntryProblem::PlatformIncomplete { missing: "os" });
        }
        if platform.architecture.is_empty() {
            found.push(EntryProblem::PlatformIncomplete {
                missing: "architecture",
            });
        }
    }

    if let Some(artifact_type) = &entry.artifact_type
        && let Err(error) = media_type::parse(artifact_type)
    {
        found.push(EntryProblem::ArtifactType {
            found: artifact_type.clone(),
            error,
        });
    }

    for url in entry
        .urls
        .iter()
        .filter(|u| !crate::check::annotations::is_url(u))
    {
        found.push(EntryProblem::Url { found: url.clone() });
    }
    if let Some(data) = &entry.data {
        match STANDARD.decode(data) {
            Err(error) => found.push(EntryProblem::DataNotBase64 { error }),
            Ok(bytes) => {
                let digest = entry.digest.parse::<Digest>().ok();
                let decoded_digest = digest
                    .as_ref()
                    .and_then(|d| Digest::of(d.algorithm(), &bytes))
                    .unwrap_or_else(|| Digest::sha256(&bytes));
                let size_differs = i64::try_from(bytes.len()).ok() != Some(entry.size);
                let digest_differs =
                    digest.is_some_and(|d| d.is_verifiable() && d != decoded_digest);
                if size_differs || digest_differs {
                    found.push(EntryProblem::DataMismatch {
                        decoded: bytes.len(),
                        decoded_digest: decoded_digest.to_string(),
                    });
                }
            }
        }
    }

    let is_empty_type = MediaType::new(&entry.media_type) == MediaType::OciEmpty;
    if is_empty_type && (entry.digest != EMPTY_DIGEST || entry.size != 2) {
        found.push(EntryProblem::EmptyDescriptor);
    }
    found
}

/// The annotations as a sorted map, as Go's `encoding/json` writes a
/// `map[string]string`, with the keys that were given more than once.
pub(crate) fn annotation_map(annotations: &Annotations) -> (BTreeMap<&str, &str>, Vec<&str>) {
    let mut map = BTreeMap::new();
    let mut repeated = Vec::new();
    for (key, value) in annotations.iter() {
        if map.insert(key, value).is_some() && !repeated.contains(&key) {
            repeated.push(key);
        }
    }
    (map, repeated)
}

/// A platform as callers spell it: the document's keys or polyarch's.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlatformInput {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default, rename = "os.version", alias = "osVersion")]
    os_version: Option<String>,
    #[serde(default, rename = "os.features", alias = "osFeatures")]
    os_features: Vec<String>,
    #[serde(default)]
    features: Vec<String>,
}

impl From<PlatformInput> for Platform {
    fn from(p: PlatformInput) -> Platform {
        Platform {
            os: p.os,
            architecture: p.architecture,
            variant: p.variant.filter(|v| !v.is_empty()),
            os_version: p.os_version.filter(|v| !v.is_empty()),
            os_features: p.os_features,
            features: p.features,
        }
    }
}

fn platform_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Platform>, D::Error> {
    let input: Option<PlatformInput> = Option::deserialize(d)?;
    Ok(input.map(Platform::from))
}

/// Reads annotations from a JSON object (or `null`), keeping every pair in
/// order, repeated keys included, so that the builder can report them.
pub(crate) fn annotations<'de, D: Deserializer<'de>>(d: D) -> Result<Annotations, D::Error> {
    struct PairsVisitor;

    impl<'de> Visitor<'de> for PairsVisitor {
        type Value = Annotations;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of strings")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Annotations, E> {
            Ok(Annotations::default())
        }

        fn visit_none<E: de::Error>(self) -> Result<Annotations, E> {
            Ok(Annotations::default())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Annotations, A::Error> {
            let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some((key, value)) = map.next_entry::<String, String>()? {
                pairs.push((key, value));
            }
            Ok(Annotations(pairs))
        }
    }

    d.deserialize_any(PairsVisitor)
}
