//! Image configs: the JSON blob a manifest's `config` descriptor points at
//! (OCI image-spec v1.1, config.md; Docker's image JSON, which has the same
//! fields and a few more).
//!
//! [`read_config`] takes the config's exact bytes and never fails: it gives
//! an [`ImageConfig`] summary, for people and for assembly, and every
//! problem as a [`Diagnostic`] with its place in the bytes.
//!
//! What is read:
//!
//! | field | summary | rule |
//! |---|---|---|
//! | `architecture`, `os` | [`ImageConfig::platform`] | required: absent, empty or not a string is a `config-platform-missing` error |
//! | `variant`, `os.version`, `os.features` | [`ImageConfig::platform`] | optional strings (features: an array of strings) |
//! | `created`, `author` | as written | optional strings |
//! | `config` | [`ContainerConfig`]: user, env, entrypoint, cmd, working dir, exposed ports, volumes, labels, stop signal | optional object |
//! | `rootfs` | its `type` and the number of `diff_ids`, each a digest | optional |
//! | `history` | [`HistoryEntry`] per item | optional array |
//!
//! A value of the wrong JSON type is a `field-type` error and is left out of
//! the summary; other fields (Docker's `container_config`, `docker_version`,
//! …) are not read. The platform is kept as written: `aarch64` stays
//! `aarch64`, and [`Platform::normalized`] gives what clients compare.
//!
//! ```
//! use polyarch_core::config::read_config;
//!
//! let config = read_config(br#"{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#);
//! assert_eq!(config.platform.format(), "linux/arm64");
//! assert!(config.valid);
//!
//! let broken = read_config(br#"{"os":"linux"}"#);
//! assert!(!broken.valid);
//! assert_eq!(broken.diagnostics[0].code, "config-platform-missing");
//! ```

use serde::Serialize;

use crate::check::Checker;
use crate::descriptor::Annotations;
use crate::diagnostic::{Diagnostic, Rule};
use crate::digest::Digest;
use crate::json::{self, Node, Span};
use crate::platform::Platform;

/// What an image config says, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageConfig {
    /// The SHA-256 digest of the exact bytes.
    pub digest: String,
    /// The number of bytes.
    pub size: u64,
    /// True exactly when no diagnostic is an error.
    pub valid: bool,
    /// `architecture`, `os`, `variant`, `os.version` and `os.features`, as
    /// written; empty where absent.
    pub platform: Platform,
    /// `created`, an RFC 3339 date and time.
    pub created: Option<String>,
    /// `author`.
    pub author: Option<String>,
    /// `config`: how a container of this image starts.
    pub config: Option<ContainerConfig>,
    /// `rootfs.type`, `layers` for every image.
    pub rootfs_type: Option<String>,
    /// How many `rootfs.diff_ids` there are: one per layer.
    pub diff_id_count: usize,
    /// `history`, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Every problem, errors first, then in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// The `config` object of an image config: the container's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerConfig {
    /// `User`.
    pub user: Option<String>,
    /// `Env`, `NAME=value` each.
    pub env: Vec<String>,
    /// `Entrypoint`.
    pub entrypoint: Vec<String>,
    /// `Cmd`.
    pub cmd: Vec<String>,
    /// `WorkingDir`.
    pub working_dir: Option<String>,
    /// The keys of `ExposedPorts`, such as `80/tcp`.
    pub exposed_ports: Vec<String>,
    /// The keys of `Volumes`.
    pub volumes: Vec<String>,
    /// `Labels`, in document order.
    pub labels: Annotations,
    /// `StopSignal`.
    pub stop_signal: Option<String>,
}

/// One item of `history`: how a layer (or an empty step) was made.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// `created`.
    pub created: Option<String>,
    /// `created_by`: the command, such as a Dockerfile instruction.
    pub created_by: Option<String>,
    /// `author`.
    pub author: Option<String>,
    /// `comment`.
    pub comment: Option<String>,
    /// `empty_layer`: the step made no layer.
    pub empty_layer: bool,
}

/// Reads an image config; see the module doc.
pub fn read_config(bytes: &[u8]) -> ImageConfig {
    let mut checker = Checker::new(bytes);
    let mut config = ImageConfig {
        digest: Digest::sha256(bytes).to_string(),
        size: bytes.len() as u64,
        ..ImageConfig::default()
    };

    if let Some(text) = text_of(&mut checker, bytes) {
        match json::parse(text) {
            Ok(root) => read_root(&mut checker, &root, &mut config),
            Err(e) => checker
                .diagnostics
                .report_at(Rule::JsonSyntax, "", e.offset, e.message),
        }
    }

    config.diagnostics = checker.diagnostics.finish();
    config.valid = !config.diagnostics.iter().any(Diagnostic::is_error);
    config
}

