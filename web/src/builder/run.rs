//! Where a push or an import stands, as the page shows it: the driver's
//! [`Event`]s folded into one state, and the words and figures for it.
//!
//! | state | `data-state` | Stop | Resume |
//! |---|---|---|---|
//! | nothing started | `idle` | — | — |
//! | kept from an earlier visit | `saved` | — | yes |
//! | sending | `running` | yes | — |
//! | waiting out a `429` | `waiting` | yes | — |
//! | written and read back | `done` | — | — |
//! | the registry refused a step | `failed` | — | yes |
//! | no answer, or credentials refused | `failed` | — | yes |
//! | stopped by the user | `stopped` | — | yes |
//! | no client (the proxy setting) | `failed` | — | yes |
//!
//! Resume drives the same [`Transfer`](polyarch_core::transfer::Transfer)
//! again: the core re-checks the step that stopped and goes on, and nothing
//! finished is redone.

use std::rc::Rc;

use polyarch_core::transfer::{Failure, Progress, RateLimit};
use yew::Reducible;

use crate::cells;
use crate::registry::ClientError;
use crate::registry::driver::Event;
use crate::registry::endpoint::ProxyError;

/// What happened last.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Nothing started.
    Idle,
    /// Kept from an earlier visit, not running.
    Saved {
        /// Why it stopped then, in words.
        note: Option<String>,
    },
    /// Sending.
    Running,
    /// Waiting out a `429`.
    Waiting {
        /// Seconds left.
        seconds: u64,
        /// The registry's figures.
        rate_limit: RateLimit,
    },
    /// Written and read back.
    Done,
    /// The registry's answer stopped it.
    Failed(Failure),
    /// No answer, or credentials refused.
    Interrupted(ClientError),
    /// No client could be made.
    Unavailable(ProxyError),
    /// The user stopped it.
    Stopped,
}

/// A push or an import, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    /// What it does: `push to …`, `copy … to …`.
    pub label: String,
    /// Where it stands.
    pub status: Status,
    /// The counts so far.
    pub progress: Progress,
}

impl Default for RunState {
    fn default() -> Self {
        RunState {
            label: String::new(),
            status: Status::Idle,
            progress: Progress::default(),
        }
    }
}

/// Changes to a [`RunState`].
#[derive(Debug, Clone, PartialEq)]
pub enum RunAction {
    /// A transfer kept from an earlier visit.
    Restored {
        /// What it does.
        label: String,
        /// Why it stopped.
        note: Option<String>,
        /// Its counts.
        progress: Progress,
    },
    /// A new transfer starts.
    Started {
        /// What it does.
        label: String,
    },
    /// The same transfer goes on.
    Resumed,
    /// The driver reported.
    Event(Event),
    /// No client could be made.
    Unavailable(ProxyError),
    /// The kept transfer was thrown away.
    Discarded,
}

