//! Index assembly through the public API: the format rules, each edit,
//! refused entries, what Docker lists lose, golden documents compared byte
//! for byte, and entries made from child manifests.
//!
//! Every document built here is checked with `inspect`: valid, and with the
//! digest and size the result claims. Golden files are rewritten, instead of
//! compared, when `POLYARCH_BLESS=1` is set.

use std::path::PathBuf;

use polyarch_core::assemble::{
    Assembled, BuildOptions, ChildError, CreateOptions, EditError, EntryPatch, Format,
    IndexBuilder, NewEntry, OpenError, create, entry_from_manifest,
};
use polyarch_core::descriptor::Annotations;
use polyarch_core::digest::Digest;
use polyarch_core::inspect::{InspectOptions, Kind, inspect};
use polyarch_core::platform::{self, Platform};

const DOCKER: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

const AMD64: &str = "sha256:83c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a";
const ARM64: &str = "sha256:873612c5503f3f1674f315c67089dee577d8cc6afc18565e0b4183ae355fb343";
const WINDOWS: &str = "sha256:b791ad98d505abb8c9618868fc43c74aa94d08f1d7afe37d19647c0030905cae";
const ARMV7: &str = "sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988";
const ATTESTATION: &str = "sha256:aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44";

fn platform(text: &str) -> Platform {
    platform::parse(text).expect("a platform string")
}

fn entry(media_type: &str, digest: &str, size: i64, at: &str) -> NewEntry {
    NewEntry::new(media_type, digest, size, Some(platform(at)))
}

fn windows() -> Platform {
    let mut p = Platform::new("windows", "amd64", None);
    p.os_version = Some("10.0.17763.1697".to_owned());
    p
}

/// The article's list: linux/amd64, linux/arm64 and Windows Server 2019.
fn article_entries() -> Vec<NewEntry> {
    vec![
        entry(DOCKER, AMD64, 524, "linux/amd64"),
        entry(DOCKER, ARM64, 525, "linux/arm64"),
        NewEntry::new(DOCKER, WINDOWS, 1124, Some(windows())),
    ]
}

fn build(builder: &IndexBuilder, format: Format) -> Assembled {
    builder.build(&BuildOptions {
        format,
        pretty: false,
    })
}

/// Asserts what every result must satisfy, and returns its codes.
fn checked(built: &Assembled) -> Vec<&'static str> {
    let report = inspect(built.bytes(), &InspectOptions::default());
    assert!(report.valid, "{}\n{:#?}", built.text(), report.diagnostics);
    assert!(report.kind.is_index());
    assert_eq!(report.kind.media_type(), built.media_type());
    assert_eq!(built.digest(), Digest::sha256(built.bytes()).to_string());
    assert_eq!(built.digest(), report.digest);
    assert_eq!(built.size(), built.bytes().len() as u64);
    assert!(!built.text().ends_with('\n'));
    built.diagnostics().iter().map(|d| d.code).collect()
}

fn entries_of(built: &Assembled) -> Vec<String> {
    inspect(built.bytes(), &InspectOptions::default())
        .entries
        .iter()
        .map(|e| e.descriptor.digest.clone())
        .collect()
}

/// Name, entries, an index annotation key, the format asked, the media type written.
type FormatCase = (
    &'static str,
    Vec<NewEntry>,
    Option<&'static str>,
    Format,
    &'static str,
);

