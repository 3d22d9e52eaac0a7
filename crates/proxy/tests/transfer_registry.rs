//! The core's transfer plan driven against the real CNCF distribution
//! registry (Debian's `docker-registry`, 2.8) on free 127.0.0.1 ports, and
//! checked independently with `skopeo`.
//!
//! Three small real images (an OCI config naming os, architecture and
//! variant, and one uncompressed tar layer) are written with the plan's own
//! upload steps, tagged `amd64` and `arm64` in one repository and `armv7`
//! in another. A list assembled by the core from them is pushed to a new
//! tag, read back with `skopeo inspect --raw` (same bytes, same digest)
//! and resolved per platform with `--override-arch`/`--override-variant`.
//! The amd64 image carries a signature attached through `subject` and
//! listed under the fallback tag (distribution 2.8 has no referrers API);
//! every copy carries it along. Then: a push stopped half-way and resumed from its saved state, an
//! import between two repositories (mounts), and an import into a second
//! registry (chunked copies).

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use common::{free_port, wait_for_port};
use polyarch_core::assemble::{BuildOptions, Format, IndexBuilder, entry_from_manifest};
use polyarch_core::digest::Digest;
use polyarch_core::reference::Reference;
use polyarch_core::transfer::{
    Action, Body, LocalManifest, Method, Options, Repository, Request, Response, Transfer,
};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const SIGNATURE: &str = "application/vnd.polyarch.signature";
const TAR_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// A registry process on a free loopback port, killed by its PID on drop.
struct Registry {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_registry() -> Registry {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("127.0.0.1:{}", free_port());
    let config = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
         http:\n  addr: {address}\n  secret: polyarch-transfer-test\n",
        dir.path().join("storage").display()
    );
    let config_path = dir.path().join("config.yml");
    std::fs::write(&config_path, config).unwrap();

    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry is installed (scripts/setup.sh)");
    let registry = Registry {
        child,
        address: address.clone(),
        _dir: dir,
    };
    wait_for_port(address.parse().unwrap()).await;
    registry
}

/// How a drive ended.
#[derive(Debug)]
enum End {
    Done,
    Stopped,
}

/// Sends the plan's requests straight to the registry it names, over plain
/// HTTP; local blob ranges come from `local`. Stops, with the request
/// handed out but not sent, after `limit` requests.
async fn drive(
    transfer: &mut Transfer,
    local: &BTreeMap<String, Vec<u8>>,
    limit: Option<usize>,
) -> End {
    let client = reqwest::Client::new();
    let mut sent = 0;
    loop {
        match transfer.next_action() {
            Action::Send(request) => {
                if limit == Some(sent) {
                    return End::Stopped;
                }
                sent += 1;
                let response = send(&client, &request, local).await;
                transfer.receive(response);
            }
            Action::Wait { seconds, .. } => {
                tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
            }
            Action::Done => return End::Done,
            Action::Failed(failure) => panic!("transfer failed: {failure}"),
        }
    }
}

async fn send(
    client: &reqwest::Client,
    request: &Request,
    local: &BTreeMap<String, Vec<u8>>,
) -> Response {
    let method = match request.method {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
    };
    let url = format!("http://{}{}", request.registry, request.path_and_query);
    let body = match &request.body {
        Body::None => Vec::new(),
        Body::Bytes(bytes) => bytes.clone(),
        Body::BlobRange { digest, start, len } => {
            let start = usize::try_from(*start).unwrap();
            let end = start + usize::try_from(*len).unwrap();
            local[digest][start..end].to_vec()
        }
    };

    let mut builder = client.request(method, url).body(body);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let answer = builder.send().await.unwrap();
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = answer.bytes().await.unwrap().to_vec();
    Response {
        status,
        headers,
        body,
    }
}

/// A one-file ustar archive, padded to whole records.
fn tar_with(name: &str, content: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    header[100..108].copy_from_slice(b"0000644\0");
    header[108..116].copy_from_slice(b"0000000\0");
    header[116..124].copy_from_slice(b"0000000\0");
    header[124..136].copy_from_slice(format!("{:011o}\0", content.len()).as_bytes());
    header[136..148].copy_from_slice(b"00000000000\0");
    header[148..156].copy_from_slice(b"        ");
    header[156] = b'0';
    header[257..265].copy_from_slice(b"ustar\x0000");
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());

    let mut tar = header.to_vec();
    tar.extend_from_slice(content);
    tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0);
    tar
}

/// One small image: its manifest and config bytes; its blobs go into
/// `local`.
struct Image {
    manifest: Vec<u8>,
    config: Vec<u8>,
}

impl Image {
    fn digest(&self) -> String {
        Digest::sha256(&self.manifest).to_string()
    }

    /// The digest of its one layer, which no other test image shares.
    fn layer(&self) -> String {
        let value: serde_json::Value = serde_json::from_slice(&self.manifest).unwrap();
        value["layers"][0]["digest"].as_str().unwrap().to_owned()
    }
}

