//! One verification key: aws-lc key objects parsed once, one per algorithm the key may
//! verify, and the checks that refuse weak or useless key material.

use std::fmt;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaPublicKeyComponents};
use jsonwebtoken::{DecodingKey, DecodingKeyKind};

use crate::algorithm::Algorithm;

/// The smallest RSA modulus accepted, in bits (NIST SP 800-131A; jose's rule too).
pub const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus aws-lc verifies with, in bits: a larger key could never verify.
const MAX_RSA_BITS: usize = 8192;

/// The largest RSA public exponent aws-lc verifies with, in bits (BoringSSL's limit).
const MAX_RSA_EXPONENT_BITS: usize = 33;

/// Reasons a key is refused because it is weak or could never verify; a pinned key
/// refused so is a configuration error, not a skip.
const WEAK: &str = "weak or useless key: ";

pub(super) fn weak(reason: impl fmt::Display) -> String {
    format!("{WEAK}{reason}")
}

pub(crate) fn is_weak(reason: &str) -> bool {
    reason.starts_with(WEAK)
}

/// The shortest HMAC secret for `alg`: the hash size (RFC 7518 §3.2).
pub(super) fn hmac_min_len(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => 32,
    }
}

/// What kind of key material a [`KeyEntry`] holds, which decides the algorithms it can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    EcP256,
    EcP384,
    EcP521,
    /// secp256k1, for ES256K alone (opt-in).
    EcSecp256k1,
    /// Ed25519: `EdDSA` or its fully-specified name `Ed25519` (RFC 9864).
    Ed25519,
    Hmac,
}

impl KeyKind {
    pub(super) fn supports(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            KeyKind::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            KeyKind::EcP256 => alg == ES256,
            KeyKind::EcP384 => alg == ES384,
            KeyKind::EcP521 => alg == ES512,
            KeyKind::EcSecp256k1 => alg == ES256K,
            KeyKind::Ed25519 => matches!(alg, EdDSA | Ed25519),
            KeyKind::Hmac => matches!(alg, HS256 | HS384 | HS512),
        }
    }
}

/// One verification key, parsed once into aws-lc key objects: one per algorithm the key
/// may verify, so a verification is the signature check alone.
pub(crate) struct KeyEntry {
    pub(crate) kid: Option<String>,
    pub(crate) kind: KeyKind,
    /// The JWK's `alg`: when present, the only algorithm this key may verify.
    pub(crate) alg: Option<Algorithm>,
    verifiers: Vec<(Algorithm, Verifier)>,
}

impl KeyEntry {
    /// The algorithms this key really verifies (an HMAC secret only those whose hash
    /// size it reaches).
    pub(crate) fn algorithms(&self) -> impl Iterator<Item = Algorithm> + '_ {
        self.verifiers.iter().map(|(alg, _)| *alg)
    }
}

enum Verifier {
    Public(ParsedPublicKey),
    /// Boxed: an HMAC key holds its precomputed pads (over 1 KiB).
    Hmac(Box<hmac::Key>),
}

impl KeyEntry {
    /// True when this key may verify a token signed with `alg`: its type fits, and its
    /// `alg` (if the JWK named one) is exactly `alg`. This is what stops HS256-with-an-RSA-key.
    pub(crate) fn fits(&self, alg: Algorithm) -> bool {
        self.kind.supports(alg) && self.alg.is_none_or(|pinned| pinned == alg)
    }

    /// Builds the entry, parsing the key for every algorithm it fits. Fails when aws-lc
    /// refuses the key material (a point not on the curve, a bad modulus, …).
    pub(crate) fn new(
        kid: Option<String>,
        kind: KeyKind,
        alg: Option<Algorithm>,
        key: &DecodingKey,
    ) -> Result<Self, String> {
        let mut entry = KeyEntry {
            kid,
            kind,
            alg,
            verifiers: Vec::new(),
        };
        let mut fitting: Vec<Algorithm> = Algorithm::ALL
            .into_iter()
            .filter(|&a| entry.fits(a))
            .collect();
        if kind == KeyKind::Hmac {
            // A secret shorter than the hash size is refused for that algorithm, and
            // refused whole when it is too short for every algorithm it could serve.
            let len = key.try_get_as_bytes().map_or(0, <[u8]>::len);
            let needed = fitting.iter().map(|&a| hmac_min_len(a)).min().unwrap_or(32);
            fitting.retain(|&a| len >= hmac_min_len(a));
            if fitting.is_empty() {
                return Err(weak(format_args!(
                    "HMAC secret of {len} bytes is under the {needed} bytes its algorithm needs (RFC 7518 §3.2)"
                )));
            }
        }
        for alg in fitting {
            let verifier = verifier(alg, key).map_err(|e| format!("{alg:?} key rejected: {e}"))?;
            entry.verifiers.push((alg, verifier));
        }
        Ok(entry)
    }

