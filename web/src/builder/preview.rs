//! The preview: the exact document the rows make, and what keeps it from
//! being pushed.
//!
//! The document is the core's build ([`IndexBuilder::build`]) of the ready
//! rows in order, each added with [`IndexBuilder::add`] and changed with
//! [`IndexBuilder::annotate`] by its fields, with the list annotations and
//! the format and indentation asked for. Its bytes, digest and size are
//! what a push sends.
//!
//! A push needs a target with a tag, at least one entry, every row ready
//! (none loading, failed, picking from an index or awaiting "replace or
//! keep both"), fields without errors, and a document without errors; each
//! missing piece is a [`Blocker`].
//!
//! The sources handed to the push are each ready row's entry digest with
//! the repository of its reference: the push reads a child the target
//! repository lacks from there.

use std::fmt;

use polyarch_core::assemble::{Assembled, BuildOptions, IndexBuilder, NewEntry};
use polyarch_core::diagnostic::Severity;
use polyarch_core::reference::{Reference, ReferenceError};
use polyarch_core::transfer::Repository;

use super::fields::parse_annotations;
use super::state::{BuilderState, Load};

/// Where a push writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The reference, normalised.
    pub reference: Reference,
    /// Its repository.
    pub repository: Repository,
    /// The tag written.
    pub tag: String,
}

/// Why the target field names no place to push to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// Nothing typed.
    Empty,
    /// Not a reference.
    Reference(ReferenceError),
    /// A digest: a push writes a tag.
    Digest,
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Empty => f.write_str("give a target: registry/repository:tag"),
            TargetError::Reference(error) => write!(f, "the target is not a reference: {error}"),
            TargetError::Digest => f.write_str(
                "the target names a digest; a list is pushed under a tag: drop the @digest part",
            ),
        }
    }
}

/// Reads the target field; without a tag, `latest` (as `docker push`).
pub fn target(text: &str) -> Result<Target, TargetError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TargetError::Empty);
    }
    let reference = Reference::parse(text).map_err(TargetError::Reference)?;
    if reference.digest().is_some() {
        return Err(TargetError::Digest);
    }
    let tag = reference.tag().unwrap_or_default().to_owned();
    Ok(Target {
        repository: Repository::of(&reference),
        tag,
        reference,
    })
}

/// What keeps the preview from being pushed. Rows are numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// The target is not usable.
    Target(TargetError),
    /// No row is ready.
    NoEntries,
    /// A row is being fetched.
    Loading {
        /// The row.
        row: usize,
    },
    /// A row's source gave no entry.
    Failed {
        /// The row.
        row: usize,
    },
    /// A row's source is an index, and no entry is picked.
    Choose {
        /// The row.
        row: usize,
    },
    /// A row repeats a platform, and replace or keep both is not chosen.
    Awaiting {
        /// The row.
        row: usize,
    },
    /// A row's annotations field has errors.
    Fields {
        /// The row.
        row: usize,
        /// How many lines.
        errors: usize,
    },
    /// The list annotations field has errors.
    ListAnnotations {
        /// How many lines.
        errors: usize,
    },
    /// The document has errors: an entry was refused.
    Refused {
        /// How many.
        errors: usize,
    },
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::Target(error) => error.fmt(f),
            Blocker::NoEntries => f.write_str("add at least one source"),
            Blocker::Loading { row } => write!(f, "row {row} is still being read"),
            Blocker::Failed { row } => {
                write!(f, "row {row} has no entry: retry it or remove it")
            }
            Blocker::Choose { row } => write!(
                f,
                "row {row} is an index: pick a platform from it, or nest the whole index"
            ),
            Blocker::Awaiting { row } => write!(
                f,
                "row {row} repeats a platform: replace the earlier row, or keep both"
            ),
            Blocker::Fields { row, errors } => {
                write!(f, "row {row}: {errors} annotation line(s) do not read")
            }
            Blocker::ListAnnotations { errors } => {
                write!(f, "the list annotations: {errors} line(s) do not read")
            }
            Blocker::Refused { errors } => write!(
                f,
                "the document has {errors} error(s), each naming what was left out (see the \
                 diagnostics)"
            ),
        }
    }
}

/// The document and what stands in the way of pushing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The document, as the core wrote it.
    pub assembled: Assembled,
    /// Where each child is read from: `(digest, repository)`.
    pub sources: Vec<(String, Repository)>,
    /// The target, or why there is none.
    pub target: Result<Target, TargetError>,
    /// What keeps it from being pushed; empty when it can be.
    pub blockers: Vec<Blocker>,
}

