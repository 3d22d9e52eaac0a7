//! No input makes the core panic: random bytes, broken UTF-8, deep
//! nesting, huge numbers, and valid documents with parts changed.

use polyarch_core::inspect::{InspectOptions, inspect, select_platform};
use polyarch_core::json;
use polyarch_core::platform::{self, Platform};
use polyarch_core::select::SelectOptions;
use proptest::prelude::*;

const SEED: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"arm","os":"linux","variant":"v7","os.features":["x"]},"annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","data":"e30="},"annotations":{"a":"b"}}"#;

fn check_report(bytes: &[u8]) {
    let report = inspect(bytes, &InspectOptions::default());
    assert_eq!(
        report.valid,
        !report.diagnostics.iter().any(|d| d.is_error())
    );
    for d in &report.diagnostics {
        assert!(d.offset <= bytes.len());
        assert!(d.line >= 1 && d.column >= 1);
        assert!(d.pointer.is_empty() || d.pointer.starts_with('/'));
    }
    let wanted = Platform::new("linux", "arm", Some("v6"));
    select_platform(bytes, &wanted, &SelectOptions::default());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_report(&bytes);
    }

    #[test]
    fn valid_documents_with_one_byte_changed(at in 0..SEED.len(), byte in any::<u8>()) {
        let mut bytes = SEED.as_bytes().to_vec();
        bytes[at] = byte;
        check_report(&bytes);
    }

    #[test]
    fn valid_documents_cut_short(at in 0..SEED.len()) {
        check_report(&SEED.as_bytes()[..at]);
    }

    #[test]
    fn json_like_text(text in r#"[\{\}\[\]",:0-9a-z\\ -]{0,200}"#) {
        check_report(text.as_bytes());
        let _ = json::parse(&text);
    }

    #[test]
    fn any_platform_string(text in "\\PC{0,40}") {
        if let Ok(parsed) = platform::parse(&text) {
            prop_assert_eq!(platform::parse(&parsed.format()).ok(), Some(parsed));
        }
    }
}

#[test]
fn seed_is_valid() {
    let report = inspect(SEED.as_bytes(), &InspectOptions::default());
    assert!(report.valid, "{:#?}", report.diagnostics);
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    for depth in [65, 1_000, 100_000] {
        let text = format!(
            r#"{{"schemaVersion":2,"x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let report = inspect(text.as_bytes(), &InspectOptions::default());
        assert_eq!(report.diagnostics[0].code, "json-syntax", "depth {depth}");
    }
}

#[test]
fn huge_numbers_and_long_strings() {
    let digits = "9".repeat(100_000);
    let text = format!(
        r#"{{"schemaVersion":{digits},"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"size":1e999999,"digest":"{}","mediaType":"{}"}}]}}"#,
        "a".repeat(100_000),
        "b".repeat(100_000)
    );
    check_report(text.as_bytes());
}

#[test]
fn many_entries_stay_linear() {
    let entry = r#"{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"amd64","os":"linux"}}"#;
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        vec![entry; 5_000].join(",")
    );

    let report = inspect(text.as_bytes(), &InspectOptions::default());

    assert_eq!(report.entries.len(), 5_000);
    assert_eq!(report.diagnostics.len(), 1_001);
    assert_eq!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == "diagnostics-omitted")
            .count(),
        1
    );
}
