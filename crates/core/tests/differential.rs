//! Differential checks: polyarch's reading of a valid document against two
//! independent readers.
//!
//! - **Digest.** For every valid document, `inspect`'s digest is what the
//!   system's `sha256sum` prints for the same bytes, written to a file.
//! - **Contents.** `serde_json`, into plain `serde_json::Value`s, reads the
//!   same bytes; the media types, digests, sizes, platforms, annotations
//!   and `artifactType`s that polyarch reports must be the ones that reader
//!   finds.
//!
//! The documents: every file of the shared vector collection
//! (`../shared/vectors/`, beside the checkout, skipped with a note when
//! absent), the documents of the bug-report cases
//! (`tests/fixtures/cases.json`), the golden assembly outputs, and
//! generated indexes and manifests. Only valid documents are compared: a
//! valid document has no duplicate key, so "last one wins" in `serde_json`
//! cannot pick a different member than polyarch's reading.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use polyarch_core::descriptor::{Annotations, Descriptor};
use polyarch_core::inspect::{InspectOptions, Report, inspect};
use polyarch_core::platform::Platform;
use proptest::prelude::*;
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A named document.
struct Document {
    name: String,
    bytes: Vec<u8>,
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else if path.extension().is_none_or(|e| e != "md") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn vector_documents() -> Vec<Document> {
    let dir = Path::new(ROOT).join("../../../shared/vectors");
    if !dir.is_dir() {
        eprintln!("skipped the shared vectors: ../shared/vectors is not beside the checkout");
        return Vec::new();
    }
    files_under(&dir)
        .into_iter()
        .map(|path| Document {
            name: path.display().to_string(),
            bytes: std::fs::read(&path).unwrap(),
        })
        .collect()
}

fn case_documents() -> Vec<Document> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("tests/fixtures/cases.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    cases
        .iter()
        .filter(|case| {
            matches!(
                case["kind"].as_str(),
                Some("validate" | "digest" | "platform-select")
            )
        })
        .filter_map(|case| {
            Some(Document {
                name: case["id"].as_str()?.to_owned(),
                bytes: case["input"].as_str()?.as_bytes().to_vec(),
            })
        })
        .collect()
}

fn golden_documents() -> Vec<Document> {
    files_under(&Path::new(ROOT).join("tests/golden"))
        .into_iter()
        .map(|path| Document {
            name: path.display().to_string(),
            bytes: std::fs::read(&path).unwrap(),
        })
        .collect()
}

/// What `sha256sum` prints for each of `documents`, in order, from one run
/// over files written to a fresh directory.
fn sha256sum(documents: &[&Document]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!(
        "polyarch-differential-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let paths: Vec<PathBuf> = documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = dir.join(format!("{i}.json"));
            std::fs::write(&path, &doc.bytes).unwrap();
            path
        })
        .collect();

