//! Platform strings: `platform::parse` never panics, and what it accepts
//! round-trips through `format_all`.
//!
//! Properties: parse(s) = p ⇒ parse(p.format_all()) = p; p is already
//! normalised; p.format() is never empty and has no empty part.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyarch_core::platform;

fuzz_target!(|text: &str| {
    let Ok(parsed) = platform::parse(text) else {
        return;
    };

    let written = parsed.format_all();
    let again = match platform::parse(&written) {
        Ok(again) => again,
        Err(e) => panic!("{text:?} gave {written:?}, which does not parse: {e}"),
    };
    assert_eq!(again, parsed, "{text:?} → {written:?}");

    assert_eq!(parsed.normalized(), parsed, "{text:?}");
    let short = parsed.format();
    assert!(!short.is_empty(), "{text:?}");
    assert!(short.split('/').all(|part| !part.is_empty()), "{short:?}");
    assert!(written.ends_with(&short[short.find('/').unwrap_or(0)..]));
});
