//! The page's state and the one reducer that changes it.
//!
//! - The document comes from a [`Source`]: text typed, pasted or loaded
//!   from an example (hashed as its UTF-8 bytes), or a file (its exact
//!   bytes). Editing the text of a file turns it into text.
//! - Every change that needs a new inspection raises [`AppState::revision`].
//!   Inspection runs later, off the input handler
//!   ([`crate::hooks::use_inspection`]); its answer is kept only if no
//!   newer change came in meanwhile.
//! - Each piece of work that takes time has its life as an enum:
//!   [`Inspection`] and [`FileRead`].
//! - What the user typed into the other fields (Content-Type, expected
//!   digest, the platform question) lives here too, so that it can be saved
//!   and put in the URL.

use std::rc::Rc;

use polyarch_core::inspect::{InspectOptions, Report};
use yew::Reducible;

use crate::rows::{self, Row};

/// A value shared between renders, compared by identity: a new inspection
/// is a new value even when it says the same.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Where the document's bytes come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Nothing yet.
    Empty,
    /// Text from the text area or an example: hashed as UTF-8.
    Text(Rc<str>),
    /// A file, chosen or dropped: its exact bytes.
    File {
        /// The file's name.
        name: String,
        /// Its bytes, unchanged.
        bytes: Rc<[u8]>,
    },
}

impl Source {
    /// The bytes that are hashed and inspected.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Source::Empty => &[],
            Source::Text(text) => text.as_bytes(),
            Source::File { bytes, .. } => bytes,
        }
    }

    /// The text to show in the text area (a file's bytes decoded as UTF-8,
    /// with U+FFFD where they are not).
    pub fn display_text(&self) -> Rc<str> {
        match self {
            Source::Empty => Rc::from(""),
            Source::Text(text) => Rc::clone(text),
            Source::File { bytes, .. } => Rc::from(String::from_utf8_lossy(bytes).as_ref()),
        }
    }
}

/// The life of one inspection.
#[derive(Debug, Clone, PartialEq)]
pub enum Inspection {
    /// There is no document.
    Idle,
    /// A change is waiting for typing to pause, or being inspected.
    Loading,
    /// The report for the current revision.
    Loaded {
        /// What core found.
        report: Shared<Report>,
        /// The Platforms table's rows.
        rows: Shared<Vec<Row>>,
        /// How long inspection took, in milliseconds.
        took_ms: f64,
    },
}

/// The life of reading a chosen or dropped file.
#[derive(Debug, Clone, PartialEq)]
pub enum FileRead {
    /// No file is being read.
    Idle,
    /// The browser is reading this file.
    Loading {
        /// Its name.
        name: String,
    },
    /// The last file could not be read.
    Failed {
        /// Its name.
        name: String,
        /// Why, as the browser said.
        message: String,
    },
}

/// The question "which entry is pulled?".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlatformQuery {
    /// The platform as typed, `linux/arm/v6`.
    pub platform: String,
    /// A Windows host's version, `10.0.17763.1697`.
    pub os_version: String,
    /// No fallback (containerd's `OnlyStrict`).
    pub strict: bool,
}

/// Everything the page knows.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// The document.
    pub source: Source,
    /// Whether the text area holds text newer than [`AppState::source`].
    pub editor_dirty: bool,
    /// Raised whenever the text area must be given [`Source::display_text`].
    pub editor_sync: u64,
    /// Raised by every change that needs a new inspection.
    pub revision: u64,
    /// Whether the latest change was typing, which waits for a pause.
    pub debounce: bool,
    /// The last inspection.
    pub inspection: Inspection,
    /// Reading a file.
    pub file_read: FileRead,
    /// The Content-Type field.
    pub content_type: String,
    /// The expected digest field.
    pub expected_digest: String,
    /// The platform question.
    pub query: PlatformQuery,
    /// The Platforms table's filter.
    pub filter: String,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            source: Source::Empty,
            editor_dirty: false,
            editor_sync: 0,
            revision: 0,
            debounce: false,
            inspection: Inspection::Idle,
            file_read: FileRead::Idle,
            content_type: String::new(),
            expected_digest: String::new(),
            query: PlatformQuery::default(),
            filter: String::new(),
        }
    }
}

impl AppState {
    /// The options for core's `inspect`, from the fields.
    pub fn inspect_options(&self) -> InspectOptions {
        let field = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        InspectOptions {
            content_type: field(&self.content_type),
            expected_digest: field(&self.expected_digest),
        }
    }

    /// Marks a change that needs a new inspection; typing (`debounce`)
    /// waits for a pause first.
    fn changed(mut self, debounce: bool) -> Self {
        self.revision += 1;
        self.debounce = debounce;
        self.inspection = Inspection::Loading;
        self
    }
}

