//! The limits that keep hostile input cheap, and what happens at each.
//!
//! | input | limit | what `inspect` does |
//! |---|---|---|
//! | nesting deeper than `json::MAX_DEPTH` (64) | 64 levels | `json-syntax` error at the value that goes too deep; nothing else is read, the stack is not exhausted |
//! | more than `MAX_DOCUMENT_SIZE` (4 MiB) | 4 MiB | read and checked, with a `document-over-4mib` warning |
//! | more than `MAX_INSPECT_SIZE` (16 MiB) | 16 MiB | hashed and sized, not parsed: one `input-too-large` error |
//! | many entries | none of its own | bounded by the size limit: a 16 MiB index holds about 75,000 entries of 224 bytes, and is read whole |
//!
//! The tests do not assert times, which depend on the machine; each prints
//! what it took (`cargo test --release --test limits -- --nocapture`). The
//! five largest are ignored in a debug build, where the core's unoptimised
//! code takes ten to twenty times longer (well over a minute for the five
//! on two cores); `make test-fuzz` runs this file in release, where they
//! take seconds. Smaller versions of the nesting cases run in both.
//!
//! Two costs grow with the input, and the tests below show each at a size
//! that keeps the suite quick:
//!
//! - Each nesting level is parsed again (see the `json` module), so a
//!   document nested deep costs its size times its depth. The re-reading is
//!   limited to sixteen passes over the text (never less than 64 MiB in
//!   all); a larger document nested deeper is refused with `json-syntax`.
//!   Before that budget, a 16 MiB array inside 63 arrays took about 16 s in
//!   a release build.
//! - An index of a million `{}` entries is only 3 MB, under every size
//!   limit, and has three million faults. A report lists the first 1,000 of
//!   each rule and counts the rest in one note, so memory stays bounded; the
//!   messages are still composed, so the time (about 7.5 s in a release
//!   build before the cap) stays linear in the faults.

use std::time::Instant;

use polyarch_core::digest::Digest;
use polyarch_core::inspect::{
    InspectOptions, Kind, MAX_DOCUMENT_SIZE, MAX_INSPECT_SIZE, Report, inspect,
};
use polyarch_core::json::MAX_DEPTH;

const MIB: usize = 1024 * 1024;

/// One index entry of the realistic shape; `{i:08}` keeps every entry the
/// same length and every digest different.
fn entry(i: usize) -> String {
    format!(
        r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1234,"digest":"sha256:{i:064x}","platform":{{"architecture":"amd64","os":"linux","variant":"v{i:08}"}}}}"#
    )
}

fn index_of(entries: usize) -> Vec<u8> {
    let mut doc = String::from(
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":["#,
    );
    doc.reserve(entries * (entry(0).len() + 1) + 2);
    for i in 0..entries {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&entry(i));
    }
    doc.push_str("]}");
    doc.into_bytes()
}

fn timed(what: &str, bytes: &[u8]) -> Report {
    let start = Instant::now();
    let report = inspect(bytes, &InspectOptions::default());
    eprintln!(
        "{what}: {} bytes inspected in {:.3} s",
        bytes.len(),
        start.elapsed().as_secs_f64()
    );
    report
}

fn codes(report: &Report) -> Vec<&str> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn nesting_up_to_the_limit_is_read() {
    let depth = MAX_DEPTH - 1;
    let doc = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"x":{}1{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );

    let report = inspect(doc.as_bytes(), &InspectOptions::default());

    assert!(report.valid, "{:?}", report.diagnostics);
    assert_eq!(report.kind, Kind::OciIndex);
}

