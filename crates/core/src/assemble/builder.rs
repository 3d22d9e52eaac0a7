//! The index being edited: entries in order, the edits, and the build
//! that checks them, chooses the format and writes the document.

use std::fmt;

use super::entry::{EntryPatch, EntryProblem, NewEntry};
use super::entry::{annotation_map, problems, set_annotation};
use super::findings::{Place, Plan, finish};
use super::write::{self, DockerEntry, DockerList, OciDescriptor, OciIndex, PlatformSpec};
use super::{Assembled, BuildOptions, Format};
use crate::descriptor::Annotations;
use crate::diagnostic::Rule;
use crate::media_type::{self, DOCKER_MANIFEST_LIST, Family, MediaType, OCI_INDEX};
use crate::platform::Platform;

/// Why an edit could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditError {
    /// There is no entry at `position`.
    NoEntry {
        /// The position asked for.
        position: usize,
        /// How many entries there are.
        len: usize,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NoEntry { position, len } => {
                write!(f, "there is no entry {position}: the index has {len}")
            }
        }
    }
}

impl std::error::Error for EditError {}

/// What [`IndexBuilder::amend`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amended {
    /// Where the new entry is.
    pub position: usize,
    /// How many entries it replaced: 0 when it was appended.
    pub replaced: usize,
}

/// An index being edited; see the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexBuilder {
    entries: Vec<NewEntry>,
    pub(super) annotations: Annotations,
    artifact_type: Option<String>,
    subject: Option<NewEntry>,
}

impl IndexBuilder {
    /// An empty index.
    pub fn new() -> Self {
        IndexBuilder::default()
    }

