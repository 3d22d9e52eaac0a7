//! Descriptors (descriptor.md): `mediaType`, `digest`, `size`, `urls`,
//! `annotations`, `data`, `artifactType` and, in an index, `platform`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Checker, annotations, platform};
use crate::descriptor::Descriptor;
use crate::diagnostic::Rule;
use crate::digest::{Digest, DigestError};
use crate::json::{Node, Span, Value};
use crate::media_type::{self, MediaType};

/// The largest integer JavaScript holds exactly: 2^53 − 1.
pub(crate) const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The empty descriptor's digest and size: the two bytes `{}`.
pub(crate) const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// Where a descriptor stands, which decides the fields it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// An entry of an OCI index.
    OciEntry,
    /// An entry of a Docker manifest list.
    DockerEntry,
    /// `config` or a layer of an OCI manifest.
    OciContent,
    /// `config` or a layer of a Docker schema 2 manifest.
    DockerContent,
    /// `subject` of an OCI manifest or index.
    Subject,
}

impl Place {
    fn known_fields(self) -> &'static [&'static str] {
        match self {
            Place::OciEntry => &[
                "mediaType",
                "digest",
                "size",
                "urls",
                "annotations",
                "data",
                "artifactType",
                "platform",
            ],
            Place::DockerEntry => &["mediaType", "size", "digest", "platform", "urls"],
            Place::OciContent | Place::Subject => &[
                "mediaType",
                "digest",
                "size",
                "urls",
                "annotations",
                "data",
                "artifactType",
            ],
            Place::DockerContent => &["mediaType", "size", "digest", "urls"],
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Place::OciEntry => "an OCI index entry",
            Place::DockerEntry => "a Docker manifest list entry",
            Place::OciContent => "an OCI descriptor",
            Place::DockerContent => "a Docker schema 2 descriptor",
            Place::Subject => "a subject descriptor",
        }
    }

    fn is_docker(self) -> bool {
        matches!(self, Place::DockerEntry | Place::DockerContent)
    }
}

/// Reads the descriptor at `pointer`, reporting every problem.
pub(crate) fn read(
    checker: &mut Checker<'_>,
    node: &Node<'_>,
    pointer: &str,
    place: Place,
) -> Descriptor {
    let mut descriptor = Descriptor::default();
    if node.as_object().is_none() {
        checker.report(
            Rule::FieldType,
            pointer,
            node,
            format!(
                "{} must be an object, found {}",
                place.noun(),
                node.value.type_name()
            ),
        );
        return descriptor;
    }
    let noun = place.noun();

    if let Some((value, field)) = checker.string(node, pointer, "mediaType", Some(noun)) {
        check_media_type(checker, &field.pointer, field.node, value);
        descriptor.media_type = value.to_owned();
    }

    let mut digest = None;
    if let Some((value, field)) = checker.string(node, pointer, "digest", Some(noun)) {
        digest = check_digest(checker, &field.pointer, field.node, value);
        descriptor.digest = value.to_owned();
    }

    if let Some(field) = checker.field(node, pointer, "size", Some(noun)) {
        descriptor.size = check_size(checker, &field.pointer, field.node);
    }

    descriptor.urls = read_urls(checker, node, pointer);

    if place.is_docker()
        && let Some(field) = checker.field(node, pointer, "annotations", None)
    {
        let rule = if place == Place::DockerEntry {
            Rule::AnnotationsOnDockerList
        } else {
            Rule::UnknownField
        };
        checker.report(
            rule,
            &field.pointer,
            field.node,
            "Docker schema 2 descriptors have no \"annotations\"; Docker tools drop them",
        );
    }
    descriptor.annotations = annotations::read(checker, node, pointer);

    if let Some((value, field)) = checker.string(node, pointer, "artifactType", None) {
        check_media_type(checker, &field.pointer, field.node, value);
        descriptor.artifact_type = Some(value.to_owned());
    }

    if let Some((value, field)) = checker.string(node, pointer, "data", None) {
        check_data(
            checker,
            &field.pointer,
            field.node,
            value,
            descriptor.size,
            digest.as_ref(),
        );
        descriptor.data = Some(value.to_owned());
    }

    if let Some(field) = checker.field(node, pointer, "platform", None) {
        match place {
            Place::OciEntry | Place::DockerEntry => {
                descriptor.platform = platform::read(checker, field.node, &field.pointer);
                descriptor.platform_string = descriptor
                    .platform
                    .as_ref()
                    .map(|p| p.format())
                    .filter(|s| !s.is_empty());
            }
            Place::Subject => {
                checker.report(
                    Rule::SubjectPlatform,
                    &field.pointer,
                    field.node,
                    "a subject names one manifest by digest; \"platform\" on it has no meaning",
                );
                // Kept as written, unjudged, so that a tool rewriting the
                // document can say that it drops it.
                descriptor.platform =
                    platform::read(&mut checker.quiet(), field.node, &field.pointer);
            }
            Place::OciContent | Place::DockerContent => {}
        }
    }

    if descriptor.media_type == MediaType::OciEmpty.as_str() {
        check_empty(checker, node, pointer, &descriptor);
    }

    let mut known = place.known_fields().to_vec();
    if place.is_docker() {
        known.push("annotations");
    }
    if place == Place::Subject {
        known.push("platform");
    }
    checker.unknown_fields(node, pointer, &known, noun);

    descriptor
}

