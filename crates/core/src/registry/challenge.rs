//! `WWW-Authenticate` parsing (RFC 7235 §4.1, with the challenge grammar of
//! §2.1 and the list, token and quoted-string rules of RFC 7230 §7 and
//! §3.2.6):
//!
//! ```text
//! WWW-Authenticate = 1#challenge
//! challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param       = token BWS "=" BWS ( token / quoted-string )
//! token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//! quoted-string    = DQUOTE *( qdtext / "\" any-char ) DQUOTE
//! ```
//!
//! What that means in practice:
//!
//! - one header may hold several challenges (`Basic realm="x", Bearer
//!   realm="y"`); a comma followed by a token and no `=` starts the next;
//! - the scheme is case-insensitive and is returned lower-cased (`bearer`);
//!   parameter names likewise (`Realm` reads as `realm`);
//! - quoted values may hold commas, `=` and `\"`; the backslash escapes are
//!   removed;
//! - spaces and tabs are allowed around `=` and `,`, and empty list
//!   elements (`, ,`) are skipped;
//! - a scheme may carry a `token68` instead of parameters (`Negotiate
//!   YII…==`), kept in [`Challenge::token68`].
//!
//! No parameter is required here: a `Bearer` challenge without `service`
//! (as some registries send) parses; what a bearer flow needs is checked by
//! [`BearerChallenge`](super::token::BearerChallenge).
//!
//! ```
//! use polyarch_core::registry::challenge;
//!
//! let header = r#"BEARER realm = "https://auth.example.com/token", scope="repository:a/b:pull,push""#;
//! let parsed = challenge::parse(header).unwrap();
//! assert_eq!(parsed[0].scheme, "bearer");
//! assert_eq!(parsed[0].param("scope"), Some("repository:a/b:pull,push"));
//! ```

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// One authentication challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    /// The scheme, lower-cased: `bearer`, `basic`, …
    pub scheme: String,
    /// The `token68` written in place of parameters, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token68: Option<String>,
    /// The parameters in the order written; names lower-cased, quoted
    /// values unescaped.
    #[serde(serialize_with = "params_as_object")]
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of parameter `name` (matched case-insensitively); the
    /// first one when a broken header repeats it.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Writes the parameters as one JSON object, the first of a repeated name
/// winning as in [`Challenge::param`].
fn params_as_object<S: Serializer>(
    params: &[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    for (i, (name, value)) in params.iter().enumerate() {
        if params[..i].iter().all(|(earlier, _)| earlier != name) {
            map.serialize_entry(name, value)?;
        }
    }
    map.end()
}

/// Why a header is not a list of challenges. Every `at` is a byte offset in
/// the header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeError {
    /// The header holds no challenge.
    Empty,
    /// A scheme (a token) was expected.
    ExpectedScheme {
        /// Where.
        at: usize,
    },
    /// A parameter or token68 was expected after the scheme and its space.
    ExpectedParameter {
        /// Where.
        at: usize,
    },
    /// A parameter has `=` but no value.
    ExpectedValue {
        /// Where the value should start.
        at: usize,
    },
    /// A quoted string has no closing quote.
    UnterminatedQuote {
        /// Where the opening quote is.
        at: usize,
    },
    /// Something other than `,` follows a complete parameter or challenge.
    ExpectedComma {
        /// Where.
        at: usize,
    },
}

impl fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChallengeError::Empty => f.write_str("the header holds no challenge"),
            ChallengeError::ExpectedScheme { at } => {
                write!(f, "expected an authentication scheme at {at}")
            }
            ChallengeError::ExpectedParameter { at } => {
                write!(f, "expected a name=value parameter or a token68 at {at}")
            }
            ChallengeError::ExpectedValue { at } => {
                write!(f, "expected a token or a quoted string after '=' at {at}")
            }
            ChallengeError::UnterminatedQuote { at } => {
                write!(f, "the quoted string opened at {at} is not closed")
            }
            ChallengeError::ExpectedComma { at } => {
                write!(f, "expected ',' between parameters or challenges at {at}")
            }
        }
    }
}

impl std::error::Error for ChallengeError {}

/// Parses a `WWW-Authenticate` value into its challenges, in order.
pub fn parse(header: &str) -> Result<Vec<Challenge>, ChallengeError> {
    let mut cursor = Cursor {
        text: header.as_bytes(),
        source: header,
        at: 0,
    };
    let mut challenges: Vec<Challenge> = Vec::new();

    loop {
        cursor.skip_list_separators();
        if cursor.at_end() {
            break;
        }

        let scheme_at = cursor.at;
        let scheme = cursor.token();
        if scheme.is_empty() {
            return Err(ChallengeError::ExpectedScheme { at: scheme_at });
        }
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            token68: None,
            params: Vec::new(),
        };

        let spaced = cursor.skip_whitespace();
        if cursor.peek() == Some(b'=') {
            // A parameter whose value is missing, read as a scheme.
            cursor.at += 1;
            cursor.skip_whitespace();
            return Err(ChallengeError::ExpectedValue { at: cursor.at });
        }
        if !cursor.at_end() && cursor.peek() != Some(b',') {
            if !spaced {
                return Err(ChallengeError::ExpectedComma { at: cursor.at });
            }
            if let Some(token68) = cursor.token68() {
                challenge.token68 = Some(token68);
            } else {
                challenge.params.push(cursor.param()?);
                cursor.more_params(&mut challenge.params)?;
            }
        }

        challenges.push(challenge);
        cursor.skip_whitespace();
        match cursor.peek() {
            None | Some(b',') => {}
            Some(_) => return Err(ChallengeError::ExpectedComma { at: cursor.at }),
        }
    }

    if challenges.is_empty() {
        return Err(ChallengeError::Empty);
    }
    Ok(challenges)
}

