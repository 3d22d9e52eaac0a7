//! Reading back: after the writes, each tag is fetched with `GET` (all
//! four manifest types accepted) and must be the document pushed: the
//! digest of the bytes read back, and `Docker-Content-Digest` when the
//! registry sends it, both equal the digest of the bytes written. A
//! registry that rewrote the document (a conversion, a re-serialisation)
//! fails here with [`Problem::VerifyMismatch`].

use crate::digest::Digest;

use super::failure::Problem;
use super::plan::{Advance, Transfer};
use super::progress::Verified;
use super::request::Response;

impl Transfer {
    pub(super) fn on_verify(
        &mut self,
        node: usize,
        tag: &str,
        response: &Response,
    ) -> Result<Advance, Problem> {
        if response.status != 200 {
            return Err(Problem::from_status(response));
        }
        let Some(n) = self.nodes.get(node) else {
            return Ok(Advance::Next);
        };

        let expected = n.digest.clone();
        let body = Digest::of(expected.algorithm(), &response.body)
            .unwrap_or_else(|| Digest::sha256(&response.body));
        let header = response.header("docker-content-digest").map(str::to_owned);
        let header_matches = header.as_deref().is_none_or(|h| h == expected.to_string());

        if body != expected || !header_matches {
            return Err(Problem::VerifyMismatch {
                tag: tag.to_owned(),
                expected: expected.to_string(),
                header,
                body: body.to_string(),
            });
        }
        self.progress.verified.push(Verified {
            tag: tag.to_owned(),
            digest: expected.to_string(),
        });
        Ok(Advance::Next)
    }
}