#[test]
fn nesting_past_the_limit_is_a_syntax_error_at_the_value_too_deep() {
    let doc = format!(
        r#"{{"x":{}1{}}}"#,
        "[".repeat(MAX_DEPTH),
        "]".repeat(MAX_DEPTH)
    );

    let report = inspect(doc.as_bytes(), &InspectOptions::default());

    assert!(!report.valid);
    assert_eq!(codes(&report), ["json-syntax"]);
    let at = report.diagnostics[0].offset;
    assert_eq!(at, r#"{"x":"#.len() + MAX_DEPTH - 1);
    assert!(
        report.diagnostics[0]
            .message
            .contains("nesting deeper than 64")
    );
}

fn refused_for_depth(doc: &str) {
    let report = timed("deep nesting", doc.as_bytes());

    assert!(!report.valid);
    assert_eq!(codes(&report), ["json-syntax"]);
    assert_eq!(report.digest, Digest::sha256(doc.as_bytes()).to_string());
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let cases = [
        format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)),
        "{\"a\":".repeat(500_000) + &"}".repeat(500_000),
        "[".repeat(1_000_000),
    ];

    for doc in &cases {
        refused_for_depth(doc);
    }
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in a debug build; make test-fuzz runs it in release"
)]
fn a_million_levels_of_nesting_are_refused_without_exhausting_the_stack() {
    let doc = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));

    refused_for_depth(&doc);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in a debug build; make test-fuzz runs it in release"
)]
fn a_100_mib_document_is_hashed_and_refused_unread() {
    let mut doc = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"x":""#.to_vec();
    doc.resize(100 * MIB - 2, b'a');
    doc.extend_from_slice(b"\"}");

    let report = timed("100 MiB document", &doc);

    assert_eq!(report.size, (100 * MIB) as u64);
    assert_eq!(report.digest, Digest::sha256(&doc).to_string());
    assert_eq!(codes(&report), ["input-too-large"]);
    assert_eq!(report.kind, Kind::Unknown);
    assert!(report.entries.is_empty());
}

#[test]
fn one_byte_over_the_inspect_limit_is_refused() {
    let mut doc = br#"{"schemaVersion":2,"x":""#.to_vec();
    doc.resize(MAX_INSPECT_SIZE - 1, b' ');
    doc.extend_from_slice(b"\"}");

    let report = inspect(&doc, &InspectOptions::default());

    assert_eq!(doc.len(), MAX_INSPECT_SIZE + 1);
    assert_eq!(codes(&report), ["input-too-large"]);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in a debug build; make test-fuzz runs it in release"
)]
fn a_million_entry_index_is_over_the_size_limit_and_refused() {
    let doc = index_of(1_000_000);

    let report = timed("a million entries", &doc);

    assert!(doc.len() > MAX_INSPECT_SIZE);
    assert_eq!(codes(&report), ["input-too-large"]);
    assert!(report.entries.is_empty());
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in a debug build; make test-fuzz runs it in release"
)]
fn a_16_mib_index_of_75_000_entries_is_read_whole() {
    let count = (MAX_INSPECT_SIZE - 200) / (entry(0).len() + 1);
    let doc = index_of(count);

    let report = timed(&format!("{count} entries"), &doc);

    assert!(count > 70_000, "{count}");
    assert!(doc.len() > MAX_DOCUMENT_SIZE && doc.len() <= MAX_INSPECT_SIZE);
    assert_eq!(report.kind, Kind::OciIndex);
    assert_eq!(report.entries.len(), count);
    assert!(report.valid, "{:?}", &report.diagnostics[..3]);
    assert!(codes(&report).contains(&"document-over-4mib"));
    assert_eq!(report.entries[count - 1].descriptor.size, Some(1234));
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in a debug build; make test-fuzz runs it in release"
)]
fn deep_nesting_inside_the_size_limit_costs_its_size_times_its_depth() {
    let depth = MAX_DEPTH - 1;
    let inner = "1,".repeat(MIB / 2);
    let doc = format!("{}{inner}1{}", "[".repeat(depth), "]".repeat(depth));

    let report = timed("1 MiB nested 63 levels", doc.as_bytes());

    assert_eq!(codes(&report), ["root-not-object"]);
}

#[test]
fn an_index_of_empty_entries_lists_a_bounded_number_of_diagnostics() {
    let count = 5_000;
    let doc = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        vec!["{}"; count].join(",")
    );

    let report = timed(&format!("{count} empty entries"), doc.as_bytes());

    assert_eq!(report.entries.len(), count);
    let listed = polyarch_core::diagnostic::MAX_PER_RULE;
    assert_eq!(report.diagnostics.len(), listed + 1);
    let note = report
        .diagnostics
        .iter()
        .find(|d| d.code == "diagnostics-omitted")
        .unwrap();
    assert!(
        note.message
            .starts_with(&format!("{} more", 3 * count - listed)),
        "{}",
        note.message
    );
    assert!(!report.valid);
}
