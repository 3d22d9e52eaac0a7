//! Strict JSON with positions.
//!
//! polyarch reads every document into a tree of [`Node`]s, each carrying the
//! byte range it came from, so that a diagnostic can name its line and
//! column. The grammar is RFC 8259, checked by `serde_json`; on top of it
//! this module adds what a manifest checker needs and `serde_json` does not
//! give:
//!
//! - **Positions for every value.** Values are captured as borrowed
//!   [`RawValue`]s, which lie inside the input, so their offsets are known.
//! - **Duplicate keys are kept,** in document order, so that the checker can
//!   report them; nothing is resolved by "last one wins".
//! - **Numbers are kept as written.** [`Number::as_i64`] is exact for every
//!   integer that fits in an `i64`; nothing is rounded through `f64`.
//! - **Limits.** Nesting deeper than [`MAX_DEPTH`] is refused with a
//!   [`SyntaxError`] at the value that goes too deep, rather than exhausting
//!   the stack.
//!
//! Each nesting level scans its own members once more, so parsing costs the
//! input's size times its depth; the depth limit bounds that cost.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// The deepest nesting of arrays and objects that [`parse`] accepts.
///
/// OCI documents nest at most five levels; the limit leaves room for unknown
/// fields while keeping the cost of a hostile document bounded.
pub const MAX_DEPTH: usize = 64;

/// A byte range in the input, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// The offset of the first byte.
    pub start: usize,
    /// The offset just past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A JSON value together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    /// The bytes of the whole value, from its first to its last character.
    pub span: Span,
    /// The value itself.
    pub value: Value<'a>,
}

/// A JSON value whose children are [`Node`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(Number<'a>),
    /// A string, with its escapes decoded.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object's members in document order, duplicates included.
    Object(Vec<Member<'a>>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    /// The key, with its escapes decoded.
    pub key: Cow<'a, str>,
    /// Where the key was written, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Node<'a>,
}

/// A JSON number exactly as it appears in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number<'a> {
    text: &'a str,
}

impl<'a> Number<'a> {
    /// The number's text, for example `-5`, `700.0` or `1e3`.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Whether the number is written as an integer: no fraction, no exponent.
    ///
    /// `700.0` and `7e2` are not integers here, as they are not for Go's
    /// `encoding/json` when it fills an `int64`.
    pub fn is_integer(&self) -> bool {
        !self.text.contains(['.', 'e', 'E'])
    }

    /// The exact value, when the number is an integer that fits in an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_integer() {
            self.text.parse().ok()
        } else {
            None
        }
    }
}

impl<'a> Value<'a> {
    /// The JSON type's name, as a message would say it: `"a string"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl<'a> Node<'a> {
    /// The string, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, when this is an object.
    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The items, when this is an array.
    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The first member named `key`, when this is an object.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.member(key).map(|m| &m.value)
    }

    /// The first member named `key`, with its key's position.
    pub fn member(&self, key: &str) -> Option<&Member<'a>> {
        self.as_object()?.iter().find(|m| m.key == key)
    }
}

/// Why a text is not JSON, and where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The byte offset where reading stopped.
    pub offset: usize,
    /// What is wrong, in lower case.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for SyntaxError {}

/// Reads `text` as one JSON value.
///
/// ```
/// use polyarch_core::json::{parse, Value};
///
/// let doc = parse(r#"{"size": 9007199254740993}"#).unwrap();
/// let size = doc.get("size").unwrap();
/// assert_eq!(size.span.start, 9);
/// match size.value {
///     Value::Number(n) => assert_eq!(n.as_i64(), Some(9007199254740993)),
///     _ => unreachable!(),
/// }
/// ```
///
/// A string value that escapes a lone surrogate (`"\ud800"`), which the
/// grammar allows but which is no character, is a [`SyntaxError`] here; use
/// [`parse_document`] to read it as Go's `encoding/json` does.
pub fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    let document = parse_document(text)?;
    match document.replaced_strings.first() {
        Some(span) => Err(SyntaxError {
            offset: span.start,
            message: "a \\u escape names a lone surrogate, which is no character".to_owned(),
        }),
        None => Ok(document.root),
    }
}

