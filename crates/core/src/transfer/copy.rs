//! Copying: a whole image from one reference to another, and the blob
//! copy both a copy and a push use.
//!
//! [`Transfer::copy`] reads the source reference (an index and every
//! child, nested indexes and attestation manifests included, and the
//! referrers of each), then makes each missing blob and manifest present
//! in the target repository with digests unchanged, as `skopeo copy --all`
//! does.
//!
//! A blob goes, by where it is:
//!
//! | source | requests |
//! |---|---|
//! | the target's registry | `POST /v2/<target>/blobs/uploads/?mount=<digest>&from=<source>`: `201` mounted; `202` opens an upload instead, filled as below |
//! | another registry | `HEAD` the blob in the target (`200`: there); `POST` an upload; then per chunk a `GET` with `Range: bytes=<first>-<last>` (`206`) and a `PATCH` with `Content-Range: <first>-<last>`; then `PUT <location>&digest=<digest>` |
//! | local ([`Origin::Local`]) | as another registry, with [`Body::BlobRange`](super::Body::BlobRange) for each `PATCH` instead of the `GET` |
//!
//! A chunk is at most [`Options::chunk_size`] bytes and is dropped once
//! written, so the plan holds one chunk at most whatever the layer's size.
//! The bytes read are hashed as they come and compared with the digest
//! before the closing `PUT`. A registry that ignores `Range` (a `200` with
//! more than the chunk) is refused with [`Problem::ShortRead`] unless the
//! whole blob is one chunk.

use crate::digest::Hasher;
use crate::reference::Reference;
use crate::registry::paths;

use super::failure::Problem;
use super::plan::{Advance, BlobStage, BlobStep, Options, Origin, Repository, Step, Transfer};
use super::request::{Body, Method, Request, Response, upload_path};

impl Transfer {
    /// Copies `source` (a tag or a digest) and everything it refers to into
    /// the repository of `target`, tagged with `target`'s tag, else
    /// `source`'s tag, else by digest only.
    pub fn copy(source: &Reference, target: &Reference, options: Options) -> Transfer {
        let mut transfer = Transfer::empty(Repository::of(target), options);
        let tags = target
            .tag()
            .or_else(|| source.tag())
            .map(|t| vec![t.to_owned()])
            .unwrap_or_default();
        transfer.queue.push_back(Step::Resolve {
            repository: Repository::of(source),
            reference: source.manifest_reference(),
            tags,
        });
        transfer
    }

    pub(super) fn blob_request(&self, blob: &mut BlobStep) -> Option<Request> {
        let target = &self.target;
        let digest = &blob.blob.digest;
        let request = match &blob.stage {
            BlobStage::Head => Request::new(
                &target.registry,
                Method::Head,
                paths::blob(&target.name, digest),
            ),
            BlobStage::Mount => match &blob.origin {
                Origin::Registry { repository } => Request::new(
                    &target.registry,
                    Method::Post,
                    paths::upload_mount(&target.name, digest, &repository.name),
                ),
                Origin::Local => {
                    Request::new(&target.registry, Method::Post, paths::upload(&target.name))
                }
            },
            BlobStage::Open => {
                Request::new(&target.registry, Method::Post, paths::upload(&target.name))
            }
            BlobStage::Read { offset, .. } => {
                let Origin::Registry { repository } = &blob.origin else {
                    return None;
                };
                let last = offset + self.chunk_len(blob, *offset) - 1;
                Request::new(
                    &repository.registry,
                    Method::Get,
                    paths::blob(&repository.name, digest),
                )
                .header("Range", format!("bytes={offset}-{last}"))
            }
            BlobStage::Write {
                location,
                offset,
                len,
            } => {
                let body = match &blob.origin {
                    Origin::Local => Body::BlobRange {
                        digest: digest.to_string(),
                        start: *offset,
                        len: *len,
                    },
                    Origin::Registry { .. } => Body::Bytes(blob.chunk.clone()),
                };
                Request::new(&target.registry, Method::Patch, location.clone())
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", format!("{offset}-{}", offset + len - 1))
                    .body(body)
            }
            BlobStage::Close { location } => {
                let mut path = location.clone();
                paths::push_query(&mut path, "digest", &digest.to_string());
                Request::new(&target.registry, Method::Put, path)
            }
        };
        Some(request)
    }

