//! From a diagnostic's line and column to a selection in the text area.
//!
//! Diagnostics count lines from 1, split at `\n`, and columns from 1 in
//! characters (`polyarch_core::json`). A text area's selection counts UTF-16
//! code units from 0. [`mark`] turns the first into the second and stretches
//! the selection over the token that starts there: a whole string (with
//! its quotes), one bracket, or a bare word up to the next `,`, `}`, `]`,
//! `"` or end of line (so a place inside a string marks the rest of it). A line or column beyond the text is clamped to its end.

/// The UTF-16 range `(start, end)` in `text` to select for a diagnostic at
/// `line`, `column`.
pub fn mark(text: &str, line: usize, column: usize) -> (u32, u32) {
    let start = byte_offset(text, line, column);
    let end = token_end(text, start);
    (utf16_len(&text[..start]), utf16_len(&text[..end]))
}

/// The byte offset in `text` of `line`, `column` (both from 1), clamped.
pub fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line.max(1) {
        match text[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[offset..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let within = rest[..line_end]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(line_end);
    offset + within
}

fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None | Some((_, '\n' | '\r')) => start,
        Some((_, '"')) => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => return start + i + 1,
                    '\n' => return start + i,
                    _ => escaped = false,
                }
            }
            text.len()
        }
        Some((_, c)) if matches!(c, '{' | '}' | '[' | ']' | ',' | ':') => start + c.len_utf8(),
        Some((_, c)) => {
            let end = rest
                .find([',', '}', ']', '"', '\n', '\r'])
                .unwrap_or(rest.len());
            let word = rest[..end].trim_end().len();
            start + if word == 0 { c.len_utf8() } else { word }
        }
    }
}

fn utf16_len(s: &str) -> u32 {
    u32::try_from(s.encode_utf16().count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_token_at_a_line_and_column() {
        let text = "{\n  \"size\": -1,\n  \"digest\": \"sha256:ab\\\"c\",\n  \"x\": [1]\n}";
        let table: &[(usize, usize, &str)] = &[
            (1, 1, "{"),
            (2, 3, "\"size\""),
            (2, 11, "-1"),
            (3, 13, "\"sha256:ab\\\"c\""),
            (4, 8, "["),
            (4, 9, "1"),
            (5, 1, "}"),
            (3, 21, "ab\\"),
        ];

        for (line, column, expected) in table {
            let (start, end) = mark(text, *line, *column);
            let marked: String = text
                .encode_utf16()
                .skip(start as usize)
                .take((end - start) as usize)
                .map(|u| char::from_u32(u32::from(u)).unwrap_or('?'))
                .collect();
            assert_eq!(marked, *expected, "{line}:{column}");
        }
    }

    #[test]
    fn counts_utf16_units_before_the_mark() {
        let text = "{\"é😀\": tru}";

        let (start, end) = mark(text, 1, 8);

        assert_eq!((start, end), (8, 11));
    }

    #[test]
    fn clamps_places_beyond_the_text() {
        let text = "{\n}";
        let table: &[(usize, usize, (u32, u32))] =
            &[(9, 1, (3, 3)), (1, 99, (1, 1)), (0, 0, (0, 1))];

        for (line, column, expected) in table {
            assert_eq!(mark(text, *line, *column), *expected, "{line}:{column}");
        }
    }

    #[test]
    fn never_panics_on_any_text() {
        let texts = ["", "\n\n", "\"", "\"\\", "é", "😀\n😀", "a\r\nb"];

        for text in texts {
            for line in 0..4 {
                for column in 0..4 {
                    let (start, end) = mark(text, line, column);
                    assert!(start <= end, "{text:?} {line}:{column}");
                }
            }
        }
    }
}
