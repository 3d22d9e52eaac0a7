//! What the builder and the import keep across reloads, in the browser's
//! `localStorage`, each under its own key:
//!
//! | key | holds |
//! |---|---|
//! | [`BUILDER_KEY`] | the builder's inputs: target, source field, format, indentation, list annotations, an opened list's `artifactType` and `subject`, and each row's reference, fields and (when ready) entry |
//! | [`BUILDER_TRANSFER_KEY`] | an unfinished push: the core's [`Transfer`] as JSON, with what it is and why it stopped |
//! | [`IMPORT_KEY`] | the import's source and target |
//! | [`IMPORT_TRANSFER_KEY`] | an unfinished import |
//!
//! Credentials are never among them (they live in the session; see
//! [`crate::registry::remember`]). A ready row keeps its entry, so that a
//! reload shows the same preview without fetching again; a row that was
//! loading, failed or picking from an index is fetched again. A row that
//! was awaiting "replace or keep both" asks again. What cannot be read is
//! ignored, so a damaged entry never stops the page: a damaged row entry
//! makes that row load again, and a damaged `artifactType` or `subject` is
//! dropped, while the rest is kept.

use polyarch_core::assemble::{Format, NewEntry};
use polyarch_core::descriptor::Annotations;
use polyarch_core::platform::Platform;
use polyarch_core::transfer::{Repository, Transfer};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use super::fields::RowFields;
use super::state::{BuilderState, Kept, Load, Opening, Row, Via};

/// The builder's inputs.
pub const BUILDER_KEY: &str = "polyarch.builder";
/// The builder's unfinished push.
pub const BUILDER_TRANSFER_KEY: &str = "polyarch.builder.transfer";
/// The import's inputs.
pub const IMPORT_KEY: &str = "polyarch.import";
/// The import's unfinished copy.
pub const IMPORT_TRANSFER_KEY: &str = "polyarch.import.transfer";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedPlatform {
    os: String,
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    os_version: Option<String>,
    #[serde(default)]
    os_features: Vec<String>,
    #[serde(default)]
    features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedEntry {
    media_type: String,
    digest: String,
    size: i64,
    #[serde(default)]
    platform: Option<SavedPlatform>,
    #[serde(default)]
    annotations: Vec<(String, String)>,
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    data: Option<String>,
}

impl From<&NewEntry> for SavedEntry {
    fn from(e: &NewEntry) -> Self {
        SavedEntry {
            media_type: e.media_type.clone(),
            digest: e.digest.clone(),
            size: e.size,
            platform: e.platform.as_ref().map(|p| SavedPlatform {
                os: p.os.clone(),
                architecture: p.architecture.clone(),
                variant: p.variant.clone(),
                os_version: p.os_version.clone(),
                os_features: p.os_features.clone(),
                features: p.features.clone(),
            }),
            annotations: e.annotations.0.clone(),
            artifact_type: e.artifact_type.clone(),
            urls: e.urls.clone(),
            data: e.data.clone(),
        }
    }
}

impl From<SavedEntry> for NewEntry {
    fn from(e: SavedEntry) -> Self {
        NewEntry {
            media_type: e.media_type,
            digest: e.digest,
            size: e.size,
            platform: e.platform.map(|p| Platform {
                os: p.os,
                architecture: p.architecture,
                variant: p.variant,
                os_version: p.os_version,
                os_features: p.os_features,
                features: p.features,
            }),
            annotations: Annotations(e.annotations),
            artifact_type: e.artifact_type,
            urls: e.urls,
            data: e.data,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum SavedVia {
    Manifest,
    Picked,
    Nested,
    Opened,
}

/// A stored value that cannot be read is `None`, rather than making the
/// whole stored text unreadable.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedRow {
    reference: String,
    #[serde(default, deserialize_with = "lenient")]
    entry: Option<SavedEntry>,
    #[serde(default)]
    via: Option<SavedVia>,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    os_version: String,
    #[serde(default)]
    os_features: String,
    #[serde(default)]
    features: String,
    #[serde(default)]
    annotations: String,
    #[serde(default)]
    awaiting: bool,
}

/// The builder's inputs, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SavedBuilder {
    target: String,
    source: String,
    format: Format,
    pretty: bool,
    list_annotations: String,
    #[serde(deserialize_with = "lenient")]
    artifact_type: Option<String>,
    #[serde(deserialize_with = "lenient")]
    subject: Option<SavedEntry>,
    #[serde(deserialize_with = "lenient")]
    subject_from: Option<Repository>,
    rows: Vec<SavedRow>,
}

impl SavedBuilder {
    /// What of `state` is kept.
    pub fn of(state: &BuilderState) -> SavedBuilder {
        let rows = state
            .rows
            .iter()
            .map(|row| {
                let (entry, via) = match &row.load {
                    Load::Ready { entry, via } => (
                        Some(SavedEntry::from(entry.as_ref())),
                        Some(match via {
                            Via::Manifest => SavedVia::Manifest,
                            Via::Picked => SavedVia::Picked,
                            Via::Nested => SavedVia::Nested,
                            Via::Opened => SavedVia::Opened,
                        }),
                    ),
                    _ => (None, None),
                };
                SavedRow {
                    reference: row.reference.clone(),
                    entry,
                    via,
                    variant: row.fields.variant.clone(),
                    os_version: row.fields.os_version.clone(),
                    os_features: row.fields.os_features.clone(),
                    features: row.fields.features.clone(),
                    annotations: row.fields.annotations.clone(),
                    awaiting: row.awaiting,
                }
            })
            .collect();
        SavedBuilder {
            target: state.target.clone(),
            source: state.source.clone(),
            format: state.format,
            pretty: state.pretty,
            list_annotations: state.list_annotations.clone(),
            artifact_type: state.kept.artifact_type.clone(),
            subject: state.kept.subject.as_deref().map(SavedEntry::from),
            subject_from: state.kept.from.clone(),
            rows,
        }
    }

    /// The state it was saved from; rows without an entry load again.
    pub fn restore(self) -> BuilderState {
        let mut state = BuilderState {
            target: self.target,
            source: self.source,
            format: self.format,
            pretty: self.pretty,
            list_annotations: self.list_annotations,
            kept: Kept {
                artifact_type: self.artifact_type,
                subject: self.subject.map(|s| Box::new(s.into())),
                from: self.subject_from,
            },
            opening: Opening::Idle,
            ..BuilderState::default()
        };
        for saved in self.rows {
            let id = state.next_id;
            state.next_id += 1;
            let fields = RowFields {
                variant: saved.variant,
                os_version: saved.os_version,
                os_features: saved.os_features,
                features: saved.features,
                annotations: saved.annotations,
            };
            let load = match (saved.entry, saved.via) {
                (Some(entry), via) => Load::Ready {
                    entry: Box::new(entry.into()),
                    via: match via {
                        Some(SavedVia::Picked) => Via::Picked,
                        Some(SavedVia::Nested) => Via::Nested,
                        Some(SavedVia::Opened) => Via::Opened,
                        Some(SavedVia::Manifest) | None => Via::Manifest,
                    },
                },
                (None, _) => Load::Loading,
            };
            let ready = matches!(load, Load::Ready { .. });
            let fields = if ready { fields } else { RowFields::default() };
            state.rows.push(Row {
                id,
                reference: saved.reference,
                load,
                fields,
                awaiting: saved.awaiting && ready,
            });
        }
        state
    }

    /// The stored text.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The inputs in a stored text; `None` when it cannot be read.
    pub fn decode(text: &str) -> Option<SavedBuilder> {
        serde_json::from_str(text).ok()
    }
}

/// The import's inputs, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SavedImport {
    /// The source reference, as typed.
    pub source: String,
    /// The target reference, as typed.
    pub target: String,
}

/// An unfinished transfer, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedTransfer {
    /// What it does, for people: `push to 127.0.0.1:5000/demo/app:multi`.
    pub label: String,
    /// Why it stopped, when it did, in words.
    #[serde(default)]
    pub note: Option<String>,
    /// The plan, where it stands.
    pub transfer: Transfer,
}

