//! The open-loop driver: each request leaves at its intended time, and its
//! latency is measured from that time.
//!
//! A [`Plan`] names streams of `GET`s (a URL, a rate, the length every
//! answer must have), a run length, a per-request time limit and the PID
//! whose memory is sampled. [`run`] follows the merged
//! [`Schedule`](crate::schedule::Schedule): at each intended time it starts
//! the request as a task of its own, whether or not earlier ones have
//! answered. A request's latency is from its intended time to the last byte
//! of its answer, so a client that falls behind, a queue in the proxy and a
//! stalled registry all show in the figures instead of thinning the load.
//!
//! Rules:
//!
//! - At most `max_in_flight` requests are open at once, each on a
//!   connection of its own (HTTP/1.1); a request due while all slots are
//!   taken waits for one, and the wait is part of its latency. The client
//!   keeps up to that many idle connections for reuse.
//! - Before the clock starts, the driver primes the connections: it sends
//!   `max_in_flight` requests of each stream at once, stream after stream,
//!   unmeasured. A proxy's memory grows with the connections it holds (on
//!   both sides, each with its buffers, the upstream ones sized by the
//!   largest body they carried); priming takes it to the full set of
//!   connections at their largest first, so that growth during the run is
//!   not the connection set filling up. Priming failures are reported apart.
//! - A request must be answered in full within `timeout` of its intended
//!   time, or it fails as [`Failure::Timeout`]. So every request has ended by
//!   the end of the run plus `timeout`; the driver waits one second more,
//!   then abandons what is left as [`Failure::Unfinished`].
//! - An answer counts as a success only with status 200 and a body of
//!   exactly the stream's length. Latency percentiles are over successes;
//!   failures are counted by kind.
//! - The achieved rate of a stream is its successes divided by the longer
//!   of the run and the time from the start to its last success.
//!
//! The client is the caller's (the load program's keeps
//! `max_in_flight` idle connections and uses no system proxy). Every URL
//! comes from the caller; the load scripts give only 127.0.0.1 ones.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

use crate::memory::{self, ReadError, Sample};
use crate::schedule::Schedule;

/// One stream of `GET`s at a fixed rate.
#[derive(Debug, Clone)]
pub struct Stream {
    /// The name shown in the figures.
    pub name: String,
    /// What is fetched.
    pub url: String,
    /// The `Accept` header, if any.
    pub accept: Option<String>,
    /// Requests per second.
    pub per_second: f64,
    /// The body length every answer must have.
    pub length: u64,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The streams, merged into one schedule.
    pub streams: Vec<Stream>,
    /// How long requests are started for.
    pub duration: Duration,
    /// Time from a request's intended time by which it must be answered.
    pub timeout: Duration,
    /// Requests open at once, at most.
    pub max_in_flight: usize,
    /// The process whose `VmRSS` is sampled once a second, if any.
    pub pid: Option<u32>,
}

/// Why a request did not count as a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Failure {
    /// No connection could be made.
    Connect,
    /// The connection failed after it was made, before the answer's head.
    Transport,
    /// The answer's status was not 200.
    Status(u16),
    /// The body broke off.
    Body,
    /// The body had another length than the stream's.
    Length,
    /// Not answered in full within the time limit of the intended time.
    Timeout,
    /// Still open when the driver stopped waiting.
    Unfinished,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Connect => f.write_str("connect"),
            Failure::Transport => f.write_str("connection lost"),
            Failure::Status(status) => write!(f, "status {status}"),
            Failure::Body => f.write_str("body broke off"),
            Failure::Length => f.write_str("wrong length"),
            Failure::Timeout => f.write_str("timeout"),
            Failure::Unfinished => f.write_str("unfinished"),
        }
    }
}

impl Failure {
    fn of(error: &reqwest::Error) -> Failure {
        if error.is_timeout() {
            Failure::Timeout
        } else if error.is_connect() {
            Failure::Connect
        } else if error.is_body() || error.is_decode() {
            Failure::Body
        } else {
            Failure::Transport
        }
    }
}

