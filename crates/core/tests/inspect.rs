//! Each validation rule, with the exact pointer and place it reports.

use polyarch_core::descriptor::Role;
use polyarch_core::diagnostic::{Diagnostic, Rule, Severity};
use polyarch_core::inspect::{InspectOptions, Kind, Report, inspect};

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const EMPTY: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

fn run(text: &str) -> Report {
    inspect(text.as_bytes(), &InspectOptions::default())
}

fn find(report: &Report, rule: Rule) -> Vec<&Diagnostic> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == rule.code())
        .collect()
}

/// Asserts that `rule` was reported exactly once, at `pointer`.
#[track_caller]
fn assert_one(report: &Report, rule: Rule, pointer: &str) -> Diagnostic {
    let found = find(report, rule);
    assert_eq!(
        found.len(),
        1,
        "{} reported {} times: {:#?}",
        rule.code(),
        found.len(),
        report.diagnostics
    );
    assert_eq!(found[0].pointer, pointer, "{:#?}", found[0]);
    found[0].clone()
}

fn entry(media_type: &str, digest: &str, platform: &str) -> String {
    format!(r#"{{"mediaType":"{media_type}","size":700,"digest":"{digest}"{platform}}}"#)
}

fn index(media_type: &str, entries: &[String]) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{media_type}","manifests":[{}]}}"#,
        entries.join(",")
    )
}

const LINUX_AMD64: &str = r#","platform":{"architecture":"amd64","os":"linux"}"#;

#[test]
fn a_clean_docker_list_has_no_diagnostics() {
    let text = index(DOCKER_LIST, &[entry(DOCKER_MANIFEST, D1, LINUX_AMD64)]);

    let report = run(&text);

    assert!(report.valid);
    assert_eq!(report.kind, Kind::DockerManifestList);
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(
        report.entries[0].descriptor.platform_string.as_deref(),
        Some("linux/amd64")
    );
    assert_eq!(report.entries[0].role, Role::Image);
}

#[test]
fn syntax_errors_have_line_and_column() {
    let report = run("{\n  \"schemaVersion\": 2,\n  \"manifests\": [,]\n}");

    let d = assert_one(&report, Rule::JsonSyntax, "");
    assert_eq!((d.line, d.column), (3, 17));
    assert!(!report.valid);
}

#[test]
fn duplicate_keys_point_at_the_second_key() {
    let text =
        "{\"schemaVersion\":2,\"mediaType\":\"a/b\",\n \"mediaType\":\"c/d\",\"manifests\":[]}";

    let report = run(text);

    let d = assert_one(&report, Rule::DuplicateKey, "/mediaType");
    assert_eq!((d.line, d.column, d.offset), (2, 2, 39));
}

#[test]
fn invalid_utf8_and_byte_order_marks_are_placed() {
    let report = inspect(b"{\"a\":\"\xff\"}", &InspectOptions::default());
    let d = assert_one(&report, Rule::InvalidUtf8, "");
    assert_eq!(d.offset, 6);

    let report = inspect(b"\xEF\xBB\xBF{}", &InspectOptions::default());
    assert_one(&report, Rule::ByteOrderMark, "");
}

#[test]
fn both_manifest_and_index_is_refused_at_the_root() {
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"{EMPTY}"}},"layers":[],"manifests":[]}}"#
    );

    let report = run(&text);

    assert_one(&report, Rule::AmbiguousDocument, "");
    assert!(!report.valid);
}

#[test]
fn a_label_that_disagrees_with_the_shape_is_an_error() {
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"{EMPTY}"}},"layers":[]}}"#
    );

    let report = run(&text);

    assert_one(&report, Rule::MediaTypeShape, "/mediaType");
}

#[test]
fn content_type_mismatch_points_at_media_type() {
    let text = index(OCI_INDEX, &[]);
    let options = InspectOptions {
        content_type: Some(OCI_MANIFEST.into()),
        ..InspectOptions::default()
    };

    let report = inspect(text.as_bytes(), &options);

    assert_one(&report, Rule::MediaTypeMismatch, "/mediaType");
    assert_eq!(report.kind, Kind::OciIndex);
}

