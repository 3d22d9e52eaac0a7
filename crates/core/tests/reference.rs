//! Reference parsing, checked against distribution/reference's own test
//! tables (`reference_test.go`, `normalize_test.go`) read through
//! `ParseNormalizedNamed`, and against the project's shared cases.

use polyarch_core::digest::DigestError;
use polyarch_core::reference::{Reference, ReferenceError};

const F64: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const B5: &str = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";

/// `(input, registry, repository, tag, digest)` for a reference that parses.
type Row<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);

fn assert_parts(rows: &[Row<'_>]) {
    for &(input, registry, repository, tag, digest) in rows {
        let parsed = Reference::parse(input);

        let r = parsed.unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(r.registry(), registry, "registry of {input}");
        assert_eq!(r.repository(), repository, "repository of {input}");
        assert_eq!(r.tag(), tag, "tag of {input}");
        assert_eq!(
            r.digest().map(ToString::to_string).as_deref(),
            digest,
            "digest of {input}"
        );
    }
}

#[test]
fn shared_cases() {
    let long_digest = format!("registry.example.com/myorg/app:v1@{B5}");
    let digest_only = format!("myorg/app@{B5}");
    let rows: [Row<'_>; 7] = [
        (
            &long_digest,
            "registry.example.com",
            "myorg/app",
            Some("v1"),
            Some(B5),
        ),
        (&digest_only, "docker.io", "myorg/app", None, Some(B5)),
        (
            "localhost/testimage:mytag",
            "localhost",
            "testimage",
            Some("mytag"),
            None,
        ),
        (
            "localhost:5000/testimage",
            "localhost:5000",
            "testimage",
            Some("latest"),
            None,
        ),
        (
            "localhostx/testimage",
            "docker.io",
            "localhostx/testimage",
            Some("latest"),
            None,
        ),
        (
            "docker.io/bash:5.3.9",
            "docker.io",
            "library/bash",
            Some("5.3.9"),
            None,
        ),
        (
            "index.docker.io/bash:5.3.9",
            "docker.io",
            "library/bash",
            Some("5.3.9"),
            None,
        ),
    ];

    assert_parts(&rows);
    assert!(Reference::parse("registry.example.com/MyOrg/App:1.0").is_err());
}

#[test]
fn distribution_reference_parse_table_normalised() {
    let with_port_digest = format!("test:5000/repo@{F64}");
    let with_port_both = format!("test:5000/repo:tag@{F64}");
    let ipv6_digest = format!("[2001:db8::1]:5000/repo@{F64}");
    let ipv6_both = format!("[2001:db8::1]:5000/repo:tag@{F64}");
    let sha512 = format!("sha512:{}", "f".repeat(128));
    let punycode_both = format!("xn--7o8h.com/myimage:xn--7o8h.com@{sha512}");
    let max_path = format!("{}a", "a/".repeat(127));
    let max_input = format!("{max_path}:tag-puts-this-over-max");
    let rows: Vec<Row<'_>> = vec![
        (
            "test_com",
            "docker.io",
            "library/test_com",
            Some("latest"),
            None,
        ),
        (
            "test.com:tag",
            "docker.io",
            "library/test.com",
            Some("tag"),
            None,
        ),
        (
            "test.com:5000",
            "docker.io",
            "library/test.com",
            Some("5000"),
            None,
        ),
        ("test.com/repo:tag", "test.com", "repo", Some("tag"), None),
        ("test:5000/repo", "test:5000", "repo", Some("latest"), None),
        ("test:5000/repo:tag", "test:5000", "repo", Some("tag"), None),
        (&with_port_digest, "test:5000", "repo", None, Some(F64)),
        (&with_port_both, "test:5000", "repo", Some("tag"), Some(F64)),
        (
            "lowercase:Uppercase",
            "docker.io",
            "library/lowercase",
            Some("Uppercase"),
            None,
        ),
        (
            &max_input,
            "docker.io",
            &max_path,
            Some("tag-puts-this-over-max"),
            None,
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux",
            "sub-dom1.foo.com",
            "bar/baz/quux",
            Some("latest"),
            None,
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
            "sub-dom1.foo.com",
            "bar/baz/quux",
            Some("some-long-tag"),
            None,
        ),
        (
            "b.gcr.io/test.example.com/my-app:test.example.com",
            "b.gcr.io",
            "test.example.com/my-app",
            Some("test.example.com"),
            None,
        ),
        (
            "xn--n3h.com/myimage:xn--n3h.com",
            "xn--n3h.com",
            "myimage",
            Some("xn--n3h.com"),
            None,
        ),
        (
            &punycode_both,
            "xn--7o8h.com",
            "myimage",
            Some("xn--7o8h.com"),
            Some(&sha512),
        ),
        (
            "foo_bar.com:8080",
            "docker.io",
            "library/foo_bar.com",
            Some("8080"),
            None,
        ),
        (
            "foo/foo_bar.com:8080",
            "docker.io",
            "foo/foo_bar.com",
            Some("8080"),
            None,
        ),
        (
            "192.168.1.1",
            "docker.io",
            "library/192.168.1.1",
            Some("latest"),
            None,
        ),
        (
            "192.168.1.1:tag",
            "docker.io",
            "library/192.168.1.1",
            Some("tag"),
            None,
        ),
        (
            "192.168.1.1:5000",
            "docker.io",
            "library/192.168.1.1",
            Some("5000"),
            None,
        ),
        (
            "192.168.1.1/repo",
            "192.168.1.1",
            "repo",
            Some("latest"),
            None,
        ),
        (
            "192.168.1.1:5000/repo",
            "192.168.1.1:5000",
            "repo",
            Some("latest"),
            None,
        ),
        (
            "192.168.1.1:5000/repo:5050",
            "192.168.1.1:5000",
            "repo",
            Some("5050"),
            None,
        ),
        (
            "[2001:db8::1]/repo",
            "[2001:db8::1]",
            "repo",
            Some("latest"),
            None,
        ),
        (
            "[2001:db8:1:2:3:4:5:6]/repo:tag",
            "[2001:db8:1:2:3:4:5:6]",
            "repo",
            Some("tag"),
            None,
        ),
        (
            "[2001:db8::1]:5000/repo",
            "[2001:db8::1]:5000",
            "repo",
            Some("latest"),
            None,
        ),
        (
            "[2001:db8::1]:5000/repo:tag",
            "[2001:db8::1]:5000",
            "repo",
            Some("tag"),
            None,
        ),
        (&ipv6_digest, "[2001:db8::1]:5000", "repo", None, Some(F64)),
        (
            &ipv6_both,
            "[2001:db8::1]:5000",
            "repo",
            Some("tag"),
            Some(F64),
        ),
        (
            "[2001:db8::]:5000/repo",
            "[2001:db8::]:5000",
            "repo",
            Some("latest"),
            None,
        ),
        (
            "[::1]:5000/repo",
            "[::1]:5000",
            "repo",
            Some("latest"),
            None,
        ),
    ];

    assert_parts(&rows);
}

