//! Pushing: a list (an assembled index or manifest list) to a target tag,
//! and local manifests with their blobs.
//!
//! [`Transfer::push_list`] takes the exact bytes to push. Before the list,
//! every child, and the list's `subject` if it has one, must be in the
//! target repository: each is checked with
//! `HEAD` (`Accept` lists all four manifest types); a missing one is read
//! from its source repository (the `sources` given for its digest, else
//! the target repository itself), its blobs are mounted or copied (see
//! [`copy`](super::copy)), and its exact bytes are `PUT` by digest with its
//! own media type as `Content-Type`. The order is: blobs, then children
//! (nested indexes after their own children), then the manifests that refer
//! to them through `subject`, then the list under its tag with the list's
//! media type; finally the tag is read back ([`verify`](super::verify)).
//! A subject found neither in the target nor where its source says stops
//! the push at that step with the registry's answer, rather than leaving a
//! list that names a manifest the target lacks; writing the list without
//! its subject is the way past it.
//!
//! [`Transfer::upload`] writes documents the driver holds, in the order
//! given: their blobs come from the driver as
//! [`Body::BlobRange`](super::Body::BlobRange) slices, and each document is
//! written under its tags, or by digest when it has none.
//!
//! A tagged document is written only by its tags (the first `PUT` stores
//! it); an untagged one by digest. After an uncertain `PUT` by digest a
//! resumed plan asks with `HEAD` whether it landed; a `PUT` by tag is
//! simply sent again.

use crate::assemble::Assembled;
use crate::digest::Digest;
use crate::registry::paths;

use super::failure::Problem;
use super::plan::{Advance, Options, Origin, PutStage, Repository, Step, Transfer};
use super::request::{Body, Method, Request, Response};

/// A document the driver holds, to write under `tags`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalManifest {
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// The media type, sent as Content-Type.
    pub media_type: String,
    /// Tags; none writes it by digest.
    pub tags: Vec<String>,
}

impl Transfer {
    /// Pushes the list `bytes` (of `media_type`) to `target` under `tag`.
    /// `sources` names, by child digest (`sha256:…`), the repository a
    /// child is read from when the target lacks it.
    pub fn push_list(
        target: &Repository,
        tag: &str,
        bytes: Vec<u8>,
        media_type: &str,
        sources: Vec<(String, Repository)>,
        options: Options,
    ) -> Transfer {
        let mut transfer = Transfer::empty(target.clone(), options);
        transfer.sources = sources;

        let digest = Digest::sha256(&bytes);
        let (node, _) = transfer.node_for(digest, media_type, Origin::Local, Some(bytes));
        if let Some(n) = transfer.nodes.get_mut(node) {
            n.tags.push(tag.to_owned());
        }
        transfer.roots.push(node);
        transfer.queue.push_back(Step::Check { node });
        transfer
    }

    /// [`Transfer::push_list`] for the output of
    /// [`assemble`](crate::assemble): its bytes and media type.
    pub fn push_assembled(
        target: &Repository,
        tag: &str,
        assembled: &Assembled,
        sources: Vec<(String, Repository)>,
        options: Options,
    ) -> Transfer {
        Transfer::push_list(
            target,
            tag,
            assembled.bytes().to_vec(),
            assembled.media_type(),
            sources,
            options,
        )
    }

    /// Writes `manifests`, in order, with their blobs from the driver.
    pub fn upload(
        target: &Repository,
        manifests: Vec<LocalManifest>,
        options: Options,
    ) -> Transfer {
        let mut transfer = Transfer::empty(target.clone(), options);
        for manifest in manifests {
            let digest = Digest::sha256(&manifest.bytes);
            let (node, new) = transfer.node_for(
                digest,
                &manifest.media_type,
                Origin::Local,
                Some(manifest.bytes),
            );
            if let Some(n) = transfer.nodes.get_mut(node) {
                for tag in manifest.tags {
                    if !n.tags.contains(&tag) {
                        n.tags.push(tag);
                    }
                }
            }
            if new {
                transfer.roots.push(node);
                transfer.queue.push_back(Step::Check { node });
            }
        }
        transfer
    }

    pub(super) fn put_request(&self, node: usize, stage: &PutStage) -> Option<Request> {
        let n = self.nodes.get(node)?;
        let target = &self.target;
        let reference = match stage {
            PutStage::Recheck => {
                let path = paths::manifest(&target.name, &n.digest.to_string());
                return Some(
                    Request::new(&target.registry, Method::Head, path)
                        .header("Accept", crate::registry::ACCEPT_MANIFESTS),
                );
            }
            PutStage::Digest => n.digest.to_string(),
            PutStage::Tag(i) => n.tags.get(*i)?.clone(),
        };
        let body = Body::Bytes(n.bytes.clone().unwrap_or_default());
        Some(
            Request::new(
                &target.registry,
                Method::Put,
                paths::manifest(&target.name, &reference),
            )
            .header("Content-Type", n.media_type.clone())
            .body(body),
        )
    }

    pub(super) fn on_put(
        &mut self,
        node: usize,
        stage: &mut PutStage,
        response: &Response,
    ) -> Result<Advance, Problem> {
        let Some(n) = self.nodes.get(node) else {
            return Ok(Advance::Next);
        };
        match (*stage, response.status) {
            (PutStage::Recheck, 200) => {}
            (PutStage::Recheck, 404) => {
                *stage = PutStage::Digest;
                return Ok(Advance::Stay);
            }
            (PutStage::Digest | PutStage::Tag(_), 201) => {
                if let Some(sent) = response.header("docker-content-digest")
                    && sent != n.digest.to_string()
                {
                    return Err(Problem::DigestMismatch {
                        expected: n.digest.to_string(),
                        actual: sent.to_owned(),
                    });
                }
                if let PutStage::Tag(i) = *stage
                    && i + 1 < n.tags.len()
                {
                    *stage = PutStage::Tag(i + 1);
                    return Ok(Advance::Stay);
                }
            }
            _ => return Err(Problem::from_status(response)),
        }
        self.progress.manifests_done += 1;
        Ok(Advance::Next)
    }
}
