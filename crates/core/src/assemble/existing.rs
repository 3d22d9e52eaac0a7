//! Editing an index that exists, as `docker manifest create --amend` does:
//! the document is inspected and its entries, annotations, `artifactType`
//! and `subject` become a builder's.
//!
//! Built again with the same options, a document that polyarch wrote gives
//! the same bytes back: every entry keeps its `urls`, `data`, annotations
//! and `artifactType`. A `platform` on the `subject` is not kept, since a
//! subject names one manifest; building says so.

use std::fmt;

use super::{IndexBuilder, NewEntry};
use crate::descriptor::Descriptor;
use crate::diagnostic::Diagnostic;
use crate::inspect::{InspectOptions, Kind, inspect};

/// Why a document cannot be opened for editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// The document has errors: the diagnostics of
    /// [`inspect`](crate::inspect::inspect), errors only.
    Invalid {
        /// The errors, with their places.
        diagnostics: Vec<Diagnostic>,
    },
    /// The document is valid, but not an index or a manifest list.
    NotAnIndex {
        /// What it is.
        kind: Kind,
    },
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Invalid { diagnostics } => {
                write!(f, "the document has {} error(s)", diagnostics.len())?;
                if let Some(d) = diagnostics.first() {
                    write!(
                        f,
                        "; first, line {}, column {}: {}",
                        d.line, d.column, d.message
                    )?;
                }
                Ok(())
            }
            OpenError::NotAnIndex { kind } => write!(
                f,
                "expected an OCI index or a Docker manifest list, found {}",
                kind.as_str()
            ),
        }
    }
}

impl std::error::Error for OpenError {}

impl IndexBuilder {
    /// A builder holding what the index or manifest list `bytes` holds;
    /// `content_type` is the Content-Type it came with, if known.
    ///
    /// # Errors
    ///
    /// [`OpenError::Invalid`] when [`inspect`](crate::inspect::inspect)
    /// finds errors, [`OpenError::NotAnIndex`] for a manifest.
    pub fn from_document(bytes: &[u8], content_type: Option<&str>) -> Result<Self, OpenError> {
        let options = InspectOptions {
            content_type: content_type.map(str::to_owned),
            expected_digest: None,
        };
        let report = inspect(bytes, &options);
        if !report.valid {
            let diagnostics = report
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect();
            return Err(OpenError::Invalid { diagnostics });
        }
        if !report.kind.is_index() {
            return Err(OpenError::NotAnIndex { kind: report.kind });
        }

        let mut builder =
            IndexBuilder::with_entries(report.entries.iter().map(|e| entry_of(&e.descriptor)));
        for (key, value) in report.annotations.iter() {
            builder.set_annotation(key, Some(value));
        }
        builder.set_artifact_type(report.artifact_type);
        builder.set_subject(report.subject.as_ref().map(entry_of));
        Ok(builder)
    }
}

fn entry_of(descriptor: &Descriptor) -> NewEntry {
    NewEntry {
        media_type: descriptor.media_type.clone(),
        digest: descriptor.digest.clone(),
        size: descriptor.size.unwrap_or_default(),
        platform: descriptor.platform.clone(),
        annotations: descriptor.annotations.clone(),
        artifact_type: descriptor.artifact_type.clone(),
        urls: descriptor.urls.clone(),
        data: descriptor.data.clone(),
    }
}
