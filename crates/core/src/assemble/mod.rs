//! Assembly: building an OCI image index or a Docker manifest list from its
//! entries, as `docker manifest create / annotate / push` and `docker
//! buildx imagetools create` do, with the exact bytes to push.
//!
//! # Editing
//!
//! An [`IndexBuilder`] holds entries in order, with the index's own
//! annotations, `artifactType` and `subject`:
//!
//! | operation | effect |
//! |---|---|
//! | [`add`](IndexBuilder::add) | appends; a second entry for a platform is kept, and the build warns (`assembly-duplicate-platform`) |
//! | [`amend`](IndexBuilder::amend) | replaces the entry for the same platform in its place (and drops any further ones for it), or appends |
//! | [`remove`](IndexBuilder::remove) | takes an entry out |
//! | [`move_entry`](IndexBuilder::move_entry) | moves an entry to another position: clients pick the first match |
//! | [`annotate`](IndexBuilder::annotate) | changes an entry's platform fields and annotations ([`EntryPatch`]) |
//! | [`set_annotation`](IndexBuilder::set_annotation) | sets or removes an annotation of the index |
//!
//! [`IndexBuilder::from_document`] starts from an index or manifest list
//! that exists, as `docker manifest create --amend` does.
//!
//! Two entries are for the same platform when their normalised os,
//! architecture, variant, `os.version` and `os.features` are equal
//! ([`Platform::normalized`](crate::platform::Platform::normalized)):
//! `linux/aarch64` and `linux/arm64/v8` are one platform. An attestation
//! entry (`unknown/unknown`) and an entry without a platform have no
//! platform to compare: `amend` matches them by digest and the duplicate
//! check skips them.
//!
//! # Format
//!
//! [`Format::Oci`] and [`Format::Docker`] write what they name.
//! [`Format::Auto`] writes a Docker manifest list when there is at least
//! one entry and every entry is a Docker manifest or list with a platform,
//! and nothing carries annotations, `artifactType` or `subject`; otherwise,
//! and for an empty list, an OCI index. Auto never loses anything; an
//! `assembly-format-chosen` note says why it chose.
//!
//! A Docker manifest list has no annotations, `artifactType` or `subject`,
//! and names only Docker child types. With [`Format::Docker`] chosen
//! explicitly, annotations, `artifactType` and `subject` are dropped with an
//! `assembly-format-loss` warning naming what was dropped; a child of
//! another type is kept as written, with the same warning, because
//! rewriting its media type would misdescribe its bytes. An entry without
//! a platform cannot be written into a Docker list at all: it is refused.
//!
//! # Refused entries
//!
//! An entry with a media type or `artifactType` outside the RFC 6838
//! grammar, a digest outside the digest grammar, a negative size, a
//! platform without os or architecture, or the empty descriptor's media
//! type with another digest or size, is left out of the document with an
//! `assembly-entry-invalid` error. The document written is still valid, but
//! it lacks what was asked for: do not push a result that has errors
//! ([`Assembled::has_errors`]).
//!
//! # Output
//!
//! The document is serialised once; those bytes are hashed (SHA-256),
//! sized, returned and are what to push, with [`Assembled::media_type`] as
//! the Content-Type. Compact output has no white space and no trailing
//! newline; pretty output is indented by three spaces, as `docker manifest
//! push` writes a manifest list, also with no trailing newline. Fields come
//! in the order of the Go types (see the [`write`](mod@write) module),
//! empty optional fields are omitted as Go's `omitempty` omits them,
//! annotation keys are sorted, and `<`, `>`, `&`, U+2028 and U+2029 are `\u` escapes, as Go's
//! `encoding/json` writes them: the same input gives the same bytes as the
//! Go tools. Platform values are written as given (`aarch64` stays
//! `aarch64`); the diagnostics say where clients normalise them.
//!
//! # Diagnostics
//!
//! [`Assembled::diagnostics`] holds the assembly's own findings and then
//! what [`inspect`](crate::inspect::inspect) reports for the written bytes (its duplicate-platform
//! findings, which the assembly reports itself, left out). Their pointers
//! and positions are in the written document; a refused entry, which is not
//! in it, is placed at `/manifests`. Messages name entries by their position
//! in the builder ("entry 2"), which is their position in the document when
//! no earlier entry was refused.
//!
//! ```
//! use polyarch_core::assemble::{BuildOptions, Format, IndexBuilder, NewEntry};
//! use polyarch_core::platform::Platform;
//!
//! let digest = "sha256:83c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a";
//! let docker = "application/vnd.docker.distribution.manifest.v2+json";
//! let mut builder = IndexBuilder::new();
//! builder.add(NewEntry::new(docker, digest, 524, Some(Platform::new("linux", "amd64", None))));
//!
//! let built = builder.build(&BuildOptions { format: Format::Auto, pretty: false });
//! assert_eq!(built.media_type(), "application/vnd.docker.distribution.manifest.list.v2+json");
//! assert!(built.text().starts_with(r#"{"schemaVersion":2,"mediaType":"#));
//! assert!(!built.text().ends_with('\n'));
//! assert!(!built.has_errors());
//! ```

