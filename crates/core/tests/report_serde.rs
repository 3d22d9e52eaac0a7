//! Reports read back from their JSON text: the round trip a report makes
//! when a Web Worker sends it to the page as a string.
//!
//! - The JSON form is fixed by golden reports (`tests/reports/*.report.json`,
//!   compared byte for byte): reading must not change what is written.
//! - Every report of the shared vectors (`../shared/vectors/`, when beside
//!   the checkout), of the case collections and of random input reads back
//!   equal to itself.
//! - Text that is not a report is refused with an error that says why: a
//!   must-fail table of unknown codes, wrong types and unknown members.

use std::path::{Path, PathBuf};

use polyarch_core::descriptor::Role;
use polyarch_core::diagnostic::{Diagnostic, Rule, Severity};
use polyarch_core::inspect::{InspectOptions, Kind, Report, inspect};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Writes `report`, reads it back and asserts that nothing changed.
#[track_caller]
fn assert_round_trip(report: &Report, what: &str) {
    let text = serde_json::to_string(report).unwrap();

    let read: Report = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: the report does not read back: {e}\n{text}"));

    assert_eq!(&read, report, "{what}");
    assert_eq!(serde_json::to_string(&read).unwrap(), text, "{what}");
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

/// The documents under `tests/reports/`, each beside its golden report.
fn golden_pairs() -> Vec<(PathBuf, PathBuf)> {
    files(&Path::new(ROOT).join("tests/reports"))
        .into_iter()
        .filter(|path| !path.to_string_lossy().ends_with(".report.json"))
        .map(|document| {
            let golden = document.with_extension("report.json");
            (document, golden)
        })
        .collect()
}

fn golden_report(name: &str) -> String {
    let path = Path::new(ROOT).join("tests/reports").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn golden_reports_are_written_byte_for_byte_and_read_back() {
    let pairs = golden_pairs();
    assert_eq!(pairs.len(), 2, "{pairs:?}");

    for (document, golden) in pairs {
        let bytes = std::fs::read(&document).unwrap();
        let expected = std::fs::read_to_string(&golden).unwrap();

        let report = inspect(&bytes, &InspectOptions::default());
        let written = serde_json::to_string(&report).unwrap();
        let read: Report = serde_json::from_str(&expected).unwrap();

        assert_eq!(written, expected, "{}", golden.display());
        assert_eq!(read, report, "{}", golden.display());
    }
}

#[test]
fn the_golden_index_holds_what_the_round_trip_must_keep() {
    let text = golden_report("index.report.json");

    let report: Report = serde_json::from_str(&text).unwrap();

    let first = &report.entries[0].descriptor.annotations;
    let pairs: Vec<(&str, &str)> = first.iter().collect();
    assert_eq!(
        pairs,
        [
            ("a", "1"),
            ("a", "2"),
            ("org.opencontainers.image.ref.name", "v1")
        ]
    );
    let keys: Vec<&str> = report.annotations.iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "org.opencontainers.image.created",
            "x",
            "x",
            "ünïcödé \"quoted\"\t"
        ]
    );
    let windows = report.entries[1].descriptor.platform.as_ref().unwrap();
    assert_eq!(windows.os_version.as_deref(), Some("10.0.17763.1697"));
    assert_eq!(windows.os_features, ["win32k"]);
    assert_eq!(windows.features, ["sse4"]);
    assert_eq!(report.entries[1].descriptor.urls.len(), 1);
    assert_eq!(report.entries[1].descriptor.data.as_deref(), Some("e30="));
    assert_eq!(
        report.entries[2].descriptor.size,
        Some(9_007_199_254_740_993)
    );
    let roles: Vec<Role> = report.entries.iter().map(|e| e.role).collect();
    assert_eq!(
        roles,
        [
            Role::Image,
            Role::Image,
            Role::Image,
            Role::Attestation,
            Role::Index,
            Role::Artifact,
            Role::Other,
            Role::Image
        ]
    );
    assert!(report.entries[3].attests.is_some());
    let severities: Vec<Severity> = report.diagnostics.iter().map(|d| d.severity).collect();
    assert!(severities.contains(&Severity::Error));
    assert!(severities.contains(&Severity::Warning));
    assert!(severities.contains(&Severity::Info));
}

