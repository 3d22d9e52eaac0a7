//! A scripted in-memory registry for the transfer tests: manifests, tags,
//! blobs and upload sessions per registry and repository, mounts that can
//! be refused, a referrers API that can be absent, and answers that can be
//! replaced by request number.

#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use std::collections::BTreeMap;

use polyarch_core::digest::Digest;
use polyarch_core::transfer::{Action, Body, Method, Request, Response, Transfer};

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

#[derive(Default)]
pub struct Repo {
    pub manifests: BTreeMap<String, (Vec<u8>, String)>,
    pub tags: BTreeMap<String, String>,
    pub blobs: BTreeMap<String, ()>,
}

#[derive(Default)]
pub struct Fake {
    /// Blob contents by digest, per registry.
    pub blobs: BTreeMap<(String, String), Vec<u8>>,
    pub repos: BTreeMap<(String, String), Repo>,
    pub uploads: BTreeMap<String, Vec<u8>>,
    pub next_upload: u32,
    /// Whether `?mount=` links a blob (`201`) or opens an upload (`202`).
    pub mounts: bool,
    /// Whether `/v2/<name>/referrers/<digest>` exists.
    pub referrers_api: bool,
    /// Answers that replace the registry's, by request number (from 1).
    pub script: BTreeMap<usize, Response>,
    /// Every request, as `METHOD path`.
    pub log: Vec<String>,
    /// Local blobs the driver holds, by digest.
    pub local: BTreeMap<String, Vec<u8>>,
}

impl Fake {
    pub fn new() -> Self {
        Fake {
            mounts: true,
            ..Fake::default()
        }
    }

    pub fn repo(&mut self, registry: &str, name: &str) -> &mut Repo {
        self.repos
            .entry((registry.to_owned(), name.to_owned()))
            .or_default()
    }

    pub fn add_blob(&mut self, registry: &str, name: &str, bytes: &[u8]) -> String {
        let digest = Digest::sha256(bytes).to_string();
        self.blobs
            .insert((registry.to_owned(), digest.clone()), bytes.to_vec());
        self.repo(registry, name).blobs.insert(digest.clone(), ());
        digest
    }

    pub fn add_manifest(
        &mut self,
        registry: &str,
        name: &str,
        bytes: &[u8],
        media_type: &str,
        tag: Option<&str>,
    ) -> String {
        let digest = Digest::sha256(bytes).to_string();
        let repo = self.repo(registry, name);
        repo.manifests
            .insert(digest.clone(), (bytes.to_vec(), media_type.to_owned()));
        if let Some(tag) = tag {
            repo.tags.insert(tag.to_owned(), digest.clone());
        }
        digest
    }

    pub fn has_manifest(&self, registry: &str, name: &str, reference: &str) -> bool {
        self.repos
            .get(&(registry.to_owned(), name.to_owned()))
            .is_some_and(|r| r.manifests.contains_key(reference) || r.tags.contains_key(reference))
    }

    pub fn has_blob(&self, registry: &str, name: &str, digest: &str) -> bool {
        self.repos
            .get(&(registry.to_owned(), name.to_owned()))
            .is_some_and(|r| r.blobs.contains_key(digest))
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.log.iter().filter(|l| l.starts_with(prefix)).count()
    }

    pub fn answer(&mut self, request: &Request) -> Response {
        self.log.push(request.line());
        if let Some(scripted) = self.script.remove(&self.log.len()) {
            return scripted;
        }
        self.serve(request)
    }

    fn serve(&mut self, request: &Request) -> Response {
        let registry = request.registry.clone();
        let (path, query) = request
            .path_and_query
            .split_once('?')
            .unwrap_or((&request.path_and_query, ""));
        let query = parse_query(query);
        let path = path.strip_prefix("/v2/").unwrap();

        if let Some((name, reference)) = path.split_once("/manifests/") {
            return self.manifest(&registry, name, reference, request);
        }
        if let Some((name, id)) = path.split_once("/blobs/uploads/") {
            return self.upload(&registry, name, id, &query, request);
        }
        if let Some((name, digest)) = path.split_once("/blobs/") {
            return self.blob(&registry, name, digest, request);
        }
        if let Some((name, digest)) = path.split_once("/referrers/") {
            if !self.referrers_api {
                return not_found("NAME_UNKNOWN");
            }
            return self.referrers(&registry, name, digest);
        }
        not_found("UNSUPPORTED")
    }