#[test]
fn format_rules_table() {
    let annotated = {
        let mut e = entry(DOCKER, AMD64, 524, "linux/amd64");
        e.annotations = Annotations(vec![("k".into(), "v".into())]);
        e
    };
    let cases: Vec<FormatCase> = vec![
        ("empty, auto", vec![], None, Format::Auto, OCI_INDEX),
        (
            "article, auto",
            article_entries(),
            None,
            Format::Auto,
            DOCKER_LIST,
        ),
        (
            "nested Docker list, auto",
            vec![entry(DOCKER_LIST, AMD64, 524, "linux/amd64")],
            None,
            Format::Auto,
            DOCKER_LIST,
        ),
        (
            "one OCI child, auto",
            vec![
                entry(DOCKER, AMD64, 524, "linux/amd64"),
                entry(OCI, ARM64, 525, "linux/arm64"),
            ],
            None,
            Format::Auto,
            OCI_INDEX,
        ),
        (
            "entry annotation, auto",
            vec![annotated.clone()],
            None,
            Format::Auto,
            OCI_INDEX,
        ),
        (
            "index annotation, auto",
            article_entries(),
            Some("org.opencontainers.image.version"),
            Format::Auto,
            OCI_INDEX,
        ),
        (
            "entry without platform, auto",
            vec![NewEntry::new(DOCKER, AMD64, 524, None)],
            None,
            Format::Auto,
            OCI_INDEX,
        ),
        (
            "article, oci",
            article_entries(),
            None,
            Format::Oci,
            OCI_INDEX,
        ),
        ("empty, docker", vec![], None, Format::Docker, DOCKER_LIST),
        (
            "OCI child, docker",
            vec![entry(OCI, AMD64, 524, "linux/amd64")],
            None,
            Format::Docker,
            DOCKER_LIST,
        ),
        (
            "entry annotation, docker",
            vec![annotated],
            None,
            Format::Docker,
            DOCKER_LIST,
        ),
    ];

    for (name, entries, index_annotation, format, expected) in cases {
        let mut builder = IndexBuilder::with_entries(entries);
        if let Some(key) = index_annotation {
            builder.set_annotation(key, Some("1.0"));
        }

        let built = build(&builder, format);

        assert_eq!(built.media_type(), expected, "{name}");
        let codes = checked(&built);
        assert_eq!(
            codes.contains(&"assembly-format-chosen"),
            format == Format::Auto,
            "{name}: {codes:?}"
        );
        assert!(!built.has_errors(), "{name}: {codes:?}");
    }
}

#[test]
fn auto_never_loses_and_says_why() {
    let mut builder = IndexBuilder::with_entries(article_entries());
    builder.set_annotation(
        "org.opencontainers.image.source",
        Some("https://example.com/app"),
    );

    let built = build(&builder, Format::Auto);

    checked(&built);
    let why = built
        .diagnostics()
        .iter()
        .find(|d| d.code == "assembly-format-chosen")
        .unwrap();
    assert_eq!(why.pointer, "");
    assert_eq!(
        why.message,
        "written as an OCI index: the index has annotations"
    );
    assert!(
        !built
            .diagnostics()
            .iter()
            .any(|d| d.code == "assembly-format-loss")
    );
    assert!(
        built
            .text()
            .contains("\"annotations\":{\"org.opencontainers.image.source\"")
    );
}

#[test]
fn docker_chosen_explicitly_names_every_loss() {
    let mut annotated = entry(DOCKER, AMD64, 524, "linux/amd64");
    annotated.annotations = Annotations(vec![("b".into(), "2".into()), ("a".into(), "1".into())]);
    let mut artifact = entry(DOCKER, ARM64, 525, "linux/arm64");
    artifact.artifact_type = Some("application/vnd.example+json".into());
    let oci_child = entry(OCI, ARMV7, 700, "linux/arm/v7");
    let mut builder = IndexBuilder::with_entries([annotated, artifact, oci_child]);
    builder.set_annotation("org.opencontainers.image.version", Some("1"));
    builder.set_artifact_type(Some("application/vnd.example.set+json".into()));
    builder.set_subject(Some(NewEntry::new(OCI, WINDOWS, 1124, None)));

    let built = build(&builder, Format::Docker);

    checked(&built);
    assert_eq!(built.media_type(), DOCKER_LIST);
    assert!(!built.text().contains("annotations"));
    assert!(!built.text().contains("artifactType"));
    assert!(!built.text().contains("subject"));
    assert_eq!(entries_of(&built), [AMD64, ARM64, ARMV7]);
    let losses: Vec<(&str, &str)> = built
        .diagnostics()
        .iter()
        .filter(|d| d.code == "assembly-format-loss")
        .map(|d| (d.pointer.as_str(), d.message.as_str()))
        .collect();
    let expected = [
        (
            "",
            "dropped: annotations \"org.opencontainers.image.version\", artifactType",
        ),
        ("/manifests/0", "annotations \"a\", \"b\" dropped"),
        (
            "/manifests/1",
            "artifactType \"application/vnd.example+json\" dropped",
        ),
        ("/manifests/2", "kept as written"),
    ];
    assert_eq!(losses.len(), expected.len(), "{losses:#?}");
    for ((pointer, message), (want_pointer, want_part)) in losses.iter().zip(expected) {
        assert_eq!(*pointer, want_pointer);
        assert!(message.contains(want_part), "{message}");
    }
    assert!(losses[0].1.contains(&format!("subject {WINDOWS}")));
}

