//! What a token grants: the scopes a client asked for, cut down to what the
//! caller may do.
//!
//! # Scopes
//!
//! A token request names scopes as `scope` query parameters (Docker
//! registry token authentication spec, "Requesting a Token"; the grammar is
//! in its "Token Scope Documentation"):
//!
//! ```text
//! scope    = type ":" name ":" actions
//! actions  = action *( "," action )
//! ```
//!
//! The type runs to the first colon and the actions start after the last
//! one, so a name may itself hold colons. One parameter may hold several
//! scopes separated by spaces, as some clients send them. A scope without
//! two colons, or with an empty type or name, is not read ([`ScopeError`]).
//!
//! # Rules
//!
//! | caller | `repository:<name>:…` | `registry:catalog:*` | anything else |
//! |---|---|---|---|
//! | [`Caller::User`] (right Basic credentials) | `pull`, `push`, `delete` and `*` as asked | granted | dropped |
//! | [`Caller::Anonymous`] (no credentials) | `pull` only | dropped | dropped |
//!
//! Actions are kept in the order asked, once each; a scope left with no
//! action is dropped. A token is issued even when nothing is granted: the
//! registry then refuses the request with `401`/`403`, as distribution's
//! own token servers behave. Anonymous pulls are allowed so that the page
//! can fetch from the demo registry before anyone logs in, as it does from
//! public registries.
//!
//! ```
//! use polyarch_demo::grant::{Caller, grant, parse_scopes};
//!
//! let asked = parse_scopes("repository:demo/app:pull,push registry:catalog:*");
//! let anonymous = grant(&asked, Caller::Anonymous);
//! assert_eq!(anonymous.len(), 1);
//! assert_eq!(anonymous[0].to_string(), "repository:demo/app:pull");
//! assert_eq!(grant(&asked, Caller::User).len(), 2);
//! ```

use polyarch_core::registry::token::Scope;
use serde::Serialize;
use thiserror::Error;

/// Who asks for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// No credentials were sent.
    Anonymous,
    /// The right credentials were sent.
    User,
}

/// Why a scope was not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScopeError {
    /// Fewer than two colons.
    #[error("a scope is type:name:actions, got {scope:?}")]
    Malformed {
        /// The scope as written.
        scope: String,
    },
    /// The type or the name is empty.
    #[error("a scope's type and name must not be empty, got {scope:?}")]
    EmptyPart {
        /// The scope as written.
        scope: String,
    },
}

/// One scope, `type:name:actions`.
///
/// # Errors
///
/// A [`ScopeError`] when it does not follow the grammar.
pub fn parse_scope(text: &str) -> Result<Scope, ScopeError> {
    let malformed = || ScopeError::Malformed {
        scope: text.to_owned(),
    };
    let (resource_type, rest) = text.split_once(':').ok_or_else(malformed)?;
    let (name, actions) = rest.rsplit_once(':').ok_or_else(malformed)?;
    if resource_type.is_empty() || name.is_empty() {
        return Err(ScopeError::EmptyPart {
            scope: text.to_owned(),
        });
    }

    let actions = actions
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Scope {
        resource_type: resource_type.to_owned(),
        name: name.to_owned(),
        actions,
    })
}

/// Every scope in a space-separated list that follows the grammar; the
/// others are left out.
pub fn parse_scopes(text: &str) -> Vec<Scope> {
    text.split(' ')
        .filter(|s| !s.is_empty())
        .filter_map(|s| parse_scope(s).ok())
        .collect()
}

/// What `caller` is granted of `asked`, by the module's rules.
pub fn grant(asked: &[Scope], caller: Caller) -> Vec<Scope> {
    asked
        .iter()
        .filter_map(|scope| {
            let allowed: &[&str] = match (scope.resource_type.as_str(), caller) {
                ("repository", Caller::User) => &["pull", "push", "delete", "*"],
                ("repository", Caller::Anonymous) => &["pull"],
                ("registry", Caller::User) if scope.name == "catalog" => &["*"],
                _ => &[],
            };

            let mut actions: Vec<String> = Vec::new();
            for action in &scope.actions {
                if allowed.contains(&action.as_str()) && !actions.contains(action) {
                    actions.push(action.clone());
                }
            }
            (!actions.is_empty()).then(|| Scope {
                resource_type: scope.resource_type.clone(),
                name: scope.name.clone(),
                actions,
            })
        })
        .collect()
}