    fn manifest(
        &mut self,
        registry: &str,
        name: &str,
        reference: &str,
        request: &Request,
    ) -> Response {
        let repo = self.repo(registry, name);
        match request.method {
            Method::Head | Method::Get => {
                let digest = repo
                    .tags
                    .get(reference)
                    .cloned()
                    .unwrap_or(reference.to_owned());
                let Some((bytes, media_type)) = repo.manifests.get(&digest) else {
                    return not_found("MANIFEST_UNKNOWN");
                };
                let body = if request.method == Method::Get {
                    bytes.clone()
                } else {
                    Vec::new()
                };
                Response::new(200)
                    .with_header("Content-Type", media_type)
                    .with_header("Docker-Content-Digest", &digest)
                    .with_body(body)
            }
            Method::Put => {
                let Body::Bytes(bytes) = &request.body else {
                    return error(400, "MANIFEST_INVALID", "no body");
                };
                let media_type = header(request, "content-type").unwrap_or_default();
                let digest = Digest::sha256(bytes).to_string();
                if reference.starts_with("sha256:") && reference != digest {
                    return error(400, "DIGEST_INVALID", "digest mismatch");
                }
                let bytes = bytes.clone();
                let blobs_missing = missing_blobs(self, registry, name, &bytes);
                if blobs_missing {
                    return error(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry");
                }
                let repo = self.repo(registry, name);
                repo.manifests.insert(digest.clone(), (bytes, media_type));
                if !reference.starts_with("sha256:") {
                    repo.tags.insert(reference.to_owned(), digest.clone());
                }
                Response::new(201).with_header("Docker-Content-Digest", &digest)
            }
            _ => error(405, "UNSUPPORTED", "method"),
        }
    }

    fn blob(&mut self, registry: &str, name: &str, digest: &str, request: &Request) -> Response {
        if !self.has_blob(registry, name, digest) {
            return not_found("BLOB_UNKNOWN");
        }
        let bytes = self.blobs[&(registry.to_owned(), digest.to_owned())].clone();
        if request.method == Method::Head {
            return Response::new(200).with_header("Content-Length", &bytes.len().to_string());
        }
        match header(request, "range") {
            Some(range) => {
                let (first, last) = range
                    .strip_prefix("bytes=")
                    .unwrap()
                    .split_once('-')
                    .unwrap();
                let (first, last): (usize, usize) = (first.parse().unwrap(), last.parse().unwrap());
                Response::new(206).with_body(bytes[first..=last.min(bytes.len() - 1)].to_vec())
            }
            None => Response::new(200).with_body(bytes),
        }
    }

    fn upload(
        &mut self,
        registry: &str,
        name: &str,
        id: &str,
        query: &BTreeMap<String, String>,
        request: &Request,
    ) -> Response {
        match request.method {
            Method::Post => {
                if let (Some(digest), Some(from)) = (query.get("mount"), query.get("from"))
                    && self.mounts
                    && self.has_blob(registry, from, digest)
                {
                    self.repo(registry, name).blobs.insert(digest.clone(), ());
                    return Response::new(201);
                }
                self.next_upload += 1;
                let id = format!("u{}", self.next_upload);
                self.uploads.insert(id.clone(), Vec::new());
                Response::new(202).with_header(
                    "Location",
                    &format!("http://{registry}/v2/{name}/blobs/uploads/{id}?_state=s"),
                )
            }
            Method::Patch => {
                let chunk = match &request.body {
                    Body::Bytes(bytes) => bytes.clone(),
                    Body::BlobRange { digest, start, len } => {
                        let local = &self.local[digest];
                        local[*start as usize..(*start + *len) as usize].to_vec()
                    }
                    Body::None => Vec::new(),
                };
                let Some(upload) = self.uploads.get_mut(id) else {
                    return not_found("BLOB_UPLOAD_UNKNOWN");
                };
                upload.extend_from_slice(&chunk);
                let end = upload.len().saturating_sub(1);
                Response::new(202)
                    .with_header(
                        "Location",
                        &format!("/v2/{name}/blobs/uploads/{id}?_state=t"),
                    )
                    .with_header("Range", &format!("0-{end}"))
            }
            Method::Put => {
                let Some(bytes) = self.uploads.remove(id) else {
                    return not_found("BLOB_UPLOAD_UNKNOWN");
                };
                let digest = query.get("digest").cloned().unwrap_or_default();
                if Digest::sha256(&bytes).to_string() != digest {
                    return error(
                        400,
                        "DIGEST_INVALID",
                        "provided digest did not match uploaded content",
                    );
                }
                self.blobs
                    .insert((registry.to_owned(), digest.clone()), bytes);
                self.repo(registry, name).blobs.insert(digest.clone(), ());
                Response::new(201).with_header("Docker-Content-Digest", &digest)
            }
            _ => error(405, "UNSUPPORTED", "method"),
        }
    }

    fn referrers(&mut self, registry: &str, name: &str, subject: &str) -> Response {
        let repo = self.repo(registry, name);
        let mut entries = Vec::new();
        for (digest, (bytes, media_type)) in &repo.manifests {
            let value: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
            if value["subject"]["digest"] == subject {
                entries.push(format!(
                    r#"{{"mediaType":"{media_type}","digest":"{digest}","size":{}}}"#,
                    bytes.len()
                ));
            }
        }
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        );
        Response::new(200)
            .with_header("Content-Type", OCI_INDEX)
            .with_body(body.into_bytes())
    }
}

