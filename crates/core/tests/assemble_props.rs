//! Property tests for assembly: any sequence of edits, on any entries,
//! never panics and always builds a document that `inspect` finds free of
//! errors, whose digest and size are those of its bytes, and which,
//! opened again and built with the same options, gives the same bytes.

use polyarch_core::assemble::{BuildOptions, EntryPatch, Format, IndexBuilder, NewEntry};
use polyarch_core::descriptor::Annotations;
use polyarch_core::digest::Digest;
use polyarch_core::inspect::{InspectOptions, inspect};
use polyarch_core::platform::Platform;
use proptest::prelude::*;

const MEDIA_TYPES: &[&str] = &[
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.empty.v1+json",
    "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
    "text/plain",
    "not a media type",
    "",
];

const DIGESTS: &[&str] = &[
    "sha256:83c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a",
    "sha256:873612c5503f3f1674f315c67089dee577d8cc6afc18565e0b4183ae355fb343",
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    "blake3:abcdef",
    "sha256:abc",
    "",
];

const WORDS: &[&str] = &[
    "linux",
    "windows",
    "unknown",
    "amd64",
    "arm64",
    "aarch64",
    "arm",
    "v7",
    "v8",
    "",
    "10.0.17763.1697",
    "win32k",
    "a<b&c>",
    "\u{2028}",
    "é",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(str::to_owned),
        "\\PC{0,6}",
    ]
}

fn platform() -> impl Strategy<Value = Option<Platform>> {
    let fields = (
        word(),
        word(),
        prop::option::of(word()),
        prop::option::of(word()),
        prop::collection::vec(word(), 0..3),
        prop::collection::vec(word(), 0..2),
    );
    prop::option::of(fields.prop_map(
        |(os, architecture, variant, os_version, os_features, features)| Platform {
            os,
            architecture,
            variant,
            os_version,
            os_features,
            features,
        },
    ))
}

fn annotations() -> impl Strategy<Value = Annotations> {
    prop::collection::vec((word(), word()), 0..3).prop_map(Annotations)
}

fn entry() -> impl Strategy<Value = NewEntry> {
    (
        prop::sample::select(MEDIA_TYPES),
        prop::sample::select(DIGESTS),
        prop_oneof![Just(2i64), 0i64..2000, any::<i64>()],
        platform(),
        annotations(),
        prop::option::of(prop::sample::select(MEDIA_TYPES)),
    )
        .prop_map(
            |(media_type, digest, size, platform, annotations, artifact_type)| NewEntry {
                media_type: media_type.to_owned(),
                digest: digest.to_owned(),
                size,
                platform,
                annotations,
                artifact_type: artifact_type.map(str::to_owned),
                ..NewEntry::default()
            },
        )
}

fn patch() -> impl Strategy<Value = EntryPatch> {
    (
        prop::option::of(word()),
        prop::option::of(word()),
        prop::option::of(word()),
        prop::option::of(word()),
        prop::option::of(prop::collection::vec(word(), 0..2)),
        prop::collection::vec((word(), prop::option::of(word())), 0..3),
    )
        .prop_map(
            |(os, architecture, variant, os_version, os_features, annotations)| EntryPatch {
                os,
                architecture,
                variant,
                os_version,
                os_features,
                features: None,
                annotations,
            },
        )
}

#[derive(Debug, Clone)]
enum Edit {
    Add(NewEntry),
    Amend(NewEntry),
    Remove(usize),
    Move(usize, usize),
    Annotate(usize, EntryPatch),
    IndexAnnotation(String, Option<String>),
    ArtifactType(Option<String>),
    Subject(Option<NewEntry>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => entry().prop_map(Edit::Add),
        3 => entry().prop_map(Edit::Amend),
        1 => (0usize..8).prop_map(Edit::Remove),
        1 => (0usize..8, 0usize..8).prop_map(|(a, b)| Edit::Move(a, b)),
        2 => (0usize..8, patch()).prop_map(|(i, p)| Edit::Annotate(i, p)),
        1 => (word(), prop::option::of(word())).prop_map(|(k, v)| Edit::IndexAnnotation(k, v)),
        1 => prop::option::of(prop::sample::select(MEDIA_TYPES).prop_map(str::to_owned))
            .prop_map(Edit::ArtifactType),
        1 => prop::option::of(entry()).prop_map(Edit::Subject),
    ]
}

fn apply(builder: &mut IndexBuilder, edit: Edit) {
    let len = builder.entries().len();
    match edit {
        Edit::Add(entry) => {
            let at = builder.add(entry);
            assert_eq!(at, len);
        }
        Edit::Amend(entry) => {
            let amended = builder.amend(entry.clone());
            assert_eq!(builder.entries()[amended.position], entry);
        }
        Edit::Remove(i) => assert_eq!(builder.remove(i).is_ok(), i < len),
        Edit::Move(a, b) => assert_eq!(builder.move_entry(a, b).is_ok(), a < len && b < len),
        Edit::Annotate(i, patch) => assert_eq!(builder.annotate(i, &patch).is_ok(), i < len),
        Edit::IndexAnnotation(k, v) => builder.set_annotation(&k, v.as_deref()),
        Edit::ArtifactType(t) => builder.set_artifact_type(t),
        Edit::Subject(s) => builder.set_subject(s),
    }
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Oci), Just(Format::Docker), Just(Format::Auto)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_edits_build_a_valid_document(
        edits in prop::collection::vec(edit(), 0..12),
        format in format(),
        pretty in any::<bool>(),
    ) {
        let mut builder = IndexBuilder::new();
        for edit in edits {
            apply(&mut builder, edit);
        }

        let built = builder.build(&BuildOptions { format, pretty });

        let report = inspect(built.bytes(), &InspectOptions::default());
        prop_assert!(report.valid, "{}\n{:#?}", built.text(), report.diagnostics);
        prop_assert!(report.kind.is_index());
        prop_assert_eq!(report.kind.media_type(), built.media_type());
        prop_assert_eq!(built.digest(), Digest::sha256(built.bytes()).to_string());
        prop_assert_eq!(built.size(), built.bytes().len() as u64);
        let refused = built.diagnostics().iter().filter(|d| d.code == "assembly-entry-invalid").count();
        prop_assert!(report.entries.len() <= builder.entries().len());
        prop_assert!(report.entries.len() + refused >= builder.entries().len());

        let reopened = IndexBuilder::from_document(built.bytes(), Some(built.media_type()));
        let rebuilt = reopened.map(|b| b.build(&BuildOptions { format, pretty }));
        prop_assert_eq!(rebuilt.map(|r| r.text().to_owned()), Ok(built.text().to_owned()));
    }
}