#[test]
fn docker_documents_require_media_type_oci_ones_should_have_it() {
    let text = format!(
        r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
        entry(DOCKER_MANIFEST, D1, LINUX_AMD64)
    );
    let options = InspectOptions {
        content_type: Some(format!("{DOCKER_LIST}; charset=utf-8")),
        ..InspectOptions::default()
    };

    let docker = inspect(text.as_bytes(), &options);
    let oci = run(&text);

    assert_one(&docker, Rule::MediaTypeRequired, "");
    assert_eq!(docker.kind, Kind::DockerManifestList);
    assert_one(&oci, Rule::MediaTypeMissing, "");
    assert_eq!(oci.kind, Kind::OciIndex);
    assert!(oci.valid);
}

#[test]
fn unknown_content_type_and_unknown_documents() {
    let options = InspectOptions {
        content_type: Some("application/json".into()),
        ..InspectOptions::default()
    };
    let report = inspect(index(OCI_INDEX, &[]).as_bytes(), &options);
    assert_one(&report, Rule::ContentTypeUnknown, "");
    assert!(report.valid);

    let report = run(r#"{"schemaVersion":2,"hello":"world"}"#);
    assert_one(&report, Rule::UnknownDocument, "");
    assert_eq!(report.kind, Kind::Unknown);

    let report =
        run(r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.config.v1+json"}"#);
    assert_one(&report, Rule::UnknownDocument, "/mediaType");

    let report = run("[1,2]");
    assert_one(&report, Rule::RootNotObject, "");
}

#[test]
fn schema_version_rules() {
    let report = run(&index(OCI_INDEX, &[]).replace("\"schemaVersion\":2,", ""));
    assert_one(&report, Rule::FieldMissing, "");

    let report = run(&index(OCI_INDEX, &[]).replace(":2,", ":3,"));
    assert_one(&report, Rule::SchemaVersionInvalid, "/schemaVersion");

    let report = run(&index(OCI_INDEX, &[]).replace(":2,", ":\"2\","));
    assert_one(&report, Rule::FieldType, "/schemaVersion");

    let report = run(r#"{"schemaVersion":1,"name":"a","tag":"b","fsLayers":[]}"#);
    assert_eq!(report.kind, Kind::DockerManifestV1);
    assert_one(&report, Rule::Schema1Unsupported, "");
}

#[test]
fn descriptor_fields_are_checked_one_by_one() {
    let text = index(
        OCI_INDEX,
        &[
            r#"{"size":1,"digest":"sha256:00"}"#.to_owned(),
            format!(r#"{{"mediaType":7,"size":"700","digest":"{D1}"}}"#),
            format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","size":700.0,"digest":"{D1}","urls":["nope"]}}"#
            ),
            r#""not an object""#.to_owned(),
        ],
    );

    let report = run(&text);

    assert_eq!(
        find(&report, Rule::FieldMissing)
            .iter()
            .map(|d| d.pointer.as_str())
            .collect::<Vec<_>>(),
        ["/manifests/0"]
    );
    assert_one(&report, Rule::DigestInvalid, "/manifests/0/digest");
    let types: Vec<_> = find(&report, Rule::FieldType)
        .iter()
        .map(|d| d.pointer.clone())
        .collect();
    assert_eq!(
        types,
        [
            "/manifests/1/mediaType",
            "/manifests/1/size",
            "/manifests/3"
        ]
    );
    assert_one(&report, Rule::SizeNotInteger, "/manifests/2/size");
    assert_one(&report, Rule::UrlInvalid, "/manifests/2/urls/0");
}

#[test]
fn digest_errors_point_into_the_string() {
    let bad = "sha256:1111111111111111111111111111111111111111111111111111111111111X11";
    let text = index(DOCKER_LIST, &[entry(DOCKER_MANIFEST, bad, LINUX_AMD64)]);

    let report = run(&text);

    let d = assert_one(&report, Rule::DigestInvalid, "/manifests/0/digest");
    assert_eq!(&text[d.offset..d.offset + 1], "X");
    assert!(d.message.contains("lower-case hex"), "{}", d.message);
}

#[test]
fn unregistered_algorithms_are_accepted_with_a_warning() {
    let text = index(
        OCI_INDEX,
        &[entry(OCI_MANIFEST, "blake3:abcdef0123", LINUX_AMD64)],
    );

    let report = run(&text);

    assert!(report.valid);
    assert_one(&report, Rule::DigestUnregistered, "/manifests/0/digest");
}

#[test]
fn sizes_negative_huge_and_beyond_javascript() {
    let text = index(
        OCI_INDEX,
        &[
            entry(OCI_MANIFEST, D1, LINUX_AMD64).replace("700", "-1"),
            entry(OCI_MANIFEST, D1, LINUX_AMD64).replace("700", "9007199254740993"),
            entry(OCI_MANIFEST, D1, LINUX_AMD64).replace("700", "99999999999999999999"),
        ],
    );

    let report = run(&text);

    assert_one(&report, Rule::SizeNegative, "/manifests/0/size");
    assert_one(&report, Rule::SizeUnsafeInteger, "/manifests/1/size");
    assert_eq!(
        report.entries[1].descriptor.size,
        Some(9_007_199_254_740_993)
    );
    assert_one(&report, Rule::SizeNotInteger, "/manifests/2/size");
    assert_eq!(report.entries[2].descriptor.size, None);
}

#[test]
fn data_must_decode_to_the_described_bytes() {
    let good = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/x.test","config":{{"mediaType":"application/vnd.oci.empty.v1+json","size":2,"digest":"{EMPTY}","data":"e30="}},"layers":[]}}"#
    );
    let report = run(&good);
    assert!(report.valid, "{:#?}", report.diagnostics);

    let report = run(&good.replace("e30=", "e30"));
    assert_one(&report, Rule::DataInvalid, "/config/data");

    let report = run(&good.replace("e30=", "W10="));
    assert_one(&report, Rule::DataMismatch, "/config/data");

    let report = run(&good.replace("e30=", "e30gIA=="));
    assert_eq!(find(&report, Rule::DataMismatch).len(), 2);
}

#[test]
fn the_empty_descriptor_and_artifact_type() {
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","size":3,"digest":"{D1}"}},"layers":[]}}"#
    );

    let report = run(&text);

    assert_one(&report, Rule::ArtifactTypeRequired, "");
    let empty: Vec<_> = find(&report, Rule::EmptyDescriptorInvalid)
        .iter()
        .map(|d| d.pointer.clone())
        .collect();
    assert_eq!(empty, ["/config/size", "/config/digest"]);
}

#[test]
fn annotations_are_strings_and_reserved_keys_have_formats() {
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[],"annotations":{{"a":1,"org.opencontainers.image.created":"yesterday","org.opencontainers.image.source":"https://example.com/x","org.opencontainers.image.colour":"blue","org.opencontainers.image.ref.name":"-bad"}}}}"#
    );

    let report = run(&text);

    assert_one(&report, Rule::AnnotationNotString, "/annotations/a");
    let formats: Vec<_> = find(&report, Rule::AnnotationFormat)
        .iter()
        .map(|d| d.pointer.clone())
        .collect();
    assert_eq!(
        formats,
        [
            "/annotations/org.opencontainers.image.created",
            "/annotations/org.opencontainers.image.ref.name"
        ]
    );
    assert_one(
        &report,
        Rule::AnnotationReserved,
        "/annotations/org.opencontainers.image.colour",
    );
    assert_eq!(report.annotations.len(), 4);
}

