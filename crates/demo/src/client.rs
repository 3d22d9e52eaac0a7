//! Sends the transfer plan's requests to a registry over plain HTTP, with
//! whatever authentication the registry asks for.
//!
//! Each [`Request`](polyarch_core::transfer::Request) goes to
//! `http://<request.registry><path_and_query>`. A
//! [`Body::BlobRange`] is cut from the blobs the caller holds. The answer
//! comes back as a [`Response`] with every header.
//!
//! # Authentication
//!
//! Requests start without credentials. When one is answered `401`, its
//! `WWW-Authenticate` header is read ([`polyarch_core::registry::challenge`])
//! and the request is sent once more:
//!
//! - `Bearer`: a token is fetched from the realm (with Basic credentials
//!   when the client has them, anonymously otherwise) for the scopes the
//!   challenge names plus the client's own list (the repositories it will
//!   write, so that one token serves the whole run), and kept for the
//!   requests that follow;
//! - `Basic`: the credentials are sent, on this and every later request;
//!   without credentials the `401` is the answer.
//!
//! A second `401` is the answer: the plan reports it as a failure.

use std::collections::BTreeMap;
use std::time::Duration;

use polyarch_core::registry::challenge::{self, ChallengeError};
use polyarch_core::registry::token::{self, BearerChallenge, BearerError, Scope, TokenError};
use polyarch_core::transfer::{Body, Method, Request, Response};
use thiserror::Error;

use crate::credentials::Credentials;
use crate::grant::parse_scopes;

/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Blob bytes by digest (`sha256:…`).
pub type Blobs = BTreeMap<String, Vec<u8>>;