impl RunState {
    /// `idle`, `saved`, `running`, `waiting`, `done`, `failed` or `stopped`.
    pub fn data_state(&self) -> &'static str {
        match self.status {
            Status::Idle => "idle",
            Status::Saved { .. } => "saved",
            Status::Running => "running",
            Status::Waiting { .. } => "waiting",
            Status::Done => "done",
            Status::Failed(_) | Status::Interrupted(_) | Status::Unavailable(_) => "failed",
            Status::Stopped => "stopped",
        }
    }

    /// Whether the driver is at work.
    pub fn is_active(&self) -> bool {
        matches!(self.status, Status::Running | Status::Waiting { .. })
    }

    /// Whether Resume applies.
    pub fn can_resume(&self) -> bool {
        matches!(
            self.status,
            Status::Saved { .. }
                | Status::Failed(_)
                | Status::Interrupted(_)
                | Status::Unavailable(_)
                | Status::Stopped
        )
    }

    /// The state after `action`.
    pub fn apply(self, action: RunAction) -> RunState {
        match action {
            RunAction::Restored {
                label,
                note,
                progress,
            } => RunState {
                label,
                status: Status::Saved { note },
                progress,
            },
            RunAction::Started { label } => RunState {
                label,
                status: Status::Running,
                progress: Progress::default(),
            },
            RunAction::Resumed => RunState {
                status: Status::Running,
                ..self
            },
            RunAction::Unavailable(error) => RunState {
                status: Status::Unavailable(error),
                ..self
            },
            RunAction::Discarded => RunState::default(),
            RunAction::Event(event) => {
                let (status, progress) = match event {
                    Event::Progress(progress) => (Status::Running, progress),
                    Event::Waiting {
                        seconds,
                        rate_limit,
                        progress,
                    } => (
                        Status::Waiting {
                            seconds,
                            rate_limit,
                        },
                        progress,
                    ),
                    Event::Done(progress) => (Status::Done, progress),
                    Event::Failed { failure, progress } => (Status::Failed(failure), progress),
                    Event::Interrupted { error, progress } => {
                        (Status::Interrupted(error), progress)
                    }
                    Event::Stopped(progress) => (Status::Stopped, progress),
                };
                RunState {
                    status,
                    progress,
                    ..self
                }
            }
        }
    }

    /// One sentence on where it stands.
    pub fn headline(&self) -> String {
        let label = &self.label;
        let p = &self.progress;
        match &self.status {
            Status::Idle => "Nothing sent yet.".to_owned(),
            Status::Saved { .. } => format!(
                "An unfinished {label} was kept ({} of {} steps done). Resume goes on from \
                 there.",
                p.steps_done, p.steps_total
            ),
            Status::Running if p.step.is_empty() => format!("Working on the {label}…"),
            Status::Running => format!(
                "Working on the {label}: step {} of {}, {}.",
                p.steps_done + 1,
                p.steps_total.max(p.steps_done + 1),
                p.step
            ),
            Status::Waiting { seconds, .. } => {
                format!("The registry is limiting requests (429): sending again in {seconds} s.")
            }
            Status::Done => format!("Done: the {label} is written and read back."),
            Status::Failed(_) => format!("The {label} stopped: the registry refused a step."),
            Status::Interrupted(_) => {
                format!("The {label} stopped: a request got no usable answer.")
            }
            Status::Unavailable(_) => format!("The {label} could not start."),
            Status::Stopped => format!("The {label} was stopped. Resume goes on from there."),
        }
    }
}

impl Reducible for RunState {
    type Action = RunAction;

