//! Inspection: one call that tells what a document is, whether it is valid,
//! what its digest is and what it holds.
//!
//! [`inspect`] takes the exact bytes, as received, pasted or produced, and
//! never fails: every problem is a [`Diagnostic`] in the [`Report`], and the
//! report shows as much of a broken document as could be read.
//!
//! What happens, in order:
//!
//! 1. The SHA-256 digest and the size of the bytes; an expected digest (a
//!    `Docker-Content-Digest` header, or the digest in a reference) is
//!    compared with them.
//! 2. Limits: above [`MAX_DOCUMENT_SIZE`] (4 MiB, what registries accept) a
//!    warning; above [`MAX_INSPECT_SIZE`] (16 MiB) the document is not read.
//! 3. UTF-8, then strict JSON (duplicate keys are errors; nesting is limited
//!    to [`json::MAX_DEPTH`]).
//! 4. The kind: the body's `mediaType`, then the Content-Type, then the
//!    shape (`manifests` for an index, `config` or `layers` for a manifest).
//!    A document with both shapes, or whose Content-Type and `mediaType`
//!    disagree, is an error (CVE-2021-41190).
//! 5. The rules for that kind: descriptors, platforms, annotations, and the
//!    checks across an index's entries.
//!
//! ```
//! use polyarch_core::inspect::{inspect, InspectOptions, Kind};
//!
//! let report = inspect(
//!     br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
//!     &InspectOptions::default(),
//! );
//! assert_eq!(report.kind, Kind::OciIndex);
//! assert!(report.valid);
//! assert_eq!(report.size, 88);
//! assert_eq!(report.digest,
//!     "sha256:dff9de10919148711140d349bf03f1a99eb06f94b03e51715ccebfa7cdc518e2");
//! ```
//!
//! # Reports as JSON
//!
//! A [`Report`] is written with `serde` in the form the npm package returns
//! (camelCase members; `kind` as `"oci-index"` and so on, see
//! [`Kind::as_str`]; diagnostics, descriptors and platforms as their modules
//! describe), and read back from that text unchanged, so that a report can
//! cross from a Web Worker to the page as a string:
//! `serde_json::from_str::<Report>(&serde_json::to_string(&report)?)?`
//! equals `report`.
//!
//! Reading checks the shape and the rule catalogue, not the findings:
//!
//! - every member must be of its type and known, and a repeated member is
//!   an error; a member may be missing only where it may be `null` or is
//!   left out when empty;
//! - a diagnostic's code must be a rule's code, and its source that rule's
//!   (see [`crate::diagnostic`]); an unknown code is an error that names it;
//! - `valid`, `digest` and `size` are taken as written, not recomputed, and
//!   the diagnostics are not re-sorted.
//!
//! ```
//! use polyarch_core::inspect::{inspect, InspectOptions, Report};
//!
//! let report = inspect(br#"{"schemaVersion":2,"manifests":[{}]}"#, &InspectOptions::default());
//! let text = serde_json::to_string(&report).unwrap();
//!
//! let read: Report = serde_json::from_str(&text).unwrap();
//! assert_eq!(read, report);
//! assert!(!read.valid);
//! ```

use serde::{Deserialize, Serialize};

use crate::check::{self, Checker};
use crate::descriptor::{Annotations, Descriptor, Entry};
use crate::diagnostic::{Diagnostic, Rule};
use crate::digest::{Algorithm, Digest};
use crate::json::{self, Span};
use crate::media_type;
use crate::platform::Platform;
use crate::select::{Reason, SelectOptions, select};

/// Registries refuse manifests larger than this (distribution's default).
pub const MAX_DOCUMENT_SIZE: usize = 4 * 1024 * 1024;

/// polyarch does not read documents larger than this; it still hashes them.
pub const MAX_INSPECT_SIZE: usize = 16 * 1024 * 1024;

/// What the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// OCI image manifest.
    OciManifest,
    /// OCI image index.
    OciIndex,
    /// Docker image manifest, schema 2.
    DockerManifest,
    /// Docker manifest list.
    DockerManifestList,
    /// Docker schema 1 manifest (recognised, not supported).
    DockerManifestV1,
    /// Not a manifest or index, or unreadable.
    Unknown,
}

impl Kind {
    /// Whether this is an index or a manifest list.
    pub fn is_index(self) -> bool {
        matches!(self, Kind::OciIndex | Kind::DockerManifestList)
    }

    /// Whether this is a Docker kind.
    pub fn is_docker(self) -> bool {
        matches!(
            self,
            Kind::DockerManifest | Kind::DockerManifestList | Kind::DockerManifestV1
        )
    }

