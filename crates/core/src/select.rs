//! Selection: the row of an index that a host of a given platform pulls.
//!
//! [`select`] ranks every row of an index (or manifest list) with the one
//! platform [`Matcher`] (containerd's rules, as Docker Engine and Kubernetes
//! apply them; see [`crate::platform::matcher`]) and returns the best row
//! with the reason it won: an exact match, or the fallback step it took
//! (`arm/v6 → arm/v5`).
//!
//! # Rules
//!
//! - Only rows that point at an image manifest or an index
//!   ([`Role::Image`], [`Role::Index`]) are candidates. Attestation
//!   manifests, artifacts and other media types are never chosen, nor is a
//!   row whose platform is `unknown/unknown` (BuildKit's mark for
//!   attestations).
//! - A candidate row without `platform` cannot be judged from the index: a
//!   client would have to fetch its manifest and config to learn it. Such
//!   rows are listed in [`Selection::unresolved`] and not chosen.
//! - The best [`Rank`] wins; among rows of equal rank the first in document
//!   order wins, as in containerd, and [`Selection::notes`] says so.
//! - The chosen row may be a nested index ([`Selection::nested_index`]): the
//!   caller fetches it and selects again with [`SelectOptions::depth`] one
//!   higher. At depth [`MAX_INDEX_DEPTH`] selection stops with
//!   [`Reason::TooDeep`], so that an index that contains itself cannot loop.
//! - No match is not an error: [`Selection::chosen`] is `None` and the reason
//!   is [`Reason::NoMatch`].
//!
//! ```
//! use polyarch_core::descriptor::{Descriptor, Entry, Role};
//! use polyarch_core::platform::{parse, Platform};
//! use polyarch_core::select::{select, Reason, SelectOptions};
//!
//! let row = |index, platform: &str| Entry {
//!     index,
//!     descriptor: Descriptor {
//!         platform: Some(parse(platform).unwrap()),
//!         ..Descriptor::default()
//!     },
//!     role: Role::Image,
//!     attests: None,
//! };
//! let rows = [row(0, "linux/arm/v7"), row(1, "linux/arm/v5")];
//!
//! let chosen = select(&rows, &parse("linux/arm/v6").unwrap(), &SelectOptions::default());
//! assert_eq!(chosen.chosen, Some(1));
//! assert_eq!(chosen.reason.to_string(), "fallback: arm/v6 → arm/v5");
//! ```

use std::fmt;

use serde::Serialize;

use crate::descriptor::{Entry, Role};
use crate::platform::{Matcher, Platform, Rank};

/// How many indexes deep selection follows nested indexes.
pub const MAX_INDEX_DEPTH: usize = 8;

/// How to select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SelectOptions {
    /// No fallback: only the wanted platform itself (containerd's
    /// `OnlyStrict`). Default `false`.
    pub strict: bool,
    /// How many indexes above this one were selected through; 0 for the
    /// index a reference names.
    pub depth: usize,
}

/// Why a row was chosen, or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Reason {
    /// The row's platform is the wanted one, after normalisation.
    ExactMatch,
    /// The row's platform is a fallback that the wanted one runs.
    Fallback {
        /// The wanted `architecture[/variant]`, normalised.
        from: String,
        /// The row's `architecture[/variant]`, normalised.
        to: String,
        /// Which fallback step, from 1.
        step: usize,
    },
    /// No row can run on the wanted platform.
    NoMatch,
    /// Selection was not attempted: [`MAX_INDEX_DEPTH`] nested indexes.
    TooDeep {
        /// The depth reached.
        depth: usize,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::ExactMatch => f.write_str("exact match"),
            Reason::Fallback { from, to, .. } => write!(f, "fallback: {from} → {to}"),
            Reason::NoMatch => f.write_str("no match"),
            Reason::TooDeep { depth } => {
                write!(f, "indexes nested {depth} deep: polyarch stops there")
            }
        }
    }
}

