//! Image references: `registry/repository:tag@digest`.
//!
//! polyarch reads a reference the way `docker pull` does, following
//! distribution/reference (`ParseNormalizedNamed` in `normalize.go`, the
//! grammar in `reference.go` and `regexp.go`):
//!
//! ```text
//! reference       ::= name [ ":" tag ] [ "@" digest ]
//! name            ::= [ registry "/" ] repository
//! registry        ::= host [ ":" port ]
//! host            ::= domain-name | "[" ipv6 "]"
//! domain-name     ::= component ( "." component )*
//! component       ::= [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
//! port            ::= [0-9]+
//! ipv6            ::= [a-fA-F0-9:]+          (no zone, no embedded IPv4)
//! repository      ::= path-component ( "/" path-component )*
//! path-component  ::= [a-z0-9]+ ( separator [a-z0-9]+ )*
//! separator       ::= "." | "_" | "__" | "-"+
//! tag             ::= [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest          ::= see crate::digest
//! ```
//!
//! # Which part is the registry
//!
//! The text before the first `/` names a registry only when it is
//! `localhost`, contains a `.` or a `:` (`example.com`, `10.0.0.1`,
//! `registry:5000`, `[::1]:5000`), or contains an upper-case letter
//! (repositories are lower case, so `Docker/app` can only mean a host).
//! Otherwise the whole name is a repository on Docker Hub: `myorg/app` is
//! `docker.io/myorg/app`, and `localhostx/app` is `docker.io/localhostx/app`.
//! A name without any `/` is always a Docker Hub name, even `localhost:5000`
//! (that reads as repository `localhost`, tag `5000`, as it does for
//! `docker`).
//!
//! # Defaults and normalisation
//!
//! | written | read as |
//! |---|---|
//! | no registry | `docker.io` |
//! | `index.docker.io` | `docker.io` |
//! | a one-component repository on `docker.io` | `library/<name>` |
//! | neither tag nor digest | tag `latest` |
//! | tag and digest | both kept; the digest is what a pull fetches |
//!
//! The registry is kept as written otherwise (no case folding, no default
//! port). The host that serves Docker Hub's API is `registry-1.docker.io`,
//! returned by [`Reference::api_host`].
//!
//! # Limits
//!
//! A repository (after `library/` is added) has at most 255 characters
//! (`RepositoryNameTotalLengthMax`); a tag at most 128. A reference that is
//! exactly 64 lower-case hex characters is an image id, not a name, and is
//! refused. The digest is checked by [`crate::digest`], which accepts every
//! grammatical digest: distribution refuses algorithms it has not
//! registered, polyarch accepts them and reports them as unverifiable.
//!
//! ```
//! use polyarch_core::reference::Reference;
//!
//! let r = Reference::parse("bash:5.3.9").unwrap();
//! assert_eq!(r.registry(), "docker.io");
//! assert_eq!(r.repository(), "library/bash");
//! assert_eq!(r.tag(), Some("5.3.9"));
//! assert_eq!(r.api_host(), "registry-1.docker.io");
//! assert_eq!(r.to_string(), "docker.io/library/bash:5.3.9");
//!
//! let err = Reference::parse("registry.example.com/MyOrg/app:1.0").unwrap_err();
//! assert_eq!(err.to_string(), "repository names are lower case: found `MyOrg` at 21");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::digest::{Digest, DigestError};

/// The registry a name without one belongs to.
pub const DOCKER_HUB: &str = "docker.io";

/// Docker Hub's legacy name, read as [`DOCKER_HUB`].
pub const DOCKER_HUB_LEGACY: &str = "index.docker.io";

/// The host that serves Docker Hub's registry API.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";

/// The namespace of Docker Hub's official images.
pub const OFFICIAL_NAMESPACE: &str = "library/";

/// The tag of a reference written with neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";

/// The longest repository, in bytes, `library/` included.
pub const REPOSITORY_MAX_LEN: usize = 255;

/// The longest tag, in bytes.
pub const TAG_MAX_LEN: usize = 128;

const LOCALHOST: &str = "localhost";

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

