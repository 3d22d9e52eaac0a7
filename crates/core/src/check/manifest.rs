//! Image manifests: OCI (manifest.md) and Docker schema 2. A config, layers,
//! and for OCI an optional `subject`, `artifactType` and annotations.

use super::descriptor::{self, Place};
use super::{Checker, annotations};
use crate::descriptor::{Annotations, Descriptor};
use crate::diagnostic::Rule;
use crate::json::{self, Node};
use crate::media_type::{Family, MediaType};

const OCI_FIELDS: &[&str] = &[
    "schemaVersion",
    "mediaType",
    "artifactType",
    "config",
    "layers",
    "subject",
    "annotations",
];
const DOCKER_FIELDS: &[&str] = &["schemaVersion", "mediaType", "config", "layers"];

/// What a manifest holds, as far as it could be read.
#[derive(Debug, Default)]
pub(crate) struct ManifestParts {
    pub(crate) config: Option<Descriptor>,
    pub(crate) layers: Vec<Descriptor>,
    pub(crate) subject: Option<Descriptor>,
    pub(crate) artifact_type: Option<String>,
    pub(crate) annotations: Annotations,
}

/// Checks an image manifest; `docker` for Docker schema 2.
pub(crate) fn check(checker: &mut Checker<'_>, root: &Node<'_>, docker: bool) -> ManifestParts {
    let mut parts = ManifestParts::default();
    let place = if docker {
        Place::DockerContent
    } else {
        Place::OciContent
    };
    let own = if docker { Family::Docker } else { Family::Oci };
    let what = if docker {
        "a Docker schema 2 manifest"
    } else {
        "an OCI image manifest"
    };

    if let Some(field) = checker.field(root, "", "config", Some(what)) {
        let config = descriptor::read(checker, field.node, &field.pointer, place);
        check_config_type(checker, field.node, &field.pointer, &config, own);
        parts.config = Some(config);
    }

    if let Some(field) = checker.field(root, "", "layers", Some(what)) {
        match field.node.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let pointer = json::child(&field.pointer, &i.to_string());
                    let layer = descriptor::read(checker, item, &pointer, place);
                    check_foreign_family(checker, item, &pointer, &layer.media_type, own, "layer");
                    parts.layers.push(layer);
                }
            }
            None => checker.report(
                Rule::FieldType,
                &field.pointer,
                field.node,
                format!(
                    "\"layers\" must be an array of descriptors, found {}",
                    field.node.value.type_name()
                ),
            ),
        }
    }

    if !docker {
        if let Some(field) = checker.field(root, "", "subject", None) {
            parts.subject = Some(descriptor::read(
                checker,
                field.node,
                &field.pointer,
                Place::Subject,
            ));
        }
        if let Some((value, field)) = checker.string(root, "", "artifactType", None) {
            descriptor::check_media_type(checker, &field.pointer, field.node, value);
            parts.artifact_type = Some(value.to_owned());
        }
        let empty_config = parts
            .config
            .as_ref()
            .is_some_and(|c| c.media_type == MediaType::OciEmpty.as_str());
        if empty_config && parts.artifact_type.is_none() {
            checker.report(
                Rule::ArtifactTypeRequired,
                "",
                root,
                "the config is the empty descriptor, so \"artifactType\" must say what this \
                 artifact is",
            );
        }
    }
    parts.annotations = annotations::read(checker, root, "");

    let mut known = if docker {
        DOCKER_FIELDS.to_vec()
    } else {
        OCI_FIELDS.to_vec()
    };
    if docker && root.get("annotations").is_some() {
        if let Some(field) = checker.field(root, "", "annotations", None) {
            checker.report(
                Rule::UnknownField,
                &field.pointer,
                field.node,
                "Docker schema 2 manifests have no \"annotations\"; Docker tools drop them",
            );
        }
        known.push("annotations");
    }
    checker.unknown_fields(root, "", &known, what);
    parts
}

fn check_config_type(
    checker: &mut Checker<'_>,
    node: &Node<'_>,
    pointer: &str,
    config: &Descriptor,
    own: Family,
) {
    if config.media_type.is_empty() {
        return;
    }
    let media_type = MediaType::new(&config.media_type);
    if media_type.is_image_config() {
        check_foreign_family(checker, node, pointer, &config.media_type, own, "config");
    } else if media_type != MediaType::OciEmpty {
        let at = json::child(pointer, "mediaType");
        let target = node.get("mediaType").unwrap_or(node);
        checker.report(
            Rule::ArtifactConfig,
            &at,
            target,
            format!(
                "the config is {}, not an image config: this manifest is an artifact, which \
                 container runtimes do not run",
                config.media_type
            ),
        );
    }
}

/// An OCI type inside a Docker manifest, or the other way round.
fn check_foreign_family(
    checker: &mut Checker<'_>,
    node: &Node<'_>,
    pointer: &str,
    media_type: &str,
    own: Family,
    what: &str,
) {
    let family = MediaType::new(media_type).family();
    if family.is_none_or(|f| f == own) {
        return;
    }
    let at = json::child(pointer, "mediaType");
    let target = node.get("mediaType").unwrap_or(node);
    let (kind, other) = match own {
        Family::Docker => ("a Docker manifest", "an OCI"),
        Family::Oci => ("an OCI manifest", "a Docker"),
    };
    checker.report(
        Rule::MixedMediaTypes,
        &at,
        target,
        format!(
            "{kind} with {other} {what} type ({media_type}); registries accept it, but \
             containers/image (skopeo, podman) refuses Docker schema 2 manifests with OCI types"
        ),
    );
}
