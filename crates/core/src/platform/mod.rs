//! Platforms: the operating system and CPU an image is built for.
//!
//! polyarch reads and matches platforms by containerd's rules (the
//! `containerd/platforms` package), which are the rules Docker Engine and
//! Kubernetes use when they pull an image from a multi-architecture index.
//! A platform in a document (OCI image-spec v1.1, image-index.md, "platform";
//! config.md, "Properties") is kept as written in [`Platform`]; a platform
//! typed by a user is parsed with [`parse`], which normalises it.
//!
//! # Grammar
//!
//! ```text
//! platform    = os-part "/" architecture [ "/" variant ]
//! os-part     = os [ "(" [ os-version ] *( "+" os-feature ) ")" ]
//! os          = 1*( ALPHA / DIGIT / "_" / "-" )
//! architecture, variant
//!             = 1*( ALPHA / DIGIT / "_" / "." / "-" )
//! os-version  = *( ALPHA / DIGIT / "_" / "." / "-" / pct-encoded )
//! os-feature  = 1*( ALPHA / DIGIT / "_" / "." / "-" / pct-encoded )
//! ```
//!
//! So `linux/amd64`, `linux/arm/v7`, `windows(10.0.17763)/amd64` and
//! `windows(10.0.20348+win32k)/amd64` are platforms. Letters may be in any
//! case; the os, architecture and variant are lower-cased, the os version
//! and features are kept as written after percent-decoding.
//!
//! These are refused with a [`PlatformError`] that says what is wrong and at
//! which byte: the empty string, a wildcard (`linux/*`), an empty part
//! (`linux/`, `linux//v7`, `/amd64`), a character outside the grammar, more
//! than three parts, and a string of one part. containerd fills the missing
//! half of a one-part string (`arm64`, `linux`) from the machine it runs on;
//! polyarch has no host to ask, so it refuses it and suggests a whole
//! platform (`` `arm64` has no os: write `linux/arm64` ``).
//!
//! # Normalisation
//!
//! [`parse`] and [`Platform::normalized`] apply containerd's `Normalize`:
//!
//! | written                              | normalised             |
//! |--------------------------------------|------------------------|
//! | os in any case (`Linux`)             | lower case (`linux`)   |
//! | `macos`                              | `darwin`               |
//! | `x86_64`, `x86-64`                   | `amd64`                |
//! | `amd64/v1`                           | `amd64` (v1 is the default) |
//! | `i386` (any variant)                 | `386`                  |
//! | `aarch64`                            | `arm64`                |
//! | `arm64/v8`, `arm64/8`                | `arm64` (v8 is the default) |
//! | `arm`                                | `arm/v7` (v7 is the default) |
//! | `arm/7`, `arm/5`, `arm/6`, `arm/8`   | `arm/v7`, `arm/v5`, …  |
//! | `armhf` (any variant)                | `arm/v7`               |
//! | `armel` (any variant)                | `arm/v6`               |
//! | `os.features`                        | sorted, duplicates removed |
//!
//! Anything else is kept (lower-cased): an unknown architecture is not an
//! error, it simply matches only itself. [`Platform::format`] writes what it
//! is given, `os/architecture[/variant]`, and never an empty part; the os
//! version is not part of that string. [`Platform::format_all`] adds the os
//! options, so that `parse(p.format_all())` gives `p` back.
//!
//! [`is_known_os`] and [`is_known_architecture`] hold Go's `GOOS` and
//! `GOARCH` lists (`go/build/syslist.go`). [`non_canonical`] lists the values
//! of a document's platform that a reader has to translate, with the value to
//! write instead (`aarch64` → `arm64`, `arm32v7` → `arm` with variant `v7`).
//!
//! # Matching
//!
//! There is one matcher, [`Matcher`]; its fallback order and its Windows
//! `os.version` rules are set out in the [`matcher`] module. Selection from an
//! index is [`crate::select`].
//!
//! # Where polyarch differs from containerd, on purpose
//!
//! - A one-part string is an error (above), not completed from the host.
//! - An empty `os` in a document stays empty; containerd's `Normalize`
//!   replaces it with the host's.
//! - [`Platform::format_all`] percent-encodes every byte of an os version or
//!   feature outside `A-Z a-z 0-9 _ . -`, where containerd encodes only
//!   `% + ( ) /`: a value such as `a b` then still reads back. containerd
//!   decodes what polyarch writes.
//!
//! ```
//! use polyarch_core::platform::{parse, Platform};
//!
//! let p = parse("Linux/AARCH64/v8").unwrap();
//! assert_eq!(p.format(), "linux/arm64");
//! assert_eq!(parse("linux/armhf").unwrap().format(), "linux/arm/v7");
//!
//! let w = parse("windows(10.0.17763)/amd64").unwrap();
//! assert_eq!(w.os_version.as_deref(), Some("10.0.17763"));
//!
//! let e = parse("arm64").unwrap_err();
//! assert_eq!(e.to_string(), "`arm64` has no os: write `linux/arm64`");
//! ```

