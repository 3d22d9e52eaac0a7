//! Selection of an index row for a platform.

use polyarch_core::descriptor::{Annotations, Descriptor, Entry, Role};
use polyarch_core::platform::{Platform, parse};
use polyarch_core::select::{MAX_INDEX_DEPTH, Reason, SelectOptions, Selection, select};
use serde_json::Value;

const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// The rows of an index document, read the way the inspector classifies
/// them, for the cases below that are given as whole documents.
fn rows(document: &str) -> Vec<Entry> {
    let value: Value = serde_json::from_str(document).unwrap_or_else(|e| panic!("{e}"));
    let manifests = value["manifests"].as_array().cloned().unwrap_or_default();
    manifests
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let text = |key: &str| m[key].as_str().map(str::to_owned);
            let platform = m.get("platform").map(|p| Platform {
                os_version: p["os.version"].as_str().map(str::to_owned),
                ..Platform::new(
                    p["os"].as_str().unwrap_or(""),
                    p["architecture"].as_str().unwrap_or(""),
                    p["variant"].as_str(),
                )
            });
            let annotations: Vec<(String, String)> = m["annotations"]
                .as_object()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let media_type = text("mediaType").unwrap_or_default();
            let attestation = annotations
                .iter()
                .any(|(k, v)| k == "vnd.docker.reference.type" && v == "attestation-manifest");
            let role = if attestation {
                Role::Attestation
            } else if m.get("artifactType").is_some() {
                Role::Artifact
            } else if media_type == OCI_INDEX || media_type == DOCKER_LIST {
                Role::Index
            } else {
                Role::Image
            };
            Entry {
                index,
                descriptor: Descriptor {
                    media_type,
                    digest: text("digest").unwrap_or_default(),
                    platform,
                    artifact_type: text("artifactType"),
                    annotations: Annotations(annotations),
                    ..Descriptor::default()
                },
                role,
                attests: None,
            }
        })
        .collect()
}

/// A case of kind `platform-select` in the shared cases file.
struct Case {
    id: &'static str,
    input: &'static str,
    platform: &'static str,
    os_version: Option<&'static str>,
    strict: bool,
    digest: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        id: "H-SEL-01",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":700,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":700,"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","platform":{"architecture":"arm64","os":"linux"}}]}"#,
        platform: "linux/arm64/v8",
        os_version: None,
        strict: false,
        digest: Some("sha256:2222222222222222222222222222222222222222222222222222222222222222"),
    },
    Case {
        id: "H-SEL-02",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":700,"digest":"sha256:7777777777777777777777777777777777777777777777777777777777777777","platform":{"architecture":"arm","os":"linux","variant":"v7"}},{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":700,"digest":"sha256:5555555555555555555555555555555555555555555555555555555555555555","platform":{"architecture":"arm","os":"linux","variant":"v5"}}]}"#,
        platform: "linux/arm/v6",
        os_version: None,
        strict: false,
        digest: Some("sha256:5555555555555555555555555555555555555555555555555555555555555555"),
    },
    Case {
        id: "H-SEL-03",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":700,"digest":"sha256:5555555555555555555555555555555555555555555555555555555555555555","platform":{"architecture":"arm","os":"linux","variant":"v5"}},{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":700,"digest":"sha256:7777777777777777777777777777777777777777777777777777777777777777","platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}"#,
        platform: "linux/arm/v6",
        os_version: None,
        strict: false,
        digest: Some("sha256:5555555555555555555555555555555555555555555555555555555555555555"),
    },
    Case {
        id: "H-SEL-04",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","platform":{"architecture":"amd64","os":"windows"}}]}"#,
        platform: "windows/amd64",
        os_version: Some("10.0.17763.4974"),
        strict: false,
        digest: Some("sha256:2222222222222222222222222222222222222222222222222222222222222222"),
    },
    Case {
        id: "H-SEL-05",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","artifactType":"application/vnd.example.disk+raw"}]}"#,
        platform: "linux/amd64",
        os_version: None,
        strict: false,
        digest: Some("sha256:1111111111111111111111111111111111111111111111111111111111111111"),
    },
    Case {
        id: "H-SEL-06",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","platform":{"architecture":"unknown","os":"unknown"},"annotations":{"vnd.docker.reference.digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","vnd.docker.reference.type":"attestation-manifest"}}]}"#,
        platform: "linux/amd64",
        os_version: None,
        strict: false,
        digest: Some("sha256:1111111111111111111111111111111111111111111111111111111111111111"),
    },
    Case {
        id: "H-SEL-07",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","artifactType":"application/vnd.example.disk+raw"}]}"#,
        platform: "linux/s390x",
        os_version: None,
        strict: false,
        digest: None,
    },
    Case {
        id: "H-SEL-08",
        input: r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:3333333333333333333333333333333333333333333333333333333333333333","platform":{"architecture":"386","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:4444444444444444444444444444444444444444444444444444444444444444","platform":{"architecture":"arm64","os":"linux"}}]}"#,
        platform: "linux/amd64",
        os_version: None,
        strict: false,
        digest: Some("sha256:3333333333333333333333333333333333333333333333333333333333333333"),
    },
];

