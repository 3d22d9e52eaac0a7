//! The page's registry client: every request goes through the proxy
//! ([`super::endpoint`]), `401`s are answered with the user's credentials
//! or an anonymous token ([`super::auth`]), and the `Authorization` that
//! worked is reused for the next request to the same registry.
//!
//! [`Client::send`] takes the core's abstract
//! [`Request`](polyarch_core::transfer::Request), so one client serves
//! fetching ([`Client::manifest`], [`Client::blob`]) and driving a
//! [`Transfer`](polyarch_core::transfer::Transfer).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use polyarch_core::digest::Digest;
use polyarch_core::reference::Reference;
use polyarch_core::registry::error::parse_envelope;
use polyarch_core::registry::token;
use polyarch_core::registry::{ACCEPT_MANIFESTS, paths};
use polyarch_core::transfer::{Body, Method, Request, Response};

use super::auth::{self, AuthProblem, Credential, Next};
use super::checks::{self, HeaderCheck};
use super::endpoint;
use super::http::{self, NetError};

/// The largest image config or other blob the page reads whole.
pub const MAX_BLOB_READ: u64 = 16 * 1024 * 1024;

/// Credentials by registry, and the `Authorization` last accepted by each.
/// Shared by every client of the tab; nothing in it is ever saved, except
/// credentials the user asked to remember (see [`super::remember`]).
#[derive(Default)]
pub struct Session {
    credentials: BTreeMap<String, Credential>,
    accepted: BTreeMap<String, String>,
}

impl Session {
    /// Sets or clears the credential for `registry`, and forgets the
    /// tokens got with the old one.
    pub fn set_credential(&mut self, registry: &str, credential: Option<Credential>) {
        self.accepted.remove(registry);
        match credential {
            Some(credential) => self.credentials.insert(registry.to_owned(), credential),
            None => self.credentials.remove(registry),
        };
    }

    /// The credential for `registry`.
    pub fn credential(&self, registry: &str) -> Option<&Credential> {
        self.credentials.get(registry)
    }

    /// Every registry with a credential.
    pub fn registries(&self) -> impl Iterator<Item = &String> {
        self.credentials.keys()
    }
}

