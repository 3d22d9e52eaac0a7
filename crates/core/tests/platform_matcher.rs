//! The platform matcher, specified as must-match and must-not-match tables
//! (containerd's rules: `platforms.Only`, `OnlyStrict` and the Windows
//! matcher).

use polyarch_core::platform::{Matcher, Platform, parse};
use proptest::prelude::*;

/// A candidate as a document writes it: `os/architecture[/variant]`, not
/// normalised, with an optional `os.version`.
fn written(text: &str, os_version: Option<&str>) -> Platform {
    let mut parts = text.split('/');
    let os = parts.next().unwrap_or("");
    let architecture = parts.next().unwrap_or("");
    Platform {
        os_version: os_version.map(str::to_owned),
        ..Platform::new(os, architecture, parts.next())
    }
}

fn matcher(wanted: &str, strict: bool) -> Matcher {
    let wanted = parse(wanted).unwrap_or_else(|e| panic!("{wanted}: {e}"));
    Matcher::new(&wanted, strict)
}

/// `(wanted, candidate as written, fallback step)`.
const MUST_MATCH: &[(&str, &str, usize)] = &[
    // amd64: the same platform, written any way.
    ("linux/amd64", "linux/amd64", 0),
    ("linux/amd64", "linux/x86_64", 0),
    ("linux/amd64", "linux/X86-64", 0),
    ("linux/amd64", "linux/amd64/v1", 0),
    ("Linux/AMD64", "linux/amd64", 0),
    // amd64 levels down to v1, then 386.
    ("linux/amd64", "linux/386", 1),
    ("linux/amd64", "linux/i386", 1),
    ("linux/amd64/v2", "linux/amd64/v2", 0),
    ("linux/amd64/v2", "linux/amd64", 1),
    ("linux/amd64/v2", "linux/386", 2),
    ("linux/amd64/v3", "linux/amd64/v2", 1),
    ("linux/amd64/v3", "linux/amd64/v1", 2),
    ("linux/amd64/v3", "linux/386", 3),
    ("linux/amd64/v4", "linux/amd64/v3", 1),
    ("linux/amd64/v4", "linux/amd64/v2", 2),
    ("linux/amd64/v4", "linux/amd64", 3),
    ("linux/amd64/v4", "linux/i386", 4),
    ("windows/amd64", "windows/386", 1),
    // arm variants down to v5; no variant is v7.
    ("linux/arm/v8", "linux/arm/v8", 0),
    ("linux/arm/v8", "linux/arm/v7", 1),
    ("linux/arm/v8", "linux/arm/v6", 2),
    ("linux/arm/v8", "linux/arm/v5", 3),
    ("linux/arm/v7", "linux/arm", 0),
    ("linux/arm/v7", "linux/arm/7", 0),
    ("linux/arm/v7", "linux/armhf", 0),
    ("linux/arm", "linux/arm/v7", 0),
    ("linux/arm/v7", "linux/arm/v6", 1),
    ("linux/arm/v7", "linux/armel", 1),
    ("linux/arm/v7", "linux/arm/v5", 2),
    ("linux/arm/v6", "linux/armel", 0),
    ("linux/arm/v6", "linux/arm/v5", 1),
    ("linux/arm/v5", "linux/arm/v5", 0),
    // arm64: v8 is the default; then down the arm chain from arm/v8.
    ("linux/arm64", "linux/arm64/v8", 0),
    ("linux/arm64", "linux/aarch64", 0),
    ("linux/arm64/v8", "linux/arm64", 0),
    ("linux/arm64", "linux/arm/v8", 1),
    ("linux/arm64", "linux/arm/v7", 2),
    ("linux/arm64", "linux/arm", 2),
    ("linux/arm64", "linux/armhf", 2),
    ("linux/arm64", "linux/arm/v6", 3),
    ("linux/arm64", "linux/arm/v5", 4),
    ("linux/arm64/v8.2", "linux/arm64/v8.1", 1),
    ("linux/arm64/v8.2", "linux/arm64", 2),
    ("linux/arm64/v8.2", "linux/arm/v8", 3),
    ("linux/arm64/v8.2", "linux/arm/v7", 4),
    ("linux/arm64/v9", "linux/arm64/v8.5", 1),
    ("linux/arm64/v9", "linux/arm64/v8.1", 5),
    ("linux/arm64/v9", "linux/arm64/v8", 6),
    ("linux/arm64/v9", "linux/arm/v9", 7),
    ("linux/arm64/v9", "linux/arm/v7", 9),
    ("linux/arm64/v9.2", "linux/arm64/v9.1", 1),
    ("linux/arm64/v9.2", "linux/arm64/v9", 2),
    ("linux/arm64/v9.2", "linux/arm64/v8.7", 3),
    ("linux/arm64/v9.2", "linux/arm64", 10),
    ("linux/arm64/v9.2", "linux/arm/v8", 11),
    ("linux/arm64/v9.2", "linux/arm/v5", 14),
    // Other architectures match only themselves.
    ("linux/s390x", "linux/s390x", 0),
    ("linux/ppc64le/power9", "linux/ppc64le/power9", 0),
    ("linux/riscv64", "linux/RISCV64", 0),
    ("macos/arm64", "darwin/arm64", 0),
];

