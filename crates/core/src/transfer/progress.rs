//! What a transfer has done so far, in counts and bytes.
//!
//! The totals grow while the plan discovers what it has to copy (each
//! index it reads adds children, each manifest its blobs); once the first
//! blob or manifest is written they are final.

use serde::{Deserialize, Serialize};

/// A tag read back after the push, with the digest it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// The tag.
    pub tag: String,
    /// The digest of the bytes read back, equal to the one pushed.
    pub digest: String,
}

/// Counts and bytes; serialised in camelCase.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// The step in progress, for a person: `"copy blob sha256:…"`; empty
    /// when done.
    pub step: String,
    /// Steps finished.
    pub steps_done: u64,
    /// Steps finished and known to be left.
    pub steps_total: u64,
    /// Manifests (and indexes) found in the source or given.
    pub manifests_found: u64,
    /// Of those, already in the target repository.
    pub manifests_present: u64,
    /// Manifests to write (by digest or by tag).
    pub manifests_total: u64,
    /// Manifests written.
    pub manifests_done: u64,
    /// Blobs to make present in the target repository.
    pub blobs_total: u64,
    /// Blobs present: found, mounted or uploaded.
    pub blobs_done: u64,
    /// Of those, already in the target repository.
    pub blobs_present: u64,
    /// Of those, mounted from another repository.
    pub blobs_mounted: u64,
    /// Of those, uploaded.
    pub blobs_uploaded: u64,
    /// The sizes of all blobs to make present.
    pub bytes_total: u64,
    /// Bytes of finished blobs, plus the part of the current blob sent.
    pub bytes_done: u64,
    /// Requests handed to the driver.
    pub requests: u64,
    /// Tags read back and found right.
    pub verified: Vec<Verified>,
}
