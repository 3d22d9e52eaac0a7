//! Media types: what a document or blob is.
//!
//! polyarch dispatches on media type before it reads a document's shape:
//! the Content-Type a registry sent, then the body's `mediaType`, then the
//! shape where it is unambiguous. [`MediaType`] names the types that matter
//! for multi-architecture images, with [`MediaType::Other`] for the rest.
//!
//! | media type | meaning |
//! |---|---|
//! | `application/vnd.oci.image.manifest.v1+json` | OCI image manifest |
//! | `application/vnd.oci.image.index.v1+json` | OCI image index |
//! | `application/vnd.docker.distribution.manifest.v2+json` | Docker image manifest, schema 2 |
//! | `application/vnd.docker.distribution.manifest.list.v2+json` | Docker manifest list |
//! | `application/vnd.docker.distribution.manifest.v1+json`, `…v1+prettyjws` | Docker schema 1 (recognised, not supported) |
//! | `application/vnd.oci.image.config.v1+json` | OCI image config |
//! | `application/vnd.docker.container.image.v1+json` | Docker image config |
//! | `application/vnd.oci.empty.v1+json` | the empty descriptor's content, `{}` |
//!
//! Strings follow RFC 6838: `type/subtype`, each a restricted name of at most
//! 127 characters, optionally followed by `; name=value` parameters.
//! Registries compare media types as written, so polyarch matches exactly
//! and reports parameters and odd case rather than folding them away.

use std::fmt;

/// Docker or OCI: the two families of media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `application/vnd.docker.*`.
    Docker,
    /// `application/vnd.oci.*`.
    Oci,
}

/// A media type, known or not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// `application/vnd.oci.image.manifest.v1+json`.
    OciManifest,
    /// `application/vnd.oci.image.index.v1+json`.
    OciIndex,
    /// `application/vnd.docker.distribution.manifest.v2+json`.
    DockerManifest,
    /// `application/vnd.docker.distribution.manifest.list.v2+json`.
    DockerManifestList,
    /// `application/vnd.docker.distribution.manifest.v1+json`.
    DockerManifestV1,
    /// `application/vnd.docker.distribution.manifest.v1+prettyjws`.
    DockerManifestV1Signed,
    /// `application/vnd.oci.image.config.v1+json`.
    OciConfig,
    /// `application/vnd.docker.container.image.v1+json`.
    DockerConfig,
    /// `application/vnd.oci.empty.v1+json`.
    OciEmpty,
    /// Any other media type, as written.
    Other(String),
}

pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub(crate) const DOCKER_MANIFEST_LIST: &str =
    "application/vnd.docker.distribution.manifest.list.v2+json";
pub(crate) const DOCKER_MANIFEST_V1: &str = "application/vnd.docker.distribution.manifest.v1+json";
const DOCKER_MANIFEST_V1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// The four manifest kinds polyarch checks, in the order an Accept header
/// should list them.
pub const MANIFEST_TYPES: [&str; 4] = [
    OCI_INDEX,
    DOCKER_MANIFEST_LIST,
    OCI_MANIFEST,
    DOCKER_MANIFEST,
];

impl MediaType {
    /// The media type for `essence`, a `type/subtype` without parameters,
    /// matched exactly.
    pub fn new(essence: &str) -> Self {
        match essence {
            OCI_MANIFEST => MediaType::OciManifest,
            OCI_INDEX => MediaType::OciIndex,
            DOCKER_MANIFEST => MediaType::DockerManifest,
            DOCKER_MANIFEST_LIST => MediaType::DockerManifestList,
            DOCKER_MANIFEST_V1 => MediaType::DockerManifestV1,
            DOCKER_MANIFEST_V1_SIGNED => MediaType::DockerManifestV1Signed,
            OCI_CONFIG => MediaType::OciConfig,
            DOCKER_CONFIG => MediaType::DockerConfig,
            OCI_EMPTY => MediaType::OciEmpty,
            other => MediaType::Other(other.to_owned()),
        }
    }

    /// The media type as written.
    pub fn as_str(&self) -> &str {
        match self {
            MediaType::OciManifest => OCI_MANIFEST,
            MediaType::OciIndex => OCI_INDEX,
            MediaType::DockerManifest => DOCKER_MANIFEST,
            MediaType::DockerManifestList => DOCKER_MANIFEST_LIST,
            MediaType::DockerManifestV1 => DOCKER_MANIFEST_V1,
            MediaType::DockerManifestV1Signed => DOCKER_MANIFEST_V1_SIGNED,
            MediaType::OciConfig => OCI_CONFIG,
            MediaType::DockerConfig => DOCKER_CONFIG,
            MediaType::OciEmpty => OCI_EMPTY,
            MediaType::Other(s) => s,
        }
    }

    /// Whether this is an image manifest type (OCI or Docker schema 2).
    pub fn is_manifest(&self) -> bool {
        matches!(self, MediaType::OciManifest | MediaType::DockerManifest)
    }

    /// Whether this is an index type (OCI index or Docker manifest list).
    pub fn is_index(&self) -> bool {
        matches!(self, MediaType::OciIndex | MediaType::DockerManifestList)
    }

    /// Whether this is a Docker schema 1 manifest type.
    pub fn is_schema1(&self) -> bool {
        matches!(
            self,
            MediaType::DockerManifestV1 | MediaType::DockerManifestV1Signed
        )
    }

    /// Whether this is an image config type.
    pub fn is_image_config(&self) -> bool {
        matches!(self, MediaType::OciConfig | MediaType::DockerConfig)
    }

