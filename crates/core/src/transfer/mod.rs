//! Transfers: pushing a multi-architecture list, copying an image between
//! repositories or registries, and uploading local content, as a pure,
//! resumable plan.
//!
//! The plan does no I/O. It hands out abstract [`Request`]s and takes
//! [`Response`]s; a driver (the web page's `fetch` through polyarch's
//! proxy, a test's HTTP client) sends them. The loop is:
//!
//! ```text
//! loop {
//!     match transfer.next_action() {
//!         Action::Send(request)  => transfer.receive(send(request)),
//!         Action::Wait { seconds, .. } => sleep(seconds),
//!         Action::Done           => break,
//!         Action::Failed(failure) => { show(failure); /* later: */ transfer.retry() }
//!     }
//! }
//! ```
//!
//! Three ways in:
//!
//! | constructor | what it does | like |
//! |---|---|---|
//! | [`Transfer::push_list`], [`Transfer::push_assembled`] | pushes an index or manifest list under a tag, after making every child present | `docker manifest push`, `docker buildx imagetools create` |
//! | [`Transfer::copy`] | copies an index (or a manifest), every child, blob and referrer, digests unchanged | `skopeo copy --all`, `az acr import` |
//! | [`Transfer::upload`] | writes manifests the driver holds, with their blobs read from the driver in ranges | `docker push` of a built image |
//!
//! What the plan guarantees (distribution-spec v1.1, "Push", "Content
//! Discovery"; the issue this module answers lists the same):
//!
//! - Nothing is written that is already there: manifests are checked with
//!   `HEAD` first, blobs with `HEAD` or a mount.
//! - Order: blobs, then children, then manifests that refer to them through
//!   `subject`, then the list; then each tag is read back and compared by
//!   digest ([`verify`]).
//! - Blobs on the same registry are mounted; a `202` answer to a mount is
//!   "not mounted" and the blob is uploaded instead. Across registries
//!   blobs are copied in chunks of at most [`Options::chunk_size`]
//!   ([`copy`]).
//! - Referrers are found through the referrers API, or the
//!   `<alg>-<encoded>` tag where the registry answers `404` ([`referrers`]).
//! - A `429` gives [`Action::Wait`] with the `Retry-After` and `RateLimit-*`
//!   figures, and the same request is sent again after it; after
//!   [`Options::rate_limit_retries`] of them in a row the transfer fails.
//! - Any other unexpected answer stops the transfer with a [`Failure`]
//!   naming the step, the request, the status and the registry's error
//!   codes and messages.
//! - The state is serde-serialisable. Finished steps are never redone; the
//!   step in progress is re-checked when its outcome is unknown ([`plan`]).
//! - [`Progress`] counts steps, manifests, blobs and bytes.
//!
//! `401` is the driver's business: it runs the token flow and sends the
//! request again; an answer of `401` or `403` that reaches the plan stops
//! it, with the registry's error.
//!
//! ```
//! use polyarch_core::transfer::{Action, Method, Options, Repository, Response, Transfer};
//!
//! let target = Repository::new("127.0.0.1:5000", "demo/app");
//! let list = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
//! let mut push = Transfer::push_list(
//!     &target, "v1", list.to_vec(), "application/vnd.oci.image.index.v1+json",
//!     Vec::new(), Options::default(),
//! );
//!
//! // The list is not there yet.
//! let Action::Send(head) = push.next_action() else { panic!() };
//! assert_eq!((head.method, head.path_and_query.as_str()), (Method::Head,
//!     "/v2/demo/app/manifests/sha256:dff9de10919148711140d349bf03f1a99eb06f94b03e51715ccebfa7cdc518e2"));
//! push.receive(Response::new(404));
//!
//! // It is written under its tag, with its media type.
//! let Action::Send(put) = push.next_action() else { panic!() };
//! assert_eq!(put.path_and_query, "/v2/demo/app/manifests/v1");
//! assert_eq!(put.headers[0].1, "application/vnd.oci.image.index.v1+json");
//! push.receive(Response::new(201));
//!
//! // And read back.
//! let Action::Send(get) = push.next_action() else { panic!() };
//! assert_eq!(get.method, Method::Get);
//! push.receive(Response::new(200).with_body(list.to_vec()));
//! assert_eq!(push.next_action(), Action::Done);
//! assert_eq!(push.progress().verified[0].tag, "v1");
//! ```

pub mod copy;
mod failure;
pub mod plan;
mod progress;
pub mod push;
pub mod referrers;
mod request;
pub mod verify;

pub use failure::{Failure, Problem, RateLimit};
pub use plan::{
    Action, DEFAULT_CHUNK_SIZE, DEFAULT_RATE_LIMIT_RETRIES, DEFAULT_RETRY_AFTER, Options, Origin,
    Repository, Transfer,
};
pub use progress::{Progress, Verified};
pub use push::LocalManifest;
pub use request::{Body, Method, Request, Response, upload_path};
