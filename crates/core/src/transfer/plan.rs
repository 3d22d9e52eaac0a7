//! The plan: what has to be made present in the target repository, in
//! which order, and where it stands.
//!
//! A [`Transfer`] is driven by two calls: [`Transfer::next_action`] gives the next
//! [`Action`] and [`Transfer::receive`] takes the answer to the request it
//! sent. Work is a queue of steps; a finished step is dropped and never
//! redone. Discovery steps (check, fetch, referrers) come first and add
//! further steps; when the queue runs dry the write steps are laid out
//! (blobs, then manifests children first, then the tags) and the read-back
//! steps after them.
//!
//! Resuming: when a request was handed out and no answer came back (the
//! driver stopped, the page was closed, the state was saved in between),
//! or after [`Transfer::retry`], the step in progress is uncertain and is
//! re-checked: a blob with `HEAD`, an untagged manifest with `HEAD`, a read
//! by reading again. A blob upload in progress restarts from its first
//! byte, since the upload session and the running hash are not kept.

use std::collections::{BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::descriptor::Descriptor;
use crate::digest::{Digest, Hasher};
use crate::inspect::{InspectOptions, Kind, inspect};
use crate::registry::ACCEPT_MANIFESTS;
use crate::registry::paths;

use super::failure::{Failure, Problem, RateLimit};
use super::progress::Progress;
use super::request::{Method, Request, Response};

/// The default size of one chunk of a blob copy: 8 MiB.
pub const DEFAULT_CHUNK_SIZE: u64 = 8 * 1024 * 1024;

/// How many `429`s in a row are waited out before the transfer fails.
pub const DEFAULT_RATE_LIMIT_RETRIES: u32 = 5;

/// The wait after a `429` without a numeric `Retry-After`, in seconds.
pub const DEFAULT_RETRY_AFTER: u64 = 10;

/// A repository in a registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    /// The registry, as in a reference (`docker.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// The repository, without the registry (`library/bash`).
    pub name: String,
}

impl Repository {
    /// A repository from its parts.
    pub fn new(registry: &str, name: &str) -> Self {
        Repository {
            registry: registry.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The repository of a reference.
    pub fn of(reference: &crate::reference::Reference) -> Self {
        Repository::new(reference.registry(), reference.repository())
    }
}

/// Where content comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Origin {
    /// A repository of a registry: read with `GET`, mounted when it is on
    /// the target's registry.
    Registry {
        /// The repository.
        repository: Repository,
    },
    /// The driver: blob bytes are asked for with
    /// [`Body::BlobRange`](super::Body::BlobRange).
    Local,
}

/// How the plan behaves; [`Options::default`] gives the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Options {
    /// The most bytes of a blob held or sent at once; 8 MiB by default.
    pub chunk_size: u64,
    /// `429`s in a row waited out before failing; 5 by default.
    pub rate_limit_retries: u32,
    /// The wait when `Retry-After` is absent or a date; 10 s by default.
    pub default_retry_after: u64,
    /// Whether referrers (signatures, SBOMs, attestations attached with
    /// `subject`) of copied manifests are copied too; true by default.
    pub referrers: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chunk_size: DEFAULT_CHUNK_SIZE,
            rate_limit_retries: DEFAULT_RATE_LIMIT_RETRIES,
            default_retry_after: DEFAULT_RETRY_AFTER,
            referrers: true,
        }
    }
}

/// What the driver should do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Action {
    /// Send this request and pass the answer to [`Transfer::receive`].
    Send(Request),
    /// Wait this long, then call [`Transfer::next_action`] again (a `429`).
    Wait {
        /// Seconds to wait.
        seconds: u64,
        /// The registry's figures.
        rate_limit: RateLimit,
    },
    /// Everything is in place and read back.
    Done,
    /// The transfer stopped; [`Transfer::retry`] resumes it.
    Failed(Failure),
}

/// Whether a manifest is in the target repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Presence {
    /// Not checked yet.
    Unknown,
    /// Already there: nothing of it is copied.
    Present,
    /// Missing: it and its blobs are copied.
    Missing,
}

/// A blob a manifest names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct BlobRef {
    #[serde(with = "digest_text")]
    pub(super) digest: Digest,
    pub(super) size: u64,
}