/// Checks a media type's grammar, and warns about parameters.
pub(crate) fn check_media_type(
    checker: &mut Checker<'_>,
    pointer: &str,
    node: &Node<'_>,
    value: &str,
) {
    match media_type::parse(value) {
        Err(e) => checker.report(
            Rule::MediaTypeInvalid,
            pointer,
            node,
            format!("\"{value}\" is not a media type: {e}"),
        ),
        Ok(parsed) if !parsed.parameters.is_empty() => checker.report(
            Rule::MediaTypeParameters,
            pointer,
            node,
            format!(
                "\"{value}\" has parameters; registries compare media types as written, so \
                 \"{}\" is safer",
                parsed.essence
            ),
        ),
        Ok(_) => {}
    }
}

/// Checks a digest's grammar; the parsed digest when it has one.
pub(crate) fn check_digest(
    checker: &mut Checker<'_>,
    pointer: &str,
    node: &Node<'_>,
    value: &str,
) -> Option<Digest> {
    match value.parse::<Digest>() {
        Ok(d) => {
            if !d.is_verifiable() {
                checker.report(
                    Rule::DigestUnregistered,
                    pointer,
                    node,
                    format!(
                        "algorithm \"{}\" is not registered (sha256, sha512); readers may not \
                         verify it",
                        d.algorithm()
                    ),
                );
            }
            Some(d)
        }
        Err(e) => {
            let at = match e {
                DigestError::InvalidAlgorithm { at }
                | DigestError::InvalidEncoded { at }
                | DigestError::NotLowerHex { at, .. } => Some(at),
                DigestError::MissingSeparator
                | DigestError::EmptyEncoded
                | DigestError::WrongLength { .. } => None,
            };
            let span = inside_string(node, at);
            checker.diagnostics.report(
                Rule::DigestInvalid,
                pointer,
                span,
                format!("\"{value}\" is not a valid digest: {e}"),
            );
            None
        }
    }
}

/// The span of byte `at` inside a string node, when the string has no
/// escapes (so that its bytes are those of the text); else the node's span.
fn inside_string(node: &Node<'_>, at: Option<usize>) -> Span {
    match (&node.value, at) {
        (Value::String(s), Some(at)) if s.len() + 2 == node.span.end - node.span.start => {
            let start = node.span.start + 1 + at;
            Span::new(start, start + 1)
        }
        _ => node.span,
    }
}

