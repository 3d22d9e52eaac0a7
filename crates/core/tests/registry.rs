//! Registry protocol helpers: paths, challenges, token requests and
//! responses, error envelopes.

use polyarch_core::digest::Digest;
use polyarch_core::media_type::MANIFEST_TYPES;
use polyarch_core::reference::Reference;
use polyarch_core::registry::challenge::{self, Challenge, ChallengeError};
use polyarch_core::registry::error::{ErrorCode, parse_envelope};
use polyarch_core::registry::token::{
    BearerChallenge, BearerError, Scope, TokenError, parse_response,
};
use polyarch_core::registry::{ACCEPT_MANIFESTS, paths};

const B5: &str = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
const B5_QUERY: &str = "sha256%3Ab5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";

fn b5() -> Digest {
    B5.parse().expect("a valid digest")
}

/// `(body, token, expires_in, issued_at, lifetime)`.
type TokenRow<'a> = (&'a str, &'a str, Option<u64>, Option<&'a str>, u64);

/// `(code, message, detail)` of one error in an envelope.
type ErrorRow<'a> = (ErrorCode, &'a str, Option<&'a str>);

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn accept_lists_all_four_manifest_types() {
    let listed: Vec<&str> = ACCEPT_MANIFESTS.split(", ").collect();

    assert_eq!(listed, MANIFEST_TYPES);
    assert!(listed.contains(&"application/vnd.oci.image.index.v1+json"));
    assert!(listed.contains(&"application/vnd.oci.image.manifest.v1+json"));
}

#[test]
fn request_paths() {
    let table = [
        (paths::API_BASE.to_owned(), "/v2/".to_owned()),
        (
            paths::manifest("library/bash", "5.3.9"),
            "/v2/library/bash/manifests/5.3.9".to_owned(),
        ),
        (
            paths::blob("myorg/app", &b5()),
            format!("/v2/myorg/app/blobs/{B5}"),
        ),
        (
            paths::upload("myorg/app"),
            "/v2/myorg/app/blobs/uploads/".to_owned(),
        ),
        (
            paths::upload_monolithic("myorg/app", &b5()),
            format!("/v2/myorg/app/blobs/uploads/?digest={B5_QUERY}"),
        ),
        (
            paths::upload_mount("myorg/app", &b5(), "library/bash"),
            format!("/v2/myorg/app/blobs/uploads/?mount={B5_QUERY}&from=library%2Fbash"),
        ),
        (
            paths::tags("a/b", None, None),
            "/v2/a/b/tags/list".to_owned(),
        ),
        (
            paths::tags("a/b", Some(50), None),
            "/v2/a/b/tags/list?n=50".to_owned(),
        ),
        (
            paths::tags("a/b", Some(50), Some("v1.2")),
            "/v2/a/b/tags/list?n=50&last=v1.2".to_owned(),
        ),
        (
            paths::tags("a/b", None, Some("v1")),
            "/v2/a/b/tags/list?last=v1".to_owned(),
        ),
        (
            paths::referrers("a/b", &b5(), None),
            format!("/v2/a/b/referrers/{B5}"),
        ),
        (
            paths::referrers("a/b", &b5(), Some("application/vnd.example+json")),
            format!("/v2/a/b/referrers/{B5}?artifactType=application%2Fvnd.example%2Bjson"),
        ),
        (paths::catalog(None, None), "/v2/_catalog".to_owned()),
        (
            paths::catalog(Some(100), Some("library/bash")),
            "/v2/_catalog?n=100&last=library%2Fbash".to_owned(),
        ),
    ];

    for (built, expected) in table {
        assert_eq!(built, expected);
    }
}

#[test]
fn manifest_path_prefers_the_digest() {
    let table = [
        ("bash", "/v2/library/bash/manifests/latest".to_owned()),
        ("ghcr.io/o/a:v1", "/v2/o/a/manifests/v1".to_owned()),
        (
            &format!("ghcr.io/o/a:v1@{B5}"),
            format!("/v2/o/a/manifests/{B5}"),
        ),
        (
            &format!("localhost:5000/a@{B5}"),
            format!("/v2/a/manifests/{B5}"),
        ),
    ];

    for (input, expected) in table {
        let image = Reference::parse(input).unwrap();

        assert_eq!(paths::manifest_for(&image), expected, "{input}");
    }
}

