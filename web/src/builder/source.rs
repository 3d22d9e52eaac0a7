//! What a source reference turns into: a row's entry.
//!
//! A source is fetched as a manifest (every manifest type accepted) and
//! read by what it is:
//!
//! | the document | next |
//! |---|---|
//! | an image manifest (OCI or Docker) | its image config is read; the entry is [`entry_from_manifest`]'s: media type, digest and size of the manifest's exact bytes, platform from the config |
//! | an index or manifest list | its entries are listed: the user picks one (its descriptor becomes the entry, platform and annotations as the index states them), or nests the whole index (an entry without a platform) |
//! | anything else, or a document with errors | the row fails, saying why |
//!
//! A registry answer whose headers contradict its bytes (a
//! `Docker-Content-Digest` that is not the bytes' digest, or bytes that do
//! not hash to the digest asked for) fails the row too.

use std::fmt;

use polyarch_core::assemble::{ChildError, NewEntry, entry_from_manifest};
use polyarch_core::descriptor::Role;
use polyarch_core::digest::Digest;
use polyarch_core::inspect::{InspectOptions, Kind, inspect};
use polyarch_core::platform::Platform;
use polyarch_core::reference::ReferenceError;

use crate::registry::ClientError;
use crate::registry::checks::HeaderCheck;
use crate::registry::endpoint::ProxyError;

/// Why a source gives no entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The reference does not read.
    Reference(ReferenceError),
    /// The proxy setting is not usable.
    Proxy(ProxyError),
    /// The registry could not be asked, or refused.
    Fetch(ClientError),
    /// The registry's headers contradict the bytes it sent.
    Header(HeaderCheck),
    /// The document has errors.
    Invalid {
        /// How many.
        errors: usize,
        /// The first, with its place.
        first: String,
    },
    /// The document is neither an image manifest nor an index.
    NotUsable {
        /// What it is.
        kind: Kind,
    },
    /// The manifest names no config whose digest can be read.
    NoConfig {
        /// The config digest, as written.
        digest: String,
    },
    /// The manifest and its config do not make an entry.
    Child(ChildError),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Reference(error) => write!(f, "not a reference: {error}"),
            SourceError::Proxy(error) => error.fmt(f),
            SourceError::Fetch(error) => error.fmt(f),
            SourceError::Header(check) => f.write_str(&check.message()),
            SourceError::Invalid { errors, first } => {
                write!(f, "the document has {errors} error(s); first, {first}")
            }
            SourceError::NotUsable { kind } => write!(
                f,
                "expected an image manifest or an index, found {}",
                kind.as_str()
            ),
            SourceError::NoConfig { digest } => {
                write!(f, "the manifest's config digest {digest:?} is not a digest")
            }
            SourceError::Child(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for SourceError {}

impl From<ClientError> for SourceError {
    fn from(error: ClientError) -> Self {
        SourceError::Fetch(error)
    }
}

/// An index a source named, as a row shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFacts {
    /// Its media type.
    pub media_type: String,
    /// The digest of its bytes.
    pub digest: String,
    /// The number of its bytes.
    pub size: u64,
}

impl IndexFacts {
    /// The entry that nests the whole index: no platform.
    pub fn nested(&self) -> NewEntry {
        NewEntry::new(
            &self.media_type,
            &self.digest,
            i64::try_from(self.size).unwrap_or(i64::MAX),
            None,
        )
    }
}

/// One entry of a source index, offered to pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The entry's descriptor, as an entry to add.
    pub entry: NewEntry,
    /// What it points at.
    pub role: Role,
}

impl Choice {
    /// `linux/arm64/v8`, or words for an entry without a usable platform.
    pub fn label(&self) -> String {
        match (&self.entry.platform, self.role) {
            (_, Role::Attestation) => "attestation".to_owned(),
            (Some(p), _) if !p.format_all().is_empty() => p.format_all(),
            _ => "no platform".to_owned(),
        }
    }
}

/// What a fetched source document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceDoc {
    /// An image manifest: read this config next.
    Manifest {
        /// The config's digest.
        config: Digest,
        /// The config's size, as the manifest states it.
        config_size: u64,
    },
    /// An index: pick an entry or nest it.
    Index {
        /// The index itself.
        facts: IndexFacts,
        /// Its entries, in order.
        choices: Vec<Choice>,
    },
}

