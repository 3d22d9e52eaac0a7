//! Property tests for the registry helpers: written challenges parse back,
//! and no input makes a parser panic.

use polyarch_core::registry::challenge::{self, Challenge};
use polyarch_core::registry::error::parse_envelope;
use polyarch_core::registry::token::parse_response;
use proptest::prelude::*;

fn challenge_strategy() -> impl Strategy<Value = Challenge> {
    let param = ("[A-Za-z][A-Za-z0-9_]{0,8}", "[ -~]{0,16}");
    (
        "[A-Za-z][A-Za-z0-9-]{0,8}",
        prop::collection::vec(param, 0..4),
    )
        .prop_map(|(scheme, params)| Challenge {
            scheme,
            token68: None,
            params,
        })
}

fn quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn write_header(challenges: &[Challenge]) -> String {
    challenges
        .iter()
        .map(|c| {
            let params: Vec<String> = c
                .params
                .iter()
                .map(|(name, value)| format!("{name} = {}", quoted(value)))
                .collect();
            if params.is_empty() {
                c.scheme.clone()
            } else {
                format!("{} {}", c.scheme, params.join(" , "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

proptest! {
    #[test]
    fn written_challenges_parse_back(
        challenges in prop::collection::vec(challenge_strategy(), 1..4),
    ) {
        let header = write_header(&challenges);

        let parsed = challenge::parse(&header).unwrap();

        let expected: Vec<Challenge> = challenges
            .into_iter()
            .map(|c| Challenge {
                scheme: c.scheme.to_ascii_lowercase(),
                token68: None,
                params: c
                    .params
                    .into_iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), v))
                    .collect(),
            })
            .collect();
        prop_assert_eq!(parsed, expected);
    }

    #[test]
    fn no_header_panics(header in ".{0,120}") {
        let parsed = challenge::parse(&header);

        if let Err(e) = parsed {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn no_header_like_string_panics(header in "[A-Za-z =,\"\\\\\t/+~.-]{0,80}") {
        let parsed = challenge::parse(&header);

        if let Ok(challenges) = parsed {
            prop_assert!(!challenges.is_empty());
        }
    }

    #[test]
    fn no_body_panics(body in prop::collection::vec(any::<u8>(), 0..200)) {
        let envelope = parse_envelope(&body);
        let token = parse_response(&body);

        let is_json = serde_json::from_slice::<serde_json::Value>(&body).is_ok();
        prop_assert!(envelope.is_none() || is_json);
        prop_assert!(token.map_or(true, |t| !t.token.is_empty()));
    }

    #[test]
    fn envelope_keeps_code_and_message(code in "[A-Z_]{0,24}", message in ".{0,40}") {
        let body = serde_json::json!({"errors": [{"code": code, "message": message}]});

        let envelope = parse_envelope(body.to_string().as_bytes()).unwrap();

        prop_assert_eq!(envelope.errors.len(), 1);
        prop_assert_eq!(envelope.errors[0].code.as_str(), code.as_str());
        prop_assert_eq!(&envelope.errors[0].message, &message);
    }
}