#[test]
fn shared_cases_choose_the_expected_row() {
    for case in CASES {
        // Arrange
        let entries = rows(case.input);
        let wanted = Platform {
            os_version: case.os_version.map(str::to_owned),
            ..parse(case.platform).unwrap_or_else(|e| panic!("{}: {e}", case.id))
        };
        let options = SelectOptions {
            strict: case.strict,
            ..SelectOptions::default()
        };

        // Act
        let selection = select(&entries, &wanted, &options);

        // Assert
        let digest = selection
            .chosen
            .map(|i| entries[i].descriptor.digest.as_str());
        assert_eq!(digest, case.digest, "{}", case.id);
    }
}

/// A row from `os/architecture[/variant]` as written, or none.
fn row(index: usize, platform: Option<&str>, role: Role) -> Entry {
    let platform = platform.map(|text| {
        let mut parts = text.split('/');
        let os = parts.next().unwrap_or("");
        let architecture = parts.next().unwrap_or("");
        Platform::new(os, architecture, parts.next())
    });
    Entry {
        index,
        descriptor: Descriptor {
            digest: format!("sha256:{index:064}"),
            platform,
            ..Descriptor::default()
        },
        role,
        attests: None,
    }
}

fn wanted(text: &str) -> Platform {
    parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn lenient() -> SelectOptions {
    SelectOptions::default()
}

#[test]
fn reasons_name_the_fallback_step() {
    // (rows, wanted, chosen position, reason)
    type Row = Option<&'static str>;
    let cases: Vec<(Vec<Row>, &str, Option<usize>, &str)> = vec![
        (
            vec![Some("linux/amd64"), Some("linux/arm64")],
            "linux/arm64",
            Some(1),
            "exact match",
        ),
        (
            vec![Some("linux/aarch64/v8")],
            "linux/arm64",
            Some(0),
            "exact match",
        ),
        (
            vec![Some("linux/arm/v7"), Some("linux/arm/v5")],
            "linux/arm/v6",
            Some(1),
            "fallback: arm/v6 → arm/v5",
        ),
        (
            vec![Some("linux/386")],
            "linux/amd64",
            Some(0),
            "fallback: amd64 → 386",
        ),
        (
            vec![Some("linux/arm/v6"), Some("linux/arm/v7")],
            "linux/arm64",
            Some(1),
            "fallback: arm64 → arm/v7",
        ),
        (
            vec![Some("linux/amd64"), Some("linux/amd64/v2")],
            "linux/amd64/v3",
            Some(1),
            "fallback: amd64/v3 → amd64/v2",
        ),
        (vec![Some("linux/amd64")], "linux/s390x", None, "no match"),
        (vec![], "linux/amd64", None, "no match"),
    ];

    for (platforms, text, chosen, reason) in cases {
        // Arrange
        let entries: Vec<Entry> = platforms
            .iter()
            .enumerate()
            .map(|(i, p)| row(i, *p, Role::Image))
            .collect();

        // Act
        let selection = select(&entries, &wanted(text), &lenient());

        // Assert
        assert_eq!(selection.chosen, chosen, "{text} from {platforms:?}");
        assert_eq!(
            selection.reason.to_string(),
            reason,
            "{text} from {platforms:?}"
        );
    }
}

#[test]
fn strict_selection_refuses_fallback() {
    // Arrange
    let entries = [row(0, Some("linux/386"), Role::Image)];
    let options = SelectOptions {
        strict: true,
        ..SelectOptions::default()
    };

    // Act
    let selection = select(&entries, &wanted("linux/amd64"), &options);

    // Assert
    assert_eq!(selection.chosen, None);
    assert_eq!(selection.reason, Reason::NoMatch);
}

#[test]
fn only_images_and_indexes_are_chosen() {
    // Arrange
    let entries = [
        row(0, Some("linux/amd64"), Role::Attestation),
        row(1, Some("linux/amd64"), Role::Artifact),
        row(2, Some("linux/amd64"), Role::Other),
        row(3, Some("unknown/unknown"), Role::Image),
        row(4, Some("linux/386"), Role::Image),
    ];

    // Act
    let selection = select(&entries, &wanted("linux/amd64"), &lenient());

    // Assert
    assert_eq!(selection.chosen, Some(4));
    assert!(selection.unresolved.is_empty());
}

#[test]
fn unknown_unknown_is_never_chosen() {
    // Arrange: a host that asks for `unknown/unknown` still gets nothing.
    let entries = [row(0, Some("unknown/unknown"), Role::Image)];
    let unknown = Platform::new("unknown", "unknown", None);

    // Act
    let selection = select(&entries, &unknown, &lenient());

    // Assert
    assert_eq!(selection.chosen, None);
}

#[test]
fn rows_without_platform_are_unresolved() {
    // Arrange
    let entries = [
        row(0, None, Role::Image),
        row(1, None, Role::Artifact),
        row(2, None, Role::Index),
        row(3, None, Role::Attestation),
        row(4, Some("linux/amd64"), Role::Image),
    ];

    // Act
    let selection = select(&entries, &wanted("linux/amd64"), &lenient());

    // Assert
    assert_eq!(selection.chosen, Some(4));
    assert_eq!(selection.unresolved, [0, 2]);
}

#[test]
fn ties_keep_document_order_and_are_noted() {
    // Arrange
    let entries = [
        row(0, Some("linux/arm64"), Role::Image),
        row(1, Some("linux/amd64"), Role::Image),
        row(2, Some("linux/x86_64"), Role::Image),
        row(3, Some("linux/amd64/v1"), Role::Image),
    ];

    // Act
    let selection = select(&entries, &wanted("linux/amd64"), &lenient());

    // Assert
    assert_eq!(selection.chosen, Some(1));
    assert_eq!(
        selection.notes,
        ["rows 2, 3 match as well as row 1: the first in document order wins, as in containerd"]
    );
}

#[test]
fn a_better_row_later_clears_earlier_ties() {
    // Arrange
    let entries = [
        row(0, Some("linux/386"), Role::Image),
        row(1, Some("linux/i386"), Role::Image),
        row(2, Some("linux/amd64"), Role::Image),
    ];

    // Act
    let selection = select(&entries, &wanted("linux/amd64"), &lenient());

    // Assert
    assert_eq!(selection.chosen, Some(2));
    assert_eq!(selection.reason, Reason::ExactMatch);
    assert!(selection.notes.is_empty());
}

#[test]
fn windows_picks_the_best_revision_of_a_compatible_build() {
    // Arrange: containerd's ordering case for a Windows Server 2025 host.
    let versions = [
        None,
        Some("10.0.20348.3091"),
        Some("10.0.26100.3000"),
        Some("10.0.17763.1"),
    ];
    let entries: Vec<Entry> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut entry = row(i, Some("windows/amd64"), Role::Image);
            if let Some(platform) = entry.descriptor.platform.as_mut() {
                platform.os_version = v.map(str::to_owned);
            }
            entry
        })
        .collect();
    let host = wanted("windows(10.0.26100.2894)/amd64");

    // Act
    let selection = select(&entries, &host, &lenient());

    // Assert
    assert_eq!(selection.chosen, Some(2));
    assert_eq!(selection.reason, Reason::ExactMatch);
}

