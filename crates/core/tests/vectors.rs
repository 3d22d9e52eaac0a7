//! Conformance: every public manifest in the shared vector collection
//! (`../shared/vectors/`, beside the checkout) is read without a panic, its
//! byte-exact blobs hash to their names, and the documents whose verdict is
//! known get it. When the collection is absent the tests say they skipped.

use std::path::{Path, PathBuf};

use polyarch_core::digest::Digest;
use polyarch_core::inspect::{InspectOptions, Kind, inspect};

fn vectors() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/vectors is not beside the checkout");
        None
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn every_file_is_inspected_without_panic_and_hashed_exactly() {
    let Some(dir) = vectors() else { return };

    let all = files(&dir);

    assert!(all.len() >= 20, "only {} vector files", all.len());
    for path in &all {
        let bytes = std::fs::read(path).unwrap();
        let report = inspect(&bytes, &InspectOptions::default());
        assert_eq!(
            report.digest,
            Digest::sha256(&bytes).to_string(),
            "{}",
            path.display()
        );
        assert_eq!(report.size, bytes.len() as u64);
        assert_eq!(
            report.valid,
            !report.diagnostics.iter().any(|d| d.is_error())
        );
    }
}

#[test]
fn byte_exact_blobs_hash_to_their_names() {
    let Some(dir) = vectors() else { return };
    let blobs = dir.join("ggcr-test-index/blobs/sha256");

    let names = files(&blobs);

    assert!(!names.is_empty());
    for path in names {
        let name = path.file_name().unwrap().to_str().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(Digest::sha256(&bytes).encoded(), name);
    }
}

/// The verdicts polyarch gives, and why each is right.
const VERDICTS: &[(&str, Kind, bool)] = &[
    (
        "buildkit-attestation-index-docs-example.json",
        Kind::OciIndex,
        true,
    ),
    (
        "docker-manifest-list-arm-variants-cimage.json",
        Kind::DockerManifestList,
        true,
    ),
    // Valid, with warnings: `armv7`/`armv8` variants and schema 1 children.
    (
        "docker-manifest-list-armv7-armv8-variants-cimage.json",
        Kind::DockerManifestList,
        true,
    ),
    (
        "docker-manifest-list-spec-example.json",
        Kind::DockerManifestList,
        true,
    ),
    (
        "docker-schema1-signed-cimage.json",
        Kind::DockerManifestV1,
        false,
    ),
    (
        "docker-v2s2-foreign-layer-with-oci-config-cimage.json",
        Kind::DockerManifest,
        true,
    ),
    (
        "oci-artifact-minimal-empty-layers.json",
        Kind::OciManifest,
        true,
    ),
    ("oci-artifact-without-config.json", Kind::OciManifest, true),
    // A bare descriptor, not a document.
    ("oci-empty-descriptor.json", Kind::Unknown, false),
    // Its `data` fields do not hash to the placeholder digests beside them.
    (
        "oci-index-all-fields-subject-artifacttype-cimage.json",
        Kind::OciIndex,
        false,
    ),
    ("oci-index-arm-variants-cimage.json", Kind::OciIndex, true),
    (
        "oci-index-nested-index-spec-example.json",
        Kind::OciIndex,
        true,
    ),
    ("oci-index-no-mediatype-cimage.json", Kind::OciIndex, true),
    ("oci-index-spec-example.json", Kind::OciIndex, true),
    (
        "oci-manifest-spec-example-with-subject.json",
        Kind::OciManifest,
        true,
    ),
    (
        "windows-linux-mixed-manifest-list-azure-docs.json",
        Kind::DockerManifestList,
        true,
    ),
    (
        "windows-nanoserver-foreign-layer-manifest-ggcr-readme.json",
        Kind::DockerManifest,
        true,
    ),
    (
        "windows-nanoserver-manifest-list-ggcr-readme.json",
        Kind::DockerManifestList,
        true,
    ),
    ("ggcr-test-index/index.json", Kind::OciIndex, true),
];

#[test]
fn known_documents_get_their_verdict() {
    let Some(dir) = vectors() else { return };

    for (name, kind, valid) in VERDICTS {
        let path = dir.join(name);
        if !path.exists() {
            eprintln!("skipped: {name} is not in the collection");
            continue;
        }
        let report = inspect(&std::fs::read(&path).unwrap(), &InspectOptions::default());
        assert_eq!(
            (report.kind, report.valid),
            (*kind, *valid),
            "{name}: {:#?}",
            report.diagnostics
        );
    }
}

#[test]
fn a_re_serialised_child_does_not_match_the_digest_its_list_names() {
    let Some(dir) = vectors() else { return };
    let list = dir.join("windows-nanoserver-manifest-list-ggcr-readme.json");
    let child = dir.join("windows-nanoserver-foreign-layer-manifest-ggcr-readme.json");
    if !list.exists() || !child.exists() {
        return;
    }
    let list = inspect(&std::fs::read(list).unwrap(), &InspectOptions::default());
    let named = list.entries[0].descriptor.digest.clone();

    let report = inspect(
        &std::fs::read(child).unwrap(),
        &InspectOptions {
            expected_digest: Some(named),
            ..InspectOptions::default()
        },
    );

    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "expected-digest-mismatch")
    );
}
