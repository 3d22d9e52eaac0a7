//! The builder's state and the one reducer that changes it.
//!
//! A row starts from a source reference as typed and lives through
//! [`Load`]: loading, ready with its entry, an index to pick from, or
//! failed. The page fetches every loading row and answers with
//! [`BuilderAction::Loaded`]; an answer for a row that was removed, or
//! that is no longer loading, is dropped.
//!
//! When a row becomes ready with the platform of another ready row (the
//! core's rule: [`IndexBuilder::amend`] would replace it), it waits for the
//! user: [`BuilderAction::Replace`] puts it in the place of the first such
//! row and removes the others, as `amend` does; [`BuilderAction::KeepBoth`]
//! keeps both, as `add` does, and the preview warns that clients pull only
//! the first.
//!
//! Opening the list at the target ([`BuilderAction::Opened`]) replaces the
//! rows with its entries, each a ready row sourced from the target
//! repository by digest, and the list annotations with the list's own.
//! An opened list's `artifactType` and `subject` are kept ([`Kept`]) and
//! written into the list pushed again, until the user leaves them out
//! ([`BuilderAction::DropKept`]) or opens another list.

use std::rc::Rc;

use polyarch_core::assemble::{Format, IndexBuilder, NewEntry, OpenError};
use polyarch_core::reference::{Reference, ReferenceError};
use polyarch_core::transfer::Repository;
use yew::Reducible;

use super::fields::{Field, RowFields, annotation_lines};
use super::source::{Choice, IndexFacts, SourceError};
use crate::registry::ClientError;
use crate::registry::endpoint::ProxyError;

/// How a ready row got its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// From an image manifest and its config.
    Manifest,
    /// Picked from the entries of an index.
    Picked,
    /// The whole index, nested.
    Nested,
    /// An entry of the list opened from the target.
    Opened,
}

/// Where a row's source stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    /// Being fetched.
    Loading,
    /// The entry, before the row's fields are applied.
    Ready {
        /// The entry as the source gave it.
        entry: Box<NewEntry>,
        /// How.
        via: Via,
    },
    /// The source is an index: pick an entry or nest it.
    Choose {
        /// The index.
        facts: IndexFacts,
        /// Its entries.
        choices: Vec<Choice>,
    },
    /// No entry, and why.
    Failed(SourceError),
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Stable while the row lives, whatever its position.
    pub id: u64,
    /// The source reference, as typed.
    pub reference: String,
    /// Where its source stands.
    pub load: Load,
    /// Its annotation fields, as typed.
    pub fields: RowFields,
    /// Ready with the platform of another row, and not yet told to replace
    /// it or keep both.
    pub awaiting: bool,
}

impl Row {
    /// A row for `reference`, loading.
    fn new(id: u64, reference: String) -> Row {
        let load = match Reference::parse(&reference) {
            Ok(_) => Load::Loading,
            Err(error) => Load::Failed(SourceError::Reference(error)),
        };
        Row {
            id,
            reference,
            load,
            fields: RowFields::default(),
            awaiting: false,
        }
    }

    /// A ready row.
    pub(super) fn ready(id: u64, reference: String, entry: NewEntry, via: Via) -> Row {
        Row {
            id,
            reference,
            fields: RowFields::of(&entry),
            load: Load::Ready {
                entry: Box::new(entry),
                via,
            },
            awaiting: false,
        }
    }

    /// The parsed reference, when it reads.
    pub fn parsed(&self) -> Option<Reference> {
        Reference::parse(&self.reference).ok()
    }

    /// The repository the entry is read from when the target lacks it.
    pub fn repository(&self) -> Option<Repository> {
        self.parsed().as_ref().map(Repository::of)
    }

    /// The entry as the source gave it, when ready.
    pub fn base(&self) -> Option<&NewEntry> {
        match &self.load {
            Load::Ready { entry, .. } => Some(entry.as_ref()),
            _ => None,
        }
    }

    /// The entry with the row's fields applied (by the core's
    /// [`IndexBuilder::annotate`]), when ready.
    pub fn entry(&self) -> Option<NewEntry> {
        let base = self.base()?;
        let mut one = IndexBuilder::with_entries([base.clone()]);
        one.annotate(0, &self.fields.patch(base)).ok()?;
        one.entries().first().cloned()
    }
}