#[test]
fn refused_entries_are_left_out_with_their_position() {
    let good = || entry(OCI, AMD64, 524, "linux/amd64");
    let cases: Vec<(&str, NewEntry, Format, &str)> = vec![
        (
            "bad digest",
            NewEntry {
                digest: "sha256:abc".into(),
                ..good()
            },
            Format::Oci,
            "digest \"sha256:abc\" is not valid",
        ),
        (
            "negative size",
            NewEntry { size: -1, ..good() },
            Format::Oci,
            "size -1 is negative",
        ),
        (
            "bad media type",
            NewEntry {
                media_type: "manifest".into(),
                ..good()
            },
            Format::Oci,
            "media type \"manifest\" is not valid",
        ),
        (
            "platform without os",
            NewEntry {
                platform: Some(Platform::new("", "amd64", None)),
                ..good()
            },
            Format::Oci,
            "the platform has no os",
        ),
        (
            "no platform in a Docker list",
            NewEntry {
                media_type: DOCKER.into(),
                platform: None,
                ..good()
            },
            Format::Docker,
            "requires a platform",
        ),
        (
            "bad artifact type",
            NewEntry {
                artifact_type: Some("x".into()),
                ..good()
            },
            Format::Oci,
            "artifact type \"x\" is not valid",
        ),
        (
            "empty descriptor with another digest",
            NewEntry {
                media_type: "application/vnd.oci.empty.v1+json".into(),
                ..good()
            },
            Format::Oci,
            "the empty descriptor's media type",
        ),
    ];

    for (name, bad, format, message) in cases {
        let mut builder = IndexBuilder::new();
        builder.add(entry(DOCKER, ARM64, 525, "linux/arm64"));
        builder.add(bad);
        builder.add(NewEntry::new(DOCKER, WINDOWS, 1124, Some(windows())));

        let built = build(&builder, format);

        checked(&built);
        assert!(built.has_errors(), "{name}");
        let error = &built.diagnostics()[0];
        assert_eq!(error.code, "assembly-entry-invalid", "{name}");
        assert_eq!(error.pointer, "/manifests", "{name}");
        assert!(
            error.message.starts_with("entry 1 "),
            "{name}: {}",
            error.message
        );
        assert!(error.message.contains(message), "{name}: {}", error.message);
        assert_eq!(entries_of(&built), [ARM64, WINDOWS], "{name}");
    }
}

#[test]
fn add_keeps_a_duplicate_platform_and_warns() {
    let mut builder = IndexBuilder::new();
    builder.add(entry(OCI, AMD64, 524, "linux/amd64"));
    builder.add(NewEntry::new(
        OCI,
        ARM64,
        525,
        Some(Platform::new("linux", "aarch64", None)),
    ));
    let position = builder.add(NewEntry::new(
        OCI,
        ARMV7,
        700,
        Some(Platform::new("Linux", "arm64", Some("v8"))),
    ));

    let built = build(&builder, Format::Oci);

    assert_eq!(position, 2);
    checked(&built);
    assert_eq!(entries_of(&built), [AMD64, ARM64, ARMV7]);
    let duplicates: Vec<_> = built
        .diagnostics()
        .iter()
        .filter(|d| d.code.contains("duplicate"))
        .collect();
    assert_eq!(duplicates.len(), 1, "{duplicates:#?}");
    assert_eq!(duplicates[0].code, "assembly-duplicate-platform");
    assert_eq!(duplicates[0].pointer, "/manifests/2");
    assert!(
        duplicates[0]
            .message
            .starts_with("entries 1 and 2 are both")
    );
}

#[test]
fn windows_versions_and_features_are_different_platforms() {
    let mut features = windows();
    features.os_features = vec!["win32k".into()];
    let mut other_version = windows();
    other_version.os_version = Some("10.0.20348.2227".into());
    let mut builder = IndexBuilder::new();
    builder.add(NewEntry::new(DOCKER, AMD64, 524, Some(windows())));
    builder.add(NewEntry::new(DOCKER, ARM64, 525, Some(features)));
    builder.add(NewEntry::new(DOCKER, WINDOWS, 1124, Some(other_version)));

    let built = build(&builder, Format::Docker);

    let codes = checked(&built);
    assert!(!codes.contains(&"assembly-duplicate-platform"), "{codes:?}");
}

