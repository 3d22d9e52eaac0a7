//! A push or an import under way: it drives the core's transfer through
//! the registry client, shows every step's counts, a `429` wait with the
//! registry's figures, and a failure with its step, request, status and
//! the registry's error codes; Stop, and Resume, which goes on with the
//! same transfer. The transfer is kept in local storage after every step,
//! so that Resume works after a reload too; it is forgotten once done.
//!
//! Stop takes effect at once: the request under way is called off, and
//! Resume checks its step again.

use std::cell::RefCell;
use std::rc::Rc;

use polyarch_core::transfer::{Failure, Problem, Progress, Transfer};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::builder::run::{self, RunAction, RunState, Status, note_of};
use crate::builder::saved::{self, SavedTransfer};
use crate::registry::Connection;
use crate::registry::driver::{self, Event, Stop};

/// A new transfer to run.
#[derive(Debug, Clone)]
pub struct Start {
    /// Changes with every new transfer, so that the same plan can be asked
    /// for twice.
    pub serial: u64,
    /// What it does: `push to …`.
    pub label: String,
    /// The plan, not yet driven.
    pub transfer: Rc<Transfer>,
}

impl PartialEq for Start {
    fn eq(&self, other: &Self) -> bool {
        self.serial == other.serial
    }
}

/// What [`TransferProgress`] runs and where it keeps it.
#[derive(Properties, PartialEq)]
pub struct TransferProgressProps {
    /// The id prefix: `push` gives `#push-status`, `#push-resume`, ….
    pub prefix: AttrValue,
    /// The local storage key of the unfinished transfer.
    pub storage_key: AttrValue,
    /// The session and proxy.
    pub connection: Connection,
    /// A new transfer to run.
    pub start: Option<Start>,
    /// Hears of every change.
    #[prop_or_default]
    pub on_change: Callback<RunState>,
}

/// The transfer being driven, shared between renders and the driver.
struct Slot {
    transfer: Option<Rc<RefCell<Transfer>>>,
    label: String,
    stop: Rc<Stop>,
    /// Raised by every start and resume; a driver of an older one stays
    /// silent.
    generation: u64,
    /// The last [`Start::serial`] taken.
    started: Option<u64>,
}

fn kept(key: &str) -> Option<SavedTransfer> {
    saved::load(key).and_then(|text| SavedTransfer::decode(&text))
}

/// Drives the slot's transfer; each event is kept and reported.
fn drive(
    slot: &Rc<RefCell<Slot>>,
    connection: &Connection,
    run: UseReducerDispatcher<RunState>,
    key: AttrValue,
) {
    let Some(transfer) = slot.borrow().transfer.clone() else {
        return;
    };
    let client = match connection.client() {
        Ok(client) => client,
        Err(error) => {
            run.dispatch(RunAction::Unavailable(error));
            return;
        }
    };

    let stop = Rc::new(Stop::new());
    let client = client.with_signal(stop.signal());
    let generation = {
        let mut slot = slot.borrow_mut();
        slot.stop.ask();
        slot.stop = Rc::clone(&stop);
        slot.generation += 1;
        slot.generation
    };
    let label = slot.borrow().label.clone();
    let slot = Rc::clone(slot);
    let on_event = {
        let transfer = Rc::clone(&transfer);
        move |event: Event| {
            if slot.borrow().generation != generation {
                return;
            }
            if matches!(event, Event::Done(_)) {
                saved::forget(&key);
            } else {
                let text = SavedTransfer::encode_parts(
                    &label,
                    note_of(&event).as_deref(),
                    &transfer.borrow(),
                );
                saved::save(&key, &text);
            }
            run.dispatch(RunAction::Event(event));
        }
    };
    spawn_local(driver::drive(transfer, client, stop, on_event));
}