#[test]
fn codes_and_sources_read_back_as_the_catalogue_strings() {
    let text = golden_report("index.report.json");

    let report: Report = serde_json::from_str(&text).unwrap();

    assert!(!report.diagnostics.is_empty());
    for diagnostic in &report.diagnostics {
        let rule = Rule::from_code(diagnostic.code).unwrap();
        assert!(std::ptr::eq(diagnostic.code, rule.code()));
        assert!(std::ptr::eq(diagnostic.source, rule.source()));
    }
}

fn vectors() -> Option<PathBuf> {
    let dir = Path::new(ROOT).join("../../../shared/vectors");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/vectors is not beside the checkout");
        None
    }
}

#[test]
fn every_vector_report_reads_back() {
    let Some(dir) = vectors() else { return };

    let all = files(&dir);

    assert!(all.len() >= 20, "only {} vector files", all.len());
    for path in &all {
        let bytes = std::fs::read(path).unwrap();
        let report = inspect(&bytes, &InspectOptions::default());
        assert_round_trip(&report, &path.display().to_string());
    }
}

/// Every case's input, inspected with the case's options: the cases that
/// are not documents (references, platform strings) still give a report.
fn case_reports(path: &Path) -> Vec<(String, Report)> {
    let text = std::fs::read_to_string(path).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    cases
        .iter()
        .map(|case| {
            let input = match &case["input"] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let option = |key: &str| case["options"][key].as_str().map(str::to_owned);
            let options = InspectOptions {
                content_type: option("contentType"),
                expected_digest: option("expectedDigest"),
            };
            let report = inspect(input.as_bytes(), &options);
            (case["id"].to_string(), report)
        })
        .collect()
}

#[test]
fn every_own_case_report_reads_back() {
    let reports = case_reports(&Path::new(ROOT).join("tests/fixtures/cases.json"));

    assert!(reports.len() >= 45, "only {} cases", reports.len());
    for (id, report) in &reports {
        assert_round_trip(report, id);
    }
}

#[test]
fn every_shared_case_report_reads_back_when_present() {
    let path = Path::new(ROOT).join("../../../shared/cases/cases.json");
    if !path.exists() {
        eprintln!("skipped: ../shared/cases/cases.json is not beside the checkout");
        return;
    }

    let reports = case_reports(&path);

    assert!(!reports.is_empty());
    for (id, report) in &reports {
        assert_round_trip(report, id);
    }
}

#[test]
fn reports_with_options_and_limits_read_back() {
    let index = br#"{"schemaVersion":2,"manifests":[]}"#;
    let big = vec![b' '; 4 * 1024 * 1024 + 1];
    let cases: Vec<(&str, Vec<u8>, InspectOptions)> = vec![
        ("empty input", Vec::new(), InspectOptions::default()),
        (
            "not UTF-8",
            b"{\"a\":\"\xff\"}".to_vec(),
            InspectOptions::default(),
        ),
        (
            "byte order mark",
            b"\xEF\xBB\xBF{}".to_vec(),
            InspectOptions::default(),
        ),
        ("over 4 MiB", big, InspectOptions::default()),
        (
            "a content type and a bad expected digest",
            index.to_vec(),
            InspectOptions {
                content_type: Some("application/vnd.oci.image.index.v1+json; x=y".into()),
                expected_digest: Some("sha256:zz".into()),
            },
        ),
        (
            "an expected digest without algorithm",
            index.to_vec(),
            InspectOptions {
                content_type: Some("text/plain".into()),
                expected_digest: Some("0".repeat(64)),
            },
        ),
    ];

    for (what, bytes, options) in cases {
        let report = inspect(&bytes, &options);
        assert_round_trip(&report, what);
    }
}