pub mod matcher;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use matcher::{Matcher, Rank};

/// A platform as an index entry or an image config states it.
///
/// Values are kept as written; normalisation is a separate step.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Platform {
    /// `os`, a GOOS value such as `linux` or `windows`.
    pub os: String,
    /// `architecture`, a GOARCH value such as `amd64` or `arm64`.
    pub architecture: String,
    /// `variant`, such as `v7` for `arm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// `os.version`, such as `10.0.17763.1697` for Windows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// `os.features`, such as `win32k`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// `features`, such as `sse4` (Docker lists; reserved in OCI).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

impl Platform {
    /// `os/architecture[/variant]` from the values as written, without
    /// normalising them; empty parts are left out, never written as empty.
    pub fn format(&self) -> String {
        let mut s = String::new();
        for part in [
            Some(self.os.as_str()),
            Some(self.architecture.as_str()),
            self.variant.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        {
            if !s.is_empty() {
                s.push('/');
            }
            s.push_str(part);
        }
        s
    }
}

impl Platform {
    /// A platform from its os, architecture and optional variant, as given.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: variant.map(str::to_owned),
            ..Platform::default()
        }
    }

    /// Like [`Platform::format`], with the os version and os features in
    /// parentheses after the os: `windows(10.0.17763+win32k)/amd64`.
    ///
    /// Features are written sorted; bytes outside `A-Z a-z 0-9 _ . -` in them
    /// or in the version are percent-encoded, so [`parse`] reads the result
    /// back. Without an os, the options are left out with it.
    pub fn format_all(&self) -> String {
        let version = self.os_version.as_deref().unwrap_or("");
        if self.os.is_empty() || (version.is_empty() && self.os_features.is_empty()) {
            return self.format();
        }

        let mut features: Vec<&str> = self.os_features.iter().map(String::as_str).collect();
        features.sort_unstable();
        let mut os = format!("{}({}", self.os, encode_option(version));
        for feature in features {
            os.push('+');
            os.push_str(&encode_option(feature));
        }
        os.push(')');

        let rest = Platform {
            os,
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            ..Platform::default()
        };
        rest.format()
    }

    /// The platform after containerd's `Normalize` (see the table in the
    /// module doc).
    ///
    /// An empty variant becomes none; an empty os stays empty. `os.version`
    /// and `features` are kept as they are.
    pub fn normalized(&self) -> Platform {
        let (architecture, variant) =
            normalize_architecture(&self.architecture, self.variant.as_deref().unwrap_or(""));

        let mut os_features = self.os_features.clone();
        os_features.sort_unstable();
        os_features.dedup();

        Platform {
            os: normalize_os(&self.os),
            architecture,
            variant: (!variant.is_empty()).then_some(variant),
            os_version: self.os_version.clone(),
            os_features,
            features: self.features.clone(),
        }
    }

    /// `architecture[/variant]`, the part of the platform that fallback
    /// changes: `arm/v6`, `arm64`.
    pub fn format_cpu(&self) -> String {
        Platform {
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            ..Platform::default()
        }
        .format()
    }
}

