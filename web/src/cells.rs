//! What the page writes in a cell: pure functions from report values to
//! text, tested natively.
//!
//! Rules:
//!
//! - A value that is absent, or present but empty, is written as
//!   [`NONE`] (an em dash), never as an empty string, `undefined` or
//!   `null`. Lists join their items with `", "` and leave out empty items,
//!   so that no separator stands alone.
//! - Sizes are written in bytes, grouped by thousands, with a binary unit
//!   beside them above 1 KiB (`1,234 B (1.2 KiB)`). In a narrow cell the
//!   two halves may go on two lines, but a number never leaves its unit.
//! - A digest is shortened to its algorithm and the first 12 hex digits
//!   (`sha256:83c7f9c92844…`); the full value is always available beside it.
//! - A media type in a narrow column is cut into lines of at most a given
//!   number of characters, only after a `/` or a `.`
//!   (`application/vnd.oci.` then `image.manifest.v1+json`), so that it
//!   wraps at its own separators and never inside a word; a part longer
//!   than a line stays whole.

use polyarch_core::descriptor::{Entry, Role};

/// What an absent or empty value reads as.
pub const NONE: &str = "—";

/// `value`, or [`NONE`] when it is absent or empty.
pub fn text(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.trim().is_empty() => v.to_owned(),
        _ => NONE.to_owned(),
    }
}

/// The non-empty items joined by `", "`, or [`NONE`].
pub fn list(items: &[String]) -> String {
    let kept: Vec<&str> = items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if kept.is_empty() {
        NONE.to_owned()
    } else {
        kept.join(", ")
    }
}

/// `1,234` for 1234.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size in bytes for people: `524 B`, `1,124 B (1.1 KiB)`; [`NONE`] for
/// none, and negative sizes as written (the diagnostics say why).
pub fn size(bytes: Option<i64>) -> String {
    let Some(bytes) = bytes else {
        return NONE.to_owned();
    };
    if bytes < 0 {
        return format!("{bytes} B");
    }
    let exact = format!("{} B", grouped(bytes.unsigned_abs()));
    if bytes < 1024 {
        return exact;
    }
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{exact} ({value:.1} {})", units[unit])
}

/// [`size`] with no-break spaces between each number and its unit, so that
/// a narrow cell breaks its text only before the parenthesis.
pub fn size_in_cell(bytes: Option<i64>) -> String {
    size(bytes)
        .replace(' ', "\u{a0}")
        .replacen("\u{a0}(", " (", 1)
}

/// `sha256:83c7f9c92844…` for a long digest; short or malformed digests as
/// written; [`NONE`] for an empty one.
pub fn short_digest(digest: &str) -> String {
    if digest.is_empty() {
        return NONE.to_owned();
    }
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return digest.to_owned();
    };
    match hex.char_indices().nth(12) {
        Some((cut, _)) => format!("{algorithm}:{}…", &hex[..cut]),
        None => digest.to_owned(),
    }
}

/// `text` cut into lines of at most `width` characters, each ending after
/// a `/` or a `.` (except the last), filled greedily; an empty text is one
/// empty line. The lines joined are `text`.
pub fn lines_at_separators(text: &str, width: usize) -> Vec<&str> {
    let mut lines = Vec::new();
    let (mut start, mut end, mut chars) = (0, 0, 0);
    for part in text.split_inclusive(['/', '.']) {
        let count = part.chars().count();
        if end > start && chars + count > width {
            lines.push(&text[start..end]);
            (start, chars) = (end, 0);
        }
        end += part.len();
        chars += count;
    }
    lines.push(&text[start..end]);
    lines
}

/// The words for a row's role, as the Role column shows it.
pub fn role(entry: &Entry) -> &'static str {
    match entry.role {
        Role::Image => "image",
        Role::Index => "nested index",
        Role::Attestation => "attestation",
        Role::Artifact => "artifact",
        Role::Other => "other",
    }
}

