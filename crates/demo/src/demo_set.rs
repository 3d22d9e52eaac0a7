//! The demo's content: which images are written to which repository, under
//! which tags.
//!
//! | reference | what it is |
//! |---|---|
//! | `demo/app:amd64` | an image for `linux/amd64` |
//! | `demo/app:arm64` | an image for `linux/arm64/v8` |
//! | `demo/app:v1` | an OCI image index of those two |
//! | `demo/base:armv7` | an image for `linux/arm/v7`, in a second repository |
//!
//! Three single-platform tags spread over two repositories are what a
//! multi-architecture list is assembled from (the page's "build a list"
//! and mounts across repositories); `v1` is a list that exists already, to
//! fetch and inspect. The index is written by the core's assembly
//! ([`polyarch_core::assemble`]) in OCI format, compact, from the two
//! manifests and their configs, so its bytes and digest repeat too.
//!
//! ```
//! use polyarch_demo::demo_set::{APP, DemoSet};
//!
//! let set = DemoSet::build().unwrap();
//! let app = set.uploads.iter().find(|u| u.repository == APP).unwrap();
//! let tags: Vec<&str> = app.manifests.iter().flat_map(|m| &m.tags).map(String::as_str).collect();
//! assert_eq!(tags, ["amd64", "arm64", "v1"]);
//! ```

use std::collections::BTreeMap;

use polyarch_core::assemble::{
    Assembled, BuildOptions, ChildError, Format, IndexBuilder, entry_from_manifest,
};
use polyarch_core::platform::Platform;
use polyarch_core::transfer::LocalManifest;
use thiserror::Error;

use crate::image::{Image, ImageError, OCI_MANIFEST};

/// The first repository: two single-platform tags and the index.
pub const APP: &str = "demo/app";

/// The second repository: one single-platform tag.
pub const BASE: &str = "demo/base";

/// The index's tag in [`APP`].
pub const INDEX_TAG: &str = "v1";

/// Why the demo content could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DemoSetError {
    /// An image could not be built.
    #[error("the {platform} image cannot be built")]
    Image {
        /// The image's platform.
        platform: String,
        /// Why.
        #[source]
        source: ImageError,
    },
    /// An image could not become an index entry.
    #[error("the {platform} image cannot be an index entry")]
    Entry {
        /// The image's platform.
        platform: String,
        /// Why.
        #[source]
        source: ChildError,
    },
    /// The assembled index has errors.
    #[error("the index has {count} error(s), first: {first}")]
    Index {
        /// How many errors.
        count: usize,
        /// The first one's message.
        first: String,
    },
}

/// The documents to write to one repository, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The repository, without the registry.
    pub repository: &'static str,
    /// Its manifests with their tags, children before the index.
    pub manifests: Vec<LocalManifest>,
}

/// Everything the demo writes.
#[derive(Debug, Clone)]
pub struct DemoSet {
    /// One upload per repository.
    pub uploads: Vec<Upload>,
    /// Every blob any upload names, by digest (`sha256:…`).
    pub blobs: BTreeMap<String, Vec<u8>>,
    /// The index tagged [`INDEX_TAG`] in [`APP`].
    pub index: Assembled,
}

impl DemoSet {
    /// The demo content; the same every time.
    ///
    /// # Errors
    ///
    /// A [`DemoSetError`] if an image, an entry or the index cannot be
    /// built, which would be a defect of this crate.
    pub fn build() -> Result<DemoSet, DemoSetError> {
        let amd64 = image(&Platform::new("linux", "amd64", None))?;
        let arm64 = image(&Platform::new("linux", "arm64", Some("v8")))?;
        let armv7 = image(&Platform::new("linux", "arm", Some("v7")))?;

        let index = index(&[&amd64, &arm64])?;
        let index_manifest = LocalManifest {
            bytes: index.bytes().to_vec(),
            media_type: index.media_type().to_owned(),
            tags: vec![INDEX_TAG.to_owned()],
        };

        let mut blobs = BTreeMap::new();
        for image in [&amd64, &arm64, &armv7] {
            for (digest, bytes) in image.blobs() {
                blobs.insert(digest.to_string(), bytes.to_vec());
            }
        }

        let uploads = vec![
            Upload {
                repository: APP,
                manifests: vec![
                    amd64.local_manifest(&["amd64"]),
                    arm64.local_manifest(&["arm64"]),
                    index_manifest,
                ],
            },
            Upload {
                repository: BASE,
                manifests: vec![armv7.local_manifest(&["armv7"])],
            },
        ];
        Ok(DemoSet {
            uploads,
            blobs,
            index,
        })
    }

