//! The documents behind the page's example buttons.
//!
//! - A Docker manifest list for Linux on amd64 and arm64 and Windows
//!   Server 2019 (os.version `10.0.17763.1697`) on amd64, the shape that a
//!   registry serves for a mixed Linux and Windows tag.
//! - An OCI image index as BuildKit writes it with provenance: two images
//!   and, for each, an attestation manifest (`unknown/unknown`) that names
//!   the image it attests in `vnd.docker.reference.digest`.
//! - A broken manifest list: an upper-case digest, a negative size, an
//!   entry without a platform and a key written twice.

/// One example: its button label and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// What the button says.
    pub label: &'static str,
    /// A stable name, used in test hooks and the URL.
    pub id: &'static str,
    /// The document, hashed as UTF-8.
    pub text: &'static str,
}

/// The examples, in button order.
pub const EXAMPLES: [Example; 3] = [
    Example {
        label: "Docker manifest list (Linux and Windows)",
        id: "docker-list",
        text: DOCKER_LIST,
    },
    Example {
        label: "OCI index with attestations",
        id: "oci-attestations",
        text: OCI_ATTESTATIONS,
    },
    Example {
        label: "Broken manifest list",
        id: "broken",
        text: BROKEN,
    },
];

const DOCKER_LIST: &str = r#"{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "manifests": [
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 524,
         "digest": "sha256:83c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a",
         "platform": {
            "architecture": "amd64",
            "os": "linux"
         }
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 525,
         "digest": "sha256:873612c5503f3f1674f315c67089dee577d8cc6afc18565e0b4183ae355fb343",
         "platform": {
            "architecture": "arm64",
            "os": "linux"
         }
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 1124,
         "digest": "sha256:b791ad98d505abb8c9618868fc43c74aa94d08f1d7afe37d19647c0030905cae",
         "platform": {
            "architecture": "amd64",
            "os": "windows",
            "os.version": "10.0.17763.1697"
         }
      }
   ]
}
"#;

const OCI_ATTESTATIONS: &str = r#"{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:92391f124717e0d4a49c05cbf832ac758d9e0d79712f58e268a3cbae302588d2",
      "size": 1067,
      "platform": {
        "architecture": "amd64",
        "os": "linux"
      }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:a8da524bc4c3fab688e171f0e13fad98ec048e0ecfa041aa33165f8ee755d09f",
      "size": 1067,
      "platform": {
        "architecture": "arm64",
        "os": "linux",
        "variant": "v8"
      }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:2fbaaffe61757b7e01584251da58031b7726d496890e321bc7401ebf742d0c5e",
      "size": 839,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:92391f124717e0d4a49c05cbf832ac758d9e0d79712f58e268a3cbae302588d2",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": {
        "architecture": "unknown",
        "os": "unknown"
      }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:af975e0dd846d40a6fee454c6db925f58cd9064b7833657d821133b78f6fe39f",
      "size": 839,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:a8da524bc4c3fab688e171f0e13fad98ec048e0ecfa041aa33165f8ee755d09f",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": {
        "architecture": "unknown",
        "os": "unknown"
      }
    }
  ]
}
"#;

const BROKEN: &str = r#"{
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {
      "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "size": 524,
      "digest": "sha256:39C4CC29077700719E5844144C5F3307AD3CB06F0694DEC7C33201C35D3E9432",
      "platform": {
        "architecture": "amd64",
        "os": "linux"
      }
    },
    {
      "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "size": -525,
      "digest": "sha256:a57e54ab3df07d708090fe98510ac30b7e04c4129ca629615ce1aefc00ccc989"
    },
    {
      "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "size": 1124,
      "size": 1125,
      "digest": "sha256:b791ad98d505abb8c9618868fc43c74aa94d08f1d7afe37d19647c0030905cae",
      "platform": {
        "architecture": "arm64",
        "os": "linux"
      }
    }
  ]
}
"#;

#[cfg(test)]
mod tests {
    use polyarch_core::inspect::{InspectOptions, Kind, inspect};

    use super::*;

    #[test]
    fn examples_are_what_their_labels_say() {
        let table: &[(&str, Kind, bool, usize)] = &[
            ("docker-list", Kind::DockerManifestList, true, 3),
            ("oci-attestations", Kind::OciIndex, true, 4),
            ("broken", Kind::DockerManifestList, false, 3),
        ];

        for (id, kind, valid, rows) in table {
            let example = EXAMPLES.iter().find(|e| e.id == *id).expect("example");

            let report = inspect(example.text.as_bytes(), &InspectOptions::default());

            assert_eq!(report.kind, *kind, "{id}");
            assert_eq!(report.valid, *valid, "{id}: {:#?}", report.diagnostics);
            assert_eq!(report.entries.len(), *rows, "{id}");
        }
    }

    #[test]
    fn the_broken_example_has_each_of_its_faults_reported() {
        let report = inspect(BROKEN.as_bytes(), &InspectOptions::default());

        let pointers: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.pointer.as_str())
            .collect();
        for pointer in ["/manifests/0/digest", "/manifests/1/size", "/manifests/1"] {
            assert!(pointers.contains(&pointer), "{pointer} in {pointers:?}");
        }
        assert!(
            pointers.iter().any(|p| p.starts_with("/manifests/2")),
            "{pointers:?}"
        );
    }
}
