//! The fixed-rate load driver of `benches/load_rate` (whose long runs are
//! `make load-rate` and `make load`): its rules as tables, and a five-second
//! smoke of the same driver at a low rate.
//!
//! The smoke starts a real `docker-registry` and the `polyarch-proxy` binary
//! (the build `cargo test` makes) on free 127.0.0.1 ports, pushes a small
//! image straight to the registry, then sends 20 manifest `GET`s and 2 blob
//! `GET`s a second through the proxy on the open-loop schedule for 5 s, on
//! at most 8 connections (primed first). It asserts that every scheduled
//! request succeeded, that the rates were held, and that the flat-memory
//! rule, applied to the proxy's sampled `VmRSS`, calls it flat. Both
//! processes are stopped by their PID.

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

#[path = "../benches/load_rate/driver.rs"]
mod driver;
#[path = "../benches/load_rate/image.rs"]
mod image;
#[path = "../benches/load_rate/memory.rs"]
mod memory;
#[path = "../benches/load_rate/schedule.rs"]
mod schedule;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use driver::{Plan, Stream};
use memory::Rule;

/// A child process, killed by its PID when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Waits up to 10 s for `url` to answer 200 while the process runs; false
/// when the process exits first (its port was taken) or nothing answers.
async fn answers(process: &mut Process, url: &str) -> bool {
    let client = client();
    for _ in 0..200 {
        if process.0.try_wait().ok().flatten().is_some() {
            return false;
        }
        if let Ok(response) = client.get(url).send().await {
            return response.status() == 200 && process.0.try_wait().ok().flatten().is_none();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Starts `program` with `args(port)` on fresh ports until `path` answers
/// 200 on one; gives the process and its `127.0.0.1:PORT`.
async fn start(program: &str, args: impl Fn(&str) -> Vec<String>, path: &str) -> (Process, String) {
    for _ in 0..5 {
        let address = format!("127.0.0.1:{}", free_port());
        let child = Command::new(program)
            .args(args(&address))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} cannot start: {e}"));
        let mut process = Process(child);
        if answers(&mut process, &format!("http://{address}{path}")).await {
            return (process, address);
        }
    }
    panic!("{program} did not answer on any of five ports");
}

/// A registry configuration: filesystem storage, quiet logs, this address.
fn registry_yaml(storage: &std::path::Path, address: &str) -> String {
    let lines = [
        "version: 0.1".to_owned(),
        "log:\n  level: error\n  accesslog:\n    disabled: true".to_owned(),
        format!(
            "storage:\n  filesystem:\n    rootdirectory: {}",
            storage.display()
        ),
        format!("http:\n  addr: {address}\n  secret: polyarch-load-test"),
    ];
    lines.join("\n") + "\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_seconds_at_a_low_fixed_rate_have_no_failures_and_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("registry.yml");
    let storage = dir.path().join("storage");
    let registry_args = |address: &str| {
        std::fs::write(&config, registry_yaml(&storage, address)).unwrap();
        vec!["serve".to_owned(), config.display().to_string()]
    };
    let (_registry, registry) = start("docker-registry", registry_args, "/v2/").await;
    let proxy_args = |address: &str| {
        let flags = [
            "--listen",
            address,
            "--no-default-registries",
            "--log",
            "warn",
        ];
        let registry_flags = ["--allow-private", &registry, "--plain-http", &registry];
        flags
            .iter()
            .chain(&registry_flags)
            .map(|f| f.to_string())
            .collect()
    };
    let proxy_exe = env!("CARGO_BIN_EXE_polyarch-proxy");
    let (proxy, via) = start(proxy_exe, proxy_args, &format!("/r/{registry}/v2/")).await;
    let via = format!("http://{via}/r/{registry}");
    let image = image::push(&client(), &format!("http://{registry}"), 1)
        .await
        .unwrap();
    let plan = Plan {
        streams: vec![
            Stream {
                name: "manifest".to_owned(),
                url: image.manifest_url(&via),
                accept: Some(image::MANIFEST_TYPE.to_owned()),
                per_second: 20.0,
                length: image.manifest_bytes,
            },
            Stream {
                name: "blob".to_owned(),
                url: image.layer_url(&via),
                accept: None,
                per_second: 2.0,
                length: image.layer_bytes,
            },
        ],
        duration: Duration::from_secs(5),
        timeout: Duration::from_secs(5),
        max_in_flight: 8,
        pid: Some(proxy.0.id()),
    };
    let load_client = reqwest::Client::builder().no_proxy().build().unwrap();

    let outcome = driver::run(&load_client, &plan).await;

    let scheduled: Vec<u64> = outcome.streams.iter().map(|s| s.scheduled).collect();
    assert_eq!(scheduled, [100, 10]);
    for stream in &outcome.streams {
        assert_eq!(stream.failed(), 0, "{}: {:?}", stream.name, stream.failures);
        assert_eq!(stream.succeeded(), stream.scheduled, "{}", stream.name);
        assert!(
            stream.achieved_per_second >= stream.per_second * 0.99,
            "{}: {}/s",
            stream.name,
            stream.achieved_per_second
        );
        assert!(
            stream.latency(0.999) < Some(plan.timeout),
            "{}",
            stream.name
        );
    }
    assert_eq!(outcome.sampling, None);
    assert!(outcome.priming.is_empty(), "{:?}", outcome.priming);
    assert!(outcome.rss.len() >= 6, "{:?}", outcome.rss);
    assert!(outcome.worst_send_lag < plan.timeout);
    let verdict = Rule::DEFAULT.judge(&outcome.rss, plan.duration);
    assert!(verdict.is_flat(), "{verdict}: {:?}", outcome.rss);
}

/// The rules of `benches/load_rate/schedule.rs`.
mod schedule_rules {
    use std::time::Duration;

    use crate::schedule::Schedule;

    fn counts(rates: &[f64], seconds: f64) -> Vec<usize> {
        let mut counts = vec![0; rates.len()];
        for (_, stream) in Schedule::new(rates, Duration::from_secs_f64(seconds)) {
            counts[stream] += 1;
        }
        counts
    }

    #[test]
    fn each_stream_sends_rate_times_duration_requests() {
        let table: &[(&[f64], f64, &[usize])] = &[
            (&[200.0], 60.0, &[12_000]),
            (&[1000.0, 1.0], 60.0, &[60_000, 60]),
            (&[0.5], 5.0, &[3]),
            (&[0.1], 30.0, &[3]),
            (&[3.0], 1.0, &[3]),
            (&[20.0, 2.0], 5.0, &[100, 10]),
            (&[0.0, 5.0], 2.0, &[0, 10]),
            (&[f64::NAN, -1.0, f64::INFINITY], 2.0, &[0, 0, 0]),
            (&[100.0], 0.0, &[0]),
        ];
        for &(rates, seconds, expected) in table {
            assert_eq!(
                counts(rates, seconds),
                expected,
                "{rates:?} for {seconds} s"
            );
        }
    }

    #[test]
    fn requests_are_due_at_index_over_rate_in_time_order() {
        let schedule = Schedule::new(&[4.0, 1.0], Duration::from_secs(1));

        let due: Vec<(u64, usize)> = schedule.map(|(at, s)| (at.as_millis() as u64, s)).collect();

        assert_eq!(due, [(0, 0), (0, 1), (250, 0), (500, 0), (750, 0)]);
    }

    #[test]
    fn the_merged_schedule_never_goes_back_in_time() {
        let schedule = Schedule::new(&[1000.0, 3.0, 7.5], Duration::from_secs(3));

        let offsets: Vec<Duration> = schedule.map(|(at, _)| at).collect();

        assert_eq!(offsets.len(), 3000 + 9 + 23);
        assert!(offsets.windows(2).all(|w| w[0] <= w[1]));
        assert!(offsets.iter().all(|&at| at < Duration::from_secs(3)));
    }
}

/// The rules of `benches/load_rate/memory.rs`.
mod memory_rules {
    use std::time::Duration;

    use crate::memory::*;

    /// One sample a second, starting at 0 s.
    fn series(kib: &[u64]) -> Vec<Sample> {
        kib.iter()
            .enumerate()
            .map(|(i, &kib)| Sample {
                at: Duration::from_secs(i as u64),
                kib,
                descriptors: 10,
            })
            .collect()
    }

    #[test]
    fn status_fields_are_read_in_kib() {
        let status =
            "Name:\tpolyarch-proxy\nVmHWM:\t   12600 kB\nVmRSS:\t   11020 kB\nThreads:\t3\n";
        let table: &[(&'static str, Result<u64, ReadError>)] = &[
            ("VmRSS", Ok(11_020)),
            ("VmHWM", Ok(12_600)),
            ("Threads", Ok(3)),
            ("VmSwap", Err(ReadError::NoField { field: "VmSwap" })),
            ("Vm", Err(ReadError::NoField { field: "Vm" })),
            ("Name", Err(ReadError::NoField { field: "Name" })),
        ];
        for &(field, expected) in table {
            assert_eq!(status_kib(status, field), expected, "{field}");
        }
    }

    #[test]
    fn this_process_can_be_sampled_and_a_missing_one_cannot() {
        let pid = std::process::id();
        let at = Duration::from_secs(3);

        let own = sample(pid, at);
        let missing = sample(u32::MAX, at);

        let own = own.unwrap();
        assert_eq!(own.at, at);
        assert!(own.kib > 0, "{own:?}");
        assert!(
            own.descriptors >= 3,
            "stdin, stdout, stderr at least: {own:?}"
        );
        assert_eq!(missing, Err(ReadError::Gone { pid: u32::MAX }));
    }

    #[test]
    fn the_rule_compares_ceilings_of_the_first_and_last_thirds_after_warm_up() {
        let run = Duration::from_secs(60);
        // Samples 0..10 s are warm-up; the growth there never counts.
        let warm = |rest: &[u64]| {
            let mut kib = vec![1000; 10];
            kib.extend_from_slice(rest);
            series(&kib)
        };
        let flat = |first, last, allowed| {
            Verdict::Flat(Ceilings {
                first,
                last,
                allowed,
            })
        };
        let growing = |first, last, allowed| {
            Verdict::Growing(Ceilings {
                first,
                last,
                allowed,
            })
        };
        let table: Vec<(&str, Vec<Sample>, Verdict)> = vec![
            ("steady", warm(&[10_000; 9]), flat(10_000, 10_000, 2048)),
            (
                "noise under the first ceiling",
                warm(&[
                    10_000, 12_000, 10_500, 11_000, 9_000, 11_500, 10_000, 11_900, 10_100,
                ]),
                flat(12_000, 11_900, 2048),
            ),
            (
                "exactly the floor above",
                warm(&[10_000, 10_000, 10_000, 0, 0, 0, 12_048, 0, 0]),
                flat(10_000, 12_048, 2048),
            ),
            (
                "one KiB over the floor",
                warm(&[10_000, 10_000, 10_000, 0, 0, 0, 12_049, 0, 0]),
                growing(10_000, 12_049, 2048),
            ),
            (
                "a leak",
                warm(&[
                    10_000, 10_500, 11_000, 11_500, 12_000, 12_500, 13_000, 13_500, 14_000,
                ]),
                growing(11_000, 14_000, 2048),
            ),
            (
                "a large proxy gets ten per cent",
                warm(&[100_000, 100_000, 109_000, 109_000]),
                flat(100_000, 109_000, 10_000),
            ),
            (
                "the middle third takes the remainder",
                warm(&[5_000, 99_000, 99_000, 5_000]),
                flat(5_000, 5_000, 2048),
            ),
            (
                "warm-up growth does not count",
                series(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20_000, 20_000, 20_000]),
                flat(20_000, 20_000, 2048),
            ),
            (
                "too few after the warm-up",
                warm(&[10_000, 10_000]),
                Verdict::TooFewSamples { measured: 2 },
            ),
            (
                "none at all",
                Vec::new(),
                Verdict::TooFewSamples { measured: 0 },
            ),
        ];

        for (name, samples, expected) in table {
            assert_eq!(Rule::DEFAULT.judge(&samples, run), expected, "{name}");
        }
    }

    #[test]
    fn a_short_run_drops_its_first_sixth() {
        let run = Duration::from_secs(5);
        let samples = series(&[1, 9_000, 9_000, 9_000, 9_000, 9_000]);

        let measured = Rule::DEFAULT.measured(&samples, run);
        let verdict = Rule::DEFAULT.judge(&samples, run);

        assert_eq!(
            Rule::DEFAULT.warm_up_for(run),
            Duration::from_millis(833) + Duration::from_nanos(333_333)
        );
        assert_eq!(measured.len(), 5);
        assert!(verdict.is_flat(), "{verdict}");
    }

    #[test]
    fn the_slope_is_in_kib_per_minute() {
        let table: &[(&[u64], Option<f64>)] = &[
            (&[100, 100, 100], Some(0.0)),
            (&[100, 110, 120, 130], Some(600.0)),
            (&[130, 120, 110], Some(-600.0)),
            (&[100], None),
            (&[], None),
        ];
        for &(kib, expected) in table {
            let slope = slope_kib_per_minute(&series(kib));
            match (slope, expected) {
                (Some(got), Some(want)) => assert!((got - want).abs() < 1e-9, "{kib:?}: {got}"),
                _ => assert_eq!(slope, expected, "{kib:?}"),
            }
        }
    }

    #[test]
    fn verdicts_read_as_sentences() {
        let ceilings = Ceilings {
            first: 10_240,
            last: 11_264,
            allowed: 2048,
        };
        let table = [
            (
                Verdict::Flat(ceilings),
                "flat (highest of first third 10.0 MiB, of last third 11.0 MiB, 2.0 MiB allowed)",
            ),
            (
                Verdict::Growing(ceilings),
                "growing (highest of first third 10.0 MiB, of last third 11.0 MiB, 2.0 MiB allowed)",
            ),
            (
                Verdict::TooFewSamples { measured: 2 },
                "no verdict (2 samples after the warm-up)",
            ),
        ];
        for (verdict, text) in table {
            assert_eq!(verdict.to_string(), text);
        }
    }
}

/// The rules of `benches/load_rate/driver.rs`.
mod driver_rules {
    use crate::driver::{Failure, nearest_rank};

    #[test]
    fn percentiles_are_nearest_rank() {
        let hundred: Vec<u64> = (1..=100).collect();
        let thousand: Vec<u64> = (1..=1000).collect();
        let table: &[(&[u64], f64, Option<u64>)] = &[
            (&hundred, 0.5, Some(50)),
            (&hundred, 0.99, Some(99)),
            (&hundred, 0.999, Some(100)),
            (&hundred, 1.0, Some(100)),
            (&hundred, 0.0, Some(1)),
            (&thousand, 0.999, Some(999)),
            (&[7], 0.5, Some(7)),
            (&[7], 0.999, Some(7)),
            (&[], 0.5, None),
        ];
        for &(sorted, q, expected) in table {
            assert_eq!(
                nearest_rank(sorted, q),
                expected,
                "q {q} of {}",
                sorted.len()
            );
        }
    }

    #[test]
    fn failures_read_as_kinds() {
        let table = [
            (Failure::Connect, "connect"),
            (Failure::Transport, "connection lost"),
            (Failure::Status(503), "status 503"),
            (Failure::Body, "body broke off"),
            (Failure::Length, "wrong length"),
            (Failure::Timeout, "timeout"),
            (Failure::Unfinished, "unfinished"),
        ];
        for (failure, text) in table {
            assert_eq!(failure.to_string(), text);
        }
    }
}

/// The rules of `benches/load_rate/image.rs`.
mod image_rules {
    use crate::image::{Image, digest_of, layer_bytes};

    const MIB: usize = 1024 * 1024;

    #[test]
    fn every_mib_of_the_layer_differs() {
        let bytes = layer_bytes(3);

        let blocks: Vec<&[u8]> = bytes.chunks(MIB).collect();

        assert_eq!(bytes.len(), 3 * MIB);
        assert_ne!(blocks[0], blocks[1]);
        assert_ne!(blocks[1], blocks[2]);
        assert_eq!(&blocks[2][..8], &2u64.to_le_bytes());
    }

    #[test]
    fn digests_are_sha256_of_the_bytes() {
        assert_eq!(
            digest_of(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn urls_sit_under_the_base() {
        let image = Image {
            manifest_bytes: 400,
            layer: "sha256:ab".to_owned(),
            layer_bytes: 1,
        };

        let base = "http://127.0.0.1:1/r/127.0.0.1:2";

        assert_eq!(
            image.manifest_url(base),
            "http://127.0.0.1:1/r/127.0.0.1:2/v2/load/manifests/rate"
        );
        assert_eq!(
            image.layer_url(base),
            "http://127.0.0.1:1/r/127.0.0.1:2/v2/load/blobs/sha256:ab"
        );
    }
}