#[test]
fn distribution_repository_info_table() {
    let rows: [Row<'_>; 16] = [
        ("fooo/bar", "docker.io", "fooo/bar", Some("latest"), None),
        (
            "index.docker.io/fooo/bar",
            "docker.io",
            "fooo/bar",
            Some("latest"),
            None,
        ),
        (
            "ubuntu",
            "docker.io",
            "library/ubuntu",
            Some("latest"),
            None,
        ),
        (
            "library/ubuntu",
            "docker.io",
            "library/ubuntu",
            Some("latest"),
            None,
        ),
        (
            "docker.io/library/ubuntu",
            "docker.io",
            "library/ubuntu",
            Some("latest"),
            None,
        ),
        (
            "other/library",
            "docker.io",
            "other/library",
            Some("latest"),
            None,
        ),
        (
            "127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000",
            "private/moonbase",
            Some("latest"),
            None,
        ),
        (
            "127.0.0.1:8000/privatebase",
            "127.0.0.1:8000",
            "privatebase",
            Some("latest"),
            None,
        ),
        (
            "example.com/private/moonbase",
            "example.com",
            "private/moonbase",
            Some("latest"),
            None,
        ),
        (
            "example.com:8000/privatebase",
            "example.com:8000",
            "privatebase",
            Some("latest"),
            None,
        ),
        (
            "ubuntu-12.04-base",
            "docker.io",
            "library/ubuntu-12.04-base",
            Some("latest"),
            None,
        ),
        (
            "docker.io/foo",
            "docker.io",
            "library/foo",
            Some("latest"),
            None,
        ),
        (
            "library/foo/bar",
            "docker.io",
            "library/foo/bar",
            Some("latest"),
            None,
        ),
        (
            "store/foo/bar",
            "docker.io",
            "store/foo/bar",
            Some("latest"),
            None,
        ),
        ("Foo/bar", "Foo", "bar", Some("latest"), None),
        ("FOO/bar", "FOO", "bar", Some("latest"), None),
    ];

    assert_parts(&rows);
}

