//! polyarch's inspection worker: runs core's `inspect` off the page's main
//! thread, so that a 4 MiB index never holds up typing or scrolling.
//!
//! The page posts `{ revision, bytes, contentType?, expectedDigest? }`
//! (`bytes` a `Uint8Array`, transferred); the worker answers
//! `{ revision, report, tookMs }`, `report` being the core `Report` as
//! JSON text, which the page reads back into the same `Report`
//! (`polyarch_core::inspect::Report` round-trips through serde). When the
//! report cannot be written, the answer is `{ revision, error }` and the
//! page inspects on its own thread instead.
//!
//! Once its WebAssembly has started, the worker posts `{ ready: true }`;
//! the page holds its first request until then, since a message that
//! arrives before the handler is set is lost. Messages are handled one at
//! a time, in order; the page drops answers for revisions older than its
//! current one.

use polyarch_core::inspect::{InspectOptions, inspect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let reply = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let answer = answer(&reply, &event.data());
        let _ = reply.post_message(&answer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();

    let ready = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ready, &JsValue::from_str("ready"), &JsValue::TRUE);
    let _ = scope.post_message(&ready);
}

fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// Inspects one request and builds its answer.
fn answer(scope: &DedicatedWorkerGlobalScope, request: &JsValue) -> js_sys::Object {
    let revision = field(request, "revision").unwrap_or(JsValue::from_f64(-1.0));
    let bytes = field(request, "bytes")
        .and_then(|value| value.dyn_into::<js_sys::Uint8Array>().ok())
        .map(|array| array.to_vec())
        .unwrap_or_default();
    let options = InspectOptions {
        content_type: field(request, "contentType").and_then(|v| v.as_string()),
        expected_digest: field(request, "expectedDigest").and_then(|v| v.as_string()),
    };

    let clock = scope.performance();
    let started = clock.as_ref().map(|p| p.now()).unwrap_or(0.0);
    let report = inspect(&bytes, &options);
    let took_ms = clock.as_ref().map(|p| p.now()).unwrap_or(0.0) - started;

    let answer = js_sys::Object::new();
    let set = |name: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&answer, &JsValue::from_str(name), value);
    };
    set("revision", &revision);
    match serde_json::to_string(&report) {
        Ok(json) => {
            set("report", &JsValue::from_str(&json));
            set("tookMs", &JsValue::from_f64(took_ms));
        }
        Err(error) => set("error", &JsValue::from_str(&error.to_string())),
    }
    answer
}
