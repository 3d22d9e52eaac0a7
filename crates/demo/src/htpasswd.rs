//! The htpasswd file for the registry's Basic mode.
//!
//! distribution's `htpasswd` access controller reads only bcrypt entries
//! (`user:$2y$…`). The line is made by Apache's `htpasswd` (Debian package
//! `apache2-utils`, which `scripts/setup.sh` installs) as
//! `htpasswd -B -i -n <user>`, with the password written to its standard
//! input so that it never shows in a process list. The bcrypt cost is
//! htpasswd's default (5): the registry checks the hash on every request,
//! and the demo's password protects nothing worth a slower page.
//!
//! The file is written with mode `0600`.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use thiserror::Error;

use crate::credentials::Credentials;

/// The program that makes the line.
pub const PROGRAM: &str = "htpasswd";

/// Why no htpasswd file was written.
#[derive(Debug, Error)]
pub enum HtpasswdError {
    /// `htpasswd` could not be started.
    #[error("{PROGRAM} cannot be run; install apache2-utils (scripts/setup.sh does)")]
    NotInstalled(#[source] std::io::Error),
    /// `htpasswd` ran and failed.
    #[error("{PROGRAM} failed ({status}): {stderr}")]
    Failed {
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it wrote to standard error.
        stderr: String,
    },
    /// `htpasswd` printed something that is not a bcrypt line for the user.
    #[error("{PROGRAM} printed no bcrypt line for the user")]
    UnexpectedOutput,
    /// The file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The htpasswd line (without line break) for `credentials`.
///
/// # Errors
///
/// An [`HtpasswdError`] when `htpasswd` is missing or fails.
pub fn line(credentials: &Credentials) -> Result<String, HtpasswdError> {
    let mut child = Command::new(PROGRAM)
        .args(["-B", "-i", "-n", credentials.user()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(HtpasswdError::NotInstalled)?;
    if let Some(mut stdin) = child.stdin.take() {
        // A write error shows up as htpasswd's own failure below.
        let _ = writeln!(stdin, "{}", credentials.password());
    }
    let output = child
        .wait_with_output()
        .map_err(HtpasswdError::NotInstalled)?;
    if !output.status.success() {
        return Err(HtpasswdError::Failed {
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }

    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next().unwrap_or("").trim();
    let prefix = format!("{}:$2", credentials.user());
    if line.starts_with(&prefix) {
        Ok(line.to_owned())
    } else {
        Err(HtpasswdError::UnexpectedOutput)
    }
}

/// Writes a one-user htpasswd file at `path`, replacing any file there.
///
/// # Errors
///
/// An [`HtpasswdError`] when the line cannot be made or the file written.
pub fn write(path: &Path, credentials: &Credentials) -> Result<(), HtpasswdError> {
    let line = line(credentials)?;
    let write_error = |source| HtpasswdError::Write {
        path: path.display().to_string(),
        source,
    };

    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(write_error)?;
    writeln!(file, "{line}").map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_one_bcrypt_line_that_htpasswd_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("htpasswd");
        let credentials = Credentials::new("polyarch", "pa ss:word").unwrap();

        write(&path, &credentials).unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.starts_with("polyarch:$2y$05$"), "{text}");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let verify = |password: &str| {
            Command::new(PROGRAM)
                .args(["-v", "-b"])
                .arg(&path)
                .args(["polyarch", password])
                .output()
                .unwrap()
                .status
                .success()
        };
        assert!(verify("pa ss:word"));
        assert!(!verify("pa ss:word2"));
    }
}