/// One stream's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    /// The stream's name.
    pub name: String,
    /// The intended rate.
    pub per_second: f64,
    /// Requests the schedule started.
    pub scheduled: u64,
    /// Latencies of the successes from their intended times, sorted, in µs.
    pub latencies_us: Vec<u64>,
    /// Failures by kind.
    pub failures: BTreeMap<Failure, u64>,
    /// Successes per second (see the module doc).
    pub achieved_per_second: f64,
}

impl Figures {
    /// Successful requests.
    pub fn succeeded(&self) -> u64 {
        self.latencies_us.len() as u64
    }

    /// Failed requests, of every kind.
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    /// The latency at quantile `q` (0.5, 0.99, 0.999), nearest rank.
    pub fn latency(&self, q: f64) -> Option<Duration> {
        nearest_rank(&self.latencies_us, q).map(Duration::from_micros)
    }
}

/// The value of rank `ceil(q × n)` in sorted values (rank 1 at least); the
/// nearest-rank percentile, which is always a value that was measured.
pub fn nearest_rank(sorted: &[u64], q: f64) -> Option<u64> {
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n.max(1));
    sorted.get(rank - 1).copied()
}

/// Everything a run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Per stream, in the plan's order.
    pub streams: Vec<Figures>,
    /// The sampled `VmRSS`, in time order.
    pub rss: Vec<Sample>,
    /// Why sampling stopped early, if it did (the process ended).
    pub sampling: Option<ReadError>,
    /// The latest any request left after its intended time: how far the
    /// driver itself (or the in-flight limit) fell behind the schedule.
    pub worst_send_lag: Duration,
    /// Failures while priming the connections (see the module doc).
    pub priming: BTreeMap<Failure, u64>,
}

/// What one request came to.
struct Record {
    stream: usize,
    result: Result<Ended, Failure>,
}

struct Ended {
    latency: Duration,
    send_lag: Duration,
    finished_at: Instant,
}

/// Sends one request at its intended time (already reached) and reads the
/// answer to its end.
async fn one(
    client: reqwest::Client,
    stream: Arc<Stream>,
    intended: Instant,
    deadline: Instant,
    slots: Arc<Semaphore>,
) -> Result<Ended, Failure> {
    let attempt = async {
        // The semaphore is never closed, so acquiring only waits.
        let _slot = slots.acquire().await.map_err(|_| Failure::Unfinished)?;
        let sent = Instant::now();

        let mut request = client.get(&stream.url);
        if let Some(accept) = &stream.accept {
            request = request.header("accept", accept);
        }
        let response = request.send().await.map_err(|e| Failure::of(&e))?;
        if response.status() != 200 {
            return Err(Failure::Status(response.status().as_u16()));
        }

        let mut body = response.bytes_stream();
        let mut read = 0u64;
        while let Some(chunk) = body.next().await {
            read += chunk.map_err(|e| Failure::of(&e))?.len() as u64;
        }
        if read != stream.length {
            return Err(Failure::Length);
        }
        Ok(sent)
    };

    let sent = tokio::time::timeout_at(deadline, attempt)
        .await
        .map_err(|_| Failure::Timeout)??;
    let finished_at = Instant::now();
    Ok(Ended {
        latency: finished_at - intended,
        send_lag: sent - intended,
        finished_at,
    })
}

/// Samples the process's `VmRSS` at `start` and once a second until told to
/// stop, then once more.
async fn sample(
    pid: u32,
    start: Instant,
    mut stop: oneshot::Receiver<()>,
) -> (Vec<Sample>, Option<ReadError>) {
    let mut samples = Vec::new();
    let take = |samples: &mut Vec<Sample>| {
        memory::sample(pid, start.elapsed()).map(|sample| samples.push(sample))
    };

    let mut tick = tokio::time::interval_at(start, Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {
                if let Err(error) = take(&mut samples) {
                    return (samples, Some(error));
                }
            }
        }
    }
    let last = take(&mut samples).err();
    (samples, last)
}

