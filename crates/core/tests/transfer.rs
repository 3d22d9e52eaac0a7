//! The transfer plan against a scripted in-memory registry: mounts that
//! succeed or are refused, chunked copies across registries, the
//! referrers API and its tag fallback, rate limits, failures and resumes.

mod transfer_support;

use polyarch_core::digest::Digest;
use polyarch_core::reference::Reference;
use polyarch_core::transfer::{
    Action, Body, LocalManifest, Method, Options, Problem, Repository, Response, Transfer,
};
use transfer_support::{
    End, Fake, OCI_INDEX, OCI_MANIFEST, error, image, index_json, manifest_json, run,
};

const A: &str = "registry-a.test";
const B: &str = "registry-b.test";

/// Two per-arch images in `A/src` and a list of them, tagged `multi`.
fn source(fake: &mut Fake) -> (String, String, String) {
    let (amd, amd_digest) = image(fake, A, "src", "amd64", &[1u8; 3000]);
    let (arm, arm_digest) = image(fake, A, "src", "arm64", &[2u8; 5000]);
    let index = index_json(&[
        (&amd_digest, amd.len(), "amd64"),
        (&arm_digest, arm.len(), "arm64"),
    ]);
    let index_digest = fake.add_manifest(A, "src", index.as_bytes(), OCI_INDEX, Some("multi"));
    (index_digest, amd_digest, arm_digest)
}

fn small_chunks() -> Options {
    Options {
        chunk_size: 1024,
        ..Options::default()
    }
}

fn reference(text: &str) -> Reference {
    Reference::parse(text).unwrap()
}

#[test]
fn copy_on_one_registry_mounts_every_blob() {
    let mut fake = Fake::new();
    let (index, amd, arm) = source(&mut fake);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{A}/dst:v1")),
        Options::default(),
    );

    let end = run(&mut copy, &mut fake, 200, &mut Vec::new());

    assert!(matches!(end, End::Done), "{end:?}");
    assert_eq!(fake.count("POST /v2/dst/blobs/uploads/?mount="), 4);
    assert_eq!(fake.count("PATCH"), 0);
    for digest in [&index, &amd, &arm] {
        assert!(fake.has_manifest(A, "dst", digest));
    }
    let progress = copy.progress();
    assert_eq!((progress.blobs_mounted, progress.blobs_total), (4, 4));
    assert_eq!(progress.verified[0].digest, index);
}

#[test]
fn refused_mount_202_falls_back_to_an_upload() {
    let mut fake = Fake::new();
    fake.mounts = false;
    let (index, _, _) = source(&mut fake);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{A}/dst:v1")),
        small_chunks(),
    );

    let end = run(&mut copy, &mut fake, 200, &mut Vec::new());

    assert!(matches!(end, End::Done), "{end:?}");
    assert_eq!(fake.count("POST /v2/dst/blobs/uploads/?mount="), 4);
    assert_eq!(fake.count("PUT /v2/dst/blobs/uploads/"), 4);
    let progress = copy.progress();
    assert_eq!((progress.blobs_mounted, progress.blobs_uploaded), (0, 4));
    assert_eq!(progress.bytes_done, progress.bytes_total);
    assert!(fake.has_manifest(A, "dst", "v1"));
    assert_eq!(
        fake.repos[&(A.to_owned(), "dst".to_owned())].tags["v1"],
        index
    );
}

#[test]
fn copy_across_registries_moves_chunks_of_bounded_size() {
    let mut fake = Fake::new();
    let (_, amd, _) = source(&mut fake);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{B}/dst:v1")),
        small_chunks(),
    );

    let mut most_held = 0;
    let mut end = None;
    for _ in 0..500 {
        match copy.next_action() {
            Action::Send(request) => {
                if request.method == Method::Patch {
                    assert!(request.body.len() <= 1024, "{}", request.line());
                }
                let response = fake.answer(&request);
                copy.receive(response);
                most_held = most_held.max(copy.held_bytes());
            }
            other => {
                end = Some(other);
                break;
            }
        }
    }

    assert_eq!(end, Some(Action::Done));
    assert!(most_held <= 1024 && most_held > 0, "{most_held}");
    // 3000 bytes in 3 chunks, 5000 in 5, two configs in one each.
    assert_eq!(fake.count("PATCH"), 10);
    assert_eq!(fake.count("POST /v2/dst/blobs/uploads/?mount"), 0);
    assert!(fake.has_manifest(B, "dst", &amd));
}

