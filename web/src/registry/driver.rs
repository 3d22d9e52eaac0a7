//! Drives a core [`Transfer`] through a [`Client`]: sends each request the
//! plan hands out, waits out `429`s, and reports every step.
//!
//! The transfer stays with the caller, so that a stop (a failure, the
//! user's Stop, an answer that never came) leaves it ready to resume: the
//! plan re-checks the step whose answer it did not get, and
//! [`Transfer::retry`] clears a failure. Driving again after a stop
//! resumes from where it stopped; nothing finished is redone.
//!
//! [`Stop`] ends a drive at once: it calls off the request under way, whose
//! step the plan then checks again on resume, as after a lost connection.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use web_sys::{AbortController, AbortSignal};

use gloo_timers::future::TimeoutFuture;
use polyarch_core::transfer::{Action, Failure, Progress, RateLimit, Transfer};

use super::client::{Client, ClientError};

/// What the driver reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A step was taken.
    Progress(Progress),
    /// A `429`: waiting this many seconds before sending again.
    Waiting {
        /// Seconds left.
        seconds: u64,
        /// The registry's figures.
        rate_limit: RateLimit,
        /// Where things stand.
        progress: Progress,
    },
    /// Everything is written and read back.
    Done(Progress),
    /// The plan stopped on an answer it did not expect.
    Failed {
        /// Why, with the registry's errors.
        failure: Failure,
        /// Where things stand.
        progress: Progress,
    },
    /// No answer, or one that could not be authenticated; the step is
    /// re-checked on resume.
    Interrupted {
        /// Why.
        error: ClientError,
        /// Where things stand.
        progress: Progress,
    },
    /// The user stopped it.
    Stopped(Progress),
}

/// The user's Stop for one drive.
#[derive(Default)]
pub struct Stop {
    asked: Cell<bool>,
    /// Calls off the request under way; `None` where the browser has no
    /// `AbortController`, and then a stop waits for the answer.
    controller: Option<AbortController>,
}

impl Stop {
    /// A stop not yet asked for.
    pub fn new() -> Self {
        Stop {
            asked: Cell::new(false),
            controller: AbortController::new().ok(),
        }
    }

    /// Asks the drive to stop, and calls off its request under way.
    pub fn ask(&self) {
        self.asked.set(true);
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }

    /// Whether a stop was asked for.
    pub fn asked(&self) -> bool {
        self.asked.get()
    }

    /// The signal to send requests with.
    pub fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }
}

/// Runs `transfer` until it is done, fails, is interrupted or `stop` is
/// asked; `on_event` hears of every step. `client` should send with
/// [`Stop::signal`], so that a stop does not wait for the answer under way.
pub async fn drive(
    transfer: Rc<RefCell<Transfer>>,
    client: Client,
    stop: Rc<Stop>,
    on_event: impl Fn(Event),
) {
    transfer.borrow_mut().retry();
    loop {
        if stop.asked() {
            on_event(Event::Stopped(transfer.borrow().progress()));
            return;
        }
        let action = transfer.borrow_mut().next_action();
        match action {
            Action::Send(request) => match client.send(&request).await {
                Ok(response) => {
                    transfer.borrow_mut().receive(response);
                    on_event(Event::Progress(transfer.borrow().progress()));
                }
                Err(_) if stop.asked() => {
                    on_event(Event::Stopped(transfer.borrow().progress()));
                    return;
                }
                Err(error) => {
                    on_event(Event::Interrupted {
                        error,
                        progress: transfer.borrow().progress(),
                    });
                    return;
                }
            },
            Action::Wait {
                seconds,
                rate_limit,
            } => {
                // Counted down each second, and a stop looked for ten
                // times a second.
                'wait: for left in (1..=seconds).rev() {
                    on_event(Event::Waiting {
                        seconds: left,
                        rate_limit: rate_limit.clone(),
                        progress: transfer.borrow().progress(),
                    });
                    for _ in 0..10 {
                        if stop.asked() {
                            break 'wait;
                        }
                        TimeoutFuture::new(100).await;
                    }
                }
            }
            Action::Done => {
                on_event(Event::Done(transfer.borrow().progress()));
                return;
            }
            Action::Failed(failure) => {
                on_event(Event::Failed {
                    failure,
                    progress: transfer.borrow().progress(),
                });
                return;
            }
        }
    }
}
