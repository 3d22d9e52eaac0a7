//! Known values (Go's `GOOS` and `GOARCH` lists) and the spellings of a
//! document's platform that are not canonical.

use std::fmt;

use serde::Serialize;

use super::{Part, Platform, normalize_architecture, normalize_os};

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
