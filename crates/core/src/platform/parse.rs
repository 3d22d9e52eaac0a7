//! Reading a platform string: the grammar of the [`crate::platform`] module
//! doc, containerd's `Parse`, with errors that say where.

use std::fmt;

use super::{Part, Platform, is_known_architecture, is_known_os};
use super::{normalize_architecture, normalize_os};

/// Why a platform string was refused. Offsets are byte offsets into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformError {
    /// Nothing was written.
    Empty,
    /// A `*`, which containerd does not support either.
    Wildcard {
        /// Where the first `*` is.
        offset: usize,
    },
    /// A part with nothing in it (`linux/`, `linux//v7`).
    EmptyPart {
        /// Which part.
        part: Part,
        /// Where it should start.
        offset: usize,
    },
    /// A character the grammar does not allow in that part.
    InvalidCharacter {
        /// Which part.
        part: Part,
        /// The character.
        found: char,
        /// Where it is.
        offset: usize,
    },
    /// A `(` after the os without its `)` at the end of the os.
    UnclosedOptions {
        /// Where the `(` is.
        offset: usize,
    },
    /// A `%` not followed by two hex digits, or escapes that are not UTF-8.
    InvalidEscape {
        /// Which part.
        part: Part,
        /// Where the escape starts.
        offset: usize,
    },
    /// A fourth part.
    TooManyParts {
        /// Where the `/` before it is.
        offset: usize,
    },
    /// One part, a known os: the architecture is missing.
    MissingArchitecture {
        /// The os, normalised.
        os: String,
        /// The end of the string, where `/architecture` would go.
        offset: usize,
    },
    /// One part, a known architecture: the os is missing.
    MissingOs {
        /// The part as written.
        found: String,
        /// A whole platform to write instead, with os `linux`.
        suggestion: String,
    },
    /// One part that is neither a known os nor a known architecture.
    Unrecognised {
        /// The part as written.
        found: String,
    },
}

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlatformError::Empty => {
                write!(
                    f,
                    "the platform is empty: write `os/architecture[/variant]`"
                )
            }
            PlatformError::Wildcard { offset } => write!(
                f,
                "wildcard at byte {offset}: name one platform, such as `linux/amd64`"
            ),
            PlatformError::EmptyPart { part, offset } => {
                write!(f, "empty {part} at byte {offset}")
            }
            PlatformError::InvalidCharacter {
                part,
                found,
                offset,
            } => write!(
                f,
                "{found:?} at byte {offset} is not allowed in the {part}: {}",
                allowed(*part)
            ),
            PlatformError::UnclosedOptions { offset } => write!(
                f,
                "the `(` at byte {offset} is not closed by a `)` before the next `/`"
            ),
            PlatformError::InvalidEscape { part, offset } => write!(
                f,
                "invalid percent escape in the {part} at byte {offset}: \
                 `%` takes two hex digits that decode to UTF-8"
            ),
            PlatformError::TooManyParts { offset } => write!(
                f,
                "a fourth part after the `/` at byte {offset}: \
                 a platform is `os/architecture[/variant]`"
            ),
            PlatformError::MissingArchitecture { os, offset } => write!(
                f,
                "`{os}` has no architecture (byte {offset}): write `{os}/amd64`, `{os}/arm64` or \
                 another architecture"
            ),
            PlatformError::MissingOs { found, suggestion } => {
                write!(f, "`{found}` has no os: write `{suggestion}`")
            }
            PlatformError::Unrecognised { found } => write!(
                f,
                "`{found}` is neither a known os nor a known architecture: \
                 write `os/architecture`, such as `linux/amd64`"
            ),
        }
    }
}

impl std::error::Error for PlatformError {}

fn allowed(part: Part) -> &'static str {
    match part {
        Part::Os => "an os takes letters, digits, `_` and `-`",
        Part::OsVersion | Part::OsFeature => {
            "os options take letters, digits, `_`, `.`, `-` and `%` escapes, split by `+`"
        }
        Part::Architecture | Part::Variant => "it takes letters, digits, `_`, `.` and `-`",
    }
}

/// Parses a platform string (grammar in the module doc) and normalises it.
///
/// # Errors
///
/// A [`PlatformError`] naming the fault and its byte offset; a one-part
/// string gets a suggestion of a whole platform.
pub fn parse(text: &str) -> Result<Platform, PlatformError> {
    if text.is_empty() {
        return Err(PlatformError::Empty);
    }
    if let Some(offset) = text.find('*') {
        return Err(PlatformError::Wildcard { offset });
    }

    let parts = split_parts(text);
    let (os_offset, os_text) = parts[0];
    let os_part = parse_os_part(os_text, os_offset)?;
    for (i, &(offset, part)) in parts.iter().enumerate().skip(1).take(2) {
        let which = if i == 1 {
            Part::Architecture
        } else {
            Part::Variant
        };
        check_name(part, offset, which, is_cpu_char)?;
    }

    match parts.as_slice() {
        [_] => Err(one_part_error(os_part.os, text)),
        [_, (_, architecture)] | [_, (_, architecture), _] => {
            let variant = parts.get(2).map(|&(_, v)| v.to_owned());
            let written = Platform {
                os: os_part.os.to_owned(),
                architecture: (*architecture).to_owned(),
                variant,
                os_version: os_part.version,
                os_features: os_part.features,
                features: Vec::new(),
            };
            Ok(written.normalized())
        }
        [_, _, _, (offset, _), ..] => Err(PlatformError::TooManyParts {
            offset: offset.saturating_sub(1),
        }),
        [] => Err(PlatformError::Empty),
    }
}