/// A manifest or index the plan knows of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Node {
    #[serde(with = "digest_text")]
    pub(super) digest: Digest,
    pub(super) media_type: String,
    pub(super) origin: Origin,
    /// The exact bytes, once read or when given.
    #[serde(with = "bytes_text")]
    pub(super) bytes: Option<Vec<u8>>,
    /// Tags to put it under in the target.
    pub(super) tags: Vec<String>,
    pub(super) presence: Presence,
    /// Whether its referrers are looked for.
    pub(super) find_referrers: bool,
    pub(super) children: Vec<usize>,
    pub(super) referrers: Vec<usize>,
    pub(super) blobs: Vec<BlobRef>,
}

/// A stage of a blob's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "camelCase")]
pub(super) enum BlobStage {
    /// `HEAD` the blob in the target.
    Head,
    /// `POST …?mount=&from=`.
    Mount,
    /// `POST` a new upload session.
    Open,
    /// `GET` a range of the source blob.
    Read { location: String, offset: u64 },
    /// `PATCH` the chunk held (or a local range).
    Write {
        location: String,
        offset: u64,
        len: u64,
    },
    /// `PUT …&digest=`.
    Close { location: String },
}

/// A blob to make present.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct BlobStep {
    pub(super) blob: BlobRef,
    pub(super) origin: Origin,
    pub(super) stage: BlobStage,
    /// The chunk read and not yet written; never more than one.
    #[serde(skip)]
    pub(super) chunk: Vec<u8>,
    /// The hash of the bytes read so far.
    #[serde(skip)]
    pub(super) hasher: Option<Hasher>,
}

/// A stage of a manifest's write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum PutStage {
    /// `HEAD` by digest: after an uncertain `PUT`.
    Recheck,
    /// `PUT` by digest.
    Digest,
    /// `PUT` by the n-th tag.
    Tag(usize),
}

/// Where a referrers lookup stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum ReferrersStage {
    /// `GET /v2/<name>/referrers/<digest>`.
    Api,
    /// `GET /v2/<name>/manifests/<alg>-<hex>`.
    Tag,
}

/// One step of the plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub(super) enum Step {
    /// Read a root by tag or digest from its repository.
    Resolve {
        repository: Repository,
        reference: String,
        tags: Vec<String>,
    },
    /// `HEAD` a manifest in the target.
    Check { node: usize },
    /// `GET` a manifest from its origin.
    Fetch { node: usize },
    /// Look for a manifest's referrers in its origin.
    Referrers { node: usize, stage: ReferrersStage },
    /// Make a blob present.
    Blob(Box<BlobStep>),
    /// Write a manifest.
    Put { node: usize, stage: PutStage },
    /// Read a tag back.
    Verify { node: usize, tag: String },
}

/// How a step's answer moves the plan.
pub(super) enum Advance {
    /// The step goes on with another request.
    Stay,
    /// The step is finished.
    Next,
}

/// A resumable transfer; see the module documentation of
/// [`transfer`](super).
///
/// Serialise it (serde) to keep it across a reload; a loaded transfer
/// re-checks its step in progress and goes on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    pub(super) target: Repository,
    pub(super) options: Options,
    pub(super) nodes: Vec<Node>,
    pub(super) roots: Vec<usize>,
    /// Where children without a source of their own come from, by digest.
    pub(super) sources: Vec<(String, Repository)>,
    pub(super) queue: VecDeque<Step>,
    pub(super) laid_out: bool,
    /// Registries found to lack the referrers API.
    pub(super) without_referrers_api: BTreeSet<String>,
    pub(super) progress: Progress,
    pub(super) in_flight: bool,
    pub(super) rate_limited: u32,
    pub(super) last_request: String,
    #[serde(skip)]
    pub(super) live: bool,
    #[serde(skip)]
    pub(super) failure: Option<Failure>,
    #[serde(skip)]
    pub(super) wait: Option<(u64, RateLimit)>,
}

impl Transfer {
    pub(super) fn empty(target: Repository, options: Options) -> Self {
        Transfer {
            target,
            options,
            nodes: Vec::new(),
            roots: Vec::new(),
            sources: Vec::new(),
            queue: VecDeque::new(),
            laid_out: false,
            without_referrers_api: BTreeSet::new(),
            progress: Progress::default(),
            in_flight: false,
            rate_limited: 0,
            last_request: String::new(),
            live: true,
            failure: None,
            wait: None,
        }
    }

    /// The target repository.
    pub fn target(&self) -> &Repository {
        &self.target
    }