/// `(wanted, candidate as written)`.
const MUST_NOT_MATCH: &[(&str, &str)] = &[
    // Fallback never goes up a level.
    ("linux/arm/v6", "linux/arm/v7"),
    ("linux/arm/v6", "linux/arm"),
    ("linux/arm/v6", "linux/armhf"),
    ("linux/arm/v5", "linux/arm/v6"),
    ("linux/arm/v5", "linux/armel"),
    ("linux/amd64", "linux/amd64/v2"),
    ("linux/amd64/v2", "linux/amd64/v3"),
    ("linux/arm64", "linux/arm64/v8.1"),
    ("linux/arm64", "linux/arm64/v9"),
    ("linux/arm64/v8.2", "linux/arm64/v8.3"),
    ("linux/arm64/v8.2", "linux/arm64/v9"),
    ("linux/arm64/v9", "linux/arm64/v8.6"),
    // Nor across unrelated architectures.
    ("linux/386", "linux/amd64"),
    ("linux/arm", "linux/arm64"),
    ("linux/arm/v8", "linux/arm64"),
    ("linux/amd64", "linux/arm64"),
    ("linux/arm64", "linux/amd64"),
    ("linux/ppc64le", "linux/ppc64"),
    ("linux/ppc64le", "linux/ppc64le/power9"),
    ("linux/riscv64", "linux/riscv64/rva23u64"),
    // Nor across operating systems.
    ("linux/amd64", "windows/amd64"),
    ("windows/amd64", "linux/amd64"),
    ("darwin/arm64", "linux/arm64"),
    ("linux/amd64", "/amd64"),
    ("linux/amd64", "linux/"),
    // Attestation manifests.
    ("linux/amd64", "unknown/unknown"),
];

/// `(wanted, candidate as written)` that match in strict mode, at step 0.
const STRICT_MATCH: &[(&str, &str)] = &[
    ("linux/amd64", "linux/x86_64"),
    ("linux/amd64", "linux/amd64/v1"),
    ("linux/arm64", "linux/arm64/v8"),
    ("linux/arm64/v8", "linux/aarch64"),
    ("linux/arm/v7", "linux/arm"),
    ("linux/arm/v7", "linux/armhf"),
    ("linux/arm/v6", "linux/armel"),
];

/// `(wanted, candidate as written)` that only fallback would match.
const STRICT_NO_MATCH: &[(&str, &str)] = &[
    ("linux/amd64", "linux/386"),
    ("linux/amd64/v3", "linux/amd64/v2"),
    ("linux/arm/v7", "linux/arm/v6"),
    ("linux/arm/v6", "linux/arm/v5"),
    ("linux/arm64", "linux/arm/v8"),
    ("linux/arm64", "linux/arm/v7"),
    ("linux/arm64/v8.2", "linux/arm64"),
];

