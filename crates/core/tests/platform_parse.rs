//! Platform strings: parsing, normalisation, formatting, known values and
//! non-canonical spellings.

use polyarch_core::platform::{
    KNOWN_ARCHITECTURES, KNOWN_OS, NonCanonical, Part, Platform, PlatformError,
    is_known_architecture, is_known_os, non_canonical, parse,
};
use proptest::prelude::*;

/// `(input, os, architecture, variant, formatted)`.
const PARSES: &[(&str, &str, &str, Option<&str>, &str)] = &[
    // The cases of kind `platform-parse` in the shared cases file.
    ("linux/arm64/v8", "linux", "arm64", None, "linux/arm64"), // H-PLAT-01
    ("Linux/AARCH64", "linux", "arm64", None, "linux/arm64"),  // H-PLAT-02
    ("linux/i386", "linux", "386", None, "linux/386"),         // H-PLAT-03
    ("linux/x86_64", "linux", "amd64", None, "linux/amd64"),   // H-PLAT-04
    ("linux/armhf", "linux", "arm", Some("v7"), "linux/arm/v7"), // H-PLAT-05
    ("linux/arm", "linux", "arm", Some("v7"), "linux/arm/v7"), // H-PLAT-06
    // containerd's Normalize table.
    ("linux/amd64", "linux", "amd64", None, "linux/amd64"),
    ("linux/x86-64", "linux", "amd64", None, "linux/amd64"),
    ("linux/amd64/v1", "linux", "amd64", None, "linux/amd64"),
    (
        "linux/amd64/v3",
        "linux",
        "amd64",
        Some("v3"),
        "linux/amd64/v3",
    ),
    (
        "linux/x86_64/v2",
        "linux",
        "amd64",
        Some("v2"),
        "linux/amd64/v2",
    ),
    ("linux/i386/v5", "linux", "386", None, "linux/386"),
    ("linux/386", "linux", "386", None, "linux/386"),
    ("linux/aarch64/v8", "linux", "arm64", None, "linux/arm64"),
    ("linux/arm64/8", "linux", "arm64", None, "linux/arm64"),
    (
        "linux/arm64/v8.2",
        "linux",
        "arm64",
        Some("v8.2"),
        "linux/arm64/v8.2",
    ),
    (
        "linux/arm64/v9",
        "linux",
        "arm64",
        Some("v9"),
        "linux/arm64/v9",
    ),
    ("linux/arm/7", "linux", "arm", Some("v7"), "linux/arm/v7"),
    ("linux/arm/v7", "linux", "arm", Some("v7"), "linux/arm/v7"),
    ("linux/arm/V6", "linux", "arm", Some("v6"), "linux/arm/v6"),
    ("linux/arm/5", "linux", "arm", Some("v5"), "linux/arm/v5"),
    ("linux/arm/8", "linux", "arm", Some("v8"), "linux/arm/v8"),
    ("linux/armhf/v6", "linux", "arm", Some("v7"), "linux/arm/v7"),
    ("linux/armel", "linux", "arm", Some("v6"), "linux/arm/v6"),
    ("macos/arm64", "darwin", "arm64", None, "darwin/arm64"),
    ("MacOS/x86_64", "darwin", "amd64", None, "darwin/amd64"),
    ("WINDOWS/AMD64", "windows", "amd64", None, "windows/amd64"),
    ("linux/ppc64le", "linux", "ppc64le", None, "linux/ppc64le"),
    ("linux/s390x", "linux", "s390x", None, "linux/s390x"),
    ("linux/riscv64", "linux", "riscv64", None, "linux/riscv64"),
    // Unknown values are kept, lower-cased; they match only themselves.
    ("linux/arm32v7", "linux", "arm32v7", None, "linux/arm32v7"),
    (
        "Plan10/Z80/Rev_2",
        "plan10",
        "z80",
        Some("rev_2"),
        "plan10/z80/rev_2",
    ),
];

#[test]
fn parse_normalises_like_containerd() {
    for &(input, os, architecture, variant, formatted) in PARSES {
        // Act
        let parsed = parse(input);

        // Assert
        let p = parsed.unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.os, os, "{input}");
        assert_eq!(p.architecture, architecture, "{input}");
        assert_eq!(p.variant.as_deref(), variant, "{input}");
        assert_eq!(p.format(), formatted, "{input}");
        assert_eq!(p.os_version, None, "{input}");
    }
}