#[test]
fn a_diagnostic_at_another_severity_keeps_it() {
    let mut report = inspect(b"{}", &InspectOptions::default());
    let first = report.diagnostics[0].clone();
    let lowered = first.clone().with_severity(Severity::Info);
    report.diagnostics.push(lowered);

    let text = serde_json::to_string(&report).unwrap();
    let read: Report = serde_json::from_str(&text).unwrap();

    assert_eq!(read, report);
    assert_eq!(read.diagnostics.last().unwrap().severity, Severity::Info);
    assert_ne!(first.severity, Severity::Info);
}

/// Text that reads as a report although it is not written that way.
#[test]
fn must_read_table() {
    let base: Value = serde_json::from_str(&golden_report("manifest.report.json")).unwrap();
    let cases: &[(&str, &str, Value)] = &[
        ("a null media type", "/mediaType", Value::Null),
        ("an entry-less empty list", "/entries", json!([])),
        (
            "a null platform string",
            "/layers/0/platformString",
            Value::Null,
        ),
    ];

    for (what, pointer, value) in cases {
        let mut text = base.clone();
        *text.pointer_mut(pointer).unwrap() = value.clone();

        let read = serde_json::from_value::<Report>(text);

        assert!(read.is_ok(), "{what}: {read:?}");
    }

    let escaped = golden_report("manifest.report.json").replacen(
        r#""code":"url-invalid""#,
        r#""code":"url\u002dinvalid""#,
        1,
    );
    let read: Report = serde_json::from_str(&escaped).unwrap();
    assert_eq!(read.diagnostics[0].code, Rule::UrlInvalid.code());
}