/// One entry of a token's `access` claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access<'a> {
    /// The resource type.
    #[serde(rename = "type")]
    pub resource_type: &'a str,
    /// The resource name.
    pub name: &'a str,
    /// The granted actions.
    pub actions: &'a [String],
}

impl<'a> From<&'a Scope> for Access<'a> {
    fn from(scope: &'a Scope) -> Self {
        Access {
            resource_type: &scope.resource_type,
            name: &scope.name,
            actions: &scope.actions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scopes_that_parse() {
        let cases = [
            ("repository:demo/app:pull", "repository", "demo/app", "pull"),
            (
                "repository:demo/app:pull,push",
                "repository",
                "demo/app",
                "pull,push",
            ),
            (
                "repository:127.0.0.1:5000/app:pull",
                "repository",
                "127.0.0.1:5000/app",
                "pull",
            ),
            ("registry:catalog:*", "registry", "catalog", "*"),
            ("repository:app:", "repository", "app", ""),
            (
                "repository:app:pull,,push",
                "repository",
                "app",
                "pull,push",
            ),
        ];
        for (text, resource_type, name, actions) in cases {
            let scope = parse_scope(text).unwrap();

            assert_eq!(scope.resource_type, resource_type, "{text}");
            assert_eq!(scope.name, name, "{text}");
            assert_eq!(scope.actions.join(","), actions, "{text}");
        }
    }

    #[test]
    fn scopes_that_do_not_parse() {
        let malformed = ["", "repository", "repository:app", "pull"];
        let empty = [":app:pull", "repository::pull"];

        for text in malformed {
            assert!(
                matches!(parse_scope(text), Err(ScopeError::Malformed { .. })),
                "{text:?}"
            );
        }
        for text in empty {
            assert!(
                matches!(parse_scope(text), Err(ScopeError::EmptyPart { .. })),
                "{text:?}"
            );
        }
    }

    #[test]
    fn several_scopes_in_one_parameter() {
        let scopes = parse_scopes(" repository:a:pull  bad repository:b:push ");

        let names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();

        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn what_each_caller_is_granted() {
        let cases = [
            (
                "repository:demo/app:pull,push",
                Caller::User,
                "repository:demo/app:pull,push",
            ),
            (
                "repository:demo/app:pull,push",
                Caller::Anonymous,
                "repository:demo/app:pull",
            ),
            ("repository:demo/app:push", Caller::Anonymous, ""),
            (
                "repository:demo/app:delete,*,pull,pull",
                Caller::User,
                "repository:demo/app:delete,*,pull",
            ),
            ("registry:catalog:*", Caller::User, "registry:catalog:*"),
            ("registry:catalog:*", Caller::Anonymous, ""),
            ("registry:other:*", Caller::User, ""),
            ("repository(plugin):demo/app:pull", Caller::User, ""),
            ("repository:demo/app:own", Caller::User, ""),
        ];
        for (asked, caller, expected) in cases {
            let asked_scopes = parse_scopes(asked);

            let granted = grant(&asked_scopes, caller);

            let shown: Vec<String> = granted.iter().map(ToString::to_string).collect();
            assert_eq!(shown.join(" "), expected, "{asked} as {caller:?}");
        }
    }

    #[test]
    fn access_claims_serialise_with_type() {
        let scope = parse_scope("repository:demo/app:pull").unwrap();

        let json = serde_json::to_string(&Access::from(&scope)).unwrap();

        assert_eq!(
            json,
            r#"{"type":"repository","name":"demo/app","actions":["pull"]}"#
        );
    }

    proptest! {
        #[test]
        fn parsing_and_granting_never_panic(text in "\\PC{0,60}") {
            let scopes = parse_scopes(&text);

            let granted = grant(&scopes, Caller::User);

            prop_assert!(granted.len() <= scopes.len());
            for scope in &granted {
                prop_assert!(!scope.actions.is_empty());
            }
        }

        #[test]
        fn display_round_trips(name in "[a-z0-9/:._-]{1,30}", pull in any::<bool>()) {
            let actions = if pull { "pull" } else { "pull,push" };
            let text = format!("repository:{name}:{actions}");

            let scope = parse_scope(&text).unwrap();

            prop_assert_eq!(scope.to_string(), text);
        }
    }
}
