//! The Platforms table's rows: one per index entry, with every cell
//! already written as text, the links between attestations and the rows
//! they attest, a filter and the window of rows to draw.
//!
//! - Every row up to [`VIRTUALISE_ABOVE`] is drawn. Beyond that, only the
//!   rows in the visible window (plus [`OVERSCAN`] on each side) are drawn,
//!   each [`ROW_HEIGHT`] CSS pixels high, so that a 10,000-row index scrolls
//!   smoothly.
//! - The filter keeps rows whose row number, platform, media type, digest,
//!   role or annotations contain every word of it, ignoring case.
//! - Cells are built once per report, as shared strings, so that drawing
//!   the table again (a new answer, a copied digest) clones no text. A media
//!   type is kept as lines of at most [`MEDIA_TYPE_LINE`] characters, cut
//!   after its `/` and `.` ([`cells::lines_at_separators`]).

use std::collections::HashMap;

use polyarch_core::descriptor::{Entry, Role};
use yew::AttrValue;
use yew::virtual_dom::Key;

use crate::cells;

/// Above this many rows (after filtering), the table draws only a window.
pub const VIRTUALISE_ABOVE: usize = 1_000;

/// The height of one row of a windowed table, in CSS pixels.
pub const ROW_HEIGHT: f64 = 36.0;

/// Rows drawn above and below the visible ones.
pub const OVERSCAN: usize = 8;

/// The longest line of a media type cell, in characters: two lines for
/// OCI's media types, three for Docker's longest.
pub const MEDIA_TYPE_LINE: usize = 22;

/// One row of the Platforms table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The entry's position in `manifests`, from 0.
    pub index: usize,
    /// The row's key among its siblings.
    pub key: Key,
    /// The row's element id, `row-` and its number.
    pub id: AttrValue,
    /// The row number as text.
    pub number: AttrValue,
    /// The row's classes: `entry`, and `attestation`, `nested-index` or
    /// `no-platform` where they apply.
    pub class: AttrValue,
    /// Whether the entry has a `platform`.
    pub has_platform: bool,
    /// OS, architecture, variant, OS version, OS features, features.
    pub platform: [AttrValue; 6],
    /// The media type cell, as lines (see [`MEDIA_TYPE_LINE`]).
    pub media_type: Vec<AttrValue>,
    /// The size cell ([`cells::size_in_cell`]).
    pub size: AttrValue,
    /// The full digest, or [`cells::NONE`].
    pub digest: AttrValue,
    /// The shortened digest.
    pub short_digest: AttrValue,
    /// The role cell.
    pub role: &'static str,
    /// Whether this row is an attestation, drawn apart.
    pub is_attestation: bool,
    /// Whether this row is a nested index.
    pub is_index: bool,
    /// For an attestation: the row it attests, when it is in this index.
    pub attests_row: Option<usize>,
    /// For an attestation: the digest it attests, when it is not.
    pub attests_missing: Option<String>,
    /// The attestations of this row.
    pub attested_by: Vec<usize>,
    /// Lower-cased text that the filter searches.
    haystack: String,
}

/// The element id of row `index`: `row-12`.
pub fn element_id(index: usize) -> String {
    format!("row-{index}")
}

/// The rows of `entries`, in document order.
pub fn rows(entries: &[Entry]) -> Vec<Row> {
    let mut by_digest: HashMap<&str, usize> = HashMap::new();
    let mut attestations: HashMap<&str, Vec<usize>> = HashMap::new();
    for entry in entries {
        by_digest
            .entry(entry.descriptor.digest.as_str())
            .or_insert(entry.index);
        if let (Role::Attestation, Some(subject)) = (entry.role, entry.attests.as_deref()) {
            attestations.entry(subject).or_default().push(entry.index);
        }
    }

    entries
        .iter()
        .map(|entry| {
            let d = &entry.descriptor;
            let p = d.platform.clone().unwrap_or_default();
            let platform = [
                cells::text(Some(&p.os)),
                cells::text(Some(&p.architecture)),
                cells::text(p.variant.as_deref()),
                cells::text(p.os_version.as_deref()),
                cells::list(&p.os_features),
                cells::list(&p.features),
            ]
            .map(AttrValue::from);
            let attests_row = entry
                .attests
                .as_deref()
                .and_then(|digest| by_digest.get(digest).copied())
                .filter(|&row| row != entry.index);
            let attests_missing = match (&entry.attests, attests_row) {
                (Some(digest), None) => Some(digest.clone()),
                _ => None,
            };
            let attested_by = match attestations.get(d.digest.as_str()) {
                Some(rows) if !d.digest.is_empty() => {
                    rows.iter().copied().filter(|&i| i != entry.index).collect()
                }
                _ => Vec::new(),
            };

            let mut haystack = format!(
                "{} {} {} {} {}",
                entry.index,
                d.platform_string.as_deref().unwrap_or(""),
                d.media_type,
                d.digest,
                cells::role(entry)
            );
            for (k, v) in d.annotations.iter() {
                haystack.push(' ');
                haystack.push_str(k);
                haystack.push('=');
                haystack.push_str(v);
            }
            if let Some(version) = &p.os_version {
                haystack.push(' ');
                haystack.push_str(version);
            }

            let media_type = cells::text(Some(&d.media_type));
            let media_type = cells::lines_at_separators(&media_type, MEDIA_TYPE_LINE)
                .into_iter()
                .map(|line| AttrValue::from(line.to_owned()))
                .collect();
            let is_attestation = entry.role == Role::Attestation;
            let is_index = entry.role == Role::Index;
            let mut class = String::from("entry");
            for (applies, name) in [
                (is_attestation, " attestation"),
                (is_index, " nested-index"),
                (d.platform.is_none(), " no-platform"),
            ] {
                if applies {
                    class.push_str(name);
                }
            }
            let id = element_id(entry.index);

            Row {
                index: entry.index,
                key: Key::from(id.as_str()),
                id: AttrValue::from(id),
                number: AttrValue::from(entry.index.to_string()),
                class: AttrValue::from(class),
                has_platform: d.platform.is_some(),
                platform,
                media_type,
                size: AttrValue::from(cells::size_in_cell(d.size)),
                digest: AttrValue::from(cells::text(Some(&d.digest))),
                short_digest: AttrValue::from(cells::short_digest(&d.digest)),
                role: cells::role(entry),
                is_attestation,
                is_index,
                attests_row,
                attests_missing,
                attested_by,
                haystack: haystack.to_lowercase(),
            }
        })
        .collect()
}

