//! Index assembly: arbitrary edits of an `IndexBuilder` (add, amend,
//! remove, move, annotate, index annotations, artifactType, subject) on
//! entries with any media type, digest, size, platform, annotations,
//! artifactType, urls and data, then a build in each format.
//!
//! Properties: nothing panics; the digest is the SHA-256 of the bytes
//! written and the size their length; `inspect` finds no error in them and
//! reads the media type the build reports; the built entries are the
//! builder's entries less the refused ones; opening the written document
//! again and building it in the same format gives the same bytes.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use polyarch_core::assemble::{BuildOptions, EntryPatch, Format, IndexBuilder, NewEntry};
use polyarch_core::descriptor::Annotations;
use polyarch_core::inspect::{InspectOptions, inspect};
use polyarch_core::platform::Platform;
use sha2::{Digest as _, Sha256};

const MEDIA_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.empty.v1+json",
    "application/vnd.example.sbom.v1+json",
];
const OS: &[&str] = &["linux", "windows", "darwin", "unknown", "Linux", "freebsd"];
const ARCHITECTURES: &[&str] = &[
    "amd64", "arm64", "arm", "aarch64", "unknown", "386", "x86_64",
];
const VARIANTS: &[&str] = &["v5", "v6", "v7", "v8", "8", ""];
const URLS: &[&str] = &[
    "https://example.com/layer.tar",
    "http://[::1]/x",
    "relative/path",
    "",
];
/// Base64 data: `{}` (the empty descriptor's content), empty, not base64.
const DATA: &[&str] = &["e30=", "", "e30", "!!"];
const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// A value drawn mostly from the realistic pool, sometimes free text.
#[derive(Debug, Arbitrary)]
enum Pick {
    Pool(u8),
    Free(String),
}

