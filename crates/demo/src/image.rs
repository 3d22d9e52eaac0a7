//! Images: one small, real, single-platform OCI image per platform.
//!
//! An [`Image`] is three documents, each serialised once and kept as bytes
//! (their digests are taken over those bytes):
//!
//! - the **layer**: an uncompressed tar ([`crate::layer`]) with one file,
//!   `etc/polyarch-demo`, that says which platform the image is for
//!   (`polyarch demo image for linux/arm/v7`);
//! - the **config** (`application/vnd.oci.image.config.v1+json`, OCI image
//!   spec `config.md`): `architecture`, `os` and, when the platform has
//!   one, `variant`; `rootfs.diff_ids` naming the layer (an uncompressed
//!   layer's diff ID is its digest); a `Cmd` that prints the file; a
//!   `created` time and one `history` entry;
//! - the **manifest** (`application/vnd.oci.image.manifest.v1+json`,
//!   `manifest.md`): `schemaVersion` 2, the config's descriptor and one
//!   layer descriptor of media type `application/vnd.oci.image.layer.v1.tar`.
//!
//! The bytes depend on the platform only: the times are the fixed
//! [`CREATED`], the tar header is fixed, and JSON keys come out in one
//! fixed order (sorted, as serde_json writes them without its
//! `preserve_order` feature). The same platform always gives the same digests, which is what
//! lets seeding a registry twice find everything present the second time.
//!
//! ```
//! use polyarch_core::platform::Platform;
//! use polyarch_demo::image::Image;
//!
//! let arm = Image::build(&Platform::new("linux", "arm", Some("v7"))).unwrap();
//! let config: serde_json::Value = serde_json::from_slice(arm.config()).unwrap();
//! assert_eq!(config["variant"], "v7");
//! assert!(arm.digest().verifies(arm.manifest()));
//! ```

use polyarch_core::digest::Digest;
use polyarch_core::platform::Platform;
use polyarch_core::transfer::LocalManifest;
use serde_json::{Value, json};
use thiserror::Error;

use crate::layer::{LayerError, one_file_tar};

/// An OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// An OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// An OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// An uncompressed tar layer.
pub const TAR_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// The creation time written into every config, so that builds repeat.
pub const CREATED: &str = "2025-01-01T00:00:00Z";

/// The one file in each layer, and what the config's `Cmd` prints.
pub const FILE: &str = "etc/polyarch-demo";

/// Why an image could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageError {
    /// The platform has no os or no architecture.
    #[error("a platform needs an os and an architecture, got {platform:?}")]
    IncompletePlatform {
        /// The platform as written (`os/architecture[/variant]`).
        platform: String,
    },
    /// The layer could not be written.
    #[error("the layer cannot be written")]
    Layer(#[from] LayerError),
}

/// A single-platform image: its manifest, config and layer bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    platform: Platform,
    manifest: Vec<u8>,
    config: Vec<u8>,
    layer: Vec<u8>,
}

