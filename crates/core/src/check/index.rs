//! OCI image indexes (image-index.md) and Docker manifest lists (manifest
//! list, schema 2): the entries table, roles, platforms and the checks that
//! span several entries.

use std::collections::HashMap;

use super::descriptor::{self, Place};
use super::{Checker, annotations};
use crate::descriptor::{Annotations, Descriptor, Entry, Role};
use crate::diagnostic::Rule;
use crate::json::{self, Node};
use crate::media_type::{Family, MediaType};

const OCI_FIELDS: &[&str] = &[
    "schemaVersion",
    "mediaType",
    "artifactType",
    "manifests",
    "subject",
    "annotations",
];
const DOCKER_FIELDS: &[&str] = &["schemaVersion", "mediaType", "manifests", "annotations"];

/// The annotation BuildKit sets on an attestation entry.
pub(crate) const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// The annotation naming the manifest an attestation entry attests.
pub(crate) const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";

/// What an index holds, as far as it could be read.
#[derive(Debug, Default)]
pub(crate) struct IndexParts {
    pub(crate) entries: Vec<Entry>,
    pub(crate) subject: Option<Descriptor>,
    pub(crate) artifact_type: Option<String>,
    pub(crate) annotations: Annotations,
}

/// Checks an index or, with `docker`, a manifest list.
pub(crate) fn check(checker: &mut Checker<'_>, root: &Node<'_>, docker: bool) -> IndexParts {
    let mut parts = IndexParts::default();
    let place = if docker {
        Place::DockerEntry
    } else {
        Place::OciEntry
    };
    let what = if docker {
        "a Docker manifest list"
    } else {
        "an OCI index"
    };

    if let Some(field) = checker.field(root, "", "manifests", Some(what)) {
        match field.node.as_array() {
            Some(items) => {
                parts.entries = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let pointer = json::child(&field.pointer, &i.to_string());
                        entry(checker, item, &pointer, i, place)
                    })
                    .collect();
                mixed_media_types(checker, &field.pointer, field.node, &parts.entries, docker);
                duplicate_platforms(checker, items, &field.pointer, &parts.entries);
                dangling_attestations(checker, items, &field.pointer, &parts.entries);
            }
            None => checker.report(
                Rule::FieldType,
                &field.pointer,
                field.node,
                format!(
                    "\"manifests\" must be an array of descriptors, found {}",
                    field.node.value.type_name()
                ),
            ),
        }
    }

    if docker {
        if let Some(field) = checker.field(root, "", "annotations", None) {
            checker.report(
                Rule::AnnotationsOnDockerList,
                &field.pointer,
                field.node,
                "a Docker manifest list has no \"annotations\"; Docker tools drop them and some \
                 registries refuse them: use an OCI index to keep them",
            );
        }
    } else {
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
    }
    parts.annotations = annotations::read(checker, root, "");

    checker.unknown_fields(
        root,
        "",
        if docker { DOCKER_FIELDS } else { OCI_FIELDS },
        what,
    );
    parts
}

fn entry(
    checker: &mut Checker<'_>,
    node: &Node<'_>,
    pointer: &str,
    index: usize,
    place: Place,
) -> Entry {
    let descriptor = descriptor::read(checker, node, pointer, place);
    let media_type = MediaType::new(&descriptor.media_type);
    let (role, attests) = role(&descriptor, &media_type);

    if node.as_object().is_some() && descriptor.platform.is_none() && node.get("platform").is_none()
    {
        if place == Place::DockerEntry {
            checker.report(
                Rule::PlatformMissing,
                pointer,
                node,
                "a Docker manifest list entry requires \"platform\"; without it Docker cannot pick it",
            );
        } else if role == Role::Image {
            checker.report(
                Rule::PlatformAbsent,
                pointer,
                node,
                "this image entry has no \"platform\": clients must fetch its config to judge it, \
                 and most skip it",
            );
        }
    }

    let unpullable = if media_type.is_schema1() {
        Some("is a Docker schema 1 manifest, which current registries and clients refuse")
    } else if !media_type.is_manifest() && !media_type.is_index() && role != Role::Artifact {
        Some("is not a manifest or index media type; clients cannot pull this entry")
    } else {
        None
    };
    if let Some(why) = unpullable.filter(|_| !descriptor.media_type.is_empty()) {
        let field = node.get("mediaType").unwrap_or(node);
        checker.report(
            Rule::ChildMediaType,
            &json::child(pointer, "mediaType"),
            field,
            format!("{} {why}", descriptor.media_type),
        );
    }

    Entry {
        index,
        descriptor,
        role,
        attests,
    }
}

