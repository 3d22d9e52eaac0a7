//! Documents given as a string or as bytes.
//!
//! A `Uint8Array` (a Node.js `Buffer` is one) is taken byte for byte. A
//! string is taken as its UTF-8 encoding, which is what a registry receives
//! when the string is sent. A JavaScript string may hold a lone surrogate,
//! half of a UTF-16 pair, which has no UTF-8 form: such a string is encoded
//! with every lone surrogate replaced by U+FFFD, and the place of the first
//! one is kept so that the caller reports it rather than hashing the
//! replacement in silence.

use std::fmt;

use js_sys::{JsString, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// The bytes of a document and what was done to make them.
#[derive(Debug)]
pub(crate) struct Input {
    /// The UTF-8 of a string, or the bytes as given.
    pub(crate) bytes: Vec<u8>,
    /// The first lone surrogate of a string, if it had any.
    pub(crate) lone_surrogate: Option<LoneSurrogate>,
}

/// Where a string broke UTF-16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LoneSurrogate {
    /// The code unit, `0xD800..=0xDFFF`.
    pub(crate) unit: u16,
    /// Its index in the string, in UTF-16 code units as JavaScript counts.
    pub(crate) index: usize,
    /// The byte offset of its U+FFFD in [`Input::bytes`].
    pub(crate) offset: usize,
    /// How many lone surrogates the string holds in all.
    pub(crate) count: usize,
}

impl fmt::Display for LoneSurrogate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the string has a lone surrogate U+{:04X} at index {}, which has no UTF-8 form",
            self.unit, self.index
        )?;
        if self.count > 1 {
            write!(f, " ({} lone surrogates in all)", self.count)?;
        }
        Ok(())
    }
}

/// A value that is neither a string nor a `Uint8Array`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotADocument {
    /// What was given instead: a `typeof` name, `null` or `array`.
    pub(crate) found: String,
}

impl fmt::Display for NotADocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected a string or a Uint8Array, found {}", self.found)
    }
}

impl From<NotADocument> for JsValue {
    fn from(error: NotADocument) -> Self {
        js_sys::TypeError::new(&error.to_string()).into()
    }
}

/// Reads a string or a `Uint8Array`.
pub(crate) fn read(value: &JsValue) -> Result<Input, NotADocument> {
    if let Some(text) = value.dyn_ref::<JsString>() {
        return Ok(read_string(text));
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(Input {
            bytes: bytes.to_vec(),
            lone_surrogate: None,
        });
    }
    Err(NotADocument {
        found: type_name(value),
    })
}

/// The `typeof` of `value`, with `null` and arrays told apart.
pub(crate) fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_owned()
    } else if js_sys::Array::is_array(value) {
        "array".to_owned()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

fn read_string(text: &JsString) -> Input {
    if text.is_well_formed() {
        return Input {
            bytes: String::from(text).into_bytes(),
            lone_surrogate: None,
        };
    }
    let (bytes, lone_surrogate) = encode_utf16(text.iter());
    Input {
        bytes,
        lone_surrogate,
    }
}

/// UTF-8 for UTF-16 code units, U+FFFD for each lone surrogate.
pub(crate) fn encode_utf16(units: impl Iterator<Item = u16>) -> (Vec<u8>, Option<LoneSurrogate>) {
    let mut bytes = Vec::new();
    let mut first: Option<LoneSurrogate> = None;
    let mut index = 0;
    let mut count = 0;

    for decoded in char::decode_utf16(units) {
        let c = match decoded {
            Ok(c) => {
                index += c.len_utf16();
                c
            }
            Err(e) => {
                count += 1;
                first.get_or_insert(LoneSurrogate {
                    unit: e.unpaired_surrogate(),
                    index,
                    offset: bytes.len(),
                    count: 0,
                });
                index += 1;
                char::REPLACEMENT_CHARACTER
            }
        };
        let mut buffer = [0; 4];
        bytes.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
    }

    (bytes, first.map(|s| LoneSurrogate { count, ..s }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_units_encode_as_utf8() {
        let units: Vec<u16> = "{\"a\":\"é😀\"}".encode_utf16().collect();

        let (bytes, lone) = encode_utf16(units.into_iter());

        assert_eq!(bytes, "{\"a\":\"é😀\"}".as_bytes());
        assert_eq!(lone, None);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_string_round_trips(text in ".*") {
            let (bytes, lone) = encode_utf16(text.encode_utf16());

            proptest::prop_assert_eq!(bytes, text.as_bytes());
            proptest::prop_assert_eq!(lone, None);
        }

        #[test]
        fn any_units_give_the_lossy_utf8_and_find_the_first_lone_surrogate(
            units in proptest::collection::vec(proptest::prelude::any::<u16>(), 0..64),
        ) {
            let (bytes, lone) = encode_utf16(units.iter().copied());

            let lossy = String::from_utf16_lossy(&units);
            proptest::prop_assert_eq!(&bytes, lossy.as_bytes());
            proptest::prop_assert_eq!(lone.is_some(), String::from_utf16(&units).is_err());
            if let Some(lone) = lone {
                proptest::prop_assert_eq!(units[lone.index], lone.unit);
                proptest::prop_assert!(String::from_utf16(&units[..lone.index]).is_ok());
                proptest::prop_assert_eq!(&bytes[lone.offset..lone.offset + 3], "\u{FFFD}".as_bytes());
            }
        }
    }

    #[test]
    fn lone_surrogates_are_replaced_and_placed() {
        let mut units: Vec<u16> = "😀\"".encode_utf16().collect();
        units.push(0xDC00);
        units.extend("x".encode_utf16());
        units.push(0xD800);

        let (bytes, lone) = encode_utf16(units.into_iter());

        assert_eq!(bytes, "😀\"\u{FFFD}x\u{FFFD}".as_bytes());
        let expected = LoneSurrogate {
            unit: 0xDC00,
            index: 3,
            offset: 5,
            count: 2,
        };
        assert_eq!(lone, Some(expected));
        assert_eq!(
            expected.to_string(),
            "the string has a lone surrogate U+DC00 at index 3, which has no UTF-8 form \
             (2 lone surrogates in all)"
        );
    }
}
