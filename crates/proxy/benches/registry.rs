//! The proxy's figures for `BENCHMARKS.md`: one run, the same local
//! registry, three ways in (direct, through polyarch-proxy, through nginx).
//!
//! `scripts/bench/proxy.sh` starts the registry, nginx and the release proxy
//! on free 127.0.0.1 ports and runs this program as
//!
//! ```text
//! registry --push BASE --target NAME=BASE ... [--pid NAME=PID ...]
//!          [--blob-mib 1024] [--latency-requests 2000] [--connections 64]
//!          [--rps-seconds 10]
//! ```
//!
//! where each `BASE` is what comes before `/v2/` (for the proxy,
//! `http://127.0.0.1:P/r/127.0.0.1:R`). It pushes one image to `--push`
//! (a config blob, one layer of `--blob-mib` MiB of pseudo-random bytes, an
//! OCI manifest), then measures, target after target:
//!
//! 1. manifest `GET` latency: `--latency-requests` requests one after the
//!    other on one kept-alive connection, after 50 unmeasured ones; p50, p99;
//! 2. blob `GET` throughput: the layer read once, start to last byte;
//! 3. requests per second: `--connections` connections, each sending manifest
//!    `GET`s back to back for `--rps-seconds`; failed requests are counted.
//!
//! For targets named by `--pid`, it reads the process's peak resident memory
//! (`VmHWM` in `/proc/PID/status`) after each step, and its current resident
//! memory (`VmRSS`) once a second during step 3. It prints a Markdown table.
//!
//! Every request goes to the bases given; the script gives only loopback
//! ones. Every loop is bounded by a count or a duration.

// A benchmark program: a failed setup step ends it with a message.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

const REPOSITORY: &str = "bench";
const TAG: &str = "latest";
const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const LAYER_TYPE: &str = "application/vnd.oci.image.layer.v1.tar";
const CONFIG: &str =
    r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
const MIB: usize = 1024 * 1024;
const WARM_UP: usize = 50;

struct Options {
    push: String,
    targets: Vec<(String, String)>,
    pids: BTreeMap<String, u32>,
    blob_mib: usize,
    latency_requests: usize,
    connections: usize,
    rps_seconds: u64,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        push: String::new(),
        targets: Vec::new(),
        pids: BTreeMap::new(),
        blob_mib: 1024,
        latency_requests: 2000,
        connections: 64,
        rps_seconds: 10,
    };
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    for pair in args.chunks(2) {
        let [flag, value] = pair else {
            return Err(format!("{} needs a value", pair[0]));
        };
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        let named = || {
            value
                .split_once('=')
                .ok_or(format!("{flag}: expected NAME=VALUE"))
        };
        match flag.as_str() {
            "--push" => options.push = value.clone(),
            "--target" => {
                let (name, base) = named()?;
                options.targets.push((name.to_owned(), base.to_owned()));
            }
            "--pid" => {
                let (name, pid) = named()?;
                let pid = pid.parse().map_err(|_| "--pid: not a number".to_owned())?;
                options.pids.insert(name.to_owned(), pid);
            }
            "--blob-mib" => options.blob_mib = number()?,
            "--latency-requests" => options.latency_requests = number()?,
            "--connections" => options.connections = number()?,
            "--rps-seconds" => options.rps_seconds = number()? as u64,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if options.push.is_empty() || options.targets.is_empty() {
        return Err("--push and at least one --target are required".to_owned());
    }
    Ok(options)
}

/// Block `index` of the layer: a fixed pseudo-random MiB whose first eight
/// bytes are the index, so that no two blocks are equal.
fn block(seed: &Bytes, index: usize) -> Bytes {
    let mut bytes = seed.to_vec();
    bytes[..8].copy_from_slice(&(index as u64).to_le_bytes());
    Bytes::from(bytes)
}

fn seed_block() -> Bytes {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut bytes = Vec::with_capacity(MIB);
    while bytes.len() < MIB {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    Bytes::from(bytes)
}

fn digest(hasher: Sha256) -> String {
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Pushes one blob with a monolithic upload (`POST`, then `PUT ?digest=`).
async fn push_blob(client: &reqwest::Client, base: &str, digest: &str, body: reqwest::Body) {
    let start = format!("{base}/v2/{REPOSITORY}/blobs/uploads/");
    let started = client.post(&start).send().await.unwrap();
    assert_eq!(started.status(), 202, "upload start: {}", started.status());
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    let url = reqwest::Url::parse(&start)
        .unwrap()
        .join(&location)
        .unwrap();
    let separator = if url.query().is_some() { '&' } else { '?' };

    let done = client
        .put(format!("{url}{separator}digest={digest}"))
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 201, "upload end: {}", done.status());
}

/// Pushes the image; gives the layer's digest.
async fn push_image(client: &reqwest::Client, base: &str, mib: usize) -> String {
    let seed = seed_block();
    let mut hasher = Sha256::new();
    for i in 0..mib {
        hasher.update(block(&seed, i));
    }
    let layer = digest(hasher);
    let blocks = futures_util::stream::iter(0..mib)
        .map(move |i| Ok::<Bytes, std::io::Error>(block(&seed, i)));
    push_blob(client, base, &layer, reqwest::Body::wrap_stream(blocks)).await;

    let config = digest(Sha256::new_with_prefix(CONFIG));
    push_blob(client, base, &config, reqwest::Body::from(CONFIG)).await;

    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": CONFIG.len()},
        "layers": [{"mediaType": LAYER_TYPE, "digest": layer, "size": mib * MIB}],
    });
    let put = client
        .put(format!("{base}/v2/{REPOSITORY}/manifests/{TAG}"))
        .header("content-type", MANIFEST_TYPE)
        .body(manifest.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201, "manifest: {}", put.status());
    layer
}