/// How a must-fail case changes a good report.
enum Change {
    /// Sets the value at a JSON Pointer.
    Set(&'static str, Value),
    /// Removes a member of the object at a pointer.
    Remove(&'static str, &'static str),
    /// Adds a member to the object at a pointer.
    Add(&'static str, &'static str, Value),
    /// Replaces text once, for what a `Value` cannot hold.
    Text(&'static str, &'static str),
    /// Keeps the first bytes of the text.
    Cut(usize),
}

#[test]
fn must_fail_table() {
    let golden = golden_report("index.report.json");
    let base: Value = serde_json::from_str(&golden).unwrap();
    let d0 = "/diagnostics/0";
    let e0 = "/entries/0";
    let p0 = "/entries/0/platform";
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "an unknown code",
            Change::Set("/diagnostics/0/code", json!("rule-of-tomorrow")),
            "unknown diagnostic code \"rule-of-tomorrow\"",
        ),
        (
            "a code in another case",
            Change::Set("/diagnostics/0/code", json!("Duplicate-Key")),
            "unknown diagnostic code \"Duplicate-Key\"",
        ),
        (
            "an empty code",
            Change::Set("/diagnostics/0/code", json!("")),
            "unknown diagnostic code \"\"",
        ),
        (
            "a code that is a number",
            Change::Set("/diagnostics/0/code", json!(7)),
            "invalid type: integer `7`",
        ),
        (
            "another rule's source",
            Change::Set("/diagnostics/0/source", json!("polyarch limits")),
            "but its rule's source is \"RFC 8259 (JSON)\"",
        ),
        (
            "no source",
            Change::Remove(d0, "source"),
            "missing field `source`",
        ),
        (
            "an unknown severity",
            Change::Set("/diagnostics/0/severity", json!("fatal")),
            "unknown variant `fatal`",
        ),
        (
            "a line that is not an integer",
            Change::Set("/diagnostics/0/line", json!(1.5)),
            "invalid type: floating point `1.5`",
        ),
        (
            "a negative offset",
            Change::Set("/diagnostics/0/offset", json!(-1)),
            "invalid value: integer `-1`",
        ),
        (
            "an unknown member in a diagnostic",
            Change::Add(d0, "hint", json!("x")),
            "unknown field `hint`",
        ),
        (
            "an unknown kind",
            Change::Set("/kind", json!("oci-thing")),
            "unknown variant `oci-thing`",
        ),
        (
            "valid as a string",
            Change::Set("/valid", json!("false")),
            "invalid type: string \"false\"",
        ),
        (
            "a negative report size",
            Change::Set("/size", json!(-2)),
            "invalid value: integer `-2`",
        ),
        (
            "no digest",
            Change::Remove("", "digest"),
            "missing field `digest`",
        ),
        (
            "diagnostics as an object",
            Change::Set("/diagnostics", json!({})),
            "invalid type: map, expected a sequence",
        ),
        (
            "an unknown member in the report",
            Change::Add("", "extra", json!(1)),
            "unknown field `extra`",
        ),
        (
            "an annotation value that is a number",
            Change::Set("/annotations/x", json!(2)),
            "invalid type: integer `2`, expected a string",
        ),
        (
            "annotations as an array",
            Change::Set("/annotations", json!([])),
            "invalid type: sequence, expected an object of string values",
        ),
        (
            "null annotations",
            Change::Set("/annotations", Value::Null),
            "invalid type: null, expected an object of string values",
        ),
        (
            "an unknown role",
            Change::Set("/entries/0/role", json!("daemon")),
            "unknown variant `daemon`",
        ),
        (
            "a negative entry index",
            Change::Set("/entries/0/index", json!(-1)),
            "invalid value: integer `-1`",
        ),
        (
            "an entry size as a string",
            Change::Set("/entries/0/size", json!("700")),
            "invalid type: string \"700\"",
        ),
        (
            "an entry without role",
            Change::Remove(e0, "role"),
            "missing field `role`",
        ),
        (
            "an unknown member in an entry",
            Change::Add(e0, "extra", json!(true)),
            "unknown field `extra`",
        ),
        (
            "a platform in the OCI form",
            Change::Add(p0, "os.version", json!("10.0")),
            "unknown field `os.version`",
        ),
        (
            "a platform without os",
            Change::Remove(p0, "os"),
            "missing field `os`",
        ),
        (
            "os features as a string",
            Change::Add(p0, "osFeatures", json!("win32k")),
            "invalid type: string \"win32k\", expected a sequence",
        ),
        (
            "a config that is a string",
            Change::Set("/config", json!("sha256:00")),
            "invalid type: string \"sha256:00\"",
        ),
        (
            "a repeated member",
            Change::Text(
                r#""kind":"oci-index","#,
                r#""kind":"oci-index","kind":"oci-index","#,
            ),
            "duplicate field `kind`",
        ),
        (
            "a member left without its name",
            Change::Text(r#","annotations":"#, ""),
            "expected `,` or `}`",
        ),
        ("text cut short", Change::Cut(4000), "EOF while parsing"),
    ];

    for (what, change, expected) in cases {
        let text = match change {
            Change::Set(pointer, value) => {
                let mut report = base.clone();
                *report.pointer_mut(pointer).unwrap() = value;
                report.to_string()
            }
            Change::Remove(pointer, key) => {
                let mut report = base.clone();
                let object = report
                    .pointer_mut(pointer)
                    .unwrap()
                    .as_object_mut()
                    .unwrap();
                assert!(object.remove(key).is_some(), "{what}: nothing to remove");
                report.to_string()
            }
            Change::Add(pointer, key, value) => {
                let mut report = base.clone();
                let object = report
                    .pointer_mut(pointer)
                    .unwrap()
                    .as_object_mut()
                    .unwrap();
                object.insert(key.to_owned(), value);
                report.to_string()
            }
            Change::Text(from, to) => {
                assert!(golden.contains(from), "{what}: nothing to replace");
                golden.replacen(from, to, 1)
            }
            Change::Cut(at) => golden[..at].to_owned(),
        };

        let read = serde_json::from_str::<Report>(&text);

        let error = read.expect_err(what).to_string();
        assert!(error.contains(expected), "{what}: {error}");
    }
}