    pub(super) fn on_blob(
        &mut self,
        blob: &mut BlobStep,
        response: &Response,
    ) -> Result<Advance, Problem> {
        let size = blob.blob.size;
        match (&blob.stage, response.status) {
            (BlobStage::Head, 200) => {
                self.progress.blobs_present += 1;
                self.blob_done(size)
            }
            (BlobStage::Head, 404) => {
                let same_registry = matches!(&blob.origin, Origin::Registry { repository }
                    if repository.registry == self.target.registry);
                blob.stage = if same_registry {
                    BlobStage::Mount
                } else {
                    BlobStage::Open
                };
                Ok(Advance::Stay)
            }
            (BlobStage::Mount, 201) => {
                self.progress.blobs_mounted += 1;
                self.blob_done(size)
            }
            (BlobStage::Mount | BlobStage::Open, 202) => {
                let location = location(response)?;
                self.opened(blob, location)
            }
            (BlobStage::Read { location, offset }, 200 | 206) => {
                let (location, offset) = (location.clone(), *offset);
                let len = self.chunk_len(blob, offset);
                let received = response.body.len() as u64;
                if received != len || (response.status == 200 && offset != 0) {
                    return Err(Problem::ShortRead {
                        expected: len,
                        received,
                    });
                }
                if let Some(hasher) = &mut blob.hasher {
                    hasher.update(&response.body);
                }
                blob.chunk = response.body.clone();
                blob.stage = BlobStage::Write {
                    location,
                    offset,
                    len,
                };
                Ok(Advance::Stay)
            }
            (
                BlobStage::Write {
                    location,
                    offset,
                    len,
                },
                202,
            ) => {
                let location = upload_path(response.header("location").unwrap_or(location))
                    .ok_or(Problem::MissingLocation)?;
                let offset = offset + len;
                blob.chunk = Vec::new();
                self.progress.bytes_done += len;
                self.next_chunk(blob, location, offset)?;
                Ok(Advance::Stay)
            }
            (BlobStage::Close { .. }, 201 | 204) => {
                self.progress.blobs_uploaded += 1;
                self.progress.bytes_done = self.progress.bytes_done.saturating_sub(size);
                self.blob_done(size)
            }
            _ => Err(Problem::from_status(response)),
        }
    }

    /// The length of the chunk that starts at `offset`.
    fn chunk_len(&self, blob: &BlobStep, offset: u64) -> u64 {
        let chunk = self.options.chunk_size.max(1);
        blob.blob.size.saturating_sub(offset).min(chunk)
    }

    /// An upload session is open at `location`.
    fn opened(&mut self, blob: &mut BlobStep, location: String) -> Result<Advance, Problem> {
        blob.hasher = match blob.origin {
            Origin::Registry { .. } => Hasher::new(blob.blob.digest.algorithm()),
            Origin::Local => None,
        };
        self.next_chunk(blob, location, 0)?;
        Ok(Advance::Stay)
    }

    /// Moves to the chunk at `offset`, or to the closing `PUT` after the
    /// last one.
    fn next_chunk(
        &mut self,
        blob: &mut BlobStep,
        location: String,
        offset: u64,
    ) -> Result<(), Problem> {
        if offset < blob.blob.size {
            blob.stage = match blob.origin {
                Origin::Local => BlobStage::Write {
                    location,
                    offset,
                    len: self.chunk_len(blob, offset),
                },
                Origin::Registry { .. } => BlobStage::Read { location, offset },
            };
            return Ok(());
        }

        if let Some(hasher) = blob.hasher.take() {
            let actual = hasher.finish();
            if actual != blob.blob.digest {
                return Err(Problem::DigestMismatch {
                    expected: blob.blob.digest.to_string(),
                    actual: actual.to_string(),
                });
            }
        }
        blob.stage = BlobStage::Close { location };
        Ok(())
    }

    fn blob_done(&mut self, size: u64) -> Result<Advance, Problem> {
        self.progress.blobs_done += 1;
        self.progress.bytes_done += size;
        Ok(Advance::Next)
    }
}

/// The upload path in a `Location` header.
fn location(response: &Response) -> Result<String, Problem> {
    response
        .header("location")
        .and_then(upload_path)
        .ok_or(Problem::MissingLocation)
}