/// Positions in `rows` of the rows that match every word of `filter`.
pub fn filter(rows: &[Row], filter: &str) -> Vec<usize> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    rows.iter()
        .enumerate()
        .filter(|(_, row)| words.iter().all(|w| row.haystack.contains(w.as_str())))
        .map(|(i, _)| i)
        .collect()
}

/// Which of `count` rows to draw, as a range, when the table's viewport
/// shows `viewport` pixels from `scroll_top`; every row up to
/// [`VIRTUALISE_ABOVE`].
pub fn window(count: usize, scroll_top: f64, viewport: f64) -> std::ops::Range<usize> {
    if count <= VIRTUALISE_ABOVE {
        return 0..count;
    }
    let first = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as usize;
    let shown = (viewport.max(ROW_HEIGHT) / ROW_HEIGHT).ceil() as usize;
    let start = first.saturating_sub(OVERSCAN).min(count);
    let end = first
        .saturating_add(shown)
        .saturating_add(OVERSCAN)
        .min(count);
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use polyarch_core::inspect::{InspectOptions, inspect};

    use super::*;

    const INDEX: &str = r#"{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827",
      "size": 1234,
      "platform": { "architecture": "arm", "os": "linux", "variant": "v7" }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:02cb9aa7600e73fcf41ee9f0f19cc03122b2d8be43d41ce4b21335118f5dd943",
      "size": 566,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": { "architecture": "unknown", "os": "unknown" }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
      "size": 10
    }
  ]
}"#;

    fn table() -> Vec<Row> {
        let report = inspect(INDEX.as_bytes(), &InspectOptions::default());
        rows(&report.entries)
    }

    #[test]
    fn every_cell_has_text() {
        let rows = table();

        for row in &rows {
            let cells = row.platform.iter().chain(&row.media_type).chain([
                &row.size,
                &row.digest,
                &row.short_digest,
            ]);
            for cell in cells {
                assert!(!cell.is_empty(), "row {}", row.index);
                assert!(cell != "undefined" && cell != "null", "row {}", row.index);
            }
        }
    }

    #[test]
    fn attestations_are_linked_both_ways() {
        let rows = table();

        assert_eq!(rows[1].role, "attestation");
        assert!(rows[1].is_attestation);
        assert_eq!(rows[1].class, "entry attestation");
        assert_eq!(rows[1].attests_row, Some(0));
        assert_eq!(rows[1].attests_missing, None);
        assert_eq!(rows[0].attested_by, vec![1]);
    }

    #[test]
    fn platform_less_rows_are_marked() {
        let rows = table();

        assert!(rows[0].has_platform);
        assert!(!rows[2].has_platform);
        assert_eq!(rows[2].class, "entry no-platform");
        assert_eq!(rows[2].platform[0], cells::NONE);
        assert_eq!(rows[0].platform[2], "v7");
        assert_eq!(rows[0].platform[3], cells::NONE);
    }

    #[test]
    fn ids_and_media_type_lines_are_ready_to_draw() {
        let rows = table();

        assert_eq!(rows[2].id, "row-2");
        assert_eq!(&*rows[2].key, "row-2");
        assert_eq!(rows[2].number, "2");
        assert_eq!(
            rows[0].media_type,
            ["application/vnd.oci.", "image.manifest.v1+json"]
        );
    }

    #[test]
    fn filter_keeps_rows_with_every_word() {
        let rows = table();
        let table: &[(&str, &[usize])] = &[
            ("", &[0, 1, 2]),
            ("ARM", &[0]),
            ("linux v7", &[0]),
            ("attestation", &[1]),
            ("sha256:1111", &[2]),
            ("linux s390x", &[]),
        ];

        for (words, expected) in table {
            assert_eq!(filter(&rows, words), *expected, "{words}");
        }
    }

    #[test]
    fn small_tables_draw_every_row_and_large_ones_a_window() {
        let table: &[(usize, f64, f64, std::ops::Range<usize>)] = &[
            (0, 0.0, 500.0, 0..0),
            (1_000, 9_000.0, 500.0, 0..1_000),
            (10_000, 0.0, 360.0, 0..18),
            (10_000, 3_600.0, 360.0, 92..118),
            (10_000, 1e12, 360.0, 10_000..10_000),
            (10_000, -5.0, 0.0, 0..9),
        ];

        for (count, top, viewport, expected) in table {
            assert_eq!(window(*count, *top, *viewport), *expected, "{count} {top}");
        }
    }
}
