//! The proxy in front of the real CNCF distribution registry (Debian's
//! `docker-registry`, 2.8), started on a free 127.0.0.1 port in three modes:
//! no auth, htpasswd basic auth, and token auth with a token issuer served
//! by the test. Each mode pushes and pulls the same small image through the
//! proxy.

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{Answer, PROXY_ORIGIN, capture_logs, free_port, proxy, request, send, serve};
use sha2::{Digest, Sha256};

const USER: &str = "polyarch";
const PASSWORD: &str = "s3cret-Pa55word";
const SERVICE: &str = "polyarch-test-registry";
const ISSUER: &str = "polyarch-test-issuer";
const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// A registry process, killed by its PID when the test ends.
struct RegistryProcess {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for RegistryProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the registry on a free port. Between finding the port and the
/// registry binding it another process may take it; then the registry exits
/// (or someone else answers), and the next attempt uses a fresh port.
async fn start_registry(auth_yaml: &str, dir: tempfile::TempDir) -> RegistryProcess {
    for _ in 0..5 {
        let address = format!("127.0.0.1:{}", free_port());
        let storage = dir.path().join("storage");
        let config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {address}\n  secret: polyarch-test-secret\n{auth_yaml}",
            storage.display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();

        let mut child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry is installed (scripts/setup.sh)");
        if registry_answers(&mut child, &address).await {
            return RegistryProcess {
                child,
                address,
                _dir: dir,
            };
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("docker-registry did not start on any of five ports");
}

/// Waits up to 10 s until this child process answers `GET /v2/` as a
/// registry does; false when it exits first or never answers.
async fn registry_answers(child: &mut Child, address: &str) -> bool {
    let client = common::client();
    let url = format!("http://{address}/v2/");
    for _ in 0..200 {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if let Ok(response) = client.get(&url).send().await {
            let ours = response
                .headers()
                .contains_key("docker-distribution-api-version");
            return ours && child.try_wait().ok().flatten().is_none();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

fn htpasswd_yaml(dir: &Path) -> String {
    let output = Command::new("htpasswd")
        .args(["-Bbn", USER, PASSWORD])
        .output()
        .unwrap();
    let path = dir.join("htpasswd");
    std::fs::write(&path, output.stdout).unwrap();
    format!(
        "auth:\n  htpasswd:\n    realm: polyarch-test\n    path: {}\n",
        path.display()
    )
}

/// The test's token issuer: an ES256 key and a self-signed certificate that
/// the registry trusts as its root bundle.
#[derive(Clone)]
struct Issuer {
    pkcs8: std::sync::Arc<Vec<u8>>,
    certificate_der: std::sync::Arc<Vec<u8>>,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Issuer {
    fn new(dir: &Path) -> (Issuer, std::path::PathBuf) {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec![ISSUER.to_owned()]).unwrap();
        let certificate = params.self_signed(&key).unwrap();
        let bundle = dir.join("issuer.pem");
        std::fs::write(&bundle, certificate.pem()).unwrap();
        let issuer = Issuer {
            pkcs8: std::sync::Arc::new(key.serialize_der()),
            certificate_der: std::sync::Arc::new(certificate.der().to_vec()),
            requests: std::sync::Arc::default(),
        };
        (issuer, bundle)
    }

    fn sign(&self, scopes: &[String]) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let access: Vec<serde_json::Value> = scopes
            .iter()
            .filter_map(|scope| {
                let (kind, rest) = scope.split_once(':')?;
                let (name, actions) = rest.rsplit_once(':')?;
                Some(serde_json::json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
            })
            .collect();
        let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [STANDARD.encode(self.certificate_der.as_slice())]});
        let claims = serde_json::json!({
            "iss": ISSUER, "sub": USER, "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
            "iat": now, "jti": format!("t{now}"), "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = ring::rand::SystemRandom::new();
        let key = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &self.pkcs8,
            &rng,
        )
        .unwrap();
        let signature = key.sign(&rng, signing_input.as_bytes()).unwrap();
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }
}

async fn issue(
    State(issuer): State<Issuer>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> axum::response::Response {
    let expected = format!("Basic {}", STANDARD.encode(format!("{USER}:{PASSWORD}")));
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    issuer.requests.lock().unwrap().push(auth.to_owned());
    if auth != expected {
        return (
            StatusCode::UNAUTHORIZED,
            "{\"details\":\"bad credentials\"}",
        )
            .into_response();
    }

    let scopes: Vec<String> = query
        .into_iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v)
        .collect();
    let token = issuer.sign(&scopes);
    axum::Json(serde_json::json!({"token": token, "access_token": token, "expires_in": 300}))
        .into_response()
}

fn basic() -> String {
    format!("Basic {}", STANDARD.encode(format!("{USER}:{PASSWORD}")))
}

fn digest_of(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Sends through the proxy with the given `Authorization`, if any.
struct Client {
    router: Router,
    registry: String,
    authorization: Option<String>,
}

impl Client {
    async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let uri = if path.starts_with("/r/") {
            path.to_owned()
        } else {
            format!("/r/{}{path}", self.registry)
        };
        let mut builder = request(method, &uri).header("origin", PROXY_ORIGIN);
        if let Some(auth) = &self.authorization {
            builder = builder.header("authorization", auth);
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        send(&self.router, builder.body(Body::from(body)).unwrap()).await
    }

    fn prefix(&self) -> String {
        format!("/r/{}/v2/", self.registry)
    }
}

async fn push_blob_monolithic(client: &Client, repository: &str, blob: &[u8]) -> String {
    let digest = digest_of(blob);
    let started = client
        .call(
            "POST",
            &format!("/v2/{repository}/blobs/uploads/"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text());
    let location = started.header("location").unwrap().to_owned();
    assert!(location.starts_with(&client.prefix()), "{location}");
    assert!(started.header("docker-upload-uuid").is_some());

    let separator = if location.contains('?') { '&' } else { '?' };
    let length = blob.len().to_string();
    let finished = client
        .call(
            "PUT",
            &format!("{location}{separator}digest={digest}"),
            &[
                ("content-type", "application/octet-stream"),
                ("content-length", &length),
            ],
            blob.to_vec(),
        )
        .await;
    assert_eq!(finished.status, StatusCode::CREATED, "{}", finished.text());
    assert_eq!(
        finished.header("docker-content-digest"),
        Some(digest.as_str())
    );
    assert!(
        finished
            .header("location")
            .unwrap()
            .starts_with(&client.prefix())
    );
    digest
}

async fn push_blob_chunked(client: &Client, repository: &str, blob: &[u8]) -> String {
    let digest = digest_of(blob);
    let started = client
        .call(
            "POST",
            &format!("/v2/{repository}/blobs/uploads/"),
            &[],
            vec![],
        )
        .await;
    let mut location = started.header("location").unwrap().to_owned();

    let middle = blob.len() / 2;
    for (start, part) in [(0, &blob[..middle]), (middle, &blob[middle..])] {
        let range = format!("{start}-{}", start + part.len() - 1);
        let length = part.len().to_string();
        let patched = client
            .call(
                "PATCH",
                &location,
                &[
                    ("content-type", "application/octet-stream"),
                    ("content-range", &range),
                    ("content-length", &length),
                ],
                part.to_vec(),
            )
            .await;
        assert_eq!(patched.status, StatusCode::ACCEPTED, "{}", patched.text());
        assert_eq!(
            patched.header("range"),
            Some(format!("0-{}", start + part.len() - 1).as_str())
        );
        location = patched.header("location").unwrap().to_owned();
        assert!(location.starts_with(&client.prefix()), "{location}");
    }

    let separator = if location.contains('?') { '&' } else { '?' };
    let finished = client
        .call(
            "PUT",
            &format!("{location}{separator}digest={digest}"),
            &[("content-length", "0")],
            vec![],
        )
        .await;
    assert_eq!(finished.status, StatusCode::CREATED, "{}", finished.text());
    digest
}

/// Pushes and pulls through the proxy: blobs both ways of uploading, a
/// manifest, reads with readable digests, a mount and catalog pagination.
async fn exercise(client: &Client) {
    let preflight = send(
        &client.router,
        request("OPTIONS", &format!("{}app/manifests/v1", client.prefix()))
            .header("origin", PROXY_ORIGIN)
            .header("access-control-request-method", "PUT")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);

    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#
            .to_vec();
    let layer: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let config_digest = push_blob_monolithic(client, "polyarch/app", &config).await;
    let layer_digest = push_blob_chunked(client, "polyarch/app", &layer).await;

    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
    })
    .to_string();
    let manifest_digest = digest_of(manifest.as_bytes());
    let put = client
        .call(
            "PUT",
            "/v2/polyarch/app/manifests/v1",
            &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
            manifest.clone().into_bytes(),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text());
    assert_eq!(
        put.header("docker-content-digest"),
        Some(manifest_digest.as_str())
    );

    let got = client
        .call(
            "GET",
            "/v2/polyarch/app/manifests/v1",
            &[("accept", ACCEPT)],
            vec![],
        )
        .await;
    let head = client
        .call(
            "HEAD",
            "/v2/polyarch/app/manifests/v1",
            &[("accept", ACCEPT)],
            vec![],
        )
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    assert_eq!(got.text(), manifest);
    assert_eq!(
        got.header("docker-content-digest"),
        Some(manifest_digest.as_str())
    );
    assert_eq!(
        got.header("access-control-allow-origin"),
        Some(PROXY_ORIGIN)
    );
    assert!(
        got.header("access-control-expose-headers")
            .unwrap()
            .contains("Docker-Content-Digest")
    );
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("docker-content-digest"),
        Some(manifest_digest.as_str())
    );
    assert_eq!(
        head.header("content-length"),
        Some(manifest.len().to_string().as_str())
    );

    let blob = client
        .call(
            "GET",
            &format!("/v2/polyarch/app/blobs/{layer_digest}"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(blob.status, StatusCode::OK);
    assert_eq!(blob.body.as_ref(), layer.as_slice());

    let mount = client
        .call(
            "POST",
            &format!("/v2/polyarch/other/blobs/uploads/?mount={layer_digest}&from=polyarch/app"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(mount.status, StatusCode::CREATED, "{}", mount.text());
    assert_eq!(
        mount.header("location"),
        Some(format!("{}polyarch/other/blobs/{layer_digest}", client.prefix()).as_str())
    );

    let first = client.call("GET", "/v2/_catalog?n=1", &[], vec![]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert!(first.text().contains("polyarch/app"), "{}", first.text());
    let link = first.header("link").unwrap().to_owned();
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        next.starts_with(&format!("{}_catalog?", client.prefix())),
        "{link}"
    );
    let second = client.call("GET", &next, &[], vec![]).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(
        second.text().contains("polyarch/other"),
        "{}",
        second.text()
    );
}

fn proxy_for(registry: &str, extra: &[&str]) -> Router {
    let mut flags = vec![
        "--no-default-registries",
        "--allow-private",
        registry,
        "--plain-http",
        registry,
    ];
    flags.extend_from_slice(extra);
    proxy(&flags)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_auth() {
    let _logs = capture_logs();
    let registry = start_registry("", tempfile::tempdir().unwrap()).await;
    let client = Client {
        router: proxy_for(&registry.address, &[]),
        registry: registry.address.clone(),
        authorization: None,
    };

    exercise(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth() {
    let _logs = capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let auth = htpasswd_yaml(dir.path());
    let registry = start_registry(&auth, dir).await;
    let router = proxy_for(&registry.address, &[]);
    let anonymous = Client {
        router: router.clone(),
        registry: registry.address.clone(),
        authorization: None,
    };

    let refused = anonymous.call("GET", "/v2/", &[], vec![]).await;

    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some(PROXY_ORIGIN)
    );
    let client = Client {
        router,
        registry: registry.address.clone(),
        authorization: Some(basic()),
    };
    exercise(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_auth_without_credentials_in_the_logs() {
    let logs = capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let (issuer, bundle) = Issuer::new(dir.path());
    let issuer_address = serve(
        Router::new()
            .route("/token", get(issue))
            .with_state(issuer.clone()),
        "127.0.0.1",
    )
    .await;
    let auth = format!(
        "auth:\n  token:\n    realm: http://{issuer_address}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
        bundle.display()
    );
    let registry = start_registry(&auth, dir).await;
    let issuer_host = issuer_address.to_string();
    let router = proxy_for(
        &registry.address,
        &["--allow-private", &issuer_host, "--log", "debug"],
    );
    let anonymous = Client {
        router: router.clone(),
        registry: registry.address.clone(),
        authorization: None,
    };

    let refused = anonymous.call("GET", "/v2/", &[], vec![]).await;
    let challenge = refused.header("www-authenticate").unwrap().to_owned();
    let scopes = "scope=repository:polyarch/app:pull,push&scope=repository:polyarch/other:pull,push&scope=registry:catalog:*";
    let token_path = format!("/r/{}/token?service={SERVICE}&{scopes}", registry.address);
    let wrong = Client {
        authorization: Some("Basic d3Jvbmc6d3Jvbmc=".into()),
        ..anonymous
    };
    let denied = wrong.call("GET", &token_path, &[], vec![]).await;
    let user = Client {
        authorization: Some(basic()),
        ..wrong
    };
    let issued = user.call("GET", &token_path, &[], vec![]).await;

    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let expected = format!(
        r#"Bearer realm="{PROXY_ORIGIN}/r/{}/token""#,
        registry.address
    );
    assert!(challenge.starts_with(&expected), "{challenge}");
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text());
    let token_body: serde_json::Value = serde_json::from_slice(&issued.body).unwrap();
    let token = token_body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        issuer.requests.lock().unwrap().last().map(String::as_str),
        Some(basic().as_str())
    );

    let client = Client {
        authorization: Some(format!("Bearer {token}")),
        ..user
    };
    exercise(&client).await;

    let text = logs.text();
    assert!(
        text.contains("DEBUG") && text.contains("request"),
        "no request lines were logged: {}",
        &text[..text.len().min(3000)]
    );
    let basic_value = basic();
    let secrets = [
        PASSWORD,
        basic_value.as_str(),
        basic_value.trim_start_matches("Basic "),
        token.as_str(),
        "d3Jvbmc6d3Jvbmc=",
    ];
    for secret in secrets {
        assert!(!text.contains(secret), "a credential appears in the logs");
    }
    assert!(
        !text.contains("scope=repository"),
        "a query string appears in the logs"
    );
}