#[test]
fn amend_replaces_the_entry_for_its_platform_in_place() {
    let mut builder = IndexBuilder::with_entries(article_entries());
    builder.add(NewEntry::new(
        DOCKER,
        ARMV7,
        99,
        Some(platform("linux/aarch64")),
    ));

    let amended = builder.amend(entry(DOCKER, ATTESTATION, 600, "linux/arm64/v8"));
    let appended = builder.amend(entry(DOCKER, ARMV7, 700, "linux/arm/v7"));

    assert_eq!(amended.position, 1);
    assert_eq!(amended.replaced, 2);
    assert_eq!(appended.position, 3);
    assert_eq!(appended.replaced, 0);
    let built = build(&builder, Format::Auto);
    let codes = checked(&built);
    assert_eq!(entries_of(&built), [AMD64, ATTESTATION, WINDOWS, ARMV7]);
    assert!(!codes.contains(&"assembly-duplicate-platform"));
}

#[test]
fn amend_matches_entries_without_a_platform_by_digest() {
    let mut builder = IndexBuilder::new();
    builder.add(NewEntry::new(OCI, AMD64, 524, None));

    let same = builder.amend(NewEntry::new(
        OCI,
        AMD64,
        524,
        Some(platform("linux/amd64")),
    ));
    let attestation = |size| {
        let mut e = NewEntry::new(
            OCI,
            ATTESTATION,
            size,
            Some(Platform::new("unknown", "unknown", None)),
        );
        e.annotations = Annotations(vec![
            ("vnd.docker.reference.digest".into(), AMD64.into()),
            (
                "vnd.docker.reference.type".into(),
                "attestation-manifest".into(),
            ),
        ]);
        e
    };
    let first = builder.amend(attestation(800));
    let again = builder.amend(attestation(801));

    assert_eq!((same.position, same.replaced), (1, 0));
    assert_eq!((first.position, first.replaced), (2, 0));
    assert_eq!((again.position, again.replaced), (2, 1));
    assert_eq!(builder.entries()[2].size, 801);
    checked(&build(&builder, Format::Oci));
}

#[test]
fn remove_and_move_edit_the_order() {
    let mut builder = IndexBuilder::with_entries(article_entries());

    builder.move_entry(2, 0).unwrap();
    let order: Vec<&str> = builder
        .entries()
        .iter()
        .map(|e| e.digest.as_str())
        .collect();
    assert_eq!(order, [WINDOWS, AMD64, ARM64]);

    let removed = builder.remove(1).unwrap();
    assert_eq!(removed.digest, AMD64);
    assert_eq!(builder.position_of(&platform("linux/aarch64")), Some(1));

    assert_eq!(
        builder.remove(2),
        Err(EditError::NoEntry {
            position: 2,
            len: 2
        })
    );
    assert_eq!(
        builder.move_entry(0, 5).map_err(|e| e.to_string()),
        Err("there is no entry 5: the index has 2".to_owned())
    );
    let built = build(&builder, Format::Auto);
    checked(&built);
    assert_eq!(entries_of(&built), [WINDOWS, ARM64]);
}