/// `(input, os version, os features, format_all)`.
const OS_OPTIONS: &[(&str, Option<&str>, &[&str], &str)] = &[
    (
        "windows(10.0.17763)/amd64",
        Some("10.0.17763"),
        &[],
        "windows(10.0.17763)/amd64",
    ),
    (
        "windows(10.0.20348.2700+win32k)/amd64",
        Some("10.0.20348.2700"),
        &["win32k"],
        "windows(10.0.20348.2700+win32k)/amd64",
    ),
    (
        "windows(+win32k+a+win32k)/amd64",
        None,
        &["a", "win32k"],
        "windows(+a+win32k)/amd64",
    ),
    ("windows()/amd64", None, &[], "windows/amd64"),
    (
        "windows(10%2E0%2B1)/arm64",
        Some("10.0+1"),
        &[],
        "windows(10.0%2B1)/arm64",
    ),
    (
        "windows(a%20b)/amd64",
        Some("a b"),
        &[],
        "windows(a%20b)/amd64",
    ),
];

#[test]
fn parse_reads_os_options() {
    for &(input, version, features, all) in OS_OPTIONS {
        // Act
        let p = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));

        // Assert
        assert_eq!(p.os, "windows", "{input}");
        assert_eq!(p.os_version.as_deref(), version, "{input}");
        assert_eq!(p.os_features, features, "{input}");
        assert_eq!(p.format_all(), all, "{input}");
        assert_eq!(parse(&p.format_all()).as_ref(), Ok(&p), "{input}");
    }
}

#[test]
fn parse_refuses_with_the_place_and_a_hint() {
    let cases: &[(&str, PlatformError, &str)] = &[
        // H-PLAT-09
        (
            "linux/*",
            PlatformError::Wildcard { offset: 6 },
            "wildcard at byte 6: name one platform, such as `linux/amd64`",
        ),
        (
            "",
            PlatformError::Empty,
            "the platform is empty: write `os/architecture[/variant]`",
        ),
        (
            "linux/",
            PlatformError::EmptyPart {
                part: Part::Architecture,
                offset: 6,
            },
            "empty architecture at byte 6",
        ),
        (
            "linux//v7",
            PlatformError::EmptyPart {
                part: Part::Architecture,
                offset: 6,
            },
            "empty architecture at byte 6",
        ),
        (
            "linux/arm/",
            PlatformError::EmptyPart {
                part: Part::Variant,
                offset: 10,
            },
            "empty variant at byte 10",
        ),
        (
            "/amd64",
            PlatformError::EmptyPart {
                part: Part::Os,
                offset: 0,
            },
            "empty os at byte 0",
        ),
        (
            "linux/am d64",
            PlatformError::InvalidCharacter {
                part: Part::Architecture,
                found: ' ',
                offset: 8,
            },
            "' ' at byte 8 is not allowed in the architecture: \
             it takes letters, digits, `_`, `.` and `-`",
        ),
        (
            " linux/amd64",
            PlatformError::InvalidCharacter {
                part: Part::Os,
                found: ' ',
                offset: 0,
            },
            "' ' at byte 0 is not allowed in the os: an os takes letters, digits, `_` and `-`",
        ),
        (
            "lin.ux/amd64",
            PlatformError::InvalidCharacter {
                part: Part::Os,
                found: '.',
                offset: 3,
            },
            "'.' at byte 3 is not allowed in the os: an os takes letters, digits, `_` and `-`",
        ),
        (
            "linux/é",
            PlatformError::InvalidCharacter {
                part: Part::Architecture,
                found: 'é',
                offset: 6,
            },
            "'é' at byte 6 is not allowed in the architecture: \
             it takes letters, digits, `_`, `.` and `-`",
        ),
        (
            "linux/arm/v7/x",
            PlatformError::TooManyParts { offset: 12 },
            "a fourth part after the `/` at byte 12: a platform is `os/architecture[/variant]`",
        ),
        (
            "windows(10.0/amd64",
            PlatformError::UnclosedOptions { offset: 7 },
            "the `(` at byte 7 is not closed by a `)` before the next `/`",
        ),
        (
            "windows(1)x/amd64",
            PlatformError::InvalidCharacter {
                part: Part::Os,
                found: 'x',
                offset: 10,
            },
            "'x' at byte 10 is not allowed in the os: an os takes letters, digits, `_` and `-`",
        ),
        (
            "windows(1 0)/amd64",
            PlatformError::InvalidCharacter {
                part: Part::OsVersion,
                found: ' ',
                offset: 9,
            },
            "' ' at byte 9 is not allowed in the os version: \
             os options take letters, digits, `_`, `.`, `-` and `%` escapes, split by `+`",
        ),
        (
            "windows(1++x)/amd64",
            PlatformError::EmptyPart {
                part: Part::OsFeature,
                offset: 10,
            },
            "empty os feature at byte 10",
        ),
        (
            "windows(1%2)/amd64",
            PlatformError::InvalidEscape {
                part: Part::OsVersion,
                offset: 9,
            },
            "invalid percent escape in the os version at byte 9: \
             `%` takes two hex digits that decode to UTF-8",
        ),
        (
            "windows(%FF)/amd64",
            PlatformError::InvalidEscape {
                part: Part::OsVersion,
                offset: 8,
            },
            "invalid percent escape in the os version at byte 8: \
             `%` takes two hex digits that decode to UTF-8",
        ),
        (
            "arm64",
            PlatformError::MissingOs {
                found: "arm64".to_owned(),
                suggestion: "linux/arm64".to_owned(),
            },
            "`arm64` has no os: write `linux/arm64`",
        ),
        (
            "armhf",
            PlatformError::MissingOs {
                found: "armhf".to_owned(),
                suggestion: "linux/arm/v7".to_owned(),
            },
            "`armhf` has no os: write `linux/arm/v7`",
        ),
        (
            "linux",
            PlatformError::MissingArchitecture {
                os: "linux".to_owned(),
                offset: 5,
            },
            "`linux` has no architecture (byte 5): write `linux/amd64`, `linux/arm64` or \
             another architecture",
        ),
        (
            "macOS",
            PlatformError::MissingArchitecture {
                os: "darwin".to_owned(),
                offset: 5,
            },
            "`darwin` has no architecture (byte 5): write `darwin/amd64`, `darwin/arm64` or \
             another architecture",
        ),
        (
            "potato",
            PlatformError::Unrecognised {
                found: "potato".to_owned(),
            },
            "`potato` is neither a known os nor a known architecture: \
             write `os/architecture`, such as `linux/amd64`",
        ),
    ];

    for (input, error, message) in cases {
        // Act
        let result = parse(input);

        // Assert
        assert_eq!(result.as_ref(), Err(error), "{input:?}");
        assert_eq!(error.to_string(), *message, "{input:?}");
    }
}