impl Image {
    /// The demo image for `platform`; only os, architecture and variant are
    /// written into the config.
    ///
    /// # Errors
    ///
    /// [`ImageError::IncompletePlatform`] when os or architecture is empty.
    pub fn build(platform: &Platform) -> Result<Image, ImageError> {
        if platform.os.is_empty() || platform.architecture.is_empty() {
            return Err(ImageError::IncompletePlatform {
                platform: platform.format(),
            });
        }

        let text = format!("polyarch demo image for {}\n", platform.format());
        let layer = one_file_tar(FILE, text.as_bytes())?;
        let layer_digest = Digest::sha256(&layer).to_string();

        let mut config = json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "created": CREATED,
            "config": {"Cmd": ["cat", format!("/{FILE}")]},
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
            "history": [{"created": CREATED, "created_by": format!("polyarch-demo: {FILE}")}],
        });
        if let (Some(variant), Value::Object(fields)) = (&platform.variant, &mut config) {
            fields.insert("variant".to_owned(), Value::from(variant.as_str()));
        }
        let config = config.to_string().into_bytes();

        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": descriptor(OCI_CONFIG, &config),
            "layers": [descriptor(TAR_LAYER, &layer)],
        })
        .to_string()
        .into_bytes();

        Ok(Image {
            platform: platform.clone(),
            manifest,
            config,
            layer,
        })
    }

    /// The platform it was built for.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The manifest's exact bytes.
    pub fn manifest(&self) -> &[u8] {
        &self.manifest
    }

    /// The config's exact bytes.
    pub fn config(&self) -> &[u8] {
        &self.config
    }

    /// The layer's exact bytes.
    pub fn layer(&self) -> &[u8] {
        &self.layer
    }

    /// The manifest's digest.
    pub fn digest(&self) -> Digest {
        Digest::sha256(&self.manifest)
    }

    /// The blobs the manifest names, config first, with their digests.
    pub fn blobs(&self) -> [(Digest, &[u8]); 2] {
        [
            (Digest::sha256(&self.config), self.config.as_slice()),
            (Digest::sha256(&self.layer), self.layer.as_slice()),
        ]
    }

    /// The manifest as the transfer plan's upload takes it, under `tags`.
    pub fn local_manifest(&self, tags: &[&str]) -> LocalManifest {
        LocalManifest {
            bytes: self.manifest.clone(),
            media_type: OCI_MANIFEST.to_owned(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }
}

/// A descriptor of `bytes` with `media_type`.
fn descriptor(media_type: &str, bytes: &[u8]) -> Value {
    json!({
        "mediaType": media_type,
        "digest": Digest::sha256(bytes).to_string(),
        "size": bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use polyarch_core::assemble::entry_from_manifest;
    use polyarch_core::inspect::{InspectOptions, Kind, inspect};
    use proptest::prelude::*;

    fn platforms() -> [Platform; 3] {
        [
            Platform::new("linux", "amd64", None),
            Platform::new("linux", "arm64", Some("v8")),
            Platform::new("linux", "arm", Some("v7")),
        ]
    }

    #[test]
    fn manifests_are_valid_oci_manifests_naming_their_blobs() {
        for platform in platforms() {
            let image = Image::build(&platform).unwrap();

            let report = inspect(
                image.manifest(),
                &InspectOptions {
                    content_type: Some(OCI_MANIFEST.to_owned()),
                    expected_digest: None,
                },
            );

            assert!(
                report.valid,
                "{}: {:?}",
                platform.format(),
                report.diagnostics
            );
            assert_eq!(report.kind, Kind::OciManifest);
            let [(config_digest, _), (layer_digest, _)] = image.blobs();
            assert_eq!(report.config.unwrap().digest, config_digest.to_string());
            assert_eq!(report.layers[0].digest, layer_digest.to_string());
            assert_eq!(report.layers[0].size, Some(image.layer().len() as i64));
        }
    }

    #[test]
    fn configs_carry_the_platform_and_the_layer_diff_id() {
        for platform in platforms() {
            let image = Image::build(&platform).unwrap();

            let entry = entry_from_manifest(image.manifest(), Some(OCI_MANIFEST), image.config());
            let config: Value = serde_json::from_slice(image.config()).unwrap();

            let entry = entry.unwrap();
            assert_eq!(entry.platform.as_ref(), Some(&platform));
            let layer_digest = Digest::sha256(image.layer()).to_string();
            assert_eq!(config["rootfs"]["diff_ids"][0], layer_digest.as_str());
            assert_eq!(config.get("variant").is_some(), platform.variant.is_some());
        }
    }

    #[test]
    fn the_layer_says_which_platform_it_is_for() {
        let image = Image::build(&Platform::new("linux", "arm", Some("v7"))).unwrap();

        let text = &image.layer()[512..512 + 36];

        assert_eq!(text, b"polyarch demo image for linux/arm/v7");
    }

    /// Digests are pinned: a change here changes what `make run` seeds
    /// and must be deliberate.
    #[test]
    fn digests_repeat_and_differ_per_platform() {
        let first: Vec<String> = platforms()
            .iter()
            .map(|p| Image::build(p).unwrap().digest().to_string())
            .collect();

        let second: Vec<String> = platforms()
            .iter()
            .map(|p| Image::build(p).unwrap().digest().to_string())
            .collect();

        assert_eq!(first, second);
        assert_ne!(first[0], first[1]);
        assert_ne!(first[1], first[2]);
    }

    #[test]
    fn incomplete_platforms_are_refused() {
        let cases = [
            Platform::new("", "amd64", None),
            Platform::new("linux", "", None),
        ];
        for platform in cases {
            let built = Image::build(&platform);

            assert!(
                matches!(built, Err(ImageError::IncompletePlatform { .. })),
                "{platform:?}"
            );
        }
    }

    #[test]
    fn local_manifest_keeps_bytes_and_tags() {
        let image = Image::build(&Platform::new("linux", "amd64", None)).unwrap();

        let local = image.local_manifest(&["amd64", "latest"]);

        assert_eq!(local.bytes, image.manifest());
        assert_eq!(local.media_type, OCI_MANIFEST);
        assert_eq!(local.tags, ["amd64", "latest"]);
    }

    proptest! {
        #[test]
        fn never_panics(
            os in "[a-z0-9]{0,12}",
            architecture in "\\PC{0,12}",
            variant in proptest::option::of("\\PC{0,8}"),
        ) {
            let platform = Platform::new(&os, &architecture, variant.as_deref());

            match Image::build(&platform) {
                Ok(image) => prop_assert!(image.digest().verifies(image.manifest())),
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
        }
    }
}