#[test]
fn a_lone_diagnostic_with_an_unknown_code_is_refused_not_panicked_on() {
    let text = r#"{"code":"nope","severity":"error","message":"","pointer":"","line":1,
        "column":1,"offset":0,"source":"polyarch limits"}"#;

    let read = serde_json::from_str::<Diagnostic>(text);

    let error = read.unwrap_err().to_string();
    assert!(
        error.starts_with("unknown diagnostic code \"nope\""),
        "{error}"
    );
}

const HEX: &str = "0123456789abcdef";
const MEDIA_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "text/plain",
    "",
];
const OS: &[&str] = &["linux", "Linux", "windows", "unknown", "macos", ""];
const ARCHITECTURES: &[&str] = &["amd64", "aarch64", "arm", "unknown", "x86_64", ""];
const KEYS: &[&str] = &[
    "a",
    "org.opencontainers.image.created",
    "org.opencontainers.image.bogus",
    "vnd.docker.reference.digest",
    "k\u{e9}y \"q\"",
];

/// A JSON string for `text`, escapes and all.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// An object written pair by pair, so that a key may repeat.
fn object(pairs: &[(String, String)]) -> String {
    let members: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{{{}}}", members.join(","))
}

fn digest() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(prop::sample::select(HEX.as_bytes()), 64)
            .prop_map(|hex| format!("sha256:{}", String::from_utf8(hex).unwrap())),
        "\\PC{0,12}",
    ]
}

fn annotations() -> impl Strategy<Value = String> {
    proptest::collection::vec((prop::sample::select(KEYS), "\\PC{0,10}"), 0..4).prop_map(|pairs| {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(k, v)| (quoted(k), quoted(v))).collect();
        object(&pairs)
    })
}

fn platform() -> impl Strategy<Value = String> {
    (
        prop::sample::select(OS),
        prop::sample::select(ARCHITECTURES),
        proptest::option::of("v[5-8]?"),
        proptest::option::of("10\\.0\\.[0-9]{1,5}"),
        proptest::collection::vec("[a-z0-9]{1,6}", 0..3),
    )
        .prop_map(|(os, architecture, variant, version, features)| {
            let mut pairs = vec![
                (quoted("os"), quoted(os)),
                (quoted("architecture"), quoted(architecture)),
            ];
            if let Some(variant) = variant {
                pairs.push((quoted("variant"), quoted(&variant)));
            }
            if let Some(version) = version {
                pairs.push((quoted("os.version"), quoted(&version)));
            }
            if !features.is_empty() {
                pairs.push((quoted("os.features"), json!(features).to_string()));
            }
            object(&pairs)
        })
}

fn size() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        Just("1.5".to_owned()),
        Just("\"12\"".to_owned()),
        Just("18446744073709551616".to_owned()),
    ]
}

fn descriptor() -> impl Strategy<Value = String> {
    (
        prop::sample::select(MEDIA_TYPES),
        digest(),
        size(),
        proptest::option::of(platform()),
        proptest::option::of(annotations()),
        proptest::option::of(prop::sample::select(&["e30=", "!!", ""][..])),
        proptest::option::of(prop::sample::select(&["https://e.x/l", "no url"][..])),
    )
        .prop_map(
            |(media_type, digest, size, platform, annotations, data, url)| {
                let mut pairs = vec![
                    (quoted("mediaType"), quoted(media_type)),
                    (quoted("digest"), quoted(&digest)),
                    (quoted("size"), size),
                ];
                if let Some(platform) = platform {
                    pairs.push((quoted("platform"), platform));
                }
                if let Some(annotations) = annotations {
                    pairs.push((quoted("annotations"), annotations));
                }
                if let Some(data) = data {
                    pairs.push((quoted("data"), quoted(data)));
                }
                if let Some(url) = url {
                    pairs.push((quoted("urls"), json!([url]).to_string()));
                }
                object(&pairs)
            },
        )
}