/// Why a string is not an image reference. Every `at` is a byte offset in
/// the text given to [`Reference::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    /// The text is empty.
    Empty,
    /// The text is 64 hex characters: an image id, not a name.
    ImageId,
    /// Nothing stands before the `:` or `@`.
    MissingRepository,
    /// The registry breaks the host and port grammar.
    InvalidRegistry {
        /// Byte offset of the first bad character, or of the empty part.
        at: usize,
    },
    /// A repository component holds an upper-case letter.
    UppercaseRepository {
        /// The component, as written.
        component: String,
        /// Byte offset where the component starts.
        at: usize,
    },
    /// The repository breaks the path grammar.
    InvalidRepository {
        /// Byte offset of the first bad character, or of the empty component.
        at: usize,
    },
    /// The repository is longer than [`REPOSITORY_MAX_LEN`].
    RepositoryTooLong {
        /// Its length, `library/` included.
        length: usize,
    },
    /// The tag breaks the tag grammar.
    InvalidTag {
        /// Byte offset of the first bad character, or of the empty tag.
        at: usize,
    },
    /// The tag is longer than [`TAG_MAX_LEN`].
    TagTooLong {
        /// Byte offset where the tag starts.
        at: usize,
        /// Its length.
        length: usize,
    },
    /// The digest after `@` is not a digest.
    InvalidDigest {
        /// Byte offset where the digest starts.
        at: usize,
        /// What is wrong, with offsets counted from the digest's start.
        source: DigestError,
    },
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceError::Empty => f.write_str("an image reference cannot be empty"),
            ReferenceError::ImageId => f.write_str(
                "64 hex characters are an image id, not a repository name; \
                 prefix a registry to use it as a name",
            ),
            ReferenceError::MissingRepository => {
                f.write_str("a repository name is required before ':' or '@'")
            }
            ReferenceError::InvalidRegistry { at } => write!(
                f,
                "the registry is a host name, an IPv4 address or a bracketed IPv6 address, \
                 with an optional numeric port (bad character at {at})"
            ),
            ReferenceError::UppercaseRepository { component, at } => write!(
                f,
                "repository names are lower case: found `{component}` at {at}"
            ),
            ReferenceError::InvalidRepository { at } => write!(
                f,
                "repository components are lower-case letters and digits joined by \
                 '.', '_', '__' or dashes (bad character at {at})"
            ),
            ReferenceError::RepositoryTooLong { length } => write!(
                f,
                "a repository name has at most {REPOSITORY_MAX_LEN} characters, found {length}"
            ),
            ReferenceError::InvalidTag { at } => write!(
                f,
                "a tag is letters, digits, '_', '.' and '-', not starting with '.' or '-' \
                 (bad character at {at})"
            ),
            ReferenceError::TagTooLong { at, length } => write!(
                f,
                "a tag has at most {TAG_MAX_LEN} characters, found {length} at {at}"
            ),
            ReferenceError::InvalidDigest { at, source } => {
                write!(f, "bad digest at {at}: {source}")
            }
        }
    }
}

impl std::error::Error for ReferenceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReferenceError::InvalidDigest { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Reference {
    /// Parses and normalises `text`; see the module doc for the rules.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        if text.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(ReferenceError::ImageId);
        }

        let (named, digest_at) = match text.find('@') {
            Some(at) => (&text[..at], Some(at + 1)),
            None => (text, None),
        };
        let last_slash = named.rfind('/');
        let tag_colon = named
            .rfind(':')
            .filter(|&colon| last_slash.is_none_or(|slash| colon > slash));
        let name = tag_colon.map_or(named, |colon| &named[..colon]);
        if name.is_empty() {
            return Err(ReferenceError::MissingRepository);
        }

        let (registry, path, path_at) = split_registry(name);
        check_registry(registry.written)?;
        check_repository(path, path_at)?;
        let repository = if registry.name == DOCKER_HUB && !path.contains('/') {
            format!("{OFFICIAL_NAMESPACE}{path}")
        } else {
            path.to_owned()
        };
        if repository.len() > REPOSITORY_MAX_LEN {
            return Err(ReferenceError::RepositoryTooLong {
                length: repository.len(),
            });
        }

        let tag = match tag_colon {
            Some(colon) => Some(check_tag(&named[colon + 1..], colon + 1)?.to_owned()),
            None => None,
        };
        let digest = match digest_at {
            Some(at) => Some(
                text[at..]
                    .parse::<Digest>()
                    .map_err(|source| ReferenceError::InvalidDigest { at, source })?,
            ),
            None => None,
        };
        let tag = match (&tag, &digest) {
            (None, None) => Some(DEFAULT_TAG.to_owned()),
            _ => tag,
        };

        Ok(Reference {
            registry: registry.name.to_owned(),
            repository,
            tag,
            digest,
        })
    }

    /// The registry, normalised: `docker.io` for Docker Hub.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository inside the registry, `library/` included on Docker Hub.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag; `latest` when neither tag nor digest was written, `None`
    /// when only a digest was.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, when one was written.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// Whether the reference names an image on Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// The host to send registry API requests to: `registry-1.docker.io` for
    /// Docker Hub, the registry itself otherwise.
    pub fn api_host(&self) -> &str {
        if self.is_docker_hub() {
            DOCKER_HUB_API_HOST
        } else {
            &self.registry
        }
    }

    /// What to put after `/manifests/` to fetch this image: the digest when
    /// there is one (a digest pins the content, the tag may have moved),
    /// otherwise the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => DEFAULT_TAG.to_owned(),
        }
    }

    /// The full form: `registry/repository[:tag][@digest]`, with every
    /// default written out, e.g. `docker.io/library/bash:5.3.9`.
    pub fn canonical(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, ReferenceError> {
        Reference::parse(s)
    }
}

/// What the npm package returns: every part, plus the API host and the
/// canonical form.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceView<'a> {
    registry: &'a str,
    repository: &'a str,
    tag: Option<&'a str>,
    digest: Option<String>,
    api_host: &'a str,
    canonical: String,
}

