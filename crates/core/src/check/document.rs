//! Which kind of document this is, and whether its labels agree.
//!
//! The kind comes from the body's `mediaType` when it names one, then from
//! the Content-Type, then from the shape when that is unambiguous:
//! `manifests` makes an index, `config` or `layers` a manifest. A document
//! with both is refused whatever it claims to be (CVE-2021-41190: a reader
//! that trusts the label and one that trusts the shape would see different
//! content under one digest). A Content-Type that disagrees with the body's
//! `mediaType` is an error for the same reason.

use super::Checker;
use super::descriptor::check_media_type;
use crate::diagnostic::Rule;
use crate::inspect::Kind;
use crate::json::{Node, Value};
use crate::media_type::{self, MediaType};

/// The kind of `root`, with every disagreement between its labels reported.
pub(crate) fn detect(
    checker: &mut Checker<'_>,
    root: &Node<'_>,
    content_type: Option<&str>,
) -> Kind {
    let has_manifests = root.get("manifests").is_some();
    let has_manifest_parts = root.get("config").is_some() || root.get("layers").is_some();
    let schema1 = root.get("fsLayers").is_some()
        || matches!(&root.get("schemaVersion").map(|n| &n.value), Some(Value::Number(n)) if n.as_i64() == Some(1));

    let declared = content_type.and_then(|ct| declared_type(checker, root, ct));

    let body_node = root.get("mediaType");
    let body = match body_node {
        Some(node) => match node.as_str() {
            Some(value) => {
                check_media_type(checker, "/mediaType", node, value);
                let essence = media_type::parse(value).map_or(value, |p| p.essence);
                Some((MediaType::new(essence), node))
            }
            None => {
                checker.report(
                    Rule::FieldType,
                    "/mediaType",
                    node,
                    format!(
                        "\"mediaType\" must be a string, found {}",
                        node.value.type_name()
                    ),
                );
                None
            }
        },
        None => None,
    };

    if let (Some(declared), Some((body, node))) = (&declared, &body)
        && declared != body
    {
        checker.report(
            Rule::MediaTypeMismatch,
            "/mediaType",
            node,
            format!(
                "the Content-Type is {declared} but the document's \"mediaType\" is {body}; \
                 a reader could take it for either"
            ),
        );
    }

    let body_names_schema2 = body.as_ref().is_some_and(|(m, _)| kind_of(m).is_some());
    let schema1_label = body.as_ref().is_some_and(|(m, _)| m.is_schema1())
        || (body.is_none() && declared.as_ref().is_some_and(MediaType::is_schema1));
    if schema1_label || (schema1 && !body_names_schema2) {
        checker.report(
            Rule::Schema1Unsupported,
            "",
            root,
            "this is a Docker schema 1 manifest, deprecated and refused by current registries; \
             polyarch does not check it further (push it again with a current client to get \
             schema 2)",
        );
        return Kind::DockerManifestV1;
    }

    if has_manifests && has_manifest_parts {
        checker.report(
            Rule::AmbiguousDocument,
            "",
            root,
            "the document has \"manifests\" (an index) and \"config\" or \"layers\" (a manifest); \
             one of the two must go",
        );
    }

    let body_kind = body.as_ref().and_then(|(m, node)| {
        let kind = kind_of(m);
        if kind.is_none() {
            checker.report(
                Rule::UnknownDocument,
                "/mediaType",
                node,
                format!(
                    "\"mediaType\" {m} is not a manifest or index media type; expected one of {}",
                    media_type::MANIFEST_TYPES.join(", ")
                ),
            );
        }
        kind
    });
    let declared_kind = declared.as_ref().and_then(kind_of);
    let shape_kind = match (has_manifests, has_manifest_parts) {
        (true, false) => Some(Kind::OciIndex),
        (false, true) => Some(Kind::OciManifest),
        _ => None,
    };

    let Some(kind) = body_kind.or(declared_kind).or(shape_kind) else {
        if !(has_manifests && has_manifest_parts) && body.is_none() {
            checker.report(
                Rule::UnknownDocument,
                "",
                root,
                "this is neither a manifest nor an index: it has no \"mediaType\" and none of \
                 \"manifests\", \"config\" or \"layers\"",
            );
        }
        return Kind::Unknown;
    };

    let (label_pointer, label_node) = match body_node {
        Some(node) if body_kind.is_some() => ("/mediaType", node),
        _ => ("", root),
    };
    if kind.is_index() && !has_manifests && has_manifest_parts {
        checker.report(
            Rule::MediaTypeShape,
            label_pointer,
            label_node,
            format!("labelled {} but shaped as a manifest: it has \"config\" or \"layers\" and no \"manifests\"", kind.media_type()),
        );
    } else if !kind.is_index() && has_manifests && !has_manifest_parts {
        checker.report(
            Rule::MediaTypeShape,
            label_pointer,
            label_node,
            format!("labelled {} but shaped as an index: it has \"manifests\" and no \"config\" or \"layers\"", kind.media_type()),
        );
    }

    if body.is_none() && body_node.is_none() {
        if kind.is_docker() {
            checker.report(
                Rule::MediaTypeRequired,
                "",
                root,
                format!(
                    "a Docker document must carry \"mediaType\": \"{}\"",
                    kind.media_type()
                ),
            );
        } else {
            checker.report(
                Rule::MediaTypeMissing,
                "",
                root,
                format!(
                    "\"mediaType\" is absent; it should be \"{}\", or readers must guess the kind \
                     from the Content-Type or the shape",
                    kind.media_type()
                ),
            );
        }
    }

    kind
}

