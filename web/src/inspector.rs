//! The page's side of the inspection worker (`src/worker.rs`): starts it,
//! posts documents to it, and reads its reports back.
//!
//! The worker's script is the loader Trunk writes beside the page, renamed
//! with a content hash after the build (`scripts/site/hash-worker.sh`) so
//! that no cache hands a new page an old worker; the page finds its name in
//! `<meta name="polyarch-worker">`, or, without one (a build not through
//! Trunk's hook), uses Trunk's own name. It is loaded with a relative URL
//! so that the page works under any path prefix; the
//! Content-Security-Policy's `script-src 'self'` covers it. When the
//! browser refuses the worker, or the worker fails to load, or it cannot
//! write a report, inspection runs on the page's own thread instead;
//! `data-inspector` on the root element says where the last one ran
//! (`worker` or `page`).
//!
//! Documents under [`WORKER_FROM`] are inspected on the page's thread,
//! where they take a few milliseconds; the worker (about 200 KB of
//! WebAssembly) is started with the first larger one, so a first visit
//! does not download it.

use std::cell::RefCell;
use std::rc::Rc;

use polyarch_core::inspect::{InspectOptions, Report, inspect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};
use yew::UseReducerDispatcher;

use crate::browser;
use crate::state::{Action, AppState};

/// The script Trunk writes for the worker binary, before it is renamed.
const SCRIPT: &str = "polyarch-inspector_loader.js";

/// The worker's script: the name in `<meta name="polyarch-worker">`, else
/// [`SCRIPT`].
fn script() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(r#"meta[name="polyarch-worker"]"#)
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| SCRIPT.to_owned())
}

/// The smallest document sent to the worker: 64 KiB.
pub const WORKER_FROM: usize = 64 * 1024;

/// A request whose answer has not come back.
struct Pending {
    revision: u64,
    text: Option<Rc<str>>,
    bytes: Rc<[u8]>,
    options: InspectOptions,
}

struct Shared {
    pending: Option<Pending>,
    broken: bool,
    /// Whether the worker said it is ready; until then the latest request
    /// waits in `queued`.
    ready: bool,
    queued: Option<JsValue>,
}

/// The worker and its handlers, which live as long as it.
struct Running {
    worker: Worker,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(JsValue)>,
}

/// Inspects documents, in the worker when it can.
pub struct Inspector {
    running: RefCell<Option<Running>>,
    shared: Rc<RefCell<Shared>>,
    dispatcher: UseReducerDispatcher<AppState>,
}

impl Inspector {
    /// An inspector; the worker starts with the first large document.
    pub fn new(dispatcher: UseReducerDispatcher<AppState>) -> Self {
        Inspector {
            running: RefCell::new(None),
            shared: Rc::new(RefCell::new(Shared {
                pending: None,
                broken: false,
                ready: false,
                queued: None,
            })),
            dispatcher,
        }
    }

    /// Starts the worker, or marks it broken when the browser refuses.
    fn start(&self) {
        let Ok(worker) = Worker::new(&script()) else {
            self.shared.borrow_mut().broken = true;
            return;
        };
        let shared = &self.shared;
        let dispatcher = &self.dispatcher;

        let on_message = {
            let shared = Rc::clone(shared);
            let dispatcher = dispatcher.clone();
            let worker = worker.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                if field(&data, "ready").is_some() {
                    let queued = {
                        let mut shared = shared.borrow_mut();
                        shared.ready = true;
                        shared.queued.take()
                    };
                    if let Some(request) = queued {
                        let _ = worker.post_message(&request);
                    }
                    return;
                }
                answered(&shared, &dispatcher, &data);
            })
        };
        let on_error = {
            let shared = Rc::clone(shared);
            let dispatcher = dispatcher.clone();
            Closure::<dyn Fn(JsValue)>::new(move |_event: JsValue| {
                let pending = {
                    let mut shared = shared.borrow_mut();
                    shared.broken = true;
                    shared.pending.take()
                };
                if let Some(pending) = pending {
                    on_this_thread(&dispatcher, pending);
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *self.running.borrow_mut() = Some(Running {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        });
    }

    /// Inspects `bytes` for `revision`; the report arrives as
    /// [`Action::Inspected`].
    pub fn inspect(
        &self,
        revision: u64,
        text: Option<Rc<str>>,
        bytes: Rc<[u8]>,
        options: InspectOptions,
    ) {
        let pending = Pending {
            revision,
            text,
            bytes,
            options,
        };
        if pending.bytes.len() < WORKER_FROM || self.shared.borrow().broken {
            on_this_thread(&self.dispatcher, pending);
            return;
        }
        if self.running.borrow().is_none() {
            self.start();
        }
        let running = self.running.borrow();
        let Some(worker) = running.as_ref().map(|r| &r.worker) else {
            on_this_thread(&self.dispatcher, pending);
            return;
        };

        let request = js_sys::Object::new();
        let set = |name: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(&request, &JsValue::from_str(name), value);
        };
        set("revision", &JsValue::from_f64(revision as f64));
        set(
            "bytes",
            &js_sys::Uint8Array::from(&pending.bytes[..]).into(),
        );
        if let Some(content_type) = &pending.options.content_type {
            set("contentType", &JsValue::from_str(content_type));
        }
        if let Some(digest) = &pending.options.expected_digest {
            set("expectedDigest", &JsValue::from_str(digest));
        }

        let mut shared = self.shared.borrow_mut();
        if !shared.ready {
            mark("worker");
            shared.queued = Some(request.into());
            shared.pending = Some(pending);
        } else if worker.post_message(&request).is_ok() {
            mark("worker");
            shared.pending = Some(pending);
        } else {
            drop(shared);
            on_this_thread(&self.dispatcher, pending);
        }
    }
}

impl Drop for Inspector {
    fn drop(&mut self) {
        if let Some(running) = self.running.borrow().as_ref() {
            running.worker.terminate();
        }
    }
}

fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// A worker's answer: the report for the pending revision, or a fallback.
fn answered(
    shared: &Rc<RefCell<Shared>>,
    dispatcher: &UseReducerDispatcher<AppState>,
    answer: &JsValue,
) {
    let revision = field(answer, "revision").and_then(|v| v.as_f64());
    let pending = {
        let mut shared = shared.borrow_mut();
        match &shared.pending {
            Some(p) if Some(p.revision as f64) == revision => shared.pending.take(),
            // An answer to a request already overtaken by a newer one.
            _ => return,
        }
    };
    let Some(pending) = pending else {
        return;
    };

    let report = field(answer, "report")
        .and_then(|v| v.as_string())
        .and_then(|json| serde_json::from_str::<Report>(&json).ok());
    match report {
        Some(report) => dispatcher.dispatch(Action::Inspected {
            revision: pending.revision,
            text: pending.text,
            report: Rc::new(report),
            took_ms: field(answer, "tookMs")
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0),
        }),
        None => on_this_thread(dispatcher, pending),
    }
}

fn on_this_thread(dispatcher: &UseReducerDispatcher<AppState>, pending: Pending) {
    mark("page");
    let started = browser::now_ms();
    let report = inspect(&pending.bytes, &pending.options);
    let took_ms = browser::now_ms() - started;
    dispatcher.dispatch(Action::Inspected {
        revision: pending.revision,
        text: pending.text,
        report: Rc::new(report),
        took_ms,
    });
}

/// Says on the root element where inspection runs.
fn mark(place: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-inspector", place);
    }
}
