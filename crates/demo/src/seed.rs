//! Seeding: writes the demo content ([`crate::demo_set`]) to a registry
//! with the core's transfer plan ([`Transfer::upload`]), one repository
//! after the other, over plain HTTP ([`crate::client`]).
//!
//! Seeding again is cheap and safe: the plan asks with `HEAD` which
//! manifests and blobs are present and writes only the missing ones; the
//! tags are written again every time, so a demo tag that was moved (say, a
//! list pushed over `demo/app:amd64`) points back at its image afterwards.
//! Each tag is read back before the plan reports it done.
//!
//! With credentials, the client answers Basic and Bearer challenges; a
//! token is asked for `pull,push` on both demo repositories at once.

use polyarch_core::registry::token::Scope;
use polyarch_core::transfer::{Action, Failure, Options, Progress, Repository, Transfer};
use thiserror::Error;

use crate::client::{Blobs, Client, ClientError};
use crate::credentials::Credentials;
use crate::demo_set::{DemoSet, DemoSetError};

/// The most requests one repository's upload may send; far more than the
/// demo needs, so that a defect cannot loop forever.
pub const MAX_REQUESTS: u64 = 1_000;

/// The longest wait honoured after a `429`, in seconds.
pub const MAX_WAIT_SECS: u64 = 30;

/// Why seeding stopped.
#[derive(Debug, Error)]
pub enum SeedError {
    /// The demo content could not be built.
    #[error("the demo content cannot be built")]
    DemoSet(#[from] DemoSetError),
    /// The HTTP client could not be built.
    #[error("the HTTP client cannot be built")]
    ClientBuild(#[source] ClientError),
    /// A request could not be sent, or its authentication failed.
    #[error("{repository}: a request failed")]
    Client {
        /// The repository being written.
        repository: String,
        /// Why.
        #[source]
        source: ClientError,
    },
    /// The plan stopped.
    #[error("{repository}: {failure}")]
    Failed {
        /// The repository being written.
        repository: String,
        /// Where and why.
        failure: Failure,
    },
    /// The plan sent more than [`MAX_REQUESTS`] requests.
    #[error("{repository}: more than {MAX_REQUESTS} requests; giving up")]
    TooManyRequests {
        /// The repository being written.
        repository: String,
    },
}

/// What one repository's upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryReport {
    /// The repository.
    pub repository: String,
    /// The tags written and read back.
    pub tags: Vec<String>,
    /// The plan's final figures.
    pub progress: Progress,
}

impl RepositoryReport {
    /// One line: what was written and what was found present.
    pub fn summary(&self) -> String {
        let p = &self.progress;
        format!(
            "{}: tags {}; manifests {} present, {} new; blobs {} present, {} uploaded",
            self.repository,
            self.tags.join(", "),
            p.manifests_present,
            p.manifests_found.saturating_sub(p.manifests_present),
            p.blobs_present,
            p.blobs_uploaded,
        )
    }
}

/// Writes the demo content to `registry` (`host:port`).
///
/// # Errors
///
/// A [`SeedError`] naming the repository and the step that failed.
pub async fn seed(
    registry: &str,
    credentials: Option<Credentials>,
) -> Result<Vec<RepositoryReport>, SeedError> {
    let set = DemoSet::build()?;
    let scopes = set
        .uploads
        .iter()
        .map(|u| Scope::push(u.repository))
        .collect();
    let mut client = Client::new(credentials, scopes).map_err(SeedError::ClientBuild)?;

    let mut reports = Vec::new();
    for upload in set.uploads {
        let repository = Repository::new(registry, upload.repository);
        let mut transfer = Transfer::upload(&repository, upload.manifests, Options::default());
        let progress = drive(&mut transfer, &mut client, &set.blobs, upload.repository).await?;
        reports.push(RepositoryReport {
            repository: upload.repository.to_owned(),
            tags: progress.verified.iter().map(|v| v.tag.clone()).collect(),
            progress,
        });
    }
    Ok(reports)
}

/// Runs a plan to its end.
async fn drive(
    transfer: &mut Transfer,
    client: &mut Client,
    blobs: &Blobs,
    repository: &str,
) -> Result<Progress, SeedError> {
    let mut sent = 0;
    loop {
        match transfer.next_action() {
            Action::Send(request) => {
                sent += 1;
                if sent > MAX_REQUESTS {
                    return Err(SeedError::TooManyRequests {
                        repository: repository.to_owned(),
                    });
                }
                let response =
                    client
                        .send(&request, blobs)
                        .await
                        .map_err(|source| SeedError::Client {
                            repository: repository.to_owned(),
                            source,
                        })?;
                transfer.receive(response);
            }
            Action::Wait { seconds, .. } => {
                let seconds = seconds.min(MAX_WAIT_SECS);
                tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
            }
            Action::Done => return Ok(transfer.progress()),
            Action::Failed(failure) => {
                return Err(SeedError::Failed {
                    repository: repository.to_owned(),
                    failure,
                });
            }
        }
    }
}
