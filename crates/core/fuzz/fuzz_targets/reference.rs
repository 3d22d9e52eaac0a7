//! Image references: `Reference::parse` never panics, and what it accepts
//! round-trips through its canonical form.
//!
//! Properties: parse(s) = r ⇒ parse(r.canonical()) = r, and the canonical
//! form of that is the same string (the canonical form is a fixed point).
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyarch_core::reference::Reference;

fuzz_target!(|text: &str| {
    let Ok(reference) = Reference::parse(text) else {
        return;
    };

    let canonical = reference.canonical();
    let again = match Reference::parse(&canonical) {
        Ok(again) => again,
        Err(e) => panic!("{text:?} gave {canonical:?}, which does not parse: {e}"),
    };

    assert_eq!(again, reference, "{text:?} → {canonical:?}");
    assert_eq!(again.canonical(), canonical);
    assert!(!reference.registry().is_empty());
    assert!(!reference.repository().is_empty());
    assert!(reference.tag().is_some() || reference.digest().is_some());
});