#[test]
fn distribution_valid_names() {
    let valid = [
        "docker/docker",
        "library/debian",
        "debian",
        "docker.io/docker/docker",
        "docker.io/library/debian",
        "docker.io/debian",
        "index.docker.io/docker/docker",
        "index.docker.io/library/debian",
        "index.docker.io/debian",
        "127.0.0.1:5000/docker/docker",
        "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian",
        "192.168.0.1",
        "192.168.0.1:80",
        "192.168.0.1:8/debian",
        "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "[fc00::1]:5000/docker",
        "[fc00::1]:5000/docker/docker",
        "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "Docker/docker",
        "DOCKER/docker",
        "docker-rules/docker",
        "docker---rules/docker",
        "doc/docker",
        "d/docker",
        "jess/t",
        "dock__er/docker",
    ];

    for input in valid {
        let parsed = Reference::parse(input);

        assert!(parsed.is_ok(), "{input}: {parsed:?}");
    }
}

#[test]
fn distribution_invalid_names() {
    let too_long_namespace = format!("{}/docker", "this_is_not_a_valid_namespace".repeat(9));
    let invalid = [
        "",
        ":justtag",
        "https://github.com/docker/docker",
        "docker/Docker",
        "-docker",
        "-docker/docker",
        "-docker.io/docker/docker",
        "docker///docker",
        "docker.io/docker/Docker",
        "docker.io/docker///docker",
        "[fc00::1]",
        "[fc00::1]:5000",
        "fc00::1:5000/debian",
        "[fe80::1%eth0]:5000/debian",
        "[2001:db8:3:4::192.0.2.33]:5000/debian",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "docker-/docker",
        "-docker-/docker",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "docker/",
        &too_long_namespace,
        "Uppercase:tag",
        "test:5000/Uppercase/lowercase:tag",
        "aa/asdf$$^/aa",
        "[2001:db8::1]",
        "[2001:db8::1]:5000",
        "[2001:db8::1]:tag",
        "[fe80::1%@invalidzone]:5000/repo",
        "repo@sha256:ffffffffffffffffffffffffffffffffff",
    ];

    for input in invalid {
        let parsed = Reference::parse(input);

        assert!(parsed.is_err(), "{input} parsed as {parsed:?}");
    }
}

#[test]
fn errors_name_what_and_where() {
    let long_tag = format!("repo:{}", "a".repeat(129));
    let long_repo = format!("{}a", "a/".repeat(128));
    let table: Vec<(&str, ReferenceError)> = vec![
        ("", ReferenceError::Empty),
        (
            "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
            ReferenceError::ImageId,
        ),
        (":justtag", ReferenceError::MissingRepository),
        ("@sha256:abc", ReferenceError::MissingRepository),
        (
            "registry.example.com/MyOrg/App:1.0",
            ReferenceError::UppercaseRepository {
                component: "MyOrg".to_owned(),
                at: 21,
            },
        ),
        (
            "test:5000/Uppercase/lowercase:tag",
            ReferenceError::UppercaseRepository {
                component: "Uppercase".to_owned(),
                at: 10,
            },
        ),
        ("aa/asdf$$^/aa", ReferenceError::InvalidRepository { at: 7 }),
        ("docker/", ReferenceError::InvalidRepository { at: 7 }),
        (
            "docker/dock..er",
            ReferenceError::InvalidRepository { at: 12 },
        ),
        ("dock..er/docker", ReferenceError::InvalidRegistry { at: 5 }),
        (
            "https://github.com/x",
            ReferenceError::InvalidRegistry { at: 6 },
        ),
        ("-docker.io/x", ReferenceError::InvalidRegistry { at: 0 }),
        (
            "[fe80::1%eth0]:5000/x",
            ReferenceError::InvalidRegistry { at: 8 },
        ),
        (
            "example.com:50a0/x",
            ReferenceError::InvalidRegistry { at: 14 },
        ),
        (
            &long_repo,
            ReferenceError::RepositoryTooLong { length: 257 },
        ),
        ("repo:", ReferenceError::InvalidTag { at: 5 }),
        ("repo:.hidden", ReferenceError::InvalidTag { at: 5 }),
        ("repo:v1+x", ReferenceError::InvalidTag { at: 7 }),
        (&long_tag, ReferenceError::TagTooLong { at: 5, length: 129 }),
        (
            "repo@sha256:ffffffffffffffffffffffffffffffffff",
            ReferenceError::InvalidDigest {
                at: 5,
                source: DigestError::WrongLength {
                    algorithm: "sha256",
                    expected: 64,
                    found: 34,
                },
            },
        ),
    ];

    for (input, expected) in table {
        let parsed = Reference::parse(input);

        assert_eq!(parsed, Err(expected), "{input}");
    }
}

