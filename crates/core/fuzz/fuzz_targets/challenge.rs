//! `WWW-Authenticate` values: `challenge::parse` never panics, and what it
//! reads can be written back and read again to the same challenges.
//!
//! Properties: every challenge has a lower-case scheme and lower-case
//! parameter names, and either a token68 or parameters, not both; writing
//! each challenge as `scheme token68` or `scheme name="value", …` (quotes
//! and backslashes escaped) and parsing that gives the same list.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyarch_core::registry::challenge::{self, Challenge};

fuzz_target!(|header: &str| {
    let Ok(challenges) = challenge::parse(header) else {
        return;
    };

    assert!(!challenges.is_empty());
    for c in &challenges {
        assert!(!c.scheme.is_empty(), "{header:?}");
        assert_eq!(c.scheme, c.scheme.to_ascii_lowercase());
        assert!(c.token68.is_none() || c.params.is_empty(), "{c:?}");
        for (name, _) in &c.params {
            assert!(!name.is_empty());
            assert_eq!(*name, name.to_ascii_lowercase());
        }
    }

    let written = write(&challenges);
    let again = match challenge::parse(&written) {
        Ok(again) => again,
        Err(e) => panic!("{header:?} was written as {written:?}, which does not parse: {e}"),
    };
    assert_eq!(again, challenges, "{header:?} → {written:?}");
});

fn write(challenges: &[Challenge]) -> String {
    let mut out = String::new();
    for (i, c) in challenges.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&c.scheme);
        if let Some(token68) = &c.token68 {
            out.push(' ');
            out.push_str(token68);
        }
        for (j, (name, value)) in c.params.iter().enumerate() {
            out.push_str(if j == 0 { " " } else { ", " });
            out.push_str(name);
            out.push_str("=\"");
            for ch in value.chars() {
                if ch == '"' || ch == '\\' {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
        }
    }
    out
}