    /// An index with `entries`, in order.
    pub fn with_entries(entries: impl IntoIterator<Item = NewEntry>) -> Self {
        IndexBuilder {
            entries: entries.into_iter().collect(),
            ..IndexBuilder::default()
        }
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[NewEntry] {
        &self.entries
    }

    /// The index's own annotations.
    pub fn annotations(&self) -> &Annotations {
        &self.annotations
    }

    /// The index's `artifactType`, as set.
    pub fn artifact_type(&self) -> Option<&str> {
        self.artifact_type.as_deref()
    }

    /// The index's `subject`, as set.
    pub fn subject(&self) -> Option<&NewEntry> {
        self.subject.as_ref()
    }

    /// Appends `entry`, even when an entry for its platform exists, and
    /// returns its position.
    pub fn add(&mut self, entry: NewEntry) -> usize {
        self.entries.push(entry);
        self.entries.len() - 1
    }

    /// Puts `entry` in the place of the entry for the same platform (by
    /// digest for an entry without a platform or an attestation), removing
    /// any further entries for it; appends it when there is none.
    pub fn amend(&mut self, entry: NewEntry) -> Amended {
        let key = entry.platform_key();
        let same = |other: &NewEntry| match &key {
            Some(key) => other.platform_key().as_ref() == Some(key),
            None => other.platform_key().is_none() && other.digest == entry.digest,
        };
        let matches: Vec<usize> = (0..self.entries.len())
            .filter(|&i| same(&self.entries[i]))
            .collect();

        let Some(&first) = matches.first() else {
            return Amended {
                position: self.add(entry),
                replaced: 0,
            };
        };
        for &i in matches.iter().skip(1).rev() {
            self.entries.remove(i);
        }
        self.entries[first] = entry;
        Amended {
            position: first,
            replaced: matches.len(),
        }
    }

    /// Takes out the entry at `position`.
    ///
    /// # Errors
    ///
    /// [`EditError::NoEntry`] when there is no such entry.
    pub fn remove(&mut self, position: usize) -> Result<NewEntry, EditError> {
        self.check(position)?;
        Ok(self.entries.remove(position))
    }

    /// Moves the entry at `from` so that it ends up at `to`; the entries in
    /// between shift by one.
    ///
    /// # Errors
    ///
    /// [`EditError::NoEntry`] when either position is not an entry's.
    pub fn move_entry(&mut self, from: usize, to: usize) -> Result<(), EditError> {
        self.check(from)?;
        self.check(to)?;
        let entry = self.entries.remove(from);
        self.entries.insert(to, entry);
        Ok(())
    }

    /// Applies `patch` to the entry at `position`.
    ///
    /// # Errors
    ///
    /// [`EditError::NoEntry`] when there is no such entry.
    pub fn annotate(&mut self, position: usize, patch: &EntryPatch) -> Result<(), EditError> {
        self.check(position)?;
        patch.apply(&mut self.entries[position]);
        Ok(())
    }

    /// Sets the index annotation `key` to `value`, or removes it with `None`.
    pub fn set_annotation(&mut self, key: &str, value: Option<&str>) {
        set_annotation(&mut self.annotations, key, value);
    }

    /// Sets or clears the index's `artifactType`.
    pub fn set_artifact_type(&mut self, artifact_type: Option<String>) {
        self.artifact_type = artifact_type;
    }

    /// Sets or clears the index's `subject`; a platform on it is not written.
    pub fn set_subject(&mut self, subject: Option<NewEntry>) {
        self.subject = subject;
    }

    /// The position of the first entry for `platform`, compared normalised.
    pub fn position_of(&self, platform: &Platform) -> Option<usize> {
        let probe = NewEntry {
            platform: Some(platform.clone()),
            ..NewEntry::default()
        };
        let key = probe.platform_key()?;
        self.entries
            .iter()
            .position(|e| e.platform_key().as_ref() == Some(&key))
    }

    fn check(&self, position: usize) -> Result<(), EditError> {
        if position < self.entries.len() {
            Ok(())
        } else {
            Err(EditError::NoEntry {
                position,
                len: self.entries.len(),
            })
        }
    }

    /// Writes the document; see the module doc for the rules.
    pub fn build(&self, options: &BuildOptions) -> Assembled {
        let mut plan = Plan::default();

        let mut accepted = Vec::with_capacity(self.entries.len());
        for (position, entry) in self.entries.iter().enumerate() {
            let found = problems(entry);
            if found.is_empty() {
                accepted.push(position);
            }
            for problem in found {
                plan.refuse(position, entry, &problem);
            }
        }
        let subject = self.subject.as_ref().filter(|s| {
            let mut found = problems(s);
            found.retain(|p| !matches!(p, EntryProblem::PlatformIncomplete { .. }));
            for problem in &found {
                plan.note(
                    Rule::AssemblyEntryInvalid,
                    Place::Root,
                    format!("the subject is left out: {problem}"),
                );
            }
            found.is_empty()
        });
        let artifact_type = self.artifact_type.as_deref().filter(|t| {
            let parsed = media_type::parse(t);
            if let Err(e) = &parsed {
                plan.note(
                    Rule::AssemblyEntryInvalid,
                    Place::Root,
                    format!("the index's artifactType \"{t}\" is left out: {e}"),
                );
            }
            parsed.is_ok()
        });
        let parts = IndexParts {
            accepted: &accepted,
            subject,
            artifact_type,
        };

        let format = match options.format {
            Format::Auto => {
                let (format, why) = self.choose(&parts);
                plan.note(Rule::AssemblyFormatChosen, Place::Root, why);
                format
            }
            chosen => chosen,
        };

        let written = match format {
            Format::Docker => self.write_docker(&parts, options.pretty, &mut plan),
            Format::Oci | Format::Auto => self.write_oci(&parts, options.pretty, &mut plan),
        };
        plan.duplicates();
        finish(written, format, plan)
    }

    /// The format `auto` picks for the accepted entries, and why.
    fn choose(&self, parts: &IndexParts<'_>) -> (Format, String) {
        let oci = |why: String| (Format::Oci, format!("written as an OCI index: {why}"));
        if parts.accepted.is_empty() {
            return oci("there are no entries".to_owned());
        }
        for &i in parts.accepted {
            let entry = &self.entries[i];
            let media_type = MediaType::new(&entry.media_type);
            let docker_child = (media_type.is_manifest() || media_type.is_index())
                && media_type.family() == Some(Family::Docker);
            if !docker_child {
                return oci(format!("entry {i} is {}", entry.media_type));
            }
            if entry.platform.is_none() {
                return oci(format!("entry {i} has no platform"));
            }
            if !entry.annotations.is_empty() {
                return oci(format!("entry {i} has annotations"));
            }
            if entry.artifact_type.is_some() {
                return oci(format!("entry {i} has an artifactType"));
            }
            if !entry.urls.is_empty() || entry.data.is_some() {
                return oci(format!("entry {i} has urls or data"));
            }
        }
        if !self.annotations.is_empty() {
            return oci("the index has annotations".to_owned());
        }
        if parts.artifact_type.is_some() {
            return oci("the index has an artifactType".to_owned());
        }
        if parts.subject.is_some() {
            return oci("the index has a subject".to_owned());
        }
        (
            Format::Docker,
            "written as a Docker manifest list: every entry is a Docker image with a platform, \
             and nothing carries annotations"
                .to_owned(),
        )
    }

    fn write_oci(
        &self,
        parts: &IndexParts<'_>,
        pretty: bool,
        plan: &mut Plan,
    ) -> Result<String, serde_json::Error> {
        let mut index = OciIndex::new(OCI_INDEX);
        index.artifact_type = parts.artifact_type;

        for &position in parts.accepted {
            let entry = &self.entries[position];
            let at = plan.keep(position, entry);
            let (annotations, repeated) = annotation_map(&entry.annotations);
            for key in repeated {
                plan.note(
                    Rule::AssemblyAnnotationRepeated,
                    Place::EntryAnnotations(at),
                    format!(
                        "entry {position} has annotation \"{key}\" twice: the last value is written"
                    ),
                );
            }
            index.manifests.push(OciDescriptor {
                media_type: &entry.media_type,
                digest: &entry.digest,
                size: entry.size,
                urls: &entry.urls,
                annotations,
                data: entry.data.as_deref(),
                platform: entry.platform.as_ref().map(PlatformSpec::from),
                artifact_type: entry.artifact_type.as_deref(),
            });
        }

        if let Some(subject) = parts.subject {
            if let Some(platform) = &subject.platform {
                plan.note(
                    Rule::AssemblyFormatLoss,
                    Place::Subject,
                    format!(
                        "the subject's platform {} is not written: a subject names one manifest by \
                         digest and has no platform",
                        platform.format_all()
                    ),
                );
            }
            let (annotations, _) = annotation_map(&subject.annotations);
            index.subject = Some(OciDescriptor {
                media_type: &subject.media_type,
                digest: &subject.digest,
                size: subject.size,
                urls: &subject.urls,
                annotations,
                data: subject.data.as_deref(),
                platform: None,
                artifact_type: subject.artifact_type.as_deref(),
            });
        }

        let (annotations, repeated) = annotation_map(&self.annotations);
        for key in repeated {
            plan.note(
                Rule::AssemblyAnnotationRepeated,
                Place::IndexAnnotations,
                format!("the index has annotation \"{key}\" twice: the last value is written"),
            );
        }
        index.annotations = annotations;

        write::to_text(&index, pretty)
    }

    fn write_docker(
        &self,
        parts: &IndexParts<'_>,
        pretty: bool,
        plan: &mut Plan,
    ) -> Result<String, serde_json::Error> {
        let mut list = DockerList::new(DOCKER_MANIFEST_LIST);

        for &position in parts.accepted {
            let entry = &self.entries[position];
            let Some(platform) = &entry.platform else {
                plan.refuse(position, entry, &EntryProblem::PlatformRequired);
                continue;
            };
            let at = plan.keep(position, entry);
            let lost = docker_losses(entry);
            if !lost.is_empty() {
                plan.note(
                    Rule::AssemblyFormatLoss,
                    Place::Entry(at),
                    format!(
                        "entry {position} ({}): {}",
                        entry.platform_label(),
                        lost.join("; ")
                    ),
                );
            }
            list.manifests.push(DockerEntry {
                media_type: &entry.media_type,
                size: entry.size,
                digest: &entry.digest,
                platform: PlatformSpec::from(platform),
            });
        }

        let mut dropped = Vec::new();
        if !self.annotations.is_empty() {
            let keys: Vec<&str> = annotation_map(&self.annotations).0.into_keys().collect();
            dropped.push(format!("annotations {}", quoted(&keys)));
        }
        if let Some(artifact_type) = parts.artifact_type {
            dropped.push(format!("artifactType \"{artifact_type}\""));
        }
        if let Some(subject) = parts.subject {
            dropped.push(format!("subject {}", subject.digest));
        }
        if !dropped.is_empty() {
            plan.note(
                Rule::AssemblyFormatLoss,
                Place::Root,
                format!(
                    "a Docker manifest list has no index annotations, artifactType or subject; \
                     dropped: {}",
                    dropped.join(", ")
                ),
            );
        }

        write::to_text(&list, pretty)
    }
}

/// What passed the checks that hold for either format.
struct IndexParts<'a> {
    /// Builder positions of the entries without problems, in order.
    accepted: &'a [usize],
    subject: Option<&'a NewEntry>,
    artifact_type: Option<&'a str>,
}

/// What a Docker list entry cannot carry of `entry`, in words.
fn docker_losses(entry: &NewEntry) -> Vec<String> {
    let mut lost = Vec::new();
    if !entry.annotations.is_empty() {
        let keys: Vec<&str> = annotation_map(&entry.annotations).0.into_keys().collect();
        lost.push(format!("annotations {} dropped", quoted(&keys)));
    }
    if let Some(artifact_type) = &entry.artifact_type {
        lost.push(format!("artifactType \"{artifact_type}\" dropped"));
    }
    if !entry.urls.is_empty() {
        lost.push(format!(
            "urls {} dropped",
            quoted(&entry.urls.iter().map(String::as_str).collect::<Vec<_>>())
        ));
    }
    if entry.data.is_some() {
        lost.push("data dropped".to_owned());
    }
    let media_type = MediaType::new(&entry.media_type);
    if media_type.family() != Some(Family::Docker) {
        lost.push(format!(
            "{} is not a Docker type; kept as written, but Docker tools may refuse it",
            entry.media_type
        ));
    }
    lost
}

fn quoted(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
    quoted.join(", ")
}
