//! The platform matcher: which platforms can run on the one wanted, and
//! which of them is best.
//!
//! This is containerd's matcher (`platforms.Only`, `platforms.OnlyStrict` and
//! the Windows matcher of `containerd/platforms`), which Docker Engine and
//! Kubernetes use to pick an image from an index. polyarch has no other.
//! Both the wanted platform and each candidate are normalised first (see
//! [`crate::platform`]), so `linux/aarch64` matches `linux/arm64/v8`.
//!
//! # Fallback order
//!
//! The wanted platform expands into a list of steps, best first; a candidate
//! matches at the first step whose os, architecture and variant equal its own.
//!
//! | wanted        | steps after the platform itself                         |
//! |---------------|---------------------------------------------------------|
//! | `amd64/vN`    | `amd64/vN-1`, …, `amd64/v2`, `amd64` (= v1), then `386` |
//! | `amd64`       | `386`                                                   |
//! | `arm/vN`, N>5 | `arm/vN-1`, …, `arm/v5`                                 |
//! | `arm/v5`      | none                                                    |
//! | `arm64/v8.x`  | `arm64/v8.x-1`, …, `arm64` (= v8), then `arm/v8`, `arm/v7`, `arm/v6`, `arm/v5` |
//! | `arm64`       | `arm/v8`, `arm/v7`, `arm/v6`, `arm/v5`                  |
//! | `arm64/v9.x`  | `arm64/v9.x-1`, …, `arm64/v9`, `arm64/v8.x+5`, …, `arm64`, then the arm chain from `arm/v8` |
//! | `arm64/v9`    | `arm64/v8.5`, …, `arm64`, then `arm/v9`, `arm/v8`, …, `arm/v5` |
//! | anything else | none                                                    |
//!
//! Fallback never goes up: an `arm/v6` host never gets `arm/v7`. Strict mode
//! (containerd's `OnlyStrict`) keeps only the first step.
//!
//! # Windows
//!
//! When the wanted os is `windows`, `os.version` counts too. The wanted
//! version is read as `major.minor.build[.revision]` (anything else is read
//! as no version):
//!
//! - no wanted version, or a candidate without one: the candidate matches;
//! - major and minor must be equal;
//! - a host build before 20348 (Windows Server 2022) runs only its own
//!   build, any revision;
//! - a host build of 20348 or later runs any build from 20348 (the LTSC
//!   release with a stable ABI) up to its own: a Windows Server 2025 host
//!   (26100) runs ltsc2022 (20348) images, not ltsc2019 (17763) ones.
//!
//! Among Windows candidates at the same step, the highest `os.version` wins
//! (so the latest revision of a build), and a candidate without one comes
//! after every candidate with one, as containerd's Windows comparer orders
//! them.
//!
//! A candidate's `os.features` (such as `win32k`) must all be among the
//! wanted platform's, which [`crate::platform::parse`] reads from
//! `windows(10.0.20348+win32k)/amd64`. `features` is not compared.
//!
//! # Ties
//!
//! Two candidates with equal [`Rank`] are equally good; containerd keeps the
//! first in document order, and so does [`crate::select`].
//!
//! # Where polyarch differs from containerd, on purpose
//!
//! - containerd compares `os.version` strings as text, so it would put
//!   `10.0.17763.999` above `10.0.17763.1697`; polyarch compares them as
//!   numbers, part by part. Versions that are not all numbers come after the
//!   ones that are.
//! - containerd applies the Windows order only when it runs on Windows;
//!   polyarch always does, within each fallback step.
//! - containerd expands a variant level however large it is, one step per
//!   level; polyarch expands levels up to 32 and treats a larger level (only
//!   seen in broken documents) as having no lower levels.
//!
//! ```
//! use polyarch_core::platform::{parse, Matcher};
//!
//! let host = parse("linux/arm/v7").unwrap();
//! let matcher = Matcher::new(&host, false);
//!
//! let v5 = matcher.rank(&parse("linux/arm/v5").unwrap()).unwrap();
//! let v6 = matcher.rank(&parse("linux/arm/v6").unwrap()).unwrap();
//! assert!(v6 < v5);
//! assert_eq!(v5.step(), 2);
//! assert_eq!(matcher.rank(&parse("linux/arm64").unwrap()), None);
//! assert_eq!(Matcher::new(&host, true).rank(&parse("linux/arm/v6").unwrap()), None);
//! ```

