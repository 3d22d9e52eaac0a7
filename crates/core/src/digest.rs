//! Content digests: `algorithm:encoded`.
//!
//! The grammar is the OCI image-spec's (descriptor.md, "Digests"):
//!
//! ```text
//! digest                ::= algorithm ":" encoded
//! algorithm             ::= algorithm-component (algorithm-separator algorithm-component)*
//! algorithm-component   ::= [a-z0-9]+
//! algorithm-separator   ::= [+._-]
//! encoded               ::= [a-zA-Z0-9=_-]+
//! ```
//!
//! The registered algorithms are held to more: `sha256` is 64 and `sha512`
//! 128 lower-case hex characters. A grammatical digest with another
//! algorithm (`blake3:…`, `sha256+b64u:…`) is accepted as [`Algorithm::Other`]:
//! a reader must not refuse it, though it cannot verify it.
//!
//! A digest is always computed over the exact bytes given, never over a
//! re-serialisation: one added newline changes it.
//!
//! ```
//! use polyarch_core::digest::{Algorithm, Digest};
//!
//! let d = Digest::of(&Algorithm::Sha256, b"{}").unwrap();
//! assert_eq!(d.to_string(),
//!     "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
//! assert_eq!("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
//!     .parse::<Digest>().unwrap(), d);
//! ```

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256, Sha512};

/// A digest algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// SHA-256, 64 lower-case hex characters.
    Sha256,
    /// SHA-512, 128 lower-case hex characters.
    Sha512,
    /// A grammatical algorithm the spec does not register.
    Other(String),
}

impl Algorithm {
    /// The algorithm's name as written in a digest.
    pub fn as_str(&self) -> &str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
            Algorithm::Other(name) => name,
        }
    }

    /// The length of the hex encoding, for the registered algorithms.
    pub fn encoded_len(&self) -> Option<usize> {
        match self {
            Algorithm::Sha256 => Some(64),
            Algorithm::Sha512 => Some(128),
            Algorithm::Other(_) => None,
        }
    }

    fn from_name(name: &str) -> Self {
        match name {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => Algorithm::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    encoded: String,
}

/// Why a string is not a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestError {
    /// There is no `:` between algorithm and encoded part.
    MissingSeparator,
    /// The algorithm part breaks the grammar; `at` is the offending byte.
    InvalidAlgorithm {
        /// Byte offset of the first bad character, or of the empty part.
        at: usize,
    },
    /// Nothing follows the `:`.
    EmptyEncoded,
    /// The encoded part breaks the grammar; `at` is the offending byte.
    InvalidEncoded {
        /// Byte offset of the first bad character, or of the empty part.
        at: usize,
    },
    /// A registered algorithm's encoding has the wrong length.
    WrongLength {
        /// The algorithm.
        algorithm: &'static str,
        /// The length it requires.
        expected: usize,
        /// The length written.
        found: usize,
    },
    /// A registered algorithm's encoding is not lower-case hex.
    NotLowerHex {
        /// The algorithm.
        algorithm: &'static str,
        /// Byte offset of the first bad character.
        at: usize,
    },
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestError::MissingSeparator => {
                f.write_str("expected \"algorithm:encoded\", found no ':'")
            }
            DigestError::InvalidAlgorithm { at } => write!(
                f,
                "the algorithm must be lower-case letters and digits joined by + . _ or - \
                 (bad character at {at})"
            ),
            DigestError::EmptyEncoded => f.write_str("nothing follows the ':' of the digest"),
            DigestError::InvalidEncoded { at } => write!(
                f,
                "the encoded part must be letters, digits, '=', '_' or '-' (bad character at {at})"
            ),
            DigestError::WrongLength {
                algorithm,
                expected,
                found,
            } => write!(
                f,
                "a {algorithm} digest has {expected} hex characters, found {found}"
            ),
            DigestError::NotLowerHex { algorithm, at } => write!(
                f,
                "a {algorithm} digest is lower-case hex (bad character at {at})"
            ),
        }
    }
}

