//! The cases drawn from real bug reports in this field
//! (`tests/fixtures/cases.json`), each run through the public API.
//!
//! The fixture file is the project's own. When the shared case collection
//! that it came from sits beside the checkout (`../shared/cases/cases.json`),
//! its cases are run too, so that a case added there is checked at once.
//!
//! Scoring follows the collection's README: expected values must equal the
//! reported ones; an expected diagnostic must be matched by a reported one of
//! that severity (and line, when given) whose pointer is equal, inside, or a
//! non-root ancestor; an expected pointer of `""` matches only `""`.

use std::path::Path;

use polyarch_core::digest::Digest;
use polyarch_core::inspect::{InspectOptions, inspect, select_platform};
use polyarch_core::platform::{self, Platform};
use polyarch_core::reference::Reference;
use polyarch_core::registry::challenge;
use polyarch_core::select::SelectOptions;
use serde_json::{Value, json};

fn load(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("cases are a JSON array")
}

fn own_cases() -> Vec<Value> {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases.json"))
}

fn shared_cases() -> Option<Vec<Value>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cases/cases.json");
    path.exists().then(|| load(&path))
}

fn text(case: &Value) -> &str {
    case["input"].as_str().expect("input is a string")
}

fn option_str<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
    case.get("options")
        .and_then(|o| o.get(key))
        .and_then(Value::as_str)
}

/// Whether `reported` satisfies an `expected` pointer (README rules).
fn pointer_matches(expected: &str, reported: &str) -> bool {
    if expected.is_empty() {
        return reported.is_empty();
    }
    let inside = |outer: &str, inner: &str| {
        inner == outer || inner.starts_with(outer) && inner[outer.len()..].starts_with('/')
    };
    inside(expected, reported) || (!reported.is_empty() && inside(reported, expected))
}

fn run_case(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    match case["kind"].as_str().unwrap_or_default() {
        "validate" => validate(case, expect),
        "platform-parse" => {
            let parsed = platform::parse(text(case));
            if expect.get("error") == Some(&json!(true)) {
                return match parsed {
                    Err(e) if !e.to_string().is_empty() => Ok(()),
                    Err(_) => Err("error without a message".into()),
                    Ok(p) => Err(format!("expected an error, parsed {p:?}")),
                };
            }
            let p = parsed.map_err(|e| e.to_string())?;
            check_eq("os", &json!(p.os), &expect["os"])?;
            check_eq(
                "architecture",
                &json!(p.architecture),
                &expect["architecture"],
            )?;
            check_eq(
                "variant",
                &json!(p.variant),
                expect.get("variant").unwrap_or(&Value::Null),
            )?;
            check_eq("string", &json!(p.format()), &expect["string"])
        }
        "platform-format" => {
            let input = &case["input"];
            let field = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_owned);
            let p = Platform {
                os: field("os").unwrap_or_default(),
                architecture: field("architecture").unwrap_or_default(),
                variant: field("variant"),
                os_version: field("osVersion"),
                ..Platform::default()
            };
            check_eq("string", &json!(p.format()), &expect["string"])
        }
        "platform-select" => {
            let mut wanted = platform::parse(option_str(case, "platform").unwrap_or_default())
                .map_err(|e| e.to_string())?;
            wanted.os_version = option_str(case, "osVersion").map(str::to_owned);
            let strict = case["options"]["strict"].as_bool().unwrap_or(false);
            let options = SelectOptions {
                strict,
                ..SelectOptions::default()
            };
            let selection = select_platform(text(case).as_bytes(), &wanted, &options);
            let chosen = selection.entry.map(|e| e.descriptor.digest);
            check_eq("digest", &json!(chosen), &expect["digest"])
        }
        "reference" => {
            let parsed = Reference::parse(text(case));
            if expect.get("error") == Some(&json!(true)) {
                return match parsed {
                    Err(_) => Ok(()),
                    Ok(r) => Err(format!("expected an error, parsed {r:?}")),
                };
            }
            let r = parsed.map_err(|e| e.to_string())?;
            check_eq("registry", &json!(r.registry()), &expect["registry"])?;
            check_eq("repository", &json!(r.repository()), &expect["repository"])?;
            check_eq("tag", &json!(r.tag()), &expect["tag"])?;
            check_eq(
                "digest",
                &json!(r.digest().map(ToString::to_string)),
                &expect["digest"],
            )
        }
        "challenge" => {
            let challenges = challenge::parse(text(case)).map_err(|e| e.to_string())?;
            let first = challenges.first().ok_or("no challenge")?;
            check_eq("scheme", &json!(first.scheme), &expect["scheme"])?;
            for (name, value) in expect["params"].as_object().into_iter().flatten() {
                check_eq(name, &json!(first.param(name)), value)?;
            }
            Ok(())
        }
        "digest" => {
            let bytes = text(case).as_bytes();
            let digest = match option_str(case, "algorithm").unwrap_or("sha256") {
                "sha512" => Digest::sha512(bytes),
                _ => Digest::sha256(bytes),
            };
            check_eq("digest", &json!(digest.to_string()), &expect["digest"])
        }
        other => Err(format!("unknown case kind {other:?}")),
    }
}

