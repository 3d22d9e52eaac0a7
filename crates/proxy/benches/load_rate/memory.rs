//! The proxy's resident memory during a run, and the rule that calls it flat.
//!
//! **Sampling.** `VmRSS` (resident set size, in kB as the kernel writes it:
//! KiB) is read from `/proc/PID/status` at the start of the load, then once
//! a second until the last request has ended, and once more at the end. Each
//! sample keeps the time it was actually taken, and the number of open file
//! descriptors (`/proc/PID/fd`), which follows the connections.
//!
//! **The rule** ([`Rule::DEFAULT`]):
//!
//! 1. Drop the warm-up: the samples taken in the first 10 s, or in the first
//!    sixth of the run when that is shorter (a 5 s run drops its first
//!    0.83 s). Connection pools, allocator arenas and the first blob's
//!    buffers are set up there.
//! 2. Split the remaining samples, in time order, into three thirds by count
//!    (the middle third takes what does not divide).
//! 3. Memory is **flat** when the highest sample of the last third exceeds
//!    the highest of the first third by no more than 2 MiB or 10 % of the
//!    first third's highest, whichever is larger.
//!
//! Fewer than three samples after the warm-up give no verdict, which counts
//! as a failure.
//!
//! Why the highest sample of each third: resident memory moves with what is
//! in flight at the moment of the sample (a blob's chunks, a burst of
//! connections), so single samples are noisy; the highest of a third is the
//! ceiling the proxy needed in that period. A leak raises the ceiling, while
//! in-flight work stays under the same ceiling. The 2 MiB floor is above the
//! differences between ceilings (up to about 1 MiB) in runs whose live heap
//! was measured flat; the 10 % term takes over for a proxy above 20 MiB.
//!
//! What the rule can see: the highest samples of the first and last thirds
//! lie on average two thirds of the measured time apart, so in a 60 s run
//! (50 s measured, about 33 s apart) a leak is noticed from about 60 bytes a
//! request at 1,000 requests per second, or about 300 at 200 per second.
//! Longer runs (`LOAD_SECONDS`) see smaller leaks. The least-squares slope
//! of the same samples ([`slope_kib_per_minute`]) is reported beside the
//! verdict but does not decide it: one late spike moves a slope more than it
//! moves a ceiling.

use std::fmt;
use std::time::Duration;

/// One reading of the proxy's resident memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Time since the start of the load.
    pub at: Duration,
    /// `VmRSS` in KiB.
    pub kib: u64,
    /// Open file descriptors (the connections among them); not judged,
    /// shown to tell growth that follows the connection count from a leak.
    pub descriptors: usize,
}

/// Why a reading failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// `/proc/PID/status` could not be read: the process has ended.
    Gone {
        /// The process read.
        pid: u32,
    },
    /// The file has no such field, or its value is not a number.
    NoField {
        /// The field looked for.
        field: &'static str,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Gone { pid } => write!(f, "process {pid} has ended"),
            ReadError::NoField { field } => write!(f, "no {field} in the process status"),
        }
    }
}

impl std::error::Error for ReadError {}

/// A `kB` field of a `/proc/PID/status` text (`VmRSS`, `VmHWM`), in KiB.
pub fn status_kib(status: &str, field: &'static str) -> Result<u64, ReadError> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .ok_or(ReadError::NoField { field })
}

/// The field of a running process, read now.
pub fn read_kib(pid: u32, field: &'static str) -> Result<u64, ReadError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|_| ReadError::Gone { pid })?;
    status_kib(&status, field)
}

/// How many file descriptors a running process has open now.
pub fn open_descriptors(pid: u32) -> Result<usize, ReadError> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(Iterator::count)
        .map_err(|_| ReadError::Gone { pid })
}

/// One sample of a running process, taken now, `at` into the run.
pub fn sample(pid: u32, at: Duration) -> Result<Sample, ReadError> {
    Ok(Sample {
        at,
        kib: read_kib(pid, "VmRSS")?,
        descriptors: open_descriptors(pid)?,
    })
}

