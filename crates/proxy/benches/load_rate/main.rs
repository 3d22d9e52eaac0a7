//! The fixed-rate (open-loop) load test of the registry proxy, for
//! `make load-rate` and `make load` (`scripts/bench/load-rate.sh` starts the
//! registry and the proxy and runs this program once per rate):
//!
//! ```text
//! load_rate --registry BASE --via BASE [--pid PID]
//!           [--manifests-per-second 200] [--blobs-per-second 1] [--blob-mib 4]
//!           [--seconds 60] [--timeout-seconds 10] [--max-in-flight 32]
//! ```
//!
//! A `BASE` is what comes before `/v2/`: `--registry` is the registry itself
//! (`http://127.0.0.1:R`), `--via` is the way the load goes in (for the
//! proxy, `http://127.0.0.1:P/r/127.0.0.1:R`). The program pushes one image
//! straight to the registry ([`image`]: a manifest and a `--blob-mib` layer),
//! then sends, through `--via`, manifest `GET`s at `--manifests-per-second`
//! and layer `GET`s at `--blobs-per-second`, on the open-loop schedule of
//! [`schedule`] for `--seconds`, measuring as [`driver`] says, and samples
//! the `VmRSS` of `--pid` once a second ([`memory`]).
//!
//! It prints the figures as Markdown, the memory verdict, and a last line
//! `load-rate: pass` or `load-rate: fail (...)`, and exits 0 on a pass, 1 on
//! a fail, 2 when it cannot start. A run passes when no request failed, each
//! stream's achieved rate is at least 99 % of its target, and (with
//! `--pid`) the memory is flat and the process lived to the end.
//!
//! Every request goes to the bases given; the script gives only 127.0.0.1
//! ones. The run is bounded by `--seconds` plus `--timeout-seconds` plus one.

mod driver;
mod image;
mod memory;
mod schedule;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use driver::{Figures, Outcome, Plan, Stream};
use memory::Rule;

/// Achieved rate, as a share of the target, below which a run fails.
const RATE_HELD: f64 = 0.99;

/// Command-line flags (the module doc describes them).
#[derive(Debug, Parser)]
#[command(
    name = "load_rate",
    about = "Fixed-rate load through the registry proxy"
)]
struct Flags {
    /// The registry the image is pushed to, as the base before `/v2/`.
    #[arg(long)]
    registry: String,
    /// The base the load goes through.
    #[arg(long)]
    via: String,
    /// The process whose resident memory is sampled.
    #[arg(long)]
    pid: Option<u32>,
    /// Manifest GETs per second.
    #[arg(long, default_value_t = 200.0, value_parser = rate)]
    manifests_per_second: f64,
    /// Layer GETs per second.
    #[arg(long, default_value_t = 1.0, value_parser = rate)]
    blobs_per_second: f64,
    /// The layer's size in MiB.
    #[arg(long, default_value_t = 4)]
    blob_mib: usize,
    /// How long requests are started for.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Time from a request's intended time by which it must be answered.
    #[arg(long, default_value_t = 10)]
    timeout_seconds: u64,
    /// Requests (and connections) open at once, at most.
    #[arg(long, default_value_t = 32)]
    max_in_flight: usize,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// A rate: a finite number of requests per second, 0 or more.
fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate >= 0.0 => Ok(rate),
        _ => Err(format!("not a rate in requests per second: {text}")),
    }
}

