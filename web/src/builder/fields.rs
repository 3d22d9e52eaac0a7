//! The fields a row is annotated with, as typed, and the change to its
//! entry they make (the core's [`EntryPatch`], as `docker manifest annotate`
//! makes it).
//!
//! | field | written as | an empty field |
//! |---|---|---|
//! | variant | `v8`, trimmed | clears it |
//! | os.version | `10.0.17763.1697`, trimmed | clears it |
//! | os.features | items separated by commas: `win32k, foo` | clears them |
//! | features | items separated by commas: `sse4` | clears them |
//! | annotations | one `key=value` a line | removes them all |
//!
//! Items of a comma list are trimmed and empty items are dropped. An
//! annotation's key is trimmed; its value is everything after the first
//! `=`, as typed (a carriage return at the end of the line aside), so a
//! value may hold `=` and spaces. Blank lines are skipped. A line without
//! `=`, with an empty key, or repeating a key of an earlier line is an
//! error naming its line; the lines that read are applied all the same, so
//! that the preview follows the typing, but a row with an error cannot be
//! pushed.
//!
//! The platform fields apply only to an entry that has a platform (a nested
//! index has none); its annotations always apply.

use std::fmt;

use polyarch_core::assemble::{EntryPatch, NewEntry};
use polyarch_core::descriptor::Annotations;

/// Which field of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `variant`.
    Variant,
    /// `os.version`.
    OsVersion,
    /// `os.features`.
    OsFeatures,
    /// `features`.
    Features,
    /// The entry's annotations.
    Annotations,
}

impl Field {
    /// Every field, in the order the editor shows them.
    pub const ALL: [Field; 5] = [
        Field::Variant,
        Field::OsVersion,
        Field::OsFeatures,
        Field::Features,
        Field::Annotations,
    ];

    /// The name the field has in a document, and a stable id part.
    pub fn name(self) -> &'static str {
        match self {
            Field::Variant => "variant",
            Field::OsVersion => "os.version",
            Field::OsFeatures => "os.features",
            Field::Features => "features",
            Field::Annotations => "annotations",
        }
    }

    /// Whether the field changes the platform.
    pub fn is_platform(self) -> bool {
        !matches!(self, Field::Annotations)
    }

    /// An example value, for the field's placeholder.
    pub fn example(self) -> &'static str {
        match self {
            Field::Variant => "v8",
            Field::OsVersion => "10.0.17763.1697",
            Field::OsFeatures => "win32k, …",
            Field::Features => "sse4, …",
            Field::Annotations => "org.opencontainers.image.description=…",
        }
    }
}

/// What is wrong with one line of an annotations field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// The line has no `=`.
    NoEquals {
        /// The line as typed.
        text: String,
    },
    /// Nothing but white space stands before the `=`.
    EmptyKey,
    /// The key was given on an earlier line.
    Repeated {
        /// The key.
        key: String,
        /// The earlier line, from 1.
        first_line: usize,
    },
}

/// A line of an annotations field that does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub problem: LineProblem,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.problem {
            LineProblem::NoEquals { text } => {
                write!(f, "{text:?} has no \"=\"; write key=value")
            }
            LineProblem::EmptyKey => f.write_str("the key before \"=\" is empty"),
            LineProblem::Repeated { key, first_line } => {
                write!(f, "key {key:?} is already set on line {first_line}")
            }
        }
    }
}

/// Reads `key=value` lines; the pairs that read, in order, and the errors.
pub fn parse_annotations(text: &str) -> (Vec<(String, String)>, Vec<LineError>) {
    let mut pairs: Vec<(String, String, usize)> = Vec::new();
    let mut errors = Vec::new();

    for (at, raw) in text.split('\n').enumerate() {
        let line = at + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }

        let Some((key, value)) = raw.split_once('=') else {
            errors.push(LineError {
                line,
                problem: LineProblem::NoEquals {
                    text: raw.to_owned(),
                },
            });
            continue;
        };
        let key = key.trim();
        if key.is_empty() {
            errors.push(LineError {
                line,
                problem: LineProblem::EmptyKey,
            });
            continue;
        }
        if let Some((_, _, first_line)) = pairs.iter().find(|(k, _, _)| k == key) {
            errors.push(LineError {
                line,
                problem: LineProblem::Repeated {
                    key: key.to_owned(),
                    first_line: *first_line,
                },
            });
            continue;
        }
        pairs.push((key.to_owned(), value.to_owned(), line));
    }

    let pairs = pairs.into_iter().map(|(k, v, _)| (k, v)).collect();
    (pairs, errors)
}

/// `key=value` lines for `annotations`, as the field shows them.
pub fn annotation_lines(annotations: &Annotations) -> String {
    annotations
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The items of a comma list: trimmed, empty ones dropped.
pub fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A row's fields, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowFields {
    /// `variant`.
    pub variant: String,
    /// `os.version`.
    pub os_version: String,
    /// `os.features`, comma separated.
    pub os_features: String,
    /// `features`, comma separated.
    pub features: String,
    /// `key=value` lines.
    pub annotations: String,
}

impl RowFields {
    /// The fields that show what `entry` holds now.
    pub fn of(entry: &NewEntry) -> RowFields {
        let platform = entry.platform.as_ref();
        RowFields {
            variant: platform.and_then(|p| p.variant.clone()).unwrap_or_default(),
            os_version: platform
                .and_then(|p| p.os_version.clone())
                .unwrap_or_default(),
            os_features: platform
                .map(|p| p.os_features.join(", "))
                .unwrap_or_default(),
            features: platform.map(|p| p.features.join(", ")).unwrap_or_default(),
            annotations: annotation_lines(&entry.annotations),
        }
    }