/// What the rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The last third's ceiling is within the allowance of the first's.
    Flat(Ceilings),
    /// The last third's ceiling is above the allowance.
    Growing(Ceilings),
    /// Too few samples after the warm-up to compare thirds.
    TooFewSamples {
        /// Samples left after the warm-up.
        measured: usize,
    },
}

/// The ceilings the rule compared, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ceilings {
    /// Highest sample of the first third.
    pub first: u64,
    /// Highest sample of the last third.
    pub last: u64,
    /// How far `last` may exceed `first`.
    pub allowed: u64,
}

impl Verdict {
    /// True only for [`Verdict::Flat`].
    pub fn is_flat(&self) -> bool {
        matches!(self, Verdict::Flat(_))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |kib: u64| kib as f64 / 1024.0;
        match self {
            Verdict::Flat(c) | Verdict::Growing(c) => {
                let word = if self.is_flat() { "flat" } else { "growing" };
                write!(
                    f,
                    "{word} (highest of first third {:.1} MiB, of last third {:.1} MiB, \
                     {:.1} MiB allowed)",
                    mib(c.first),
                    mib(c.last),
                    mib(c.allowed)
                )
            }
            Verdict::TooFewSamples { measured } => {
                write!(f, "no verdict ({measured} samples after the warm-up)")
            }
        }
    }
}

/// The parameters of the flat-memory rule; the module doc explains them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Longest warm-up dropped.
    pub warm_up: Duration,
    /// Growth always allowed, KiB.
    pub floor_kib: u64,
    /// Growth allowed as a percentage of the first third's ceiling.
    pub percent: u64,
}

impl Rule {
    /// 10 s (or a sixth of the run) warm-up; 2 MiB or 10 %.
    pub const DEFAULT: Rule = Rule {
        warm_up: Duration::from_secs(10),
        floor_kib: 2048,
        percent: 10,
    };

    /// The warm-up for a run of this length.
    pub fn warm_up_for(&self, run: Duration) -> Duration {
        self.warm_up.min(run / 6)
    }

    /// The samples after the warm-up (samples are in time order).
    pub fn measured<'a>(&self, samples: &'a [Sample], run: Duration) -> &'a [Sample] {
        let warm_up = self.warm_up_for(run);
        let first = samples.partition_point(|s| s.at < warm_up);
        &samples[first..]
    }

    /// Judges the samples of a run of this length.
    pub fn judge(&self, samples: &[Sample], run: Duration) -> Verdict {
        let measured = self.measured(samples, run);
        let third = measured.len() / 3;
        if third == 0 {
            return Verdict::TooFewSamples {
                measured: measured.len(),
            };
        }

        let ceiling = |part: &[Sample]| part.iter().map(|s| s.kib).max().unwrap_or(0);
        let first = ceiling(&measured[..third]);
        let last = ceiling(&measured[measured.len() - third..]);
        let allowed = self.floor_kib.max(first * self.percent / 100);
        let ceilings = Ceilings {
            first,
            last,
            allowed,
        };

        if last <= first + allowed {
            Verdict::Flat(ceilings)
        } else {
            Verdict::Growing(ceilings)
        }
    }
}

/// The least-squares slope of the samples, in KiB per minute; `None` for
/// fewer than two samples or samples all taken at one time.
pub fn slope_kib_per_minute(samples: &[Sample]) -> Option<f64> {
    let n = samples.len() as f64;
    if samples.len() < 2 {
        return None;
    }
    let mean_t = samples.iter().map(|s| s.at.as_secs_f64()).sum::<f64>() / n;
    let mean_k = samples.iter().map(|s| s.kib as f64).sum::<f64>() / n;

    let (mut covariance, mut variance) = (0.0, 0.0);
    for s in samples {
        let dt = s.at.as_secs_f64() - mean_t;
        covariance += dt * (s.kib as f64 - mean_k);
        variance += dt * dt;
    }
    (variance > 0.0).then(|| covariance / variance * 60.0)
}