#[test]
fn annotation_keys_with_slashes_are_escaped_in_pointers() {
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[],"annotations":{{"a/b~c":1}}}}"#
    );

    let report = run(&text);

    assert_one(&report, Rule::AnnotationNotString, "/annotations/a~1b~0c");
}

#[test]
fn platform_rules() {
    let text = index(
        DOCKER_LIST,
        &[
            entry(DOCKER_MANIFEST, D1, ""),
            entry(
                DOCKER_MANIFEST,
                D1,
                r#","platform":{"architecture":"aarch64","os":"linux"}"#,
            ),
            entry(
                DOCKER_MANIFEST,
                D2,
                r#","platform":{"architecture":"arm","os":"linux","variant":"armv8"}"#,
            ),
            entry(
                DOCKER_MANIFEST,
                D1,
                r#","platform":{"architecture":"amd64","os":"linux","os.version":"5.15"}"#,
            ),
            entry(
                DOCKER_MANIFEST,
                D1,
                r#","platform":{"architecture":"z80","os":"cpm"}"#,
            ),
            entry(DOCKER_MANIFEST, D1, r#","platform":{"os":"linux"}"#),
        ],
    );

    let report = run(&text);

    assert_one(&report, Rule::PlatformMissing, "/manifests/0");
    assert_one(
        &report,
        Rule::OsVersionNotWindows,
        "/manifests/3/platform/os.version",
    );
    assert_one(&report, Rule::PlatformUnknownOs, "/manifests/4/platform/os");
    assert_one(
        &report,
        Rule::PlatformUnknownArchitecture,
        "/manifests/4/platform/architecture",
    );
    let non_canonical: Vec<_> = find(&report, Rule::PlatformNotCanonical)
        .iter()
        .map(|d| d.pointer.clone())
        .collect();
    assert_eq!(
        non_canonical,
        [
            "/manifests/1/platform/architecture",
            "/manifests/2/platform/variant"
        ]
    );
    let missing: Vec<_> = find(&report, Rule::FieldMissing)
        .iter()
        .map(|d| d.pointer.clone())
        .collect();
    assert_eq!(missing, ["/manifests/5/platform"]);
}

#[test]
fn duplicate_platforms_compare_normalised_values() {
    let text = index(
        OCI_INDEX,
        &[
            entry(
                OCI_MANIFEST,
                D1,
                r#","platform":{"architecture":"arm64","os":"linux"}"#,
            ),
            entry(
                OCI_MANIFEST,
                D2,
                r#","platform":{"architecture":"arm64","os":"linux","variant":"v8"}"#,
            ),
            entry(
                OCI_MANIFEST,
                D1,
                r#","platform":{"architecture":"amd64","os":"linux"},"annotations":{"x":"1"}"#,
            ),
            entry(
                OCI_MANIFEST,
                D2,
                r#","platform":{"architecture":"amd64","os":"linux"},"annotations":{"x":"2"}"#,
            ),
        ],
    );

    let report = run(&text);

    assert_one(&report, Rule::DuplicatePlatform, "/manifests/1");
    assert_one(&report, Rule::DuplicatePlatformAnnotated, "/manifests/3");
    assert!(report.valid);
}

#[test]
fn mixed_media_types_warn_on_the_array() {
    let text = index(
        OCI_INDEX,
        &[
            entry(DOCKER_MANIFEST, D1, LINUX_AMD64),
            entry(
                OCI_MANIFEST,
                D2,
                r#","platform":{"architecture":"arm64","os":"linux"}"#,
            ),
        ],
    );

    let report = run(&text);

    let d = assert_one(&report, Rule::MixedMediaTypes, "/manifests");
    assert!(d.message.contains("rows 0"), "{}", d.message);
}

#[test]
fn docker_lists_have_no_annotations() {
    let text = index(DOCKER_LIST, &[entry(DOCKER_MANIFEST, D1, LINUX_AMD64)])
        .replace("]}", r#"],"annotations":{"a":"b"}}"#);

    let report = run(&text);

    assert_one(&report, Rule::AnnotationsOnDockerList, "/annotations");
    assert_eq!(report.annotations.get("a"), Some("b"));
}

#[test]
fn attestations_are_tied_to_their_subject() {
    let attestation = |target: &str| {
        entry(
            OCI_MANIFEST,
            D2,
            &format!(
                r#","platform":{{"architecture":"unknown","os":"unknown"}},"annotations":{{"vnd.docker.reference.digest":"{target}","vnd.docker.reference.type":"attestation-manifest"}}"#
            ),
        )
    };
    let text = index(
        OCI_INDEX,
        &[
            entry(OCI_MANIFEST, D1, LINUX_AMD64),
            attestation(D1),
            attestation(EMPTY),
        ],
    );

    let report = run(&text);

    assert_eq!(report.entries[1].role, Role::Attestation);
    assert_eq!(report.entries[1].attests.as_deref(), Some(D1));
    assert_one(&report, Rule::AttestationDangling, "/manifests/2");
    assert!(find(&report, Rule::PlatformUnknownOs).is_empty());
    assert!(find(&report, Rule::DuplicatePlatform).is_empty());
}

#[test]
fn subject_with_platform_and_unknown_fields() {
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"{EMPTY}"}},"layers":[],"subject":{{"mediaType":"{OCI_MANIFEST}","size":1,"digest":"{D1}","platform":{{"os":"linux","architecture":"amd64"}}}},"extra":true}}"#
    );

    let report = run(&text);

    assert_one(&report, Rule::SubjectPlatform, "/subject/platform");
    assert_one(&report, Rule::UnknownField, "/extra");
    assert_eq!(report.subject.as_ref().map(|s| s.digest.as_str()), Some(D1));
    assert!(report.valid);
}