#[test]
fn from_str_is_parse() {
    // Act
    let p: Result<Platform, _> = "linux/aarch64".parse();

    // Assert
    assert_eq!(p, parse("linux/arm64"));
}

#[test]
fn format_writes_what_it_is_given() {
    let cases: &[(Platform, &str, &str)] = &[
        // H-PLAT-07
        (
            Platform::new("linux", "arm64", None),
            "linux/arm64",
            "linux/arm64",
        ),
        // H-PLAT-08: os.version is not part of the platform string.
        (
            Platform {
                os_version: Some("10.0.17763.1".to_owned()),
                ..Platform::new("windows", "amd64", None)
            },
            "windows/amd64",
            "windows(10.0.17763.1)/amd64",
        ),
        // As written, not normalised.
        (
            Platform::new("Linux", "aarch64", Some("v8")),
            "Linux/aarch64/v8",
            "Linux/aarch64/v8",
        ),
        // Empty parts are left out, never written as empty.
        (
            Platform::new("linux", "arm", Some("")),
            "linux/arm",
            "linux/arm",
        ),
        (Platform::new("", "amd64", None), "amd64", "amd64"),
        (
            Platform::new("linux", "", Some("v7")),
            "linux/v7",
            "linux/v7",
        ),
        (Platform::default(), "", ""),
        (
            Platform {
                os_version: Some(String::new()),
                ..Platform::new("windows", "amd64", None)
            },
            "windows/amd64",
            "windows/amd64",
        ),
        (
            Platform {
                os_features: vec!["z".to_owned(), "a+b".to_owned()],
                ..Platform::new("windows", "arm64", None)
            },
            "windows/arm64",
            "windows(+a%2Bb+z)/arm64",
        ),
    ];

    for (platform, formatted, all) in cases {
        // Act
        let short = platform.format();
        let long = platform.format_all();

        // Assert
        assert_eq!(short, *formatted, "{platform:?}");
        assert_eq!(long, *all, "{platform:?}");
    }
}

#[test]
fn normalized_applies_to_document_values() {
    // Arrange
    let written = Platform {
        os_features: vec!["win32k".to_owned(), "a".to_owned(), "win32k".to_owned()],
        os_version: Some("10.0.17763.1".to_owned()),
        features: vec!["sse4".to_owned()],
        ..Platform::new("Windows", "X86_64", Some("V1"))
    };

    // Act
    let normal = written.normalized();

    // Assert
    assert_eq!(normal.os, "windows");
    assert_eq!(normal.architecture, "amd64");
    assert_eq!(normal.variant, None);
    assert_eq!(normal.os_version.as_deref(), Some("10.0.17763.1"));
    assert_eq!(normal.os_features, ["a", "win32k"]);
    assert_eq!(normal.features, ["sse4"]);
}