#[test]
fn referrers_fallback_tag() {
    let sha512: Digest = format!("sha512:{}", "ab".repeat(64)).parse().unwrap();
    let b64u: Digest = "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"
        .parse()
        .unwrap();
    let table = [
        (
            b5(),
            "sha256-b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c".to_owned(),
        ),
        (sha512, format!("sha512-{}", "ab".repeat(32))),
        (
            b64u,
            "sha256-b64u-LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564".to_owned(),
        ),
    ];

    for (subject, expected) in table {
        let tag = paths::referrers_tag(&subject);

        assert_eq!(tag, expected);
        assert!(
            Reference::parse(&format!("r.example/a:{tag}")).is_ok(),
            "{tag}"
        );
    }
}

#[test]
fn challenges_parse() {
    let table: Vec<(&str, Vec<Challenge>)> = vec![
        // The shared case H-AUTH-01: quoted values may contain commas.
        (
            r#"Bearer realm="https://auth.example.com/oauth2/token",service="registry.example.com",scope="repository:myorg/app:pull,push""#,
            vec![Challenge {
                scheme: "bearer".to_owned(),
                token68: None,
                params: params(&[
                    ("realm", "https://auth.example.com/oauth2/token"),
                    ("service", "registry.example.com"),
                    ("scope", "repository:myorg/app:pull,push"),
                ]),
            }],
        ),
        // Bearer without service, odd scheme case, spaces around = and ,.
        (
            r#"bEaReR   Realm = "https://ghcr.io/token" ,  scope= "repository:o/a:pull""#,
            vec![Challenge {
                scheme: "bearer".to_owned(),
                token68: None,
                params: params(&[
                    ("realm", "https://ghcr.io/token"),
                    ("scope", "repository:o/a:pull"),
                ]),
            }],
        ),
        // Escapes inside quotes; a token (unquoted) value.
        (
            r#"Basic realm="say \"hi\", then \\ go", charset=UTF-8"#,
            vec![Challenge {
                scheme: "basic".to_owned(),
                token68: None,
                params: params(&[("realm", r#"say "hi", then \ go"#), ("charset", "UTF-8")]),
            }],
        ),
        // Several challenges in one header, with empty list elements.
        (
            r#", Basic realm="r1", , Bearer realm="https://a/t",service=s, Negotiate"#,
            vec![
                Challenge {
                    scheme: "basic".to_owned(),
                    token68: None,
                    params: params(&[("realm", "r1")]),
                },
                Challenge {
                    scheme: "bearer".to_owned(),
                    token68: None,
                    params: params(&[("realm", "https://a/t"), ("service", "s")]),
                },
                Challenge {
                    scheme: "negotiate".to_owned(),
                    token68: None,
                    params: Vec::new(),
                },
            ],
        ),
        // token68, then another challenge.
        (
            "Negotiate YIIabc+/de==, Basic realm=x",
            vec![
                Challenge {
                    scheme: "negotiate".to_owned(),
                    token68: Some("YIIabc+/de==".to_owned()),
                    params: Vec::new(),
                },
                Challenge {
                    scheme: "basic".to_owned(),
                    token68: None,
                    params: params(&[("realm", "x")]),
                },
            ],
        ),
        // Tabs, an empty quoted value, a quoted value holding '='.
        (
            "Bearer\trealm=\"\",\tscope=\"a=b\"",
            vec![Challenge {
                scheme: "bearer".to_owned(),
                token68: None,
                params: params(&[("realm", ""), ("scope", "a=b")]),
            }],
        ),
    ];

    for (header, expected) in table {
        let parsed = challenge::parse(header);

        assert_eq!(parsed, Ok(expected), "{header}");
    }
}

#[test]
fn challenge_errors() {
    let table = [
        ("", ChallengeError::Empty),
        (" , ,", ChallengeError::Empty),
        ("=x", ChallengeError::ExpectedScheme { at: 0 }),
        (
            r#"Bearer realm="open"#,
            ChallengeError::UnterminatedQuote { at: 13 },
        ),
        (
            r#"Bearer realm="ends with \"#,
            ChallengeError::UnterminatedQuote { at: 13 },
        ),
        (
            "Bearer realm=x, scope=",
            ChallengeError::ExpectedValue { at: 22 },
        ),
        (
            "Bearer realm=x, scope= ,",
            ChallengeError::ExpectedValue { at: 23 },
        ),
        ("Bearer realm=x y", ChallengeError::ExpectedComma { at: 15 }),
        (
            "Bearer foo bar",
            ChallengeError::ExpectedParameter { at: 7 },
        ),
        (
            "Bearer realm=\"x\"garbage",
            ChallengeError::ExpectedComma { at: 16 },
        ),
    ];

    for (header, expected) in table {
        let parsed = challenge::parse(header);

        assert_eq!(parsed, Err(expected), "{header}");
    }
}

#[test]
fn a_bare_name_with_equals_is_a_token68() {
    // RFC 7235's grammar reads `realm=` (no value) as a token68 ending in
    // `=`, not as an empty parameter; polyarch follows the grammar.
    let parsed = challenge::parse("Bearer realm=").unwrap();

    assert_eq!(parsed[0].token68.as_deref(), Some("realm="));
    assert_eq!(parsed[0].param("realm"), None);
}

#[test]
fn challenge_param_lookup_ignores_case() {
    let parsed = challenge::parse(r#"Bearer REALM="https://a/t""#).unwrap();

    assert_eq!(parsed[0].param("realm"), Some("https://a/t"));
    assert_eq!(parsed[0].param("Realm"), Some("https://a/t"));
    assert_eq!(parsed[0].param("service"), None);
}

#[test]
fn challenge_serializes_params_as_an_object() {
    let parsed = challenge::parse(r#"Bearer realm="r",service="s""#).unwrap();

    let json = serde_json::to_value(&parsed[0]).unwrap();

    assert_eq!(
        json,
        serde_json::json!({"scheme": "bearer", "params": {"realm": "r", "service": "s"}})
    );
}

#[test]
fn token_urls() {
    let docker = BearerChallenge {
        realm: "https://auth.docker.io/token".to_owned(),
        service: Some("registry.docker.io".to_owned()),
        scope: Some("repository:library/bash:pull".to_owned()),
    };
    let no_service = BearerChallenge {
        realm: "https://ghcr.io/token".to_owned(),
        service: None,
        scope: None,
    };
    let with_query = BearerChallenge {
        realm: "https://auth.example.com/token?tenant=a b".to_owned(),
        service: Some("registry example".to_owned()),
        scope: Some("repository:a:pull  repository:b:pull".to_owned()),
    };
    let table = [
        (
            docker.token_url(&[Scope::pull("library/bash")]),
            "https://auth.docker.io/token?service=registry.docker.io\
             &scope=repository%3Alibrary%2Fbash%3Apull",
        ),
        (
            docker.token_url(&[]),
            "https://auth.docker.io/token?service=registry.docker.io\
             &scope=repository%3Alibrary%2Fbash%3Apull",
        ),
        (
            no_service.token_url(&[Scope::push("o/a"), Scope::pull("o/base")]),
            "https://ghcr.io/token?scope=repository%3Ao%2Fa%3Apull%2Cpush\
             &scope=repository%3Ao%2Fbase%3Apull",
        ),
        (no_service.token_url(&[]), "https://ghcr.io/token"),
        (
            no_service.token_url(&[Scope::catalog()]),
            "https://ghcr.io/token?scope=registry%3Acatalog%3A%2A",
        ),
        (
            with_query.token_url(&[]),
            "https://auth.example.com/token?tenant=a b&service=registry%20example\
             &scope=repository%3Aa%3Apull&scope=repository%3Ab%3Apull",
        ),
    ];

    for (built, expected) in table {
        assert_eq!(built, expected);
    }
}

#[test]
fn scopes_display_as_docker_writes_them() {
    let table = [
        (Scope::pull("library/bash"), "repository:library/bash:pull"),
        (Scope::push("myorg/app"), "repository:myorg/app:pull,push"),
        (Scope::repository("a", &["delete"]), "repository:a:delete"),
        (Scope::catalog(), "registry:catalog:*"),
    ];

    for (scope, expected) in table {
        assert_eq!(scope.to_string(), expected);
    }
}

#[test]
fn bearer_challenge_from_header() {
    let table: [(&str, Result<BearerChallenge, BearerError>); 5] = [
        (
            r#"Basic realm="x", Bearer realm="https://a/t",service="s",scope="repository:a:pull""#,
            Ok(BearerChallenge {
                realm: "https://a/t".to_owned(),
                service: Some("s".to_owned()),
                scope: Some("repository:a:pull".to_owned()),
            }),
        ),
        (
            r#"Bearer realm="https://a/t""#,
            Ok(BearerChallenge {
                realm: "https://a/t".to_owned(),
                service: None,
                scope: None,
            }),
        ),
        (
            r#"Basic realm="x""#,
            Err(BearerError::NotBearer {
                offered: vec!["basic".to_owned()],
            }),
        ),
        (r#"Bearer service="s""#, Err(BearerError::MissingRealm)),
        (r#"Bearer realm="""#, Err(BearerError::MissingRealm)),
    ];

    for (header, expected) in table {
        let challenges = challenge::parse(header).unwrap();

        let bearer = BearerChallenge::from_challenges(&challenges);

        assert_eq!(bearer, expected, "{header}");
    }
}

#[test]
fn token_responses() {
    let table: [TokenRow<'_>; 7] = [
        (r#"{"token":"t1"}"#, "t1", None, None, 60),
        (r#"{"access_token":"a1"}"#, "a1", None, None, 60),
        (
            r#"{"token":"t1","access_token":"a1"}"#,
            "t1",
            None,
            None,
            60,
        ),
        (r#"{"token":"","access_token":"a1"}"#, "a1", None, None, 60),
        (
            r#"{"token":"t1","expires_in":300,"issued_at":"2026-01-02T03:04:05Z"}"#,
            "t1",
            Some(300),
            Some("2026-01-02T03:04:05Z"),
            300,
        ),
        (
            r#"{"access_token":"a1","expires_in":10}"#,
            "a1",
            Some(10),
            None,
            60,
        ),
        (
            r#"{"token":"t1","expires_in":null,"extra":[1]}"#,
            "t1",
            None,
            None,
            60,
        ),
    ];

    for (body, token, expires_in, issued_at, lifetime) in table {
        let parsed = parse_response(body.as_bytes());

        let response = parsed.unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(response.token, token, "{body}");
        assert_eq!(response.expires_in, expires_in, "{body}");
        assert_eq!(response.issued_at.as_deref(), issued_at, "{body}");
        assert_eq!(response.lifetime_secs(), lifetime, "{body}");
    }
}

#[test]
fn token_response_errors() {
    let table = [
        ("", TokenError::InvalidJson { line: 1, column: 0 }),
        ("[]", TokenError::NotAnObject),
        ("{}", TokenError::MissingToken),
        (r#"{"token":""}"#, TokenError::MissingToken),
        (
            r#"{"token":1}"#,
            TokenError::WrongType {
                field: "token",
                expected: "a string",
            },
        ),
        (
            r#"{"token":"t","expires_in":"300"}"#,
            TokenError::WrongType {
                field: "expires_in",
                expected: "a whole number of seconds",
            },
        ),
        (
            r#"{"token":"t","expires_in":-5}"#,
            TokenError::WrongType {
                field: "expires_in",
                expected: "a whole number of seconds",
            },
        ),
    ];

    for (body, expected) in table {
        let parsed = parse_response(body.as_bytes());

        assert_eq!(parsed, Err(expected), "{body}");
    }
}

#[test]
fn token_response_debug_hides_secrets() {
    let response = parse_response(br#"{"token":"secret-1","refresh_token":"secret-2"}"#).unwrap();

    let debug = format!("{response:?}");

    assert!(!debug.contains("secret"), "{debug}");
    assert!(debug.contains("<redacted>"));
}

#[test]
fn error_codes_round_trip() {
    let codes = [
        "BLOB_UNKNOWN",
        "BLOB_UPLOAD_INVALID",
        "BLOB_UPLOAD_UNKNOWN",
        "DIGEST_INVALID",
        "MANIFEST_BLOB_UNKNOWN",
        "MANIFEST_INVALID",
        "MANIFEST_UNKNOWN",
        "NAME_INVALID",
        "NAME_UNKNOWN",
        "SIZE_INVALID",
        "UNAUTHORIZED",
        "DENIED",
        "UNSUPPORTED",
        "TOOMANYREQUESTS",
        "MANIFEST_UNVERIFIED",
        "TAG_INVALID",
        "RANGE_INVALID",
        "PAGINATION_NUMBER_INVALID",
        "QUERY_PARAMETER_INVALID",
        "UNAVAILABLE",
        "UNKNOWN",
    ];

    for code in codes {
        let parsed = ErrorCode::parse(code);

        assert!(!matches!(parsed, ErrorCode::Other(_)), "{code}");
        assert_eq!(parsed.as_str(), code);
        assert!(parsed.description().is_some(), "{code}");
    }
    assert_eq!(
        ErrorCode::parse("manifest_unknown"),
        ErrorCode::ManifestUnknown
    );
    assert_eq!(
        ErrorCode::parse("QUOTA_EXCEEDED"),
        ErrorCode::Other("QUOTA_EXCEEDED".to_owned())
    );
}

#[test]
fn error_envelopes() {
    let table: [(&str, Vec<ErrorRow<'_>>, &str); 6] = [
        (
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Name":"a/b","Action":"pull"}]}]}"#,
            vec![(
                ErrorCode::Unauthorized,
                "authentication required",
                Some(r#"[{"Type":"repository","Name":"a/b","Action":"pull"}]"#),
            )],
            "UNAUTHORIZED: authentication required",
        ),
        (
            r#"{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"","detail":"sha256:aa"},{"code":"NAME_UNKNOWN"}]}"#,
            vec![
                (ErrorCode::ManifestBlobUnknown, "", Some(r#""sha256:aa""#)),
                (ErrorCode::NameUnknown, "", None),
            ],
            "MANIFEST_BLOB_UNKNOWN: manifest references a blob unknown to registry; \
             NAME_UNKNOWN: repository name not known to registry",
        ),
        (
            r#"{"errors":[{"code":"QUOTA_EXCEEDED","message":"quota exceeded","detail":null}]}"#,
            vec![(
                ErrorCode::Other("QUOTA_EXCEEDED".to_owned()),
                "quota exceeded",
                None,
            )],
            "QUOTA_EXCEEDED: quota exceeded",
        ),
        (
            r#"{"errors":[{"message":"something broke"}]}"#,
            vec![(ErrorCode::Unknown, "something broke", None)],
            "UNKNOWN: something broke",
        ),
        (
            r#"{"errors":[{"code":7,"message":{"text":"odd"}}]}"#,
            vec![(ErrorCode::Other("7".to_owned()), r#"{"text":"odd"}"#, None)],
            r#"7: {"text":"odd"}"#,
        ),
        (r#"{"errors":[]}"#, vec![], ""),
    ];

    for (body, expected, summary) in table {
        let envelope = parse_envelope(body.as_bytes());

        let envelope = envelope.unwrap_or_else(|| panic!("{body}"));
        let got: Vec<ErrorRow<'_>> = envelope
            .errors
            .iter()
            .map(|e| (e.code.clone(), e.message.as_str(), e.detail.as_deref()))
            .collect();
        assert_eq!(got, expected, "{body}");
        assert_eq!(envelope.summary(), summary, "{body}");
    }
}

#[test]
fn non_envelopes_are_none() {
    let bodies = [
        "",
        "<html>502 Bad Gateway</html>",
        r#"{"error":"not found"}"#,
        r#"{"errors":"nope"}"#,
        r#"{"errors":[1]}"#,
        "[]",
    ];

    for body in bodies {
        assert_eq!(parse_envelope(body.as_bytes()), None, "{body}");
    }
}

#[test]
fn envelope_serializes_codes_as_strings() {
    let envelope = parse_envelope(br#"{"errors":[{"code":"DENIED","message":"no"}]}"#).unwrap();

    let json = serde_json::to_value(&envelope).unwrap();

    assert_eq!(
        json,
        serde_json::json!({"errors": [{"code": "DENIED", "message": "no", "detail": null}]})
    );
    assert!(envelope.has(&ErrorCode::Denied));
}