/// A push of the index `list` to `A/dst:latest`, its `children` read from
/// `A/src`.
fn push_from_src(list: Vec<u8>, children: &[&str]) -> Transfer {
    Transfer::push_list(
        &Repository::new(A, "dst"),
        "latest",
        list,
        OCI_INDEX,
        children
            .iter()
            .map(|digest| ((*digest).to_owned(), Repository::new(A, "src")))
            .collect(),
        Options::default(),
    )
}

#[test]
fn order_is_blobs_then_children_then_the_list() {
    let mut fake = Fake::new();
    let (index, amd, arm) = source(&mut fake);
    let list = fake.repos[&(A.to_owned(), "src".to_owned())].manifests[&index]
        .0
        .clone();
    let mut push = push_from_src(list, &[&amd, &arm]);

    let end = run(&mut push, &mut fake, 200, &mut Vec::new());

    assert!(matches!(end, End::Done), "{end:?}");
    let writes: Vec<&String> = fake
        .log
        .iter()
        .filter(|l| l.starts_with("PUT /v2/dst/manifests") || l.starts_with("POST"))
        .collect();
    let last_blob = writes.iter().rposition(|l| l.starts_with("POST")).unwrap();
    let first_manifest = writes.iter().position(|l| l.starts_with("PUT")).unwrap();
    assert!(last_blob < first_manifest, "{writes:?}");
    assert_eq!(
        writes.last().unwrap().as_str(),
        "PUT /v2/dst/manifests/latest"
    );
    assert_eq!(fake.log.last().unwrap(), "GET /v2/dst/manifests/latest");
}

#[test]
fn a_lists_subject_is_written_before_the_list() {
    let mut fake = Fake::new();
    let (_, amd, arm) = source(&mut fake);
    let size = |digest: &str| {
        fake.repos[&(A.to_owned(), "src".to_owned())].manifests[digest]
            .0
            .len()
    };
    let (amd_size, arm_size) = (size(&amd), size(&arm));
    let entries = index_json(&[(&arm, arm_size, "arm64")]);
    let list = format!(
        r#"{},"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{amd}","size":{amd_size}}}}}"#,
        entries.strip_suffix('}').unwrap()
    );
    let mut push = push_from_src(list.into_bytes(), &[&amd, &arm]);

    let end = run(&mut push, &mut fake, 200, &mut Vec::new());

    assert!(matches!(end, End::Done), "{end:?}");
    assert!(fake.has_manifest(A, "dst", &amd), "{:#?}", fake.log);
    let put = |what: &str| {
        fake.log
            .iter()
            .position(|l| l == &format!("PUT /v2/dst/manifests/{what}"))
    };
    assert!(put(&amd).is_some());
    assert!(put(&amd) < put("latest"), "{:#?}", fake.log);
    assert_eq!(push.progress().manifests_found, 3);
}

/// A signature manifest for `subject`, stored in `A/src`, and the
/// fallback tag index that lists it.
fn signature(fake: &mut Fake, subject: &str, subject_size: usize) -> String {
    let config = fake.add_blob(A, "src", b"{}");
    let payload = fake.add_blob(A, "src", b"signed");
    let manifest = manifest_json(&config, 2, &payload, 6, Some((subject, subject_size)));
    let digest = fake.add_manifest(A, "src", manifest.as_bytes(), OCI_MANIFEST, None);
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{}}}]}}"#,
        manifest.len()
    );
    let tag = subject.replace(':', "-");
    fake.add_manifest(A, "src", index.as_bytes(), OCI_INDEX, Some(&tag));
    digest
}

#[test]
fn referrers_404_falls_back_to_the_tag_scheme() {
    let mut fake = Fake::new();
    fake.referrers_api = false;
    let (_, amd, _) = source(&mut fake);
    let amd_size = fake.repos[&(A.to_owned(), "src".to_owned())].manifests[&amd]
        .0
        .len();
    let signature = signature(&mut fake, &amd, amd_size);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{A}/dst:v1")),
        Options::default(),
    );

    let end = run(&mut copy, &mut fake, 300, &mut Vec::new());

    assert!(matches!(end, End::Done), "{end:?}");
    assert_eq!(fake.count("GET /v2/src/referrers/"), 1, "{:#?}", fake.log);
    let tag = amd.replace(':', "-");
    assert!(fake.has_manifest(A, "dst", &signature));
    assert!(fake.has_manifest(A, "dst", &tag));
    let put_subject = fake
        .log
        .iter()
        .position(|l| l.ends_with(&amd) && l.starts_with("PUT"));
    let put_signature = fake
        .log
        .iter()
        .position(|l| l.ends_with(&signature) && l.starts_with("PUT"));
    assert!(put_subject < put_signature);
    let put_list = fake
        .log
        .iter()
        .position(|l| l == "PUT /v2/dst/manifests/v1");
    assert!(put_signature < put_list);
}