/// An index, or a manifest, built from random parts: the reports then hold
/// entries, platforms, annotations and diagnostics of many rules.
fn document() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::sample::select(MEDIA_TYPES),
        proptest::collection::vec(descriptor(), 0..5),
        proptest::option::of(descriptor()),
        annotations(),
    )
        .prop_map(
            |(is_index, media_type, descriptors, subject, annotations)| {
                let mut pairs = vec![
                    (quoted("schemaVersion"), "2".to_owned()),
                    (quoted("mediaType"), quoted(media_type)),
                ];
                let list = format!("[{}]", descriptors.join(","));
                if is_index {
                    pairs.push((quoted("manifests"), list));
                } else {
                    let config = descriptors.first().cloned().unwrap_or_else(|| "{}".into());
                    pairs.push((quoted("config"), config));
                    pairs.push((quoted("layers"), list));
                }
                if let Some(subject) = subject {
                    pairs.push((quoted("subject"), subject));
                }
                pairs.push((quoted("annotations"), annotations));
                object(&pairs)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reports_of_random_bytes_read_back(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let report = inspect(&bytes, &InspectOptions::default());

        let text = serde_json::to_string(&report).unwrap();
        let read: Report = serde_json::from_str(&text).unwrap();

        prop_assert_eq!(read, report);
    }

    #[test]
    fn reports_of_random_documents_read_back(text in document()) {
        let report = inspect(text.as_bytes(), &InspectOptions::default());

        let written = serde_json::to_string(&report).unwrap();
        let read: Report = serde_json::from_str(&written).unwrap();

        prop_assert_eq!(read, report);
    }

    #[test]
    fn reports_of_the_golden_index_with_one_byte_changed_read_back(
        at in 0usize..3000,
        byte in any::<u8>(),
    ) {
        let mut bytes = std::fs::read(Path::new(ROOT).join("tests/reports/index.json")).unwrap();
        let at = at % bytes.len();
        bytes[at] = byte;
        let report = inspect(&bytes, &InspectOptions::default());

        let text = serde_json::to_string(&report).unwrap();
        let read: Report = serde_json::from_str(&text).unwrap();

        prop_assert_eq!(read, report);
    }

    #[test]
    fn report_text_with_one_byte_changed_is_read_or_refused(
        at in 0usize..8000,
        byte in any::<u8>(),
    ) {
        let mut bytes = golden_report("index.report.json").into_bytes();
        let at = at % bytes.len();
        bytes[at] = byte;

        let read = serde_json::from_slice::<Report>(&bytes);

        if let Ok(report) = read {
            let again = serde_json::to_string(&report).unwrap();
            prop_assert_eq!(serde_json::from_str::<Report>(&again).unwrap(), report);
        }
    }
}

#[test]
fn the_random_documents_reach_entries_and_many_rules() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut codes = std::collections::BTreeSet::new();
    let mut kinds = std::collections::BTreeSet::new();
    let mut entries = 0;

    for _ in 0..200 {
        let text = document().new_tree(&mut runner).unwrap().current();
        let report = inspect(text.as_bytes(), &InspectOptions::default());
        entries += report.entries.len();
        kinds.insert(report.kind.as_str());
        codes.extend(report.diagnostics.iter().map(|d| d.code));
    }

    assert!(entries > 100, "{entries} entries");
    assert!(kinds.contains(Kind::OciIndex.as_str()), "{kinds:?}");
    assert!(kinds.contains(Kind::OciManifest.as_str()), "{kinds:?}");
    assert!(codes.len() >= 15, "{codes:?}");
}