/// Reads the document a source fetched: `bytes` as received, with the
/// answer's `Content-Type` and header checks.
pub fn read(
    bytes: &[u8],
    content_type: Option<&str>,
    checks: &[HeaderCheck],
) -> Result<SourceDoc, SourceError> {
    if let Some(check) = checks.iter().find(|c| c.is_error()) {
        return Err(SourceError::Header(check.clone()));
    }

    let options = InspectOptions {
        content_type: content_type.map(str::to_owned),
        expected_digest: None,
    };
    let report = inspect(bytes, &options);
    if !report.valid {
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        let first = errors
            .first()
            .map(|d| format!("line {}, column {}: {}", d.line, d.column, d.message))
            .unwrap_or_default();
        return Err(SourceError::Invalid {
            errors: errors.len(),
            first,
        });
    }

    match report.kind {
        Kind::OciIndex | Kind::DockerManifestList => Ok(SourceDoc::Index {
            facts: IndexFacts {
                media_type: report.kind.media_type().to_owned(),
                digest: report.digest,
                size: report.size,
            },
            choices: report
                .entries
                .iter()
                .map(|e| Choice {
                    entry: NewEntry {
                        media_type: e.descriptor.media_type.clone(),
                        digest: e.descriptor.digest.clone(),
                        size: e.descriptor.size.unwrap_or_default(),
                        platform: e.descriptor.platform.clone(),
                        annotations: e.descriptor.annotations.clone(),
                        artifact_type: e.descriptor.artifact_type.clone(),
                        urls: e.descriptor.urls.clone(),
                        data: e.descriptor.data.clone(),
                    },
                    role: e.role,
                })
                .collect(),
        }),
        Kind::OciManifest | Kind::DockerManifest => {
            let config = report.config.unwrap_or_default();
            let digest = config
                .digest
                .parse::<Digest>()
                .map_err(|_| SourceError::NoConfig {
                    digest: config.digest.clone(),
                })?;
            Ok(SourceDoc::Manifest {
                config: digest,
                config_size: u64::try_from(config.size.unwrap_or_default()).unwrap_or_default(),
            })
        }
        kind => Err(SourceError::NotUsable { kind }),
    }
}

/// The entry for an image manifest (`bytes`, `content_type`) and its
/// config's bytes.
pub fn entry(
    bytes: &[u8],
    content_type: Option<&str>,
    config: &[u8],
) -> Result<NewEntry, SourceError> {
    entry_from_manifest(bytes, content_type, config).map_err(SourceError::Child)
}

/// `linux/arm64/v8`, with os.version and os.features; `no platform`.
pub fn platform_label(platform: Option<&Platform>) -> String {
    match platform.map(Platform::format_all) {
        Some(label) if !label.is_empty() => label,
        _ => "no platform".to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const CONFIG: &str = r#"{"architecture":"arm64","os":"linux","variant":"v8","rootfs":{"type":"layers","diff_ids":[]}}"#;

    pub(crate) fn manifest(config: &str) -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[]}}"#,
            Digest::sha256(config.as_bytes()),
            config.len()
        )
    }

    pub(crate) fn index(children: &[(&str, &str)]) -> String {
        let entries: Vec<String> = children
            .iter()
            .map(|(digest, platform)| {
                let (os, arch) = platform.split_once('/').unwrap_or((platform, ""));
                format!(
                    r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":400,"platform":{{"architecture":"{arch}","os":"{os}"}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
            entries.join(",")
        )
    }

    pub(crate) fn digest_of(n: u8) -> String {
        format!("sha256:{}", format!("{n:02x}").repeat(32))
    }

    #[test]
    fn a_manifest_asks_for_its_config_then_makes_an_entry() {
        let manifest = manifest(CONFIG);

        let doc = read(manifest.as_bytes(), None, &[]).expect("a manifest");
        let entry = entry(manifest.as_bytes(), None, CONFIG.as_bytes()).expect("an entry");

        assert_eq!(
            doc,
            SourceDoc::Manifest {
                config: Digest::sha256(CONFIG.as_bytes()),
                config_size: CONFIG.len() as u64,
            }
        );
        assert_eq!(
            entry.digest,
            Digest::sha256(manifest.as_bytes()).to_string()
        );
        assert_eq!(
            platform_label(entry.platform.as_ref()),
            "linux/arm64/v8".to_owned()
        );
    }

    #[test]
    fn an_index_offers_its_entries_and_itself() {
        let text = index(&[
            (&digest_of(1), "linux/amd64"),
            (&digest_of(2), "linux/arm64"),
        ]);

        let doc = read(text.as_bytes(), None, &[]).expect("an index");

        let SourceDoc::Index { facts, choices } = doc else {
            panic!("expected an index, got {doc:?}");
        };
        let labels: Vec<String> = choices.iter().map(Choice::label).collect();
        assert_eq!(labels, vec!["linux/amd64", "linux/arm64"]);
        assert_eq!(choices[1].entry.digest, digest_of(2));
        assert_eq!(facts.digest, Digest::sha256(text.as_bytes()).to_string());
        assert_eq!(facts.nested().platform, None);
        assert_eq!(facts.nested().size, text.len() as i64);
    }

    #[test]
    fn what_gives_no_entry_says_why() {
        let manifest = manifest(CONFIG);
        let mismatch = HeaderCheck::DigestMismatch {
            header: digest_of(9),
            actual: digest_of(8),
        };
        let table: Vec<(Result<SourceDoc, SourceError>, &str)> = vec![
            (read(b"{", None, &[]), "error(s); first, line 1"),
            (
                read(br#"{"schemaVersion":2}"#, None, &[]),
                "error(s); first",
            ),
            (
                read(manifest.as_bytes(), None, &[mismatch]),
                "Docker-Content-Digest says",
            ),
            (
                entry(manifest.as_bytes(), None, b"{}").map(|_| SourceDoc::Index {
                    facts: IndexFacts {
                        media_type: String::new(),
                        digest: String::new(),
                        size: 0,
                    },
                    choices: Vec::new(),
                }),
                "config",
            ),
        ];
        for (got, words) in table {
            let message = got.expect_err(words).to_string();
            assert!(message.contains(words), "{message:?} lacks {words:?}");
        }
    }
}