/// The role of an entry, and for an attestation the digest it attests.
pub(crate) fn role(descriptor: &Descriptor, media_type: &MediaType) -> (Role, Option<String>) {
    let unknown_platform = descriptor
        .platform
        .as_ref()
        .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
    if unknown_platform && descriptor.annotations.get(REFERENCE_TYPE).is_some() {
        let attests = descriptor
            .annotations
            .get(REFERENCE_DIGEST)
            .map(str::to_owned);
        return (Role::Attestation, attests);
    }
    let role = if media_type.is_index() {
        Role::Index
    } else if descriptor.artifact_type.is_some() {
        Role::Artifact
    } else if media_type.is_manifest() {
        Role::Image
    } else {
        Role::Other
    };
    (role, None)
}

/// Docker and OCI manifest types in one index: valid, but some registries
/// (and older clients) refuse a list that mixes them.
fn mixed_media_types(
    checker: &mut Checker<'_>,
    pointer: &str,
    node: &Node<'_>,
    entries: &[Entry],
    docker: bool,
) {
    let own = if docker { Family::Docker } else { Family::Oci };
    let foreign: Vec<String> = entries
        .iter()
        .filter(|e| {
            let media_type = MediaType::new(&e.descriptor.media_type);
            (media_type.is_manifest() || media_type.is_index())
                && media_type.family().is_some_and(|f| f != own)
        })
        .map(|e| e.index.to_string())
        .collect();
    if foreign.is_empty() {
        return;
    }
    let (kind, other) = if docker {
        ("a Docker manifest list", "OCI")
    } else {
        ("an OCI index", "Docker")
    };
    checker.report(
        Rule::MixedMediaTypes,
        pointer,
        node,
        format!(
            "{kind} with {other} entries (rows {}); the image-spec allows it, but Google \
             Container Registry and Quay (before PROJQUAY-11637) have refused such lists",
            foreign.join(", ")
        ),
    );
}

/// Two entries a client cannot tell apart: which one is pulled depends on
/// their order.
fn duplicate_platforms(
    checker: &mut Checker<'_>,
    items: &[Node<'_>],
    pointer: &str,
    entries: &[Entry],
) {
    let mut seen: HashMap<PlatformKey, usize> = HashMap::new();
    for entry in entries {
        if entry.role == Role::Attestation {
            continue;
        }
        let Some(platform) = &entry.descriptor.platform else {
            continue;
        };
        let normalized = platform.normalized();
        let mut os_features = normalized.os_features.clone();
        os_features.sort();
        let key = PlatformKey {
            os: normalized.os,
            architecture: normalized.architecture,
            variant: normalized.variant,
            os_version: normalized.os_version,
            os_features,
        };
        match seen.get(&key) {
            None => {
                seen.insert(key, entry.index);
            }
            Some(&first) => {
                let at = json::child(pointer, &entry.index.to_string());
                let first_annotations = &entries[first].descriptor.annotations;
                let told_apart = first_annotations != &entry.descriptor.annotations;
                let platform = entry.descriptor.platform_string.clone().unwrap_or_default();
                if told_apart {
                    checker.report(
                        Rule::DuplicatePlatformAnnotated,
                        &at,
                        &items[entry.index],
                        format!(
                            "rows {first} and {} are both {platform}; their annotations tell them \
                             apart, but a client picks row {first}",
                            entry.index
                        ),
                    );
                } else {
                    checker.report(
                        Rule::DuplicatePlatform,
                        &at,
                        &items[entry.index],
                        format!(
                            "rows {first} and {} are both {platform}: clients pull row {first} and \
                             never this one",
                            entry.index
                        ),
                    );
                }
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct PlatformKey {
    os: String,
    architecture: String,
    variant: Option<String>,
    os_version: Option<String>,
    os_features: Vec<String>,
}

/// An attestation whose subject is not in this index is an orphan.
fn dangling_attestations(
    checker: &mut Checker<'_>,
    items: &[Node<'_>],
    pointer: &str,
    entries: &[Entry],
) {
    for entry in entries.iter().filter(|e| e.role == Role::Attestation) {
        let Some(attests) = &entry.attests else {
            continue;
        };
        let present = entries
            .iter()
            .any(|e| e.role != Role::Attestation && &e.descriptor.digest == attests);
        if !present {
            let at = json::child(pointer, &entry.index.to_string());
            checker.report(
                Rule::AttestationDangling,
                &at,
                &items[entry.index],
                format!("this attestation is for {attests}, which no entry of this index names"),
            );
        }
    }
}