    /// The media type of this kind; empty for [`Kind::Unknown`].
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::OciManifest => media_type::OCI_MANIFEST,
            Kind::OciIndex => media_type::OCI_INDEX,
            Kind::DockerManifest => media_type::DOCKER_MANIFEST,
            Kind::DockerManifestList => media_type::DOCKER_MANIFEST_LIST,
            Kind::DockerManifestV1 => media_type::DOCKER_MANIFEST_V1,
            Kind::Unknown => "",
        }
    }

    /// `"oci-index"` and so on, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OciManifest => "oci-manifest",
            Kind::OciIndex => "oci-index",
            Kind::DockerManifest => "docker-manifest",
            Kind::DockerManifestList => "docker-manifest-list",
            Kind::DockerManifestV1 => "docker-manifest-v1",
            Kind::Unknown => "unknown",
        }
    }
}

/// What the caller knows about the document besides its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectOptions {
    /// The HTTP Content-Type the document came with.
    pub content_type: Option<String>,
    /// The digest the bytes should have: a `Docker-Content-Digest` header,
    /// or the digest in a reference. Without an algorithm, sha256 (64 hex
    /// characters) or sha512 (128) is assumed, with a warning.
    pub expected_digest: Option<String>,
}

/// Everything polyarch found.
///
/// Written to JSON and read back as the module documentation's "Reports as
/// JSON" says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Report {
    /// The document's kind.
    pub kind: Kind,
    /// The body's `mediaType`, else the Content-Type's, else none.
    pub media_type: Option<String>,
    /// The SHA-256 digest of the exact bytes.
    pub digest: String,
    /// The number of bytes.
    pub size: u64,
    /// True exactly when no diagnostic is an error.
    pub valid: bool,
    /// Every problem, errors first, then in document order.
    pub diagnostics: Vec<Diagnostic>,
    /// An index's entries; empty for other documents.
    pub entries: Vec<Entry>,
    /// A manifest's config.
    pub config: Option<Descriptor>,
    /// A manifest's layers.
    pub layers: Vec<Descriptor>,
    /// The `subject` descriptor.
    pub subject: Option<Descriptor>,
    /// `artifactType`.
    pub artifact_type: Option<String>,
    /// The document's own annotations.
    pub annotations: Annotations,
}

/// Inspects `bytes`; see the module documentation for what it checks.
pub fn inspect(bytes: &[u8], options: &InspectOptions) -> Report {
    let mut checker = Checker::new(bytes);
    let mut report = Report {
        kind: Kind::Unknown,
        media_type: options
            .content_type
            .as_deref()
            .and_then(|ct| media_type::parse(ct).ok())
            .map(|p| p.essence.to_owned()),
        digest: Digest::sha256(bytes).to_string(),
        size: bytes.len() as u64,
        valid: false,
        diagnostics: Vec::new(),
        entries: Vec::new(),
        config: None,
        layers: Vec::new(),
        subject: None,
        artifact_type: None,
        annotations: Annotations::default(),
    };

    if let Some(expected) = options.expected_digest.as_deref() {
        check_expected_digest(&mut checker, bytes, expected);
    }
    read_document(&mut checker, bytes, options, &mut report);

    report.diagnostics = checker.diagnostics.finish();
    report.valid = !report.diagnostics.iter().any(Diagnostic::is_error);
    report
}

fn read_document(
    checker: &mut Checker<'_>,
    bytes: &[u8],
    options: &InspectOptions,
    report: &mut Report,
) {
    let whole = Span::new(0, bytes.len());
    if bytes.len() > MAX_INSPECT_SIZE {
        checker.diagnostics.report(
            Rule::InputTooLarge,
            "",
            whole,
            format!(
                "{} bytes is more than polyarch reads ({MAX_INSPECT_SIZE}); the digest is \
                 computed, nothing else is checked",
                bytes.len()
            ),
        );
        return;
    }
    if bytes.len() > MAX_DOCUMENT_SIZE {
        checker.diagnostics.report(
            Rule::DocumentOver4MiB,
            "",
            whole,
            format!(
                "{} bytes is over the 4 MiB ({MAX_DOCUMENT_SIZE} bytes) that registries accept \
                 for a manifest",
                bytes.len()
            ),
        );
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        checker.diagnostics.report(
            Rule::ByteOrderMark,
            "",
            Span::new(0, 3),
            "the document starts with a UTF-8 byte order mark, which JSON readers in Go refuse; \
             save it without one",
        );
        return;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            checker.diagnostics.report_at(
                Rule::InvalidUtf8,
                "",
                at,
                format!("byte {at} (0x{:02x}) is not valid UTF-8", bytes[at]),
            );
            return;
        }
    };
    let (root, replaced_strings) = match json::parse_document(text) {
        Ok(document) => (document.root, document.replaced_strings),
        Err(e) => {
            checker
                .diagnostics
                .report_at(Rule::JsonSyntax, "", e.offset, e.message);
            return;
        }
    };
    for span in replaced_strings {
        checker.diagnostics.report(
            Rule::SurrogateEscape,
            &json::pointer_at(&root, span.start),
            span,
            "this string escapes a lone surrogate (\\ud800 to \\udfff without its pair), which \
             is no character; Go's readers, and polyarch, read it as U+FFFD",
        );
    }

    checker.duplicate_keys(&root);
    if root.as_object().is_none() {
        checker.report(
            Rule::RootNotObject,
            "",
            &root,
            format!(
                "a manifest or index is a JSON object, found {}",
                root.value.type_name()
            ),
        );
        return;
    }

    let kind = check::document::detect(checker, &root, options.content_type.as_deref());
    report.kind = kind;
    if let Some(media_type) = root.get("mediaType").and_then(|n| n.as_str()) {
        report.media_type = Some(media_type.to_owned());
    }
    if kind == Kind::DockerManifestV1 {
        return;
    }
    check::document::check_schema_version(checker, &root);

    match kind {
        Kind::OciIndex | Kind::DockerManifestList => {
            let parts = check::index::check(checker, &root, kind == Kind::DockerManifestList);
            report.entries = parts.entries;
            report.subject = parts.subject;
            report.artifact_type = parts.artifact_type;
            report.annotations = parts.annotations;
        }
        Kind::OciManifest | Kind::DockerManifest => {
            let parts = check::manifest::check(checker, &root, kind == Kind::DockerManifest);
            report.config = parts.config;
            report.layers = parts.layers;
            report.subject = parts.subject;
            report.artifact_type = parts.artifact_type;
            report.annotations = parts.annotations;
        }
        Kind::DockerManifestV1 | Kind::Unknown => {}
    }
}

