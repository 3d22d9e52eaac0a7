//! Import: copying a whole image — an index, every child (attestations
//! included), every blob and every referrer — from a source reference to a
//! target repository, digests unchanged, as `skopeo copy --all` does
//! ([`Transfer::copy`](polyarch_core::transfer::Transfer::copy)).
//!
//! The target names a repository and, optionally, a tag:
//!
//! | target | written under |
//! |---|---|
//! | `registry/repo:tag` | `tag` |
//! | `registry/repo` (no tag typed) | the source's tag; by digest only when the source is a digest |
//! | `registry/repo@digest` | refused: the digest is the source's, unchanged |
//!
//! "No tag typed" is read from the text: a `:` in the last path component.
//! (Reading it from the parsed reference would not do: a reference without
//! a tag reads as `latest`.)

use std::fmt;

use polyarch_core::reference::{Reference, ReferenceError};

/// What to copy, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyPlan {
    /// The source, by tag or digest.
    pub source: Reference,
    /// The target: its repository, and the tag to write, if any.
    pub target: Reference,
}

impl CopyPlan {
    /// `copy <source> to <target>`, for people.
    pub fn label(&self) -> String {
        format!("copy of {} to {}", self.source, self.target)
    }
}

/// Why the fields name nothing to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// No source typed.
    SourceEmpty,
    /// The source does not read.
    Source(ReferenceError),
    /// No target typed.
    TargetEmpty,
    /// The target does not read.
    Target(ReferenceError),
    /// The target names a digest.
    TargetDigest,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::SourceEmpty => f.write_str("give a source: registry/repository:tag"),
            ImportError::Source(error) => write!(f, "the source is not a reference: {error}"),
            ImportError::TargetEmpty => {
                f.write_str("give a target: registry/repository, with a tag if you like")
            }
            ImportError::Target(error) => write!(f, "the target is not a reference: {error}"),
            ImportError::TargetDigest => f.write_str(
                "the target names a digest; digests are copied unchanged: give a repository and \
                 optionally a tag",
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// Whether `text` names a tag: a `:` after the last `/`.
fn names_tag(text: &str) -> bool {
    let last = text.rsplit('/').next().unwrap_or(text);
    last.contains(':')
}

/// Reads the two fields.
pub fn plan(source: &str, target: &str) -> Result<CopyPlan, ImportError> {
    let (source, target) = (source.trim(), target.trim());
    if source.is_empty() {
        return Err(ImportError::SourceEmpty);
    }
    let source = Reference::parse(source).map_err(ImportError::Source)?;
    if target.is_empty() {
        return Err(ImportError::TargetEmpty);
    }
    if target.contains('@') {
        return Err(ImportError::TargetDigest);
    }
    let parsed = Reference::parse(target).map_err(ImportError::Target)?;
    if names_tag(target) {
        return Ok(CopyPlan {
            source,
            target: parsed,
        });
    }

    let repository = format!("{}/{}", parsed.registry(), parsed.repository());
    let text = match (source.tag(), source.digest()) {
        (Some(tag), _) => format!("{repository}:{tag}"),
        (None, Some(digest)) => format!("{repository}@{digest}"),
        (None, None) => repository,
    };
    let target = Reference::parse(&text).map_err(ImportError::Target)?;
    Ok(CopyPlan { source, target })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:8b1ea59b2e9b1e0b1b1a7c2c6a1f7b5c3b0d5c2a4e1f0a9b8c7d6e5f4a3b2c1d";

    #[test]
    fn targets_take_a_tag_from_the_source_when_none_is_typed() {
        let table: &[(&str, &str, Option<&str>, bool)] = &[
            (
                "127.0.0.1:5000/demo/app:multi",
                "127.0.0.1:5000/demo/copy:v2",
                Some("v2"),
                false,
            ),
            (
                "127.0.0.1:5000/demo/app:multi",
                "127.0.0.1:5000/demo/copy",
                Some("multi"),
                false,
            ),
            ("demo/app:1", "other:5000/x", Some("1"), false),
        ];
        for (source, target, tag, by_digest) in table {
            let copy = plan(source, target).expect(target);

            assert_eq!(copy.target.tag(), *tag, "{target}");
            assert_eq!(copy.target.digest().is_some(), *by_digest, "{target}");
        }

        let by_digest = plan(
            &format!("127.0.0.1:5000/demo/app@{DIGEST}"),
            "127.0.0.1:5000/demo/copy",
        )
        .expect("a digest source");
        assert_eq!(by_digest.target.tag(), None);
        assert_eq!(by_digest.target.repository(), "demo/copy");
        assert_eq!(
            by_digest.label(),
            format!(
                "copy of 127.0.0.1:5000/demo/app@{DIGEST} to 127.0.0.1:5000/demo/copy@{DIGEST}"
            )
        );
    }

    #[test]
    fn what_names_nothing_to_copy_says_why() {
        let digest_target = format!("x/z@{DIGEST}");
        let table: &[(&str, &str, ImportError)] = &[
            ("", "x/y", ImportError::SourceEmpty),
            ("x/y:1", " ", ImportError::TargetEmpty),
            ("x/y:1", &digest_target, ImportError::TargetDigest),
        ];
        for (source, target, want) in table {
            assert_eq!(plan(source, target), Err(want.clone()), "{source} {target}");
        }
        assert!(matches!(
            plan("Bad Ref", "x/y"),
            Err(ImportError::Source(_))
        ));
        assert!(matches!(
            plan("x/y:1", "Bad Ref"),
            Err(ImportError::Target(_))
        ));
    }
}