/// Why the list at the target could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenFailure {
    /// The target does not read.
    Reference(ReferenceError),
    /// The proxy setting is not usable.
    Proxy(ProxyError),
    /// The registry could not be asked, or refused.
    Fetch(ClientError),
    /// The document is not an index to edit.
    Open(OpenError),
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenFailure::Reference(error) => write!(f, "the target is not a reference: {error}"),
            OpenFailure::Proxy(error) => error.fmt(f),
            OpenFailure::Fetch(error) => error.fmt(f),
            OpenFailure::Open(error) => error.fmt(f),
        }
    }
}

/// Opening the list at the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    /// Not asked.
    Idle,
    /// Being fetched.
    Loading,
    /// Opened: the rows are its entries.
    Opened {
        /// What was opened, canonical.
        reference: String,
        /// The digest of its bytes.
        digest: String,
        /// How many entries it had.
        entries: usize,
    },
    /// It could not be opened.
    Failed(OpenFailure),
}

/// What an opened list had beside its entries and annotations, written
/// into the list the builder pushes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Kept {
    /// The list's `artifactType`.
    pub artifact_type: Option<String>,
    /// The list's `subject`.
    pub subject: Option<Box<NewEntry>>,
    /// The repository the list was opened from, where the subject is read
    /// from when the target lacks it.
    pub from: Option<Repository>,
}

impl Kept {
    /// Whether there is nothing to keep.
    pub fn is_empty(&self) -> bool {
        self.artifact_type.is_none() && self.subject.is_none()
    }
}

/// Everything the builder holds.
#[derive(Debug, Clone, PartialEq)]
pub struct BuilderState {
    /// The target reference, as typed.
    pub target: String,
    /// The source reference field, as typed.
    pub source: String,
    /// The format asked for.
    pub format: Format,
    /// Whether the document is indented.
    pub pretty: bool,
    /// The list's own annotations, as `key=value` lines.
    pub list_annotations: String,
    /// The opened list's `artifactType` and `subject`.
    pub kept: Kept,
    /// The rows, in order.
    pub rows: Vec<Row>,
    /// Opening the list at the target.
    pub opening: Opening,
    /// The id the next row gets.
    pub next_id: u64,
}

impl Default for BuilderState {
    fn default() -> Self {
        BuilderState {
            target: String::new(),
            source: String::new(),
            format: Format::Auto,
            pretty: false,
            list_annotations: String::new(),
            kept: Kept::default(),
            rows: Vec::new(),
            opening: Opening::Idle,
            next_id: 1,
        }
    }
}

/// What a fetched source gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    /// An entry from a manifest and its config.
    Entry(Box<NewEntry>),
    /// An index to pick from.
    Index {
        /// The index.
        facts: IndexFacts,
        /// Its entries.
        choices: Vec<Choice>,
    },
}

/// A list read from the target to edit.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedList {
    /// What was fetched.
    pub reference: Reference,
    /// The digest of its bytes.
    pub digest: String,
    /// Its contents.
    pub builder: IndexBuilder,
}

/// Every change to the builder.
#[derive(Debug, Clone, PartialEq)]
pub enum BuilderAction {
    /// The target field changed.
    SetTarget(String),
    /// The source field changed.
    SetSource(String),
    /// The format was chosen.
    SetFormat(Format),
    /// Indentation was switched.
    SetPretty(bool),
    /// The list annotations changed.
    SetListAnnotations(String),
    /// Leave the opened list's `artifactType` and `subject` out.
    DropKept,
    /// Adds a row for the source field's reference and clears the field.
    Add,
    /// A row's source was fetched.
    Loaded {
        /// The row.
        id: u64,
        /// What it gave.
        outcome: Box<Result<Loaded, SourceError>>,
    },
    /// Takes the `choice`-th entry of a row's index.
    Pick {
        /// The row.
        id: u64,
        /// The entry, from 0.
        choice: usize,
    },
    /// Nests a row's whole index.
    Nest {
        /// The row.
        id: u64,
    },
    /// Puts an awaiting row in the place of the rows for its platform.
    Replace {
        /// The row.
        id: u64,
    },
    /// Keeps an awaiting row beside the rows for its platform.
    KeepBoth {
        /// The row.
        id: u64,
    },
    /// Removes a row.
    Remove {
        /// The row.
        id: u64,
    },
    /// Moves a row one place up.
    MoveUp {
        /// The row.
        id: u64,
    },
    /// Moves a row one place down.
    MoveDown {
        /// The row.
        id: u64,
    },
    /// A row's field changed.
    SetField {
        /// The row.
        id: u64,
        /// Which field.
        field: Field,
        /// Its new text.
        value: String,
    },
    /// Fetches a failed row's source again.
    Retry {
        /// The row.
        id: u64,
    },
    /// Opening the list at the target started.
    OpenStarted,
    /// The list at the target was read.
    Opened(Box<OpenedList>),
    /// The list at the target could not be opened.
    OpenFailed(OpenFailure),
}