#[test]
fn must_match() {
    for &(wanted, candidate, step) in MUST_MATCH {
        // Arrange
        let matcher = matcher(wanted, false);

        // Act
        let rank = matcher.rank(&written(candidate, None));

        // Assert
        let rank = rank.unwrap_or_else(|| panic!("{wanted} should match {candidate}"));
        assert_eq!(rank.step(), step, "{wanted} ← {candidate}");
        assert_eq!(rank.is_exact(), step == 0, "{wanted} ← {candidate}");
    }
}

#[test]
fn must_not_match() {
    for &(wanted, candidate) in MUST_NOT_MATCH {
        // Arrange
        let matcher = matcher(wanted, false);

        // Act
        let rank = matcher.rank(&written(candidate, None));

        // Assert
        assert_eq!(rank, None, "{wanted} must not match {candidate}");
    }
}

#[test]
fn strict_mode_has_no_fallback() {
    for &(wanted, candidate) in STRICT_MATCH {
        // Act
        let rank = matcher(wanted, true).rank(&written(candidate, None));

        // Assert
        assert!(
            rank.is_some_and(|r| r.is_exact()),
            "strict {wanted} ← {candidate}"
        );
    }
    for &(wanted, candidate) in STRICT_NO_MATCH {
        // Act
        let strict = matcher(wanted, true).rank(&written(candidate, None));
        let lenient = matcher(wanted, false).rank(&written(candidate, None));

        // Assert
        assert_eq!(strict, None, "strict {wanted} must not match {candidate}");
        assert!(
            lenient.is_some(),
            "{wanted} matches {candidate} by fallback"
        );
    }
}

#[test]
fn fallback_steps_in_order() {
    let cases: &[(&str, bool, &[&str])] = &[
        ("linux/amd64", false, &["linux/amd64", "linux/386"]),
        (
            "linux/amd64/v3",
            false,
            &[
                "linux/amd64/v3",
                "linux/amd64/v2",
                "linux/amd64",
                "linux/386",
            ],
        ),
        ("linux/arm/v5", false, &["linux/arm/v5"]),
        (
            "linux/arm",
            false,
            &["linux/arm/v7", "linux/arm/v6", "linux/arm/v5"],
        ),
        (
            "linux/arm64",
            false,
            &[
                "linux/arm64",
                "linux/arm/v8",
                "linux/arm/v7",
                "linux/arm/v6",
                "linux/arm/v5",
            ],
        ),
        (
            "linux/arm64/v8.2",
            false,
            &[
                "linux/arm64/v8.2",
                "linux/arm64/v8.1",
                "linux/arm64",
                "linux/arm/v8",
                "linux/arm/v7",
                "linux/arm/v6",
                "linux/arm/v5",
            ],
        ),
        (
            "linux/arm64/v9",
            false,
            &[
                "linux/arm64/v9",
                "linux/arm64/v8.5",
                "linux/arm64/v8.4",
                "linux/arm64/v8.3",
                "linux/arm64/v8.2",
                "linux/arm64/v8.1",
                "linux/arm64",
                "linux/arm/v9",
                "linux/arm/v8",
                "linux/arm/v7",
                "linux/arm/v6",
                "linux/arm/v5",
            ],
        ),
        ("linux/s390x", false, &["linux/s390x"]),
        ("linux/amd64", true, &["linux/amd64"]),
        ("linux/arm64", true, &["linux/arm64"]),
        // Levels above 32 are not expanded.
        ("linux/arm/v99", false, &["linux/arm/v99"]),
        ("linux/amd64/v99", false, &["linux/amd64/v99", "linux/386"]),
    ];

    for &(wanted, strict, expected) in cases {
        // Act
        let steps: Vec<String> = matcher(wanted, strict)
            .steps()
            .iter()
            .map(Platform::format)
            .collect();

        // Assert
        assert_eq!(steps, expected, "{wanted} strict={strict}");
    }
}