/// Sends `count` requests of each stream with a rate at once, stream after
/// stream, and waits for them; gives the failures.
async fn prime(
    client: &reqwest::Client,
    streams: &[Arc<Stream>],
    count: usize,
    timeout: Duration,
) -> BTreeMap<Failure, u64> {
    let mut failures = BTreeMap::new();
    for stream in streams.iter().filter(|s| s.per_second > 0.0) {
        let slots = Arc::new(Semaphore::new(count));
        let now = Instant::now();
        let mut burst = JoinSet::new();
        for _ in 0..count {
            let request = one(
                client.clone(),
                stream.clone(),
                now,
                now + timeout,
                slots.clone(),
            );
            burst.spawn(request);
        }
        while let Some(joined) = burst.join_next().await {
            let failure = match joined {
                Ok(Ok(_)) => continue,
                Ok(Err(failure)) => failure,
                Err(_) => Failure::Unfinished,
            };
            *failures.entry(failure).or_insert(0) += 1;
        }
    }
    failures
}

/// Runs the plan with this client.
pub async fn run(client: &reqwest::Client, plan: &Plan) -> Outcome {
    let streams: Vec<Arc<Stream>> = plan.streams.iter().cloned().map(Arc::new).collect();
    let rates: Vec<f64> = streams.iter().map(|s| s.per_second).collect();
    let in_flight = plan.max_in_flight.max(1);
    let priming = prime(client, &streams, in_flight, plan.timeout).await;
    let slots = Arc::new(Semaphore::new(in_flight));
    let mut records: Vec<Record> = Vec::new();
    let mut scheduled = vec![0u64; streams.len()];
    let mut tasks = JoinSet::new();

    let start = Instant::now();
    let (stop, stopped) = oneshot::channel();
    let sampler = plan
        .pid
        .map(|pid| tokio::spawn(sample(pid, start, stopped)));

    for (offset, index) in Schedule::new(&rates, plan.duration) {
        let intended = start + offset;
        let due = tokio::time::sleep_until(intended);
        tokio::pin!(due);
        // Collect what has ended while waiting, so that finished tasks do
        // not pile up in the set.
        loop {
            tokio::select! {
                biased;
                () = &mut due => break,
                Some(joined) = tasks.join_next() => records.extend(joined.ok()),
            }
        }

        scheduled[index] += 1;
        let request = one(
            client.clone(),
            streams[index].clone(),
            intended,
            intended + plan.timeout,
            slots.clone(),
        );
        tasks.spawn(async move {
            Record {
                stream: index,
                result: request.await,
            }
        });
    }

    // Every request ends by its deadline; one second of grace, then stop.
    let give_up = start + plan.duration + plan.timeout + Duration::from_secs(1);
    while let Ok(Some(joined)) = tokio::time::timeout_at(give_up, tasks.join_next()).await {
        records.extend(joined.ok());
    }
    tasks.shutdown().await;

    let _ = stop.send(());
    let (rss, sampling) = match sampler {
        Some(task) => task.await.unwrap_or_default(),
        None => (Vec::new(), None),
    };

    let worst_send_lag = records
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|e| e.send_lag))
        .max()
        .unwrap_or_default();
    let figures = streams
        .iter()
        .enumerate()
        .map(|(index, stream)| figures(stream, index, scheduled[index], &records, start, plan))
        .collect();
    Outcome {
        streams: figures,
        rss,
        sampling,
        worst_send_lag,
        priming,
    }
}

/// One stream's figures from all records; scheduled requests with no record
/// were abandoned.
fn figures(
    stream: &Stream,
    index: usize,
    scheduled: u64,
    records: &[Record],
    start: Instant,
    plan: &Plan,
) -> Figures {
    let mut latencies_us = Vec::new();
    let mut failures = BTreeMap::new();
    let mut last_success = start + plan.duration;

    for record in records.iter().filter(|r| r.stream == index) {
        match &record.result {
            Ok(ended) => {
                latencies_us.push(ended.latency.as_micros() as u64);
                last_success = last_success.max(ended.finished_at);
            }
            Err(failure) => *failures.entry(*failure).or_insert(0) += 1,
        }
    }
    let recorded = records.iter().filter(|r| r.stream == index).count() as u64;
    if scheduled > recorded {
        *failures.entry(Failure::Unfinished).or_insert(0) += scheduled - recorded;
    }

    latencies_us.sort_unstable();
    let window = (last_success - start).as_secs_f64();
    Figures {
        name: stream.name.clone(),
        per_second: stream.per_second,
        scheduled,
        achieved_per_second: latencies_us.len() as f64 / window.max(f64::MIN_POSITIVE),
        latencies_us,
        failures,
    }
}