#[test]
fn annotate_changes_platform_fields_and_annotations() {
    let mut builder = IndexBuilder::new();
    builder.add(entry(OCI, ARMV7, 700, "linux/arm"));
    builder.add(NewEntry::new(OCI, WINDOWS, 1124, None));
    builder.add(entry(OCI, AMD64, 524, "linux/amd64"));
    let patches = [
        (
            0,
            EntryPatch {
                variant: Some("v6".into()),
                features: Some(vec!["vfp".into()]),
                annotations: vec![
                    ("b".into(), Some("2".into())),
                    ("a".into(), Some("1".into())),
                ],
                ..EntryPatch::default()
            },
        ),
        (
            1,
            EntryPatch {
                os: Some("windows".into()),
                architecture: Some("amd64".into()),
                os_version: Some("10.0.17763.1697".into()),
                os_features: Some(vec!["win32k".into()]),
                ..EntryPatch::default()
            },
        ),
        (
            0,
            EntryPatch {
                annotations: vec![("b".into(), None)],
                ..EntryPatch::default()
            },
        ),
    ];

    for (position, patch) in &patches {
        builder.annotate(*position, patch).unwrap();
    }
    let missing = builder.annotate(3, &EntryPatch::default());

    assert_eq!(
        missing,
        Err(EditError::NoEntry {
            position: 3,
            len: 3
        })
    );
    let built = build(&builder, Format::Oci);
    checked(&built);
    let text = built.text();
    assert!(text.contains(
        r#""annotations":{"a":"1"},"platform":{"architecture":"arm","os":"linux","variant":"v6","features":["vfp"]}"#
    ), "{text}");
    assert!(text.contains(
        r#""platform":{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1697","os.features":["win32k"]}"#
    ), "{text}");

    builder
        .annotate(
            0,
            &EntryPatch {
                variant: Some(String::new()),
                features: Some(Vec::new()),
                ..EntryPatch::default()
            },
        )
        .unwrap();
    let cleared = build(&builder, Format::Oci);
    assert!(
        cleared
            .text()
            .contains(r#""platform":{"architecture":"arm","os":"linux"}}"#)
    );
}

#[test]
fn index_annotations_are_sorted_and_repeats_warned() {
    let options = CreateOptions {
        format: Format::Oci,
        annotations: Annotations(vec![
            ("z".into(), "last".into()),
            ("a".into(), "x".into()),
            ("z".into(), "again".into()),
        ]),
        ..CreateOptions::default()
    };

    let built = create(&article_entries(), &options);

    checked(&built);
    assert!(
        built
            .text()
            .ends_with(r#""annotations":{"a":"x","z":"again"}}"#)
    );
    let repeated = built
        .diagnostics()
        .iter()
        .find(|d| d.code == "assembly-annotation-repeated")
        .unwrap();
    assert_eq!(repeated.pointer, "/annotations");
    assert_eq!(&built.text()[repeated.offset..repeated.offset + 1], "{");
}

#[test]
fn strings_are_escaped_as_go_escapes_them() {
    let options = CreateOptions {
        annotations: Annotations(vec![(
            "org.opencontainers.image.description".into(),
            "a <b> & \"c\"\n\u{2028}é".into(),
        )]),
        ..CreateOptions::default()
    };

    let built = create(&[], &options);

    checked(&built);
    assert_eq!(
        built.text(),
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"org.opencontainers.image.description":"a \u003cb\u003e \u0026 \"c\"\n\u2028é"}}"#
    );
}

