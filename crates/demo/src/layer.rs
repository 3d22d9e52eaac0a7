//! Layers: an uncompressed tar archive holding one regular file.
//!
//! The archive is POSIX ustar (POSIX.1-2001, `pax` utility, "ustar
//! Interchange Format"), the format an OCI layer of media type
//! `application/vnd.oci.image.layer.v1.tar` is (OCI image spec,
//! `layer.md`): one 512-byte header, the content padded with zeros to a
//! whole 512-byte block, then two zero blocks that end the archive.
//!
//! The header is written so that the same name and content always give the
//! same bytes, and so the same digest: mode `0644`, owner and group `0`,
//! modification time `0` (1970-01-01), no user or group names. Numeric
//! fields are octal with a terminating NUL; the checksum is the sum of the
//! header's bytes with the checksum field taken as eight spaces, written as
//! six octal digits, a NUL and a space.
//!
//! What is refused ([`LayerError`]): an empty name, a name longer than the
//! 100 bytes of the header's name field (the `prefix` field is not used), a
//! name with a NUL byte, and content of 8 GiB or more (the size field holds
//! eleven octal digits).
//!
//! ```
//! use polyarch_demo::layer::{BLOCK, one_file_tar};
//!
//! let tar = one_file_tar("etc/motd", b"hello\n").unwrap();
//! assert_eq!(tar.len(), 4 * BLOCK); // header, content, two end blocks
//! assert_eq!(&tar[257..263], b"ustar\0");
//! assert_eq!(&tar[BLOCK..BLOCK + 6], b"hello\n");
//! ```

use thiserror::Error;

/// The size of a tar block, in bytes.
pub const BLOCK: usize = 512;

/// The longest name the header's name field holds, in bytes.
pub const MAX_NAME: usize = 100;

/// The largest content the size field can state: eleven octal digits.
pub const MAX_CONTENT: u64 = 0o77_777_777_777;

/// Why no archive was written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LayerError {
    /// The file name is empty.
    #[error("the file name is empty")]
    EmptyName,
    /// The file name does not fit the header's name field.
    #[error("the file name is {len} bytes long; a ustar name holds at most {MAX_NAME}")]
    NameTooLong {
        /// The name's length in bytes.
        len: usize,
    },
    /// The file name has a NUL byte, which would end it early.
    #[error("the file name has a NUL byte at byte {at}")]
    NulInName {
        /// The byte offset of the NUL.
        at: usize,
    },
    /// The content does not fit the header's size field.
    #[error("the content is {len} bytes; a ustar size field holds at most {MAX_CONTENT}")]
    ContentTooLarge {
        /// The content's length in bytes.
        len: u64,
    },
}

/// An archive with one regular file `name` holding `content`.
///
/// # Errors
///
/// A [`LayerError`] when the name or the size does not fit the header.
pub fn one_file_tar(name: &str, content: &[u8]) -> Result<Vec<u8>, LayerError> {
    let header = header(name, content.len() as u64)?;

    let padded = content.len().div_ceil(BLOCK) * BLOCK;
    let mut tar = Vec::with_capacity(BLOCK + padded + 2 * BLOCK);
    tar.extend_from_slice(&header);
    tar.extend_from_slice(content);
    tar.resize(BLOCK + padded + 2 * BLOCK, 0);
    Ok(tar)
}

/// The header block for a regular file of `size` bytes.
fn header(name: &str, size: u64) -> Result<[u8; BLOCK], LayerError> {
    if name.is_empty() {
        return Err(LayerError::EmptyName);
    }
    if name.len() > MAX_NAME {
        return Err(LayerError::NameTooLong { len: name.len() });
    }
    if let Some(at) = name.bytes().position(|b| b == 0) {
        return Err(LayerError::NulInName { at });
    }
    if size > MAX_CONTENT {
        return Err(LayerError::ContentTooLarge { len: size });
    }

    let mut header = [0u8; BLOCK];
    put(&mut header, 0, name.as_bytes());
    put(&mut header, 100, b"0000644\0");
    put(&mut header, 108, b"0000000\0");
    put(&mut header, 116, b"0000000\0");
    put(&mut header, 124, format!("{size:011o}\0").as_bytes());
    put(&mut header, 136, b"00000000000\0");
    put(&mut header, 148, b"        ");
    header[156] = b'0';
    put(&mut header, 257, b"ustar\0");
    put(&mut header, 263, b"00");

    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    put(&mut header, 148, format!("{sum:06o}\0 ").as_bytes());
    Ok(header)
}