    /// Counts and bytes so far.
    pub fn progress(&self) -> Progress {
        let mut progress = self.progress.clone();
        progress.step = self
            .queue
            .front()
            .map(|s| self.describe(s))
            .unwrap_or_default();
        progress.steps_total = progress.steps_done + self.queue.len() as u64;
        progress
    }

    /// The failure that stopped the transfer, if any.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    /// Whether every step is finished.
    pub fn is_done(&self) -> bool {
        self.laid_out && self.queue.is_empty()
    }

    /// The bytes of blob content the plan holds: at most one chunk.
    pub fn held_bytes(&self) -> usize {
        self.queue
            .iter()
            .map(|step| match step {
                Step::Blob(blob) => blob.chunk.len(),
                _ => 0,
            })
            .sum()
    }

    /// Clears a failure and re-checks the step that failed.
    pub fn retry(&mut self) {
        if self.failure.take().is_some() {
            self.rate_limited = 0;
            self.recheck();
        }
    }

    /// The next thing to do.
    pub fn next_action(&mut self) -> Action {
        if let Some(failure) = &self.failure {
            return Action::Failed(failure.clone());
        }
        if !self.live || self.in_flight {
            let uncertain = self.in_flight;
            self.live = true;
            self.in_flight = false;
            if uncertain {
                self.recheck();
            } else {
                self.restart_partial_blob();
            }
        }
        if let Some((seconds, rate_limit)) = self.wait.take() {
            return Action::Wait {
                seconds,
                rate_limit,
            };
        }

        loop {
            let Some(mut step) = self.queue.pop_front() else {
                if self.laid_out {
                    return Action::Done;
                }
                self.lay_out();
                continue;
            };

            if let Some(request) = self.request_for(&mut step) {
                self.queue.push_front(step);
                self.in_flight = true;
                self.progress.requests += 1;
                self.last_request = request.line();
                return Action::Send(request);
            }
            self.progress.steps_done += 1;
        }
    }

    /// Takes the answer to the request [`Transfer::next_action`] handed out. An
    /// answer when no request is out is ignored.
    pub fn receive(&mut self, response: Response) {
        if !self.in_flight || self.failure.is_some() {
            return;
        }
        self.in_flight = false;

        if response.status == 429 {
            self.rate_limited += 1;
            let rate_limit = RateLimit::from_response(&response);
            if self.rate_limited > self.options.rate_limit_retries {
                let attempts = self.rate_limited;
                self.fail(Problem::RateLimited {
                    attempts,
                    rate_limit,
                });
            } else {
                let seconds = rate_limit
                    .retry_after
                    .unwrap_or(self.options.default_retry_after);
                self.wait = Some((seconds, rate_limit));
            }
            return;
        }
        self.rate_limited = 0;

        let Some(mut step) = self.queue.pop_front() else {
            return;
        };
        match self.handle(&mut step, &response) {
            Ok(Advance::Stay) => self.queue.push_front(step),
            Ok(Advance::Next) => self.progress.steps_done += 1,
            Err(problem) => {
                self.queue.push_front(step);
                self.fail(problem);
            }
        }
    }

    fn fail(&mut self, problem: Problem) {
        self.failure = Some(Failure {
            step: self
                .queue
                .front()
                .map(|s| self.describe(s))
                .unwrap_or_default(),
            request: self.last_request.clone(),
            problem,
        });
    }

    /// Puts the step in progress back to where its outcome is known.
    fn recheck(&mut self) {
        let Some(step) = self.queue.front_mut() else {
            return;
        };
        match step {
            Step::Blob(blob) => {
                let partial = match &blob.stage {
                    BlobStage::Read { offset, .. } | BlobStage::Write { offset, .. } => *offset,
                    BlobStage::Close { .. } => blob.blob.size,
                    _ => 0,
                };
                self.progress.bytes_done = self.progress.bytes_done.saturating_sub(partial);
                blob.stage = BlobStage::Head;
                blob.chunk = Vec::new();
                blob.hasher = None;
            }
            Step::Put { stage, .. } if *stage == PutStage::Digest => *stage = PutStage::Recheck,
            Step::Referrers { stage, .. } => *stage = ReferrersStage::Api,
            _ => {}
        }
    }

