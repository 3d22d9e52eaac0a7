//! The list builder and the import, as pure state: what the user typed,
//! what each source gave, the document to push, and where a push or an
//! import stands. The components in
//! [`ListBuilder`](crate::components::ListBuilder) and
//! [`ImportPanel`](crate::components::ImportPanel) draw it and do the
//! fetching; everything here is tested natively.
//!
//! # Building a list
//!
//! 1. A **target** (`registry/repository:tag`; without a tag, `latest`)
//!    and **sources**, added one by one by reference: a tag or a digest in
//!    the target repository, in another repository of the same registry,
//!    or in another registry. References follow `docker pull`'s rules
//!    (Docker Hub by default; see [`polyarch_core::reference`]).
//! 2. Each source is fetched through the proxy ([`source`]): an image
//!    manifest gives an entry whose platform is read from its image config;
//!    an index asks which of its entries to take, or nests itself whole.
//!    A second entry for a platform asks whether to replace the first (the
//!    core's `amend`) or keep both (`add`) ([`state`]).
//! 3. Each row can be annotated: variant, os.version, os.features,
//!    features and annotations ([`fields`]). Rows are removed and moved up
//!    and down; clients pull the first entry that matches them.
//! 4. The **format** is an OCI image index, a Docker manifest list, or
//!    chosen by the core's rules (auto: Docker only when nothing would be
//!    lost). Where the format chosen drops something (annotations in a
//!    Docker list), the preview says what, plainly.
//! 5. The **preview** ([`preview`]) is the exact document: its bytes,
//!    digest, size and the validation report. Those bytes are what a push
//!    sends.
//! 6. **Push** runs the core's resumable push: every child made present in
//!    the target repository (checked, mounted or copied from its source),
//!    then the list under its tag, then the tag read back and compared by
//!    digest ([`run`]).
//!
//! The list at the target can be opened to edit: its entries become ready
//! rows sourced from the target repository by digest.
//!
//! # Import
//!
//! A whole image — index, children, blobs, referrers — copied from a
//! source reference to a target repository with digests unchanged
//! ([`import`]).
//!
//! # Across reloads
//!
//! Everything typed, and an unfinished push or import, is kept in the
//! browser's local storage ([`saved`]); credentials never are.

pub mod fields;
pub mod import;
pub mod preview;
pub mod run;
pub mod saved;
pub mod source;
pub mod state;
