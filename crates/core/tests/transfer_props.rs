//! Properties of the transfer plan: whatever the registry answers, the
//! plan never panics, never holds more than one chunk, and either finishes,
//! waits, fails or asks for another request; and its saved state loads
//! back to the same plan.

use polyarch_core::reference::Reference;
use polyarch_core::transfer::{Action, Options, Response, Transfer};
use proptest::prelude::*;

fn answer() -> impl Strategy<Value = Response> {
    let status = prop::sample::select(vec![200u16, 201, 202, 204, 206, 400, 404, 429, 500]);
    let header = prop::sample::select(vec![
        ("Location", "/v2/dst/blobs/uploads/x?_state=y"),
        ("Location", "nowhere"),
        ("Retry-After", "1"),
        ("Docker-Content-Digest", "sha256:abc"),
        ("Content-Type", "application/vnd.oci.image.index.v1+json"),
    ]);
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        Just(br#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2}]}"#.to_vec()),
        Just(br#"{"errors":[{"code":"DENIED"}]}"#.to_vec()),
    ];
    (status, prop::option::of(header), body).prop_map(|(status, header, body)| {
        let mut response = Response::new(status).with_body(body);
        if let Some((name, value)) = header {
            response = response.with_header(name, value);
        }
        response
    })
}

proptest! {
    #[test]
    fn never_panics_whatever_the_registry_answers(
        answers in prop::collection::vec(answer(), 0..40),
        cross_registry in any::<bool>(),
    ) {
        let target = if cross_registry { "b.test/dst:v1" } else { "a.test/dst:v1" };
        let mut copy = Transfer::copy(
            &Reference::parse("a.test/src:v1").unwrap(),
            &Reference::parse(target).unwrap(),
            Options { chunk_size: 16, ..Options::default() },
        );

        for response in answers {
            match copy.next_action() {
                Action::Send(request) => prop_assert!(request.path_and_query.starts_with("/v2/")),
                Action::Failed(_) => copy.retry(),
                Action::Wait { .. } | Action::Done => {}
            }
            copy.receive(response);
            prop_assert!(copy.held_bytes() <= 16);
        }

        let saved = serde_json::to_string(&copy).unwrap();
        let loaded: Transfer = serde_json::from_str(&saved).unwrap();
        prop_assert_eq!(serde_json::to_string(&loaded).unwrap(), saved);
    }
}
