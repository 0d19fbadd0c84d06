//! DPoP proofs for tests and examples: a client key pair that mints RFC 9449 proofs.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::keys::{SigningKey, alg_name, unix_now};
use crate::Algorithm;

/// A DPoP client key: its public JWK, RFC 7638 thumbprint, and proofs signed with it.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use jwt_guard::testkit::{DpopKey, Issuer};
///
/// let issuer = Issuer::offline("https://issuer.test")?;
/// let key = DpopKey::generate(jwt_guard::Algorithm::ES256)?;
/// // A token bound to the key (`cnf.jkt`), and a proof for one request:
/// let token = issuer.token(serde_json::json!({ "sub": "ada", "cnf": key.cnf() }));
/// let proof = key.proof("GET", "https://api.test/orders", Some(&token));
/// // Authorization: DPoP <token>
/// // DPoP: <proof>
/// # let _ = proof;
/// # Ok(()) }
/// ```
pub struct DpopKey {
    key: SigningKey,
    jwk: Value,
    thumbprint: String,
}

impl DpopKey {
    /// A fresh key pair for `alg` (ES256, ES384, ES256K, EdDSA, Ed25519, RS*/PS*).
    pub fn generate(alg: Algorithm) -> std::io::Result<Self> {
        let key = SigningKey::generate(String::new(), alg)?;
        let mut jwk = key.public_jwk();
        if let Value::Object(map) = &mut jwk {
            map.remove("kid");
            map.remove("use");
            map.remove("alg");
        }
        let thumbprint = match &jwk {
            Value::Object(map) => crate::dpop::jwk_thumbprint(map),
            _ => None,
        }
        .ok_or_else(|| std::io::Error::other("no thumbprint for the generated key"))?;
        Ok(Self {
            key,
            jwk,
            thumbprint,
        })
    }

    /// The public key as a JWK (the proof's `jwk` header).
    pub fn public_jwk(&self) -> &Value {
        &self.jwk
    }

    /// The RFC 7638 thumbprint (SHA-256, base64url): the `cnf.jkt` of bound tokens.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// `{"jkt": thumbprint}`: the `cnf` claim of a token bound to this key.
    pub fn cnf(&self) -> Value {
        json!({ "jkt": self.thumbprint })
    }

    /// A proof for one request: a fresh `jti`, `iat` now, `htm`, `htu`, and `ath` when an
    /// access token is given.
    pub fn proof(&self, method: &str, htu: &str, access_token: Option<&str>) -> String {
        self.sign(&self.header(), &self.claims(method, htu, access_token))
    }

    /// Like [`proof`](Self::proof), with a server nonce.
    pub fn proof_with_nonce(
        &self,
        method: &str,
        htu: &str,
        access_token: Option<&str>,
        nonce: &str,
    ) -> String {
        let mut claims = self.claims(method, htu, access_token);
        claims["nonce"] = json!(nonce);
        self.sign(&self.header(), &claims)
    }

    /// The header of a proof: `typ` `dpop+jwt`, `alg`, and the public `jwk`.
    pub fn header(&self) -> Value {
        json!({ "typ": "dpop+jwt", "alg": alg_name(self.key.alg), "jwk": self.jwk })
    }

    /// The claims of a proof, for tests that alter them before [`sign`](Self::sign).
    pub fn claims(&self, method: &str, htu: &str, access_token: Option<&str>) -> Value {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let seed = format!("{}-{n}-{:?}", self.thumbprint, std::time::Instant::now());
        let jti = URL_SAFE_NO_PAD
            .encode(&digest::digest(&digest::SHA256, seed.as_bytes()).as_ref()[..16]);
        let mut claims = json!({ "jti": jti, "htm": method, "htu": htu, "iat": unix_now() });
        if let Some(token) = access_token {
            claims["ath"] =
                json!(URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes())));
        }
        claims
    }

    /// Signs `header` and `claims` exactly as given, for crafting hostile proofs.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &self.key.alg)
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}
