//! Referrers: manifests that point at a copied manifest through
//! `subject` (signatures, SBOMs, attestations), copied after it.
//!
//! For each manifest read from a registry, the plan asks the referrers API
//! (distribution-spec v1.1, end-12a):
//! `GET /v2/<name>/referrers/<digest>`. Its answer is an image index whose
//! entries are the referrers; each is copied like a child. A `404` means
//! the registry lacks the API (distribution 2.8 does): the registry is
//! remembered as such, and this and later lookups read the fallback tag
//! instead ("Referrers Tag Schema"), `<alg>-<encoded>` as
//! [`paths::referrers_tag`] gives it. That tag holds an image index of the
//! referrers; it is copied with its entries and kept under the same tag in
//! the target, so that clients of the target find them the same way. A
//! `404` on the tag means there are none.
//!
//! A referrer found through the API on a source without the tag scheme is
//! copied, but when the target lacks the API no fallback tag is written
//! for it there: it is stored but not listed. Writing the tag index from
//! the referrers found (and merging with one already in the target) would
//! fix that.

use crate::inspect::{InspectOptions, inspect};
use crate::registry::paths;

use super::failure::Problem;
use super::plan::{
    Advance, Origin, ReferrersStage, Step, Transfer, document_media_type, manifest_get,
    parse_digest,
};
use super::request::{Method, Request, Response};

/// The media type of a referrers answer and of a fallback tag.
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

impl Transfer {
    pub(super) fn referrers_request(
        &self,
        node: usize,
        stage: &mut ReferrersStage,
    ) -> Option<Request> {
        let n = self.nodes.get(node)?;
        let Origin::Registry { repository } = &n.origin else {
            return None;
        };
        if self.without_referrers_api.contains(&repository.registry) {
            *stage = ReferrersStage::Tag;
        }
        let request = match stage {
            ReferrersStage::Api => Request::new(
                &repository.registry,
                Method::Get,
                paths::referrers(&repository.name, &n.digest, None),
            )
            .header("Accept", OCI_INDEX),
            ReferrersStage::Tag => manifest_get(repository, &paths::referrers_tag(&n.digest)),
        };
        Some(request)
    }

    pub(super) fn on_referrers(
        &mut self,
        node: usize,
        stage: &mut ReferrersStage,
        response: &Response,
    ) -> Result<Advance, Problem> {
        let Some(Origin::Registry { repository }) = self.nodes.get(node).map(|n| n.origin.clone())
        else {
            return Ok(Advance::Next);
        };
        let origin = Origin::Registry {
            repository: repository.clone(),
        };

        match (*stage, response.status) {
            (ReferrersStage::Api, 200) => {
                let options = InspectOptions {
                    content_type: Some(OCI_INDEX.to_owned()),
                    expected_digest: None,
                };
                let report = inspect(&response.body, &options);
                for entry in &report.entries {
                    let descriptor = &entry.descriptor;
                    let digest = parse_digest(&descriptor.digest)?;
                    let (referrer, new) =
                        self.node_for(digest, &descriptor.media_type, origin.clone(), None);
                    self.add_referrer(node, referrer, new);
                }
                Ok(Advance::Next)
            }
            (ReferrersStage::Api, 404) => {
                self.without_referrers_api.insert(repository.registry);
                *stage = ReferrersStage::Tag;
                Ok(Advance::Stay)
            }
            (ReferrersStage::Tag, 404) => Ok(Advance::Next),
            (ReferrersStage::Tag, 200) => {
                let tag = self
                    .nodes
                    .get(node)
                    .map(|n| paths::referrers_tag(&n.digest))
                    .unwrap_or_default();
                let digest = crate::digest::Digest::sha256(&response.body);
                let media_type = document_media_type(response);
                let (index, new) =
                    self.node_for(digest, &media_type, origin, Some(response.body.clone()));
                if let Some(n) = self.nodes.get_mut(index) {
                    n.find_referrers = false;
                    if !n.tags.contains(&tag) {
                        n.tags.push(tag);
                    }
                }
                self.add_referrer(node, index, new);
                Ok(Advance::Next)
            }
            _ => Err(Problem::from_status(response)),
        }
    }

    fn add_referrer(&mut self, subject: usize, referrer: usize, new: bool) {
        if let Some(n) = self.nodes.get_mut(subject)
            && !n.referrers.contains(&referrer)
        {
            n.referrers.push(referrer);
        }
        if new {
            self.queue.push_back(Step::Check { node: referrer });
        }
    }
}