/// Copies `bytes` into the header at `at`; every caller's field fits.
fn put(header: &mut [u8; BLOCK], at: usize, bytes: &[u8]) {
    if let Some(field) = header.get_mut(at..at + bytes.len()) {
        field.copy_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The header's checksum field, read as tar readers do.
    fn stored_checksum(tar: &[u8]) -> u32 {
        let field = std::str::from_utf8(&tar[148..154]).unwrap();
        u32::from_str_radix(field, 8).unwrap()
    }

    fn computed_checksum(tar: &[u8]) -> u32 {
        let mut header = tar[..BLOCK].to_vec();
        header[148..156].copy_from_slice(b"        ");
        header.iter().map(|b| u32::from(*b)).sum()
    }

    #[test]
    fn lengths_are_whole_blocks_with_two_end_blocks() {
        let cases: [(usize, usize); 5] = [
            (0, 3 * BLOCK),
            (1, 4 * BLOCK),
            (BLOCK, 4 * BLOCK),
            (BLOCK + 1, 5 * BLOCK),
            (3 * BLOCK, 6 * BLOCK),
        ];
        for (content_len, expected) in cases {
            let content = vec![b'x'; content_len];

            let tar = one_file_tar("f", &content).unwrap();

            assert_eq!(tar.len(), expected, "content of {content_len} bytes");
            assert!(tar[tar.len() - 2 * BLOCK..].iter().all(|b| *b == 0));
        }
    }

    #[test]
    fn header_fields_are_as_documented() {
        let tar = one_file_tar("etc/polyarch-demo", b"hello\n").unwrap();

        assert_eq!(&tar[..17], b"etc/polyarch-demo");
        assert_eq!(&tar[100..108], b"0000644\0");
        assert_eq!(&tar[124..136], b"00000000006\0");
        assert_eq!(&tar[136..148], b"00000000000\0");
        assert_eq!(tar[156], b'0');
        assert_eq!(&tar[257..265], b"ustar\x0000");
        assert_eq!(&tar[154..156], b"\0 ");
        assert_eq!(stored_checksum(&tar), computed_checksum(&tar));
    }

    #[test]
    fn refused_names_and_sizes() {
        let long = "n".repeat(MAX_NAME + 1);
        let cases: [(&str, LayerError); 3] = [
            ("", LayerError::EmptyName),
            (&long, LayerError::NameTooLong { len: MAX_NAME + 1 }),
            ("a\0b", LayerError::NulInName { at: 1 }),
        ];
        for (name, expected) in cases {
            assert_eq!(one_file_tar(name, b"x"), Err(expected), "{name:?}");
        }

        assert_eq!(
            header("big", MAX_CONTENT + 1),
            Err(LayerError::ContentTooLarge {
                len: MAX_CONTENT + 1
            })
        );
        assert!(header("big", MAX_CONTENT).is_ok());
        assert!(one_file_tar(&"n".repeat(MAX_NAME), b"").is_ok());
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let first = one_file_tar("a.txt", b"same").unwrap();

        let second = one_file_tar("a.txt", b"same").unwrap();

        assert_eq!(first, second);
    }

    /// The system's tar (GNU tar on Debian) lists and extracts the archive.
    #[test]
    fn system_tar_reads_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layer.tar");
        std::fs::write(&path, one_file_tar("etc/motd", b"polyarch\n").unwrap()).unwrap();

        let listed = std::process::Command::new("tar")
            .arg("-tvf")
            .arg(&path)
            .output()
            .expect("tar is installed");
        let extracted = std::process::Command::new("tar")
            .arg("-xf")
            .arg(&path)
            .arg("-C")
            .arg(dir.path())
            .status()
            .unwrap();

        assert!(listed.status.success(), "{listed:?}");
        let listing = String::from_utf8(listed.stdout).unwrap();
        assert!(listing.starts_with("-rw-r--r-- 0/0"), "{listing}");
        assert!(listing.trim_end().ends_with("etc/motd"), "{listing}");
        assert!(extracted.success());
        let content = std::fs::read(dir.path().join("etc/motd")).unwrap();
        assert_eq!(content, b"polyarch\n");
    }

    proptest! {
        #[test]
        fn never_panics_and_checksums_hold(
            name in "\\PC{0,120}",
            content in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            match one_file_tar(&name, &content) {
                Ok(tar) => {
                    prop_assert_eq!(tar.len() % BLOCK, 0);
                    prop_assert_eq!(&tar[BLOCK..BLOCK + content.len()], content.as_slice());
                    prop_assert_eq!(stored_checksum(&tar), computed_checksum(&tar));
                }
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
        }
    }
}
