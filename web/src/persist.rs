//! What survives a reload, and what a shared link carries.
//!
//! - The URL's fragment holds the fields: `p` (platform), `v` (OS
//!   version), `strict=1`, `ct` (Content-Type), `dg` (expected digest) and,
//!   for a text of at most [`DOC_IN_URL_MAX`] bytes, `doc` (the text
//!   itself), each percent-encoded (RFC 3986, fragment). A fragment never
//!   reaches a server. It is replaced in place as the user types, so the
//!   back button is not filled with every keystroke.
//! - The browser's local storage holds the document, so that a larger text
//!   or a file survives a reload too: text as written, a file as its name
//!   and its bytes in base64. A document too big for the storage quota is
//!   not kept, and the page says so.
//! - On load, a document in the fragment wins over the stored one: it is
//!   what a shared link is for.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::state::{AppState, PlatformQuery, Source};

/// The largest text that is put in the URL, in bytes.
pub const DOC_IN_URL_MAX: usize = 2048;

const KEY_TEXT: &str = "polyarch.text";
const KEY_FILE_NAME: &str = "polyarch.file.name";
const KEY_FILE_BYTES: &str = "polyarch.file.bytes";

/// What the fragment says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fragment {
    /// The platform question.
    pub query: PlatformQuery,
    /// The Content-Type field.
    pub content_type: String,
    /// The expected digest field.
    pub expected_digest: String,
    /// A short text document.
    pub doc: Option<String>,
}

impl Fragment {
    /// The fragment of `state`, without the `#`.
    pub fn of(state: &AppState) -> Fragment {
        let doc = match &state.source {
            Source::Text(text) if text.len() <= DOC_IN_URL_MAX => Some(text.to_string()),
            _ => None,
        };
        Fragment {
            query: state.query.clone(),
            content_type: state.content_type.clone(),
            expected_digest: state.expected_digest.clone(),
            doc,
        }
    }

    /// `p=linux%2Farm64&strict=1`: empty fields are left out.
    pub fn encode(&self) -> String {
        let mut parts = Vec::new();
        let mut field = |key: &str, value: &str| {
            if !value.is_empty() {
                parts.push(format!("{key}={}", percent_encode(value)));
            }
        };
        field("p", &self.query.platform);
        field("v", &self.query.os_version);
        field("strict", if self.query.strict { "1" } else { "" });
        field("ct", &self.content_type);
        field("dg", &self.expected_digest);
        field("doc", self.doc.as_deref().unwrap_or(""));
        parts.join("&")
    }

    /// Reads a fragment, with or without its `#`; unknown keys are ignored.
    pub fn decode(fragment: &str) -> Fragment {
        let mut out = Fragment::default();
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        for pair in fragment.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match key {
                "p" => out.query.platform = value,
                "v" => out.query.os_version = value,
                "strict" => out.query.strict = value == "1",
                "ct" => out.content_type = value,
                "dg" => out.expected_digest = value,
                "doc" => out.doc = Some(value),
                _ => {}
            }
        }
        out
    }
}

/// Percent-encodes every byte but `A-Z a-z 0-9 - . _ ~ / : @`.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX`; a `%` not followed by two hex digits is kept as written,
/// and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The stored document, as the storage holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Nothing is stored.
    Nothing,
    /// A text.
    Text(String),
    /// A file's name and bytes.
    File(String, Vec<u8>),
}

/// What to store for `source`: key and value pairs, and the keys to remove.
pub fn storage_entries(source: &Source) -> (Vec<(&'static str, String)>, Vec<&'static str>) {
    match source {
        Source::Empty => (Vec::new(), vec![KEY_TEXT, KEY_FILE_NAME, KEY_FILE_BYTES]),
        Source::Text(text) => (
            vec![(KEY_TEXT, text.to_string())],
            vec![KEY_FILE_NAME, KEY_FILE_BYTES],
        ),
        Source::File { name, bytes } => (
            vec![
                (KEY_FILE_NAME, name.clone()),
                (KEY_FILE_BYTES, STANDARD.encode(bytes)),
            ],
            vec![KEY_TEXT],
        ),
    }
}

/// Reads back what [`storage_entries`] wrote; `get` reads one key.
pub fn read_stored(get: impl Fn(&str) -> Option<String>) -> Stored {
    if let (Some(name), Some(encoded)) = (get(KEY_FILE_NAME), get(KEY_FILE_BYTES))
        && let Ok(bytes) = STANDARD.decode(encoded)
    {
        return Stored::File(name, bytes);
    }
    match get(KEY_TEXT) {
        Some(text) if !text.is_empty() => Stored::Text(text),
        _ => Stored::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::rc::Rc;

    use super::*;

    #[test]
    fn fragments_round_trip() {
        let table = [
            Fragment::default(),
            Fragment {
                query: PlatformQuery {
                    platform: "linux/arm/v6".into(),
                    os_version: "10.0.17763.1697".into(),
                    strict: true,
                },
                content_type: "application/vnd.oci.image.index.v1+json; charset=utf-8".into(),
                expected_digest: "sha256:abc".into(),
                doc: Some("{\"a\": \"&=#%é\"}\n".into()),
            },
        ];

        for fragment in table {
            let encoded = fragment.encode();

            assert!(
                !encoded.contains('#') && !encoded.contains(' '),
                "{encoded}"
            );
            assert_eq!(Fragment::decode(&format!("#{encoded}")), fragment);
        }
    }

    #[test]
    fn decoding_is_lenient() {
        let table: &[(&str, &str)] = &[
            ("a%", "a%"),
            ("%zz", "%zz"),
            ("%e9", "\u{fffd}"),
            ("%C3%A9", "é"),
            ("+", "+"),
        ];

        for (encoded, expected) in table {
            assert_eq!(percent_decode(encoded), *expected, "{encoded}");
        }
        assert_eq!(Fragment::decode("#zz&p&=x"), Fragment::default());
    }

    #[test]
    fn long_texts_and_files_stay_out_of_the_url() {
        let long = "x".repeat(DOC_IN_URL_MAX + 1);
        let file = Source::File {
            name: "a.json".into(),
            bytes: Rc::from(&b"{}"[..]),
        };
        let table = [
            (Source::Text(Rc::from("{}")), Some("{}".to_owned())),
            (Source::Text(Rc::from(long.as_str())), None),
            (file, None),
        ];

        for (source, expected) in table {
            let state = AppState {
                source,
                ..AppState::default()
            };
            assert_eq!(Fragment::of(&state).doc, expected);
        }
    }

    #[test]
    fn stored_documents_read_back() {
        let table = [
            (Source::Empty, Stored::Nothing),
            (Source::Text(Rc::from("{}")), Stored::Text("{}".into())),
            (
                Source::File {
                    name: "a.json".into(),
                    bytes: Rc::from(&b"{\r\n}\xff"[..]),
                },
                Stored::File("a.json".into(), b"{\r\n}\xff".to_vec()),
            ),
        ];

        for (source, expected) in table {
            let mut storage: HashMap<&str, String> = HashMap::new();
            let (set, remove) = storage_entries(&source);
            for key in remove {
                storage.remove(key);
            }
            storage.extend(set);

            assert_eq!(read_stored(|k| storage.get(k).cloned()), expected);
        }
    }
}