impl FromStr for Platform {
    type Err = PlatformError;

    /// The same as [`parse`].
    fn from_str(text: &str) -> Result<Platform, PlatformError> {
        parse(text)
    }
}

/// A part of a platform string or document, as errors and reports name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Part {
    /// The os.
    Os,
    /// The os version, in parentheses after the os.
    OsVersion,
    /// An os feature, after a `+` in the parentheses.
    OsFeature,
    /// The architecture.
    Architecture,
    /// The variant.
    Variant,
}

impl Part {
    /// The part's name as messages write it: `os`, `os version`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Os => "os",
            Part::OsVersion => "os version",
            Part::OsFeature => "os feature",
            Part::Architecture => "architecture",
            Part::Variant => "variant",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

fn encode_option(text: &str) -> String {
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

/// containerd's os normalisation: lower case, `macos` → `darwin`.
fn normalize_os(os: &str) -> String {
    let os = os.to_lowercase();
    if os == "macos" {
        "darwin".to_owned()
    } else {
        os
    }
}

/// containerd's `normalizeArch`: the architecture and variant, lower case,
/// with the aliases and defaults of the module doc's table; an empty variant
/// is returned as `""`.
fn normalize_architecture(architecture: &str, variant: &str) -> (String, String) {
    let architecture = architecture.to_lowercase();
    let variant = variant.to_lowercase();
    match architecture.as_str() {
        "i386" => ("386".to_owned(), String::new()),
        "x86_64" | "x86-64" | "amd64" => {
            let variant = if variant == "v1" {
                String::new()
            } else {
                variant
            };
            ("amd64".to_owned(), variant)
        }
        "aarch64" | "arm64" => {
            let variant = if matches!(variant.as_str(), "8" | "v8") {
                String::new()
            } else {
                variant
            };
            ("arm64".to_owned(), variant)
        }
        "armhf" => ("arm".to_owned(), "v7".to_owned()),
        "armel" => ("arm".to_owned(), "v6".to_owned()),
        "arm" => {
            let variant = match variant.as_str() {
                "" | "7" => "v7".to_owned(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            };
            ("arm".to_owned(), variant)
        }
        _ => (architecture, variant),
    }
}

/// Every `GOOS` value in Go's `go/build/syslist.go`.
pub const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

/// Every `GOARCH` value in Go's `go/build/syslist.go`.
pub const KNOWN_ARCHITECTURES: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// Whether `os` is a `GOOS` value, as written (`Linux` is not; `unknown`,
/// which attestation manifests use, is not either).
pub fn is_known_os(os: &str) -> bool {
    KNOWN_OS.contains(&os)
}

/// Whether `architecture` is a `GOARCH` value, as written (`aarch64` is not;
/// nor is `unknown`).
pub fn is_known_architecture(architecture: &str) -> bool {
    KNOWN_ARCHITECTURES.contains(&architecture)
}

/// A value in a document's platform that is not written the canonical way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NonCanonical {
    /// Which field: [`Part::Os`], [`Part::Architecture`] or [`Part::Variant`].
    pub field: Part,
    /// The value as written.
    pub found: String,
    /// The value to write instead; `None` to leave the field out.
    pub canonical: Option<String>,
    /// The whole platform written canonically, `os/architecture[/variant]`.
    pub platform: String,
}

impl fmt::Display for NonCanonical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field;
        let found = &self.found;
        let platform = &self.platform;
        match &self.canonical {
            Some(canonical) => write!(
                f,
                "{field} `{found}` is written `{canonical}` (platform `{platform}`)"
            ),
            None => write!(
                f,
                "{field} `{found}` is the default and is left out (platform `{platform}`)"
            ),
        }
    }
}

