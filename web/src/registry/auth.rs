//! Credentials, and what to do when a registry answers `401`.
//!
//! A registry asks for credentials with `WWW-Authenticate` (RFC 7235).
//! polyarch answers the two schemes registries use:
//!
//! | challenge | credential given | next |
//! |---|---|---|
//! | `Bearer realm=…,service=…,scope=…` | none | anonymous token from the realm |
//! | `Bearer …` | username and password | token from the realm, with `Authorization: Basic` |
//! | `Bearer …` | token | the token itself as `Authorization: Bearer` |
//! | `Basic realm=…` | username and password | `Authorization: Basic` |
//! | `Basic …` | none, or a token | stop: the registry wants a username and password |
//!
//! The realm the page sees is the proxy's (`<proxy>/r/<registry>/token`),
//! which relays to the realm the registry named; the scopes asked for are
//! those of the challenge, so a mount from another repository gets the pull
//! scope on that one too. A second `401` for the same request stops: the
//! credentials are wrong or lack the right.
//!
//! Credentials are kept in memory for the tab. They never go into the URL,
//! the page's saved state or any log; the page keeps them in the tab's
//! session storage only when the user asks it to.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use polyarch_core::registry::challenge;
use polyarch_core::registry::token::BearerChallenge;

/// What the user gave to sign in to a registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A username and a password (or a personal access token used as one).
    Password {
        /// The username.
        username: String,
        /// The password.
        password: String,
    },
    /// A bearer token, sent as it is.
    Token(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"<hidden>")
                .finish(),
            Credential::Token(_) => f.write_str("Token(<hidden>)"),
        }
    }
}

impl Credential {
    /// The credential from the form's fields; `None` when they are empty.
    pub fn from_fields(username: &str, password: &str, token: &str) -> Option<Credential> {
        if !token.trim().is_empty() {
            Some(Credential::Token(token.trim().to_owned()))
        } else if !username.is_empty() || !password.is_empty() {
            Some(Credential::Password {
                username: username.to_owned(),
                password: password.to_owned(),
            })
        } else {
            None
        }
    }

    /// `Basic <base64(user:password)>`, for a password credential.
    pub fn basic(&self) -> Option<String> {
        match self {
            Credential::Password { username, password } => Some(format!(
                "Basic {}",
                STANDARD.encode(format!("{username}:{password}"))
            )),
            Credential::Token(_) => None,
        }
    }
}

/// Why a `401` cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthProblem {
    /// The registry sent `401` with no usable `WWW-Authenticate`.
    NoChallenge,
    /// The header could not be read.
    BadChallenge {
        /// The parser's words.
        reason: String,
    },
    /// Only schemes polyarch does not speak were offered.
    Unsupported {
        /// The schemes offered.
        schemes: Vec<String>,
    },
    /// Basic auth needs a username and password, and none were given.
    NeedsPassword,
    /// The credentials were tried and refused.
    Refused,
    /// The token server refused or answered something unreadable.
    Token {
        /// What went wrong.
        reason: String,
    },
}

impl fmt::Display for AuthProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthProblem::NoChallenge => {
                f.write_str("the registry asks for authentication but says not how")
            }
            AuthProblem::BadChallenge { reason } => {
                write!(
                    f,
                    "the registry's WWW-Authenticate cannot be read: {reason}"
                )
            }
            AuthProblem::Unsupported { schemes } => write!(
                f,
                "the registry offers only {}, which polyarch does not speak",
                schemes.join(", ")
            ),
            AuthProblem::NeedsPassword => f.write_str(
                "the registry wants a username and password (Basic); give them under Sign in",
            ),
            AuthProblem::Refused => f.write_str(
                "the registry refused the credentials: check them, and that they may do this",
            ),
            AuthProblem::Token { reason } => write!(f, "no token: {reason}"),
        }
    }
}

/// What to do after a `401`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// `GET` this token URL (with this `Authorization`, when given), then
    /// send the request again with the token.
    FetchToken {
        /// The token URL, as the challenge's realm and scopes give it.
        url: String,
        /// `Basic …` for the token server, when the user gave a password.
        authorization: Option<String>,
    },
    /// Send the request again with this `Authorization`.
    Retry {
        /// The header's value.
        authorization: String,
    },
    /// Stop.
    GiveUp(AuthProblem),
}