/// A shared [`Session`].
pub type SharedSession = Rc<RefCell<Session>>;

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// No answer came back.
    Net(NetError),
    /// The registry asked for credentials and they could not be given.
    Auth {
        /// The registry.
        registry: String,
        /// Why.
        problem: AuthProblem,
    },
    /// The plan asked for local bytes, which this page does not hold.
    LocalBlob,
    /// The registry answered with an unexpected status.
    Status {
        /// What was asked.
        what: String,
        /// The status.
        status: u16,
        /// The registry's error codes and messages, when it sent them.
        errors: Option<String>,
    },
    /// A blob is larger than the page reads whole.
    TooLarge {
        /// What was asked.
        what: String,
        /// Its size.
        size: u64,
    },
    /// A blob's bytes do not hash to its digest.
    DigestMismatch {
        /// The digest asked for.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Net(error) => error.fmt(f),
            ClientError::Auth { registry, problem } => write!(f, "{registry}: {problem}"),
            ClientError::LocalBlob => f.write_str("this page holds no local blobs to upload"),
            ClientError::Status {
                what,
                status,
                errors,
            } => {
                write!(f, "{what}: the registry answered {status}")?;
                match errors {
                    Some(errors) => write!(f, " ({errors})"),
                    None => Ok(()),
                }
            }
            ClientError::TooLarge { what, size } => write!(
                f,
                "{what} is {size} bytes, more than the {MAX_BLOB_READ} the page reads whole"
            ),
            ClientError::DigestMismatch { expected, actual } => write!(
                f,
                "the registry sent bytes that hash to {actual}, not to {expected}"
            ),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<NetError> for ClientError {
    fn from(error: NetError) -> Self {
        ClientError::Net(error)
    }
}

/// A manifest as fetched, with its header checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// What was fetched.
    pub reference: Reference,
    /// The exact bytes.
    pub bytes: Rc<[u8]>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Docker-Content-Digest` header.
    pub docker_content_digest: Option<String>,
    /// What the headers say about the bytes.
    pub checks: Vec<HeaderCheck>,
}

/// A client for one proxy.
#[derive(Clone)]
pub struct Client {
    base: String,
    session: SharedSession,
    signal: Option<web_sys::AbortSignal>,
}

impl Client {
    /// A client sending through the proxy at `base` (see
    /// [`endpoint::proxy_base`]).
    pub fn new(base: String, session: SharedSession) -> Self {
        Client {
            base,
            session,
            signal: None,
        }
    }

    /// The same client, its requests called off when `signal` fires.
    pub fn with_signal(self, signal: Option<web_sys::AbortSignal>) -> Self {
        Client { signal, ..self }
    }

    /// Sends `request`, answering `401`s; the final answer, whatever its
    /// status.
    pub async fn send(&self, request: &Request) -> Result<Response, ClientError> {
        let registry = request.registry.as_str();
        let url = endpoint::proxied(&self.base, registry, &request.path_and_query);
        let body = match &request.body {
            Body::None => None,
            Body::Bytes(bytes) => Some(bytes.as_slice()),
            Body::BlobRange { .. } => return Err(ClientError::LocalBlob),
        };

        let mut authorization = self.session.borrow().accepted.get(registry).cloned();
        let mut tried = false;
        loop {
            let mut headers = request.headers.clone();
            if let Some(value) = &authorization {
                headers.push(("Authorization".to_owned(), value.clone()));
            }
            let response =
                http::send(request.method, &url, &headers, body, self.signal.as_ref()).await?;
            if response.status != 401 {
                if let Some(value) = authorization.filter(|_| response.status < 400) {
                    self.session
                        .borrow_mut()
                        .accepted
                        .insert(registry.to_owned(), value);
                }
                return Ok(response);
            }

            let credential = self.session.borrow().credential(registry).cloned();
            let next = auth::on_unauthorized(
                response.header("www-authenticate"),
                credential.as_ref(),
                tried,
            );
            tried = true;
            authorization = Some(match next {
                Next::Retry { authorization } => authorization,
                Next::FetchToken { url, authorization } => {
                    self.token(registry, &url, authorization).await?
                }
                Next::GiveUp(problem) => {
                    return Err(ClientError::Auth {
                        registry: registry.to_owned(),
                        problem,
                    });
                }
            });
        }
    }

    /// Gets a token from the proxy's relay of the registry's realm; gives
    /// `Bearer <token>`.
    async fn token(
        &self,
        registry: &str,
        url: &str,
        basic: Option<String>,
    ) -> Result<String, ClientError> {
        let auth_error = |problem| ClientError::Auth {
            registry: registry.to_owned(),
            problem,
        };
        // Credentials go only to the proxy's relay, whatever the realm says.
        let relay = format!("/r/{registry}/token");
        let Some(at) = url.find(&relay) else {
            return Err(auth_error(AuthProblem::Token {
                reason: format!(
                    "the token realm {url} is not the proxy's relay; polyarch sends \
                     credentials only through its proxy"
                ),
            }));
        };
        let url = format!("{}{}", self.base, &url[at..]);

        let headers: Vec<(String, String)> = basic
            .map(|value| ("Authorization".to_owned(), value))
            .into_iter()
            .collect();
        let answer = http::send(Method::Get, &url, &headers, None, self.signal.as_ref()).await?;
        match answer.status {
            200..=299 => {}
            401 | 403 => return Err(auth_error(AuthProblem::Refused)),
            status => {
                return Err(auth_error(AuthProblem::Token {
                    reason: format!(
                        "the token server answered {status}{}",
                        errors_of(&answer.body)
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    ),
                }));
            }
        }
        let token = token::parse_response(&answer.body).map_err(|error| {
            auth_error(AuthProblem::Token {
                reason: error.to_string(),
            })
        })?;
        Ok(format!("Bearer {}", token.token))
    }

    /// Fetches the manifest or index `reference` names, with every
    /// manifest type accepted, and checks the answer's headers.
    pub async fn manifest(&self, reference: &Reference) -> Result<Fetched, ClientError> {
        let request = Request {
            registry: reference.registry().to_owned(),
            method: Method::Get,
            path_and_query: paths::manifest_for(reference),
            headers: vec![("Accept".to_owned(), ACCEPT_MANIFESTS.to_owned())],
            body: Body::None,
        };
        let answer = self.send(&request).await?;
        if answer.status != 200 {
            return Err(ClientError::Status {
                what: format!("GET {}", reference.canonical()),
                status: answer.status,
                errors: errors_of(&answer.body),
            });
        }

        let content_type = answer.header("content-type").map(str::to_owned);
        let docker_content_digest = answer.header("docker-content-digest").map(str::to_owned);
        let checks = checks::check(
            &answer.body,
            content_type.as_deref(),
            docker_content_digest.as_deref(),
            reference.digest(),
        );
        Ok(Fetched {
            reference: reference.clone(),
            bytes: Rc::from(answer.body),
            content_type,
            docker_content_digest,
            checks,
        })
    }

    /// Reads the blob `digest` of `repository`, at most
    /// [`MAX_BLOB_READ`] bytes (`size` is the descriptor's), and checks it
    /// against its digest.
    pub async fn blob(
        &self,
        registry: &str,
        repository: &str,
        digest: &Digest,
        size: u64,
    ) -> Result<Vec<u8>, ClientError> {
        let what = format!("blob {digest}");
        if size > MAX_BLOB_READ {
            return Err(ClientError::TooLarge { what, size });
        }
        let request = Request {
            registry: registry.to_owned(),
            method: Method::Get,
            path_and_query: paths::blob(repository, digest),
            headers: Vec::new(),
            body: Body::None,
        };
        let answer = self.send(&request).await?;
        if answer.status != 200 {
            return Err(ClientError::Status {
                what,
                status: answer.status,
                errors: errors_of(&answer.body),
            });
        }
        if digest.is_verifiable() && !digest.verifies(&answer.body) {
            return Err(ClientError::DigestMismatch {
                expected: digest.to_string(),
                actual: Digest::sha256(&answer.body).to_string(),
            });
        }
        Ok(answer.body)
    }
}

/// The registry's error envelope as one line, when the body is one.
pub fn errors_of(body: &[u8]) -> Option<String> {
    parse_envelope(body)
        .map(|envelope| envelope.summary())
        .filter(|summary| !summary.is_empty())
}