impl BuilderState {
    /// The position of the row `id`.
    pub fn position(&self, id: u64) -> Option<usize> {
        self.rows.iter().position(|r| r.id == id)
    }

    /// The ids and references of the rows waiting to be fetched.
    pub fn loading(&self) -> Vec<(u64, String)> {
        self.rows
            .iter()
            .filter(|r| matches!(r.load, Load::Loading))
            .map(|r| (r.id, r.reference.clone()))
            .collect()
    }

    /// The other ready rows that have the platform of row `id`, by the
    /// core's rule (the rows [`IndexBuilder::amend`] would replace).
    pub fn conflicts(&self, id: u64) -> Vec<u64> {
        let Some(entry) = self.rows.iter().find(|r| r.id == id).and_then(Row::entry) else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter(|other| other.id != id)
            .filter(|other| {
                other.entry().is_some_and(|e| {
                    let mut one = IndexBuilder::with_entries([e]);
                    one.amend(entry.clone()).replaced > 0
                })
            })
            .map(|other| other.id)
            .collect()
    }

    fn row_mut(&mut self, id: u64) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.id == id)
    }

    /// Makes row `id` ready with `entry`, asking about a platform already
    /// listed.
    fn make_ready(&mut self, id: u64, entry: NewEntry, via: Via) {
        if let Some(row) = self.row_mut(id) {
            row.fields = RowFields::of(&entry);
            row.load = Load::Ready {
                entry: Box::new(entry),
                via,
            };
        }
        let awaiting = !self.conflicts(id).is_empty();
        if let Some(row) = self.row_mut(id) {
            row.awaiting = awaiting;
        }
    }

    fn replace(&mut self, id: u64) {
        let conflicts = self.conflicts(id);
        let first = conflicts.first().and_then(|c| self.position(*c));
        if let (Some(first), Some(from)) = (first, self.position(id)) {
            let mut row = self.rows.remove(from);
            row.awaiting = false;
            let at = if from < first { first - 1 } else { first };
            self.rows.insert(at, row);
            self.rows.retain(|r| !conflicts.contains(&r.id));
        } else if let Some(row) = self.row_mut(id) {
            row.awaiting = false;
        }
    }

    fn opened(&mut self, list: OpenedList) {
        let OpenedList {
            reference,
            digest,
            builder,
        } = list;
        let repository = format!("{}/{}", reference.registry(), reference.repository());
        self.rows.clear();
        for entry in builder.entries() {
            let id = self.next_id;
            self.next_id += 1;
            let source = format!("{repository}@{}", entry.digest);
            self.rows
                .push(Row::ready(id, source, entry.clone(), Via::Opened));
        }
        self.list_annotations = annotation_lines(builder.annotations());
        self.kept = Kept {
            artifact_type: builder.artifact_type().map(str::to_owned),
            subject: builder.subject().cloned().map(Box::new),
            from: Some(Repository::of(&reference)),
        };
        self.opening = Opening::Opened {
            reference: reference.to_string(),
            digest,
            entries: builder.entries().len(),
        };
    }

    /// The state after `action`.
    pub fn apply(mut self, action: BuilderAction) -> BuilderState {
        match action {
            BuilderAction::SetTarget(text) => self.target = text,
            BuilderAction::SetSource(text) => self.source = text,
            BuilderAction::SetFormat(format) => self.format = format,
            BuilderAction::SetPretty(pretty) => self.pretty = pretty,
            BuilderAction::SetListAnnotations(text) => self.list_annotations = text,
            BuilderAction::DropKept => self.kept = Kept::default(),
            BuilderAction::Add => {
                let reference = self.source.trim().to_owned();
                if !reference.is_empty() {
                    self.rows.push(Row::new(self.next_id, reference));
                    self.next_id += 1;
                    self.source.clear();
                }
            }
            BuilderAction::Loaded { id, outcome } => {
                let loading = self
                    .rows
                    .iter()
                    .any(|r| r.id == id && matches!(r.load, Load::Loading));
                if loading {
                    match *outcome {
                        Ok(Loaded::Entry(entry)) => self.make_ready(id, *entry, Via::Manifest),
                        Ok(Loaded::Index { facts, choices }) => {
                            if let Some(row) = self.row_mut(id) {
                                row.load = Load::Choose { facts, choices };
                            }
                        }
                        Err(error) => {
                            if let Some(row) = self.row_mut(id) {
                                row.load = Load::Failed(error);
                            }
                        }
                    }
                }
            }
            BuilderAction::Pick { id, choice } => {
                let picked = self
                    .rows
                    .iter()
                    .find(|r| r.id == id)
                    .and_then(|r| match &r.load {
                        Load::Choose { choices, .. } => {
                            choices.get(choice).map(|c| c.entry.clone())
                        }
                        _ => None,
                    });
                if let Some(entry) = picked {
                    self.make_ready(id, entry, Via::Picked);
                }
            }
            BuilderAction::Nest { id } => {
                let nested = self
                    .rows
                    .iter()
                    .find(|r| r.id == id)
                    .and_then(|r| match &r.load {
                        Load::Choose { facts, .. } => Some(facts.nested()),
                        _ => None,
                    });
                if let Some(entry) = nested {
                    self.make_ready(id, entry, Via::Nested);
                }
            }
            BuilderAction::Replace { id } => self.replace(id),
            BuilderAction::KeepBoth { id } => {
                if let Some(row) = self.row_mut(id) {
                    row.awaiting = false;
                }
            }
            BuilderAction::Remove { id } => self.rows.retain(|r| r.id != id),
            BuilderAction::MoveUp { id } => {
                if let Some(at) = self.position(id).filter(|&at| at > 0) {
                    self.rows.swap(at, at - 1);
                }
            }
            BuilderAction::MoveDown { id } => {
                if let Some(at) = self.position(id).filter(|&at| at + 1 < self.rows.len()) {
                    self.rows.swap(at, at + 1);
                }
            }
            BuilderAction::SetField { id, field, value } => {
                if let Some(row) = self.row_mut(id) {
                    row.fields.set(field, value);
                }
            }
            BuilderAction::Retry { id } => {
                if let Some(row) = self.row_mut(id)
                    && matches!(row.load, Load::Failed(_))
                {
                    *row = Row::new(id, row.reference.clone());
                }
            }
            BuilderAction::OpenStarted => self.opening = Opening::Loading,
            BuilderAction::Opened(list) => self.opened(*list),
            BuilderAction::OpenFailed(failure) => self.opening = Opening::Failed(failure),
        }
        self
    }
}