#[test]
fn normalized_keeps_an_empty_os_empty() {
    // Arrange
    let written = Platform::new("", "aarch64", None);

    // Act
    let normal = written.normalized();

    // Assert
    assert_eq!(normal, Platform::new("", "arm64", None));
}

#[test]
fn known_values_are_gos_lists() {
    // Assert
    for os in ["linux", "windows", "darwin", "freebsd", "wasip1", "zos"] {
        assert!(is_known_os(os), "{os}");
    }
    for os in ["Linux", "macos", "unknown", "", "linux "] {
        assert!(!is_known_os(os), "{os}");
    }
    for arch in [
        "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "loong64",
    ] {
        assert!(is_known_architecture(arch), "{arch}");
    }
    for arch in ["aarch64", "x86_64", "armhf", "i386", "unknown", "", "AMD64"] {
        assert!(!is_known_architecture(arch), "{arch}");
    }
    assert_eq!(KNOWN_OS.len(), 18);
    assert_eq!(KNOWN_ARCHITECTURES.len(), 24);
}

fn spelled(field: Part, found: &str, canonical: Option<&str>, platform: &str) -> NonCanonical {
    NonCanonical {
        field,
        found: found.to_owned(),
        canonical: canonical.map(str::to_owned),
        platform: platform.to_owned(),
    }
}

#[test]
fn non_canonical_names_what_to_write() {
    use Part::{Architecture, Os, Variant};
    let cases: Vec<(Platform, Vec<NonCanonical>)> = vec![
        (
            Platform::new("linux", "aarch64", None),
            vec![spelled(
                Architecture,
                "aarch64",
                Some("arm64"),
                "linux/arm64",
            )],
        ),
        (
            Platform::new("linux", "armhf", None),
            vec![spelled(Architecture, "armhf", Some("arm"), "linux/arm/v7")],
        ),
        (
            Platform::new("linux", "armel", None),
            vec![spelled(Architecture, "armel", Some("arm"), "linux/arm/v6")],
        ),
        (
            Platform::new("linux", "arm32v7", None),
            vec![spelled(
                Architecture,
                "arm32v7",
                Some("arm"),
                "linux/arm/v7",
            )],
        ),
        (
            Platform::new("linux", "arm32v6", Some("v6")),
            vec![spelled(
                Architecture,
                "arm32v6",
                Some("arm"),
                "linux/arm/v6",
            )],
        ),
        (
            Platform::new("linux", "arm64v8", None),
            vec![spelled(
                Architecture,
                "arm64v8",
                Some("arm64"),
                "linux/arm64",
            )],
        ),
        (
            Platform::new("linux", "x86_64", None),
            vec![spelled(
                Architecture,
                "x86_64",
                Some("amd64"),
                "linux/amd64",
            )],
        ),
        (
            Platform::new("linux", "i386", None),
            vec![spelled(Architecture, "i386", Some("386"), "linux/386")],
        ),
        (
            Platform::new("linux", "ppc64el", None),
            vec![spelled(
                Architecture,
                "ppc64el",
                Some("ppc64le"),
                "linux/ppc64le",
            )],
        ),
        (
            Platform::new("Linux", "amd64", None),
            vec![spelled(Os, "Linux", Some("linux"), "linux/amd64")],
        ),
        (
            Platform::new("macos", "arm64", None),
            vec![spelled(Os, "macos", Some("darwin"), "darwin/arm64")],
        ),
        (
            Platform::new("linux", "arm", Some("armv7")),
            vec![spelled(Variant, "armv7", Some("v7"), "linux/arm/v7")],
        ),
        (
            Platform::new("linux", "arm", Some("armv6l")),
            vec![spelled(Variant, "armv6l", Some("v6"), "linux/arm/v6")],
        ),
        (
            Platform::new("linux", "arm", Some("7")),
            vec![spelled(Variant, "7", Some("v7"), "linux/arm/v7")],
        ),
        (
            Platform::new("linux", "arm", Some("V7")),
            vec![spelled(Variant, "V7", Some("v7"), "linux/arm/v7")],
        ),
        (
            Platform::new("linux", "arm64", Some("armv8")),
            vec![spelled(Variant, "armv8", None, "linux/arm64")],
        ),
        (
            Platform::new("linux", "arm64", Some("8")),
            vec![spelled(Variant, "8", None, "linux/arm64")],
        ),
        (
            Platform::new("linux", "amd64", Some("v1")),
            vec![spelled(Variant, "v1", None, "linux/amd64")],
        ),
        (
            Platform::new("linux", "amd64", Some("x86-64-v3")),
            vec![spelled(Variant, "x86-64-v3", Some("v3"), "linux/amd64/v3")],
        ),
        (
            Platform::new("linux", "aarch64", Some("armv8")),
            vec![
                spelled(Architecture, "aarch64", Some("arm64"), "linux/arm64"),
                spelled(Variant, "armv8", None, "linux/arm64"),
            ],
        ),
        // Canonical as written: nothing to report.
        (Platform::new("linux", "arm64", Some("v8")), vec![]),
        (Platform::new("linux", "arm64", None), vec![]),
        (Platform::new("linux", "arm", Some("v7")), vec![]),
        (Platform::new("linux", "arm", None), vec![]),
        (Platform::new("linux", "amd64", Some("v3")), vec![]),
        (Platform::new("windows", "amd64", None), vec![]),
        (Platform::new("unknown", "unknown", None), vec![]),
        (Platform::new("", "", None), vec![]),
        (Platform::new("linux", "ppc64le", Some("power9")), vec![]),
    ];

    for (platform, expected) in cases {
        // Act
        let found = non_canonical(&platform);

        // Assert
        assert_eq!(found, expected, "{platform:?}");
    }
}

