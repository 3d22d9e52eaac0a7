//! Diagnostics: what is wrong, how much it matters, and where.
//!
//! Every problem polyarch finds is a [`Diagnostic`] with a stable [`Rule`]
//! code, a [`Severity`], a message that names the expected and the found
//! value, the rule's source, a JSON Pointer (RFC 6901) to the value at fault
//! and that value's line, column and byte offset. For a missing member the
//! pointer names the object that should hold it; the document root is the
//! empty pointer.
//!
//! A document is valid exactly when no diagnostic is an [`Severity::Error`].
//!
//! # As JSON
//!
//! A diagnostic is written as an object of eight members, in this order:
//! `code`, `severity` (`"error"`, `"warning"` or `"info"`), `message`,
//! `pointer`, `line`, `column`, `offset` and `source`. Read back, the
//! `code` is looked up in the [`Rule`] catalogue ([`Rule::from_code`]), so
//! that `code` and `source` are the catalogue's own strings again:
//!
//! - a code the catalogue does not hold is an error that names the code;
//! - the `source` must be the rule's source, character for character: a
//!   different one means the text was written by a polyarch with another
//!   catalogue, and is refused rather than silently replaced;
//! - the `severity` is taken as written, since a diagnostic may be reported
//!   at another severity than its rule's ([`Diagnostic::with_severity`]);
//! - a member that is missing, of the wrong type, repeated or unknown is an
//!   error.
//!
//! ```
//! use polyarch_core::diagnostic::{Diagnostic, Rule, Severity};
//! use polyarch_core::json::Position;
//!
//! let position = Position { line: 1, column: 2, offset: 1 };
//! let diagnostic = Diagnostic::new(Rule::FieldMissing, "/config".into(), position, "m".into())
//!     .with_severity(Severity::Warning);
//!
//! let text = serde_json::to_string(&diagnostic).unwrap();
//! let read: Diagnostic = serde_json::from_str(&text).unwrap();
//! assert_eq!(read, diagnostic);
//!
//! let unknown = text.replace("field-missing", "field-absent");
//! let error = serde_json::from_str::<Diagnostic>(&unknown).unwrap_err();
//! assert!(error.to_string().starts_with("unknown diagnostic code \"field-absent\""));
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use crate::json::{LineIndex, Position, Span};

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document is invalid: a conforming client or registry refuses it.
    Error,
    /// Valid, but some client, registry or reader will get it wrong.
    Warning,
    /// Worth knowing; nothing is wrong.
    Info,
}

impl Severity {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

const SPEC_DESCRIPTOR: &str = "OCI image-spec v1.1, descriptor.md";
const SPEC_MANIFEST: &str = "OCI image-spec v1.1, manifest.md";
const SPEC_INDEX: &str = "OCI image-spec v1.1, image-index.md";
const SPEC_ANNOTATIONS: &str = "OCI image-spec v1.1, annotations.md";
const SPEC_MEDIA_TYPES: &str = "OCI image-spec v1.1, media-types.md";
const SPEC_CONFIG: &str = "OCI image-spec v1.1, config.md (platform properties)";
const DOCKER_SCHEMA2: &str = "Docker image manifest v2 schema 2";
const DISTRIBUTION: &str = "OCI distribution-spec v1.1";
const RFC_8259: &str = "RFC 8259 (JSON)";
const CVE_2021_41190: &str = "OCI image-spec v1.0.2 (CVE-2021-41190)";
const CONTAINERD: &str = "containerd platforms (Docker Engine, Kubernetes)";
const REGISTRIES: &str = "known registry behaviour";
const BUILDKIT: &str = "BuildKit attestation storage";
const JAVASCRIPT: &str = "JavaScript numbers (IEEE 754 double)";

macro_rules! rules {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $severity:ident, $source:expr; )*) => {
        /// Every rule polyarch checks. The codes are stable: tools may match
        /// on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $( $(#[$doc])* $name, )*
        }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$name),*];

            /// The stable code, in kebab case.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$name => $code,)* }
            }

            /// How much a breach of the rule matters.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$name => Severity::$severity,)* }
            }

            /// Where the rule comes from.
            pub fn source(self) -> &'static str {
                match self { $(Rule::$name => $source,)* }
            }

            /// The rule whose [`code`](Rule::code) is `code`, compared
            /// exactly (no case folding); `None` for a code the catalogue
            /// does not hold.
            pub fn from_code(code: &str) -> Option<Rule> {
                match code {
                    $($code => Some(Rule::$name),)*
                    _ => None,
                }
            }
        }
    };
}