impl Reducible for BuilderState {
    type Action = BuilderAction;

    fn reduce(self: Rc<Self>, action: BuilderAction) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::builder::source::tests::digest_of;
    use polyarch_core::platform::Platform;

    const OCI: &str = "application/vnd.oci.image.manifest.v1+json";

    /// An entry for `os/architecture[/variant]`, as written.
    pub(crate) fn entry(n: u8, platform: &str) -> NewEntry {
        let mut parts = platform.split('/');
        let (os, architecture) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let platform = Platform::new(os, architecture, parts.next());
        NewEntry::new(OCI, &digest_of(n), 500 + i64::from(n), Some(platform))
    }

    /// A state with one ready row per platform, in order.
    fn with_rows(platforms: &[&str]) -> BuilderState {
        let mut state = BuilderState::default();
        for (n, platform) in platforms.iter().enumerate() {
            state = state
                .apply(BuilderAction::SetSource(format!(
                    "127.0.0.1:5000/demo/app:{n}"
                )))
                .apply(BuilderAction::Add);
            let id = state.rows[n].id;
            state = state.apply(BuilderAction::Loaded {
                id,
                outcome: Box::new(Ok(Loaded::Entry(Box::new(entry(n as u8, platform))))),
            });
        }
        state
    }

    fn platforms(state: &BuilderState) -> Vec<String> {
        state
            .rows
            .iter()
            .map(|r| match r.entry() {
                Some(e) => e.platform.map(|p| p.format()).unwrap_or_default(),
                None => "-".to_owned(),
            })
            .collect()
    }

    #[test]
    fn add_makes_a_loading_row_and_clears_the_field() {
        let state = BuilderState::default()
            .apply(BuilderAction::SetSource("  demo/app:amd64 ".into()))
            .apply(BuilderAction::Add);

        assert_eq!(state.source, "");
        assert_eq!(state.loading(), vec![(1, "demo/app:amd64".to_owned())]);
    }