/// What [`select`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    /// The chosen row's position in the slice given to [`select`].
    pub chosen: Option<usize>,
    /// Why it was chosen, or why none was.
    pub reason: Reason,
    /// Whether the chosen row is an index, to fetch and select from again.
    pub nested_index: bool,
    /// [`Entry::index`] of each image or index row without a platform.
    pub unresolved: Vec<usize>,
    /// Facts worth showing: ties, rows held back by `os.features`, an
    /// unreadable `os.version`.
    pub notes: Vec<String>,
}

/// Chooses the row of `entries` that a `wanted` host pulls (rules in the
/// module doc). A Windows host's version is `wanted.os_version`.
pub fn select(entries: &[Entry], wanted: &Platform, options: &SelectOptions) -> Selection {
    let mut selection = Selection {
        chosen: None,
        reason: Reason::NoMatch,
        nested_index: false,
        unresolved: Vec::new(),
        notes: Vec::new(),
    };
    if options.depth >= MAX_INDEX_DEPTH {
        selection.reason = Reason::TooDeep {
            depth: options.depth,
        };
        return selection;
    }

    let matcher = Matcher::new(wanted, options.strict);
    if matcher.os_version_unread() {
        let version = matcher.wanted().os_version.as_deref().unwrap_or("");
        selection.notes.push(format!(
            "os.version `{version}` is not major.minor.build: every windows version matches"
        ));
    }

    let mut best: Option<(usize, Rank)> = None;
    let mut tied: Vec<usize> = Vec::new();
    let mut held_by_features: Vec<usize> = Vec::new();
    for (position, entry) in entries.iter().enumerate() {
        if !matches!(entry.role, Role::Image | Role::Index) {
            continue;
        }
        let Some(platform) = &entry.descriptor.platform else {
            selection.unresolved.push(entry.index);
            continue;
        };
        if is_unknown(platform) {
            continue;
        }

        let Some(rank) = matcher.rank(platform) else {
            if rank_without_features(&matcher, platform).is_some() {
                held_by_features.push(entry.index);
            }
            continue;
        };
        match &best {
            Some((_, current)) if rank > *current => {}
            Some((_, current)) if rank == *current => tied.push(entry.index),
            _ => {
                best = Some((position, rank));
                tied.clear();
            }
        }
    }

    let Some((position, rank)) = best else {
        if !held_by_features.is_empty() {
            selection.notes.push(format!(
                "{} would match but for os.features that the wanted platform does not list: \
                 add them as `os(version+feature)/architecture`",
                rows(&held_by_features)
            ));
        }
        return selection;
    };

    let chosen = &entries[position];
    if !tied.is_empty() {
        selection.notes.push(format!(
            "{} match as well as row {}: the first in document order wins, as in containerd",
            rows(&tied),
            chosen.index
        ));
    }
    selection.reason = if rank.is_exact() {
        Reason::ExactMatch
    } else {
        Reason::Fallback {
            from: matcher.wanted().format_cpu(),
            to: matcher
                .steps()
                .get(rank.step())
                .map(Platform::format_cpu)
                .unwrap_or_default(),
            step: rank.step(),
        }
    };
    selection.nested_index = chosen.role == Role::Index;
    selection.chosen = Some(position);
    selection
}

/// BuildKit's `unknown/unknown`, which marks attestation manifests.
fn is_unknown(platform: &Platform) -> bool {
    platform.os.eq_ignore_ascii_case("unknown")
        && platform.architecture.eq_ignore_ascii_case("unknown")
}

fn rank_without_features(matcher: &Matcher, platform: &Platform) -> Option<Rank> {
    if platform.os_features.is_empty() {
        return None;
    }
    let bare = Platform {
        os_features: Vec::new(),
        ..platform.clone()
    };
    matcher.rank(&bare)
}

/// `row 3` or `rows 3, 5`.
fn rows(indexes: &[usize]) -> String {
    let names: Vec<String> = indexes.iter().map(usize::to_string).collect();
    let noun = if indexes.len() == 1 { "row" } else { "rows" };
    format!("{noun} {}", names.join(", "))
}
