//! The findings of one build: collected while the document is written,
//! placed in it once its text exists, and merged with what
//! [`inspect`] says of the text.

use std::collections::HashMap;

use super::entry::{self, EntryProblem, NewEntry};
use super::{Assembled, Format};
use crate::diagnostic::{Diagnostic, Diagnostics, Rule};
use crate::digest::Digest;
use crate::inspect::{InspectOptions, inspect};
use crate::json::{self, Node, Span};
use crate::media_type::{DOCKER_MANIFEST_LIST, OCI_INDEX};

/// Where in the written document a finding belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Root,
    Manifests,
    Entry(usize),
    EntryAnnotations(usize),
    IndexAnnotations,
    Subject,
}

/// The findings of one build, placed once the text exists.
#[derive(Debug, Default)]
pub(super) struct Plan {
    notes: Vec<(Rule, Place, String)>,
    /// The written entries in document order: builder position, platform
    /// key and label.
    written: Vec<(usize, Option<entry::PlatformKey>, String)>,
}

impl Plan {
    pub(super) fn note(&mut self, rule: Rule, place: Place, message: String) {
        self.notes.push((rule, place, message));
    }

    pub(super) fn refuse(&mut self, position: usize, entry: &NewEntry, problem: &EntryProblem) {
        let message = format!(
            "entry {position} ({}, {}) is left out: {problem}",
            entry.platform_label(),
            if entry.digest.is_empty() {
                "no digest"
            } else {
                &entry.digest
            }
        );
        self.note(Rule::AssemblyEntryInvalid, Place::Manifests, message);
    }

    /// Records that `entry`, at builder `position`, is written next, and
    /// returns its position in the document.
    pub(super) fn keep(&mut self, position: usize, entry: &NewEntry) -> usize {
        let at = self.written.len();
        self.written
            .push((position, entry.platform_key(), entry.platform_label()));
        at
    }

    /// Warns of every written entry whose platform an earlier one has.
    pub(super) fn duplicates(&mut self) {
        let mut first_for: HashMap<&entry::PlatformKey, usize> = HashMap::new();
        let mut found = Vec::new();
        for (at, (position, key, label)) in self.written.iter().enumerate() {
            let Some(key) = key else {
                continue;
            };
            match first_for.get(key) {
                Some(first) => found.push((
                    Place::Entry(at),
                    format!(
                        "entries {first} and {position} are both {label}: clients pull entry \
                         {first} and never entry {position}"
                    ),
                )),
                None => {
                    first_for.insert(key, *position);
                }
            }
        }
        for (place, message) in found {
            self.note(Rule::AssemblyDuplicatePlatform, place, message);
        }
    }
}

/// Hashes the text and places every finding in it.
pub(super) fn finish(
    written: Result<String, serde_json::Error>,
    format: Format,
    mut plan: Plan,
) -> Assembled {
    let media_type = match format {
        Format::Docker => DOCKER_MANIFEST_LIST,
        Format::Oci | Format::Auto => OCI_INDEX,
    };
    let text = match written {
        Ok(text) => text,
        Err(e) => {
            plan.note(
                Rule::AssemblyWriteFailed,
                Place::Root,
                format!("the document could not be written: {e}"),
            );
            String::new()
        }
    };

    let mut diagnostics = Diagnostics::new(text.as_bytes());
    let root = json::parse(&text).ok();
    for (rule, place, message) in &plan.notes {
        let (pointer, span) = locate(root.as_ref(), *place);
        diagnostics.report(*rule, &pointer, span, message.clone());
    }
    let mut all = diagnostics.finish();
    all.extend(inspected(&text, format));
    all.sort_by_key(|d| (d.severity, d.offset));

    Assembled {
        digest: Digest::sha256(text.as_bytes()).to_string(),
        size: text.len() as u64,
        media_type: media_type.to_owned(),
        text,
        diagnostics: all,
    }
}

/// What [`inspect`] says of the written text, less what the assembly
/// reports itself.
fn inspected(text: &str, format: Format) -> Vec<Diagnostic> {
    if text.is_empty() {
        return Vec::new();
    }
    let own = [
        Rule::DuplicatePlatform.code(),
        Rule::DuplicatePlatformAnnotated.code(),
    ];
    let mixed = Rule::MixedMediaTypes.code();
    inspect(text.as_bytes(), &InspectOptions::default())
        .diagnostics
        .into_iter()
        .filter(|d| !own.contains(&d.code))
        .filter(|d| !(format == Format::Docker && d.code == mixed))
        .collect()
}

/// The pointer and span of `place` in the written document.
fn locate(root: Option<&Node<'_>>, place: Place) -> (String, Span) {
    let Some(root) = root else {
        return (String::new(), Span::default());
    };
    let manifests = root.get("manifests");
    let entry = |i: usize| manifests.and_then(|m| m.as_array()).and_then(|a| a.get(i));
    match place {
        Place::Root => (String::new(), root.span),
        Place::Manifests => (
            "/manifests".to_owned(),
            manifests.map_or(root.span, |m| m.span),
        ),
        Place::Entry(i) => (
            format!("/manifests/{i}"),
            entry(i).map_or(root.span, |e| e.span),
        ),
        Place::EntryAnnotations(i) => {
            let node = entry(i).and_then(|e| e.get("annotations"));
            (
                format!("/manifests/{i}/annotations"),
                node.map_or(root.span, |n| n.span),
            )
        }
        Place::IndexAnnotations => (
            "/annotations".to_owned(),
            root.get("annotations").map_or(root.span, |n| n.span),
        ),
        Place::Subject => (
            "/subject".to_owned(),
            root.get("subject").map_or(root.span, |n| n.span),
        ),
    }
}
