//! The image the load reads: pushed once, straight to the registry.
//!
//! One OCI image manifest (tag [`TAG`] in repository [`REPOSITORY`]) with a
//! small config blob and one layer of a given number of MiB of pseudo-random
//! bytes (every MiB different, so that nothing along the way can compress or
//! deduplicate it). The manifest is serialized once and those bytes are
//! pushed, so its length is known exactly; the layer's digest is computed
//! over the bytes pushed.
//!
//! Blobs go up as monolithic uploads (`POST` to start, one `PUT ?digest=`
//! with the whole body: distribution spec, "Pushing a blob monolithically",
//! the `POST` then `PUT` form).

use std::fmt;

use sha2::{Digest, Sha256};

/// The repository pushed to.
pub const REPOSITORY: &str = "load";
/// The manifest's tag.
pub const TAG: &str = "rate";
/// The manifest's media type, sent as `Accept` when it is read back.
pub const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

const CONFIG_TYPE: &str = "application/vnd.oci.image.config.v1+json";
const LAYER_TYPE: &str = "application/vnd.oci.image.layer.v1.tar";
const CONFIG: &str =
    r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
const MIB: usize = 1024 * 1024;

/// What was pushed: enough to read it back and check what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The manifest's length in bytes.
    pub manifest_bytes: u64,
    /// The layer's digest (`sha256:...`).
    pub layer: String,
    /// The layer's length in bytes.
    pub layer_bytes: u64,
}

impl Image {
    /// The manifest's URL under a base (what comes before `/v2/`).
    pub fn manifest_url(&self, base: &str) -> String {
        format!("{base}/v2/{REPOSITORY}/manifests/{TAG}")
    }

    /// The layer's URL under a base.
    pub fn layer_url(&self, base: &str) -> String {
        format!("{base}/v2/{REPOSITORY}/blobs/{}", self.layer)
    }
}

/// Why the push failed.
#[derive(Debug)]
pub enum PushError {
    /// The request did not get an answer.
    Request {
        /// Which step.
        step: &'static str,
        /// The client's error.
        source: reqwest::Error,
    },
    /// The registry answered with another status than the step expects.
    Status {
        /// Which step.
        step: &'static str,
        /// The status received.
        status: u16,
    },
    /// The upload's start gave no usable `Location`.
    Location,
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Request { step, .. } => write!(f, "{step}: no answer"),
            PushError::Status { step, status } => write!(f, "{step}: status {status}"),
            PushError::Location => write!(f, "upload start: no usable location"),
        }
    }
}

impl std::error::Error for PushError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PushError::Request { source, .. } => Some(source),
            PushError::Status { .. } | PushError::Location => None,
        }
    }
}

/// `sha256:` and the hex digest of the bytes.
pub fn digest_of(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// `mib` MiB of xorshift output; the first eight bytes of each MiB hold its
/// index, so that no two MiB are equal.
pub fn layer_bytes(mib: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut bytes = Vec::with_capacity(mib * MIB);
    for index in 0..mib {
        bytes.extend_from_slice(&(index as u64).to_le_bytes());
        while bytes.len() < (index + 1) * MIB {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.extend_from_slice(&state.to_le_bytes());
        }
    }
    bytes
}

async fn push_blob(
    client: &reqwest::Client,
    base: &str,
    bytes: Vec<u8>,
) -> Result<String, PushError> {
    let digest = digest_of(&bytes);
    let start = format!("{base}/v2/{REPOSITORY}/blobs/uploads/");
    let started = send("upload start", client.post(&start), 202).await?;
    let location = started
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or(PushError::Location)?;
    let mut url = reqwest::Url::parse(&start)
        .and_then(|start| start.join(location))
        .map_err(|_| PushError::Location)?;

    url.query_pairs_mut().append_pair("digest", &digest);
    let put = client
        .put(url)
        .header("content-type", "application/octet-stream")
        .body(bytes);
    send("upload", put, 201).await?;
    Ok(digest)
}

async fn send(
    step: &'static str,
    request: reqwest::RequestBuilder,
    expected: u16,
) -> Result<reqwest::Response, PushError> {
    let response = request
        .send()
        .await
        .map_err(|source| PushError::Request { step, source })?;
    match response.status().as_u16() {
        status if status == expected => Ok(response),
        status => Err(PushError::Status { step, status }),
    }
}

/// Pushes the image with a layer of `mib` MiB to the registry at `base`.
pub async fn push(client: &reqwest::Client, base: &str, mib: usize) -> Result<Image, PushError> {
    let layer = layer_bytes(mib);
    let layer_len = layer.len();
    let layer_digest = push_blob(client, base, layer).await?;
    let config_digest = push_blob(client, base, CONFIG.as_bytes().to_vec()).await?;

    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "digest": config_digest, "size": CONFIG.len()},
        "layers": [{"mediaType": LAYER_TYPE, "digest": layer_digest, "size": layer_len}],
    })
    .to_string();
    let manifest_bytes = manifest.len() as u64;
    let put = client
        .put(format!("{base}/v2/{REPOSITORY}/manifests/{TAG}"))
        .header("content-type", MANIFEST_TYPE)
        .body(manifest);
    send("manifest", put, 201).await?;

    Ok(Image {
        manifest_bytes,
        layer: layer_digest,
        layer_bytes: layer_len as u64,
    })
}
