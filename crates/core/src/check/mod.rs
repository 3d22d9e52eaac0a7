//! The validation rules, one file per part of a document.
//!
//! The checks read a [`Node`] tree and report into [`Diagnostics`]; none of
//! them stops at the first problem. Typed values ([`Descriptor`],
//! [`Entry`]) come out of the same walk, with what could be read, so that a
//! report shows as much of a broken document as possible.
//!
//! [`Descriptor`]: crate::descriptor::Descriptor
//! [`Entry`]: crate::descriptor::Entry

pub(crate) mod annotations;
pub(crate) mod descriptor;
pub(crate) mod document;
pub(crate) mod index;
pub(crate) mod manifest;
pub(crate) mod platform;

use crate::diagnostic::{Diagnostics, Rule};
use std::collections::HashMap;

use crate::json::{self, Member, Node, Value};

/// What the checks share: the diagnostics being collected.
pub(crate) struct Checker<'a> {
    pub(crate) diagnostics: Diagnostics<'a>,
}

/// A member read from an object: its value and its pointer.
pub(crate) struct Field<'n> {
    pub(crate) node: &'n Node<'n>,
    pub(crate) pointer: String,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Checker {
            diagnostics: Diagnostics::new(bytes),
        }
    }

    /// A checker for the same bytes whose findings are dropped: for
    /// reading a value that is kept but not judged.
    pub(crate) fn quiet(&self) -> Checker<'a> {
        Checker::new(self.diagnostics.bytes())
    }

    pub(crate) fn report(
        &mut self,
        rule: Rule,
        pointer: &str,
        node: &Node<'_>,
        message: impl Into<String>,
    ) {
        self.diagnostics.report(rule, pointer, node.span, message);
    }

    /// The member `key` of `object`, reporting its absence when `required`.
    pub(crate) fn field<'n>(
        &mut self,
        object: &'n Node<'n>,
        pointer: &str,
        key: &str,
        required: Option<&str>,
    ) -> Option<Field<'n>> {
        match object.get(key) {
            Some(node) => Some(Field {
                node,
                pointer: json::child(pointer, key),
            }),
            None => {
                if let Some(what) = required {
                    self.report(
                        Rule::FieldMissing,
                        pointer,
                        object,
                        format!("{what} requires \"{key}\", which is absent"),
                    );
                }
                None
            }
        }
    }

    /// The member `key` as a string; a value of another type is reported.
    pub(crate) fn string<'n>(
        &mut self,
        object: &'n Node<'n>,
        pointer: &str,
        key: &str,
        required: Option<&str>,
    ) -> Option<(&'n str, Field<'n>)> {
        let field = self.field(object, pointer, key, required)?;
        match field.node.as_str() {
            Some(s) => Some((s, field)),
            None => {
                self.report(
                    Rule::FieldType,
                    &field.pointer,
                    field.node,
                    format!(
                        "\"{key}\" must be a string, found {}",
                        field.node.value.type_name()
                    ),
                );
                None
            }
        }
    }

    /// The member `key` as an array of strings, each with its pointer; a
    /// value or item of another type is reported and left out.
    pub(crate) fn strings<'n>(
        &mut self,
        object: &'n Node<'n>,
        pointer: &str,
        key: &str,
    ) -> Vec<(String, Field<'n>)> {
        let Some(field) = self.field(object, pointer, key, None) else {
            return Vec::new();
        };
        let Some(items) = field.node.as_array() else {
            self.report(
                Rule::FieldType,
                &field.pointer,
                field.node,
                format!(
                    "\"{key}\" must be an array of strings, found {}",
                    field.node.value.type_name()
                ),
            );
            return Vec::new();
        };
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = json::child(&field.pointer, &i.to_string());
            match item.as_str() {
                Some(s) => values.push((
                    s.to_owned(),
                    Field {
                        node: item,
                        pointer: at,
                    },
                )),
                None => self.report(
                    Rule::FieldType,
                    &at,
                    item,
                    format!(
                        "\"{key}\" items must be strings, found {}",
                        item.value.type_name()
                    ),
                ),
            }
        }
        values
    }

    /// Reports each member of `object` that is not in `known`.
    pub(crate) fn unknown_fields(
        &mut self,
        object: &Node<'_>,
        pointer: &str,
        known: &[&str],
        what: &str,
    ) {
        let Some(members) = object.as_object() else {
            return;
        };
        for member in members {
            if !known.contains(&member.key.as_ref()) {
                let at = json::child(pointer, &member.key);
                self.diagnostics.report(
                    Rule::UnknownField,
                    &at,
                    member.key_span,
                    format!(
                        "\"{}\" is not a field of {what}; it is kept as written",
                        member.key
                    ),
                );
            }
        }
    }

    /// Reports every key that an object repeats, anywhere in the tree.
    pub(crate) fn duplicate_keys(&mut self, root: &Node<'_>) {
        self.duplicates_in(root, root);
    }

    /// The walk behind [`Checker::duplicate_keys`]; a pointer is built only
    /// for a key that repeats.
    fn duplicates_in(&mut self, root: &Node<'_>, node: &Node<'_>) {
        match &node.value {
            Value::Object(members) => {
                let mut first_of: HashMap<&str, &Member<'_>> =
                    HashMap::with_capacity(members.len());
                for member in members {
                    if let Some(first) = first_of.get(member.key.as_ref()).copied() {
                        let first_line = self.diagnostics.position(first.key_span.start).line;
                        let pointer = json::pointer_at(root, member.value.span.start);
                        self.diagnostics.report(
                            Rule::DuplicateKey,
                            &pointer,
                            member.key_span,
                            format!(
                                "\"{}\" appears more than once in this object (first on line \
                                 {first_line}); readers disagree on which value wins",
                                member.key
                            ),
                        );
                    } else {
                        first_of.insert(&member.key, member);
                    }
                    self.duplicates_in(root, &member.value);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.duplicates_in(root, item);
                }
            }
            _ => {}
        }
    }
}