impl Serialize for Reference {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ReferenceView {
            registry: self.registry(),
            repository: self.repository(),
            tag: self.tag(),
            digest: self.digest.as_ref().map(ToString::to_string),
            api_host: self.api_host(),
            canonical: self.canonical(),
        }
        .serialize(serializer)
    }
}

/// The registry as written and as normalised.
struct RegistryPart<'a> {
    written: &'a str,
    name: &'a str,
}

/// Splits `name` into registry, repository path and the path's offset.
fn split_registry(name: &str) -> (RegistryPart<'_>, &str, usize) {
    let docker_hub = RegistryPart {
        written: DOCKER_HUB,
        name: DOCKER_HUB,
    };
    let Some(slash) = name.find('/') else {
        return (docker_hub, name, 0);
    };

    let first = &name[..slash];
    let is_registry = first == LOCALHOST
        || first.contains(['.', ':'])
        || first.bytes().any(|b| b.is_ascii_uppercase());
    if !is_registry {
        return (docker_hub, name, 0);
    }

    let normalised = if first == DOCKER_HUB_LEGACY {
        DOCKER_HUB
    } else {
        first
    };
    let registry = RegistryPart {
        written: first,
        name: normalised,
    };
    (registry, &name[slash + 1..], slash + 1)
}

/// Checks `host[:port]`; the registry always starts at offset 0.
fn check_registry(registry: &str) -> Result<(), ReferenceError> {
    let bad = |at| Err(ReferenceError::InvalidRegistry { at });
    let bytes = registry.as_bytes();

    let host_end = if bytes.first() == Some(&b'[') {
        let Some(close) = registry.find(']') else {
            return bad(registry.len());
        };
        if close == 1 {
            return bad(1);
        }
        if let Some(i) = bytes[1..close]
            .iter()
            .position(|&b| !(b.is_ascii_hexdigit() || b == b':'))
        {
            return bad(1 + i);
        }
        close + 1
    } else {
        let end = registry.find(':').unwrap_or(registry.len());
        check_domain_name(&bytes[..end]).or_else(bad)?;
        end
    };

    match bytes.get(host_end) {
        None => Ok(()),
        Some(b':') => {
            let port = &bytes[host_end + 1..];
            if port.is_empty() {
                return bad(host_end + 1);
            }
            match port.iter().position(|b| !b.is_ascii_digit()) {
                Some(i) => bad(host_end + 1 + i),
                None => Ok(()),
            }
        }
        Some(_) => bad(host_end),
    }
}

/// Checks dot-separated host components; the error is the bad offset.
fn check_domain_name(host: &[u8]) -> Result<(), usize> {
    let mut start = 0;
    for (i, &b) in host.iter().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => {}
            b'-' if i > start => {}
            b'.' if i > start && host[i - 1] != b'-' => start = i + 1,
            _ => return Err(i),
        }
    }
    if start == host.len() {
        return Err(host.len());
    }
    if host.last() == Some(&b'-') {
        return Err(host.len() - 1);
    }
    Ok(())
}

/// Checks the repository path, which starts at offset `base` in the input.
fn check_repository(path: &str, base: usize) -> Result<(), ReferenceError> {
    let mut offset = base;
    for component in path.split('/') {
        if component.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(ReferenceError::UppercaseRepository {
                component: component.to_owned(),
                at: offset,
            });
        }
        offset += component.len() + 1;
    }

    let mut offset = base;
    for component in path.split('/') {
        check_path_component(component.as_bytes())
            .map_err(|i| ReferenceError::InvalidRepository { at: offset + i })?;
        offset += component.len() + 1;
    }
    Ok(())
}

/// Checks one path component; the error is the bad offset within it.
fn check_path_component(component: &[u8]) -> Result<(), usize> {
    let mut need_alphanumeric = true;
    let mut i = 0;
    while let Some(&b) = component.get(i) {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => need_alphanumeric = false,
            _ if need_alphanumeric => return Err(i),
            b'.' => need_alphanumeric = true,
            b'_' => {
                if component.get(i + 1) == Some(&b'_') {
                    i += 1;
                }
                need_alphanumeric = true;
            }
            b'-' => {
                while component.get(i + 1) == Some(&b'-') {
                    i += 1;
                }
                need_alphanumeric = true;
            }
            _ => return Err(i),
        }
        i += 1;
    }
    if need_alphanumeric {
        return Err(component.len());
    }
    Ok(())
}

/// Checks a tag that starts at offset `at` in the input.
fn check_tag(tag: &str, at: usize) -> Result<&str, ReferenceError> {
    let bytes = tag.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';

    match bytes.first() {
        None => return Err(ReferenceError::InvalidTag { at }),
        Some(&b) if !word(b) => return Err(ReferenceError::InvalidTag { at }),
        Some(_) => {}
    }
    if let Some(i) = bytes
        .iter()
        .position(|&b| !(word(b) || b == b'.' || b == b'-'))
    {
        return Err(ReferenceError::InvalidTag { at: at + i });
    }
    if tag.len() > TAG_MAX_LEN {
        return Err(ReferenceError::TagTooLong {
            at,
            length: tag.len(),
        });
    }
    Ok(tag)
}
