//! The `platform` object of an index entry (image-index.md): `architecture`
//! and `os` required, `os.version`, `os.features`, `variant` and `features`
//! optional, values as Go's GOOS and GOARCH spell them.

use super::Checker;
use crate::diagnostic::Rule;
use crate::json::{self, Node};
use crate::platform::{self as platforms, Part, Platform};

const KNOWN_FIELDS: &[&str] = &[
    "architecture",
    "os",
    "os.version",
    "os.features",
    "variant",
    "features",
];

/// Reads a `platform` object with its values as written.
pub(crate) fn read(checker: &mut Checker<'_>, node: &Node<'_>, pointer: &str) -> Option<Platform> {
    if node.as_object().is_none() {
        checker.report(
            Rule::FieldType,
            pointer,
            node,
            format!(
                "\"platform\" must be an object, found {}",
                node.value.type_name()
            ),
        );
        return None;
    }
    const WHAT: &str = "a platform";

    let architecture = checker.string(node, pointer, "architecture", Some(WHAT));
    let os = checker.string(node, pointer, "os", Some(WHAT));
    let os_version = checker.string(node, pointer, "os.version", None);
    let variant = checker.string(node, pointer, "variant", None);
    let os_features = checker
        .strings(node, pointer, "os.features")
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let features = checker
        .strings(node, pointer, "features")
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    checker.unknown_fields(node, pointer, KNOWN_FIELDS, WHAT);

    let platform = Platform {
        os: os
            .as_ref()
            .map(|(s, _)| (*s).to_owned())
            .unwrap_or_default(),
        architecture: architecture
            .as_ref()
            .map(|(s, _)| (*s).to_owned())
            .unwrap_or_default(),
        variant: variant.as_ref().map(|(s, _)| (*s).to_owned()),
        os_version: os_version.as_ref().map(|(s, _)| (*s).to_owned()),
        os_features,
        features,
    };

    if platform.os == "unknown" && platform.architecture == "unknown" {
        return Some(platform);
    }
    let non_canonical = platforms::non_canonical(&platform);
    let translated = |part: Part| non_canonical.iter().any(|n| n.field == part);
    if let Some((value, field)) = &os
        && !platforms::is_known_os(value)
        && !translated(Part::Os)
    {
        checker.report(
            Rule::PlatformUnknownOs,
            &field.pointer,
            field.node,
            format!(
                "\"{value}\" is not an operating system Go knows (GOOS), such as linux or windows"
            ),
        );
    }
    if let Some((value, field)) = &architecture
        && !platforms::is_known_architecture(value)
        && !translated(Part::Architecture)
    {
        checker.report(
            Rule::PlatformUnknownArchitecture,
            &field.pointer,
            field.node,
            format!("\"{value}\" is not an architecture Go knows (GOARCH), such as amd64 or arm64"),
        );
    }
    let understood = platform.normalized().format();
    for found in &non_canonical {
        let understood = understood == found.platform;
        let (key, written) = match found.field {
            Part::Os => ("os", &os),
            Part::Architecture => ("architecture", &architecture),
            Part::Variant | Part::OsVersion | Part::OsFeature => ("variant", &variant),
        };
        let target = written.as_ref().map_or(node, |(_, f)| f.node);
        checker.report(
            Rule::PlatformNotCanonical,
            &json::child(pointer, key),
            target,
            if understood {
                format!("{found}; containerd normalises it, but tools that compare strings do not")
            } else {
                format!(
                    "{found}; containerd does not translate it, so no client pulls this entry as \
                     {}",
                    found.platform
                )
            },
        );
    }
    if let Some((value, field)) = &os_version
        && platform.os != "windows"
    {
        checker.report(
            Rule::OsVersionNotWindows,
            &field.pointer,
            field.node,
            format!(
                "\"os.version\" {value} is only matched for windows; on {} clients ignore it",
                if platform.os.is_empty() {
                    "this platform"
                } else {
                    &platform.os
                }
            ),
        );
    }
    Some(platform)
}