fn missing_blobs(fake: &Fake, registry: &str, name: &str, bytes: &[u8]) -> bool {
    let value: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    let mut digests: Vec<String> = Vec::new();
    if let Some(d) = value["config"]["digest"].as_str() {
        digests.push(d.to_owned());
    }
    for layer in value["layers"].as_array().into_iter().flatten() {
        digests.push(layer["digest"].as_str().unwrap_or_default().to_owned());
    }
    digests.iter().any(|d| !fake.has_blob(registry, name, d))
}

fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&value[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

pub fn error(status: u16, code: &str, message: &str) -> Response {
    Response::new(status)
        .with_header("Content-Type", "application/json")
        .with_body(
            format!(r#"{{"errors":[{{"code":"{code}","message":"{message}"}}]}}"#).into_bytes(),
        )
}

pub fn not_found(code: &str) -> Response {
    error(404, code, &code.to_ascii_lowercase().replace('_', " "))
}

/// What a run ended with.
#[derive(Debug)]
pub enum End {
    Done,
    Failed(polyarch_core::transfer::Failure),
    Stopped,
}

/// Drives `transfer` against `fake` for at most `limit` requests; waits
/// are recorded in `waits`, not slept.
pub fn run(transfer: &mut Transfer, fake: &mut Fake, limit: usize, waits: &mut Vec<u64>) -> End {
    let mut sent = 0;
    loop {
        match transfer.next_action() {
            Action::Send(request) => {
                if sent == limit {
                    return End::Stopped;
                }
                sent += 1;
                let response = fake.answer(&request);
                assert!(transfer.held_bytes() as u64 <= 1 << 20);
                transfer.receive(response);
            }
            Action::Wait { seconds, .. } => waits.push(seconds),
            Action::Done => return End::Done,
            Action::Failed(failure) => return End::Failed(failure),
        }
    }
}

/// An image config, a layer and an OCI manifest naming them; the blobs are
/// stored in the repository, the manifest is returned with its digest.
pub fn image(
    fake: &mut Fake,
    registry: &str,
    name: &str,
    arch: &str,
    layer: &[u8],
) -> (Vec<u8>, String) {
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
    );
    let config_digest = fake.add_blob(registry, name, config.as_bytes());
    let layer_digest = fake.add_blob(registry, name, layer);
    let manifest = manifest_json(
        &config_digest,
        config.len(),
        &layer_digest,
        layer.len(),
        None,
    );
    let digest = fake.add_manifest(
        registry,
        name,
        manifest.as_bytes(),
        OCI_MANIFEST,
        Some(arch),
    );
    (manifest.into_bytes(), digest)
}

pub fn manifest_json(
    config: &str,
    config_size: usize,
    layer: &str,
    layer_size: usize,
    subject: Option<(&str, usize)>,
) -> String {
    let subject = subject
        .map(|(d, s)| {
            format!(r#","subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{d}","size":{s}}}"#)
        })
        .unwrap_or_default();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"{OCI_CONFIG}","digest":"{config}","size":{config_size}}},"layers":[{{"mediaType":"{LAYER}","digest":"{layer}","size":{layer_size}}}]{subject}}}"#
    )
}

pub fn index_json(children: &[(&str, usize, &str)]) -> String {
    let entries: Vec<String> = children
        .iter()
        .map(|(digest, size, arch)| {
            format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{size},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
        entries.join(",")
    )
}