fn text_of<'a>(checker: &mut Checker<'_>, bytes: &'a [u8]) -> Option<&'a str> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        checker.diagnostics.report(
            Rule::ByteOrderMark,
            "",
            Span::new(0, 3),
            "the config starts with a UTF-8 byte order mark, which Go's JSON reader refuses",
        );
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let at = e.valid_up_to();
            checker.diagnostics.report_at(
                Rule::InvalidUtf8,
                "",
                at,
                format!("byte {at} is not valid UTF-8"),
            );
            None
        }
    }
}

fn read_root(checker: &mut Checker<'_>, root: &Node<'_>, config: &mut ImageConfig) {
    checker.duplicate_keys(root);
    if root.as_object().is_none() {
        checker.report(
            Rule::RootNotObject,
            "",
            root,
            format!(
                "an image config is a JSON object, found {}",
                root.value.type_name()
            ),
        );
        return;
    }

    config.platform = read_platform(checker, root);
    config.created = optional_string(checker, root, "", "created");
    config.author = optional_string(checker, root, "", "author");

    if let Some(node) = object_field(checker, root, "", "config") {
        config.config = Some(read_container_config(checker, node, "/config"));
    }

    if let Some(rootfs) = object_field(checker, root, "", "rootfs") {
        config.rootfs_type = optional_string(checker, rootfs, "/rootfs", "type");
        if let Some(items) = array_field(checker, rootfs, "/rootfs", "diff_ids") {
            config.diff_id_count = items.len();
            check_diff_ids(checker, items);
        }
    }

    if let Some(items) = array_field(checker, root, "", "history") {
        config.history = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| read_history(checker, item, &format!("/history/{i}")))
            .collect();
    }
}

fn read_platform(checker: &mut Checker<'_>, root: &Node<'_>) -> Platform {
    let required = |checker: &mut Checker<'_>, key: &str| -> String {
        let value = match root.get(key) {
            None => None,
            Some(node) => match node.as_str() {
                Some(s) => Some(s),
                None => {
                    checker.report(
                        Rule::FieldType,
                        &json::child("", key),
                        node,
                        format!(
                            "\"{key}\" must be a string, found {}",
                            node.value.type_name()
                        ),
                    );
                    return String::new();
                }
            },
        };
        match value {
            Some(s) if !s.is_empty() => s.to_owned(),
            _ => {
                checker.report(
                    Rule::ConfigPlatformMissing,
                    "",
                    root,
                    format!(
                        "an image config requires a non-empty \"{key}\": without it no client \
                         can tell which platform the image is for"
                    ),
                );
                String::new()
            }
        }
    };

    let architecture = required(checker, "architecture");
    let os = required(checker, "os");
    Platform {
        os,
        architecture,
        variant: optional_string(checker, root, "", "variant").filter(|s| !s.is_empty()),
        os_version: optional_string(checker, root, "", "os.version").filter(|s| !s.is_empty()),
        os_features: strings(checker, root, "", "os.features"),
        features: Vec::new(),
    }
}

fn read_container_config(
    checker: &mut Checker<'_>,
    node: &Node<'_>,
    pointer: &str,
) -> ContainerConfig {
    ContainerConfig {
        user: optional_string(checker, node, pointer, "User"),
        env: strings(checker, node, pointer, "Env"),
        entrypoint: strings(checker, node, pointer, "Entrypoint"),
        cmd: strings(checker, node, pointer, "Cmd"),
        working_dir: optional_string(checker, node, pointer, "WorkingDir"),
        exposed_ports: keys(checker, node, pointer, "ExposedPorts"),
        volumes: keys(checker, node, pointer, "Volumes"),
        labels: labels(checker, node, pointer),
        stop_signal: optional_string(checker, node, pointer, "StopSignal"),
    }
}

fn read_history(checker: &mut Checker<'_>, node: &Node<'_>, pointer: &str) -> Option<HistoryEntry> {
    if node.as_object().is_none() {
        type_error(checker, pointer, node, "a history entry", "an object");
        return None;
    }
    let empty_layer = match node.get("empty_layer") {
        None => false,
        Some(n) => match n.value {
            json::Value::Bool(b) => b,
            _ => {
                let at = json::child(pointer, "empty_layer");
                type_error(checker, &at, n, "\"empty_layer\"", "a boolean");
                false
            }
        },
    };
    Some(HistoryEntry {
        created: optional_string(checker, node, pointer, "created"),
        created_by: optional_string(checker, node, pointer, "created_by"),
        author: optional_string(checker, node, pointer, "author"),
        comment: optional_string(checker, node, pointer, "comment"),
        empty_layer,
    })
}