#[test]
fn referrers_api_lists_them_when_the_registry_has_it() {
    let mut fake = Fake::new();
    fake.referrers_api = true;
    let (_, amd, _) = source(&mut fake);
    let amd_size = fake.repos[&(A.to_owned(), "src".to_owned())].manifests[&amd]
        .0
        .len();
    let signature = signature(&mut fake, &amd, amd_size);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{A}/dst:v1")),
        Options::default(),
    );

    let end = run(&mut copy, &mut fake, 300, &mut Vec::new());

    assert!(matches!(end, End::Done), "{end:?}");
    assert!(fake.has_manifest(A, "dst", &signature));
    assert_eq!(fake.count("GET /v2/src/manifests/sha256-"), 0);
}

#[test]
fn a_429_waits_for_retry_after_then_sends_the_same_request() {
    let mut fake = Fake::new();
    source(&mut fake);
    let limited = Response::new(429)
        .with_header("Retry-After", "7")
        .with_header("RateLimit-Remaining", "0");
    fake.script.insert(2, limited);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{A}/dst:v1")),
        Options::default(),
    );

    let mut waits = Vec::new();
    let end = run(&mut copy, &mut fake, 200, &mut waits);

    assert!(matches!(end, End::Done), "{end:?}");
    assert_eq!(waits, vec![7]);
    assert_eq!(fake.log[1], fake.log[2]);
}

#[test]
fn too_many_429s_fail_with_the_rate_limit_figures() {
    let mut fake = Fake::new();
    source(&mut fake);
    for n in 1..=4 {
        fake.script.insert(
            n,
            Response::new(429).with_header("RateLimit-Limit", "100;w=21600"),
        );
    }
    let options = Options {
        rate_limit_retries: 3,
        ..Options::default()
    };
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{A}/dst:v1")),
        options,
    );

    let mut waits = Vec::new();
    let end = run(&mut copy, &mut fake, 200, &mut waits);

    let End::Failed(failure) = end else {
        panic!("{end:?}")
    };
    assert_eq!(waits, vec![10, 10, 10]);
    let Problem::RateLimited {
        attempts,
        rate_limit,
    } = &failure.problem
    else {
        panic!("{failure:?}")
    };
    assert_eq!(*attempts, 4);
    assert_eq!(
        rate_limit.headers,
        vec![("ratelimit-limit".to_owned(), "100;w=21600".to_owned())]
    );
    assert!(
        failure.to_string().contains("ratelimit-limit: 100;w=21600"),
        "{failure}"
    );
}

#[test]
fn a_failure_names_the_step_and_the_registry_error() {
    let mut fake = Fake::new();
    source(&mut fake);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:missing")),
        &reference(&format!("{A}/dst:v1")),
        Options::default(),
    );

    let end = run(&mut copy, &mut fake, 200, &mut Vec::new());

    let End::Failed(failure) = end else {
        panic!("{end:?}")
    };
    assert_eq!(failure.request, "GET /v2/src/manifests/missing");
    assert_eq!(
        failure.to_string(),
        format!(
            "read {A}/src:missing (GET /v2/src/manifests/missing): registry answered 404: \
             MANIFEST_UNKNOWN: manifest unknown"
        )
    );
}

#[test]
fn a_failed_push_resumes_without_redoing_finished_steps() {
    let mut fake = Fake::new();
    fake.mounts = false;
    source(&mut fake);
    let mut copy = Transfer::copy(
        &reference(&format!("{A}/src:multi")),
        &reference(&format!("{B}/dst:v1")),
        small_chunks(),
    );
    // Let it get well into the blobs, then break one request.
    let first = run(&mut copy, &mut fake, 20, &mut Vec::new());
    assert!(matches!(first, End::Stopped));
    fake.script
        .insert(21, error(500, "UNAVAILABLE", "service unavailable"));
    let failed = run(&mut copy, &mut fake, 200, &mut Vec::new());
    let End::Failed(failure) = failed else {
        panic!("{failed:?}")
    };
    assert!(
        failure
            .to_string()
            .contains("UNAVAILABLE: service unavailable"),
        "{failure}"
    );
    let before = copy.progress();

    let saved = serde_json::to_string(&copy).unwrap();
    let mut resumed: Transfer = serde_json::from_str(&saved).unwrap();
    let end = run(&mut resumed, &mut fake, 200, &mut Vec::new());

    assert!(matches!(end, End::Done), "{end:?}");
    assert!(resumed.progress().steps_done >= before.steps_done);
    // Each blob is closed once, each manifest written once.
    assert_eq!(
        fake.count("PUT /v2/dst/blobs/uploads/"),
        4,
        "{:#?}",
        fake.log
    );
    assert_eq!(fake.count("PUT /v2/dst/manifests/"), 3);
    // Discovery reads were not repeated.
    assert_eq!(fake.count("GET /v2/src/manifests/multi"), 1);
    assert!(fake.has_manifest(B, "dst", "v1"));
}