impl Preview {
    /// How many diagnostics of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.assembled
            .diagnostics()
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// The `assembly-format-loss` messages: what the format chosen drops.
    pub fn losses(&self) -> Vec<&str> {
        self.assembled
            .diagnostics()
            .iter()
            .filter(|d| d.code == "assembly-format-loss")
            .map(|d| d.message.as_str())
            .collect()
    }

    /// Whether it can be pushed.
    pub fn pushable(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// The preview of `state`.
pub fn preview(state: &BuilderState) -> Preview {
    let mut blockers = Vec::new();
    let target = target(&state.target);
    if let Err(error) = &target {
        blockers.push(Blocker::Target(error.clone()));
    }

    let mut builder = IndexBuilder::new();
    let mut sources = Vec::new();
    for (at, row) in state.rows.iter().enumerate() {
        let number = at + 1;
        match &row.load {
            Load::Loading => blockers.push(Blocker::Loading { row: number }),
            Load::Failed(_) => blockers.push(Blocker::Failed { row: number }),
            Load::Choose { .. } => blockers.push(Blocker::Choose { row: number }),
            Load::Ready { entry, .. } => {
                let position = builder.add(NewEntry::clone(entry));
                let _ = builder.annotate(position, &row.fields.patch(entry));
                if let Some(repository) = row.repository() {
                    let source = (entry.digest.clone(), repository);
                    if !sources.contains(&source) {
                        sources.push(source);
                    }
                }
                if row.awaiting {
                    blockers.push(Blocker::Awaiting { row: number });
                }
                let errors = row.fields.errors().len();
                if errors > 0 {
                    blockers.push(Blocker::Fields {
                        row: number,
                        errors,
                    });
                }
            }
        }
    }
    if builder.entries().is_empty() {
        blockers.push(Blocker::NoEntries);
    }

    let (pairs, errors) = parse_annotations(&state.list_annotations);
    if !errors.is_empty() {
        blockers.push(Blocker::ListAnnotations {
            errors: errors.len(),
        });
    }
    for (key, value) in &pairs {
        builder.set_annotation(key, Some(value));
    }
    builder.set_artifact_type(state.kept.artifact_type.clone());
    builder.set_subject(state.kept.subject.as_deref().cloned());
    // The push writes the subject before the list, read from the
    // repository the list was opened from when the target lacks it.
    if let (Some(subject), Some(from)) = (&state.kept.subject, &state.kept.from) {
        let source = (subject.digest.clone(), from.clone());
        if !sources.contains(&source) {
            sources.push(source);
        }
    }

    let assembled = builder.build(&BuildOptions {
        format: state.format,
        pretty: state.pretty,
    });
    let refused = assembled
        .diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .count();
    if refused > 0 {
        blockers.push(Blocker::Refused { errors: refused });
    }

    Preview {
        assembled,
        sources,
        target,
        blockers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::fields::Field;
    use crate::builder::source::tests::digest_of;
    use crate::builder::state::{BuilderAction, Loaded};
    use polyarch_core::assemble::{Format, NewEntry};
    use polyarch_core::digest::Digest;
    use polyarch_core::platform::Platform;

    const DOCKER: &str = "application/vnd.docker.distribution.manifest.v2+json";

    fn state_with(sources: &[(&str, u8, &str)]) -> BuilderState {
        let mut state = BuilderState::default().apply(BuilderAction::SetTarget(
            "127.0.0.1:5000/demo/app:multi".into(),
        ));
        for (reference, n, platform) in sources {
            state = state
                .apply(BuilderAction::SetSource((*reference).to_owned()))
                .apply(BuilderAction::Add);
            let id = state.rows.last().map(|r| r.id).unwrap_or_default();
            let platform: Platform = platform.parse().expect("a platform");
            let entry = NewEntry::new(DOCKER, &digest_of(*n), 500, Some(platform));
            state = state.apply(BuilderAction::Loaded {
                id,
                outcome: Box::new(Ok(Loaded::Entry(Box::new(entry)))),
            });
        }
        state
    }

    #[test]
    fn targets() {
        // A target, and its registry, repository and tag or words of its error.
        type Row<'a> = (&'a str, Result<(&'a str, &'a str, &'a str), &'a str>);
        let table: &[Row] = &[
            (
                "127.0.0.1:5000/demo/app:multi",
                Ok(("127.0.0.1:5000", "demo/app", "multi")),
            ),
            ("demo/app", Ok(("docker.io", "demo/app", "latest"))),
            ("", Err("give a target")),
            ("  ", Err("give a target")),
            ("Demo App", Err("not a reference")),
            (
                "127.0.0.1:5000/demo/app:multi@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                Err("drop the @digest"),
            ),
        ];
        for (text, want) in table {
            let got = target(text);
            match want {
                Ok((registry, name, tag)) => {
                    let got = got.expect(text);
                    assert_eq!(got.repository, Repository::new(registry, name), "{text}");
                    assert_eq!(got.tag, *tag, "{text}");
                }
                Err(words) => {
                    let message = got.expect_err(text).to_string();
                    assert!(message.contains(words), "{text}: {message}");
                }
            }
        }
    }

    #[test]
    fn rows_from_two_repositories_make_a_pushable_list() {
        let state = state_with(&[
            ("127.0.0.1:5000/demo/app:amd64", 1, "linux/amd64"),
            ("127.0.0.1:5000/demo/app:arm64", 2, "linux/arm64/v8"),
            ("127.0.0.1:5000/demo/base:armv7", 3, "linux/arm/v7"),
        ]);

        let preview = preview(&state);

        assert_eq!(preview.blockers, Vec::new());
        assert_eq!(
            preview.assembled.media_type(),
            "application/vnd.docker.distribution.manifest.list.v2+json"
        );
        assert_eq!(
            preview.assembled.digest(),
            Digest::sha256(preview.assembled.bytes()).to_string()
        );
        assert_eq!(
            preview.sources,
            vec![
                (digest_of(1), Repository::new("127.0.0.1:5000", "demo/app")),
                (digest_of(2), Repository::new("127.0.0.1:5000", "demo/app")),
                (digest_of(3), Repository::new("127.0.0.1:5000", "demo/base")),
            ]
        );
        assert!(preview.losses().is_empty());
    }

    #[test]
    fn an_annotation_makes_auto_write_oci_and_docker_lose_it() {
        let state =
            state_with(&[("demo/app:amd64", 1, "linux/amd64")]).apply(BuilderAction::SetField {
                id: 1,
                field: Field::Annotations,
                value: "org.example.note=hello".into(),
            });

        let auto = preview(&state);
        let docker = preview(
            &state
                .clone()
                .apply(BuilderAction::SetFormat(Format::Docker)),
        );

        assert_eq!(
            auto.assembled.media_type(),
            "application/vnd.oci.image.index.v1+json"
        );
        assert!(auto.assembled.text().contains("org.example.note"));
        assert!(auto.losses().is_empty());
        assert!(!docker.assembled.text().contains("org.example.note"));
        assert_eq!(docker.losses().len(), 1);
        assert!(
            docker.losses()[0].contains("org.example.note"),
            "{:?}",
            docker.losses()
        );
    }

    #[test]
    fn what_is_missing_blocks_the_push() {
        let state = state_with(&[("demo/app:amd64", 1, "linux/amd64")])
            .apply(BuilderAction::SetTarget(String::new()))
            .apply(BuilderAction::SetSource("demo/app:slow".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::SetField {
                id: 1,
                field: Field::Annotations,
                value: "oops".into(),
            })
            .apply(BuilderAction::SetListAnnotations("=x".into()));

        let blockers = preview(&state).blockers;

        assert_eq!(
            blockers,
            vec![
                Blocker::Target(TargetError::Empty),
                Blocker::Fields { row: 1, errors: 1 },
                Blocker::Loading { row: 2 },
                Blocker::ListAnnotations { errors: 1 },
            ]
        );
        assert_eq!(
            preview(&BuilderState::default()).blockers[1..],
            [Blocker::NoEntries]
        );
    }

    #[test]
    fn a_refused_entry_blocks_the_push() {
        let mut state = state_with(&[("demo/app:amd64", 1, "linux/amd64")]);
        if let Load::Ready { entry, .. } = &mut state.rows[0].load {
            entry.digest = "not a digest".into();
        }

        let preview = preview(&state);

        assert!(
            matches!(preview.blockers[..], [Blocker::Refused { errors: 1 }]),
            "{:?}",
            preview.blockers
        );
    }

    #[test]
    fn pretty_output_is_the_same_list() {
        let state = state_with(&[("demo/app:amd64", 1, "linux/amd64")]);

        let compact = preview(&state);
        let pretty = preview(&state.apply(BuilderAction::SetPretty(true)));

        assert!(pretty.assembled.text().contains("\n   \""));
        assert!(!compact.assembled.text().contains('\n'));
        assert_ne!(pretty.assembled.digest(), compact.assembled.digest());
    }
}
