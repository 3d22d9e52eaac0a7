//! Inspection of arbitrary bytes: `inspect` under each kind of Content-Type
//! and with the right expected digest, then `select_platform`.
//!
//! Properties: nothing panics; `valid` is exactly "no error diagnostic";
//! every diagnostic lies inside the input (offset ≤ length, line and column
//! from 1) and has a well-formed JSON Pointer (RFC 6901); the digest is the
//! SHA-256 of the bytes and the size their length; an expected digest equal
//! to the real one never reports a mismatch; a selected entry is one of the
//! document's entries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyarch_core::diagnostic::Diagnostic;
use polyarch_core::inspect::{InspectOptions, Report, inspect, select_platform};
use polyarch_core::platform::Platform;
use polyarch_core::select::SelectOptions;
use sha2::{Digest as _, Sha256};

/// Content-Types a registry may send, chosen by the input's length so that
/// the corpus stays plain documents.
const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/vnd.oci.image.index.v1+json"),
    Some("application/vnd.oci.image.manifest.v1+json"),
    Some("application/vnd.docker.distribution.manifest.list.v2+json"),
    Some("application/vnd.docker.distribution.manifest.v2+json"),
    Some("application/vnd.docker.distribution.manifest.v1+prettyjws"),
    Some("application/json; charset=utf-8"),
    Some("text/plain"),
    Some("not a media type"),
];

/// Hosts to select for, chosen the same way.
const WANTED: &[(&str, &str, Option<&str>)] = &[
    ("linux", "amd64", None),
    ("linux", "arm", Some("v6")),
    ("linux", "arm64", Some("v8")),
    ("windows", "amd64", None),
];

fuzz_target!(|bytes: &[u8]| {
    let content_type = CONTENT_TYPES[bytes.len() % CONTENT_TYPES.len()];
    let options = InspectOptions {
        content_type: content_type.map(str::to_owned),
        expected_digest: None,
    };
    let report = inspect(bytes, &options);
    check_report(bytes, &report);

    let hex = hex(&Sha256::digest(bytes));
    assert_eq!(report.digest, format!("sha256:{hex}"));
    assert_eq!(report.size, bytes.len() as u64);

    let confirmed = inspect(
        bytes,
        &InspectOptions {
            content_type: options.content_type.clone(),
            expected_digest: Some(format!("sha256:{hex}")),
        },
    );
    check_report(bytes, &confirmed);
    assert!(
        confirmed
            .diagnostics
            .iter()
            .all(|d| !d.code.starts_with("expected-digest")),
        "the right expected digest was reported: {:?}",
        confirmed.diagnostics
    );

    let (os, architecture, variant) = WANTED[bytes.len() % WANTED.len()];
    let wanted = Platform::new(os, architecture, variant);
    let selection = select_platform(bytes, &wanted, &SelectOptions::default());
    let plain = inspect(bytes, &InspectOptions::default());
    assert_eq!(selection.diagnostics, plain.diagnostics);
    if let Some(entry) = &selection.entry {
        assert!(plain.entries.contains(entry), "{entry:?} is not an entry");
    }
    for &i in &selection.unresolved {
        assert!(plain.entries.iter().any(|e| e.index == i), "unresolved {i}");
    }
});

fn check_report(bytes: &[u8], report: &Report) {
    assert_eq!(
        report.valid,
        !report.diagnostics.iter().any(Diagnostic::is_error)
    );
    for d in &report.diagnostics {
        assert!(
            d.offset <= bytes.len(),
            "{d:?} beyond {} bytes",
            bytes.len()
        );
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        assert!(is_pointer(&d.pointer), "{d:?}");
        assert!(!d.code.is_empty() && !d.message.is_empty(), "{d:?}");
    }
    for (i, entry) in report.entries.iter().enumerate() {
        assert_eq!(entry.index, i);
    }
}

/// RFC 6901: empty, or `/`-separated tokens in which `~` is followed only
/// by `0` or `1`.
fn is_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    let mut chars = pointer.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