fn validate(case: &Value, expect: &Value) -> Result<(), String> {
    let options = InspectOptions {
        content_type: option_str(case, "contentType").map(str::to_owned),
        expected_digest: option_str(case, "expectedDigest").map(str::to_owned),
    };
    let report = inspect(text(case).as_bytes(), &options);
    let reported = serde_json::to_value(&report).expect("reports serialise");

    for key in ["valid", "kind", "digest", "size"] {
        if let Some(want) = expect.get(key) {
            check_eq(key, &reported[key], want)?;
        }
    }
    for want in expect["diagnostics"].as_array().into_iter().flatten() {
        let found = report.diagnostics.iter().any(|d| {
            want["severity"].as_str() == Some(d.severity.as_str())
                && want
                    .get("line")
                    .is_none_or(|l| l.as_u64() == Some(d.line as u64))
                && want["pointer"]
                    .as_str()
                    .is_none_or(|p| pointer_matches(p, &d.pointer))
        });
        if !found {
            return Err(format!(
                "no diagnostic matches {want}; reported {:#?}",
                report.diagnostics
            ));
        }
    }
    for want in expect["entries"].as_array().into_iter().flatten() {
        let row = reported["entries"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["index"] == want["index"]))
            .ok_or_else(|| format!("no entry {}", want["index"]))?;
        for (key, value) in want.as_object().into_iter().flatten() {
            check_eq(
                &format!("entries[{}].{key}", want["index"]),
                &row[key],
                value,
            )?;
        }
    }
    Ok(())
}

fn check_eq(what: &str, found: &Value, expected: &Value) -> Result<(), String> {
    if found == expected {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected}, found {found}"))
    }
}

fn run_all(cases: &[Value]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case)
                .err()
                .map(|e| format!("{} ({}): {e}", case["id"], case["about"]))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_own_case_passes() {
    let cases = own_cases();
    assert!(cases.len() >= 45, "the fixture lost cases: {}", cases.len());

    run_all(&cases);
}

#[test]
fn every_shared_case_passes_when_present() {
    match shared_cases() {
        Some(cases) => run_all(&cases),
        None => eprintln!("skipped: ../shared/cases/cases.json is not beside the checkout"),
    }
}

#[test]
fn pointer_matching_follows_the_rules() {
    assert!(pointer_matches("", ""));
    assert!(!pointer_matches("", "/a"));
    assert!(pointer_matches("/manifests/0", "/manifests/0/digest"));
    assert!(pointer_matches("/manifests/0/digest", "/manifests/0"));
    assert!(!pointer_matches("/manifests/0/digest", ""));
    assert!(!pointer_matches("/manifests/1", "/manifests/10"));
}

/// Each case, with its expectation changed, must fail: the harness checks
/// what it claims to.
#[test]
fn a_wrong_expectation_fails_every_case() {
    for case in own_cases() {
        let mut wrong = case.clone();
        let expect = &mut wrong["expect"];
        match case["kind"].as_str().unwrap_or_default() {
            "validate" => expect["valid"] = json!(!expect["valid"].as_bool().unwrap_or(true)),
            "platform-parse" | "reference" if expect.get("error").is_some() => {
                *expect = json!({"os": "linux", "architecture": "amd64", "string": "linux/amd64",
                    "registry": "docker.io", "repository": "library/x", "tag": null, "digest": null});
            }
            "platform-parse" | "platform-format" => expect["string"] = json!("plan9/mips"),
            "platform-select" if expect["digest"].is_null() => {
                expect["digest"] = json!("sha256:00")
            }
            "platform-select" => expect["digest"] = Value::Null,
            "reference" => expect["registry"] = json!("example.invalid"),
            "challenge" => expect["scheme"] = json!("negotiate"),
            "digest" => expect["digest"] = json!("sha256:00"),
            other => panic!("unknown case kind {other}"),
        }
        assert!(
            run_case(&wrong).is_err(),
            "{} passes with a wrong expectation",
            case["id"]
        );
    }
}