    /// A loaded plan has lost the running hash of a blob copy in
    /// progress: that blob starts again with `HEAD`.
    fn restart_partial_blob(&mut self) {
        if let Some(Step::Blob(blob)) = self.queue.front()
            && matches!(
                blob.stage,
                BlobStage::Read { .. } | BlobStage::Write { .. } | BlobStage::Close { .. }
            )
        {
            self.recheck();
        }
    }

    /// A person's name for a step.
    pub(super) fn describe(&self, step: &Step) -> String {
        let digest = |node: &usize| {
            self.nodes
                .get(*node)
                .map(|n| n.digest.to_string())
                .unwrap_or_default()
        };
        match step {
            Step::Resolve {
                repository,
                reference,
                ..
            } => format!(
                "read {}/{}:{reference}",
                repository.registry, repository.name
            ),
            Step::Check { node } => format!("check manifest {}", digest(node)),
            Step::Fetch { node } => format!("read manifest {}", digest(node)),
            Step::Referrers { node, .. } => format!("find referrers of {}", digest(node)),
            Step::Blob(blob) => format!("copy blob {}", blob.blob.digest),
            Step::Put {
                node,
                stage: PutStage::Tag(i),
            } => {
                let tag = self
                    .nodes
                    .get(*node)
                    .and_then(|n| n.tags.get(*i))
                    .cloned()
                    .unwrap_or_default();
                format!("write manifest {} as {tag}", digest(node))
            }
            Step::Put { node, .. } => format!("write manifest {}", digest(node)),
            Step::Verify { tag, .. } => format!("read back tag {tag}"),
        }
    }

    /// The request a step sends next; `None` when it is finished without
    /// one.
    fn request_for(&mut self, step: &mut Step) -> Option<Request> {
        match step {
            Step::Resolve {
                repository,
                reference,
                ..
            } => Some(manifest_get(repository, reference)),
            Step::Check { node } => {
                let node = self.nodes.get(*node)?;
                let path = paths::manifest(&self.target.name, &node.digest.to_string());
                Some(
                    Request::new(&self.target.registry, Method::Head, path)
                        .header("Accept", ACCEPT_MANIFESTS),
                )
            }
            Step::Fetch { node } => {
                let node = self.nodes.get(*node)?;
                match &node.origin {
                    Origin::Registry { repository } => {
                        Some(manifest_get(repository, &node.digest.to_string()))
                    }
                    Origin::Local => None,
                }
            }
            Step::Referrers { node, stage } => self.referrers_request(*node, stage),
            Step::Blob(blob) => self.blob_request(blob),
            Step::Put { node, stage } => self.put_request(*node, stage),
            Step::Verify { tag, .. } => Some(manifest_get(&self.target.clone(), tag)),
        }
    }

    fn handle(&mut self, step: &mut Step, response: &Response) -> Result<Advance, Problem> {
        match step {
            Step::Resolve {
                repository,
                reference,
                tags,
            } => {
                let (repository, reference, tags) =
                    (repository.clone(), reference.clone(), tags.clone());
                self.on_resolve(&repository, &reference, tags, response)
            }
            Step::Check { node } => self.on_check(*node, response),
            Step::Fetch { node } => self.on_fetch(*node, response),
            Step::Referrers { node, stage } => self.on_referrers(*node, stage, response),
            Step::Blob(blob) => self.on_blob(blob, response),
            Step::Put { node, stage } => self.on_put(*node, stage, response),
            Step::Verify { node, tag } => {
                let tag = tag.clone();
                self.on_verify(*node, &tag, response)
            }
        }
    }

    /// The node for `digest`, made when it is new; `true` when new.
    pub(super) fn node_for(
        &mut self,
        digest: Digest,
        media_type: &str,
        origin: Origin,
        bytes: Option<Vec<u8>>,
    ) -> (usize, bool) {
        if let Some(at) = self.nodes.iter().position(|n| n.digest == digest) {
            return (at, false);
        }
        let find_referrers = self.options.referrers && matches!(origin, Origin::Registry { .. });
        self.nodes.push(Node {
            digest,
            media_type: media_type.to_owned(),
            origin,
            bytes,
            tags: Vec::new(),
            presence: Presence::Unknown,
            find_referrers,
            children: Vec::new(),
            referrers: Vec::new(),
            blobs: Vec::new(),
        });
        self.progress.manifests_found += 1;
        (self.nodes.len() - 1, true)
    }