    /// The text of `field`.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Variant => &self.variant,
            Field::OsVersion => &self.os_version,
            Field::OsFeatures => &self.os_features,
            Field::Features => &self.features,
            Field::Annotations => &self.annotations,
        }
    }

    /// Sets the text of `field`.
    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Variant => self.variant = value,
            Field::OsVersion => self.os_version = value,
            Field::OsFeatures => self.os_features = value,
            Field::Features => self.features = value,
            Field::Annotations => self.annotations = value,
        }
    }

    /// The errors of the annotations field.
    pub fn errors(&self) -> Vec<LineError> {
        parse_annotations(&self.annotations).1
    }

    /// The change that makes `base` say what the fields say.
    pub fn patch(&self, base: &NewEntry) -> EntryPatch {
        let (pairs, _) = parse_annotations(&self.annotations);
        let mut annotations: Vec<(String, Option<String>)> = base
            .annotations
            .iter()
            .filter(|(key, _)| !pairs.iter().any(|(k, _)| k == key))
            .map(|(key, _)| (key.to_owned(), None))
            .collect();
        annotations.extend(pairs.into_iter().map(|(k, v)| (k, Some(v))));

        if base.platform.is_none() {
            return EntryPatch {
                annotations,
                ..EntryPatch::default()
            };
        }
        EntryPatch {
            variant: Some(self.variant.trim().to_owned()),
            os_version: Some(self.os_version.trim().to_owned()),
            os_features: Some(parse_list(&self.os_features)),
            features: Some(parse_list(&self.features)),
            annotations,
            ..EntryPatch::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polyarch_core::assemble::IndexBuilder;
    use polyarch_core::platform::Platform;

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn annotation_lines_read() {
        let table: &[(&str, &[(&str, &str)])] = &[
            ("", &[]),
            ("\n  \n", &[]),
            ("a=b", &[("a", "b")]),
            (" a = b ", &[("a", " b ")]),
            ("a=b=c", &[("a", "b=c")]),
            ("a=", &[("a", "")]),
            ("a=1\r\nb=2\r\n", &[("a", "1"), ("b", "2")]),
            (
                "org.example.x=with spaces",
                &[("org.example.x", "with spaces")],
            ),
        ];
        for (text, want) in table {
            let (pairs, errors) = parse_annotations(text);

            let want: Vec<_> = want.iter().map(|(k, v)| pair(k, v)).collect();
            assert_eq!(pairs, want, "{text:?}");
            assert!(errors.is_empty(), "{text:?}: {errors:?}");
        }
    }

    #[test]
    fn bad_lines_say_which_and_why() {
        let text = "a=1\nno equals\n=x\n\na=2\nb=3";

        let (pairs, errors) = parse_annotations(text);

        assert_eq!(pairs, vec![pair("a", "1"), pair("b", "3")]);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "line 2: \"no equals\" has no \"=\"; write key=value",
                "line 3: the key before \"=\" is empty",
                "line 5: key \"a\" is already set on line 1",
            ]
        );
    }

    #[test]
    fn lists_drop_empty_items() {
        let table: &[(&str, &[&str])] = &[
            ("", &[]),
            (" , ,", &[]),
            ("win32k", &["win32k"]),
            (" a, b ,,c ", &["a", "b", "c"]),
        ];
        for (text, want) in table {
            assert_eq!(parse_list(text), *want, "{text:?}");
        }
    }

    fn base() -> NewEntry {
        let mut entry = NewEntry::new(
            "application/vnd.oci.image.manifest.v1+json",
            "sha256:83c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a",
            524,
            Some(Platform::new("linux", "arm64", Some("v8"))),
        );
        entry.annotations.0.push(pair("old", "1"));
        entry.annotations.0.push(pair("kept", "2"));
        entry
    }

    fn patched(fields: &RowFields, entry: NewEntry) -> NewEntry {
        let patch = fields.patch(&entry);
        let mut builder = IndexBuilder::with_entries([entry]);
        builder.annotate(0, &patch).expect("entry 0 exists");
        builder.entries()[0].clone()
    }

    #[test]
    fn unchanged_fields_change_nothing() {
        let entry = base();

        let after = patched(&RowFields::of(&entry), entry.clone());

        assert_eq!(after, entry);
    }

    #[test]
    fn fields_patch_the_platform_and_replace_annotations() {
        let fields = RowFields {
            variant: " ".into(),
            os_version: "10.0".into(),
            os_features: "win32k, x".into(),
            features: "sse4".into(),
            annotations: "kept=3\nnew=4\nbroken".into(),
        };

        let after = patched(&fields, base());

        let platform = after.platform.expect("platform kept");
        assert_eq!(platform.variant, None);
        assert_eq!(platform.os_version.as_deref(), Some("10.0"));
        assert_eq!(platform.os_features, vec!["win32k", "x"]);
        assert_eq!(platform.features, vec!["sse4"]);
        assert_eq!(
            after.annotations.0,
            vec![pair("kept", "3"), pair("new", "4")]
        );
        assert_eq!(fields.errors().len(), 1);
    }

    #[test]
    fn an_entry_without_platform_gets_annotations_only() {
        let mut entry = base();
        entry.platform = None;
        let fields = RowFields {
            variant: "v7".into(),
            annotations: "a=b".into(),
            ..RowFields::default()
        };

        let after = patched(&fields, entry);

        assert_eq!(after.platform, None);
        assert_eq!(after.annotations.0, vec![pair("a", "b")]);
    }

    #[test]
    fn fields_are_set_by_name() {
        let mut fields = RowFields::default();

        for (i, field) in Field::ALL.into_iter().enumerate() {
            fields.set(field, i.to_string());
        }

        for (i, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(fields.get(field), i.to_string(), "{}", field.name());
        }
        assert!(!Field::Annotations.is_platform() && Field::Variant.is_platform());
    }
}
