//! What a registry's answer headers say about the manifest bytes it sent,
//! checked against those bytes.
//!
//! distribution-spec ("Pulling manifests") has the registry send the
//! manifest's media type as `Content-Type` and, for most registries, its
//! digest as `Docker-Content-Digest`. polyarch trusts neither: the digest
//! is taken over the bytes received and compared with the header, and the
//! `Content-Type` is handed to inspection, which reports where it and the
//! document's `mediaType` disagree. Each header gets one [`HeaderCheck`]:
//!
//! | header | absent | unreadable | disagrees |
//! |---|---|---|---|
//! | `Docker-Content-Digest` | [`HeaderCheck::DigestMissing`] (a note: the header is optional) | [`HeaderCheck::DigestMalformed`] | [`HeaderCheck::DigestMismatch`] |
//! | `Content-Type` | [`HeaderCheck::ContentTypeMissing`] | — | reported by inspection |
//!
//! When a manifest was asked for by digest, the bytes must hash to it
//! ([`HeaderCheck::RequestedMismatch`]); that digest also becomes the
//! inspection's expected digest.

use polyarch_core::digest::Digest;

/// One finding about a registry answer's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderCheck {
    /// `Docker-Content-Digest` names the digest of the bytes received.
    DigestMatches {
        /// The digest.
        digest: String,
    },
    /// `Docker-Content-Digest` names another digest than the bytes'.
    DigestMismatch {
        /// The header's value.
        header: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// No `Docker-Content-Digest` header.
    DigestMissing,
    /// `Docker-Content-Digest` is not a digest.
    DigestMalformed {
        /// The header's value.
        header: String,
        /// Why it is not one.
        reason: String,
    },
    /// `Docker-Content-Digest` uses an algorithm polyarch cannot compute.
    DigestUnverifiable {
        /// The header's value.
        header: String,
    },
    /// The bytes do not hash to the digest that was asked for.
    RequestedMismatch {
        /// The digest in the reference.
        requested: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// No `Content-Type` header.
    ContentTypeMissing,
}

impl HeaderCheck {
    /// Whether the finding means the answer cannot be trusted.
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            HeaderCheck::DigestMismatch { .. }
                | HeaderCheck::DigestMalformed { .. }
                | HeaderCheck::RequestedMismatch { .. }
        )
    }

    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            HeaderCheck::DigestMatches { digest } => {
                format!("Docker-Content-Digest {digest} matches the bytes received.")
            }
            HeaderCheck::DigestMismatch { header, actual } => format!(
                "Docker-Content-Digest says {header}, but the bytes received hash to {actual}."
            ),
            HeaderCheck::DigestMissing => {
                "The registry sent no Docker-Content-Digest; the digest shown is of the bytes \
                 received."
                    .to_owned()
            }
            HeaderCheck::DigestMalformed { header, reason } => {
                format!("Docker-Content-Digest {header:?} is not a digest: {reason}.")
            }
            HeaderCheck::DigestUnverifiable { header } => format!(
                "Docker-Content-Digest {header} uses an algorithm polyarch cannot compute; it \
                 was not checked."
            ),
            HeaderCheck::RequestedMismatch { requested, actual } => format!(
                "The reference asks for {requested}, but the bytes received hash to {actual}."
            ),
            HeaderCheck::ContentTypeMissing => {
                "The registry sent no Content-Type; the kind was read from the document.".to_owned()
            }
        }
    }
}

