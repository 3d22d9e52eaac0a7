//! A user name and password, as HTTP Basic authentication carries them
//! (RFC 7617): `Authorization: Basic base64(user ":" password)`.
//!
//! Rules: the user name is not empty and has no `:` (the first colon
//! separates the two parts, RFC 7617 §2) and no control character; the
//! password is not empty and has no control character (an htpasswd line
//! and `htpasswd -i`, which reads one line, could not hold a line break).
//! Both are compared as UTF-8 bytes.
//!
//! The password never appears in `Debug` output.
//!
//! ```
//! use polyarch_demo::credentials::Credentials;
//!
//! let credentials = Credentials::new("polyarch", "demo").unwrap();
//! assert_eq!(credentials.basic_header(), "Basic cG9seWFyY2g6ZGVtbw==");
//! assert!(credentials.matches_basic_header("Basic cG9seWFyY2g6ZGVtbw=="));
//! assert!(!format!("{credentials:?}").contains("demo\""));
//! ```

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

/// Why a user name or password is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CredentialsError {
    /// The user name is empty.
    #[error("the user name is empty")]
    EmptyUser,
    /// The user name has a colon.
    #[error("the user name has a ':', which Basic authentication cannot carry")]
    ColonInUser,
    /// The user name has a control character.
    #[error("the user name has a control character")]
    ControlInUser,
    /// The password is empty.
    #[error("the password is empty")]
    EmptyPassword,
    /// The password has a control character.
    #[error("the password has a control character (a line break, a tab or the like)")]
    ControlInPassword,
}

/// A user name and password that satisfy the module's rules.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// Checks and keeps `user` and `password`.
    ///
    /// # Errors
    ///
    /// A [`CredentialsError`] naming the first rule broken.
    pub fn new(user: &str, password: &str) -> Result<Credentials, CredentialsError> {
        if user.is_empty() {
            return Err(CredentialsError::EmptyUser);
        }
        if user.contains(':') {
            return Err(CredentialsError::ColonInUser);
        }
        if user.chars().any(char::is_control) {
            return Err(CredentialsError::ControlInUser);
        }
        if password.is_empty() {
            return Err(CredentialsError::EmptyPassword);
        }
        if password.chars().any(char::is_control) {
            return Err(CredentialsError::ControlInPassword);
        }
        Ok(Credentials {
            user: user.to_owned(),
            password: password.to_owned(),
        })
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The `Authorization` header value.
    pub fn basic_header(&self) -> String {
        let pair = format!("{}:{}", self.user, self.password);
        format!("Basic {}", STANDARD.encode(pair))
    }

    /// Whether an `Authorization` header value carries these credentials.
    /// The scheme is matched without regard to case; the comparison of the
    /// decoded pair takes the same time wherever the first difference is.
    pub fn matches_basic_header(&self, header: &str) -> bool {
        let Some((scheme, encoded)) = header.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let expected = format!("{}:{}", self.user, self.password);
        same_bytes(&decoded, expected.as_bytes())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Equality that reads every byte of equal-length inputs.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refused_user_names_and_passwords() {
        let cases = [
            ("", "p", CredentialsError::EmptyUser),
            ("a:b", "p", CredentialsError::ColonInUser),
            ("a\nb", "p", CredentialsError::ControlInUser),
            ("a", "", CredentialsError::EmptyPassword),
            ("a", "p\n", CredentialsError::ControlInPassword),
            ("a", "p\tq", CredentialsError::ControlInPassword),
        ];
        for (user, password, expected) in cases {
            assert_eq!(
                Credentials::new(user, password),
                Err(expected),
                "{user:?} {password:?}"
            );
        }
    }

    #[test]
    fn accepted_pairs_keep_colons_and_spaces_in_the_password() {
        let credentials = Credentials::new("polyarch", "a: b:c").unwrap();

        let header = credentials.basic_header();

        assert_eq!(credentials.password(), "a: b:c");
        assert!(credentials.matches_basic_header(&header));
    }

    #[test]
    fn headers_that_must_not_match() {
        let credentials = Credentials::new("polyarch", "demo").unwrap();
        let right = STANDARD.encode("polyarch:demo");
        let must_match = [
            format!("Basic {right}"),
            format!("basic {right}"),
            format!("BASIC  {right} "),
        ];
        let must_not_match = [
            String::new(),
            "Basic".to_owned(),
            format!("Bearer {right}"),
            format!("Basic {}", STANDARD.encode("polyarch:demo2")),
            format!("Basic {}", STANDARD.encode("polyarch:dem")),
            format!("Basic {}", STANDARD.encode("Polyarch:demo")),
            "Basic not-base64!".to_owned(),
        ];

        for header in must_match {
            assert!(credentials.matches_basic_header(&header), "{header:?}");
        }
        for header in must_not_match {
            assert!(!credentials.matches_basic_header(&header), "{header:?}");
        }
    }

    #[test]
    fn debug_leaves_the_password_out() {
        let credentials = Credentials::new("polyarch", "s3cret").unwrap();

        let shown = format!("{credentials:?}");

        assert!(shown.contains("polyarch"));
        assert!(!shown.contains("s3cret"));
    }

    proptest! {
        #[test]
        fn basic_header_round_trips(user in "[^:\\p{Cc}]{1,20}", password in "[^\\p{Cc}]{1,20}") {
            let credentials = Credentials::new(&user, &password).unwrap();

            let header = credentials.basic_header();

            prop_assert!(credentials.matches_basic_header(&header));
        }

        #[test]
        fn matching_never_panics(header in "\\PC{0,80}") {
            let credentials = Credentials::new("polyarch", "demo").unwrap();

            let matched = credentials.matches_basic_header(&header);

            prop_assert!(!matched || header.to_ascii_lowercase().contains("basic"));
        }
    }
}
