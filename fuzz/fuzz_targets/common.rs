//! Keys, strategies and helpers shared by the fuzz targets.
//!
//! The keys are Google Wycheproof's JSON Web Signature test keys (RSA-2048, P-256, a
//! 256-bit HMAC secret) and RFC 8037's Ed25519 example key: public test material only.

#![allow(dead_code)]

use std::future::Future;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use jwt_guard::jwks::KeySet;
use jwt_guard::{Algorithm, JwtStrategy};

pub const ISSUER: &str = "https://fuzz.example";

pub const ALL_ALGORITHMS: [Algorithm; 15] = jwt_guard::Algorithm::ALL;

pub const RSA_JWK: &str = r#"{"alg":"RS256","use":"sig","kid":"kid-rsa-sign","kty":"RSA","e":"AQAB","n":"kqGboBfAWttWPCA-0cGRgsY6SaYoIARt0B_PkaEcIq9HPYNdu9n6UuWHuuTHrjF_ZoQW97r5HaAorNvrMEGTGdxCHZdEtkHvNVVmrtxTBLiQCbCozXhFoIrVcr3qUBrdGnNn_M3jJi7Wg7p_-x62nS5gNG875oyheRkutHsQXikFZwsN3q_TsPNOVlCiHy8mxzaFTUQGm-X8UYexFyAivlDSjgDJLAZSWfxd7k9Gxuwa3AUfQqQcVcegmgKGCaErQ3qQbh1x7WB6iopE3_-GZ8HMAVtR9AmrVscqYsnjhaCehfAI0iKKs8zXr8tISc0ORbaalrkk03H1ZrsEnDKEWQ"}"#;
pub const EC_JWK: &str = r#"{"alg":"ES256","use":"sig","kid":"kid-ec-sign","kty":"EC","crv":"P-256","x":"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY","y":"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw"}"#;
pub const ED_JWK: &str =
    r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
pub const HMAC_JWK: &str = r#"{"alg":"HS256","use":"sig","kid":"kid-aes-sign","kty":"oct","k":"-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"}"#;

/// The tokens that do verify against these keys; no other token may.
pub const KNOWN_VALID: [&str; 4] = [
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtpZC1yc2Etc2lnbiJ9.Zm9v.HUwxI1-cZrZgcuOgBQ7G7NE-GrqK79l6GV1KT4DKXnSMFwC8pfZCzE7pmLE7mYpLCIvzC87yuOjuhT0uW5oe6aaAEtR978cm-q8dfly45flqMrd_ifhi9GCsMlyi8dpQ42Ou1etZljFZuWjfyk8CN1c5DaHRwhqjScAPIFp6xmzKIRUJ_xdQfUSfSlujLaixtScU518EoNP4oo1v7E8RAz6ZO4g2N4Xqs8OvSxYydcoTEg42QnLHe9JnXgI37Q5gSwinwaPsG3Ry56UYiLoL8mCUa74S51y02VsIgVmmGWgaXjM-i_lCiKQDBiBnvWlka4XhVuvd6ZWibM9cbCPtPg",
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImtpZC1lYy1zaWduIn0.Zm9v.5cA0OHyMP7ezamUd5c9kV-FrGxdx4hbGXOdplQkutrqWrte5P-pAvsE3Ve6xSyU3YDQwUHjVVOtvcrEbbnZ8yA",
    "eyJhbGciOiJIUzI1NiIsImtpZCI6ImtpZC1hZXMtc2lnbiJ9.Zm9v.TD37p4c_0jmreSrBSDmE0F3mYSPtkZ3WrSyI5wb_KTg",
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
];

/// The HMAC secret of [`HMAC_JWK`], for the target that signs what it is given.
pub fn hmac_secret() -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode("-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE")
        .unwrap_or_default()
}

fn jwks(keys: &[&str]) -> String {
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}

/// The public keys, in one set.
pub static ASYMMETRIC: LazyLock<KeySet> = LazyLock::new(|| {
    KeySet::from_jwks_json(jwks(&[RSA_JWK, EC_JWK, ED_JWK]).as_bytes()).expect("test keys")
});

/// The HMAC key alone.
pub static SYMMETRIC: LazyLock<KeySet> =
    LazyLock::new(|| KeySet::from_jwk_json(HMAC_JWK.as_bytes()).expect("test key"));

/// A strategy over the public keys, RS256, ES256 and EdDSA allowed.
pub static ASYMMETRIC_STRATEGY: LazyLock<JwtStrategy> = LazyLock::new(|| {
    JwtStrategy::builder()
        .issuer(ISSUER)
        .jwks_json(jwks(&[RSA_JWK, EC_JWK, ED_JWK]).as_bytes())
        .algorithms([Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA])
        .build()
        .expect("strategy")
});

/// A strategy over the HMAC secret, HS256 only.
pub static SYMMETRIC_STRATEGY: LazyLock<JwtStrategy> = LazyLock::new(|| {
    JwtStrategy::builder()
        .issuer(ISSUER)
        .hmac_secret(&hmac_secret(), Some("kid-aes-sign"))
        .algorithms([Algorithm::HS256])
        .build()
        .expect("strategy")
});

/// Polls a future that must not wait: with static keys the guard never does I/O.
pub fn now_or_never<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("verification with static keys waited"),
    }
}