#[test]
fn an_unanswered_request_is_rechecked_with_head_after_a_reload() {
    let mut fake = Fake::new();
    let (index, amd, arm) = source(&mut fake);
    let list = fake.repos[&(A.to_owned(), "src".to_owned())].manifests[&index]
        .0
        .clone();
    fake.add_manifest(B, "dst", b"x", OCI_MANIFEST, None);
    let mut push = Transfer::push_list(
        &Repository::new(B, "dst"),
        "multi",
        list,
        OCI_INDEX,
        vec![
            (amd.clone(), Repository::new(A, "src")),
            (arm, Repository::new(A, "src")),
        ],
        Options::default(),
    );
    // Run until the first child manifest PUT is handed out, deliver it, but
    // lose the answer.
    let request = loop {
        let Action::Send(request) = push.next_action() else {
            panic!()
        };
        if request.method == Method::Put && request.path_and_query.contains("/manifests/sha256:") {
            break request;
        }
        let response = fake.answer(&request);
        push.receive(response);
    };
    fake.answer(&request);
    let saved = serde_json::to_string(&push).unwrap();

    let mut resumed: Transfer = serde_json::from_str(&saved).unwrap();
    let Action::Send(recheck) = resumed.next_action() else {
        panic!()
    };

    assert_eq!(recheck.method, Method::Head);
    assert_eq!(recheck.path_and_query, request.path_and_query);
    let response = fake.answer(&recheck);
    resumed.receive(response);
    let end = run(&mut resumed, &mut fake, 200, &mut Vec::new());
    assert!(matches!(end, End::Done), "{end:?}");
    assert_eq!(fake.count(&format!("PUT /v2/dst/manifests/{amd}")), 1);
}

#[test]
fn upload_sends_local_blobs_as_ranges_and_tags_the_manifest() {
    let mut fake = Fake::new();
    let config = br#"{"architecture":"arm","variant":"v7","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let layer = vec![7u8; 2500];
    let config_digest = Digest::sha256(config).to_string();
    let layer_digest = Digest::sha256(&layer).to_string();
    fake.local.insert(config_digest.clone(), config.to_vec());
    fake.local.insert(layer_digest.clone(), layer.clone());
    let manifest = manifest_json(
        &config_digest,
        config.len(),
        &layer_digest,
        layer.len(),
        None,
    );
    let mut upload = Transfer::upload(
        &Repository::new(A, "local"),
        vec![LocalManifest {
            bytes: manifest.clone().into_bytes(),
            media_type: OCI_MANIFEST.to_owned(),
            tags: vec!["armv7".to_owned()],
        }],
        small_chunks(),
    );

    let mut ranges = Vec::new();
    let end = loop {
        match upload.next_action() {
            Action::Send(request) => {
                if let Body::BlobRange { start, len, .. } = &request.body {
                    ranges.push((*start, *len));
                }
                let response = fake.answer(&request);
                upload.receive(response);
            }
            other => break other,
        }
    };

    assert_eq!(end, Action::Done);
    assert_eq!(
        ranges,
        vec![
            (0, config.len() as u64),
            (0, 1024),
            (1024, 1024),
            (2048, 452)
        ]
    );
    assert!(fake.has_manifest(A, "local", "armv7"));
    assert_eq!(fake.count("GET /v2/local/referrers"), 0);
}

#[test]
fn a_rewritten_tag_fails_the_read_back() {
    let mut fake = Fake::new();
    let list = index_json(&[]);
    fake.script.insert(
        3,
        Response::new(200)
            .with_header(
                "Docker-Content-Digest",
                "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            )
            .with_body(b"{}".to_vec()),
    );
    let mut push = Transfer::push_list(
        &Repository::new(A, "dst"),
        "v1",
        list.into_bytes(),
        OCI_INDEX,
        Vec::new(),
        Options::default(),
    );

    let end = run(&mut push, &mut fake, 20, &mut Vec::new());

    let End::Failed(failure) = end else {
        panic!("{end:?}")
    };
    assert!(matches!(failure.problem, Problem::VerifyMismatch { .. }));
    assert!(
        failure.to_string().starts_with("read back tag v1"),
        "{failure}"
    );
}