/// Checks an answer's headers against its `bytes`; `requested` is the
/// digest of the reference, when it had one.
pub fn check(
    bytes: &[u8],
    content_type: Option<&str>,
    docker_content_digest: Option<&str>,
    requested: Option<&Digest>,
) -> Vec<HeaderCheck> {
    let actual = Digest::sha256(bytes);
    let mut checks = Vec::new();

    match docker_content_digest.map(str::trim) {
        None | Some("") => checks.push(HeaderCheck::DigestMissing),
        Some(header) => checks.push(match header.parse::<Digest>() {
            Err(error) => HeaderCheck::DigestMalformed {
                header: header.to_owned(),
                reason: error.to_string(),
            },
            Ok(named) if !named.is_verifiable() => HeaderCheck::DigestUnverifiable {
                header: header.to_owned(),
            },
            Ok(named) if named.verifies(bytes) => HeaderCheck::DigestMatches {
                digest: named.to_string(),
            },
            Ok(_) => HeaderCheck::DigestMismatch {
                header: header.to_owned(),
                actual: actual.to_string(),
            },
        }),
    }

    if let Some(requested) = requested
        && requested.is_verifiable()
        && !requested.verifies(bytes)
    {
        checks.push(HeaderCheck::RequestedMismatch {
            requested: requested.to_string(),
            actual: actual.to_string(),
        });
    }

    if content_type.is_none_or(|t| t.trim().is_empty()) {
        checks.push(HeaderCheck::ContentTypeMissing);
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTES: &[u8] = br#"{"schemaVersion":2}"#;
    const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

    fn sha(bytes: &[u8]) -> String {
        Digest::sha256(bytes).to_string()
    }

    #[test]
    fn a_matching_answer_has_one_good_finding() {
        let checks = check(BYTES, Some(OCI_INDEX), Some(&sha(BYTES)), None);

        assert_eq!(checks, [HeaderCheck::DigestMatches { digest: sha(BYTES) }]);
        assert!(!checks[0].is_error());
    }

    #[test]
    fn each_header_problem_is_named() {
        let other = sha(b"other");
        let sha512 = Digest::sha512(BYTES).to_string();
        let table: &[(Option<&str>, Option<&str>, &str)] = &[
            (Some(OCI_INDEX), None, "DigestMissing"),
            (Some(OCI_INDEX), Some("  "), "DigestMissing"),
            (Some(OCI_INDEX), Some(&other), "DigestMismatch"),
            (Some(OCI_INDEX), Some("sha256:XYZ"), "DigestMalformed"),
            (Some(OCI_INDEX), Some("nocolon"), "DigestMalformed"),
            (Some(OCI_INDEX), Some("blake3:abcd"), "DigestUnverifiable"),
            (Some(OCI_INDEX), Some(&sha512), "DigestMatches"),
            (None, Some(&sha512), "ContentTypeMissing"),
            (Some(""), Some(&sha512), "ContentTypeMissing"),
        ];
        for (content_type, header, want) in table {
            let checks = check(BYTES, *content_type, *header, None);

            let names: Vec<String> = checks
                .iter()
                .map(|c| {
                    format!("{c:?}")
                        .split([' ', '{'])
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect();
            assert!(names.iter().any(|n| n == want), "{header:?}: {checks:?}");
        }
    }

    #[test]
    fn a_requested_digest_must_match_the_bytes() {
        let requested: Digest = sha(b"other").parse().unwrap();

        let checks = check(BYTES, Some(OCI_INDEX), Some(&sha(BYTES)), Some(&requested));

        assert!(checks.contains(&HeaderCheck::RequestedMismatch {
            requested: requested.to_string(),
            actual: sha(BYTES),
        }));
        assert!(checks.iter().any(HeaderCheck::is_error));
        let right: Digest = sha(BYTES).parse().unwrap();
        assert!(
            !check(BYTES, Some(OCI_INDEX), None, Some(&right))
                .iter()
                .any(HeaderCheck::is_error)
        );
    }

    #[test]
    fn messages_name_both_digests() {
        let mismatch = HeaderCheck::DigestMismatch {
            header: "sha256:aa".into(),
            actual: "sha256:bb".into(),
        };

        let message = mismatch.message();

        assert!(message.contains("sha256:aa") && message.contains("sha256:bb"));
        assert!(mismatch.is_error());
    }
}