    #[test]
    fn an_empty_or_unreadable_source_makes_no_loading_row() {
        let state = BuilderState::default()
            .apply(BuilderAction::Add)
            .apply(BuilderAction::SetSource("Bad Ref".into()))
            .apply(BuilderAction::Add);

        assert_eq!(state.rows.len(), 1);
        assert!(matches!(
            state.rows[0].load,
            Load::Failed(SourceError::Reference(_))
        ));
        assert!(state.loading().is_empty());
    }

    #[test]
    fn a_late_answer_for_a_removed_row_is_dropped() {
        let state = BuilderState::default()
            .apply(BuilderAction::SetSource("demo/app:a".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::Remove { id: 1 });

        let after = state.clone().apply(BuilderAction::Loaded {
            id: 1,
            outcome: Box::new(Ok(Loaded::Entry(Box::new(entry(1, "linux/amd64"))))),
        });

        assert_eq!(after, state);
    }

    #[test]
    fn rows_move_and_go() {
        let state = with_rows(&["linux/amd64", "linux/arm64", "linux/arm/v7"]);

        let moved = state
            .apply(BuilderAction::MoveUp { id: 3 })
            .apply(BuilderAction::MoveUp { id: 3 })
            .apply(BuilderAction::MoveUp { id: 3 })
            .apply(BuilderAction::MoveDown { id: 1 })
            .apply(BuilderAction::MoveDown { id: 1 });
        let removed = moved.clone().apply(BuilderAction::Remove { id: 2 });

        assert_eq!(
            platforms(&moved),
            vec!["linux/arm/v7", "linux/arm64", "linux/amd64"]
        );
        assert_eq!(platforms(&removed), vec!["linux/arm/v7", "linux/amd64"]);
    }

    #[test]
    fn a_second_entry_for_a_platform_waits_then_replaces_the_first() {
        let table: &[(&str, BuilderAction, &[&str])] = &[
            (
                "replace",
                BuilderAction::Replace { id: 4 },
                &["linux/amd64", "linux/arm64/v8", "linux/arm/v7"],
            ),
            (
                "keep both",
                BuilderAction::KeepBoth { id: 4 },
                &[
                    "linux/amd64",
                    "linux/aarch64",
                    "linux/arm/v7",
                    "linux/arm64/v8",
                ],
            ),
        ];
        for (what, action, want) in table {
            let state = with_rows(&[
                "linux/amd64",
                "linux/aarch64",
                "linux/arm/v7",
                "linux/arm64/v8",
            ]);
            assert!(state.rows[3].awaiting, "{what}");
            assert_eq!(state.conflicts(4), vec![2], "{what}");

            let after = state.apply(action.clone());

            assert_eq!(platforms(&after), *want, "{what}");
            assert!(after.rows.iter().all(|r| !r.awaiting), "{what}");
        }
    }

    #[test]
    fn replace_removes_every_row_for_the_platform() {
        let mut state = with_rows(&["linux/arm64", "linux/amd64", "linux/arm64"]);
        state = state.apply(BuilderAction::KeepBoth { id: 3 });
        state = state
            .apply(BuilderAction::SetSource("other/app:arm64".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::Loaded {
                id: 4,
                outcome: Box::new(Ok(Loaded::Entry(Box::new(entry(9, "linux/arm64/v8"))))),
            });

        let after = state.apply(BuilderAction::Replace { id: 4 });

        assert_eq!(platforms(&after), vec!["linux/arm64/v8", "linux/amd64"]);
        assert_eq!(after.rows[0].reference, "other/app:arm64");
    }

    #[test]
    fn an_index_is_picked_from_or_nested() {
        let facts = IndexFacts {
            media_type: "application/vnd.oci.image.index.v1+json".into(),
            digest: digest_of(7),
            size: 300,
        };
        let choices = vec![
            Choice {
                entry: entry(1, "linux/amd64"),
                role: polyarch_core::descriptor::Role::Image,
            },
            Choice {
                entry: entry(2, "linux/arm64"),
                role: polyarch_core::descriptor::Role::Image,
            },
        ];
        let state = BuilderState::default()
            .apply(BuilderAction::SetSource("demo/multi:1".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::Loaded {
                id: 1,
                outcome: Box::new(Ok(Loaded::Index { facts, choices })),
            });

        let picked = state
            .clone()
            .apply(BuilderAction::Pick { id: 1, choice: 1 });
        let nested = state.clone().apply(BuilderAction::Nest { id: 1 });
        let out_of_range = state
            .clone()
            .apply(BuilderAction::Pick { id: 1, choice: 5 });

        assert_eq!(picked.rows[0].entry().map(|e| e.digest), Some(digest_of(2)));
        let nested = nested.rows[0].entry().expect("ready");
        assert_eq!(
            (nested.digest.as_str(), nested.platform),
            (digest_of(7).as_str(), None)
        );
        assert_eq!(out_of_range, state);
    }

    #[test]
    fn fields_start_from_the_entry_and_change_it() {
        let state = with_rows(&["windows/amd64"]);
        assert_eq!(state.rows[0].fields, RowFields::default());

        let state = state
            .apply(BuilderAction::SetField {
                id: 1,
                field: Field::OsVersion,
                value: "10.0.17763.1697".into(),
            })
            .apply(BuilderAction::SetField {
                id: 1,
                field: Field::Annotations,
                value: "org.example.note=hi".into(),
            });

        let entry = state.rows[0].entry().expect("ready");
        assert_eq!(
            entry.platform.and_then(|p| p.os_version).as_deref(),
            Some("10.0.17763.1697")
        );
        assert_eq!(entry.annotations.get("org.example.note"), Some("hi"));
    }

    #[test]
    fn a_failed_row_is_fetched_again() {
        let state = BuilderState::default()
            .apply(BuilderAction::SetSource("demo/app:x".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::Loaded {
                id: 1,
                outcome: Box::new(Err(SourceError::NoConfig {
                    digest: String::new(),
                })),
            });
        assert!(state.loading().is_empty());

        let state = state.apply(BuilderAction::Retry { id: 1 });

        assert_eq!(state.loading(), vec![(1, "demo/app:x".to_owned())]);
    }

    #[test]
    fn an_opened_lists_artifact_type_and_subject_are_kept_until_dropped() {
        let mut builder = IndexBuilder::with_entries([entry(1, "linux/amd64")]);
        builder.set_artifact_type(Some("application/vnd.example+type".into()));
        builder.set_subject(Some(entry(7, "linux/amd64")));
        let reference = Reference::parse("127.0.0.1:5000/demo/app:multi").expect("a reference");
        let text = |state: &BuilderState| {
            crate::builder::preview::preview(state)
                .assembled
                .text()
                .to_owned()
        };

        let state = BuilderState::default().apply(BuilderAction::Opened(Box::new(OpenedList {
            reference,
            digest: digest_of(5),
            builder,
        })));
        let kept = text(&state);
        let sources = crate::builder::preview::preview(&state).sources;
        let dropped = text(&state.clone().apply(BuilderAction::DropKept));

        assert!(
            kept.contains(r#""artifactType":"application/vnd.example+type""#),
            "{kept}"
        );
        assert!(kept.contains(r#""subject":{"mediaType""#), "{kept}");
        assert!(kept.contains(&digest_of(7)), "{kept}");
        assert!(
            sources.contains(&(digest_of(7), Repository::new("127.0.0.1:5000", "demo/app"))),
            "{sources:?}"
        );
        assert!(!dropped.contains("artifactType"), "{dropped}");
        assert!(!dropped.contains(&digest_of(7)), "{dropped}");
        assert!(dropped.contains(&digest_of(1)), "{dropped}");
    }

    #[test]
    fn opening_a_list_replaces_the_rows() {
        let state = with_rows(&["linux/s390x"]);
        let mut builder =
            IndexBuilder::with_entries([entry(1, "linux/amd64"), entry(2, "linux/arm64")]);
        builder.set_annotation("org.example.a", Some("1"));
        let reference = Reference::parse("127.0.0.1:5000/demo/app:multi").expect("a reference");

        let state = state.apply(BuilderAction::Opened(Box::new(OpenedList {
            reference,
            digest: digest_of(5),
            builder,
        })));

        assert_eq!(platforms(&state), vec!["linux/amd64", "linux/arm64"]);
        assert_eq!(
            state.rows[1].reference,
            format!("127.0.0.1:5000/demo/app@{}", digest_of(2))
        );
        assert_eq!(
            state.rows[1].repository(),
            Some(Repository::new("127.0.0.1:5000", "demo/app"))
        );
        assert_eq!(state.list_annotations, "org.example.a=1");
        assert!(matches!(state.opening, Opening::Opened { entries: 2, .. }));
        assert!(state.rows.iter().all(|r| r.id != 1));
    }
}