#[test]
fn media_types_with_parameters_warn() {
    let text = index(
        OCI_INDEX,
        &[entry(
            &format!("{OCI_MANIFEST}; charset=utf-8"),
            D1,
            LINUX_AMD64,
        )],
    );

    let report = run(&text);

    assert_one(&report, Rule::MediaTypeParameters, "/manifests/0/mediaType");
}

#[test]
fn child_media_types_that_cannot_be_pulled() {
    let text = index(
        OCI_INDEX,
        &[entry("application/vnd.oci.image.layer.v1.tar+gzip", D1, "")],
    );

    let report = run(&text);

    assert_one(&report, Rule::ChildMediaType, "/manifests/0/mediaType");
    assert_eq!(report.entries[0].role, Role::Other);
    assert!(report.valid);
}

#[test]
fn expected_digests() {
    let text = index(OCI_INDEX, &[]);
    let with = |expected: &str| InspectOptions {
        expected_digest: Some(expected.into()),
        ..InspectOptions::default()
    };
    let digest = run(&text).digest;

    assert!(
        inspect(text.as_bytes(), &with(&digest))
            .diagnostics
            .is_empty()
    );
    let bare = inspect(text.as_bytes(), &with(digest.trim_start_matches("sha256:")));
    assert_one(&bare, Rule::ExpectedDigestNoAlgorithm, "");
    assert!(bare.valid);
    let wrong = inspect(text.as_bytes(), &with(D1));
    assert_one(&wrong, Rule::ExpectedDigestMismatch, "");
    assert!(!wrong.valid);
    let invalid = inspect(text.as_bytes(), &with("sha256:zz"));
    assert_one(&invalid, Rule::ExpectedDigestInvalid, "");
}

