#![allow(missing_docs)] // criterion_group! defines undocumented functions.
//! Inspection and hashing speed.
//!
//! - `inspect/1000-entries` and `inspect/4mib-index`: polyarch's full
//!   inspection (positions, every rule, the entries table) beside a typed
//!   parse of the same bytes by the `oci-spec` crate and a plain
//!   `serde_json::Value` parse, so that the cost of positions and checks is
//!   visible as a ratio.
//! - `report-json`: the report of those documents, and of a 10,000-entry
//!   index, written as JSON text and read back (`Report` from
//!   `serde_json::from_str`), the two ends of sending a report from a Web
//!   Worker to the page.
//! - `digest/64mib`: SHA-256 over 64 MiB, one shot and in 1 MiB chunks.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use polyarch_core::digest::{Digest, Hasher};
use polyarch_core::inspect::{InspectOptions, Report, inspect};

const ARCHES: &[(&str, Option<&str>)] = &[
    ("amd64", None),
    ("arm64", None),
    ("arm", Some("v7")),
    ("arm", Some("v6")),
    ("ppc64le", None),
    ("s390x", None),
    ("386", None),
    ("riscv64", None),
];

/// An OCI index of `n` entries shaped like a real multi-arch release.
fn index(n: usize) -> Vec<u8> {
    let entries: Vec<String> = (0..n)
        .map(|i| {
            let (arch, variant) = ARCHES[i % ARCHES.len()];
            let variant = variant.map(|v| format!(r#","variant":"{v}""#)).unwrap_or_default();
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{:064x}","size":{},"platform":{{"architecture":"{arch}","os":"linux"{variant}}},"annotations":{{"org.opencontainers.image.ref.name":"release-{i}"}}}}"#,
                i,
                1000 + i
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        entries.join(",")
    )
    .into_bytes()
}

/// An index of at least `bytes` bytes.
fn index_of_size(bytes: usize) -> Vec<u8> {
    let mut entries = bytes / index(1).len();
    let mut doc = index(entries);
    while doc.len() < bytes {
        entries += entries / 10 + 1;
        doc = index(entries);
    }
    doc
}

fn inspection(c: &mut Criterion) {
    let mut group = c.benchmark_group("inspect");
    for (name, doc) in [
        ("1000-entries", index(1000)),
        ("4mib-index", index_of_size(4 << 20)),
    ] {
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_with_input(BenchmarkId::new("polyarch", name), &doc, |b, doc| {
            b.iter(|| inspect(black_box(doc), &InspectOptions::default()))
        });
        group.bench_with_input(BenchmarkId::new("oci-spec", name), &doc, |b, doc| {
            b.iter(|| {
                serde_json::from_slice::<oci_spec::image::ImageIndex>(black_box(doc)).unwrap()
            })
        });
        group.bench_with_input(
            BenchmarkId::new("serde_json-value", name),
            &doc,
            |b, doc| {
                b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(doc)).unwrap())
            },
        );
    }
    group.finish();

    // The positioned JSON tree alone, against a single-pass span-preserving
    // parser: the choice between them is made on these figures.
    let mut group = c.benchmark_group("json-tree");
    for (name, doc) in [
        ("1000-entries", index(1000)),
        ("4mib-index", index_of_size(4 << 20)),
    ] {
        let text = String::from_utf8(doc).expect("generated JSON is UTF-8");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("polyarch-raw-value", name),
            &text,
            |b, text| b.iter(|| polyarch_core::json::parse(black_box(text)).map(|_| ())),
        );
        group.bench_with_input(BenchmarkId::new("jsonc-parser", name), &text, |b, text| {
            let options = jsonc_parser::ParseOptions {
                allow_comments: false,
                allow_loose_object_property_names: false,
                allow_trailing_commas: false,
                allow_missing_commas: false,
                allow_single_quoted_strings: false,
                allow_hexadecimal_numbers: false,
                allow_unary_plus_numbers: false,
                allow_bare_decimal_point_numbers: false,
                allow_extended_string_escapes: false,
                allow_non_finite_numbers: false,
            };
            b.iter(|| {
                jsonc_parser::parse_to_ast(black_box(text), &Default::default(), &options)
                    .map(|_| ())
            })
        });
    }
    group.finish();
}

fn report_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("report-json");
    for (name, doc) in [
        ("1000-entries", index(1000)),
        ("10000-entries", index(10_000)),
        ("4mib-index", index_of_size(4 << 20)),
    ] {
        let report = inspect(&doc, &InspectOptions::default());
        let text = serde_json::to_string(&report).expect("a report is written");
        group.throughput(Throughput::Bytes(text.len() as u64));

        group.bench_with_input(BenchmarkId::new("to_string", name), &report, |b, report| {
            b.iter(|| serde_json::to_string(black_box(report)).expect("a report is written"))
        });
        group.bench_with_input(BenchmarkId::new("from_str", name), &text, |b, text| {
            b.iter(|| serde_json::from_str::<Report>(black_box(text)).expect("a report is read"))
        });
    }
    group.finish();
}

fn hashing(c: &mut Criterion) {
    let data = vec![0x5au8; 64 << 20];
    let mut group = c.benchmark_group("digest");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.bench_function("sha256-64mib", |b| {
        b.iter(|| Digest::sha256(black_box(&data)))
    });
    group.bench_function("sha256-64mib-streamed", |b| {
        b.iter(|| {
            let mut hasher = Hasher::sha256();
            for chunk in data.chunks(1 << 20) {
                hasher.update(black_box(chunk));
            }
            hasher.finish()
        })
    });
    group.finish();
}

criterion_group!(benches, inspection, report_json, hashing);
criterion_main!(benches);