#[test]
fn an_unread_windows_version_is_noted() {
    // Arrange
    let entries = [row(0, Some("windows/amd64"), Role::Image)];
    let host = wanted("windows(10.0)/amd64");

    // Act
    let selection = select(&entries, &host, &lenient());

    // Assert
    assert_eq!(selection.chosen, Some(0));
    assert_eq!(
        selection.notes,
        ["os.version `10.0` is not major.minor.build: every windows version matches"]
    );
}

#[test]
fn rows_held_back_by_os_features_are_noted() {
    // Arrange
    let mut entry = row(0, Some("windows/amd64"), Role::Image);
    if let Some(platform) = entry.descriptor.platform.as_mut() {
        platform.os_features = vec!["win32k".to_owned()];
    }
    let entries = [entry];

    // Act
    let without = select(&entries, &wanted("windows/amd64"), &lenient());
    let with = select(&entries, &wanted("windows(+win32k)/amd64"), &lenient());

    // Assert
    assert_eq!(without.chosen, None);
    assert_eq!(
        without.notes,
        [
            "row 0 would match but for os.features that the wanted platform does not list: \
             add them as `os(version+feature)/architecture`"
        ]
    );
    assert_eq!(with.chosen, Some(0));
}

#[test]
fn a_nested_index_is_returned_to_select_again() {
    // Arrange
    let entries = [row(0, Some("linux/amd64"), Role::Index)];

    // Act
    let selection = select(&entries, &wanted("linux/amd64"), &lenient());

    // Assert
    assert_eq!(selection.chosen, Some(0));
    assert!(selection.nested_index);
}