#[test]
fn pretty_and_compact_hold_the_same_document() {
    let builder = IndexBuilder::with_entries(article_entries());

    let compact = build(&builder, Format::Auto);
    let pretty = builder.build(&BuildOptions {
        format: Format::Auto,
        pretty: true,
    });

    checked(&compact);
    checked(&pretty);
    assert!(!compact.text().contains([' ', '\n']));
    assert!(pretty.text().starts_with("{\n   \"schemaVersion\": 2,\n"));
    assert_ne!(compact.digest(), pretty.digest());
    let a: serde_json::Value = serde_json::from_str(compact.text()).unwrap();
    let b: serde_json::Value = serde_json::from_str(pretty.text()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn the_articles_list_in_docker_pretty_form() {
    let vector = include_str!(
        "../../../../shared/vectors/windows-linux-mixed-manifest-list-azure-docs.json"
    );

    let built = create(
        &article_entries(),
        &CreateOptions {
            format: Format::Docker,
            pretty: true,
            ..CreateOptions::default()
        },
    );

    let codes = checked(&built);
    assert_eq!(codes, Vec::<&str>::new());
    let report = inspect(built.bytes(), &InspectOptions::default());
    assert_eq!(report.kind, Kind::DockerManifestList);
    assert_eq!(report.entries.len(), 3);
    assert_eq!(
        report.entries[2]
            .descriptor
            .platform
            .as_ref()
            .unwrap()
            .os_version
            .as_deref(),
        Some("10.0.17763.1697")
    );
    // The article prints the list with two-space indentation; the fields,
    // their order and values are the same.
    assert_eq!(built.text().replace("   ", "  "), vector.trim_end());
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn assert_golden(name: &str, built: &Assembled) {
    checked(built);
    let path = golden_path(name);
    if std::env::var_os("POLYARCH_BLESS").is_some() {
        std::fs::write(&path, built.bytes()).expect("the golden file is written");
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        String::from_utf8_lossy(built.bytes()),
        String::from_utf8_lossy(&expected),
        "{name}"
    );
    assert_eq!(
        built.digest(),
        Digest::sha256(&expected).to_string(),
        "{name}"
    );
}

/// A Docker list with every platform field Docker writes.
fn docker_golden() -> IndexBuilder {
    let mut builder = IndexBuilder::with_entries(article_entries());
    let mut armv7 = entry(DOCKER, ARMV7, 700, "linux/arm/v7");
    armv7.platform.as_mut().expect("a platform").features = vec!["vfp".into()];
    builder.add(armv7);
    builder
        .annotate(
            2,
            &EntryPatch {
                os_features: Some(vec!["win32k".into()]),
                ..EntryPatch::default()
            },
        )
        .expect("entry 2 exists");
    builder
}

/// An OCI index as BuildKit writes one: images, an attestation, annotations.
fn oci_golden() -> IndexBuilder {
    let mut builder = IndexBuilder::new();
    let mut amd64 = entry(OCI, AMD64, 524, "linux/amd64");
    amd64.annotations = Annotations(vec![
        ("org.opencontainers.image.revision".into(), "6c5b1d2".into()),
        (
            "org.opencontainers.image.created".into(),
            "2024-05-01T10:00:00Z".into(),
        ),
    ]);
    builder.add(amd64);
    builder.add(entry(OCI, ARMV7, 700, "linux/arm/v7"));
    let mut attestation = NewEntry::new(
        OCI,
        ATTESTATION,
        839,
        Some(Platform::new("unknown", "unknown", None)),
    );
    attestation.annotations = Annotations(vec![
        (
            "vnd.docker.reference.type".into(),
            "attestation-manifest".into(),
        ),
        ("vnd.docker.reference.digest".into(), AMD64.into()),
    ]);
    builder.add(attestation);
    builder.set_annotation(
        "org.opencontainers.image.source",
        Some("https://example.com/app?a=1&b=2"),
    );
    builder.set_annotation(
        "org.opencontainers.image.created",
        Some("2024-05-01T10:00:00Z"),
    );
    builder
}

/// An OCI index of artifacts, with `artifactType` and `subject`.
fn artifact_golden() -> IndexBuilder {
    let mut sbom = NewEntry::new(OCI, ARM64, 525, None);
    sbom.artifact_type = Some("application/spdx+json".into());
    let mut builder = IndexBuilder::with_entries([sbom]);
    builder.set_artifact_type(Some("application/vnd.example.bundle.v1+json".into()));
    builder.set_subject(Some(NewEntry::new(OCI_INDEX, WINDOWS, 1124, None)));
    builder
}

#[test]
fn golden_documents_byte_for_byte() {
    let cases = [
        (
            "docker-compact.json",
            docker_golden(),
            Format::Docker,
            false,
        ),
        ("docker-pretty.json", docker_golden(), Format::Docker, true),
        ("oci-compact.json", oci_golden(), Format::Oci, false),
        ("oci-pretty.json", oci_golden(), Format::Oci, true),
        (
            "oci-artifact-compact.json",
            artifact_golden(),
            Format::Auto,
            false,
        ),
    ];

    for (name, builder, format, pretty) in cases {
        let built = builder.build(&BuildOptions { format, pretty });

        assert_golden(name, &built);
    }
}

#[test]
fn create_takes_entries_as_the_bindings_send_them() {
    let entries: Vec<NewEntry> = serde_json::from_str(&format!(
        r#"[
            {{"mediaType":"{DOCKER}","digest":"{AMD64}","size":524,
              "platform":{{"os":"linux","architecture":"amd64"}}}},
            {{"mediaType":"{DOCKER}","digest":"{WINDOWS}","size":1124,
              "platform":{{"os":"windows","architecture":"amd64","os.version":"10.0.17763.1697"}}}},
            {{"mediaType":"{DOCKER}","digest":"{ARMV7}","size":700,
              "platform":{{"os":"linux","architecture":"arm","variant":"v7","osFeatures":["x"]}},
              "annotations":{{"k":"v"}}}}
        ]"#
    ))
    .unwrap();
    let options: CreateOptions =
        serde_json::from_str(r#"{"format":"docker","pretty":false,"annotations":null}"#).unwrap();

    let built = create(&entries, &options);

    assert_eq!(
        entries[1].platform.as_ref().unwrap().os_version.as_deref(),
        Some("10.0.17763.1697")
    );
    assert_eq!(entries[2].platform.as_ref().unwrap().os_features, ["x"]);
    checked(&built);
    let json = serde_json::to_value(&built).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["diagnostics", "digest", "mediaType", "size", "text"]);
    assert_eq!(json["mediaType"], DOCKER_LIST);
    assert_eq!(json["diagnostics"][0]["code"], "assembly-format-loss");
}

const CONFIG: &[u8] =
    br#"{"architecture":"arm","os":"linux","variant":"v7","rootfs":{"type":"layers","diff_ids":[]}}"#;

fn child_manifest(config: &[u8]) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{DOCKER}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":{},"digest":"{}"}},"layers":[]}}"#,
        config.len(),
        Digest::sha256(config)
    )
}