/// A document read by [`parse_document`].
#[derive(Debug, Clone, PartialEq)]
pub struct Document<'a> {
    /// The root value.
    pub root: Node<'a>,
    /// String values that escape a lone surrogate (`"\ud800"`). RFC 8259's
    /// grammar allows them (section 8.2), but they name no character; as in
    /// Go's `encoding/json`, each such escape reads as U+FFFD.
    pub replaced_strings: Vec<Span>,
}

/// Reads `text` as one JSON value, accepting string values that escape a
/// lone surrogate, and saying where they are.
///
/// Object keys that escape a lone surrogate are still a [`SyntaxError`].
pub fn parse_document(text: &str) -> Result<Document<'_>, SyntaxError> {
    let root: &RawValue = serde_json::from_str(text).map_err(|e| syntax_error(text, 0, &e))?;
    let mut reader = Reader {
        text,
        replaced: Vec::new(),
        budget: scan_budget(text.len()),
    };
    let root = reader.build(root, 0)?;
    Ok(Document {
        root,
        replaced_strings: reader.replaced,
    })
}

/// How many bytes the nested re-reading of arrays and objects may cover in
/// all: sixteen passes over the text, and never less than 64 MiB.
///
/// A manifest nests five levels, so it needs five passes at most. A document
/// that would need more (a large array nested dozens of levels deep) is
/// refused with a [`SyntaxError`] rather than read for seconds.
fn scan_budget(len: usize) -> usize {
    len.saturating_mul(16).max(64 << 20)
}

/// The state of one [`parse_document`]: the text, the strings read as
/// U+FFFD, and what remains of the scan budget.
struct Reader<'a> {
    text: &'a str,
    replaced: Vec<Span>,
    budget: usize,
}

/// The JSON Pointer of the innermost value that starts at `offset`.
pub fn pointer_at(root: &Node<'_>, offset: usize) -> String {
    let mut pointer = String::new();
    let mut node = root;
    loop {
        let next = match &node.value {
            Value::Object(members) => members
                .iter()
                .find(|m| m.value.span.start <= offset && offset < m.value.span.end)
                .map(|m| (m.key.to_string(), &m.value)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find(|(_, n)| n.span.start <= offset && offset < n.span.end)
                .map(|(i, n)| (i.to_string(), n)),
            _ => None,
        };
        match next {
            Some((token, child)) => {
                push_token(&mut pointer, &token);
                node = child;
            }
            None => return pointer,
        }
    }
}

impl<'a> Reader<'a> {
    fn build(&mut self, raw: &'a RawValue, depth: usize) -> Result<Node<'a>, SyntaxError> {
        let text = self.text;
        let start = offset_in(text, raw.get());
        let span = Span::new(start, start + raw.get().len());
        let inner = raw.get();

        let value = match inner.as_bytes().first() {
            Some(b'{') | Some(b'[') if depth >= MAX_DEPTH => {
                return Err(SyntaxError {
                    offset: start,
                    message: format!("nesting deeper than {MAX_DEPTH} levels"),
                });
            }
            Some(b'{') | Some(b'[') if inner.len() > self.budget => {
                return Err(SyntaxError {
                    offset: start,
                    message: format!(
                        "this document nests too deeply for its size: reading it would take more \
                     than {} passes over its {} bytes",
                        scan_budget(text.len()) / text.len().max(1),
                        text.len()
                    ),
                });
            }
            Some(b'{') => {
                self.budget -= inner.len();
                let entries: Entries<'a> =
                    serde_json::from_str(inner).map_err(|e| syntax_error(inner, start, &e))?;
                let mut members = Vec::with_capacity(entries.0.len());
                for (key, value) in entries.0 {
                    let value = self.build(value, depth + 1)?;
                    let key_span = key_span_before(text, value.span.start);
                    members.push(Member {
                        key,
                        key_span,
                        value,
                    });
                }
                Value::Object(members)
            }
            Some(b'[') => {
                self.budget -= inner.len();
                let items: Vec<&'a RawValue> =
                    serde_json::from_str(inner).map_err(|e| syntax_error(inner, start, &e))?;
                let nodes = items
                    .into_iter()
                    .map(|item| self.build(item, depth + 1))
                    .collect::<Result<_, _>>()?;
                Value::Array(nodes)
            }
            Some(b'"') => match serde_json::from_str::<Str<'a>>(inner) {
                Ok(s) => Value::String(s.0),
                Err(e) => match lossy_string(inner) {
                    Some(s) => {
                        self.replaced.push(span);
                        Value::String(Cow::Owned(s))
                    }
                    None => return Err(syntax_error(inner, start, &e)),
                },
            },
            Some(b't') => Value::Bool(true),
            Some(b'f') => Value::Bool(false),
            Some(b'n') => Value::Null,
            _ => Value::Number(Number { text: inner }),
        };

        Ok(Node { span, value })
    }
}

/// A string whose `\\u` escapes name lone surrogates, each read as U+FFFD.
///
/// `serde_json` reads such escapes as WTF-8 when asked for bytes; the bytes
/// are then made UTF-8 by replacement. `None` when the string has another
/// fault.
fn lossy_string(raw: &str) -> Option<String> {
    struct Bytes;

    impl<'de> Visitor<'de> for Bytes {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
            Ok(v.to_vec())
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.as_bytes().to_vec())
        }
    }

    let mut deserializer = serde_json::Deserializer::from_str(raw);
    let bytes = deserializer.deserialize_bytes(Bytes).ok()?;
    deserializer.end().ok()?;
    Some(from_wtf8(&bytes))
}