fn image(
    arch: &str,
    variant: &str,
    layer_bytes: usize,
    local: &mut BTreeMap<String, Vec<u8>>,
) -> Image {
    let content: Vec<u8> = (0..layer_bytes)
        .map(|i| (i % 251) as u8 ^ arch.len() as u8)
        .collect();
    let layer = tar_with(&format!("polyarch-{arch}{variant}.txt"), &content);
    let layer_digest = Digest::sha256(&layer).to_string();
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","variant":"{variant}","rootfs":{{"type":"layers","diff_ids":["{layer_digest}"]}},"history":[{{"created_by":"polyarch test"}}]}}"#
    )
    .into_bytes();
    let config_digest = Digest::sha256(&config).to_string();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"{OCI_CONFIG}","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"{TAR_LAYER}","digest":"{layer_digest}","size":{}}}]}}"#,
        config.len(),
        layer.len()
    )
    .into_bytes();
    local.insert(config_digest, config.clone());
    local.insert(layer_digest, layer);
    Image { manifest, config }
}

/// Three images written with the plan's upload: `amd64` and `arm64` in
/// `polyarch/one`, `armv7` in `polyarch/two`.
async fn seed(registry: &str) -> [Image; 3] {
    let mut local = BTreeMap::new();
    let amd64 = image("amd64", "", 40_000, &mut local);
    let arm64 = image("arm64", "v8", 50_000, &mut local);
    let armv7 = image("arm", "v7", 30_000, &mut local);

    let one = Repository::new(registry, "polyarch/one");
    let two = Repository::new(registry, "polyarch/two");
    let local_manifest = |image: &Image, tag: &str| LocalManifest {
        bytes: image.manifest.clone(),
        media_type: OCI_MANIFEST.to_owned(),
        tags: vec![tag.to_owned()],
    };
    let small = Options {
        chunk_size: 16 * 1024,
        ..Options::default()
    };
    let mut upload_one = Transfer::upload(
        &one,
        vec![
            local_manifest(&amd64, "amd64"),
            local_manifest(&arm64, "arm64"),
        ],
        small.clone(),
    );
    let mut upload_two = Transfer::upload(&two, vec![local_manifest(&armv7, "armv7")], small);

    assert!(matches!(
        drive(&mut upload_one, &local, None).await,
        End::Done
    ));
    attach_signature(&one, &amd64, &mut local).await;
    assert!(matches!(
        drive(&mut upload_two, &local, None).await,
        End::Done
    ));
    assert_eq!(upload_one.progress().verified.len(), 2);
    [amd64, arm64, armv7]
}

/// A signature manifest whose `subject` is `image`, and the fallback tag
/// (`sha256-<hex>`) that lists it, as a client writes them on a registry
/// without the referrers API.
async fn attach_signature(
    repository: &Repository,
    image: &Image,
    local: &mut BTreeMap<String, Vec<u8>>,
) {
    let config = b"{}".to_vec();
    let payload = b"polyarch signature".to_vec();
    let (config_digest, payload_digest) = (Digest::sha256(&config), Digest::sha256(&payload));
    let signature = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"{SIGNATURE}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{config_digest}","size":2}},"layers":[{{"mediaType":"application/vnd.polyarch.signature.v1","digest":"{payload_digest}","size":{}}}],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":{}}}}}"#,
        payload.len(),
        image.digest(),
        image.manifest.len()
    )
    .into_bytes();
    let tag_index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","artifactType":"{SIGNATURE}","digest":"{}","size":{}}}]}}"#,
        Digest::sha256(&signature),
        signature.len()
    )
    .into_bytes();
    local.insert(config_digest.to_string(), config);
    local.insert(payload_digest.to_string(), payload);

    let mut upload = Transfer::upload(
        repository,
        vec![
            LocalManifest {
                bytes: signature,
                media_type: OCI_MANIFEST.to_owned(),
                tags: Vec::new(),
            },
            LocalManifest {
                bytes: tag_index,
                media_type: OCI_INDEX.to_owned(),
                tags: vec![image.digest().replace(':', "-")],
            },
        ],
        Options::default(),
    );
    assert!(matches!(drive(&mut upload, local, None).await, End::Done));
}

fn assemble(images: &[Image; 3]) -> polyarch_core::assemble::Assembled {
    let entries = images
        .iter()
        .map(|i| entry_from_manifest(&i.manifest, Some(OCI_MANIFEST), &i.config).unwrap());
    let assembled = IndexBuilder::with_entries(entries).build(&BuildOptions {
        format: Format::Oci,
        pretty: false,
    });
    assert!(!assembled.has_errors(), "{:?}", assembled.diagnostics());
    assembled
}

