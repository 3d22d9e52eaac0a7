//! Seeding the real CNCF distribution registry (Debian's `docker-registry`,
//! 2.8) on free 127.0.0.1 ports, configured by this crate, in its three
//! modes: no auth, htpasswd Basic, and tokens from this crate's issuer.

// Helpers outside #[test] functions fail loudly on setup errors too.
#![allow(clippy::unwrap_used)]

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use polyarch_core::digest::Digest;
use polyarch_demo::credentials::Credentials;
use polyarch_demo::demo_set::DemoSet;
use polyarch_demo::issuer::Issuer;
use polyarch_demo::registry_config::{
    Auth, DEFAULT_ISSUER, DEFAULT_SERVICE, RegistryConfig, random_secret,
};
use polyarch_demo::seed::{SeedError, seed};
use polyarch_demo::token_server::{TokenService, router};

const ACCEPT: &str =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json";

/// A registry process, killed by its PID when the test ends.
struct Registry {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Starts the registry with `auth` on a free port; another process may
/// take the port between the check and the bind, so five ports are tried.
async fn start(auth: Auth, dir: tempfile::TempDir) -> Registry {
    for _ in 0..5 {
        let listen: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let config = RegistryConfig {
            listen,
            storage: dir.path().join("storage"),
            secret: random_secret().unwrap(),
            auth: auth.clone(),
        };
        let path = dir.path().join("config.yml");
        std::fs::write(&path, config.to_yaml().unwrap()).unwrap();

        let mut child = Command::new("docker-registry")
            .arg("serve")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry is installed (scripts/setup.sh)");
        if answers(&mut child, &listen.to_string()).await {
            return Registry {
                child,
                address: listen.to_string(),
                _dir: dir,
            };
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("docker-registry did not start on any of five ports");
}

/// Whether this child answers `GET /v2/` as a registry within 10 s.
async fn answers(child: &mut Child, address: &str) -> bool {
    let url = format!("http://{address}/v2/");
    for _ in 0..200 {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if let Ok(response) = client().get(&url).send().await {
            return response
                .headers()
                .contains_key("docker-distribution-api-version");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The digest a tag resolves to, read with `authorization`.
async fn tag_digest(registry: &str, reference: &str, authorization: Option<&str>) -> (u16, String) {
    let (repository, tag) = reference.rsplit_once(':').unwrap();
    let mut request = client()
        .get(format!("http://{registry}/v2/{repository}/manifests/{tag}"))
        .header("accept", ACCEPT);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, Digest::sha256(&body).to_string())
}

fn expected_digests() -> Vec<(String, String)> {
    let set = DemoSet::build().unwrap();
    set.uploads
        .iter()
        .flat_map(|u| {
            u.manifests.iter().flat_map(move |m| {
                let digest = Digest::sha256(&m.bytes).to_string();
                m.tags
                    .iter()
                    .map(move |t| (format!("{}:{t}", u.repository), digest.clone()))
            })
        })
        .collect()
}

fn credentials() -> Credentials {
    Credentials::new("polyarch", "demo-Pa55").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_auth_seeds_once_and_finds_everything_the_second_time() {
    let registry = start(Auth::None, tempfile::tempdir().unwrap()).await;

    let first = seed(&registry.address, None).await.unwrap();
    let second = seed(&registry.address, None).await.unwrap();

    let uploaded: u64 = first.iter().map(|r| r.progress.blobs_uploaded).sum();
    assert_eq!(uploaded, 6);
    assert_eq!(first[0].tags, ["amd64", "arm64", "v1"]);
    assert_eq!(first[1].tags, ["armv7"]);
    for report in &second {
        assert_eq!(report.progress.blobs_uploaded, 0, "{}", report.summary());
        assert_eq!(
            report.progress.manifests_present,
            report.progress.manifests_found,
            "{}",
            report.summary()
        );
    }
    for (reference, digest) in expected_digests() {
        assert_eq!(
            tag_digest(&registry.address, &reference, None).await,
            (200, digest),
            "{reference}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_tag_is_put_back() {
    let registry = start(Auth::None, tempfile::tempdir().unwrap()).await;
    seed(&registry.address, None).await.unwrap();
    let set = DemoSet::build().unwrap();
    let arm64 = set.uploads[0].manifests[1].clone();
    let moved = client()
        .put(format!(
            "http://{}/v2/demo/app/manifests/amd64",
            registry.address
        ))
        .header("content-type", arm64.media_type.as_str())
        .body(arm64.bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 201);

    seed(&registry.address, None).await.unwrap();

    let amd64 = Digest::sha256(&set.uploads[0].manifests[0].bytes).to_string();
    assert_eq!(
        tag_digest(&registry.address, "demo/app:amd64", None).await,
        (200, amd64)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_needs_the_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let htpasswd = dir.path().join("htpasswd");
    polyarch_demo::htpasswd::write(&htpasswd, &credentials()).unwrap();
    let registry = start(Auth::Basic { htpasswd }, dir).await;

    let anonymous = seed(&registry.address, None).await;
    let wrong = seed(
        &registry.address,
        Some(Credentials::new("polyarch", "wrong").unwrap()),
    )
    .await;
    let right = seed(&registry.address, Some(credentials())).await;

    for refused in [anonymous, wrong] {
        let Err(SeedError::Failed { failure, .. }) = refused else {
            panic!("expected a failure, got {refused:?}");
        };
        assert!(failure.to_string().contains("401"), "{failure}");
    }
    assert_eq!(right.unwrap().len(), 2);
    let basic = credentials().basic_header();
    for (reference, digest) in expected_digests() {
        assert_eq!(
            tag_digest(&registry.address, &reference, Some(&basic)).await,
            (200, digest),
            "{reference}"
        );
    }
}

/// Serves the token endpoint on a free loopback port; it stops with the
/// test's runtime.
async fn serve_issuer(dir: &Path) -> (SocketAddr, std::path::PathBuf) {
    let issuer = Issuer::generate(DEFAULT_ISSUER, DEFAULT_SERVICE).unwrap();
    let bundle = dir.join("token-issuer.pem");
    std::fs::write(&bundle, issuer.certificate_pem()).unwrap();
    let app = router(Arc::new(TokenService::new(issuer, credentials())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (address, bundle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_from_the_issuer_are_accepted_by_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let (issuer, bundle) = serve_issuer(dir.path()).await;
    let auth = Auth::Token {
        realm: format!("http://{issuer}/token"),
        service: DEFAULT_SERVICE.to_owned(),
        issuer: DEFAULT_ISSUER.to_owned(),
        bundle,
    };
    let registry = start(auth, dir).await;

    let anonymous = seed(&registry.address, None).await;
    let seeded = seed(&registry.address, Some(credentials())).await;

    let Err(SeedError::Failed { failure, .. }) = anonymous else {
        panic!("an anonymous token must not allow pushes: {anonymous:?}");
    };
    assert!(failure.to_string().contains("401"), "{failure}");
    assert_eq!(seeded.unwrap().len(), 2);

    // An anonymous pull, by hand: 401, a token without credentials, 200.
    let url = format!("http://{}/v2/demo/app/manifests/v1", registry.address);
    let refused = client()
        .get(&url)
        .header("accept", ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains(r#"scope="repository:demo/app:pull""#),
        "{challenge}"
    );
    let token_url =
        format!("http://{issuer}/token?service={DEFAULT_SERVICE}&scope=repository:demo/app:pull");
    let body = client()
        .get(&token_url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let token = answer["token"].as_str().unwrap();
    let (status, digest) = tag_digest(
        &registry.address,
        "demo/app:v1",
        Some(&format!("Bearer {token}")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(digest, DemoSet::build().unwrap().index.digest());
}