#[test]
fn documents_over_four_mib_warn_and_over_the_limit_are_not_read() {
    let padding = " ".repeat(4 * 1024 * 1024);
    let text = format!("{}{padding}", index(OCI_INDEX, &[]));
    let report = run(&text);
    assert_one(&report, Rule::DocumentOver4MiB, "");
    assert!(report.valid);

    let huge = vec![b' '; 16 * 1024 * 1024 + 1];
    let report = inspect(&huge, &InspectOptions::default());
    assert_one(&report, Rule::InputTooLarge, "");
    assert_eq!(report.size, huge.len() as u64);
}

#[test]
fn diagnostics_sort_errors_first_and_say_their_source() {
    let text = index(OCI_INDEX, &[entry(DOCKER_MANIFEST, "bad", LINUX_AMD64)]);

    let report = run(&text);

    assert_eq!(report.diagnostics[0].severity, Severity::Error);
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| !d.source.is_empty() && !d.message.is_empty())
    );
}

#[test]
fn the_report_serialises_with_the_documented_names() {
    let text = index(OCI_INDEX, &[entry(OCI_MANIFEST, D1, LINUX_AMD64)]);

    let json = serde_json::to_value(run(&text)).unwrap();

    assert_eq!(json["kind"], "oci-index");
    assert_eq!(json["mediaType"], OCI_INDEX);
    assert_eq!(json["entries"][0]["platformString"], "linux/amd64");
    assert_eq!(json["entries"][0]["platform"]["os"], "linux");
    assert_eq!(json["entries"][0]["role"], "image");
    assert_eq!(json["entries"][0]["annotations"], serde_json::json!({}));
    assert!(json["config"].is_null());
    assert!(json["artifactType"].is_null());
}