/// `(host, candidate os.version, matches)`, for `windows/amd64` candidates.
const WINDOWS: &[(&str, Option<&str>, bool)] = &[
    // Before Windows Server 2022: the same build, any revision.
    ("windows(10.0.17763.1)/amd64", Some("10.0.17763.5000"), true),
    ("windows(10.0.17763)/amd64", Some("10.0.17763"), true),
    ("windows(10.0.17763)/amd64", Some("10.0.17763.1"), true),
    ("windows(10.0.17763)/amd64", None, true),
    ("windows(10.0.17763)/amd64", Some("10.0.17762.1"), false),
    ("windows(10.0.17763)/amd64", Some("10.0.17764.1"), false),
    ("windows(10.0.17763)/amd64", Some("10.0.20348"), false),
    ("windows(10.0.17763)/amd64", Some("6.3.17763"), false),
    ("windows(10.0.17763)/amd64", Some("10.1.17763"), false),
    ("windows(10.0.17763)/amd64", Some("garbage"), false),
    // From Windows Server 2022: ltsc2022 up to the host's own build.
    ("windows(10.0.20348)/amd64", Some("10.0.20348.2700"), true),
    ("windows(10.0.20348)/amd64", Some("10.0.17763"), false),
    ("windows(10.0.20348)/amd64", Some("10.0.22621"), false),
    ("windows(10.0.22621)/amd64", Some("10.0.20348"), true),
    ("windows(10.0.22621)/amd64", Some("10.0.22621.1"), true),
    ("windows(10.0.22621)/amd64", Some("10.0.17763"), false),
    ("windows(10.0.22621)/amd64", Some("10.0.22631"), false),
    (
        "windows(10.0.26100.2894)/amd64",
        Some("10.0.20348.3091"),
        true,
    ),
    (
        "windows(10.0.26100.2894)/amd64",
        Some("10.0.26100.3000"),
        true,
    ),
    (
        "windows(10.0.26100.2894)/amd64",
        Some("10.0.17763.6000"),
        false,
    ),
    // No host version, or one that is not major.minor.build: any version.
    ("windows/amd64", Some("10.0.17763"), true),
    ("windows/amd64", Some("10.0.26100"), true),
    ("windows/amd64", None, true),
    ("windows(10.0)/amd64", Some("10.0.17763"), true),
    ("windows(10.0.99999)/amd64", Some("6.1.1"), true),
];

#[test]
fn windows_os_version_rules() {
    for &(host, version, expected) in WINDOWS {
        // Arrange
        let matcher = matcher(host, false);
        let candidate = written("windows/amd64", version);

        // Act
        let matched = matcher.matches(&candidate);

        // Assert
        assert_eq!(matched, expected, "host {host} ← {version:?}");
    }
}

#[test]
fn windows_version_unread_is_reported() {
    // Assert
    assert!(matcher("windows(10.0)/amd64", false).os_version_unread());
    assert!(matcher("windows(10.0.99999)/amd64", false).os_version_unread());
    assert!(!matcher("windows(10.0.17763)/amd64", false).os_version_unread());
    assert!(!matcher("windows/amd64", false).os_version_unread());
    assert!(!matcher("linux(5.15)/amd64", false).os_version_unread());
}

#[test]
fn os_version_only_counts_for_windows() {
    // Arrange
    let matcher = matcher("linux(5.15)/amd64", false);

    // Act
    let matched = matcher.matches(&written("linux/amd64", Some("6.1")));

    // Assert
    assert!(matched);
}