rules! {
    /// The input is larger than polyarch inspects.
    InputTooLarge = "input-too-large", Error, "polyarch limits";
    /// Larger than the 4 MiB that registries accept for a manifest.
    DocumentOver4MiB = "document-over-4mib", Warning, DISTRIBUTION;
    /// The bytes are not UTF-8.
    InvalidUtf8 = "invalid-utf8", Error, RFC_8259;
    /// A string given by JavaScript has a lone surrogate, which has no UTF-8.
    LoneSurrogate = "lone-surrogate", Error, RFC_8259;
    /// A string escapes a lone surrogate (`\ud800`): no character; read as U+FFFD.
    SurrogateEscape = "surrogate-escape", Warning, RFC_8259;
    /// The document starts with a byte order mark.
    ByteOrderMark = "byte-order-mark", Error, RFC_8259;
    /// The text is not JSON.
    JsonSyntax = "json-syntax", Error, RFC_8259;
    /// An object has the same key twice.
    DuplicateKey = "duplicate-key", Error, RFC_8259;
    /// The document is not a JSON object.
    RootNotObject = "root-not-object", Error, SPEC_MANIFEST;
    /// `schemaVersion` is absent.
    SchemaVersionMissing = "schema-version-missing", Error, SPEC_MANIFEST;
    /// `schemaVersion` is not 2.
    SchemaVersionInvalid = "schema-version-invalid", Error, SPEC_MANIFEST;
    /// A Docker schema 1 manifest, which polyarch recognises but does not check.
    Schema1Unsupported = "schema1-unsupported", Error, DOCKER_SCHEMA2;
    /// The document's kind cannot be told from its media type or shape.
    UnknownDocument = "unknown-document", Error, SPEC_MEDIA_TYPES;
    /// Both `manifests` and `config` or `layers`: a manifest and an index at once.
    AmbiguousDocument = "ambiguous-document", Error, CVE_2021_41190;
    /// `mediaType` is absent where it should be set.
    MediaTypeMissing = "media-type-missing", Warning, SPEC_INDEX;
    /// `mediaType` is absent where it is required.
    MediaTypeRequired = "media-type-required", Error, DOCKER_SCHEMA2;
    /// The body's `mediaType` disagrees with the Content-Type.
    MediaTypeMismatch = "media-type-mismatch", Error, CVE_2021_41190;
    /// The `mediaType` names a kind that the document's shape is not.
    MediaTypeShape = "media-type-shape", Error, CVE_2021_41190;
    /// A media type that does not follow the RFC 6838 grammar.
    MediaTypeInvalid = "media-type-invalid", Error, SPEC_MEDIA_TYPES;
    /// A media type with parameters, which registries compare as written.
    MediaTypeParameters = "media-type-parameters", Warning, REGISTRIES;
    /// The Content-Type names no manifest kind polyarch knows.
    ContentTypeUnknown = "content-type-unknown", Warning, DISTRIBUTION;
    /// A required member is absent.
    FieldMissing = "field-missing", Error, SPEC_DESCRIPTOR;
    /// A member has the wrong JSON type.
    FieldType = "field-type", Error, SPEC_DESCRIPTOR;
    /// A member that the schema does not define; it is kept and shown.
    UnknownField = "unknown-field", Info, SPEC_DESCRIPTOR;
    /// A digest string that breaks the grammar.
    DigestInvalid = "digest-invalid", Error, SPEC_DESCRIPTOR;
    /// A grammatical digest with an algorithm the spec does not register.
    DigestUnregistered = "digest-unregistered", Warning, SPEC_DESCRIPTOR;
    /// A negative `size`.
    SizeNegative = "size-negative", Error, SPEC_DESCRIPTOR;
    /// A `size` that is not written as an integer, or does not fit in 64 bits.
    SizeNotInteger = "size-not-integer", Error, SPEC_DESCRIPTOR;
    /// A `size` beyond 2^53 − 1, which JavaScript cannot hold exactly.
    SizeUnsafeInteger = "size-unsafe-integer", Warning, JAVASCRIPT;
    /// `data` is not base64.
    DataInvalid = "data-invalid", Error, SPEC_DESCRIPTOR;
    /// `data` decodes to bytes whose size or digest the descriptor contradicts.
    DataMismatch = "data-mismatch", Error, SPEC_DESCRIPTOR;
    /// `urls` items that are not absolute URLs.
    UrlInvalid = "url-invalid", Error, SPEC_DESCRIPTOR;
    /// The empty descriptor's media type with other content than `{}`.
    EmptyDescriptorInvalid = "empty-descriptor-invalid", Error, SPEC_MANIFEST;
    /// An empty config without `artifactType`.
    ArtifactTypeRequired = "artifact-type-required", Error, SPEC_MANIFEST;
    /// The config media type is not an image config, so this is an artifact.
    ArtifactConfig = "artifact-config", Info, SPEC_MANIFEST;
    /// An annotation value that is not a string, or annotations not an object.
    AnnotationNotString = "annotation-not-string", Error, SPEC_ANNOTATIONS;
    /// A reserved `org.opencontainers.image.*` annotation that breaks its format.
    AnnotationFormat = "annotation-format", Warning, SPEC_ANNOTATIONS;
    /// An `org.opencontainers.image.*` key the spec does not define.
    AnnotationReserved = "annotation-reserved", Warning, SPEC_ANNOTATIONS;
    /// Annotations on a Docker manifest list, which its schema does not have.
    AnnotationsOnDockerList = "annotations-on-docker-list", Warning, DOCKER_SCHEMA2;
    /// A Docker manifest list entry without `platform`.
    PlatformMissing = "platform-missing", Error, DOCKER_SCHEMA2;
    /// An OCI index entry for an image without `platform`.
    PlatformAbsent = "platform-absent", Info, SPEC_INDEX;
    /// `os` is not a GOOS value.
    PlatformUnknownOs = "platform-unknown-os", Warning, SPEC_CONFIG;
    /// `architecture` is not a GOARCH value.
    PlatformUnknownArchitecture = "platform-unknown-architecture", Warning, SPEC_CONFIG;
    /// A platform value that clients normalise to another (`aarch64`, `armhf`, …).
    PlatformNotCanonical = "platform-not-canonical", Warning, CONTAINERD;
    /// `os.version` on a platform that is not Windows.
    OsVersionNotWindows = "os-version-not-windows", Warning, SPEC_INDEX;
    /// Two entries for the same platform: which one is pulled depends on order.
    DuplicatePlatform = "duplicate-platform", Warning, CONTAINERD;
    /// Two entries for the same platform told apart by their annotations.
    DuplicatePlatformAnnotated = "duplicate-platform-annotated", Info, CONTAINERD;
    /// Docker and OCI media types mixed in one document.
    MixedMediaTypes = "mixed-media-types", Warning, REGISTRIES;
    /// An index entry whose media type is not a manifest or an index.
    ChildMediaType = "child-media-type", Warning, SPEC_INDEX;
    /// `platform` on a `subject` descriptor.
    SubjectPlatform = "subject-platform", Warning, SPEC_MANIFEST;
    /// A Docker attestation entry (`unknown/unknown`).
    Attestation = "attestation", Info, BUILDKIT;
    /// An attestation entry whose subject is not in the index.
    AttestationDangling = "attestation-dangling", Warning, BUILDKIT;
    /// The bytes do not match the expected digest.
    ExpectedDigestMismatch = "expected-digest-mismatch", Error, DISTRIBUTION;
    /// The expected digest has no algorithm; sha256 was assumed.
    ExpectedDigestNoAlgorithm = "expected-digest-no-algorithm", Warning, DISTRIBUTION;
    /// The expected digest is not a digest.
    ExpectedDigestInvalid = "expected-digest-invalid", Error, DISTRIBUTION;
    /// More diagnostics of one rule than a report lists.
    DiagnosticsOmitted = "diagnostics-omitted", Info, "polyarch limits";
    /// An assembled index has two entries for one platform.
    AssemblyDuplicatePlatform = "assembly-duplicate-platform", Warning, CONTAINERD;
    /// The chosen format cannot hold something the entries carry.
    AssemblyFormatLoss = "assembly-format-loss", Warning, DOCKER_SCHEMA2;
    /// An assembly entry that cannot be written.
    AssemblyEntryInvalid = "assembly-entry-invalid", Error, SPEC_DESCRIPTOR;
    /// An annotation key given twice to the assembler; the last value is written.
    AssemblyAnnotationRepeated = "assembly-annotation-repeated", Warning, SPEC_ANNOTATIONS;
    /// Why the `auto` format chose an OCI index or a Docker manifest list.
    AssemblyFormatChosen = "assembly-format-chosen", Info, "polyarch assembly rules";
    /// The assembled document could not be written; the result is empty.
    AssemblyWriteFailed = "assembly-write-failed", Error, "polyarch limits";
    /// An image config without `architecture` or `os`.
    ConfigPlatformMissing = "config-platform-missing", Error, SPEC_CONFIG;
}