/// Decides what to do with a `401` carrying `www_authenticate`, given the
/// user's credential and whether credentials were already sent with this
/// request.
pub fn on_unauthorized(
    www_authenticate: Option<&str>,
    credential: Option<&Credential>,
    already_tried: bool,
) -> Next {
    if already_tried {
        return Next::GiveUp(AuthProblem::Refused);
    }
    let Some(header) = www_authenticate.filter(|h| !h.trim().is_empty()) else {
        return Next::GiveUp(AuthProblem::NoChallenge);
    };
    let challenges = match challenge::parse(header) {
        Ok(challenges) => challenges,
        Err(error) => {
            return Next::GiveUp(AuthProblem::BadChallenge {
                reason: error.to_string(),
            });
        }
    };

    if let Ok(bearer) = BearerChallenge::from_challenges(&challenges) {
        return match credential {
            Some(Credential::Token(token)) => Next::Retry {
                authorization: format!("Bearer {token}"),
            },
            other => Next::FetchToken {
                url: bearer.token_url(&[]),
                authorization: other.and_then(Credential::basic),
            },
        };
    }
    if challenges.iter().any(|c| c.scheme == "basic") {
        return match credential.and_then(Credential::basic) {
            Some(authorization) => Next::Retry { authorization },
            None => Next::GiveUp(AuthProblem::NeedsPassword),
        };
    }
    Next::GiveUp(AuthProblem::Unsupported {
        schemes: challenges.into_iter().map(|c| c.scheme).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEARER: &str = r#"Bearer realm="http://127.0.0.1:8080/r/reg/token",service="reg",scope="repository:demo/app:pull""#;

    fn password() -> Credential {
        Credential::Password {
            username: "ann".into(),
            password: "pa:ss".into(),
        }
    }

    #[test]
    fn bearer_challenges_lead_to_the_token_realm() {
        let anonymous = on_unauthorized(Some(BEARER), None, false);
        let signed_in = on_unauthorized(Some(BEARER), Some(&password()), false);

        let url =
            "http://127.0.0.1:8080/r/reg/token?service=reg&scope=repository%3Ademo%2Fapp%3Apull";
        assert_eq!(
            anonymous,
            Next::FetchToken {
                url: url.into(),
                authorization: None
            }
        );
        assert_eq!(
            signed_in,
            Next::FetchToken {
                url: url.into(),
                authorization: Some("Basic YW5uOnBhOnNz".into()),
            }
        );
    }

    #[test]
    fn a_given_token_is_sent_as_it_is() {
        let next = on_unauthorized(Some(BEARER), Some(&Credential::Token("t0k".into())), false);

        assert_eq!(
            next,
            Next::Retry {
                authorization: "Bearer t0k".into()
            }
        );
    }

    #[test]
    fn basic_challenges_need_a_password() {
        let basic = r#"Basic realm="Registry Realm""#;
        let table = [
            (None, Next::GiveUp(AuthProblem::NeedsPassword)),
            (
                Some(Credential::Token("t".into())),
                Next::GiveUp(AuthProblem::NeedsPassword),
            ),
            (
                Some(password()),
                Next::Retry {
                    authorization: "Basic YW5uOnBhOnNz".into(),
                },
            ),
        ];
        for (credential, want) in table {
            assert_eq!(
                on_unauthorized(Some(basic), credential.as_ref(), false),
                want
            );
        }
    }

    #[test]
    fn what_cannot_be_answered_says_why() {
        let table = [
            (None, false, AuthProblem::NoChallenge),
            (Some(""), false, AuthProblem::NoChallenge),
            (Some(BEARER), true, AuthProblem::Refused),
            (
                Some("Negotiate"),
                false,
                AuthProblem::Unsupported {
                    schemes: vec!["negotiate".into()],
                },
            ),
        ];
        for (header, tried, want) in table {
            assert_eq!(
                on_unauthorized(header, Some(&password()), tried),
                Next::GiveUp(want)
            );
        }
        assert!(matches!(
            on_unauthorized(Some("Bearer realm=\"unterminated"), None, false),
            Next::GiveUp(AuthProblem::BadChallenge { .. })
        ));
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let text = format!("{:?} {:?}", password(), Credential::Token("t0k".into()));

        assert!(!text.contains("pa:ss") && !text.contains("t0k"), "{text}");
        assert!(text.contains("ann"));
    }

    #[test]
    fn empty_fields_give_no_credential() {
        assert_eq!(Credential::from_fields("", "", " "), None);
        assert_eq!(
            Credential::from_fields("a", "", ""),
            Some(Credential::Password {
                username: "a".into(),
                password: String::new()
            })
        );
        assert_eq!(
            Credential::from_fields("a", "b", "tok"),
            Some(Credential::Token("tok".into()))
        );
    }
}