impl std::error::Error for DigestError {}

impl Digest {
    /// Hashes `bytes`; `None` for an algorithm polyarch cannot compute.
    pub fn of(algorithm: &Algorithm, bytes: &[u8]) -> Option<Self> {
        let mut hasher = Hasher::new(algorithm)?;
        hasher.update(bytes);
        Some(hasher.finish())
    }

    /// The SHA-256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Self {
        let mut hasher = Hasher::sha256();
        hasher.update(bytes);
        hasher.finish()
    }

    /// The SHA-512 digest of `bytes`.
    pub fn sha512(bytes: &[u8]) -> Self {
        let mut hasher = Hasher::sha512();
        hasher.update(bytes);
        hasher.finish()
    }

    /// The algorithm.
    pub fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    /// The encoded part, after the `:`.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// Whether polyarch can compute this digest's algorithm.
    pub fn is_verifiable(&self) -> bool {
        self.algorithm.encoded_len().is_some()
    }

    /// Whether `bytes` hash to this digest. Always false for an algorithm
    /// that polyarch cannot compute.
    pub fn verifies(&self, bytes: &[u8]) -> bool {
        Digest::of(&self.algorithm, bytes).is_some_and(|d| d == *self)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, DigestError> {
        let colon = s.find(':').ok_or(DigestError::MissingSeparator)?;
        let (name, encoded) = (&s[..colon], &s[colon + 1..]);

        check_algorithm(name)?;
        if encoded.is_empty() {
            return Err(DigestError::EmptyEncoded);
        }
        if let Some(i) = encoded.bytes().position(|b| !is_encoded_byte(b)) {
            return Err(DigestError::InvalidEncoded { at: colon + 1 + i });
        }

        let algorithm = Algorithm::from_name(name);
        if let Some(expected) = algorithm.encoded_len() {
            let algorithm_name = if expected == 64 { "sha256" } else { "sha512" };
            if let Some(i) = encoded
                .bytes()
                .position(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return Err(DigestError::NotLowerHex {
                    algorithm: algorithm_name,
                    at: colon + 1 + i,
                });
            }
            if encoded.len() != expected {
                return Err(DigestError::WrongLength {
                    algorithm: algorithm_name,
                    expected,
                    found: encoded.len(),
                });
            }
        }

        Ok(Digest {
            algorithm,
            encoded: encoded.to_owned(),
        })
    }
}

fn check_algorithm(name: &str) -> Result<(), DigestError> {
    let bytes = name.as_bytes();
    let mut component_len = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => component_len += 1,
            b'+' | b'.' | b'_' | b'-' if component_len > 0 => component_len = 0,
            _ => return Err(DigestError::InvalidAlgorithm { at: i }),
        }
    }
    if component_len == 0 {
        return Err(DigestError::InvalidAlgorithm { at: name.len() });
    }
    Ok(())
}

fn is_encoded_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-')
}

/// A streaming digest: feed it any number of chunks, so that a
/// multi-gigabyte blob never has to sit in memory.
///
/// ```
/// use polyarch_core::digest::{Algorithm, Digest, Hasher};
///
/// let mut hasher = Hasher::new(&Algorithm::Sha256).unwrap();
/// hasher.update(b"{");
/// hasher.update(b"}");
/// assert_eq!(hasher.bytes(), 2);
/// assert_eq!(hasher.finish(), Digest::sha256(b"{}"));
/// ```
#[derive(Debug, Clone)]
pub struct Hasher {
    state: State,
    bytes: u64,
}

#[derive(Debug, Clone)]
enum State {
    Sha256(Sha256),
    Sha512(Box<Sha512>),
}

impl Hasher {
    /// A hasher for `algorithm`; `None` for an algorithm polyarch cannot
    /// compute.
    pub fn new(algorithm: &Algorithm) -> Option<Self> {
        match algorithm {
            Algorithm::Sha256 => Some(Self::sha256()),
            Algorithm::Sha512 => Some(Self::sha512()),
            Algorithm::Other(_) => None,
        }
    }