async fn get_manifest(client: &reqwest::Client, url: &str) -> bool {
    match client.get(url).header("accept", MANIFEST_TYPE).send().await {
        Ok(response) => response.status() == 200 && response.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// p50 and p99 of manifest GETs on one connection, in microseconds.
async fn latency(base: &str, requests: usize) -> (u128, u128) {
    let client = client(1);
    let url = format!("{base}/v2/{REPOSITORY}/manifests/{TAG}");
    for _ in 0..WARM_UP {
        assert!(get_manifest(&client, &url).await, "warm-up failed: {url}");
    }

    let mut samples = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        assert!(get_manifest(&client, &url).await, "request failed: {url}");
        samples.push(started.elapsed().as_micros());
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50), at(0.99))
}

/// MiB per second reading the layer once.
async fn throughput(base: &str, layer: &str, mib: usize) -> f64 {
    let client = client(1);
    let url = format!("{base}/v2/{REPOSITORY}/blobs/{layer}");
    let started = Instant::now();

    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200, "blob: {url}");
    let mut stream = response.bytes_stream();
    let mut read = 0usize;
    while let Some(chunk) = stream.next().await {
        read += chunk.unwrap().len();
    }
    assert_eq!(read, mib * MIB, "blob length");
    read as f64 / MIB as f64 / started.elapsed().as_secs_f64()
}

/// Requests per second and failures with `connections` clients for `seconds`;
/// also the lowest and highest `VmRSS` of `pid`, sampled once a second.
async fn rps(
    base: &str,
    connections: usize,
    seconds: u64,
    pid: Option<u32>,
) -> (f64, usize, Option<(u64, u64)>) {
    let url = format!("{base}/v2/{REPOSITORY}/manifests/{TAG}");
    let run_for = Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let client = client(1);
            let (mut ok, mut failed) = (0usize, 0usize);
            while started.elapsed() < run_for {
                if get_manifest(&client, &url).await {
                    ok += 1;
                } else {
                    failed += 1;
                }
            }
            (ok, failed)
        }));
    }

    let mut rss: Option<(u64, u64)> = None;
    while started.elapsed() < run_for {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if let Some(kib) = pid.and_then(|p| status_kib(p, "VmRSS")) {
            rss = Some(rss.map_or((kib, kib), |(lo, hi)| (lo.min(kib), hi.max(kib))));
        }
    }
    let (mut ok, mut failed) = (0, 0);
    for task in tasks {
        let (o, f) = task.await.unwrap();
        ok += o;
        failed += f;
    }
    (ok as f64 / started.elapsed().as_secs_f64(), failed, rss)
}

fn client(idle: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(idle)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// A `kB` field of `/proc/PID/status`.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("–".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("registry bench: {message}");
            return std::process::ExitCode::from(2);
        }
    };

    eprintln!(
        "pushing a {} MiB layer to {}",
        options.blob_mib, options.push
    );
    let layer = push_image(&client(1), &options.push, options.blob_mib).await;

    println!(
        "| Way in | manifest GET p50 (µs) | p99 (µs) | blob GET (MiB/s) | manifest GETs/s at {} connections | failed | peak RSS after start / blob / load (MiB) | RSS during load, min–max (MiB) |",
        options.connections
    );
    println!("|---|---:|---:|---:|---:|---:|---|---|");
    for (name, base) in &options.targets {
        let pid = options.pids.get(name).copied();
        let peak = || pid.and_then(|p| status_kib(p, "VmHWM"));
        let at_start = peak();

        eprintln!("{name}: latency");
        let (p50, p99) = latency(base, options.latency_requests).await;
        eprintln!("{name}: blob");
        let speed = throughput(base, &layer, options.blob_mib).await;
        let after_blob = peak();
        eprintln!("{name}: load");
        let (per_second, failed, rss) =
            rps(base, options.connections, options.rps_seconds, pid).await;
        let after_load = peak();

        let peaks = match pid {
            Some(_) => format!(
                "{} / {} / {}",
                mib(at_start),
                mib(after_blob),
                mib(after_load)
            ),
            None => "–".to_owned(),
        };
        let during = rss.map_or("–".to_owned(), |(lo, hi)| {
            format!("{}–{}", mib(Some(lo)), mib(Some(hi)))
        });
        println!(
            "| {name} | {p50} | {p99} | {speed:.0} | {per_second:.0} | {failed} | {peaks} | {during} |"
        );
    }
    std::process::ExitCode::SUCCESS
}