/// One problem, with its place in the document.
///
/// Read from JSON as the module documentation says: `code` and `source`
/// must belong to one rule of the catalogue. A diagnostic built by hand
/// with a code of its own is written, but cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable rule code, for example `digest-invalid`.
    pub code: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// What is wrong: the expected and the found value.
    pub message: String,
    /// The JSON Pointer of the value at fault; `""` is the document root.
    pub pointer: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 0-based byte offset.
    pub offset: usize,
    /// Where the rule comes from.
    pub source: &'static str,
}

impl Diagnostic {
    /// A diagnostic for `rule` at `position`.
    pub fn new(rule: Rule, pointer: String, position: Position, message: String) -> Self {
        Diagnostic {
            code: rule.code(),
            severity: rule.severity(),
            message,
            pointer,
            line: position.line,
            column: position.column,
            offset: position.offset,
            source: rule.source(),
        }
    }

    /// The same diagnostic at another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A diagnostic as JSON writes it, before its code is looked up.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiagnosticText<'a> {
    #[serde(borrow)]
    code: Cow<'a, str>,
    severity: Severity,
    message: String,
    pointer: String,
    line: usize,
    column: usize,
    offset: usize,
    #[serde(borrow)]
    source: Cow<'a, str>,
}

/// Why a diagnostic's text does not fit the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CatalogueError {
    /// No rule has this code.
    UnknownCode { code: String },
    /// The rule's source is another.
    SourceDiffers {
        code: &'static str,
        found: String,
        expected: &'static str,
    },
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueError::UnknownCode { code } => {
                write!(
                    f,
                    "unknown diagnostic code {code:?}: no rule of polyarch has it"
                )
            }
            CatalogueError::SourceDiffers {
                code,
                found,
                expected,
            } => write!(
                f,
                "diagnostic {code:?} gives the source {found:?}, but its rule's source is \
                 {expected:?}"
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = DiagnosticText::deserialize(deserializer)?;

        let rule = Rule::from_code(&text.code).ok_or_else(|| {
            D::Error::custom(CatalogueError::UnknownCode {
                code: text.code.clone().into_owned(),
            })
        })?;
        if text.source != rule.source() {
            return Err(D::Error::custom(CatalogueError::SourceDiffers {
                code: rule.code(),
                found: text.source.into_owned(),
                expected: rule.source(),
            }));
        }

        Ok(Diagnostic {
            code: rule.code(),
            severity: text.severity,
            message: text.message,
            pointer: text.pointer,
            line: text.line,
            column: text.column,
            offset: text.offset,
            source: rule.source(),
        })
    }
}

