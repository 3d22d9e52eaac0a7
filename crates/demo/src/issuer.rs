//! The token issuer's key, certificate and signed tokens, in the form
//! distribution 2.8's token authentication accepts (`registry/auth/token`).
//!
//! # Key and certificate
//!
//! A fresh ECDSA P-256 key is made on every start, with a self-signed
//! certificate for it (common name: the issuer's name). The certificate, in
//! PEM, is what the registry's `auth.token.rootcertbundle` points at; since
//! a new key is made each time, the registry must be (re)started after the
//! issuer has written its bundle.
//!
//! # Tokens
//!
//! A token is a compact JWS (RFC 7515) signed with ES256 (RFC 7518 §3.4:
//! the 64-byte `r || s` signature, base64url without padding). Its header
//! is `{"typ":"JWT","alg":"ES256","x5c":[<certificate, base64 DER>]}`:
//! distribution 2.8 finds the signing key through `x5c` (or `jwk`) and
//! checks that the certificate chains to its root bundle. The claims:
//!
//! | claim | value |
//! |---|---|
//! | `iss` | the issuer's name; must equal the registry's `auth.token.issuer` |
//! | `sub` | the user name, or `anonymous` |
//! | `aud` | the service; must equal the registry's `auth.token.service` |
//! | `iat`, `nbf`, `exp` | now, now − 10 s (clock slack), now + [`TOKEN_LIFETIME`] |
//! | `jti` | 16 random bytes, hex |
//! | `access` | the granted scopes ([`crate::grant`]) as `{type, name, actions}` |
//!
//! ```
//! use polyarch_demo::issuer::Issuer;
//!
//! let issuer = Issuer::generate("polyarch-demo-issuer", "polyarch-demo-registry").unwrap();
//! assert!(issuer.certificate_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//! let token = issuer.sign("anonymous", &[], 1_700_000_000).unwrap();
//! assert_eq!(token.split('.').count(), 3);
//! ```

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use polyarch_core::registry::token::Scope;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::json;
use thiserror::Error;

use crate::grant::Access;

/// How long a token may be used, in seconds.
pub const TOKEN_LIFETIME: u64 = 300;

/// How far back `nbf` is set, for clocks slightly apart.
pub const CLOCK_SLACK: u64 = 10;

/// Why the issuer could not be made or could not sign.
#[derive(Debug, Error)]
pub enum IssuerError {
    /// The key or the certificate could not be made.
    #[error("the issuer's key or certificate cannot be made")]
    Certificate(#[source] rcgen::Error),
    /// ring refused the key.
    #[error("the issuer's key is refused: {reason}")]
    KeyRejected {
        /// ring's reason.
        reason: String,
    },
    /// Signing or drawing random bytes failed.
    #[error("the system's cryptography failed")]
    Crypto,
}

/// An ES256 key with its self-signed certificate.
pub struct Issuer {
    name: String,
    service: String,
    key: EcdsaKeyPair,
    certificate_der: Vec<u8>,
    certificate_pem: String,
    rng: SystemRandom,
}

impl Issuer {
    /// A fresh key and certificate for issuer `name`, whose tokens are for
    /// `service`.
    ///
    /// # Errors
    ///
    /// An [`IssuerError`] when key generation or signing fails.
    pub fn generate(name: &str, service: &str) -> Result<Issuer, IssuerError> {
        let key_pair = rcgen::KeyPair::generate().map_err(IssuerError::Certificate)?;
        let params = rcgen::CertificateParams::new(vec![name.to_owned()])
            .map_err(IssuerError::Certificate)?;
        let certificate = params
            .self_signed(&key_pair)
            .map_err(IssuerError::Certificate)?;

        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &key_pair.serialize_der(),
            &rng,
        )
        .map_err(|e| IssuerError::KeyRejected {
            reason: e.to_string(),
        })?;
        Ok(Issuer {
            name: name.to_owned(),
            service: service.to_owned(),
            key,
            certificate_der: certificate.der().to_vec(),
            certificate_pem: certificate.pem(),
            rng,
        })
    }

    /// The issuer's name (`iss`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service its tokens are for (`aud`).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The certificate in PEM, for the registry's root bundle.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The certificate in DER, as `x5c` carries it.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The public key, uncompressed (`04 || x || y`).
    pub fn public_key(&self) -> &[u8] {
        ring::signature::KeyPair::public_key(&self.key).as_ref()
    }