    let output = Command::new("sha256sum").args(&paths).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(output.status.success(), "sha256sum failed: {output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let sums: Vec<String> = text
        .lines()
        .map(|line| format!("sha256:{}", &line[..64]))
        .collect();
    assert_eq!(sums.len(), documents.len());
    sums
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn annotations_of(value: &Value) -> BTreeMap<String, String> {
    value
        .get("annotations")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn as_map(annotations: &Annotations) -> BTreeMap<String, String> {
    annotations
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn platform_of(value: &Value) -> Platform {
    Platform {
        os: text(value, "os").unwrap_or_default().to_owned(),
        architecture: text(value, "architecture").unwrap_or_default().to_owned(),
        variant: text(value, "variant").map(str::to_owned),
        os_version: text(value, "os.version").map(str::to_owned),
        os_features: strings(value, "os.features"),
        features: strings(value, "features"),
    }
}

/// Checks polyarch's descriptor against `serde_json`'s object for it.
fn same_descriptor(name: &str, at: &str, ours: &Descriptor, theirs: &Value) {
    let context = format!("{name} {at}");
    assert_eq!(
        ours.media_type,
        text(theirs, "mediaType").unwrap_or_default(),
        "{context}"
    );
    assert_eq!(
        ours.digest,
        text(theirs, "digest").unwrap_or_default(),
        "{context}"
    );
    assert_eq!(ours.size, theirs["size"].as_i64(), "{context}");
    assert_eq!(
        ours.artifact_type.as_deref(),
        text(theirs, "artifactType"),
        "{context}"
    );
    assert_eq!(
        as_map(&ours.annotations),
        annotations_of(theirs),
        "{context}"
    );
    assert_eq!(ours.urls, strings(theirs, "urls"), "{context}");
    assert_eq!(ours.data.as_deref(), text(theirs, "data"), "{context}");

    let platform = theirs.get("platform").map(platform_of);
    assert_eq!(ours.platform, platform, "{context}");
    assert_eq!(
        ours.platform_string,
        platform.map(|p| p.format()),
        "{context}"
    );
}

/// Checks what polyarch reports of a valid document against `serde_json`'s
/// reading of the same bytes.
fn same_reading(name: &str, report: &Report, bytes: &[u8]) {
    let value: Value = serde_json::from_slice(bytes).unwrap();

    assert_eq!(
        report.media_type.as_deref(),
        text(&value, "mediaType"),
        "{name}"
    );
    assert_eq!(
        report.kind.is_index(),
        value.get("manifests").is_some(),
        "{name}"
    );
    assert_eq!(
        as_map(&report.annotations),
        annotations_of(&value),
        "{name}"
    );
    assert_eq!(
        report.artifact_type.as_deref(),
        text(&value, "artifactType"),
        "{name}"
    );

    let manifests = value["manifests"].as_array().cloned().unwrap_or_default();
    assert_eq!(report.entries.len(), manifests.len(), "{name}");
    for (i, (entry, theirs)) in report.entries.iter().zip(&manifests).enumerate() {
        assert_eq!(entry.index, i, "{name}");
        same_descriptor(name, &format!("/manifests/{i}"), &entry.descriptor, theirs);
    }

    match (&report.config, value.get("config")) {
        (Some(ours), Some(theirs)) => same_descriptor(name, "/config", ours, theirs),
        (None, None) => {}
        (ours, theirs) => panic!("{name}: config {ours:?} against {theirs:?}"),
    }
    let layers = value["layers"].as_array().cloned().unwrap_or_default();
    assert_eq!(report.layers.len(), layers.len(), "{name}");
    for (i, (ours, theirs)) in report.layers.iter().zip(&layers).enumerate() {
        same_descriptor(name, &format!("/layers/{i}"), ours, theirs);
    }
    match (&report.subject, value.get("subject")) {
        (Some(ours), Some(theirs)) => same_descriptor(name, "/subject", ours, theirs),
        (None, None) => {}
        (ours, theirs) => panic!("{name}: subject {ours:?} against {theirs:?}"),
    }
}

/// Inspects each document, and for the valid ones compares the digest with
/// `sha256sum` and the reading with `serde_json`; returns how many were
/// compared.
fn compare(documents: &[Document]) -> usize {
    let reports: Vec<(&Document, Report)> = documents
        .iter()
        .map(|doc| (doc, inspect(&doc.bytes, &InspectOptions::default())))
        .filter(|(_, report)| report.valid)
        .collect();
    let valid: Vec<&Document> = reports.iter().map(|(doc, _)| *doc).collect();

    let sums = if valid.is_empty() {
        Vec::new()
    } else {
        sha256sum(&valid)
    };

    for ((doc, report), sum) in reports.iter().zip(&sums) {
        assert_eq!(&report.digest, sum, "{}", doc.name);
        assert_eq!(report.size, doc.bytes.len() as u64, "{}", doc.name);
        same_reading(&doc.name, report, &doc.bytes);
    }
    reports.len()
}

#[test]
fn shared_vectors_agree_with_sha256sum_and_serde_json() {
    let documents = vector_documents();

    let compared = compare(&documents);

    if !documents.is_empty() {
        assert!(compared >= 10, "only {compared} valid vector documents");
    }
}

#[test]
fn case_documents_agree_with_sha256sum_and_serde_json() {
    let documents = case_documents();

    let compared = compare(&documents);

    assert!(compared >= 10, "only {compared} valid case documents");
}

#[test]
fn golden_documents_agree_with_sha256sum_and_serde_json() {
    let documents = golden_documents();

    let compared = compare(&documents);

    assert_eq!(compared, documents.len());
}

#[test]
fn an_invalid_document_is_not_compared() {
    let documents = [Document {
        name: "duplicate key".to_owned(),
        bytes: br#"{"schemaVersion":2,"manifests":[],"manifests":[]}"#.to_vec(),
    }];

    let compared = compare(&documents);

    assert_eq!(compared, 0);
}

const OS: &[&str] = &["linux", "windows", "darwin", "freebsd", "unknown"];
const ARCHITECTURES: &[&str] = &[
    "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "unknown",
];
const CHILD_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
];
const HEX: &str = "0123456789abcdef";

fn digest() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop::sample::select(HEX.as_bytes()), 64)
        .prop_map(|hex| format!("sha256:{}", String::from_utf8(hex).unwrap()))
}

fn annotations() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map("[a-z]{1,8}(\\.[a-z]{1,8}){0,2}", "\\PC{0,12}", 0..3)
}

