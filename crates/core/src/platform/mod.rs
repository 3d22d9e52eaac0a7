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

mod known;
pub mod matcher;
mod parse;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use known::{
    KNOWN_ARCHITECTURES, KNOWN_OS, NonCanonical, is_known_architecture, is_known_os, non_canonical,
};
pub use matcher::{Matcher, Rank};
pub use parse::{PlatformError, parse};

use parse::encode_option;

/// A platform as an index entry or an image config states it.
///
/// Values are kept as written; normalisation is a separate step.
///
/// Its JSON form is polyarch's report form, camelCase (`osVersion`,
/// `osFeatures`), not the OCI form (`os.version`, `os.features`): reading
/// an OCI platform object with it fails on the unknown member rather than
/// losing the os version. `variant`, `osVersion`, `osFeatures` and
/// `features` are left out when absent or empty, and read as such.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Platform {
    /// `os`, a GOOS value such as `linux` or `windows`.
    pub os: String,
    /// `architecture`, a GOARCH value such as `amd64` or `arm64`.
    pub architecture: String,
    /// `variant`, such as `v7` for `arm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// `os.version`, such as `10.0.17763.1697` for Windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// `os.features`, such as `win32k`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// `features`, such as `sse4` (Docker lists; reserved in OCI).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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

/// containerd's os normalisation: lower case, `macos` → `darwin`.
pub(crate) fn normalize_os(os: &str) -> String {
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
pub(crate) fn normalize_architecture(architecture: &str, variant: &str) -> (String, String) {
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
