//! The issuer's signing keys: generated pairs, their JWKs, and signatures.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::Algorithm;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

pub(super) struct SigningKey {
    pub(super) kid: String,
    pub(super) alg: Algorithm,
    pub(super) published: bool,
    pub(super) pair: Pair,
}

pub(super) enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

impl SigningKey {
    pub(super) fn generate(kid: String, alg: Algorithm) -> std::io::Result<Self> {
        let fail = |_| std::io::Error::other("key generation failed");
        let pair = match alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Pair::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).map_err(fail)?),
            Algorithm::ES256 => Pair::Ec(
                EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
                    .map_err(fail)?,
            ),
            Algorithm::ES384 => Pair::Ec(
                EcdsaKeyPair::generate(&signature::ECDSA_P384_SHA384_FIXED_SIGNING)
                    .map_err(fail)?,
            ),
            Algorithm::ES512 => Pair::Ec(
                EcdsaKeyPair::generate(&signature::ECDSA_P521_SHA512_FIXED_SIGNING)
                    .map_err(fail)?,
            ),
            Algorithm::ES256K => Pair::Ec(
                EcdsaKeyPair::generate(&signature::ECDSA_P256K1_SHA256_FIXED_SIGNING)
                    .map_err(fail)?,
            ),
            Algorithm::EdDSA | Algorithm::Ed25519 => {
                Pair::Ed(Ed25519KeyPair::generate().map_err(fail)?)
            }
            _ => {
                return Err(std::io::Error::other(
                    "the testkit issues asymmetric keys only",
                ));
            }
        };
        Ok(Self {
            kid,
            alg,
            published: true,
            pair,
        })
    }

    pub(super) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Rsa(pair) => {
                let padding: &'static dyn signature::RsaEncoding = match self.alg {
                    Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                    Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
                    Algorithm::PS256 => &signature::RSA_PSS_SHA256,
                    Algorithm::PS384 => &signature::RSA_PSS_SHA384,
                    Algorithm::PS512 => &signature::RSA_PSS_SHA512,
                    _ => &signature::RSA_PKCS1_SHA256,
                };
                let mut out = vec![0; pair.public_modulus_len()];
                match pair.sign(padding, &rng, message, &mut out) {
                    Ok(()) => out,
                    Err(_) => Vec::new(),
                }
            }
            Pair::Ec(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .unwrap_or_default(),
            Pair::Ed(pair) => pair.sign(message).as_ref().to_vec(),
        }
    }

    pub(super) fn public_jwk(&self) -> Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        match &self.pair {
            Pair::Rsa(pair) => {
                let public = pair.public_key();
                json!({
                    "kty": "RSA", "use": "sig", "alg": alg_name(self.alg), "kid": self.kid,
                    "n": b64(public.modulus().big_endian_without_leading_zero()),
                    "e": b64(public.exponent().big_endian_without_leading_zero()),
                })
            }
            Pair::Ec(pair) => {
                let point = pair.public_key().as_ref();
                let half = (point.len() - 1) / 2;
                let crv = match half {
                    32 if self.alg == Algorithm::ES256K => "secp256k1",
                    32 => "P-256",
                    48 => "P-384",
                    _ => "P-521",
                };
                json!({
                    "kty": "EC", "use": "sig", "alg": alg_name(self.alg), "kid": self.kid, "crv": crv,
                    "x": b64(&point[1..1 + half]), "y": b64(&point[1 + half..]),
                })
            }
            Pair::Ed(pair) => json!({
                "kty": "OKP", "use": "sig", "alg": alg_name(self.alg), "kid": self.kid, "crv": "Ed25519",
                "x": b64(pair.public_key().as_ref()),
            }),
        }
    }

    pub(super) fn spki_der(&self) -> Vec<u8> {
        use aws_lc_rs::encoding::AsDer as _;
        match &self.pair {
            Pair::Rsa(pair) => pair
                .public_key()
                .as_der()
                .map(|d| d.as_ref().to_vec())
                .unwrap_or_default(),
            Pair::Ec(pair) => pair
                .public_key()
                .as_der()
                .map(|d| d.as_ref().to_vec())
                .unwrap_or_default(),
            Pair::Ed(pair) => pair
                .public_key()
                .as_der()
                .map(|d| d.as_ref().to_vec())
                .unwrap_or_default(),
        }
    }
}

pub(super) fn alg_name(alg: Algorithm) -> String {
    format!("{alg:?}")
}

pub(super) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