fn check_expected_digest(checker: &mut Checker<'_>, bytes: &[u8], expected: &str) {
    let root = Span::new(0, 0);
    let expected = expected.trim();
    let assumed = match expected.len() {
        64 if !expected.contains(':') => Some(Algorithm::Sha256),
        128 if !expected.contains(':') => Some(Algorithm::Sha512),
        _ => None,
    };
    let written = match &assumed {
        Some(algorithm) => format!("{algorithm}:{expected}"),
        None => expected.to_owned(),
    };
    let digest = match written.parse::<Digest>() {
        Ok(digest) => digest,
        Err(e) => {
            checker.diagnostics.report(
                Rule::ExpectedDigestInvalid,
                "",
                root,
                format!("the expected digest \"{expected}\" is not a digest: {e}"),
            );
            return;
        }
    };
    if let Some(algorithm) = &assumed {
        checker.diagnostics.report(
            Rule::ExpectedDigestNoAlgorithm,
            "",
            root,
            format!("the expected digest has no algorithm; compared as {algorithm}:{expected}"),
        );
    }
    match Digest::of(digest.algorithm(), bytes) {
        Some(actual) if actual == digest => {}
        Some(actual) => checker.diagnostics.report(
            Rule::ExpectedDigestMismatch,
            "",
            root,
            format!(
                "the bytes hash to {actual}, not to the expected {digest}; they are not the \
                 document that digest names (re-formatting or a changed newline alters it)"
            ),
        ),
        None => checker.diagnostics.report(
            Rule::DigestUnregistered,
            "",
            root,
            format!(
                "the expected digest uses {}, which polyarch cannot compute; it was not checked",
                digest.algorithm()
            ),
        ),
    }
}

/// What [`select_platform`] found: the chosen row itself, not its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectionReport {
    /// The chosen row; `None` for no match. A row with role
    /// [`Role::Index`](crate::descriptor::Role::Index) is a nested index:
    /// fetch it and select again.
    pub entry: Option<Entry>,
    /// Why, in words: `exact match`, `fallback: arm/v6 → arm/v5`, `no match`.
    pub reason: String,
    /// The same reason, structured.
    pub reason_detail: Reason,
    /// [`Entry::index`] of rows without a platform, which a client would
    /// judge by their config.
    pub unresolved: Vec<usize>,
    /// Ties and other facts about the choice.
    pub notes: Vec<String>,
    /// The document's diagnostics, as [`inspect`] reports them.
    pub diagnostics: Vec<Diagnostic>,
}

/// Inspects `bytes` and selects the entry that a `wanted` host pulls, by
/// the one platform matcher ([`crate::select`], containerd's rules).
///
/// A document that is not an index has nothing to choose from: no entry,
/// with the reason saying so.
pub fn select_platform(
    bytes: &[u8],
    wanted: &Platform,
    options: &SelectOptions,
) -> SelectionReport {
    let report = inspect(bytes, &InspectOptions::default());
    let selection = select(&report.entries, wanted, options);
    let reason = if report.kind.is_index() {
        selection.reason.to_string()
    } else {
        format!(
            "not an index ({}): there is no entry to choose",
            report.kind.as_str()
        )
    };
    SelectionReport {
        entry: selection.chosen.map(|i| report.entries[i].clone()),
        reason,
        reason_detail: selection.reason,
        unresolved: selection.unresolved,
        notes: selection.notes,
        diagnostics: report.diagnostics,
    }
}