#[test]
fn selection_stops_at_the_depth_limit() {
    // Arrange
    let entries = [row(0, Some("linux/amd64"), Role::Index)];
    let below = SelectOptions {
        depth: MAX_INDEX_DEPTH - 1,
        ..SelectOptions::default()
    };
    let at = SelectOptions {
        depth: MAX_INDEX_DEPTH,
        ..SelectOptions::default()
    };

    // Act
    let allowed = select(&entries, &wanted("linux/amd64"), &below);
    let stopped = select(&entries, &wanted("linux/amd64"), &at);

    // Assert
    assert_eq!(allowed.chosen, Some(0));
    assert_eq!(stopped.chosen, None);
    assert_eq!(
        stopped.reason,
        Reason::TooDeep {
            depth: MAX_INDEX_DEPTH
        }
    );
}

#[test]
fn selection_serialises_in_camel_case() {
    // Arrange
    let entries = [
        row(0, None, Role::Image),
        row(1, Some("linux/arm/v5"), Role::Image),
    ];

    // Act
    let selection: Selection = select(&entries, &wanted("linux/arm/v7"), &lenient());
    let json = serde_json::to_value(&selection).unwrap_or_default();

    // Assert
    assert_eq!(
        json,
        serde_json::json!({
            "chosen": 1,
            "reason": {"kind": "fallback", "from": "arm/v7", "to": "arm/v5", "step": 2},
            "nestedIndex": false,
            "unresolved": [0],
            "notes": [],
        })
    );
}