/// [`SavedTransfer`]'s stored shape, borrowed, so that a running transfer
/// is written without being cloned.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SavedTransferRef<'a> {
    label: &'a str,
    note: Option<&'a str>,
    transfer: &'a Transfer,
}

impl SavedTransfer {
    /// The stored text of a transfer with its label and note.
    pub fn encode_parts(label: &str, note: Option<&str>, transfer: &Transfer) -> String {
        let saved = SavedTransferRef {
            label,
            note,
            transfer,
        };
        serde_json::to_string(&saved).unwrap_or_default()
    }

    /// The transfer in a stored text; `None` when it cannot be read.
    pub fn decode(text: &str) -> Option<SavedTransfer> {
        serde_json::from_str(text).ok()
    }
}

/// The text stored under `key`.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Stores `text` under `key`; a refusal (quota, private mode) only loses
/// it.
pub fn save(key: &str, text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, text);
    }
}

/// Removes what is stored under `key`.
pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::fields::Field;
    use crate::builder::state::{BuilderAction, Loaded};
    use polyarch_core::transfer::Options;

    fn entry(n: u8, platform: &str) -> NewEntry {
        let mut entry = crate::builder::state::tests::entry(n, platform);
        entry.annotations.0.push(("a".into(), "1".into()));
        entry
    }

    fn state() -> BuilderState {
        BuilderState::default()
            .apply(BuilderAction::SetTarget(
                "127.0.0.1:5000/demo/app:multi".into(),
            ))
            .apply(BuilderAction::SetFormat(Format::Oci))
            .apply(BuilderAction::SetPretty(true))
            .apply(BuilderAction::SetListAnnotations("x=y".into()))
            .apply(BuilderAction::SetSource("demo/app:amd64".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::Loaded {
                id: 1,
                outcome: Box::new(Ok(Loaded::Entry(Box::new(entry(1, "linux/amd64"))))),
            })
            .apply(BuilderAction::SetSource("demo/app:slow".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::SetSource("demo/app:arm64".into()))
            .apply(BuilderAction::Add)
            .apply(BuilderAction::Loaded {
                id: 3,
                outcome: Box::new(Ok(Loaded::Entry(Box::new(entry(3, "linux/amd64"))))),
            })
            .apply(BuilderAction::SetField {
                id: 1,
                field: Field::OsFeatures,
                value: "f1, f2".into(),
            })
            .apply(BuilderAction::SetSource("half typed".into()))
    }

    #[test]
    fn the_inputs_survive_a_reload() {
        let before = state();

        let text = SavedBuilder::of(&before).encode();
        let after = SavedBuilder::decode(&text).expect("readable").restore();

        assert_eq!(after.target, before.target);
        assert_eq!(after.source, "half typed");
        assert_eq!((after.format, after.pretty), (Format::Oci, true));
        assert_eq!(after.list_annotations, "x=y");
        assert_eq!(after.rows.len(), 3);
        assert_eq!(after.rows[0].entry(), before.rows[0].entry());
        assert_eq!(after.rows[0].fields, before.rows[0].fields);
        assert_eq!(after.loading(), vec![(2, "demo/app:slow".to_owned())]);
        assert!(after.rows[2].awaiting);
        assert_eq!(SavedBuilder::of(&after), SavedBuilder::of(&before));
    }

    #[test]
    fn an_opened_lists_artifact_type_and_subject_survive_a_reload() {
        let mut before = state();
        before.kept = Kept {
            artifact_type: Some("application/vnd.example+type".into()),
            subject: Some(Box::new(entry(9, "linux/amd64"))),
            from: Some(Repository::new("127.0.0.1:5000", "demo/app")),
        };

        let text = SavedBuilder::of(&before).encode();
        let after = SavedBuilder::decode(&text).expect("readable").restore();
        let older = SavedBuilder::decode(r#"{"target":"127.0.0.1:5000/demo/app:multi"}"#)
            .expect("readable")
            .restore();

        assert_eq!(after.kept, before.kept);
        assert!(older.kept.is_empty());
    }

    #[test]
    fn a_damaged_subject_or_entry_is_dropped_and_the_rest_kept() {
        let mut before = state();
        before.kept.subject = Some(Box::new(entry(9, "linux/amd64")));
        let mut stored: serde_json::Value =
            serde_json::from_str(&SavedBuilder::of(&before).encode()).expect("JSON");
        stored["subject"]["size"] = serde_json::json!(1e30);
        stored["artifactType"] = serde_json::json!(5);
        stored["rows"][0]["entry"]["digest"] = serde_json::json!(["not", "a", "string"]);

        let after = SavedBuilder::decode(&stored.to_string())
            .expect("readable")
            .restore();

        assert!(after.kept.is_empty(), "{:?}", after.kept);
        assert_eq!(after.target, before.target);
        assert_eq!(after.list_annotations, "x=y");
        assert_eq!(after.rows.len(), 3);
        assert_eq!(after.rows[0].reference, "demo/app:amd64");
        assert!(matches!(after.rows[0].load, Load::Loading));
    }

    #[test]
    fn damaged_text_gives_nothing() {
        for text in ["", "{", "[1]", "null", r#"{"rows":[{"entry":1}]}"#] {
            assert_eq!(SavedBuilder::decode(text), None, "{text}");
        }
        assert_eq!(
            SavedBuilder::decode("{}").map(SavedBuilder::restore),
            Some(BuilderState::default())
        );
    }

    #[test]
    fn a_transfer_round_trips() {
        let target = Repository::new("127.0.0.1:5000", "demo/app");
        let transfer = Transfer::push_list(
            &target,
            "v1",
            b"{}".to_vec(),
            "application/vnd.oci.image.index.v1+json",
            Vec::new(),
            Options::default(),
        );
        let text = SavedTransfer::encode_parts("push", Some("stopped"), &transfer);

        let back = SavedTransfer::decode(&text).expect("readable");

        assert_eq!(back.label, "push");
        assert_eq!(back.note.as_deref(), Some("stopped"));
        assert_eq!(back.transfer.target(), &target);
        assert!(SavedTransfer::decode("{\"label\":1}").is_none());
    }

    #[test]
    fn every_cut_short_saved_text_is_ignored() {
        let text = SavedBuilder::of(&state()).encode();

        for cut in (0..text.len()).filter(|&at| text.is_char_boundary(at)) {
            let prefix = &text[..cut];
            assert_eq!(SavedBuilder::decode(prefix), None, "{prefix}");
            assert!(SavedTransfer::decode(prefix).is_none(), "{prefix}");
        }

        assert!(SavedBuilder::decode(&text).is_some());
    }
}