/// Every change to [`AppState`].
#[derive(Debug, Clone)]
pub enum Action {
    /// The user typed in the text area; its text is read when inspecting.
    Typed,
    /// Put this text in the text area and inspect it (an example, a link).
    LoadText(Rc<str>),
    /// The browser started reading a file.
    FileLoading(String),
    /// A file's bytes.
    FileLoaded {
        /// Its name.
        name: String,
        /// Its exact bytes.
        bytes: Rc<[u8]>,
    },
    /// A file could not be read.
    FileFailed {
        /// Its name.
        name: String,
        /// Why.
        message: String,
    },
    /// Empty the text area.
    Clear,
    /// The Content-Type field changed.
    ContentType(String),
    /// The expected digest field changed.
    ExpectedDigest(String),
    /// The platform field changed.
    QueryPlatform(String),
    /// The OS version field changed.
    QueryOsVersion(String),
    /// The strict switch changed.
    QueryStrict(bool),
    /// The table filter changed.
    Filter(String),
    /// An inspection finished.
    Inspected {
        /// The revision it was started for.
        revision: u64,
        /// The text read from the text area, when it was dirty.
        text: Option<Rc<str>>,
        /// What core found.
        report: Rc<Report>,
        /// How long it took, in milliseconds.
        took_ms: f64,
    },
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let state = (*self).clone();
        let next = match action {
            Action::Typed => AppState {
                editor_dirty: true,
                ..state
            }
            .changed(true),
            Action::LoadText(text) => AppState {
                source: Source::Text(text),
                editor_dirty: false,
                editor_sync: state.editor_sync + 1,
                file_read: FileRead::Idle,
                ..state
            }
            .changed(false),
            Action::FileLoading(name) => AppState {
                file_read: FileRead::Loading { name },
                ..state
            },
            Action::FileLoaded { name, bytes } => AppState {
                source: Source::File { name, bytes },
                editor_dirty: false,
                editor_sync: state.editor_sync + 1,
                file_read: FileRead::Idle,
                ..state
            }
            .changed(false),
            Action::FileFailed { name, message } => AppState {
                file_read: FileRead::Failed { name, message },
                ..state
            },
            Action::Clear => AppState {
                source: Source::Empty,
                editor_dirty: false,
                editor_sync: state.editor_sync + 1,
                file_read: FileRead::Idle,
                ..state
            }
            .changed(false),
            Action::ContentType(content_type) => AppState {
                content_type,
                ..state
            }
            .changed(true),
            Action::ExpectedDigest(expected_digest) => AppState {
                expected_digest,
                ..state
            }
            .changed(true),
            Action::QueryPlatform(platform) => AppState {
                query: PlatformQuery {
                    platform,
                    ..state.query.clone()
                },
                ..state
            },
            Action::QueryOsVersion(os_version) => AppState {
                query: PlatformQuery {
                    os_version,
                    ..state.query.clone()
                },
                ..state
            },
            Action::QueryStrict(strict) => AppState {
                query: PlatformQuery {
                    strict,
                    ..state.query.clone()
                },
                ..state
            },
            Action::Filter(filter) => AppState { filter, ..state },
            Action::Inspected {
                revision,
                text,
                report,
                took_ms,
            } => {
                if revision != state.revision {
                    return self;
                }
                let source = match text {
                    Some(text) => Source::Text(text),
                    None => state.source.clone(),
                };
                let inspection = if source.bytes().is_empty() {
                    Inspection::Idle
                } else {
                    let rows = rows::rows(&report.entries);
                    Inspection::Loaded {
                        report: Shared(report),
                        rows: Shared(Rc::new(rows)),
                        took_ms,
                    }
                };
                AppState {
                    source,
                    editor_dirty: false,
                    inspection,
                    ..state
                }
            }
        };
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use polyarch_core::inspect::inspect;

    use super::*;

    fn inspected(state: &Rc<AppState>, text: Option<&str>) -> Action {
        let bytes = text.map(str::as_bytes).unwrap_or(state.source.bytes());
        Action::Inspected {
            revision: state.revision,
            text: text.map(Rc::from),
            report: Rc::new(inspect(bytes, &state.inspect_options())),
            took_ms: 1.0,
        }
    }

    #[test]
    fn typing_waits_and_the_text_is_read_when_inspecting() {
        let state = Rc::new(AppState::default());

        let typing = state.reduce(Action::Typed);
        assert!(typing.editor_dirty && typing.debounce);
        assert_eq!(typing.inspection, Inspection::Loading);

        let action = inspected(&typing, Some("{}"));
        let done = typing.reduce(action);
        assert_eq!(done.source, Source::Text(Rc::from("{}")));
        assert!(!done.editor_dirty);
        assert!(matches!(done.inspection, Inspection::Loaded { .. }));
    }

    #[test]
    fn a_stale_inspection_is_dropped() {
        let state = Rc::new(AppState::default()).reduce(Action::Typed);
        let stale = inspected(&state, Some("{"));

        let newer = state.reduce(Action::Typed);
        let after = Rc::clone(&newer).reduce(stale);

        assert!(Rc::ptr_eq(&newer, &after));
        assert_eq!(after.inspection, Inspection::Loading);
    }

    #[test]
    fn a_file_keeps_its_exact_bytes() {
        let bytes: Rc<[u8]> = Rc::from(&b"{\r\n\"a\":1}\xff"[..]);
        let state = Rc::new(AppState::default());

        let loaded = state.reduce(Action::FileLoaded {
            name: "list.json".into(),
            bytes: Rc::clone(&bytes),
        });
        let action = inspected(&loaded, None);
        let done = loaded.reduce(action);

        assert_eq!(done.source.bytes(), &*bytes);
        assert_eq!(&*done.source.display_text(), "{\r\n\"a\":1}\u{fffd}");
        assert!(!done.debounce);
        assert_eq!(done.editor_sync, 1);
    }

    #[test]
    fn the_fields_become_inspect_options() {
        let state = Rc::new(AppState::default())
            .reduce(Action::ContentType(" application/json ".into()))
            .reduce(Action::ExpectedDigest("  ".into()));

        let options = state.inspect_options();

        assert_eq!(options.content_type.as_deref(), Some("application/json"));
        assert_eq!(options.expected_digest, None);
        assert_eq!(state.revision, 2);
    }

    #[test]
    fn an_empty_document_is_idle() {
        let state = Rc::new(AppState::default()).reduce(Action::Clear);

        let action = inspected(&state, None);
        let done = state.reduce(action);

        assert_eq!(done.inspection, Inspection::Idle);
    }
}