/// The Content-Type's media type, when it names a manifest kind.
fn declared_type(
    checker: &mut Checker<'_>,
    root: &Node<'_>,
    content_type: &str,
) -> Option<MediaType> {
    match media_type::parse(content_type) {
        Err(e) => {
            checker.report(
                Rule::MediaTypeInvalid,
                "",
                root,
                format!("the Content-Type \"{content_type}\" is not a media type: {e}"),
            );
            None
        }
        Ok(parsed) => {
            // A Content-Type is case-insensitive (RFC 9110, section 8.3.1); a
            // body's `mediaType` is compared as written, as registries do.
            let media_type = MediaType::new(&parsed.essence.to_ascii_lowercase());
            if kind_of(&media_type).is_some() || media_type.is_schema1() {
                Some(media_type)
            } else {
                checker.report(
                    Rule::ContentTypeUnknown,
                    "",
                    root,
                    format!(
                        "the Content-Type {} names no manifest kind; the document's own \
                         \"mediaType\" and shape decide",
                        parsed.essence
                    ),
                );
                None
            }
        }
    }
}

fn kind_of(media_type: &MediaType) -> Option<Kind> {
    match media_type {
        MediaType::OciManifest => Some(Kind::OciManifest),
        MediaType::OciIndex => Some(Kind::OciIndex),
        MediaType::DockerManifest => Some(Kind::DockerManifest),
        MediaType::DockerManifestList => Some(Kind::DockerManifestList),
        _ => None,
    }
}

/// `schemaVersion` must be present and be the number 2.
pub(crate) fn check_schema_version(checker: &mut Checker<'_>, root: &Node<'_>) {
    let Some(field) = checker.field(root, "", "schemaVersion", Some("a manifest or index")) else {
        return;
    };
    match &field.node.value {
        Value::Number(n) if n.as_i64() == Some(2) && n.as_str() == "2" => {}
        Value::Number(n) => checker.report(
            Rule::SchemaVersionInvalid,
            &field.pointer,
            field.node,
            format!("\"schemaVersion\" must be 2, found {}", n.as_str()),
        ),
        other => checker.report(
            Rule::FieldType,
            &field.pointer,
            field.node,
            format!(
                "\"schemaVersion\" must be the number 2, found {}",
                other.type_name()
            ),
        ),
    }
}