#[test]
fn non_canonical_explains_itself() {
    // Arrange
    let rename = spelled(Part::Architecture, "aarch64", Some("arm64"), "linux/arm64");
    let drop = spelled(Part::Variant, "v1", None, "linux/amd64");

    // Act
    let messages = [rename.to_string(), drop.to_string()];

    // Assert
    assert_eq!(
        messages,
        [
            "architecture `aarch64` is written `arm64` (platform `linux/arm64`)",
            "variant `v1` is the default and is left out (platform `linux/amd64`)",
        ]
    );
}

/// Strings built from the grammar's pieces, valid and not.
fn platformish() -> impl Strategy<Value = String> {
    let os = prop::sample::select(vec![
        "linux", "Linux", "windows", "macos", "darwin", "freebsd", "x", "", "li nux",
    ]);
    let options = prop::sample::select(vec![
        "",
        "(10.0.17763)",
        "(10.0.20348.1+win32k)",
        "(+a+b)",
        "()",
        "(%41)",
        "(%zz)",
        "(1",
    ]);
    let arch = prop::sample::select(vec![
        "amd64", "x86_64", "aarch64", "arm", "ARM64", "armhf", "armel", "i386", "386", "riscv64",
        "", "*",
    ]);
    let variant = prop::sample::select(vec![
        "", "/v5", "/v6", "/7", "/v8", "/V8", "/v8.2", "/v9", "/v1", "/v3", "/", "/a/b",
    ]);
    (os, options, arch, variant).prop_map(|(os, options, arch, variant)| {
        if arch.is_empty() {
            format!("{os}{options}{variant}")
        } else {
            format!("{os}{options}/{arch}{variant}")
        }
    })
}

proptest! {
    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn parse_never_panics_near_the_grammar(text in "[a-zA-Z0-9_.%()+/* -]{0,40}") {
        let _ = parse(&text);
    }

    #[test]
    fn parsed_platforms_round_trip(text in platformish()) {
        if let Ok(parsed) = parse(&text) {
            // format_all keeps everything; format keeps os/architecture/variant.
            prop_assert_eq!(parse(&parsed.format_all()), Ok(parsed.clone()));
            let short = parse(&parsed.format()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&short.os, &parsed.os);
            prop_assert_eq!(&short.architecture, &parsed.architecture);
            prop_assert_eq!(&short.variant, &parsed.variant);
            prop_assert_eq!(parsed.normalized(), parsed);
        }
    }

    #[test]
    fn any_parsed_string_round_trips(text in "[a-zA-Z0-9_.%()+/-]{1,30}") {
        if let Ok(parsed) = parse(&text) {
            prop_assert_eq!(parse(&parsed.format_all()), Ok(parsed.clone()));
        }
    }

    #[test]
    fn normalisation_is_idempotent(
        os in "[a-zA-Z0-9]{0,8}",
        arch in prop::sample::select(vec![
            "amd64", "x86_64", "x86-64", "aarch64", "arm64", "arm", "armhf", "armel", "i386",
            "386", "ARM", "mips64le",
        ]),
        variant in proptest::option::of("[vV]?[0-9]{1,2}|armv[0-9]l?|"),
    ) {
        let platform = Platform::new(&os, arch, variant.as_deref());
        let once = platform.normalized();
        prop_assert_eq!(once.normalized(), once.clone());
        let _ = non_canonical(&platform);
    }
}