fn check_diff_ids(checker: &mut Checker<'_>, items: &[Node<'_>]) {
    for (i, item) in items.iter().enumerate() {
        let pointer = format!("/rootfs/diff_ids/{i}");
        match item.as_str() {
            Some(s) => {
                if let Err(e) = s.parse::<Digest>() {
                    checker.report(
                        Rule::DigestInvalid,
                        &pointer,
                        item,
                        format!("diff_id \"{s}\" is not a digest: {e}"),
                    );
                }
            }
            None => type_error(checker, &pointer, item, "a diff_id", "a string"),
        }
    }
}

fn type_error(
    checker: &mut Checker<'_>,
    pointer: &str,
    node: &Node<'_>,
    what: &str,
    expected: &str,
) {
    checker.report(
        Rule::FieldType,
        pointer,
        node,
        format!(
            "{what} must be {expected}, found {}",
            node.value.type_name()
        ),
    );
}

/// The string member `key`; `null` counts as absent, as Go reads it.
fn optional_string(
    checker: &mut Checker<'_>,
    object: &Node<'_>,
    pointer: &str,
    key: &str,
) -> Option<String> {
    let node = object.get(key)?;
    match &node.value {
        json::Value::String(s) => Some(s.to_string()),
        json::Value::Null => None,
        _ => {
            let what = format!("\"{key}\"");
            type_error(checker, &json::child(pointer, key), node, &what, "a string");
            None
        }
    }
}

fn object_field<'n>(
    checker: &mut Checker<'_>,
    object: &'n Node<'n>,
    pointer: &str,
    key: &str,
) -> Option<&'n Node<'n>> {
    let node = object.get(key)?;
    match &node.value {
        json::Value::Object(_) => Some(node),
        json::Value::Null => None,
        _ => {
            let what = format!("\"{key}\"");
            type_error(
                checker,
                &json::child(pointer, key),
                node,
                &what,
                "an object",
            );
            None
        }
    }
}

fn array_field<'n>(
    checker: &mut Checker<'_>,
    object: &'n Node<'n>,
    pointer: &str,
    key: &str,
) -> Option<&'n [Node<'n>]> {
    let node = object.get(key)?;
    match &node.value {
        json::Value::Array(items) => Some(items),
        json::Value::Null => None,
        _ => {
            let what = format!("\"{key}\"");
            type_error(checker, &json::child(pointer, key), node, &what, "an array");
            None
        }
    }
}

/// An array of strings; items of another type are reported and skipped.
fn strings(checker: &mut Checker<'_>, object: &Node<'_>, pointer: &str, key: &str) -> Vec<String> {
    let Some(items) = array_field(checker, object, pointer, key) else {
        return Vec::new();
    };
    let at = json::child(pointer, key);
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(s) => values.push(s.to_owned()),
            None => {
                let what = format!("\"{key}\" items");
                type_error(
                    checker,
                    &json::child(&at, &i.to_string()),
                    item,
                    &what,
                    "strings",
                );
            }
        }
    }
    values
}

/// The keys of an object such as `ExposedPorts`, whose values are `{}`.
fn keys(checker: &mut Checker<'_>, object: &Node<'_>, pointer: &str, key: &str) -> Vec<String> {
    object_field(checker, object, pointer, key)
        .and_then(Node::as_object)
        .map(|members| members.iter().map(|m| m.key.to_string()).collect())
        .unwrap_or_default()
}

fn labels(checker: &mut Checker<'_>, object: &Node<'_>, pointer: &str) -> Annotations {
    let Some(node) = object_field(checker, object, pointer, "Labels") else {
        return Annotations::default();
    };
    let at = json::child(pointer, "Labels");
    let mut pairs = Vec::new();
    for member in node.as_object().unwrap_or_default() {
        match member.value.as_str() {
            Some(value) => pairs.push((member.key.to_string(), value.to_owned())),
            None => {
                let what = format!("label \"{}\"", member.key);
                type_error(
                    checker,
                    &json::child(&at, &member.key),
                    &member.value,
                    &what,
                    "a string",
                );
            }
        }
    }
    Annotations(pairs)
}
