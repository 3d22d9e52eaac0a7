//! Request paths of the distribution API, and the referrers fallback tag.
//!
//! From distribution-spec v1.1, "Endpoints":
//!
//! | id | method | path | builder |
//! |---|---|---|---|
//! | end-1 | `GET` | `/v2/` | [`API_BASE`] |
//! | end-2, end-10 | `GET` `HEAD` `DELETE` | `/v2/<name>/blobs/<digest>` | [`blob`] |
//! | end-3, end-7, end-9 | `GET` `HEAD` `PUT` `DELETE` | `/v2/<name>/manifests/<reference>` | [`manifest`], [`manifest_for`] |
//! | end-4a | `POST` | `/v2/<name>/blobs/uploads/` | [`upload`] |
//! | end-4b | `POST` | `/v2/<name>/blobs/uploads/?digest=<digest>` | [`upload_monolithic`] |
//! | end-11 | `POST` | `/v2/<name>/blobs/uploads/?mount=<digest>&from=<other>` | [`upload_mount`] |
//! | end-8a, end-8b | `GET` | `/v2/<name>/tags/list?n=<n>&last=<tag>` | [`tags`] |
//! | end-12a, end-12b | `GET` | `/v2/<name>/referrers/<digest>?artifactType=<type>` | [`referrers`] |
//! | — | `GET` | `/v2/_catalog?n=<n>&last=<name>` | [`catalog`] |
//!
//! `<name>` is a repository as [`Reference::repository`] gives it
//! (`library/bash`, never the registry) and goes into the path as it is:
//! its grammar has no character that needs escaping. Query values are
//! percent-encoded (RFC 3986: everything except `A-Z a-z 0-9 - . _ ~`), so
//! `sha256:…` is sent as `sha256%3A…`, which registries decode.
//!
//! A registry without the referrers API (`404` on end-12a) keeps the list
//! in an image index under the tag [`referrers_tag`] gives
//! (distribution-spec, "Referrers Tag Schema"): `<alg>-<ref>`, the encoded
//! digest cut to 64 characters.
//!
//! ```
//! use polyarch_core::registry::paths;
//!
//! let d = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
//! assert_eq!(
//!     paths::upload_mount("myorg/app", &d.parse().unwrap(), "myorg/base"),
//!     "/v2/myorg/app/blobs/uploads/?mount=sha256%3Ab5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c&from=myorg%2Fbase"
//! );
//! assert_eq!(
//!     paths::referrers_tag(&d.parse().unwrap()),
//!     "sha256-b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"
//! );
//! ```

use std::fmt::Write as _;

use crate::digest::Digest;
use crate::reference::Reference;

/// The API version check, end-1.
pub const API_BASE: &str = "/v2/";

/// The longest encoded part in a referrers tag.
pub const REFERRERS_TAG_REF_MAX: usize = 64;

/// `/v2/<name>/manifests/<reference>`; `reference` is a tag or a digest.
pub fn manifest(repository: &str, reference: &str) -> String {
    format!("/v2/{repository}/manifests/{reference}")
}

/// The manifest path for `image`: by digest when it has one, else by tag.
pub fn manifest_for(image: &Reference) -> String {
    manifest(image.repository(), &image.manifest_reference())
}

/// `/v2/<name>/blobs/<digest>`.
pub fn blob(repository: &str, digest: &Digest) -> String {
    format!("/v2/{repository}/blobs/{digest}")
}

/// `/v2/<name>/blobs/uploads/`: starts an upload session.
pub fn upload(repository: &str) -> String {
    format!("/v2/{repository}/blobs/uploads/")
}

/// `/v2/<name>/blobs/uploads/?digest=<digest>`: a monolithic upload in one
/// `POST`, or the closing `PUT`'s query when appended to a session URL.
pub fn upload_monolithic(repository: &str, digest: &Digest) -> String {
    let mut path = upload(repository);
    push_query(&mut path, "digest", &digest.to_string());
    path
}

/// `/v2/<name>/blobs/uploads/?mount=<digest>&from=<other>`: asks the
/// registry to link a blob it already holds in repository `from`. A
/// registry that cannot answers `202` with an upload session instead of
/// `201`.
pub fn upload_mount(repository: &str, digest: &Digest, from: &str) -> String {
    let mut path = upload(repository);
    push_query(&mut path, "mount", &digest.to_string());
    push_query(&mut path, "from", from);
    path
}

/// `/v2/<name>/tags/list`, with `n` (page size) and `last` (the last tag
/// of the previous page) when given.
pub fn tags(repository: &str, n: Option<u32>, last: Option<&str>) -> String {
    let mut path = format!("/v2/{repository}/tags/list");
    if let Some(n) = n {
        push_query(&mut path, "n", &n.to_string());
    }
    if let Some(last) = last {
        push_query(&mut path, "last", last);
    }
    path
}

/// `/v2/<name>/referrers/<digest>`, filtered by `artifactType` when given.
pub fn referrers(repository: &str, subject: &Digest, artifact_type: Option<&str>) -> String {
    let mut path = format!("/v2/{repository}/referrers/{subject}");
    if let Some(artifact_type) = artifact_type {
        push_query(&mut path, "artifactType", artifact_type);
    }
    path
}

/// `/v2/_catalog`, with `n` and `last` when given. Docker Hub and most
/// public registries do not serve it.
pub fn catalog(n: Option<u32>, last: Option<&str>) -> String {
    let mut path = String::from("/v2/_catalog");
    if let Some(n) = n {
        push_query(&mut path, "n", &n.to_string());
    }
    if let Some(last) = last {
        push_query(&mut path, "last", last);
    }
    path
}

/// The tag under which a registry without the referrers API keeps the
/// referrers of `subject`: `<alg>-<ref>`, `<ref>` cut to 64 characters.
/// Characters a tag cannot hold (a `+` in `sha256+b64u`, an `=`) become
/// `-`.
pub fn referrers_tag(subject: &Digest) -> String {
    let encoded = subject.encoded();
    let cut = &encoded[..encoded.len().min(REFERRERS_TAG_REF_MAX)];
    let tag_char = |c: char| {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
            c
        } else {
            '-'
        }
    };

    let mut tag: String = subject.algorithm().as_str().chars().map(tag_char).collect();
    tag.push('-');
    tag.extend(cut.chars().map(tag_char));
    tag
}

/// Appends `name=value` to `url`, with `?` or `&` as needed and `value`
/// percent-encoded.
pub(crate) fn push_query(url: &mut String, name: &str, value: &str) {
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(name);
    url.push('=');
    url.push_str(&percent_encode(value));
}

/// Percent-encodes every byte outside RFC 3986's unreserved set.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_only_unreserved_bytes() {
        let table = [
            ("", ""),
            ("AZaz09-._~", "AZaz09-._~"),
            (
                "repository:a/b:pull,push",
                "repository%3Aa%2Fb%3Apull%2Cpush",
            ),
            ("a b&c=d?e#f%", "a%20b%26c%3Dd%3Fe%23f%25"),
            ("é", "%C3%A9"),
        ];

        for (input, expected) in table {
            assert_eq!(percent_encode(input), expected, "{input}");
        }
    }

    #[test]
    fn push_query_joins_with_question_mark_then_ampersand() {
        let mut url = String::from("/v2/x");

        push_query(&mut url, "a", "1");
        push_query(&mut url, "b", "2");

        assert_eq!(url, "/v2/x?a=1&b=2");
    }
}