impl Pick {
    fn choose(&self, pool: &[&str]) -> String {
        match self {
            Pick::Pool(i) => pool[usize::from(*i) % pool.len()].to_owned(),
            Pick::Free(text) => text.clone(),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum DigestPick {
    /// `sha256:` and 64 copies of one hex digit.
    Filled(u8),
    Empty,
    Free(String),
}

#[derive(Debug, Arbitrary)]
struct PlatformIn {
    os: Pick,
    architecture: Pick,
    variant: Option<Pick>,
    os_version: Option<String>,
    os_features: Vec<String>,
    features: Vec<String>,
}

#[derive(Debug, Arbitrary)]
struct EntryIn {
    media_type: Pick,
    digest: DigestPick,
    size: i64,
    platform: Option<PlatformIn>,
    annotations: Vec<(String, String)>,
    artifact_type: Option<Pick>,
    urls: Vec<Pick>,
    data: Option<Pick>,
}

#[derive(Debug, Arbitrary)]
struct PatchIn {
    os: Option<Pick>,
    architecture: Option<Pick>,
    variant: Option<Pick>,
    os_version: Option<String>,
    os_features: Option<Vec<String>>,
    annotations: Vec<(String, Option<String>)>,
}

#[derive(Debug, Arbitrary)]
enum Edit {
    Add(EntryIn),
    Amend(EntryIn),
    Remove(u8),
    Move(u8, u8),
    Annotate(u8, PatchIn),
    SetAnnotation(String, Option<String>),
    SetArtifactType(Option<Pick>),
    SetSubject(Option<EntryIn>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    edits: Vec<Edit>,
    format: u8,
    pretty: bool,
}

fuzz_target!(|input: Input| {
    let mut builder = IndexBuilder::new();
    for edit in &input.edits {
        apply(&mut builder, edit);
    }
    let format = [Format::Auto, Format::Oci, Format::Docker][usize::from(input.format) % 3];
    let options = BuildOptions {
        format,
        pretty: input.pretty,
    };

    let built = builder.build(&options);

    let bytes = built.bytes();
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(built.digest(), format!("sha256:{hex}"));
    assert_eq!(built.size(), bytes.len() as u64);

    let report = inspect(
        bytes,
        &InspectOptions {
            content_type: Some(built.media_type().to_owned()),
            expected_digest: Some(built.digest().to_owned()),
        },
    );
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{}", built.text());
    assert_eq!(report.kind.media_type(), built.media_type());
    assert!(report.entries.len() <= builder.entries().len());
    if !built.has_errors() {
        assert_eq!(
            report.entries.len(),
            builder.entries().len(),
            "{}",
            built.text()
        );

        let reopened = match IndexBuilder::from_document(bytes, Some(built.media_type())) {
            Ok(reopened) => reopened,
            Err(e) => panic!(
                "the written document does not open: {e:?}\n{}",
                built.text()
            ),
        };
        let again = reopened.build(&BuildOptions {
            format: built.format(),
            pretty: input.pretty,
        });
        assert_eq!(again.text(), built.text());
    }
});

fn apply(builder: &mut IndexBuilder, edit: &Edit) {
    match edit {
        Edit::Add(entry) => {
            builder.add(new_entry(entry));
        }
        Edit::Amend(entry) => {
            let len = builder.entries().len();
            let amended = builder.amend(new_entry(entry));
            assert!(amended.position < builder.entries().len());
            assert!(builder.entries().len() <= len + 1);
        }
        Edit::Remove(at) => {
            let len = builder.entries().len();
            let removed = builder.remove(usize::from(*at));
            assert_eq!(removed.is_ok(), usize::from(*at) < len);
        }
        Edit::Move(from, to) => {
            let _ = builder.move_entry(usize::from(*from), usize::from(*to));
        }
        Edit::Annotate(at, patch) => {
            let _ = builder.annotate(usize::from(*at), &entry_patch(patch));
        }
        Edit::SetAnnotation(key, value) => builder.set_annotation(key, value.as_deref()),
        Edit::SetArtifactType(pick) => {
            builder.set_artifact_type(pick.as_ref().map(|p| p.choose(MEDIA_TYPES)));
        }
        Edit::SetSubject(entry) => builder.set_subject(entry.as_ref().map(new_entry)),
    }
}

fn new_entry(entry: &EntryIn) -> NewEntry {
    let digest = match &entry.digest {
        DigestPick::Filled(digit) => {
            let digit = b"0123456789abcdef"[usize::from(*digit) % 16] as char;
            format!("sha256:{}", digit.to_string().repeat(64))
        }
        DigestPick::Empty => EMPTY_DIGEST.to_owned(),
        DigestPick::Free(text) => text.clone(),
    };
    NewEntry {
        media_type: entry.media_type.choose(MEDIA_TYPES),
        digest,
        size: entry.size,
        platform: entry.platform.as_ref().map(platform),
        annotations: Annotations(entry.annotations.clone()),
        artifact_type: entry.artifact_type.as_ref().map(|p| p.choose(MEDIA_TYPES)),
        urls: entry.urls.iter().map(|p| p.choose(URLS)).collect(),
        data: entry.data.as_ref().map(|p| p.choose(DATA)),
        ..NewEntry::default()
    }
}

fn platform(p: &PlatformIn) -> Platform {
    Platform {
        os: p.os.choose(OS),
        architecture: p.architecture.choose(ARCHITECTURES),
        variant: p.variant.as_ref().map(|v| v.choose(VARIANTS)),
        os_version: p.os_version.clone(),
        os_features: p.os_features.clone(),
        features: p.features.clone(),
    }
}

fn entry_patch(p: &PatchIn) -> EntryPatch {
    EntryPatch {
        os: p.os.as_ref().map(|v| v.choose(OS)),
        architecture: p.architecture.as_ref().map(|v| v.choose(ARCHITECTURES)),
        variant: p.variant.as_ref().map(|v| v.choose(VARIANTS)),
        os_version: p.os_version.clone(),
        os_features: p.os_features.clone(),
        features: None,
        annotations: p.annotations.clone(),
    }
}