/// WTF-8 to UTF-8: each encoded surrogate (three bytes, `ED A0..BF xx`)
/// becomes one U+FFFD, as one `\\u` escape does in Go.
fn from_wtf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, invalid) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{fffd}');
                let surrogate =
                    invalid.len() >= 3 && invalid[0] == 0xED && (0xA0..=0xBF).contains(&invalid[1]);
                let skip = if surrogate {
                    3
                } else {
                    e.error_len().unwrap_or(invalid.len())
                };
                rest = &invalid[skip..];
            }
        }
    }
}

/// The offset of `part` inside `whole`, which must contain it.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// Finds the key written before the value that starts at `value_start`.
///
/// The text is valid JSON, so walking back over white space and the colon
/// reaches the key's closing quote; its opening quote is the first quote
/// before that which no backslash escapes.
fn key_span_before(text: &str, value_start: usize) -> Span {
    let bytes = text.as_bytes();
    let mut i = value_start;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b':') {
        i -= 1;
    }
    let end = i;
    let mut j = end.saturating_sub(1);
    while j > 0 {
        j -= 1;
        if bytes[j] == b'"' {
            let backslashes = bytes[..j].iter().rev().take_while(|&&b| b == b'\\').count();
            if backslashes % 2 == 0 {
                break;
            }
        }
    }
    Span::new(j, end)
}

fn syntax_error(text: &str, base: usize, e: &serde_json::Error) -> SyntaxError {
    let offset = base + offset_of_line_column(text, e.line(), e.column());
    let mut message = e.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    SyntaxError { offset, message }
}

/// Turns `serde_json`'s 1-based line and byte column into an offset.
fn offset_of_line_column(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    // serde_json counts the byte it stopped on as column 1 past the last one
    // read; column 0 means the error came before the line's first byte.
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// An object's members as raw values, in document order.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;

        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(key) = map.next_key_seed(StrSeed)? {
                    let value: &'de RawValue = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// A string that borrows from the input when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        StrSeed.deserialize(deserializer).map(Str)
    }
}

struct StrSeed;

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for StrSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Where a byte offset lies, for people: line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// 0-based byte offset.
    pub offset: usize,
}