/// Checks `size`: an integer, not negative, exact in JavaScript.
pub(crate) fn check_size(checker: &mut Checker<'_>, pointer: &str, node: &Node<'_>) -> Option<i64> {
    let Value::Number(n) = &node.value else {
        checker.report(
            Rule::FieldType,
            pointer,
            node,
            format!(
                "\"size\" must be an integer number of bytes, found {}",
                node.value.type_name()
            ),
        );
        return None;
    };
    if !n.is_integer() {
        checker.report(
            Rule::SizeNotInteger,
            pointer,
            node,
            format!(
                "\"size\" must be an integer number of bytes, found {}",
                n.as_str()
            ),
        );
        return None;
    }
    let Some(size) = n.as_i64() else {
        checker.report(
            Rule::SizeNotInteger,
            pointer,
            node,
            format!(
                "\"size\" {} does not fit in a signed 64-bit integer",
                n.as_str()
            ),
        );
        return None;
    };
    if size < 0 {
        checker.report(
            Rule::SizeNegative,
            pointer,
            node,
            format!("\"size\" must be zero or more, found {size}"),
        );
    } else if size > MAX_SAFE_INTEGER {
        checker.report(
            Rule::SizeUnsafeInteger,
            pointer,
            node,
            format!(
                "\"size\" {size} is beyond 2^53 − 1 ({MAX_SAFE_INTEGER}); JavaScript readers \
                 round it"
            ),
        );
    }
    Some(size)
}

fn read_urls(checker: &mut Checker<'_>, node: &Node<'_>, pointer: &str) -> Vec<String> {
    let urls = checker.strings(node, pointer, "urls");
    for (url, field) in &urls {
        if !annotations::is_url(url) {
            checker.report(
                Rule::UrlInvalid,
                &field.pointer,
                field.node,
                format!("\"{url}\" is not an absolute URL (RFC 3986)"),
            );
        }
    }
    urls.into_iter().map(|(url, _)| url).collect()
}

fn check_data(
    checker: &mut Checker<'_>,
    pointer: &str,
    node: &Node<'_>,
    value: &str,
    size: Option<i64>,
    digest: Option<&Digest>,
) {
    let bytes = match STANDARD.decode(value) {
        Ok(bytes) => bytes,
        Err(e) => {
            checker.report(
                Rule::DataInvalid,
                pointer,
                node,
                format!("\"data\" must be base64 (RFC 4648, standard alphabet, padded): {e}"),
            );
            return;
        }
    };
    if let Some(size) = size
        && i64::try_from(bytes.len()).ok() != Some(size)
    {
        checker.report(
            Rule::DataMismatch,
            pointer,
            node,
            format!(
                "\"data\" decodes to {} bytes but \"size\" is {size}",
                bytes.len()
            ),
        );
    }
    if let Some(digest) = digest.filter(|d| d.is_verifiable())
        && !digest.verifies(&bytes)
    {
        let actual = Digest::of(digest.algorithm(), &bytes)
            .map(|d| d.to_string())
            .unwrap_or_default();
        checker.report(
            Rule::DataMismatch,
            pointer,
            node,
            format!("\"data\" hashes to {actual}, not to the descriptor's {digest}"),
        );
    }
}

/// The empty descriptor (manifest.md, "Guidance for an Empty Descriptor"):
/// its content is `{}`, so its digest and size are fixed.
fn check_empty(checker: &mut Checker<'_>, node: &Node<'_>, pointer: &str, descriptor: &Descriptor) {
    if !descriptor.digest.is_empty() && descriptor.digest != EMPTY_DIGEST {
        let at = crate::json::child(pointer, "digest");
        let target = node.get("digest").unwrap_or(node);
        checker.report(
            Rule::EmptyDescriptorInvalid,
            &at,
            target,
            format!(
                "the empty descriptor's digest is {EMPTY_DIGEST}, found {}",
                descriptor.digest
            ),
        );
    }
    if descriptor.size.is_some_and(|s| s != 2) {
        let at = crate::json::child(pointer, "size");
        let target = node.get("size").unwrap_or(node);
        checker.report(
            Rule::EmptyDescriptorInvalid,
            &at,
            target,
            format!(
                "the empty descriptor's size is 2 (the bytes {{}}), found {}",
                descriptor.size.unwrap_or_default()
            ),
        );
    }
}