/// The total of the sizes that are known; `None` when none is.
pub fn total(sizes: impl IntoIterator<Item = Option<i64>>) -> Option<i64> {
    let mut sum: Option<i64> = None;
    for size in sizes.into_iter().flatten() {
        sum = Some(sum.unwrap_or(0).saturating_add(size.max(0)));
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_and_empty_values_read_as_a_dash() {
        let table: &[(Option<&str>, &str)] = &[
            (None, NONE),
            (Some(""), NONE),
            (Some("   "), NONE),
            (Some("linux"), "linux"),
            (Some("null"), "null"),
        ];

        for (value, expected) in table {
            assert_eq!(text(*value), *expected, "{value:?}");
        }
    }

    #[test]
    fn lists_never_show_a_lone_separator() {
        let table: &[(&[&str], &str)] = &[
            (&[], NONE),
            (&[""], NONE),
            (&["", " "], NONE),
            (&["win32k"], "win32k"),
            (&["a", "", "b"], "a, b"),
        ];

        for (items, expected) in table {
            let items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(list(&items), *expected, "{items:?}");
        }
    }

    #[test]
    fn sizes_are_exact_and_readable() {
        let table: &[(Option<i64>, &str)] = &[
            (None, NONE),
            (Some(0), "0 B"),
            (Some(524), "524 B"),
            (Some(1124), "1,124 B (1.1 KiB)"),
            (Some(4 * 1024 * 1024), "4,194,304 B (4.0 MiB)"),
            (Some(-1), "-1 B"),
            (Some(i64::MAX), "9,223,372,036,854,775,807 B (8.0 EiB)"),
        ];

        for (bytes, expected) in table {
            assert_eq!(size(*bytes), *expected, "{bytes:?}");
        }
    }

    #[test]
    fn sizes_in_cells_break_only_before_the_binary_unit() {
        let table: &[(Option<i64>, &str)] = &[
            (None, NONE),
            (Some(524), "524\u{a0}B"),
            (Some(1124), "1,124\u{a0}B (1.1\u{a0}KiB)"),
            (Some(-1), "-1\u{a0}B"),
        ];

        for (bytes, expected) in table {
            assert_eq!(size_in_cell(*bytes), *expected, "{bytes:?}");
        }
    }

    #[test]
    fn digests_are_shortened_only_when_long() {
        let long = "sha256:83c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a";
        let table: &[(&str, &str)] = &[
            (long, "sha256:83c7f9c92844…"),
            ("", NONE),
            ("sha256:abc", "sha256:abc"),
            ("not-a-digest", "not-a-digest"),
            ("sha256:ééééééééééééééé", "sha256:éééééééééééé…"),
        ];

        for (digest, expected) in table {
            assert_eq!(short_digest(digest), *expected, "{digest}");
        }
    }

    #[test]
    fn media_types_wrap_only_after_their_separators() {
        let table: &[(&str, usize, &[&str])] = &[
            (
                "application/vnd.oci.image.manifest.v1+json",
                22,
                &["application/vnd.oci.", "image.manifest.v1+json"],
            ),
            (
                "application/vnd.docker.distribution.manifest.list.v2+json",
                22,
                &[
                    "application/vnd.",
                    "docker.distribution.",
                    "manifest.list.v2+json",
                ],
            ),
            ("application/json", 22, &["application/json"]),
            (
                "a-very-long-part-without-separators",
                8,
                &["a-very-long-part-without-separators"],
            ),
            ("x/a-very-long-part", 4, &["x/", "a-very-long-part"]),
            ("é.é.é.é.", 4, &["é.é.", "é.é."]),
            ("", 22, &[""]),
            ("/./.", 0, &["/", ".", "/", "."]),
        ];

        for (text, width, expected) in table {
            assert_eq!(
                lines_at_separators(text, *width),
                *expected,
                "{text} {width}"
            );
        }
    }

    #[test]
    fn media_type_lines_join_back_to_the_text() {
        let texts = [
            "",
            "/",
            "a/b.c",
            "application/vnd.oci.image.index.v1+json",
            "é/é.é",
        ];

        for text in texts {
            for width in 0..45 {
                let lines = lines_at_separators(text, width);

                assert_eq!(lines.concat(), text, "{text} {width}");
                for line in &lines[..lines.len() - 1] {
                    assert!(line.ends_with(['/', '.']), "{text} {width}: {line}");
                }
            }
        }
    }

    #[test]
    fn totals_skip_unknown_sizes() {
        assert_eq!(total([]), None);
        assert_eq!(total([None, None]), None);
        assert_eq!(total([Some(2), None, Some(3)]), Some(5));
        assert_eq!(total([Some(i64::MAX), Some(1)]), Some(i64::MAX));
    }
}