#[test]
fn non_canonical_values_say_whether_clients_translate_them() {
    let text = index(
        OCI_INDEX,
        &[
            entry(
                OCI_MANIFEST,
                D1,
                r#","platform":{"architecture":"aarch64","os":"linux"}"#,
            ),
            entry(
                OCI_MANIFEST,
                D2,
                r#","platform":{"architecture":"arm32v7","os":"linux"}"#,
            ),
        ],
    );

    let report = run(&text);

    let found = find(&report, Rule::PlatformNotCanonical);
    assert_eq!(found.len(), 2);
    assert!(
        found[0].message.contains("containerd normalises it"),
        "{}",
        found[0].message
    );
    assert!(
        found[1]
            .message
            .contains("no client pulls this entry as linux/arm/v7"),
        "{}",
        found[1].message
    );
}

#[test]
fn many_keys_in_one_object_are_checked_in_linear_time() {
    let keys: Vec<String> = (0..50_000).map(|i| format!(r#""k{i}":"v""#)).collect();
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[],"annotations":{{{},"k7":"again"}}}}"#,
        keys.join(",")
    );

    let report = run(&text);

    assert_one(&report, Rule::DuplicateKey, "/annotations/k7");
}

#[test]
fn schema_1_hints_do_not_hide_a_labelled_document() {
    let text = index(OCI_INDEX, &[]).replace("\"schemaVersion\":2", "\"schemaVersion\":1");
    let report = run(&text);
    assert_eq!(report.kind, Kind::OciIndex);
    assert_one(&report, Rule::SchemaVersionInvalid, "/schemaVersion");

    let options = InspectOptions {
        content_type: Some("application/vnd.docker.distribution.manifest.v1+prettyjws".into()),
        ..InspectOptions::default()
    };
    let report = inspect(index(OCI_INDEX, &[]).as_bytes(), &options);
    assert_eq!(report.kind, Kind::OciIndex);
    assert_one(&report, Rule::MediaTypeMismatch, "/mediaType");
}

#[test]
fn lone_surrogate_escapes_are_a_warning_at_their_value() {
    let text = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"{OCI_INDEX}\",\"manifests\":[],\n\"annotations\":{{\"k\":\"ab\\ud800cd\"}}}}"
    );

    let report = run(&text);

    let d = assert_one(&report, Rule::SurrogateEscape, "/annotations/k");
    assert_eq!(d.line, 2);
    assert!(report.valid);
    assert_eq!(report.annotations.get("k"), Some("ab\u{fffd}cd"));
}

#[test]
fn content_types_are_case_insensitive_but_media_type_fields_are_not() {
    let options = InspectOptions {
        content_type: Some("Application/VND.OCI.image.index.v1+json".into()),
        ..InspectOptions::default()
    };

    let report = inspect(index(OCI_INDEX, &[]).as_bytes(), &options);

    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
}

#[test]
fn an_empty_platform_has_no_platform_string() {
    let text = index(
        OCI_INDEX,
        &[entry(
            OCI_MANIFEST,
            D1,
            r#","platform":{"architecture":"","os":""}"#,
        )],
    );

    let report = run(&text);

    assert_eq!(report.entries[0].descriptor.platform_string, None);
}
