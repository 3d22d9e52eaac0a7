//! The answer to "which entry is pulled?": core's one platform matcher
//! (containerd's rules, as Docker Engine and Kubernetes apply them) run on
//! the rows of the current report, put in the words the page shows.
//!
//! An empty platform field asks nothing. A platform that does not parse is
//! answered with the parser's message. The OS version field, when filled,
//! is the host's `os.version` (it overrides one written in parentheses).

use polyarch_core::descriptor::Entry;
use polyarch_core::platform::parse;
use polyarch_core::select::{SelectOptions, select};

use crate::state::PlatformQuery;

/// What the page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The platform field is empty.
    Unasked,
    /// The platform field does not parse.
    Invalid(String),
    /// A row is pulled.
    Pulled {
        /// Its row number.
        row: usize,
        /// Its platform as written.
        platform: String,
        /// `exact match`, or the fallback step.
        reason: String,
        /// Whether it is a nested index, to select from again.
        nested: bool,
        /// Ties and other facts.
        notes: Vec<String>,
        /// Rows without a platform, which a client judges by their config.
        unresolved: Vec<usize>,
    },
    /// No row matches.
    NoMatch {
        /// Why.
        reason: String,
        /// Facts worth showing.
        notes: Vec<String>,
        /// Rows without a platform.
        unresolved: Vec<usize>,
    },
}

/// Answers `query` for the rows of an index.
pub fn answer(entries: &[Entry], query: &PlatformQuery) -> Answer {
    let typed = query.platform.trim();
    if typed.is_empty() {
        return Answer::Unasked;
    }
    let mut wanted = match parse(typed) {
        Ok(platform) => platform,
        Err(e) => return Answer::Invalid(e.to_string()),
    };
    let version = query.os_version.trim();
    if !version.is_empty() {
        wanted.os_version = Some(version.to_owned());
    }

    let options = SelectOptions {
        strict: query.strict,
        depth: 0,
    };
    let selection = select(entries, &wanted, &options);
    match selection.chosen.and_then(|i| entries.get(i)) {
        Some(entry) => Answer::Pulled {
            row: entry.index,
            platform: entry.descriptor.platform_string.clone().unwrap_or_default(),
            reason: selection.reason.to_string(),
            nested: selection.nested_index,
            notes: selection.notes,
            unresolved: selection.unresolved,
        },
        None => Answer::NoMatch {
            reason: selection.reason.to_string(),
            notes: selection.notes,
            unresolved: selection.unresolved,
        },
    }
}

/// The row that [`answer`] picked, to highlight.
pub fn pulled_row(answer: &Answer) -> Option<usize> {
    match answer {
        Answer::Pulled { row, .. } => Some(*row),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use polyarch_core::inspect::{InspectOptions, inspect};

    use super::*;
    use crate::examples::EXAMPLES;

    fn query(platform: &str, os_version: &str, strict: bool) -> PlatformQuery {
        PlatformQuery {
            platform: platform.into(),
            os_version: os_version.into(),
            strict,
        }
    }

    #[test]
    fn answers_for_the_docker_list_example() {
        let report = inspect(EXAMPLES[0].text.as_bytes(), &InspectOptions::default());
        let table: &[(PlatformQuery, Option<usize>)] = &[
            (query("linux/arm64", "", false), Some(1)),
            (query("linux/arm64/v8", "", false), Some(1)),
            (query("windows/amd64", "10.0.17763.1697", false), Some(2)),
            (query("linux/s390x", "", false), None),
            (query("linux/386", "", false), None),
            (query("linux/arm/v7", "", true), None),
        ];

        for (q, expected) in table {
            assert_eq!(pulled_row(&answer(&report.entries, q)), *expected, "{q:?}");
        }
    }

    #[test]
    fn unasked_and_invalid_questions() {
        let report = inspect(EXAMPLES[0].text.as_bytes(), &InspectOptions::default());

        assert_eq!(
            answer(&report.entries, &query(" ", "", false)),
            Answer::Unasked
        );
        let invalid = answer(&report.entries, &query("arm64", "", false));
        assert!(
            matches!(invalid, Answer::Invalid(ref m) if m.contains("linux/arm64")),
            "{invalid:?}"
        );
    }

    #[test]
    fn attestations_are_never_pulled() {
        let report = inspect(EXAMPLES[1].text.as_bytes(), &InspectOptions::default());

        let answer = answer(&report.entries, &query("linux/amd64", "", false));

        assert!(
            matches!(answer, Answer::Pulled { row: 0, ref reason, .. } if reason == "exact match")
        );
        let unknown = super::answer(&report.entries, &query("unknown/unknown", "", false));
        assert_eq!(pulled_row(&unknown), None);
    }
}