/// The values of `platform`, as a document wrote it, that a reader has to
/// translate, each with what to write instead.
///
/// Besides containerd's normalisation (module doc) this knows the names of
/// Docker's per-architecture repositories (`arm32v5`, `arm32v6`, `arm32v7`,
/// `arm64v8`, `i386`, `amd64`), Debian's `ppc64el`, and variants written as
/// `7`, `armv7`, `armv7l` or `V7`. `arm64/v8` is accepted as written: it is
/// what BuildKit writes, though containerd leaves the default out. An empty
/// or absent value is not reported here.
///
/// ```
/// use polyarch_core::platform::{non_canonical, Part, Platform};
///
/// let found = non_canonical(&Platform::new("linux", "arm32v7", None));
/// assert_eq!(found[0].field, Part::Architecture);
/// assert_eq!(found[0].canonical.as_deref(), Some("arm"));
/// assert_eq!(found[0].platform, "linux/arm/v7");
/// ```
pub fn non_canonical(platform: &Platform) -> Vec<NonCanonical> {
    let written_variant = platform.variant.as_deref().unwrap_or("");
    let (arch_alias, alias_variant) = architecture_alias(&platform.architecture);
    let variant_in = if written_variant.is_empty() {
        alias_variant.unwrap_or("")
    } else {
        written_variant
    };
    let (architecture, variant) = normalize_architecture(arch_alias, variant_in);
    let variant = canonical_variant(&architecture, &variant);
    let os = normalize_os(&platform.os);

    let canonical = Platform {
        os: os.clone(),
        architecture: architecture.clone(),
        variant: (!variant.is_empty()).then(|| variant.clone()),
        ..Platform::default()
    };
    let whole = canonical.format();
    let mut found = Vec::new();
    let mut report = |field, written: &str, canonical: &str| {
        found.push(NonCanonical {
            field,
            found: written.to_owned(),
            canonical: (!canonical.is_empty()).then(|| canonical.to_owned()),
            platform: whole.clone(),
        });
    };

    if !platform.os.is_empty() && platform.os != os {
        report(Part::Os, &platform.os, &os);
    }
    if !platform.architecture.is_empty() && platform.architecture != architecture {
        report(Part::Architecture, &platform.architecture, &architecture);
    }
    let arm64_v8 = architecture == "arm64" && written_variant == "v8";
    if !written_variant.is_empty() && written_variant != variant && !arm64_v8 {
        report(Part::Variant, written_variant, &variant);
    }
    found
}

/// Architecture names that are not GOARCH values but name one, with the
/// variant they imply.
fn architecture_alias(architecture: &str) -> (&str, Option<&'static str>) {
    match architecture.to_ascii_lowercase().as_str() {
        "arm32v5" => ("arm", Some("v5")),
        "arm32v6" => ("arm", Some("v6")),
        "arm32v7" => ("arm", Some("v7")),
        "arm64v8" => ("arm64", None),
        "ppc64el" => ("ppc64le", None),
        _ => (architecture, None),
    }
}

/// A variant of `arm`, `arm64` or `amd64` written as `7`, `armv7`, `armv7l`
/// or `x86-64-v2`, as `v7` or `v2`; `v1` of amd64 and `v8` of arm64 as `""`.
fn canonical_variant(architecture: &str, variant: &str) -> String {
    let digits = match architecture {
        "arm" | "arm64" => {
            let bare = variant.strip_prefix("arm").unwrap_or(variant);
            bare.strip_suffix('l').unwrap_or(bare)
        }
        "amd64" => variant.strip_prefix("x86-64-").unwrap_or(variant),
        _ => return variant.to_owned(),
    };
    let digits = digits.strip_prefix('v').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return variant.to_owned();
    }

    let level = format!("v{digits}");
    let default = match architecture {
        "arm64" => "v8",
        "amd64" => "v1",
        _ => "",
    };
    if level == default {
        String::new()
    } else {
        level
    }
}