    /// A SHA-256 hasher.
    pub fn sha256() -> Self {
        Hasher {
            state: State::Sha256(Sha256::new()),
            bytes: 0,
        }
    }

    /// A SHA-512 hasher.
    pub fn sha512() -> Self {
        Hasher {
            state: State::Sha512(Box::default()),
            bytes: 0,
        }
    }

    /// Adds `chunk` to the input.
    pub fn update(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        match &mut self.state {
            State::Sha256(h) => h.update(chunk),
            State::Sha512(h) => h.update(chunk),
        }
    }

    /// How many bytes have been fed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The digest of everything fed.
    pub fn finish(self) -> Digest {
        let (algorithm, encoded) = match self.state {
            State::Sha256(h) => (Algorithm::Sha256, hex(&h.finalize())),
            State::Sha512(h) => (Algorithm::Sha512, hex(&h.finalize())),
        };
        Digest { algorithm, encoded }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_OBJECT: &str =
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    #[test]
    fn digests_are_over_exact_bytes() {
        let compact = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        let mut with_newline = compact.to_vec();
        with_newline.push(b'\n');

        assert_eq!(
            Digest::sha256(compact).to_string(),
            "sha256:dff9de10919148711140d349bf03f1a99eb06f94b03e51715ccebfa7cdc518e2"
        );
        assert_eq!(
            Digest::sha256(&with_newline).to_string(),
            "sha256:3d60eec733f106e03a571223c6adb85a3dabd53590ae0d8339e8ea2de2d32c56"
        );
        assert_eq!(Digest::sha256(b"{}").to_string(), EMPTY_OBJECT);
    }

    #[test]
    fn sha512_has_128_hex_characters() {
        let d = Digest::sha512(b"");

        assert_eq!(d.encoded().len(), 128);
        assert!(d.encoded().starts_with("cf83e1357eefb8bd"));
        assert_eq!(d.to_string().parse::<Digest>().unwrap(), d);
    }

    #[test]
    fn grammar_table() {
        let ok = [
            EMPTY_OBJECT,
            "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
            "blake3:abcdefABCDEF0123",
            "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
            "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8",
        ];
        for s in ok {
            assert_eq!(
                s.parse::<Digest>().map(|d| d.to_string()),
                Ok(s.to_owned()),
                "{s}"
            );
        }

        let bad: [(&str, DigestError); 8] = [
            ("sha256", DigestError::MissingSeparator),
            (":abc", DigestError::InvalidAlgorithm { at: 0 }),
            ("sha256:", DigestError::EmptyEncoded),
            ("SHA256:abc", DigestError::InvalidAlgorithm { at: 0 }),
            ("sha256-:abc", DigestError::InvalidAlgorithm { at: 7 }),
            (
                "sha256:abc",
                DigestError::WrongLength {
                    algorithm: "sha256",
                    expected: 64,
                    found: 3,
                },
            ),
            (
                "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                DigestError::NotLowerHex {
                    algorithm: "sha256",
                    at: 7,
                },
            ),
            ("blake3:ab/c", DigestError::InvalidEncoded { at: 9 }),
        ];
        for (s, err) in bad {
            assert_eq!(s.parse::<Digest>(), Err(err), "{s}");
        }
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut hasher = Hasher::sha512();

        for chunk in data.chunks(4093) {
            hasher.update(chunk);
        }

        assert_eq!(hasher.bytes(), 100_000);
        assert_eq!(hasher.finish(), Digest::sha512(&data));
    }

    #[test]
    fn verifies_only_what_it_can_compute() {
        let d: Digest = EMPTY_OBJECT.parse().unwrap();
        assert!(d.verifies(b"{}"));
        assert!(!d.verifies(b"{} "));

        let other: Digest = "blake3:abc".parse().unwrap();
        assert!(!other.verifies(b"{}"));
    }
}