use std::cmp::Ordering;

use super::Platform;

/// The highest variant level that is expanded into fallback steps.
const MAX_LEVEL: i64 = 32;

/// The first build of Windows Server 2022, the LTSC release with a stable
/// ABI: hosts from this build on run its images.
const LTSC_2022: u16 = 20348;

/// Matches candidates against one wanted platform.
#[derive(Debug, Clone)]
pub struct Matcher {
    wanted: Platform,
    steps: Vec<Platform>,
    windows: Option<WindowsVersion>,
}

/// How well a candidate matches; a smaller rank is better.
///
/// Ranks order first by fallback step, then (for Windows) by `os.version`,
/// highest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rank {
    step: usize,
    revision: Option<Vec<u64>>,
}

impl Rank {
    /// The fallback step the candidate matched at: 0 for the wanted platform
    /// itself.
    pub fn step(&self) -> usize {
        self.step
    }

    /// Whether the candidate is the wanted platform itself, not a fallback.
    pub fn is_exact(&self) -> bool {
        self.step == 0
    }
}

impl Ord for Rank {
    fn cmp(&self, other: &Rank) -> Ordering {
        let revision = match (&self.revision, &other.revision) {
            (Some(a), Some(b)) => b.cmp(a),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        self.step.cmp(&other.step).then(revision)
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Rank) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Matcher {
    /// A matcher for `wanted`, normalised; `strict` turns fallback off.
    ///
    /// For a Windows platform, `wanted.os_version` is the host's version.
    pub fn new(wanted: &Platform, strict: bool) -> Matcher {
        let wanted = wanted.normalized();
        let steps = if strict {
            vec![wanted.clone()]
        } else {
            fallback_steps(&wanted)
                .iter()
                .map(Platform::normalized)
                .collect()
        };
        let windows = (wanted.os == "windows").then(|| {
            wanted
                .os_version
                .as_deref()
                .map(WindowsVersion::read)
                .unwrap_or_default()
        });

        Matcher {
            wanted,
            steps,
            windows,
        }
    }

    /// The wanted platform, normalised.
    pub fn wanted(&self) -> &Platform {
        &self.wanted
    }

    /// The platforms tried, best first; the first is the wanted one.
    pub fn steps(&self) -> &[Platform] {
        &self.steps
    }

    /// Whether the wanted platform is Windows with an `os.version` that is
    /// not `major.minor.build[…]`, which therefore matches every version.
    pub fn os_version_unread(&self) -> bool {
        let written = self.wanted.os_version.as_deref().unwrap_or("");
        matches!(self.windows, Some(v) if v.is_empty()) && !written.is_empty()
    }

    /// How well `candidate` matches, or `None` if it cannot run.
    pub fn rank(&self, candidate: &Platform) -> Option<Rank> {
        let candidate = candidate.normalized();
        let step = self.steps.iter().position(|s| {
            s.os == candidate.os
                && s.architecture == candidate.architecture
                && s.variant == candidate.variant
        })?;

        let features_held = candidate
            .os_features
            .iter()
            .all(|f| self.wanted.os_features.contains(f));
        if !features_held {
            return None;
        }

        let revision = match self.windows {
            Some(host) => {
                let version = candidate.os_version.as_deref().unwrap_or("");
                if !host.runs(version) {
                    return None;
                }
                numeric_version(version)
            }
            None => None,
        };

        Some(Rank { step, revision })
    }

    /// Whether `candidate` can run where `wanted` is.
    pub fn matches(&self, candidate: &Platform) -> bool {
        self.rank(candidate).is_some()
    }
}

/// containerd's `platformVector`: the wanted platform and its fallbacks,
/// best first, not yet normalised.
fn fallback_steps(wanted: &Platform) -> Vec<Platform> {
    let mut steps = vec![wanted.clone()];
    let variant = wanted.variant.as_deref().unwrap_or("");
    let step = |architecture: &str, variant: Option<String>| Platform {
        architecture: architecture.to_owned(),
        variant,
        ..wanted.clone()
    };

    match wanted.architecture.as_str() {
        "amd64" => {
            if let Some(level) = level(variant).filter(|&l| l > 1) {
                for l in (1..level).rev() {
                    steps.push(step("amd64", Some(format!("v{l}"))));
                }
            }
            steps.push(step("386", None));
        }
        "arm" => {
            if let Some(level) = level(variant).filter(|&l| l > 5) {
                for l in (5..level).rev() {
                    steps.push(step("arm", Some(format!("v{l}"))));
                }
            }
        }
        "arm64" => {
            let variant = if variant.is_empty() { "v8" } else { variant };
            let (major_text, minor_text) = match variant.split_once('.') {
                Some((major, minor)) => (major, Some(minor)),
                None => (variant, None),
            };
            if let Some(mut major) = level(major_text).filter(|&m| m >= 8) {
                // containerd reads a minor only from a four-character variant
                // such as `v8.2`.
                let mut minor = match minor_text {
                    Some(text) if variant.len() == 4 => parse_go_int(text).unwrap_or(0),
                    _ => 0,
                };
                let arm64 = |major: i64, minor: i64| {
                    let v = if minor == 0 {
                        format!("v{major}")
                    } else {
                        format!("v{major}.{minor}")
                    };
                    step("arm64", Some(v))
                };
                if major == 9 {
                    for m in (0..minor).rev() {
                        steps.push(arm64(9, m));
                    }
                    minor += 5;
                    major = 8;
                    steps.push(step("arm64", Some(format!("v8.{minor}"))));
                }
                for m in (0..minor).rev() {
                    steps.push(arm64(major, m));
                }
            }

            let arm_variant = if variant.starts_with("v8.") || variant.starts_with("v9.") {
                "v8"
            } else {
                variant
            };
            steps.extend(fallback_steps(&step("arm", Some(arm_variant.to_owned()))));
        }
        _ => {}
    }
    steps
}

/// The number in a variant such as `v7`, as containerd reads it (`v`
/// trimmed, then Go's `Atoi`), if it is at most [`MAX_LEVEL`].
fn level(variant: &str) -> Option<i64> {
    let digits = variant.strip_prefix('v').unwrap_or(variant);
    parse_go_int(digits).filter(|&l| l <= MAX_LEVEL)
}

/// Go's `strconv.Atoi` on 64-bit: an optional sign, then decimal digits.
fn parse_go_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `os.version` as numbers, part by part, if every part is a number.
fn numeric_version(version: &str) -> Option<Vec<u64>> {
    if version.is_empty() {
        return None;
    }
    version.split('.').map(decimal).collect()
}

/// Decimal digits only (no sign), as Go's `ParseUint` in base 10 reads them.
fn decimal<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A Windows version as containerd reads it; all zero when unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct WindowsVersion {
    major: u8,
    minor: u8,
    build: u16,
}

impl WindowsVersion {
    /// `major.minor.build[.anything]`, each number in its Go integer size;
    /// anything else reads as zero.
    fn read(text: &str) -> WindowsVersion {
        let mut parts = text.splitn(4, '.');
        let (Some(major), Some(minor), Some(build)) = (parts.next(), parts.next(), parts.next())
        else {
            return WindowsVersion::default();
        };
        let read = || -> Option<WindowsVersion> {
            Some(WindowsVersion {
                major: decimal(major)?,
                minor: decimal(minor)?,
                build: decimal(build)?,
            })
        };
        read().unwrap_or_default()
    }

    fn is_empty(self) -> bool {
        self == WindowsVersion::default()
    }

    /// Whether this host runs a container of `version` (containerd's
    /// `checkWindowsHostAndContainerCompat`).
    fn runs(self, version: &str) -> bool {
        if self.is_empty() || version.is_empty() {
            return true;
        }

        let image = WindowsVersion::read(version);
        if self.major != image.major || self.minor != image.minor {
            return false;
        }
        if self.build < LTSC_2022 {
            return self.build == image.build;
        }
        (LTSC_2022..=self.build).contains(&image.build)
    }
}