/// The progress, failure and controls of one push or import.
#[component]
pub fn TransferProgress(props: &TransferProgressProps) -> Html {
    let key = props.storage_key.clone();
    let slot = {
        let key = key.clone();
        use_mut_ref(move || {
            let kept = kept(&key);
            Slot {
                label: kept.as_ref().map(|k| k.label.clone()).unwrap_or_default(),
                transfer: kept.map(|k| Rc::new(RefCell::new(k.transfer))),
                stop: Rc::new(Stop::default()),
                generation: 0,
                started: None,
            }
        })
    };
    let run = {
        let key = key.clone();
        use_reducer_eq(move || match kept(&key) {
            Some(kept) => RunState::default().apply(RunAction::Restored {
                progress: kept.transfer.progress(),
                label: kept.label,
                note: kept.note,
            }),
            None => RunState::default(),
        })
    };

    {
        let slot = Rc::clone(&slot);
        let connection = props.connection.clone();
        let dispatcher = run.dispatcher();
        let key = key.clone();
        use_effect_with(props.start.clone(), move |start| {
            let fresh = start
                .as_ref()
                .filter(|s| slot.borrow().started != Some(s.serial));
            if let Some(start) = fresh {
                {
                    let mut slot = slot.borrow_mut();
                    slot.started = Some(start.serial);
                    slot.label = start.label.clone();
                    slot.transfer = Some(Rc::new(RefCell::new((*start.transfer).clone())));
                }
                saved::save(
                    &key,
                    &SavedTransfer::encode_parts(&start.label, None, &start.transfer),
                );
                dispatcher.dispatch(RunAction::Started {
                    label: start.label.clone(),
                });
                drive(&slot, &connection, dispatcher, key);
            }
        });
    }
    {
        let on_change = props.on_change.clone();
        use_effect_with((*run).clone(), move |run| on_change.emit(run.clone()));
    }

    let on_stop = {
        let slot = Rc::clone(&slot);
        Callback::from(move |_: MouseEvent| slot.borrow().stop.ask())
    };
    let on_resume = {
        let slot = Rc::clone(&slot);
        let connection = props.connection.clone();
        let run = run.clone();
        let key = key.clone();
        Callback::from(move |_: MouseEvent| {
            if run.is_active() || slot.borrow().transfer.is_none() {
                return;
            }
            run.dispatch(RunAction::Resumed);
            drive(&slot, &connection, run.dispatcher(), key.clone());
        })
    };
    let on_discard = {
        let slot = Rc::clone(&slot);
        let run = run.clone();
        let key = key.clone();
        Callback::from(move |_: MouseEvent| {
            {
                let mut slot = slot.borrow_mut();
                slot.stop.ask();
                slot.generation += 1;
                slot.transfer = None;
            }
            saved::forget(&key);
            run.dispatch(RunAction::Discarded);
        })
    };

    let prefix = props.prefix.as_str();
    let id = |part: &str| format!("{prefix}-{part}");
    if matches!(run.status, Status::Idle) {
        return html! {
            <div class="transfer idle" id={id("transfer")}>
                <p class="transfer-status" id={id("status")} data-state="idle" role="status"></p>
            </div>
        };
    }

    let detail = match &run.status {
        Status::Waiting {
            seconds,
            rate_limit,
        } => html! {
            <div class="rate-limit" id={id("rate-limit")} data-seconds={seconds.to_string()}>
                <p>{ format!("The registry answered 429 Too Many Requests; sending the same \
                              request again in {seconds} s. Its figures:") }</p>
                <ul>{ for run::rate_limit_lines(rate_limit).into_iter().map(|l| html! { <li><code>{ l }</code></li> }) }</ul>
            </div>
        },
        Status::Failed(failure) => failure_view(failure, &id("failure")),
        Status::Interrupted(error) => html! {
            <div class="failure" id={id("failure")} role="alert" data-kind="interrupted">
                <p class="failure-problem">{ error.to_string() }</p>
                <p class="note">{ "Resume asks the registry where the step stands and goes on." }</p>
            </div>
        },
        Status::Unavailable(error) => html! {
            <div class="failure" id={id("failure")} role="alert" data-kind="proxy">
                <p class="failure-problem">{ error.to_string() }</p>
            </div>
        },
        Status::Saved { note: Some(note) } => html! {
            <p class="note" id={id("note")}>{ format!("It stopped then: {note}") }</p>
        },
        _ => html! {},
    };
    let verified = run.progress.verified.iter().enumerate().map(|(i, v)| {
        let digest_id = (i == 0).then(|| id("verified"));
        html! {
            <p class="verified">
                { "Read back " }<code>{ &v.tag }</code>{ ": " }
                <code class="digest" id={digest_id}>{ &v.digest }</code>
            </p>
        }
    });

    html! {
        <div class="transfer" id={id("transfer")}>
            <p class={classes!("transfer-status", run.data_state())} id={id("status")}
                data-state={run.data_state()} role="status" aria-live="polite">
                { run.headline() }
            </p>
            { progress_view(&run.progress, &id("figures")) }
            { detail }
            { for verified }
            <div class="transfer-actions">
                if run.is_active() {
                    <button type="button" class="secondary" id={id("stop")} onclick={on_stop}>
                        { "Stop" }
                    </button>
                }
                if run.can_resume() {
                    <button type="button" id={id("resume")} onclick={on_resume}>{ "Resume" }</button>
                    <button type="button" class="secondary" id={id("discard")} onclick={on_discard}>
                        { "Discard" }
                    </button>
                }
            </div>
        </div>
    }
}

fn progress_view(progress: &Progress, figures_id: &str) -> Html {
    let total = progress.steps_total.max(1);
    let rows = run::figures(progress).into_iter().map(|(label, value)| {
        html! { <><dt>{ label }</dt><dd data-figure={label.to_lowercase()}>{ value }</dd></> }
    });
    html! {
        <>
            <progress max={total.to_string()} value={progress.steps_done.min(total).to_string()}
                aria-label="Steps done"></progress>
            <dl class="facts transfer-figures" id={figures_id.to_owned()}>{ for rows }</dl>
        </>
    }
}

fn failure_view(failure: &Failure, failure_id: &str) -> Html {
    let (status, errors) = match &failure.problem {
        Problem::Status { status, errors } => (Some(*status), errors.as_slice()),
        _ => (None, &[][..]),
    };
    let codes = errors.iter().map(|e| {
        let message = if e.message.is_empty() {
            e.to_string()
        } else {
            e.message.clone()
        };
        html! { <li><code class="error-code">{ e.code.to_string() }</code>{ " " }{ message }</li> }
    });
    html! {
        <div class="failure" id={failure_id.to_owned()} role="alert" data-kind="registry"
            data-status={status.map(|s| s.to_string())}>
            <dl class="facts">
                <dt>{ "Step" }</dt><dd>{ &failure.step }</dd>
                <dt>{ "Request" }</dt><dd><code>{ &failure.request }</code></dd>
                if let Some(status) = status {
                    <dt>{ "Status" }</dt><dd>{ status }</dd>
                }
                <dt>{ "Problem" }</dt><dd class="failure-problem">{ failure.problem.to_string() }</dd>
            </dl>
            if !errors.is_empty() {
                <ul class="error-codes">{ for codes }</ul>
            }
            <p class="note">{ "Resume re-checks this step and goes on; nothing finished is redone." }</p>
        </div>
    }
}