    fn on_resolve(
        &mut self,
        repository: &Repository,
        reference: &str,
        tags: Vec<String>,
        response: &Response,
    ) -> Result<Advance, Problem> {
        if response.status != 200 {
            return Err(Problem::from_status(response));
        }
        let digest = Digest::sha256(&response.body);
        if let Some(expected) = reference.parse::<Digest>().ok().filter(|d| *d != digest) {
            return Err(Problem::DigestMismatch {
                expected: expected.to_string(),
                actual: digest.to_string(),
            });
        }

        let media_type = document_media_type(response);
        let origin = Origin::Registry {
            repository: repository.clone(),
        };
        let (node, _) = self.node_for(digest, &media_type, origin, Some(response.body.clone()));
        if let Some(n) = self.nodes.get_mut(node) {
            n.bytes = Some(response.body.clone());
            for tag in tags {
                if !n.tags.contains(&tag) {
                    n.tags.push(tag);
                }
            }
        }
        self.roots.push(node);
        self.queue.push_back(Step::Check { node });
        Ok(Advance::Next)
    }

    fn on_check(&mut self, node: usize, response: &Response) -> Result<Advance, Problem> {
        let presence = match response.status {
            200 => Presence::Present,
            404 => Presence::Missing,
            _ => return Err(Problem::from_status(response)),
        };
        let Some(n) = self.nodes.get_mut(node) else {
            return Ok(Advance::Next);
        };
        n.presence = presence;

        if presence == Presence::Present {
            self.progress.manifests_present += 1;
        } else if n.bytes.is_some() {
            self.read_node(node)?;
        } else {
            self.queue.push_front(Step::Fetch { node });
        }
        Ok(Advance::Next)
    }

    fn on_fetch(&mut self, node: usize, response: &Response) -> Result<Advance, Problem> {
        if response.status != 200 {
            return Err(Problem::from_status(response));
        }
        let Some(n) = self.nodes.get_mut(node) else {
            return Ok(Advance::Next);
        };
        if !n.digest.verifies(&response.body) {
            return Err(Problem::DigestMismatch {
                expected: n.digest.to_string(),
                actual: Digest::sha256(&response.body).to_string(),
            });
        }
        n.bytes = Some(response.body.clone());
        self.read_node(node)?;
        Ok(Advance::Next)
    }

    /// Reads a missing node's bytes: an index adds its children, a manifest
    /// its blobs; either may add a referrers lookup.
    pub(super) fn read_node(&mut self, node: usize) -> Result<(), Problem> {
        let Some(n) = self.nodes.get(node) else {
            return Ok(());
        };
        let options = InspectOptions {
            content_type: Some(n.media_type.clone()),
            expected_digest: None,
        };
        let report = inspect(n.bytes.as_deref().unwrap_or_default(), &options);
        let child_origin = match &n.origin {
            Origin::Local => Origin::Registry {
                repository: self.target.clone(),
            },
            remote => remote.clone(),
        };
        let find_referrers = n.find_referrers;

        match report.kind {
            Kind::OciIndex | Kind::DockerManifestList => {
                for entry in &report.entries {
                    self.add_child(node, &entry.descriptor, &child_origin)?;
                }
            }
            Kind::OciManifest | Kind::DockerManifest => {
                let mut blobs = Vec::new();
                for descriptor in report.config.iter().chain(&report.layers) {
                    if !descriptor.urls.is_empty() {
                        continue;
                    }
                    blobs.push(BlobRef {
                        digest: parse_digest(&descriptor.digest)?,
                        size: descriptor
                            .size
                            .and_then(|s| u64::try_from(s).ok())
                            .unwrap_or(0),
                    });
                }
                if let Some(n) = self.nodes.get_mut(node) {
                    n.blobs = blobs;
                }
            }
            kind => return Err(Problem::UnsupportedDocument { kind }),
        }
        // A document's subject is written before it, as its children are:
        // a list or referrer pushed without it would name a manifest the
        // target does not hold.
        if let Some(subject) = &report.subject {
            self.add_child(node, subject, &child_origin)?;
        }

        if find_referrers {
            self.queue.push_back(Step::Referrers {
                node,
                stage: ReferrersStage::Api,
            });
        }
        Ok(())
    }

