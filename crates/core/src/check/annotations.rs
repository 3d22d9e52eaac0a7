//! Annotations: string-to-string maps, and the reserved
//! `org.opencontainers.image.*` keys with their formats (annotations.md,
//! "Pre-Defined Annotation Keys").

use super::Checker;
use crate::descriptor::Annotations;
use crate::diagnostic::Rule;
use crate::digest::Digest;
use crate::json::{self, Node};

const RESERVED_PREFIX: &str = "org.opencontainers.image.";

/// The keys the image-spec defines under its reserved prefix, with the
/// format each value must have.
const RESERVED: &[(&str, Format)] = &[
    ("created", Format::DateTime),
    ("authors", Format::Text),
    ("url", Format::Url),
    ("documentation", Format::Url),
    ("source", Format::Url),
    ("version", Format::Text),
    ("revision", Format::Text),
    ("vendor", Format::Text),
    ("licenses", Format::Text),
    ("ref.name", Format::RefName),
    ("title", Format::Text),
    ("description", Format::Text),
    ("base.digest", Format::Digest),
    ("base.name", Format::Text),
];

#[derive(Debug, Clone, Copy)]
enum Format {
    Text,
    DateTime,
    Url,
    RefName,
    Digest,
}

/// Reads `annotations` of the object at `pointer`, checking each value.
pub(crate) fn read(checker: &mut Checker<'_>, object: &Node<'_>, pointer: &str) -> Annotations {
    let Some(field) = checker.field(object, pointer, "annotations", None) else {
        return Annotations::default();
    };
    let Some(members) = field.node.as_object() else {
        checker.report(
            Rule::AnnotationNotString,
            &field.pointer,
            field.node,
            format!(
                "\"annotations\" must be an object of strings, found {}",
                field.node.value.type_name()
            ),
        );
        return Annotations::default();
    };

    let mut annotations = Vec::with_capacity(members.len());
    for member in members {
        let at = json::child(&field.pointer, &member.key);
        let Some(value) = member.value.as_str() else {
            checker.report(
                Rule::AnnotationNotString,
                &at,
                &member.value,
                format!(
                    "annotation \"{}\" must be a string, found {}",
                    member.key,
                    member.value.value.type_name()
                ),
            );
            continue;
        };
        if let Some(name) = member.key.strip_prefix(RESERVED_PREFIX) {
            check_reserved(checker, &at, &member.value, &member.key, name, value);
        }
        annotations.push((member.key.to_string(), value.to_owned()));
    }
    Annotations(annotations)
}

fn check_reserved(
    checker: &mut Checker<'_>,
    pointer: &str,
    node: &Node<'_>,
    key: &str,
    name: &str,
    value: &str,
) {
    let Some(&(_, format)) = RESERVED.iter().find(|(n, _)| *n == name) else {
        checker.report(
            Rule::AnnotationReserved,
            pointer,
            node,
            format!("\"{key}\" is in the reserved org.opencontainers.image namespace but the spec does not define it"),
        );
        return;
    };
    let problem = match format {
        Format::Text => None,
        Format::DateTime => (!is_rfc3339(value))
            .then_some("a date and time as RFC 3339 defines it, such as 2024-05-01T12:00:00Z"),
        Format::Url => (!is_url(value)).then_some("an absolute URL"),
        Format::RefName => (!is_ref_name(value))
            .then_some("components of letters and digits joined by - . _ : @ / + or --"),
        Format::Digest => value.parse::<Digest>().is_err().then_some("a digest"),
    };
    if let Some(expected) = problem {
        checker.report(
            Rule::AnnotationFormat,
            pointer,
            node,
            format!("\"{key}\" must be {expected}, found \"{value}\""),
        );
    }
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0')))
    };
    let (Some(_year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    let separators = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':');
    let ranges = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !(separators && ranges) {
        return false;
    }

    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

/// An absolute URL: a scheme (RFC 3986), a colon, and no white space.
pub(crate) fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `org.opencontainers.image.ref.name`: `alphanum+ (separator alphanum+)*`
/// with separators `-._:@/+` and `--`.
fn is_ref_name(s: &str) -> bool {
    let mut component = 0usize;
    let mut dashes = 0usize;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            component += 1;
            dashes = 0;
        } else if c == '-' && dashes == 1 && component == 0 {
            dashes = 2;
        } else if component == 0 {
            return false;
        } else if c == '-' {
            dashes = 1;
            component = 0;
        } else if matches!(c, '.' | '_' | ':' | '@' | '/' | '+') {
            dashes = 0;
            component = 0;
        } else {
            return false;
        }
    }
    component > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_table() {
        for ok in [
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00.123456789Z",
            "2024-05-01T12:00:00+09:00",
            "1985-04-12t23:20:50.52z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2024-05-01",
            "2024-13-01T12:00:00Z",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T25:00:00Z",
            "yesterday",
            "2024-05-01T12:00:00+0900",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn url_and_ref_name_tables() {
        assert!(is_url("https://example.com/x"));
        assert!(is_url("git+ssh://host/repo"));
        assert!(!is_url("example.com"));
        assert!(!is_url("https://exa mple.com"));
        assert!(!is_url("1http://x"));

        for ok in ["1", "v1.2.3", "stable-amd64", "a--b", "a/b:c@d+e_f"] {
            assert!(is_ref_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a..b", "a---b", "a b", "a."] {
            assert!(!is_ref_name(bad), "{bad}");
        }
    }
}