    /// Docker or OCI, for any `application/vnd.docker.*` or
    /// `application/vnd.oci.*` type.
    pub fn family(&self) -> Option<Family> {
        let s = self.as_str();
        if s.starts_with("application/vnd.docker.") {
            Some(Family::Docker)
        } else if s.starts_with("application/vnd.oci.") {
            Some(Family::Oci)
        } else {
            None
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A media type string split into its essence and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// `type/subtype`, as written.
    pub essence: &'a str,
    /// `name=value` parameters after the essence, as written, in order.
    pub parameters: Vec<(&'a str, &'a str)>,
}

/// Why a string is not a media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaTypeError {
    /// The string is empty.
    Empty,
    /// There is no `/` between type and subtype.
    MissingSlash,
    /// A character outside RFC 6838's restricted-name characters.
    InvalidCharacter {
        /// Byte offset of the character.
        at: usize,
    },
    /// The type or the subtype is empty or longer than 127 characters.
    BadLength {
        /// Byte offset of the part.
        at: usize,
    },
    /// A parameter without `=`.
    BadParameter {
        /// Byte offset of the parameter.
        at: usize,
    },
}

impl fmt::Display for MediaTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MediaTypeError::Empty => {
                f.write_str("expected \"type/subtype\", found an empty string")
            }
            MediaTypeError::MissingSlash => f.write_str("expected \"type/subtype\", found no '/'"),
            MediaTypeError::InvalidCharacter { at } => {
                write!(
                    f,
                    "character at {at} is not allowed in a media type (RFC 6838)"
                )
            }
            MediaTypeError::BadLength { at } => {
                write!(
                    f,
                    "the part at {at} must have 1 to 127 characters (RFC 6838)"
                )
            }
            MediaTypeError::BadParameter { at } => {
                write!(f, "the parameter at {at} is not \"name=value\"")
            }
        }
    }
}

impl std::error::Error for MediaTypeError {}

/// Splits a media type string as found in `mediaType` or a Content-Type.
///
/// ```
/// use polyarch_core::media_type::parse;
///
/// let parsed = parse("application/vnd.oci.image.index.v1+json; charset=utf-8").unwrap();
/// assert_eq!(parsed.essence, "application/vnd.oci.image.index.v1+json");
/// assert_eq!(parsed.parameters, vec![("charset", "utf-8")]);
/// assert!(parse("application").is_err());
/// ```
pub fn parse(text: &str) -> Result<Parsed<'_>, MediaTypeError> {
    if text.trim().is_empty() {
        return Err(MediaTypeError::Empty);
    }
    let (essence_part, rest) = match text.find(';') {
        Some(i) => (&text[..i], Some(i)),
        None => (text, None),
    };
    let lead = essence_part.len() - essence_part.trim_start().len();
    let essence = essence_part.trim();
    let slash = essence.find('/').ok_or(MediaTypeError::MissingSlash)?;

    check_name(&essence[..slash], lead)?;
    check_name(&essence[slash + 1..], lead + slash + 1)?;

    let mut parameters = Vec::new();
    if let Some(mut at) = rest {
        for part in text[at + 1..].split(';') {
            at += 1;
            let trimmed = part.trim();
            if !trimmed.is_empty() {
                let (name, value) = trimmed
                    .split_once('=')
                    .ok_or(MediaTypeError::BadParameter { at })?;
                parameters.push((name.trim(), value.trim().trim_matches('"')));
            }
            at += part.len();
        }
    }

    Ok(Parsed {
        essence,
        parameters,
    })
}

/// RFC 6838 `restricted-name`.
fn check_name(name: &str, at: usize) -> Result<(), MediaTypeError> {
    if name.is_empty() || name.len() > 127 {
        return Err(MediaTypeError::BadLength { at });
    }
    let bad = name
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b)));
    match bad {
        Some(i) => Err(MediaTypeError::InvalidCharacter { at: at + i }),
        None if !name.as_bytes()[0].is_ascii_alphanumeric() => {
            Err(MediaTypeError::InvalidCharacter { at })
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_round_trip() {
        for s in MANIFEST_TYPES {
            assert_eq!(MediaType::new(s).as_str(), s);
            assert!(!matches!(MediaType::new(s), MediaType::Other(_)));
        }
        assert_eq!(
            MediaType::new("text/plain"),
            MediaType::Other("text/plain".into())
        );
    }

    #[test]
    fn families_and_kinds() {
        assert_eq!(MediaType::DockerManifestList.family(), Some(Family::Docker));
        assert_eq!(MediaType::OciEmpty.family(), Some(Family::Oci));
        assert_eq!(MediaType::new("application/json").family(), None);
        assert!(MediaType::OciIndex.is_index());
        assert!(MediaType::DockerManifest.is_manifest());
        assert!(MediaType::DockerManifestV1Signed.is_schema1());
    }

    #[test]
    fn grammar_table() {
        assert_eq!(parse("a/b").unwrap().essence, "a/b");
        assert_eq!(parse(" a/b ;q=1").unwrap().parameters, vec![("q", "1")]);
        assert_eq!(parse(""), Err(MediaTypeError::Empty));
        assert_eq!(parse("ab"), Err(MediaTypeError::MissingSlash));
        assert_eq!(parse("a/"), Err(MediaTypeError::BadLength { at: 2 }));
        assert_eq!(
            parse("a/b c"),
            Err(MediaTypeError::InvalidCharacter { at: 3 })
        );
        assert_eq!(
            parse("a/.b"),
            Err(MediaTypeError::InvalidCharacter { at: 2 })
        );
        assert_eq!(parse("a/b; x"), Err(MediaTypeError::BadParameter { at: 4 }));
    }
}
