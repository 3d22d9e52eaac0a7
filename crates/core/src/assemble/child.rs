//! An index entry from a child manifest and its image config, as `docker
//! manifest create` makes one: the media type from the manifest, the digest
//! and size of the manifest's exact bytes, the platform from the config.

use std::fmt;

use crate::config::read_config;
use crate::diagnostic::Diagnostic;
use crate::digest::Digest;
use crate::inspect::{InspectOptions, Kind, inspect};
use crate::media_type::MediaType;

use super::NewEntry;

/// Why a manifest and config do not make an index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildError {
    /// The manifest has errors; they are the diagnostics of
    /// [`inspect`](crate::inspect::inspect), errors only.
    ManifestInvalid {
        /// The errors, with their places in the manifest.
        diagnostics: Vec<Diagnostic>,
    },
    /// The document is not an image manifest (an index, or unknown).
    NotAManifest {
        /// What it is.
        kind: Kind,
    },
    /// The manifest is an artifact, not an image: it has an `artifactType`
    /// or its config is not an image config.
    NotAnImage {
        /// The config descriptor's media type.
        config_media_type: String,
    },
    /// The config bytes are not the ones the manifest names.
    ConfigMismatch {
        /// The digest in the manifest's `config` descriptor.
        expected: String,
        /// The digest of the bytes given.
        actual: String,
    },
    /// The config has errors (no `architecture` or `os`, not JSON, …).
    ConfigInvalid {
        /// The errors, with their places in the config.
        diagnostics: Vec<Diagnostic>,
    },
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = |diagnostics: &[Diagnostic]| {
            diagnostics
                .first()
                .map(|d| format!("line {}, column {}: {}", d.line, d.column, d.message))
                .unwrap_or_default()
        };
        match self {
            ChildError::ManifestInvalid { diagnostics } => write!(
                f,
                "the manifest has {} error(s); first, {}",
                diagnostics.len(),
                first(diagnostics)
            ),
            ChildError::NotAManifest { kind } => write!(
                f,
                "expected an image manifest, found {}: an index entry is made from a manifest \
                 and its config",
                kind.as_str()
            ),
            ChildError::NotAnImage { config_media_type } => write!(
                f,
                "the manifest is an artifact (config {config_media_type}), not an image: it \
                 has no platform to read"
            ),
            ChildError::ConfigMismatch { expected, actual } => write!(
                f,
                "the manifest's config is {expected}, but the config bytes given hash to {actual}"
            ),
            ChildError::ConfigInvalid { diagnostics } => write!(
                f,
                "the config has {} error(s); first, {}",
                diagnostics.len(),
                first(diagnostics)
            ),
        }
    }
}

impl std::error::Error for ChildError {}

/// The entry to add for a child manifest: `manifest` is its exact bytes,
/// `content_type` the Content-Type it was served with (if known), and
/// `config` the exact bytes of the image config it names.
///
/// The platform is the config's `architecture`, `os`, `variant`,
/// `os.version` and `os.features`, as written. The manifest's annotations
/// are not copied.
///
/// # Errors
///
/// A [`ChildError`] when the manifest is invalid or not an image manifest,
/// when the config bytes are not those the manifest names, or when the
/// config has errors.
pub fn entry_from_manifest(
    manifest: &[u8],
    content_type: Option<&str>,
    config: &[u8],
) -> Result<NewEntry, ChildError> {
    let options = InspectOptions {
        content_type: content_type.map(str::to_owned),
        expected_digest: None,
    };
    let report = inspect(manifest, &options);
    if !report.valid {
        return Err(ChildError::ManifestInvalid {
            diagnostics: errors_of(report.diagnostics),
        });
    }
    if !matches!(report.kind, Kind::OciManifest | Kind::DockerManifest) {
        return Err(ChildError::NotAManifest { kind: report.kind });
    }

    let descriptor = report.config.unwrap_or_default();
    let is_image = MediaType::new(&descriptor.media_type).is_image_config();
    if !is_image || report.artifact_type.is_some() {
        return Err(ChildError::NotAnImage {
            config_media_type: descriptor.media_type,
        });
    }
    let named = descriptor.digest.parse::<Digest>().ok();
    if !named.as_ref().is_some_and(|d| d.verifies(config)) {
        let algorithm = named.as_ref().map(|d| d.algorithm().clone());
        let actual = algorithm
            .and_then(|a| Digest::of(&a, config))
            .unwrap_or_else(|| Digest::sha256(config));
        return Err(ChildError::ConfigMismatch {
            expected: descriptor.digest,
            actual: actual.to_string(),
        });
    }

    let image_config = read_config(config);
    if !image_config.valid {
        return Err(ChildError::ConfigInvalid {
            diagnostics: errors_of(image_config.diagnostics),
        });
    }

    Ok(NewEntry {
        media_type: report.kind.media_type().to_owned(),
        digest: report.digest,
        size: i64::try_from(report.size).unwrap_or(i64::MAX),
        platform: Some(image_config.platform),
        ..NewEntry::default()
    })
}

fn errors_of(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect()
}