    /// Makes `descriptor` a child of `node`, read from the repository
    /// `sources` names for its digest, else from `origin`, and checks it
    /// when it is new.
    fn add_child(
        &mut self,
        node: usize,
        descriptor: &Descriptor,
        origin: &Origin,
    ) -> Result<(), Problem> {
        let digest = parse_digest(&descriptor.digest)?;
        let origin = self
            .sources
            .iter()
            .find(|(d, _)| *d == descriptor.digest)
            .map(|(_, repository)| Origin::Registry {
                repository: repository.clone(),
            })
            .unwrap_or_else(|| origin.clone());
        let (child, new) = self.node_for(digest, &descriptor.media_type, origin, None);
        if let Some(n) = self.nodes.get_mut(node) {
            n.children.push(child);
        }
        if new {
            self.queue.push_back(Step::Check { node: child });
        }
        Ok(())
    }

    /// Once discovery is over: the blobs of every missing manifest, then
    /// the manifests children first and referrers after their subject,
    /// then the read-backs.
    fn lay_out(&mut self) {
        self.laid_out = true;

        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for root in self.roots.clone() {
            self.post_order(root, &mut order, &mut seen);
        }

        let mut blobs_seen = BTreeSet::new();
        for &node in &order {
            let Some(n) = self.nodes.get(node) else {
                continue;
            };
            if n.presence != Presence::Missing {
                continue;
            }
            for blob in &n.blobs {
                if !blobs_seen.insert(blob.digest.to_string()) {
                    continue;
                }
                self.progress.blobs_total += 1;
                self.progress.bytes_total += blob.size;
                let mount = matches!(&n.origin, Origin::Registry { repository }
                    if repository.registry == self.target.registry);
                self.queue.push_back(Step::Blob(Box::new(BlobStep {
                    blob: blob.clone(),
                    origin: n.origin.clone(),
                    stage: if mount {
                        BlobStage::Mount
                    } else {
                        BlobStage::Head
                    },
                    chunk: Vec::new(),
                    hasher: None,
                })));
            }
        }

        for &node in &order {
            let Some(n) = self.nodes.get(node) else {
                continue;
            };
            let stage = match (n.presence, n.tags.is_empty()) {
                (Presence::Missing, true) => PutStage::Digest,
                (_, false) if n.bytes.is_some() => PutStage::Tag(0),
                _ => continue,
            };
            self.progress.manifests_total += 1;
            self.queue.push_back(Step::Put { node, stage });
        }

        for &node in &order {
            let Some(n) = self.nodes.get(node) else {
                continue;
            };
            if n.bytes.is_none() {
                continue;
            }
            for tag in n.tags.clone() {
                self.queue.push_back(Step::Verify { node, tag });
            }
        }
    }

    fn post_order(&self, node: usize, order: &mut Vec<usize>, seen: &mut BTreeSet<usize>) {
        if !seen.insert(node) {
            return;
        }
        let Some(n) = self.nodes.get(node) else {
            return;
        };
        for &child in &n.children {
            self.post_order(child, order, seen);
        }
        order.push(node);
        for &referrer in &n.referrers {
            self.post_order(referrer, order, seen);
        }
    }
}

/// `GET` a manifest with every manifest type accepted.
pub(super) fn manifest_get(repository: &Repository, reference: &str) -> Request {
    Request::new(
        &repository.registry,
        Method::Get,
        paths::manifest(&repository.name, reference),
    )
    .header("Accept", ACCEPT_MANIFESTS)
}

/// The media type a manifest answer came with: the Content-Type (without
/// parameters), else what the bytes say they are.
pub(super) fn document_media_type(response: &Response) -> String {
    let declared = response
        .header("content-type")
        .and_then(|ct| ct.split(';').next())
        .map(str::trim)
        .filter(|ct| crate::media_type::MediaType::new(ct).is_manifest());
    match declared {
        Some(ct) => ct.to_owned(),
        None => inspect(&response.body, &InspectOptions::default())
            .kind
            .media_type()
            .to_owned(),
    }
}

pub(super) fn parse_digest(text: &str) -> Result<Digest, Problem> {
    text.parse().map_err(|_| Problem::InvalidDescriptor {
        digest: text.to_owned(),
    })
}

/// Digests in the saved state as their text.
mod digest_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::digest::Digest;

    pub(super) fn serialize<S: Serializer>(digest: &Digest, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(digest)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Document bytes in the saved state as base64.
mod bytes_text {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => s.serialize_some(&STANDARD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| STANDARD.decode(t).map_err(serde::de::Error::custom))
            .transpose()
    }
}