/// Turns byte offsets into lines and columns.
///
/// It works on bytes, so that it can also place a fault in input that is not
/// valid UTF-8; a column counts the characters, that is the bytes that do not
/// continue a UTF-8 sequence, before the offset on its line. Counts of
/// continuation bytes are kept per block of [`LineIndex::BLOCK`] bytes, so
/// that placing a diagnostic costs at most two blocks' scan even on a
/// minified document that is one 4 MiB line.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    line_starts: Vec<usize>,
    continuations_before_block: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    const BLOCK: usize = 1024;

    /// Indexes the lines of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut line_starts = vec![0];
        let mut continuations_before_block = Vec::with_capacity(bytes.len() / Self::BLOCK + 1);
        let mut continuations = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if i % Self::BLOCK == 0 {
                continuations_before_block.push(continuations);
            }
            if b == b'\n' {
                line_starts.push(i + 1);
            }
            if is_continuation(b) {
                continuations += 1;
            }
        }
        continuations_before_block.push(continuations);
        LineIndex {
            bytes,
            line_starts,
            continuations_before_block,
        }
    }

    /// The line and column of `offset`; offsets past the end are clamped.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.bytes.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let continuations = self.continuations_before(offset) - self.continuations_before(start);
        let column = 1 + (offset - start) - continuations;
        Position {
            line,
            column,
            offset,
        }
    }

    fn continuations_before(&self, offset: usize) -> usize {
        let block = offset / Self::BLOCK;
        let block_start = block * Self::BLOCK;
        self.continuations_before_block[block]
            + self.bytes[block_start..offset]
                .iter()
                .filter(|&&b| is_continuation(b))
                .count()
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Appends one reference token to a JSON Pointer (RFC 6901), escaping `~`
/// and `/`.
///
/// ```
/// let mut pointer = String::from("/annotations");
/// polyarch_core::json::push_token(&mut pointer, "a/b~c");
/// assert_eq!(pointer, "/annotations/a~1b~0c");
/// ```
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// `pointer` with one more reference token.
pub fn child(pointer: &str, token: &str) -> String {
    let mut p = String::with_capacity(pointer.len() + token.len() + 1);
    p.push_str(pointer);
    push_token(&mut p, token);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(node: &Node<'_>) -> Number<'static> {
        match node.value {
            Value::Number(n) => Number {
                text: n.text.to_owned().leak(),
            },
            _ => panic!("not a number: {node:?}"),
        }
    }

    #[test]
    fn spans_cover_each_value() {
        let text = "{ \"a\" : [1, \"x\"] ,\n \"b\":{\"c\":null}}";

        let root = parse(text).unwrap();

        let a = root.member("a").unwrap();
        assert_eq!(&text[a.key_span.start..a.key_span.end], "\"a\"");
        assert_eq!(&text[a.value.span.start..a.value.span.end], "[1, \"x\"]");
        let items = a.value.as_array().unwrap();
        assert_eq!(&text[items[1].span.start..items[1].span.end], "\"x\"");
        let c = root.get("b").unwrap().member("c").unwrap();
        assert_eq!(&text[c.key_span.start..c.key_span.end], "\"c\"");
        assert_eq!(c.value.value, Value::Null);
    }

    #[test]
    fn duplicate_keys_are_all_kept_in_order() {
        let root = parse(r#"{"k":1,"k":2}"#).unwrap();

        let members = root.as_object().unwrap();

        assert_eq!(members.len(), 2);
        assert_eq!(number(&members[0].value).as_str(), "1");
        assert_eq!(number(&members[1].value).as_str(), "2");
        assert_eq!(members[1].key_span, Span::new(7, 10));
    }

    #[test]
    fn escaped_keys_and_quotes_are_located() {
        let text = r#"{"a\"b\\": "v", "\u0041": 1}"#;

        let root = parse(text).unwrap();

        let members = root.as_object().unwrap();
        assert_eq!(members[0].key, "a\"b\\");
        assert_eq!(
            &text[members[0].key_span.start..members[0].key_span.end],
            r#""a\"b\\""#
        );
        assert_eq!(members[1].key, "A");
        assert_eq!(
            &text[members[1].key_span.start..members[1].key_span.end],
            r#""\u0041""#
        );
    }

    #[test]
    fn integers_are_exact() {
        let root = parse("[9007199254740993, -5, 700.0, 1e3, 9223372036854775808]").unwrap();

        let items = root.as_array().unwrap();

        assert_eq!(number(&items[0]).as_i64(), Some(9_007_199_254_740_993));
        assert_eq!(number(&items[1]).as_i64(), Some(-5));
        assert_eq!(number(&items[2]).as_i64(), None);
        assert!(!number(&items[3]).is_integer());
        assert_eq!(number(&items[4]).as_i64(), None);
    }

    #[test]
    fn syntax_errors_say_where_reading_stopped() {
        let text = "{\n  \"schemaVersion\": 2\n  \"manifests\": []\n}";

        let err = parse(text).unwrap_err();

        let at = LineIndex::new(text.as_bytes()).position(err.offset);
        assert_eq!(at.line, 3);
        assert_eq!(at.column, 3);
        assert!(err.message.contains("expected"), "{}", err.message);
    }

    #[test]
    fn errors_inside_nested_values_are_placed_in_the_whole_text() {
        let text = "{\"a\": [\"\\ud800\"]}";

        let err = parse(text).unwrap_err();

        assert!((7..text.len()).contains(&err.offset), "{err:?}");
    }

    #[test]
    fn lone_surrogate_escapes_are_read_as_go_reads_them() {
        let text = r#"{"a":["x\ud800y", "\udc00"]}"#;

        let document = parse_document(text).unwrap();

        let items = document.root.get("a").unwrap().as_array().unwrap();
        assert_eq!(items[0].as_str(), Some("x\u{fffd}y"));
        assert_eq!(items[1].as_str(), Some("\u{fffd}"));
        assert_eq!(
            document.replaced_strings,
            vec![items[0].span, items[1].span]
        );
        assert_eq!(pointer_at(&document.root, items[1].span.start), "/a/1");
        assert!(parse(text).is_err());
        assert!(parse_document(r#"["\ud800\q"]"#).is_err());
    }

    #[test]
    fn large_documents_nested_deeply_are_refused_by_the_scan_budget() {
        let depth = 40;
        let numbers = "1,".repeat(1 << 20);
        let text = format!("{}{}0{}", "[".repeat(depth), numbers, "]".repeat(depth));

        let err = parse(&text).unwrap_err();

        assert!(
            err.message.contains("nests too deeply for its size"),
            "{}",
            err.message
        );
        assert!(parse(&format!("[[[{numbers}0]]]")).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());

        let limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&limit).is_ok());

        let over = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let err = parse(&over).unwrap_err();
        assert_eq!(err.offset, MAX_DEPTH);
    }

    #[test]
    fn trailing_characters_and_empty_input_are_errors() {
        assert!(parse("{} x").is_err());
        assert!(parse("").is_err());
        assert!(parse("   ").is_err());
    }

    #[test]
    fn columns_count_characters_across_blocks() {
        let line = format!(
            "{}\n{}é{}x",
            "a".repeat(3000),
            "日".repeat(700),
            "b".repeat(1500)
        );
        let index = LineIndex::new(line.as_bytes());

        let x = index.position(line.len() - 1);

        assert_eq!((x.line, x.column), (2, 700 + 1 + 1500 + 1));
        assert_eq!(index.position(line.len() + 5).offset, line.len());
        assert_eq!(index.position(0).column, 1);
    }

    #[test]
    fn columns_count_characters() {
        let text = "{\"é\": \"日本\", \"x\": 1}";
        let index = LineIndex::new(text.as_bytes());

        let root = parse(text).unwrap();

        let x = root.member("x").unwrap();
        assert_eq!(index.position(x.key_span.start).column, 13);
    }
}