/// Why a request got no answer.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The HTTP client could not be built.
    #[error("the HTTP client cannot be built")]
    Build(#[source] reqwest::Error),
    /// The request could not be sent or its answer read.
    #[error("{method} {url} failed")]
    Http {
        /// The method.
        method: Method,
        /// The URL, without its query.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The plan asked for blob bytes the client does not hold.
    #[error(
        "the plan asked for {len} bytes of blob {digest} from byte {start}, which are not held"
    )]
    MissingBlob {
        /// The blob.
        digest: String,
        /// The first byte.
        start: u64,
        /// How many bytes.
        len: u64,
    },
    /// The `WWW-Authenticate` header cannot be read.
    #[error("the registry's WWW-Authenticate header cannot be read")]
    Challenge(#[source] ChallengeError),
    /// The challenge allows no token request.
    #[error("the registry's challenge allows no token request")]
    Bearer(#[source] BearerError),
    /// The token server refused.
    #[error("the token server answered {status}")]
    TokenRefused {
        /// Its status.
        status: u16,
    },
    /// The token server's answer cannot be used.
    #[error("the token server's answer cannot be used")]
    Token(#[source] TokenError),
}

/// What is sent with each request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Auth {
    Anonymous,
    Basic,
    Bearer(String),
}

/// A registry client for one run.
pub struct Client {
    http: reqwest::Client,
    credentials: Option<Credentials>,
    scopes: Vec<Scope>,
    auth: Auth,
}

impl Client {
    /// A client with optional `credentials`, asking tokens for `scopes` on
    /// top of what each challenge names.
    ///
    /// # Errors
    ///
    /// [`ClientError::Build`] when the HTTP client cannot be built.
    pub fn new(
        credentials: Option<Credentials>,
        scopes: Vec<Scope>,
    ) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(ClientError::Build)?;
        Ok(Client {
            http,
            credentials,
            scopes,
            auth: Auth::Anonymous,
        })
    }

    /// Sends `request`, answering one authentication challenge.
    ///
    /// # Errors
    ///
    /// A [`ClientError`] when no answer was received.
    pub async fn send(
        &mut self,
        request: &Request,
        blobs: &Blobs,
    ) -> Result<Response, ClientError> {
        let first = self.exchange(request, blobs).await?;
        if first.status != 401 || !self.answer_challenge(&first).await? {
            return Ok(first);
        }
        self.exchange(request, blobs).await
    }

    async fn exchange(&self, request: &Request, blobs: &Blobs) -> Result<Response, ClientError> {
        let url = format!("http://{}{}", request.registry, request.path_and_query);
        let body = match &request.body {
            Body::None => Vec::new(),
            Body::Bytes(bytes) => bytes.clone(),
            Body::BlobRange { digest, start, len } => slice(blobs, digest, *start, *len)?.to_vec(),
        };
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Head => reqwest::Method::HEAD,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
        };

        let mut builder = self.http.request(method, &url).body(body);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        builder = match (&self.auth, &self.credentials) {
            (Auth::Bearer(token), _) => builder.bearer_auth(token),
            (Auth::Basic, Some(credentials)) => {
                builder.basic_auth(credentials.user(), Some(credentials.password()))
            }
            _ => builder,
        };

        let http_error = |source| ClientError::Http {
            method: request.method,
            url: without_query(&url),
            source,
        };
        let answer = builder.send().await.map_err(http_error)?;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = answer.bytes().await.map_err(http_error)?.to_vec();
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Prepares the retry of a request answered `401`; false when there is
    /// nothing new to try.
    async fn answer_challenge(&mut self, refused: &Response) -> Result<bool, ClientError> {
        let header = refused.header("www-authenticate").unwrap_or("");
        let challenges = challenge::parse(header).map_err(ClientError::Challenge)?;

        if challenges.iter().any(|c| c.scheme == "bearer") {
            let bearer =
                BearerChallenge::from_challenges(&challenges).map_err(ClientError::Bearer)?;
            let token = self.fetch_token(&bearer).await?;
            self.auth = Auth::Bearer(token);
            return Ok(true);
        }
        let basic_offered = challenges.iter().any(|c| c.scheme == "basic");
        if basic_offered && self.credentials.is_some() && self.auth != Auth::Basic {
            self.auth = Auth::Basic;
            return Ok(true);
        }
        Ok(false)
    }

    async fn fetch_token(&self, bearer: &BearerChallenge) -> Result<String, ClientError> {
        let mut scopes = parse_scopes(bearer.scope.as_deref().unwrap_or(""));
        for scope in &self.scopes {
            if !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        let url = bearer.token_url(&scopes);

        let mut builder = self.http.get(&url);
        if let Some(credentials) = &self.credentials {
            builder = builder.basic_auth(credentials.user(), Some(credentials.password()));
        }
        let http_error = |source| ClientError::Http {
            method: Method::Get,
            url: without_query(&url),
            source,
        };
        let answer = builder.send().await.map_err(http_error)?;
        let status = answer.status().as_u16();
        if status != 200 {
            return Err(ClientError::TokenRefused { status });
        }
        let body = answer.bytes().await.map_err(http_error)?;
        let response = token::parse_response(&body).map_err(ClientError::Token)?;
        Ok(response.token)
    }
}

/// `len` bytes of blob `digest` from byte `start`.
fn slice<'a>(
    blobs: &'a Blobs,
    digest: &str,
    start: u64,
    len: u64,
) -> Result<&'a [u8], ClientError> {
    let missing = || ClientError::MissingBlob {
        digest: digest.to_owned(),
        start,
        len,
    };
    let bytes = blobs.get(digest).ok_or_else(missing)?;
    let start = usize::try_from(start).map_err(|_| missing())?;
    let end = start
        .checked_add(usize::try_from(len).map_err(|_| missing())?)
        .ok_or_else(missing)?;
    bytes.get(start..end).ok_or_else(missing)
}

/// The URL without its query, which may carry upload state.
fn without_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_slices_inside_and_outside() {
        let mut blobs = Blobs::new();
        blobs.insert("sha256:a".to_owned(), b"0123456789".to_vec());
        let inside = [(0, 10, &b"0123456789"[..]), (3, 2, b"34"), (10, 0, b"")];
        let outside = [
            ("sha256:a", 9, 2),
            ("sha256:a", 11, 0),
            ("sha256:a", u64::MAX, 1),
            ("sha256:a", 1, u64::MAX),
            ("sha256:b", 0, 1),
        ];

        for (start, len, expected) in inside {
            assert_eq!(slice(&blobs, "sha256:a", start, len).unwrap(), expected);
        }
        for (digest, start, len) in outside {
            assert!(
                matches!(
                    slice(&blobs, digest, start, len),
                    Err(ClientError::MissingBlob { .. })
                ),
                "{digest} {start} {len}"
            );
        }
    }

    #[test]
    fn queries_are_left_out_of_error_urls() {
        let cases = [
            (
                "http://r/v2/a/blobs/uploads/1?_state=x",
                "http://r/v2/a/blobs/uploads/1",
            ),
            ("http://r/v2/", "http://r/v2/"),
        ];
        for (url, expected) in cases {
            assert_eq!(without_query(url), expected);
        }
    }
}