#[test]
fn error_messages_are_lower_case_and_placed() {
    let table = [
        (
            "registry.example.com/MyOrg/App:1.0",
            "repository names are lower case: found `MyOrg` at 21",
        ),
        (
            "repo@sha256:abc",
            "bad digest at 5: a sha256 digest has 64 hex characters, found 3",
        ),
        ("", "an image reference cannot be empty"),
    ];

    for (input, message) in table {
        let err = Reference::parse(input).unwrap_err();

        assert_eq!(err.to_string(), message, "{input}");
    }
}

#[test]
fn tag_limit_is_128_characters() {
    let at_limit = format!("repo:{}", "a".repeat(128));

    let parsed = Reference::parse(&at_limit).unwrap();

    assert_eq!(parsed.tag().map(str::len), Some(128));
}

#[test]
fn repository_limit_counts_the_library_prefix() {
    let fits = "a".repeat(255 - "library/".len());
    let over = "a".repeat(256 - "library/".len());

    assert_eq!(Reference::parse(&fits).unwrap().repository().len(), 255);
    assert_eq!(
        Reference::parse(&over),
        Err(ReferenceError::RepositoryTooLong { length: 256 })
    );
}

#[test]
fn canonical_form_writes_every_default() {
    let both = format!("busybox:latest@{F64}");
    let table = [
        ("bash:5.3.9", "docker.io/library/bash:5.3.9".to_owned()),
        ("bash", "docker.io/library/bash:latest".to_owned()),
        (
            "index.docker.io/myorg/app",
            "docker.io/myorg/app:latest".to_owned(),
        ),
        (&both, format!("docker.io/library/busybox:latest@{F64}")),
        ("ghcr.io/o/a:1", "ghcr.io/o/a:1".to_owned()),
    ];

    for (input, canonical) in table {
        let r = Reference::parse(input).unwrap();

        assert_eq!(r.canonical(), canonical, "{input}");
        assert_eq!(r.to_string(), canonical, "{input}");
    }
}

#[test]
fn api_host_and_manifest_reference() {
    let pinned = format!("ghcr.io/o/a:1@{F64}");
    let table = [
        ("bash", "registry-1.docker.io", "latest"),
        ("docker.io/myorg/app:v2", "registry-1.docker.io", "v2"),
        ("localhost:5000/app:v1", "localhost:5000", "v1"),
        (&pinned, "ghcr.io", F64),
    ];

    for (input, host, manifest_reference) in table {
        let r = Reference::parse(input).unwrap();

        assert_eq!(r.api_host(), host, "{input}");
        assert_eq!(r.manifest_reference(), manifest_reference, "{input}");
    }
}

#[test]
fn unregistered_digest_algorithms_are_accepted() {
    // distribution refuses an algorithm it has not registered
    // (`validname@invaliddigest:…` is ErrDigestUnsupported there); polyarch
    // follows the OCI image-spec, which tells readers to accept any
    // grammatical digest, and reports it as unverifiable instead.
    let input = format!("validname@invaliddigest:{}", "f".repeat(64));

    let r = Reference::parse(&input).unwrap();

    assert_eq!(r.digest().map(|d| d.is_verifiable()), Some(false));
}

#[test]
fn serializes_for_the_npm_package() {
    let r = Reference::parse(&format!("bash:5.3.9@{F64}")).unwrap();

    let json = serde_json::to_value(&r).unwrap();

    assert_eq!(
        json,
        serde_json::json!({
            "registry": "docker.io",
            "repository": "library/bash",
            "tag": "5.3.9",
            "digest": F64,
            "apiHost": "registry-1.docker.io",
            "canonical": format!("docker.io/library/bash:5.3.9@{F64}"),
        })
    );
}