    fn reduce(self: Rc<Self>, action: RunAction) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

/// Why `event` stopped a transfer, in words, to keep with it; `None` for
/// an event that does not stop it, or finishes it.
pub fn note_of(event: &Event) -> Option<String> {
    match event {
        Event::Failed { failure, .. } => Some(failure.to_string()),
        Event::Interrupted { error, .. } => Some(error.to_string()),
        Event::Stopped(_) => Some("stopped by you".to_owned()),
        Event::Progress(_) | Event::Waiting { .. } | Event::Done(_) => None,
    }
}

/// The figures of `progress`, as label and value.
pub fn figures(progress: &Progress) -> Vec<(&'static str, String)> {
    let p = progress;
    vec![
        ("Steps", format!("{} of {}", p.steps_done, p.steps_total)),
        (
            "Manifests",
            format!(
                "{} of {} written; {} in all, {} already at the target",
                p.manifests_done, p.manifests_total, p.manifests_found, p.manifests_present
            ),
        ),
        (
            "Blobs",
            format!(
                "{} of {} in place: {} already there, {} mounted, {} uploaded",
                p.blobs_done, p.blobs_total, p.blobs_present, p.blobs_mounted, p.blobs_uploaded
            ),
        ),
        (
            "Bytes",
            format!(
                "{} of {}",
                cells::size(i64::try_from(p.bytes_done).ok()),
                cells::size(i64::try_from(p.bytes_total).ok())
            ),
        ),
        ("Requests", cells::grouped(p.requests)),
    ]
}

/// The rate-limit figures: `Retry-After` and every `RateLimit-*` header.
pub fn rate_limit_lines(rate_limit: &RateLimit) -> Vec<String> {
    let mut lines = Vec::new();
    match rate_limit.retry_after {
        Some(seconds) => lines.push(format!("Retry-After: {seconds} s")),
        None => lines.push("Retry-After: not given (waiting the default)".to_owned()),
    }
    for (name, value) in &rate_limit.headers {
        lines.push(format!("{name}: {value}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use polyarch_core::transfer::{Problem, Verified};

    fn progress(done: u64) -> Progress {
        Progress {
            steps_done: done,
            steps_total: 9,
            step: "put manifest sha256:ab".into(),
            ..Progress::default()
        }
    }

    #[test]
    fn events_move_the_state() {
        let failure = Failure {
            step: "put manifest sha256:ab".into(),
            request: "PUT /v2/demo/app/manifests/sha256:ab".into(),
            problem: Problem::Status {
                status: 500,
                errors: Vec::new(),
            },
        };
        let table: Vec<(Event, &str, bool, bool)> = vec![
            (Event::Progress(progress(2)), "running", true, false),
            (
                Event::Waiting {
                    seconds: 3,
                    rate_limit: RateLimit::default(),
                    progress: progress(2),
                },
                "waiting",
                true,
                false,
            ),
            (Event::Done(progress(9)), "done", false, false),
            (
                Event::Failed {
                    failure,
                    progress: progress(4),
                },
                "failed",
                false,
                true,
            ),
            (
                Event::Interrupted {
                    error: ClientError::LocalBlob,
                    progress: progress(4),
                },
                "failed",
                false,
                true,
            ),
            (Event::Stopped(progress(4)), "stopped", false, true),
        ];
        for (event, state, active, resumable) in table {
            let started = RunState::default().apply(RunAction::Started {
                label: "push".into(),
            });

            let after = started.apply(RunAction::Event(event.clone()));

            assert_eq!(after.data_state(), state, "{event:?}");
            assert_eq!(after.is_active(), active, "{event:?}");
            assert_eq!(after.can_resume(), resumable, "{event:?}");
            assert_eq!(after.label, "push");
        }
    }

    #[test]
    fn a_failure_is_kept_in_words_and_resume_keeps_the_counts() {
        let failed = RunState::default()
            .apply(RunAction::Started {
                label: "push".into(),
            })
            .apply(RunAction::Event(Event::Interrupted {
                error: ClientError::LocalBlob,
                progress: progress(4),
            }));

        let resumed = failed.clone().apply(RunAction::Resumed);

        assert_eq!(
            note_of(&Event::Interrupted {
                error: ClientError::LocalBlob,
                progress: progress(4),
            })
            .as_deref(),
            Some("this page holds no local blobs to upload")
        );
        assert_eq!(note_of(&Event::Done(progress(9))), None);
        assert_eq!(resumed.progress, progress(4));
        assert_eq!(resumed.data_state(), "running");
        assert!(
            resumed.headline().contains("step 5 of 9"),
            "{}",
            resumed.headline()
        );
    }

    #[test]
    fn a_kept_transfer_says_so() {
        let saved = RunState::default().apply(RunAction::Restored {
            label: "push to demo/app:v1".into(),
            note: Some("stopped by you".into()),
            progress: progress(3),
        });

        assert_eq!(saved.data_state(), "saved");
        assert!(saved.can_resume());
        assert!(
            saved.headline().contains("3 of 9 steps"),
            "{}",
            saved.headline()
        );
        assert_eq!(
            saved.clone().apply(RunAction::Discarded),
            RunState::default()
        );
    }

    #[test]
    fn figures_name_every_count() {
        let p = Progress {
            manifests_total: 2,
            manifests_done: 1,
            manifests_found: 4,
            manifests_present: 2,
            blobs_total: 6,
            blobs_done: 2,
            blobs_mounted: 1,
            bytes_total: 4096,
            bytes_done: 2048,
            verified: vec![Verified {
                tag: "v1".into(),
                digest: "sha256:ab".into(),
            }],
            ..Progress::default()
        };

        let figures = figures(&p);

        let labels: Vec<&str> = figures.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            labels,
            vec!["Steps", "Manifests", "Blobs", "Bytes", "Requests"]
        );
        assert_eq!(
            figures[1].1,
            "1 of 2 written; 4 in all, 2 already at the target"
        );
        assert_eq!(
            figures[2].1,
            "2 of 6 in place: 0 already there, 1 mounted, 0 uploaded"
        );
        assert_eq!(figures[3].1, "2,048 B (2.0 KiB) of 4,096 B (4.0 KiB)");
    }

    #[test]
    fn rate_limit_figures_are_listed() {
        let rate_limit = RateLimit {
            retry_after: Some(7),
            headers: vec![("ratelimit-limit".into(), "100;w=21600".into())],
        };

        assert_eq!(
            rate_limit_lines(&rate_limit),
            vec!["Retry-After: 7 s", "ratelimit-limit: 100;w=21600"]
        );
        assert_eq!(
            rate_limit_lines(&RateLimit::default()),
            vec!["Retry-After: not given (waiting the default)"]
        );
    }
}