mod builder;
mod child;
mod entry;
mod existing;
mod findings;
pub mod write;

use serde::{Deserialize, Serialize};

pub use builder::{Amended, EditError, IndexBuilder};
pub use child::{ChildError, entry_from_manifest};
pub use entry::{EntryPatch, EntryProblem, NewEntry};
pub use existing::OpenError;

use crate::descriptor::Annotations;
use crate::diagnostic::Diagnostic;
use crate::media_type::DOCKER_MANIFEST_LIST;

/// The format to write, as a caller names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// An OCI image index.
    Oci,
    /// A Docker manifest list.
    Docker,
    /// Chosen by the rules in the module doc.
    #[default]
    Auto,
}

/// How to write the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BuildOptions {
    /// OCI, Docker or chosen by the rules; [`Format::Auto`] by default.
    pub format: Format,
    /// Indented by three spaces, as `docker manifest push` writes; compact
    /// by default.
    pub pretty: bool,
}

/// What [`create`] takes besides the entries; every field may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateOptions {
    /// `"oci"`, `"docker"` or `"auto"` (the default).
    pub format: Format,
    /// The index's own annotations.
    #[serde(deserialize_with = "entry::annotations")]
    pub annotations: Annotations,
    /// Indented by three spaces rather than compact.
    pub pretty: bool,
    /// The index's `artifactType`.
    pub artifact_type: Option<String>,
    /// The index's `subject`; its platform, if any, is not written.
    pub subject: Option<NewEntry>,
}

/// A written index: the exact bytes, their digest and size, and the media
/// type to send as Content-Type.
///
/// Serialised in camelCase: `text`, `digest`, `size`, `mediaType`,
/// `diagnostics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assembled {
    text: String,
    digest: String,
    size: u64,
    media_type: String,
    diagnostics: Vec<Diagnostic>,
}

impl Assembled {
    /// The document, as written once.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The document's bytes: what to push.
    pub fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// `sha256:…` of [`Assembled::bytes`].
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The number of bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The OCI index or Docker manifest list media type.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// The format written: [`Format::Oci`] or [`Format::Docker`].
    pub fn format(&self) -> Format {
        if self.media_type == DOCKER_MANIFEST_LIST {
            Format::Docker
        } else {
            Format::Oci
        }
    }

    /// The findings, errors first, then in document order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Whether an entry was refused (or the document could not be
    /// written): the document lacks something that was asked for.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Assembles `entries` in order with `options`: [`IndexBuilder`] in one
/// call, for the bindings.
pub fn create(entries: &[NewEntry], options: &CreateOptions) -> Assembled {
    let mut builder = IndexBuilder::with_entries(entries.iter().cloned());
    builder.annotations = options.annotations.clone();
    builder.set_artifact_type(options.artifact_type.clone());
    builder.set_subject(options.subject.clone());
    builder.build(&BuildOptions {
        format: options.format,
        pretty: options.pretty,
    })
}
