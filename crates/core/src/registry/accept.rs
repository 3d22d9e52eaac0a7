//! The `Accept` header for manifest requests.
//!
//! A registry chooses what to return for `GET /v2/<name>/manifests/<ref>`
//! from the request's `Accept` header (distribution-spec, "Pulling
//! manifests"). One that is not told it may send an OCI document answers
//! `404 MANIFEST_UNKNOWN` for an image stored as an OCI index, and some
//! answer a Docker schema 1 conversion, so polyarch always lists all four
//! manifest types, indexes first, in the order of
//! [`MANIFEST_TYPES`](crate::media_type::MANIFEST_TYPES).
//!
//! ```
//! use polyarch_core::media_type::MANIFEST_TYPES;
//! use polyarch_core::registry::ACCEPT_MANIFESTS;
//!
//! assert_eq!(ACCEPT_MANIFESTS, MANIFEST_TYPES.join(", "));
//! ```

/// `Accept` for manifest requests: every manifest and index type polyarch
/// reads, comma-separated.
pub const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json";