    /// Every `repository:tag` written, in order.
    pub fn references(&self) -> Vec<String> {
        self.uploads
            .iter()
            .flat_map(|upload| {
                upload
                    .manifests
                    .iter()
                    .flat_map(|m| &m.tags)
                    .map(move |tag| format!("{}:{tag}", upload.repository))
            })
            .collect()
    }
}

fn image(platform: &Platform) -> Result<Image, DemoSetError> {
    Image::build(platform).map_err(|source| DemoSetError::Image {
        platform: platform.format(),
        source,
    })
}

/// A compact OCI index of `images`, in the order given.
fn index(images: &[&Image]) -> Result<Assembled, DemoSetError> {
    let mut builder = IndexBuilder::new();
    for image in images {
        let entry = entry_from_manifest(image.manifest(), Some(OCI_MANIFEST), image.config())
            .map_err(|source| DemoSetError::Entry {
                platform: image.platform().format(),
                source,
            })?;
        builder.add(entry);
    }

    let assembled = builder.build(&BuildOptions {
        format: Format::Oci,
        pretty: false,
    });
    if assembled.has_errors() {
        let errors: Vec<_> = assembled
            .diagnostics()
            .iter()
            .filter(|d| d.severity == polyarch_core::diagnostic::Severity::Error)
            .collect();
        return Err(DemoSetError::Index {
            count: errors.len(),
            first: errors
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default(),
        });
    }
    Ok(assembled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polyarch_core::digest::Digest;
    use polyarch_core::inspect::{InspectOptions, Kind, inspect};

    #[test]
    fn references_are_the_documented_four() {
        let set = DemoSet::build().unwrap();

        let references = set.references();

        assert_eq!(
            references,
            [
                "demo/app:amd64",
                "demo/app:arm64",
                "demo/app:v1",
                "demo/base:armv7"
            ]
        );
    }

    #[test]
    fn the_index_lists_amd64_then_arm64_by_their_digests() {
        let set = DemoSet::build().unwrap();
        let app = &set.uploads[0];

        let report = inspect(
            set.index.bytes(),
            &InspectOptions {
                content_type: Some(set.index.media_type().to_owned()),
                expected_digest: Some(set.index.digest().to_owned()),
            },
        );

        assert!(report.valid, "{:?}", report.diagnostics);
        assert_eq!(report.kind, Kind::OciIndex);
        let listed: Vec<(String, String)> = report
            .entries
            .iter()
            .map(|e| {
                let platform = e.descriptor.platform.clone().unwrap_or_default();
                (e.descriptor.digest.clone(), platform.format())
            })
            .collect();
        let expected = [
            (
                Digest::sha256(&app.manifests[0].bytes).to_string(),
                "linux/amd64",
            ),
            (
                Digest::sha256(&app.manifests[1].bytes).to_string(),
                "linux/arm64/v8",
            ),
        ];
        assert_eq!(listed.len(), expected.len());
        for ((digest, platform), (want_digest, want_platform)) in listed.iter().zip(expected) {
            assert_eq!(digest, &want_digest);
            assert_eq!(platform, want_platform);
        }
    }

    #[test]
    fn every_blob_named_is_held_under_its_digest() {
        let set = DemoSet::build().unwrap();

        let named: Vec<String> = set
            .uploads
            .iter()
            .flat_map(|u| &u.manifests)
            .filter(|m| m.media_type == OCI_MANIFEST)
            .flat_map(|m| {
                let report = inspect(&m.bytes, &InspectOptions::default());
                report
                    .config
                    .into_iter()
                    .chain(report.layers)
                    .map(|d| d.digest)
                    .collect::<Vec<_>>()
            })
            .collect();

        assert_eq!(named.len(), 6);
        for digest in named {
            let bytes = &set.blobs[&digest];
            assert!(
                digest.parse::<Digest>().unwrap().verifies(bytes),
                "{digest}"
            );
        }
        assert_eq!(set.blobs.len(), 6, "no blob is shared between platforms");
    }

    #[test]
    fn builds_repeat_byte_for_byte() {
        let first = DemoSet::build().unwrap();

        let second = DemoSet::build().unwrap();

        assert_eq!(first.uploads, second.uploads);
        assert_eq!(first.index.bytes(), second.index.bytes());
    }
}