#[test]
fn windows_best_revision_wins() {
    // (host, better os.version, worse os.version)
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        (
            "windows(10.0.17763)/amd64",
            Some("10.0.17763.2"),
            Some("10.0.17763.1"),
        ),
        ("windows(10.0.17763)/amd64", Some("10.0.17763.1"), None),
        (
            "windows(10.0.17763)/amd64",
            Some("10.0.17763.1697"),
            Some("10.0.17763.999"),
        ),
        (
            "windows(10.0.26100.2894)/amd64",
            Some("10.0.26100.2894"),
            Some("10.0.20348.3091"),
        ),
        (
            "windows(10.0.26100.2894)/amd64",
            Some("10.0.26100.3000"),
            Some("10.0.26100.2894"),
        ),
        ("windows/amd64", Some("10.0.26100.1"), Some("10.0.17763.9")),
    ];

    for &(host, better, worse) in cases {
        // Arrange
        let matcher = matcher(host, false);

        // Act
        let better_rank = matcher.rank(&written("windows/amd64", better));
        let worse_rank = matcher.rank(&written("windows/amd64", worse));

        // Assert
        let (Some(b), Some(w)) = (better_rank, worse_rank) else {
            panic!("host {host}: both {better:?} and {worse:?} should match");
        };
        assert!(b < w, "host {host}: {better:?} should beat {worse:?}");
        assert_eq!((b.step(), w.step()), (0, 0));
    }
}

#[test]
fn fallback_step_outranks_windows_revision() {
    // Arrange
    let matcher = matcher("windows(10.0.20348)/amd64", false);

    // Act
    let native = matcher.rank(&written("windows/amd64", None));
    let fallback = matcher.rank(&written("windows/386", Some("10.0.20348.9999")));

    // Assert
    assert!(native.is_some() && fallback.is_some());
    assert!(native < fallback);
}

#[test]
fn os_features_must_be_among_the_wanted() {
    // (wanted, candidate os.features, matches)
    let cases: &[(&str, &[&str], bool)] = &[
        ("windows(10.0.20348+win32k)/amd64", &["win32k"], true),
        ("windows(10.0.20348+win32k)/amd64", &[], true),
        (
            "windows(10.0.20348+a+win32k)/amd64",
            &["win32k", "a", "a"],
            true,
        ),
        ("windows(10.0.20348)/amd64", &["win32k"], false),
        (
            "windows(10.0.20348+win32k)/amd64",
            &["win32k", "other"],
            false,
        ),
        ("linux/amd64", &["x"], false),
    ];

    for &(wanted, features, expected) in cases {
        // Arrange
        let matcher = matcher(wanted, false);
        let os = wanted.split(['(', '/']).next().unwrap_or("");
        let candidate = Platform {
            os_features: features.iter().map(|f| (*f).to_owned()).collect(),
            ..Platform::new(os, "amd64", None)
        };

        // Act
        let matched = matcher.matches(&candidate);

        // Assert
        assert_eq!(matched, expected, "{wanted} ← {features:?}");
    }
}

fn any_platform() -> impl Strategy<Value = Platform> {
    let word = "[a-zA-Z0-9_.+-]{0,6}|linux|windows|amd64|arm|arm64|aarch64|386|v[0-9]{1,12}";
    (
        word,
        word,
        proptest::option::of(word),
        proptest::option::of("[0-9.]{0,12}|10\\.0\\.[0-9]{1,6}(\\.[0-9]{1,5})?"),
        proptest::collection::vec("[a-z0-9]{1,4}", 0..3),
    )
        .prop_map(
            |(os, architecture, variant, os_version, os_features)| Platform {
                os_version,
                os_features,
                ..Platform::new(&os, &architecture, variant.as_deref())
            },
        )
}

proptest! {
    #[test]
    fn rank_never_panics(wanted in any_platform(), candidate in any_platform(), strict: bool) {
        let _ = Matcher::new(&wanted, strict).rank(&candidate);
    }

    #[test]
    fn a_platform_matches_itself_exactly(platform in any_platform(), strict: bool) {
        let rank = Matcher::new(&platform, strict).rank(&platform);
        prop_assert!(rank.is_some_and(|r| r.is_exact()));
    }

    #[test]
    fn strict_matches_are_lenient_exact_matches(
        wanted in any_platform(),
        candidate in any_platform(),
    ) {
        let strict = Matcher::new(&wanted, true).rank(&candidate);
        let lenient = Matcher::new(&wanted, false).rank(&candidate);
        if strict.is_some() {
            prop_assert!(lenient.is_some_and(|r| r.is_exact()));
        }
    }
}
