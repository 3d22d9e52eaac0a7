//! "Remember for this session": credentials the user asked the page to
//! keep, in the tab's `sessionStorage` (gone when the tab closes), never
//! in `localStorage`, the URL or the saved document.
//!
//! The stored form is a JSON object from registry to credential; what
//! cannot be read is ignored, so a damaged entry never stops the page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::auth::Credential;

/// The `sessionStorage` key.
pub const KEY: &str = "polyarch.credentials";

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Stored {
    Password { username: String, password: String },
    Token { token: String },
}

/// The stored text for `credentials`.
pub fn encode(credentials: &BTreeMap<String, Credential>) -> String {
    let stored: BTreeMap<&String, Stored> = credentials
        .iter()
        .map(|(registry, credential)| {
            let stored = match credential {
                Credential::Password { username, password } => Stored::Password {
                    username: username.clone(),
                    password: password.clone(),
                },
                Credential::Token(token) => Stored::Token {
                    token: token.clone(),
                },
            };
            (registry, stored)
        })
        .collect();
    serde_json::to_string(&stored).unwrap_or_default()
}

/// The credentials in a stored text; empty when it cannot be read.
pub fn decode(text: &str) -> BTreeMap<String, Credential> {
    let stored: BTreeMap<String, Stored> = serde_json::from_str(text).unwrap_or_default();
    stored
        .into_iter()
        .map(|(registry, stored)| {
            let credential = match stored {
                Stored::Password { username, password } => {
                    Credential::Password { username, password }
                }
                Stored::Token { token } => Credential::Token(token),
            };
            (registry, credential)
        })
        .collect()
}

/// Reads the remembered credentials of this tab.
pub fn load() -> BTreeMap<String, Credential> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|text| decode(&text))
        .unwrap_or_default()
}

/// Remembers `credentials` for this tab, or forgets them all when empty.
pub fn save(credentials: &BTreeMap<String, Credential>) {
    let Some(storage) = storage() else {
        return;
    };
    if credentials.is_empty() {
        let _ = storage.remove_item(KEY);
    } else {
        let _ = storage.set_item(KEY, &encode(credentials));
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_round_trip() {
        let mut credentials = BTreeMap::new();
        credentials.insert(
            "127.0.0.1:5000".to_owned(),
            Credential::Password {
                username: "ann".into(),
                password: "p\"w".into(),
            },
        );
        credentials.insert("ghcr.io".to_owned(), Credential::Token("t".into()));

        let back = decode(&encode(&credentials));

        assert_eq!(back, credentials);
    }

    #[test]
    fn damaged_text_gives_nothing() {
        for text in ["", "{", "[]", r#"{"r":{"kind":"other"}}"#] {
            assert!(decode(text).is_empty(), "{text}");
        }
    }
}