fn sources(registry: &str, images: &[Image; 3]) -> Vec<(String, Repository)> {
    let one = Repository::new(registry, "polyarch/one");
    let two = Repository::new(registry, "polyarch/two");
    vec![
        (images[0].digest(), one.clone()),
        (images[1].digest(), one),
        (images[2].digest(), two),
    ]
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let output = Command::new("skopeo")
        .args(args)
        .output()
        .expect("skopeo is installed");
    assert!(
        output.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn raw(image: &str) -> Vec<u8> {
    skopeo(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{image}"),
    ])
}

/// The layer of the image skopeo resolves `image` to for a platform:
/// `skopeo inspect` reports the list's digest as `Digest`, and the chosen
/// child's config and layers (skopeo 1.9 prints no variant).
fn resolved(image: &str, arch: &str, variant: &str) -> String {
    let json = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--override-os",
        "linux",
        "--override-arch",
        arch,
        "--override-variant",
        variant,
        &format!("docker://{image}"),
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["Architecture"], arch, "{value}");
    value["Layers"][0].as_str().unwrap().to_owned()
}

/// skopeo sees exactly the list pushed, each platform resolves to its
/// child, and the amd64 child's signature is listed under its fallback tag.
fn check_with_skopeo(image: &str, list: &[u8], images: &[Image; 3]) {
    let repository = image.rsplit_once(':').unwrap().0;
    let tag = images[0].digest().replace(':', "-");
    let referrers = raw(&format!("{repository}:{tag}"));
    let value: serde_json::Value = serde_json::from_slice(&referrers).unwrap();
    assert_eq!(value["manifests"][0]["artifactType"], SIGNATURE);

    let bytes = raw(image);
    assert_eq!(bytes, list);
    assert_eq!(Digest::sha256(&bytes), Digest::sha256(list));
    assert_eq!(resolved(image, "arm64", "v8"), images[1].layer());
    assert_eq!(resolved(image, "arm", "v7"), images[2].layer());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_resume_and_import_against_distribution() {
    let registry = start_registry().await;
    let host = registry.address.clone();
    let images = seed(&host).await;
    let assembled = assemble(&images);
    let none = BTreeMap::new();

    // A list assembled from three tags of two repositories, pushed to a new
    // repository: every child is mounted and written before the list.
    let multi = Repository::new(&host, "polyarch/multi");
    let mut push = Transfer::push_assembled(
        &multi,
        "v1",
        &assembled,
        sources(&host, &images),
        Options::default(),
    );
    assert!(matches!(drive(&mut push, &none, None).await, End::Done));
    let progress = push.progress();
    // Three children, the signature, its fallback tag, the list.
    assert_eq!(progress.manifests_done, 6);
    assert_eq!((progress.blobs_mounted, progress.blobs_total), (8, 8));
    let list = progress.verified.iter().find(|v| v.tag == "v1").unwrap();
    assert_eq!(list.digest, assembled.digest());
    assert_eq!(progress.verified.len(), 2, "the list and the fallback tag");
    check_with_skopeo(
        &format!("{host}/polyarch/multi:v1"),
        assembled.bytes(),
        &images,
    );

    // The same push elsewhere, stopped with a request handed out but never
    // sent, saved, loaded and resumed.
    let resumed_repository = Repository::new(&host, "polyarch/resumed");
    let mut first = Transfer::push_assembled(
        &resumed_repository,
        "v1",
        &assembled,
        sources(&host, &images),
        Options::default(),
    );
    assert!(matches!(
        drive(&mut first, &none, Some(9)).await,
        End::Stopped
    ));
    let done_before = first.progress().steps_done;
    let saved = serde_json::to_string(&first).unwrap();
    let mut resumed: Transfer = serde_json::from_str(&saved).unwrap();
    assert!(matches!(drive(&mut resumed, &none, None).await, End::Done));
    let after = resumed.progress();
    assert!(after.steps_done > done_before);
    assert_eq!(
        after.requests,
        progress.requests + 1,
        "only the lost request is re-checked"
    );
    check_with_skopeo(
        &format!("{host}/polyarch/resumed:v1"),
        assembled.bytes(),
        &images,
    );

    // Import between two repositories of one registry: mounts.
    let mut import = Transfer::copy(
        &Reference::parse(&format!("{host}/polyarch/multi:v1")).unwrap(),
        &Reference::parse(&format!("{host}/polyarch/imported:v1")).unwrap(),
        Options::default(),
    );
    assert!(matches!(drive(&mut import, &none, None).await, End::Done));
    assert_eq!(import.progress().blobs_mounted, 8);
    check_with_skopeo(
        &format!("{host}/polyarch/imported:v1"),
        assembled.bytes(),
        &images,
    );

    // Import into another registry: chunked copies of at most 16 KiB.
    let other = start_registry().await;
    let mut across = Transfer::copy(
        &Reference::parse(&format!("{host}/polyarch/multi:v1")).unwrap(),
        &Reference::parse(&format!("{}/mirror/multi:v1", other.address)).unwrap(),
        Options {
            chunk_size: 16 * 1024,
            ..Options::default()
        },
    );
    assert!(matches!(drive(&mut across, &none, None).await, End::Done));
    let copied = across.progress();
    assert_eq!(copied.blobs_uploaded, 8);
    assert_eq!(copied.bytes_done, copied.bytes_total);
    assert!(copied.bytes_total > 120_000);
    check_with_skopeo(
        &format!("{}/mirror/multi:v1", other.address),
        assembled.bytes(),
        &images,
    );
}