struct Cursor<'a> {
    text: &'a [u8],
    source: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn at_end(&self) -> bool {
        self.at >= self.text.len()
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    /// Skips spaces and tabs; tells whether there were any.
    fn skip_whitespace(&mut self) -> bool {
        let start = self.at;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
        self.at > start
    }

    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.at += 1;
        }
    }

    /// Reads a (possibly empty) token.
    fn token(&mut self) -> &str {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        &self.source[start..self.at]
    }

    /// Reads a token68 if one stands here, ending the challenge (followed
    /// only by whitespace, then `,` or the end); otherwise moves nothing.
    fn token68(&mut self) -> Option<String> {
        let start = self.at;
        let mut end = start;
        while self.text.get(end).is_some_and(|&b| is_token68_char(b)) {
            end += 1;
        }
        if end == start {
            return None;
        }
        while self.text.get(end) == Some(&b'=') {
            end += 1;
        }

        let mut after = end;
        while matches!(self.text.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        if !matches!(self.text.get(after), None | Some(b',')) {
            return None;
        }
        if self.looks_like_param(start) {
            return None;
        }

        self.at = end;
        Some(self.source[start..end].to_owned())
    }

    /// Whether a `token BWS = BWS value` starts at `start`.
    fn looks_like_param(&self, start: usize) -> bool {
        let mut i = start;
        while self.text.get(i).is_some_and(|&b| is_tchar(b)) {
            i += 1;
        }
        if i == start {
            return false;
        }
        while matches!(self.text.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if self.text.get(i) != Some(&b'=') {
            return false;
        }
        i += 1;
        while matches!(self.text.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        self.text.get(i).is_some_and(|&b| b == b'"' || is_tchar(b))
    }

    /// Reads `name BWS = BWS value`.
    fn param(&mut self) -> Result<(String, String), ChallengeError> {
        let name_at = self.at;
        let name = self.token().to_ascii_lowercase();
        if name.is_empty() {
            return Err(ChallengeError::ExpectedParameter { at: name_at });
        }

        self.skip_whitespace();
        if self.peek() != Some(b'=') {
            return Err(ChallengeError::ExpectedParameter { at: name_at });
        }
        self.at += 1;
        self.skip_whitespace();

        let value = match self.peek() {
            Some(b'"') => self.quoted_string()?,
            _ => {
                let value_at = self.at;
                let value = self.token();
                if value.is_empty() {
                    return Err(ChallengeError::ExpectedValue { at: value_at });
                }
                value.to_owned()
            }
        };
        Ok((name, value))
    }

    /// After a parameter: more `, name=value` until the next challenge's
    /// scheme or the end.
    fn more_params(&mut self, params: &mut Vec<(String, String)>) -> Result<(), ChallengeError> {
        loop {
            let before = self.at;
            self.skip_whitespace();
            if self.peek() != Some(b',') {
                self.at = before;
                return Ok(());
            }
            self.skip_list_separators();
            if self.at_end() || !self.looks_like_param(self.at) {
                self.at = before;
                return Ok(());
            }
            params.push(self.param()?);
        }
    }

    /// Reads a quoted string starting at the opening quote, unescaping it.
    fn quoted_string(&mut self) -> Result<String, ChallengeError> {
        let open = self.at;
        self.at += 1;
        let mut value = String::new();
        let mut run_start = self.at;

        loop {
            match self.peek() {
                None => return Err(ChallengeError::UnterminatedQuote { at: open }),
                Some(b'"') => {
                    value.push_str(&self.source[run_start..self.at]);
                    self.at += 1;
                    return Ok(value);
                }
                Some(b'\\') => {
                    value.push_str(&self.source[run_start..self.at]);
                    self.at += 1;
                    let Some(escaped) = self.source[self.at..].chars().next() else {
                        return Err(ChallengeError::UnterminatedQuote { at: open });
                    };
                    value.push(escaped);
                    self.at += escaped.len_utf8();
                    run_start = self.at;
                }
                Some(_) => self.at += 1,
            }
        }
    }
}

/// RFC 7230 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// RFC 7235 token68 characters, before the trailing `=`s.
fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}