    /// A token for `subject` granting `access`, issued at `now` (seconds
    /// since the Unix epoch).
    ///
    /// # Errors
    ///
    /// [`IssuerError::Crypto`] when signing fails.
    pub fn sign(&self, subject: &str, access: &[Scope], now: u64) -> Result<String, IssuerError> {
        let mut jti = [0u8; 16];
        self.rng.fill(&mut jti).map_err(|_| IssuerError::Crypto)?;
        let jti: String = jti.iter().map(|b| format!("{b:02x}")).collect();

        let header = json!({
            "typ": "JWT",
            "alg": "ES256",
            "x5c": [STANDARD.encode(&self.certificate_der)],
        });
        let access: Vec<Access<'_>> = access.iter().map(Access::from).collect();
        let claims = json!({
            "iss": self.name,
            "sub": subject,
            "aud": self.service,
            "iat": now,
            "nbf": now.saturating_sub(CLOCK_SLACK),
            "exp": now.saturating_add(TOKEN_LIFETIME),
            "jti": jti,
            "access": access,
        });

        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| IssuerError::Crypto)?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grant::parse_scopes;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
    use serde_json::Value;

    fn part(token: &str, at: usize) -> Vec<u8> {
        let segment = token.split('.').nth(at).unwrap();
        URL_SAFE_NO_PAD.decode(segment).unwrap()
    }

    fn issuer() -> Issuer {
        Issuer::generate("polyarch-demo-issuer", "polyarch-demo-registry").unwrap()
    }

    #[test]
    fn the_signature_verifies_with_the_public_key() {
        let issuer = issuer();

        let token = issuer.sign("polyarch", &[], 1_700_000_000).unwrap();

        let (signing_input, _) = token.rsplit_once('.').unwrap();
        let signature = part(&token, 2);
        assert_eq!(signature.len(), 64, "ES256 signatures are r || s");
        let key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, issuer.public_key());
        assert!(key.verify(signing_input.as_bytes(), &signature).is_ok());
        let mut tampered = signing_input.as_bytes().to_vec();
        tampered[0] ^= 1;
        assert!(key.verify(&tampered, &signature).is_err());
    }

    #[test]
    fn the_header_names_es256_and_carries_the_certificate() {
        let issuer = issuer();

        let token = issuer.sign("polyarch", &[], 1_700_000_000).unwrap();

        let header: Value = serde_json::from_slice(&part(&token, 0)).unwrap();
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["typ"], "JWT");
        let x5c = header["x5c"][0].as_str().unwrap();
        assert_eq!(STANDARD.decode(x5c).unwrap(), issuer.certificate_der());
    }

    #[test]
    fn the_claims_are_as_documented() {
        let issuer = issuer();
        let access = parse_scopes("repository:demo/app:pull,push registry:catalog:*");

        let token = issuer.sign("polyarch", &access, 1_700_000_000).unwrap();

        let claims: Value = serde_json::from_slice(&part(&token, 1)).unwrap();
        assert_eq!(claims["iss"], "polyarch-demo-issuer");
        assert_eq!(claims["aud"], "polyarch-demo-registry");
        assert_eq!(claims["sub"], "polyarch");
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["nbf"], 1_700_000_000 - CLOCK_SLACK);
        assert_eq!(claims["exp"], 1_700_000_000 + TOKEN_LIFETIME);
        assert_eq!(claims["jti"].as_str().unwrap().len(), 32);
        assert_eq!(
            claims["access"],
            serde_json::json!([
                {"type": "repository", "name": "demo/app", "actions": ["pull", "push"]},
                {"type": "registry", "name": "catalog", "actions": ["*"]},
            ])
        );
    }

    #[test]
    fn each_token_has_its_own_id() {
        let issuer = issuer();

        let first = issuer.sign("polyarch", &[], 1).unwrap();
        let second = issuer.sign("polyarch", &[], 1).unwrap();

        let id = |token: &str| {
            let claims: Value = serde_json::from_slice(&part(token, 1)).unwrap();
            claims["jti"].as_str().unwrap().to_owned()
        };
        assert_ne!(id(&first), id(&second));
    }

    #[test]
    fn times_saturate_instead_of_wrapping() {
        let issuer = issuer();

        let early = issuer.sign("a", &[], 3).unwrap();
        let late = issuer.sign("a", &[], u64::MAX).unwrap();

        let claims = |token: &str| -> Value { serde_json::from_slice(&part(token, 1)).unwrap() };
        assert_eq!(claims(&early)["nbf"], 0);
        assert_eq!(claims(&late)["exp"], u64::MAX);
    }
}