/// The parts between `/`, each with its byte offset.
fn split_parts(text: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '/' {
            parts.push((start, &text[start..i]));
            start = i + 1;
        }
    }
    parts.push((start, &text[start..]));
    parts
}

fn one_part_error(name: &str, text: &str) -> PlatformError {
    let os = normalize_os(name);
    if is_known_os(&os) {
        return PlatformError::MissingArchitecture {
            os,
            offset: text.len(),
        };
    }

    let (architecture, variant) = normalize_architecture(name, "");
    if is_known_architecture(&architecture) {
        let suggestion = Platform {
            os: "linux".to_owned(),
            architecture,
            variant: (!variant.is_empty()).then_some(variant),
            ..Platform::default()
        };
        return PlatformError::MissingOs {
            found: text.to_owned(),
            suggestion: suggestion.format(),
        };
    }

    PlatformError::Unrecognised {
        found: text.to_owned(),
    }
}

struct OsPart<'a> {
    os: &'a str,
    version: Option<String>,
    features: Vec<String>,
}

fn parse_os_part(text: &str, offset: usize) -> Result<OsPart<'_>, PlatformError> {
    let (name, options) = match text.find('(') {
        Some(open) => (&text[..open], Some(open)),
        None => (text, None),
    };
    check_name(name, offset, Part::Os, is_os_char)?;

    let Some(open) = options else {
        return Ok(OsPart {
            os: name,
            version: None,
            features: Vec::new(),
        });
    };
    let after = &text[open + 1..];
    let Some(close) = after.find(')') else {
        return Err(PlatformError::UnclosedOptions {
            offset: offset + open,
        });
    };
    if let Some(found) = after[close + 1..].chars().next() {
        return Err(PlatformError::InvalidCharacter {
            part: Part::Os,
            found,
            offset: offset + open + 1 + close + 1,
        });
    }
    let inner = &after[..close];

    let inner_offset = offset + open + 1;
    let mut pieces = split_with_offsets(inner, '+', inner_offset);
    let (version_offset, version_text) = pieces.remove(0);
    check_option(version_text, version_offset, Part::OsVersion)?;
    let version = decode_option(version_text, version_offset, Part::OsVersion)?;

    let mut features = Vec::new();
    for (feature_offset, feature_text) in pieces {
        if feature_text.is_empty() {
            return Err(PlatformError::EmptyPart {
                part: Part::OsFeature,
                offset: feature_offset,
            });
        }
        check_option(feature_text, feature_offset, Part::OsFeature)?;
        features.push(decode_option(
            feature_text,
            feature_offset,
            Part::OsFeature,
        )?);
    }

    Ok(OsPart {
        os: name,
        version: (!version.is_empty()).then_some(version),
        features,
    })
}

fn split_with_offsets(text: &str, separator: char, base: usize) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == separator {
            pieces.push((base + start, &text[start..i]));
            start = i + c.len_utf8();
        }
    }
    pieces.push((base + start, &text[start..]));
    pieces
}

fn check_name(
    text: &str,
    offset: usize,
    part: Part,
    allowed: fn(char) -> bool,
) -> Result<(), PlatformError> {
    if text.is_empty() {
        return Err(PlatformError::EmptyPart { part, offset });
    }
    match text.char_indices().find(|&(_, c)| !allowed(c)) {
        Some((i, found)) => Err(PlatformError::InvalidCharacter {
            part,
            found,
            offset: offset + i,
        }),
        None => Ok(()),
    }
}

fn check_option(text: &str, offset: usize, part: Part) -> Result<(), PlatformError> {
    match text.char_indices().find(|&(_, c)| !is_option_char(c)) {
        Some((i, found)) => Err(PlatformError::InvalidCharacter {
            part,
            found,
            offset: offset + i,
        }),
        None => Ok(()),
    }
}

fn is_os_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_cpu_char(c: char) -> bool {
    is_os_char(c) || c == '.'
}

fn is_option_char(c: char) -> bool {
    is_cpu_char(c) || c == '%'
}

/// Percent-decodes an os option, as Go's `url.PathUnescape` does.
fn decode_option(text: &str, offset: usize, part: Part) -> Result<String, PlatformError> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }

    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        let Some(byte) = hex else {
            return Err(PlatformError::InvalidEscape {
                part,
                offset: offset + i,
            });
        };
        out.push(byte);
        i += 3;
    }

    String::from_utf8(out).map_err(|_| PlatformError::InvalidEscape { part, offset })
}

pub(super) fn encode_option(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