/// The first three fields of `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Milliseconds, with two decimals below 10 ms.
fn ms(latency: Option<Duration>) -> String {
    match latency {
        None => "–".to_owned(),
        Some(d) if d < Duration::from_millis(10) => format!("{:.2}", d.as_secs_f64() * 1e3),
        Some(d) => format!("{:.1}", d.as_secs_f64() * 1e3),
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn failures(figures: &Figures) -> String {
    if figures.failures.is_empty() {
        return "0".to_owned();
    }
    let kinds: Vec<String> = figures
        .failures
        .iter()
        .map(|(kind, count)| format!("{count} {kind}"))
        .collect();
    kinds.join(", ")
}

/// Prints the figures; gives the reasons the run failed (none for a pass).
fn report(flags: &Flags, outcome: &Outcome, loads: (&str, &str)) -> Vec<String> {
    let mut reasons = Vec::new();
    let run = Duration::from_secs(flags.seconds);

    println!("load average at start {}, at end {}", loads.0, loads.1);
    println!();
    println!(
        "| stream | target/s | scheduled | succeeded | achieved/s | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | failed |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for figures in &outcome.streams {
        println!(
            "| {} | {} | {} | {} | {:.1} | {} | {} | {} | {} | {} |",
            figures.name,
            figures.per_second,
            figures.scheduled,
            figures.succeeded(),
            figures.achieved_per_second,
            ms(figures.latency(0.5)),
            ms(figures.latency(0.99)),
            ms(figures.latency(0.999)),
            ms(figures.latency(1.0)),
            failures(figures),
        );
        if figures.failed() > 0 {
            reasons.push(format!("{}: {}", figures.name, failures(figures)));
        }
        if figures.achieved_per_second < figures.per_second * RATE_HELD {
            reasons.push(format!(
                "{}: {:.1}/s of {}/s",
                figures.name, figures.achieved_per_second, figures.per_second
            ));
        }
    }
    println!();
    println!(
        "worst send lag behind the schedule: {} ms",
        ms(Some(outcome.worst_send_lag))
    );
    if !outcome.priming.is_empty() {
        let kinds: Vec<String> = outcome
            .priming
            .iter()
            .map(|(kind, count)| format!("{count} {kind}"))
            .collect();
        reasons.push(format!("priming: {}", kinds.join(", ")));
    }

    let Some(pid) = flags.pid else {
        return reasons;
    };
    let rss = &outcome.rss;
    let highest = rss.iter().map(|s| s.kib).max().unwrap_or(0);
    if let (Some(first), Some(last)) = (rss.first(), rss.last()) {
        let slope = memory::slope_kib_per_minute(Rule::DEFAULT.measured(rss, run))
            .map_or("–".to_owned(), |kib| format!("{:+.2}", kib / 1024.0));
        println!(
            "VmRSS of {pid} (MiB): first {}, last {}, max {}; {} samples; slope after the warm-up {slope} MiB/min",
            mib(first.kib),
            mib(last.kib),
            mib(highest),
            rss.len(),
        );
    }
    let every_ten: Vec<String> = rss
        .iter()
        .step_by(10)
        .chain(rss.last().filter(|_| rss.len() % 10 != 1))
        .map(|s| {
            format!(
                "{:.0} s {} MiB {} fds",
                s.at.as_secs_f64(),
                mib(s.kib),
                s.descriptors
            )
        })
        .collect();
    println!("every 10th sample and the last: {}", every_ten.join("; "));
    println!(
        "open descriptors of {pid}: max {}",
        rss.iter().map(|s| s.descriptors).max().unwrap_or(0)
    );
    if let Some(error) = outcome.sampling {
        reasons.push(format!("memory sampling stopped: {error}"));
    }
    let verdict = Rule::DEFAULT.judge(rss, run);
    println!(
        "memory: {verdict} after a {:.1} s warm-up",
        Rule::DEFAULT.warm_up_for(run).as_secs_f64()
    );
    if !verdict.is_flat() {
        reasons.push(format!("memory {verdict}"));
    }
    reasons
}

#[tokio::main]
async fn main() -> ExitCode {
    let flags = Flags::parse();
    let client = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(flags.max_in_flight)
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            eprintln!("load_rate: no HTTP client: {error}");
            return ExitCode::from(2);
        }
    };

    eprintln!(
        "load_rate: pushing a {} MiB layer to {}",
        flags.blob_mib, flags.registry
    );
    let image = match image::push(&client, &flags.registry, flags.blob_mib).await {
        Ok(image) => image,
        Err(error) => {
            eprintln!("load_rate: push: {error}");
            return ExitCode::from(2);
        }
    };

    let plan = Plan {
        streams: vec![
            Stream {
                name: "manifest GET".to_owned(),
                url: image.manifest_url(&flags.via),
                accept: Some(image::MANIFEST_TYPE.to_owned()),
                per_second: flags.manifests_per_second,
                length: image.manifest_bytes,
            },
            Stream {
                name: format!("blob GET, {} MiB", flags.blob_mib),
                url: image.layer_url(&flags.via),
                accept: None,
                per_second: flags.blobs_per_second,
                length: image.layer_bytes,
            },
        ],
        duration: Duration::from_secs(flags.seconds),
        timeout: Duration::from_secs(flags.timeout_seconds),
        max_in_flight: flags.max_in_flight,
        pid: flags.pid,
    };
    eprintln!(
        "load_rate: {} manifest GETs/s and {} blob GETs/s for {} s through {}",
        flags.manifests_per_second, flags.blobs_per_second, flags.seconds, flags.via
    );

    let load_at_start = load_average();
    let outcome = driver::run(&client, &plan).await;
    let load_at_end = load_average();

    let reasons = report(&flags, &outcome, (&load_at_start, &load_at_end));
    if reasons.is_empty() {
        println!("load-rate: pass");
        ExitCode::SUCCESS
    } else {
        println!("load-rate: fail ({})", reasons.join("; "));
        ExitCode::FAILURE
    }
}
