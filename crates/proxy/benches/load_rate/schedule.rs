//! The open-loop schedule: when each request is meant to be sent.
//!
//! A stream of `rate` requests per second over a run of `duration` has its
//! request number `i` (from 0) at `i / rate` seconds after the start, for
//! every `i` with `i / rate < duration`: 200/s for 60 s is 12,000 requests,
//! 0.5/s for 5 s is three (at 0, 2 and 4 s), and a rate of 0 sends nothing.
//! Several streams are merged in time order; at equal times the stream given
//! first goes first.
//!
//! The intended times depend on the clock alone, never on when an earlier
//! answer came back: that makes the load open-loop, and lets the driver
//! measure each request's latency from its intended time. A stall then
//! counts against every request that was due during it, instead of delaying
//! the requests and hiding the wait (the "coordinated omission" of a
//! closed-loop client, which sends the next request only after the last
//! answer).

use std::time::Duration;

/// The merged, time-ordered schedule of several streams.
#[derive(Debug, Clone)]
pub struct Schedule {
    rates: Vec<f64>,
    next: Vec<u64>,
    duration: Duration,
}

impl Schedule {
    /// The schedule of streams with these rates (requests per second) over
    /// `duration`. A rate that is not a positive finite number sends
    /// nothing; the command line refuses such rates before they get here.
    pub fn new(rates: &[f64], duration: Duration) -> Schedule {
        Schedule {
            rates: rates.to_vec(),
            next: vec![0; rates.len()],
            duration,
        }
    }

    /// When request `index` of the stream at `rate` is due, or `None` once
    /// that is at or after the end of the run.
    fn due(&self, rate: f64, index: u64) -> Option<Duration> {
        if !(rate.is_finite() && rate > 0.0) {
            return None;
        }
        let at = index as f64 / rate;
        (at < self.duration.as_secs_f64()).then(|| Duration::from_secs_f64(at))
    }
}

impl Iterator for Schedule {
    /// The offset from the start at which a request is due, and its stream.
    type Item = (Duration, usize);

    fn next(&mut self) -> Option<(Duration, usize)> {
        let mut earliest: Option<(Duration, usize)> = None;
        for (stream, (&rate, &index)) in self.rates.iter().zip(&self.next).enumerate() {
            let Some(at) = self.due(rate, index) else {
                continue;
            };
            if earliest.is_none_or(|(best, _)| at < best) {
                earliest = Some((at, stream));
            }
        }

        let (_, stream) = earliest?;
        self.next[stream] += 1;
        earliest
    }
}