fn platform() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(OS),
        prop::sample::select(ARCHITECTURES),
        prop::option::of(prop::sample::select(&["v5", "v6", "v7", "v8"][..])),
        prop::option::of("10\\.0\\.[0-9]{5}\\.[0-9]{1,4}"),
        proptest::collection::vec("[a-z0-9]{1,8}", 0..2),
    )
        .prop_map(|(os, architecture, variant, os_version, features)| {
            let mut platform = json!({"os": os, "architecture": architecture});
            if let Some(variant) = variant {
                platform["variant"] = json!(variant);
            }
            if os == "windows" {
                if let Some(version) = os_version {
                    platform["os.version"] = json!(version);
                }
                if !features.is_empty() {
                    platform["os.features"] = json!(features);
                }
            }
            platform
        })
}

fn entry() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(CHILD_TYPES),
        digest(),
        0i64..(1 << 53),
        prop::option::of(platform()),
        annotations(),
    )
        .prop_map(|(media_type, digest, size, platform, annotations)| {
            let mut entry = json!({"mediaType": media_type, "digest": digest, "size": size});
            if let Some(platform) = platform {
                entry["platform"] = platform;
            }
            if !annotations.is_empty() {
                entry["annotations"] = json!(annotations);
            }
            entry
        })
}

fn layer() -> impl Strategy<Value = Value> {
    (digest(), 0i64..(1 << 40)).prop_map(|(digest, size)| {
        json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": digest,
            "size": size,
        })
    })
}

/// An OCI index or an OCI image manifest, written compact or indented.
fn document() -> impl Strategy<Value = (Value, bool)> {
    let index = (proptest::collection::vec(entry(), 0..6), annotations()).prop_map(
        |(manifests, annotations)| {
            let mut index = json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": manifests,
            });
            if !annotations.is_empty() {
                index["annotations"] = json!(annotations);
            }
            index
        },
    );
    let manifest = (
        digest(),
        1i64..100_000,
        proptest::collection::vec(layer(), 0..4),
    )
        .prop_map(|(config, size, layers)| {
            json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": config,
                    "size": size,
                },
                "layers": layers,
            })
        });
    (prop_oneof![index, manifest], any::<bool>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_agree_with_sha256sum_and_serde_json((value, pretty) in document()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        let documents = [Document { name: text.clone(), bytes: text.into_bytes() }];

        let compared = compare(&documents);

        prop_assert_eq!(compared, 1, "not valid: {}", documents[0].name);
    }
}