/// How many diagnostics of one rule a report lists; the rest are counted
/// in one `diagnostics-omitted` note, so that a hostile document of a
/// million faulty entries costs bounded memory.
pub const MAX_PER_RULE: usize = 1000;

/// Collects diagnostics for one input, turning spans into positions.
#[derive(Debug)]
pub struct Diagnostics<'a> {
    bytes: &'a [u8],
    /// Built on the first diagnostic: a clean document never pays for it.
    lines: std::cell::OnceCell<LineIndex<'a>>,
    items: Vec<Diagnostic>,
    per_rule: std::collections::HashMap<&'static str, usize>,
}

impl<'a> Diagnostics<'a> {
    /// A collector for diagnostics about `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Diagnostics {
            bytes,
            lines: std::cell::OnceCell::new(),
            items: Vec::new(),
            per_rule: std::collections::HashMap::new(),
        }
    }

    /// The bytes the diagnostics are about.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Counts one more diagnostic of `rule`; whether it is still listed.
    fn admit(&mut self, rule: Rule) -> bool {
        let count = self.per_rule.entry(rule.code()).or_insert(0);
        *count += 1;
        *count <= MAX_PER_RULE
    }

    /// Reports `rule` for the value at `pointer`, which starts at `span`.
    pub fn report(&mut self, rule: Rule, pointer: &str, span: Span, message: impl Into<String>) {
        self.report_at(rule, pointer, span.start, message);
    }

    /// Reports `rule` at a byte offset.
    pub fn report_at(
        &mut self,
        rule: Rule,
        pointer: &str,
        offset: usize,
        message: impl Into<String>,
    ) {
        if !self.admit(rule) {
            return;
        }
        let position = self.lines().position(offset);
        self.items.push(Diagnostic::new(
            rule,
            pointer.to_owned(),
            position,
            message.into(),
        ));
    }

    /// Reports `rule` at another severity than its own.
    pub fn report_as(
        &mut self,
        rule: Rule,
        severity: Severity,
        pointer: &str,
        span: Span,
        message: impl Into<String>,
    ) {
        if !self.admit(rule) {
            return;
        }
        let position = self.lines().position(span.start);
        let diagnostic = Diagnostic::new(rule, pointer.to_owned(), position, message.into());
        self.items.push(diagnostic.with_severity(severity));
    }

    fn lines(&self) -> &LineIndex<'a> {
        self.lines.get_or_init(|| LineIndex::new(self.bytes))
    }

    /// The line and column of a byte offset in the input.
    pub fn position(&self, offset: usize) -> Position {
        self.lines().position(offset)
    }

    /// Whether any error has been reported.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// The diagnostics, errors first, then by place in the document.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        let mut omitted: Vec<(&str, usize)> = self
            .per_rule
            .iter()
            .filter(|&(_, &n)| n > MAX_PER_RULE)
            .map(|(&code, &n)| (code, n - MAX_PER_RULE))
            .collect();
        omitted.sort();
        for (code, n) in omitted {
            let message = format!(
                "{n} more \"{code}\" diagnostics are not listed: a report lists the first \
                 {MAX_PER_RULE} of each rule"
            );
            let position = self.lines().position(0);
            let note = Diagnostic::new(Rule::DiagnosticsOmitted, String::new(), position, message);
            self.items.push(note);
        }
        self.items.sort_by_key(|d| (d.severity, d.offset));
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_lists_a_bounded_number_and_counts_the_rest() {
        let mut diagnostics = Diagnostics::new(b"{}");

        for _ in 0..MAX_PER_RULE + 5 {
            diagnostics.report(Rule::FieldMissing, "", Span::new(0, 1), "x");
        }
        diagnostics.report(Rule::UnknownField, "", Span::new(1, 2), "y");

        let items = diagnostics.finish();
        assert_eq!(items.len(), MAX_PER_RULE + 2);
        let note = items
            .iter()
            .find(|d| d.code == "diagnostics-omitted")
            .unwrap();
        assert!(
            note.message.starts_with("5 more \"field-missing\""),
            "{}",
            note.message
        );
    }

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();

        for rule in Rule::ALL {
            let code = rule.code();
            assert!(seen.insert(code), "{code} twice");
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
            assert!(!rule.source().is_empty());
        }
    }

    #[test]
    fn every_code_names_its_rule_and_no_other_string_does() {
        let strangers = [
            "",
            "Digest-Invalid",
            "digest-invalid ",
            "digest_invalid",
            "digest",
            "rule-of-tomorrow",
        ];

        let found: Vec<Option<Rule>> = Rule::ALL
            .iter()
            .map(|rule| Rule::from_code(rule.code()))
            .collect();
        let strange: Vec<Option<Rule>> = strangers.iter().map(|s| Rule::from_code(s)).collect();

        let expected: Vec<Option<Rule>> = Rule::ALL.iter().copied().map(Some).collect();
        assert_eq!(found, expected);
        assert!(strange.iter().all(Option::is_none), "{strange:?}");
    }

    #[test]
    fn every_rule_reads_back_from_json_at_every_severity() {
        let position = Position {
            line: 3,
            column: 7,
            offset: 40,
        };
        let severities = [Severity::Error, Severity::Warning, Severity::Info];

        for &rule in Rule::ALL {
            for severity in severities {
                let diagnostic =
                    Diagnostic::new(rule, "/a/b~1c".into(), position, "m \"q\"".into())
                        .with_severity(severity);

                let text = serde_json::to_string(&diagnostic).unwrap();
                let read: Diagnostic = serde_json::from_str(&text).unwrap();

                assert_eq!(read, diagnostic, "{text}");
                assert!(std::ptr::eq(read.code, rule.code()));
                assert!(std::ptr::eq(read.source, rule.source()));
            }
        }
    }

    #[test]
    fn diagnostics_are_placed_and_sorted() {
        let text = b"{\n  \"a\": 1,\n  \"b\": 2\n}";
        let mut diagnostics = Diagnostics::new(text);

        diagnostics.report(Rule::UnknownField, "/b", Span::new(14, 17), "b");
        diagnostics.report(Rule::FieldType, "/a", Span::new(4, 7), "a");

        let items = diagnostics.finish();
        assert_eq!(items[0].code, "field-type");
        assert_eq!((items[0].line, items[0].column), (2, 3));
        assert_eq!(
            (items[1].line, items[1].column, items[1].offset),
            (3, 3, 14)
        );
    }
}