#[test]
fn an_entry_from_a_child_manifest_and_its_config() {
    let manifest = child_manifest(CONFIG);

    let made = entry_from_manifest(manifest.as_bytes(), Some(DOCKER), CONFIG).unwrap();

    assert_eq!(made.media_type, DOCKER);
    assert_eq!(made.digest, Digest::sha256(manifest.as_bytes()).to_string());
    assert_eq!(made.size, manifest.len() as i64);
    assert_eq!(
        made.platform,
        Some(Platform::new("linux", "arm", Some("v7")))
    );
    let built = create(&[made], &CreateOptions::default());
    checked(&built);
    assert_eq!(built.media_type(), DOCKER_LIST);
}

#[test]
fn child_manifests_that_do_not_make_an_entry() {
    let manifest = child_manifest(CONFIG);
    let no_os = br#"{"architecture":"arm64"}"#;
    let index = create(&article_entries(), &CreateOptions::default());

    let mismatch = entry_from_manifest(manifest.as_bytes(), None, b"{}");
    let not_manifest = entry_from_manifest(index.bytes(), None, CONFIG);
    let invalid = entry_from_manifest(b"{\"schemaVersion\":2,", None, CONFIG);
    let config_invalid = entry_from_manifest(child_manifest(no_os).as_bytes(), None, no_os);

    assert_eq!(
        mismatch,
        Err(ChildError::ConfigMismatch {
            expected: Digest::sha256(CONFIG).to_string(),
            actual: Digest::sha256(b"{}").to_string(),
        })
    );
    assert_eq!(
        not_manifest,
        Err(ChildError::NotAManifest {
            kind: Kind::DockerManifestList
        })
    );
    assert!(matches!(invalid, Err(ChildError::ManifestInvalid { .. })));
    match config_invalid {
        Err(ChildError::ConfigInvalid { diagnostics }) => {
            assert_eq!(diagnostics[0].code, "config-platform-missing");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_zero_size_is_written_where_go_would_omit_it() {
    let entries = [NewEntry::new(
        DOCKER,
        AMD64,
        0,
        Some(platform("linux/amd64")),
    )];

    let built = create(&entries, &CreateOptions::default());

    checked(&built);
    assert!(built.text().contains(r#""size":0,"#), "{}", built.text());
}

#[test]
fn an_existing_index_is_opened_and_amended() {
    let vector = include_str!(
        "../../../../shared/vectors/windows-linux-mixed-manifest-list-azure-docs.json"
    );
    let mut builder = IndexBuilder::from_document(vector.as_bytes(), None).unwrap();

    builder.amend(entry(DOCKER, ARMV7, 700, "linux/arm64"));
    let built = builder.build(&BuildOptions {
        format: Format::Auto,
        pretty: true,
    });

    checked(&built);
    assert_eq!(built.media_type(), DOCKER_LIST);
    assert_eq!(entries_of(&built), [AMD64, ARMV7, WINDOWS]);
}

#[test]
fn documents_that_cannot_be_opened() {
    let manifest = child_manifest(CONFIG);

    let not_index = IndexBuilder::from_document(manifest.as_bytes(), None);
    let invalid = IndexBuilder::from_document(br#"{"schemaVersion":2,"manifests":{}}"#, None);

    assert_eq!(
        not_index,
        Err(OpenError::NotAnIndex {
            kind: Kind::DockerManifest
        })
    );
    match invalid {
        Err(OpenError::Invalid { diagnostics }) => assert_eq!(diagnostics[0].code, "field-type"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn goldens_open_and_build_to_the_same_bytes() {
    let cases = [
        ("docker-pretty.json", Format::Docker, true),
        ("oci-compact.json", Format::Oci, false),
        ("oci-pretty.json", Format::Auto, true),
        ("oci-artifact-compact.json", Format::Auto, false),
    ];

    for (name, format, pretty) in cases {
        let bytes = std::fs::read(golden_path(name)).unwrap();

        let builder = IndexBuilder::from_document(&bytes, None).unwrap();
        let built = builder.build(&BuildOptions { format, pretty });

        assert_eq!(built.bytes(), bytes, "{name}");
    }
}

#[test]
fn an_opened_index_gives_back_its_artifact_type_and_subject() {
    let bytes = std::fs::read(golden_path("oci-artifact-compact.json")).unwrap();

    let opened = IndexBuilder::from_document(&bytes, None).unwrap();
    let mut copy = IndexBuilder::with_entries(opened.entries().iter().cloned());
    copy.set_artifact_type(opened.artifact_type().map(str::to_owned));
    copy.set_subject(opened.subject().cloned());
    let built = copy.build(&BuildOptions {
        format: Format::Auto,
        pretty: false,
    });

    assert_eq!(
        opened.artifact_type(),
        Some("application/vnd.example.bundle.v1+json")
    );
    assert_eq!(
        opened.subject().map(|s| s.digest.as_str()),
        Some("sha256:b791ad98d505abb8c9618868fc43c74aa94d08f1d7afe37d19647c0030905cae")
    );
    assert_eq!(built.bytes(), bytes);
}

#[test]
fn an_opened_subjects_platform_is_reported_as_lost_not_dropped_silently() {
    let document = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:873612c5503f3f1674f315c67089dee577d8cc6afc18565e0b4183ae355fb343","size":525,"platform":{"os":"linux","architecture":"amd64"}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:b791ad98d505abb8c9618868fc43c74aa94d08f1d7afe37d19647c0030905cae","size":1124,"platform":{"os":"linux","architecture":"arm64","variant":"x"}}}"#;

    let opened = IndexBuilder::from_document(document, None).unwrap();
    let built = opened.build(&BuildOptions {
        format: Format::Auto,
        pretty: false,
    });
    let lost: Vec<&str> = built
        .diagnostics()
        .iter()
        .filter(|d| d.code == "assembly-format-loss")
        .map(|d| d.message.as_str())
        .collect();

    assert_eq!(
        opened
            .subject()
            .and_then(|s| s.platform.as_ref())
            .map(|p| p.format_all()),
        Some("linux/arm64/x".to_owned())
    );
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(
        lost[0].starts_with("the subject's platform linux/arm64/x is not written"),
        "{lost:?}"
    );
}

#[test]
fn urls_and_data_are_written_in_go_order_or_reported_as_lost() {
    use polyarch_core::assemble::{CreateOptions, NewEntry, create};

    let entries: Vec<NewEntry> = serde_json::from_str(
        r#"[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
             "size":2,"urls":["https://example.com/x"],"data":"e30=",
             "annotations":{"a":"b"},
             "platform":{"os":"linux","architecture":"amd64"}}]"#,
    )
    .unwrap();

    let oci = create(&entries, &CreateOptions::default());

    assert!(
        oci.text().contains(
            r#""size":2,"urls":["https://example.com/x"],"annotations":{"a":"b"},"data":"e30=","platform""#
        ),
        "{}",
        oci.text()
    );
    assert!(!oci.has_errors(), "{:#?}", oci.diagnostics());
}

#[test]
fn data_and_urls_that_contradict_the_entry_are_refused() {
    use polyarch_core::assemble::{CreateOptions, NewEntry, create};

    let mut entry = NewEntry::new(
        "application/vnd.docker.distribution.manifest.v2+json",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        0,
        None,
    );
    entry.data = Some("e30=".into());
    entry.urls = vec!["not a url".into()];

    let built = create(&[entry], &CreateOptions::default());

    let refused: Vec<_> = built
        .diagnostics()
        .iter()
        .filter(|d| d.code == "assembly-entry-invalid")
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].contains("not an absolute URL"), "{}", refused[0]);
    assert!(
        refused[1].contains("data decodes to 2 bytes"),
        "{}",
        refused[1]
    );
    assert!(!built.text().contains("e30="));
}