    /// Checks `signature` over `message` for `alg`. HMAC tags are compared in constant
    /// time (aws-lc's `hmac::verify`).
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let Some((_, verifier)) = self.verifiers.iter().find(|(a, _)| *a == alg) else {
            return false;
        };
        match verifier {
            Verifier::Public(key) => key.verify_sig(message, signature).is_ok(),
            Verifier::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
        }
    }
}

fn verifier(alg: Algorithm, key: &DecodingKey) -> Result<Verifier, String> {
    let rsa = |params: &'static sig::RsaParameters| match key.kind() {
        DecodingKeyKind::RsaModulusExponent { n, e } => RsaPublicKeyComponents {
            n: n.as_slice(),
            e: e.as_slice(),
        }
        .to_parsed_public_key(params),
        DecodingKeyKind::SecretOrDer(der) => ParsedPublicKey::new(params, der),
    };
    let raw = |params: &'static dyn sig::VerificationAlgorithm| {
        ParsedPublicKey::new(params, key.try_get_as_bytes().unwrap_or_default())
    };
    let hmac = |hash: hmac::Algorithm| {
        let secret = key.try_get_as_bytes().map_err(|e| e.to_string())?;
        Ok(Verifier::Hmac(Box::new(hmac::Key::new(hash, secret))))
    };
    let parsed = match alg {
        Algorithm::HS256 => return hmac(hmac::HMAC_SHA256),
        Algorithm::HS384 => return hmac(hmac::HMAC_SHA384),
        Algorithm::HS512 => return hmac(hmac::HMAC_SHA512),
        Algorithm::RS256 => rsa(&sig::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::RS384 => rsa(&sig::RSA_PKCS1_2048_8192_SHA384),
        Algorithm::RS512 => rsa(&sig::RSA_PKCS1_2048_8192_SHA512),
        Algorithm::PS256 => rsa(&sig::RSA_PSS_2048_8192_SHA256),
        Algorithm::PS384 => rsa(&sig::RSA_PSS_2048_8192_SHA384),
        Algorithm::PS512 => rsa(&sig::RSA_PSS_2048_8192_SHA512),
        Algorithm::ES256 => raw(&sig::ECDSA_P256_SHA256_FIXED),
        Algorithm::ES384 => raw(&sig::ECDSA_P384_SHA384_FIXED),
        Algorithm::ES512 => raw(&sig::ECDSA_P521_SHA512_FIXED),
        Algorithm::EdDSA | Algorithm::Ed25519 => raw(&sig::ED25519),
        Algorithm::ES256K => raw(&sig::ECDSA_P256K1_SHA256_FIXED),
    };
    parsed.map(Verifier::Public).map_err(|e| e.to_string())
}

impl fmt::Debug for KeyEntry {
    /// Never shows key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEntry")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// An RSA key aws-lc would refuse at every verification is refused when it is parsed:
/// held, it would count as a key (a set of only such keys would answer 401, not 503) and
/// could shadow a good key with the same `kid`.
pub(super) fn check_rsa(n: &[u8], e: &[u8]) -> Result<(), String> {
    let n_bits = significant_bits(n);
    if n_bits > MAX_RSA_BITS {
        return Err(weak(format_args!(
            "RSA modulus of {n_bits} bits is over {MAX_RSA_BITS}"
        )));
    }
    if n.last().is_none_or(|b| b & 1 == 0) {
        return Err(weak("RSA modulus is even"));
    }
    let e_bits = significant_bits(e);
    if e_bits < 2 {
        return Err(weak("RSA exponent is 0 or 1"));
    }
    if e.last().is_none_or(|b| b & 1 == 0) {
        return Err(weak("RSA exponent is even"));
    }
    if e_bits > MAX_RSA_EXPONENT_BITS {
        return Err(weak(format_args!(
            "RSA exponent of {e_bits} bits is over {MAX_RSA_EXPONENT_BITS}"
        )));
    }
    if crate::jwks::roca::has_fingerprint(n) {
        return Err(weak(
            "RSA modulus has the ROCA fingerprint (CVE-2017-15361, Infineon RSALib): its \
             private key can be computed from it",
        ));
    }
    Ok(())
}

pub(super) fn significant_bits(big_endian: &[u8]) -> usize {
    let Some(first) = big_endian.iter().position(|&b| b != 0) else {
        return 0;
    };
    (big_endian.len() - first) * 8 - big_endian[first].leading_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_bits() {
        assert_eq!(significant_bits(&[0, 0x01, 0]), 9);
        assert_eq!(significant_bits(&[0x80; 256]), 2048);
        assert_eq!(significant_bits(&[]), 0);
    }
}
