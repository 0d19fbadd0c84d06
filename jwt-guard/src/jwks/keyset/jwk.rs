//! One JWK made a key, or the reason it cannot be used; the options that differ between
//! a set from configuration and one fetched over the network.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, KeyOperations, PublicKeyUse,
};

use super::entry::{KeyEntry, KeyKind, MIN_RSA_BITS, check_rsa, significant_bits, weak};
use crate::algorithm::Algorithm;

/// Options for turning JWKs into keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParseOptions {
    /// Symmetric (`kty: oct`) keys are accepted only from static configuration, never
    /// from a key set fetched over the network. True exactly for sets from configuration,
    /// which are also held to stricter rules (a `kid` repeated on a key that cannot be
    /// used is an error there).
    pub(crate) allow_symmetric: bool,
    pub(crate) max_keys: usize,
}

/// The JWK members that only a private key has (RFC 7518 §6.2.2 and §6.3.2, RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// Turns one JWK (as JSON) into a key, or says why it cannot be used.
///
/// An asymmetric JWK that carries private key material (`d`, or an RSA key's primes) is
/// refused as weak: its signing key has been published, so anyone who read the set can
/// sign tokens it would verify (jose refuses such a set member too). Pinned, it is a
/// configuration error; in a fetched set, it is skipped with a warning.
pub(crate) fn entry_from_value(
    value: &serde_json::Value,
    opts: ParseOptions,
) -> Result<KeyEntry, String> {
    if value.get("kty").and_then(serde_json::Value::as_str) != Some("oct")
        && let Some(member) = PRIVATE_MEMBERS.iter().find(|m| value.get(**m).is_some())
    {
        return Err(weak(format_args!(
            "the JWK holds private key material (\"{member}\"): its signing key is \
             published, so anyone can sign; give the public key alone"
        )));
    }
    // jsonwebtoken 12 knows neither ES512, ES256K nor Ed25519 as an `alg`, nor the
    // secp256k1 curve: the `alg` is read here and taken out of the JWK, and a secp256k1
    // key is read as an EC key whose curve is decided here (its point is checked by
    // aws-lc when the key is parsed).
    let mut value = value.clone();
    let named_alg = match value.get("alg").and_then(serde_json::Value::as_str) {
        Some(name @ ("ES512" | "ES256K" | "Ed25519")) => name.parse::<Algorithm>().ok(),
        _ => None,
    };
    let secp256k1 = value.get("kty").and_then(serde_json::Value::as_str) == Some("EC")
        && value.get("crv").and_then(serde_json::Value::as_str) == Some("secp256k1");
    if let Some(members) = value.as_object_mut() {
        if named_alg.is_some() {
            members.remove("alg");
        }
        if secp256k1 {
            members.insert("crv".into(), "P-256".into());
        }
    }
    let jwk: Jwk =
        serde_json::from_value(value).map_err(|e| format!("not a JWK ({})", json_error(&e)))?;
    let curve = secp256k1.then_some(KeyKind::EcSecp256k1);
    entry_from_jwk(&jwk, named_alg, curve, opts)
}

/// `named_alg`: an `alg` the JWK names that jsonwebtoken cannot hold (ES512, ES256K,
/// Ed25519); `curve`: the kind of an EC key on a curve it cannot hold (secp256k1).
pub(crate) fn entry_from_jwk(
    jwk: &Jwk,
    named_alg: Option<Algorithm>,
    curve: Option<KeyKind>,
    opts: ParseOptions,
) -> Result<KeyEntry, String> {
    let common = &jwk.common;
    match &common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err("\"use\" is not \"sig\"".into()),
    }
    if let Some(ops) = &common.key_operations
        && !ops.contains(&KeyOperations::Verify)
    {
        return Err("\"key_ops\" does not include \"verify\"".into());
    }
    let alg = match common.key_algorithm {
        None => named_alg,
        Some(KeyAlgorithm::UNKNOWN_ALGORITHM) => return Err("unknown \"alg\"".into()),
        Some(alg) => Some(
            alg.to_string()
                .parse::<Algorithm>()
                .map_err(|_| format!("\"alg\" {alg} is not a signature algorithm"))?,
        ),
    };
    let kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => {
            let n = URL_SAFE_NO_PAD
                .decode(&rsa.n)
                .map_err(|_| "\"n\" is not base64url")?;
            let bits = significant_bits(&n);
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "RSA modulus of {bits} bits is under {MIN_RSA_BITS}"
                ));
            }
            let e = URL_SAFE_NO_PAD
                .decode(&rsa.e)
                .map_err(|_| "\"e\" is not base64url")?;
            check_rsa(&n, &e)?;
            KeyKind::Rsa
        }
        AlgorithmParameters::EllipticCurve(ec) => match (curve, &ec.curve) {
            (Some(kind), _) => kind,
            (None, EllipticCurve::P256) => KeyKind::EcP256,
            (None, EllipticCurve::P384) => KeyKind::EcP384,
            (None, EllipticCurve::P521) => KeyKind::EcP521,
            (None, other) => return Err(format!("EC curve {other:?} is not supported")),
        },
        AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
            EllipticCurve::Ed25519 => KeyKind::Ed25519,
            ref other => return Err(format!("OKP curve {other:?} is not supported")),
        },
        AlgorithmParameters::OctetKey(_) if opts.allow_symmetric => KeyKind::Hmac,
        AlgorithmParameters::OctetKey(_) => {
            return Err("symmetric (oct) keys are never taken from a fetched key set".into());
        }
        _ => return Err("unsupported key type".into()),
    };
    if let Some(alg) = alg
        && !kind.supports(alg)
    {
        return Err(format!("\"alg\" {alg:?} does not fit a {kind:?} key"));
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("key does not parse: {e}"))?;
    KeyEntry::new(common.key_id.clone(), kind, alg, &key)
}

/// A JSON error without its text: serde's messages quote the offending value, which in
/// a key set may be key material.
pub(crate) fn json_error(err: &serde_json::Error) -> String {
    match err.classify() {
        serde_json::error::Category::Io => "I/O error".into(),
        category => format!(
            "{category:?} error at line {} column {}",
            err.line(),
            err.column()
        ),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::jwks::keyset::entry::is_weak;
    use crate::jwks::keyset::set::KeySet;

    pub(crate) const OPTS: ParseOptions = ParseOptions {
        allow_symmetric: false,
        max_keys: 10,
    };

    pub(crate) fn ec_key(kid: &str, crv: &str) -> serde_json::Value {
        // A valid P-256 point (the RFC 7517 A.1 example key).
        serde_json::json!({
            "kty": "EC", "crv": crv, "kid": kid, "use": "sig",
            "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        })
    }

    #[test]
    fn keys_with_private_material_are_refused_as_weak() {
        for member in PRIVATE_MEMBERS {
            let mut jwk = ec_key("leaked", "P-256");
            jwk[member] = serde_json::json!("AQAB");
            let reason = entry_from_value(&jwk, OPTS).map(|_| ()).unwrap_err();
            assert!(is_weak(&reason), "{member}: {reason}");
            assert!(reason.contains("private key material"), "{reason}");
        }
        // In a fetched set: skipped, the other keys kept.
        let mut leaked = ec_key("leaked", "P-256");
        leaked["d"] = serde_json::json!("AQAB");
        let doc = serde_json::json!({"keys": [leaked, ec_key("good", "P-256")]});
        let (set, skipped) = KeySet::parse(doc.to_string().as_bytes(), OPTS).unwrap();
        assert_eq!(set.kids(), vec!["good"]);
        assert_eq!(skipped[0].kid.as_deref(), Some("leaked"));
        // Pinned: a configuration error naming the key.
        let err = KeySet::from_jwks_json(doc.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("leaked"), "{err}");
        // A secret's `k` is its key, not a leak.
        let oct =
            serde_json::json!({"kty": "oct", "kid": "s", "k": URL_SAFE_NO_PAD.encode([7u8; 32])});
        let opts = ParseOptions {
            allow_symmetric: true,
            max_keys: 1,
        };
        assert!(entry_from_value(&oct, opts).is_ok());
    }

    pub(crate) fn rsa_jwk(n: &[u8], e: &[u8]) -> serde_json::Value {
        serde_json::json!({
            "kty": "RSA", "kid": "r", "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e),
        })
    }

    #[test]
    fn rsa_keys_that_can_never_verify_are_refused_by_class() {
        use aws_lc_rs::rsa::KeySize;
        use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let n = pair
            .public_key()
            .modulus()
            .big_endian_without_leading_zero()
            .to_vec();
        let mut two64 = vec![1u8];
        two64.extend([0u8; 7]);
        two64.push(1);
        let mut e2048 = vec![0xffu8; 256];
        e2048[255] = 0xfd;
        let e33 = [1u8, 0, 0, 0, 1]; // 2^32 + 1: 33 bits, the largest class accepted
        let e34 = [3u8, 0, 0, 0, 1]; // 34 bits
        let mut n8200 = vec![0xc5u8; 1026];
        n8200[0] = 0x01;
        let mut even_n = n.clone();
        *even_n.last_mut().unwrap() &= 0xfe;
        let cases: [(&str, Vec<u8>, Vec<u8>, bool); 11] = [
            ("e = 65537", n.clone(), vec![1, 0, 1], true),
            ("e = 3", n.clone(), vec![3], true),
            ("e = 2^32+1", n.clone(), e33.to_vec(), true),
            ("e = 0", n.clone(), vec![0], false),
            ("e = 1", n.clone(), vec![1], false),
            ("e = 2", n.clone(), vec![2], false),
            ("e even", n.clone(), vec![1, 0, 0], false),
            ("e of 34 bits", n.clone(), e34.to_vec(), false),
            ("e = 2^64+1", n.clone(), two64, false),
            ("e of 2048 bits", n.clone(), e2048, false),
            ("n of 8200 bits", n8200, vec![1, 0, 1], false),
        ];
        for (name, n, e, ok) in cases {
            let result = entry_from_value(&rsa_jwk(&n, &e), OPTS);
            assert_eq!(result.is_ok(), ok, "{name}: {:?}", result.err());
            if let Err(reason) = result {
                assert!(is_weak(&reason), "{name}: {reason}");
            }
        }
        let reason = entry_from_value(&rsa_jwk(&even_n, &[1, 0, 1]), OPTS).unwrap_err();
        assert!(is_weak(&reason), "{reason}");
    }
}

#[cfg(test)]
mod algorithm_tests {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::tests::OPTS;
    use super::*;

    fn ed_jwk(pair: &Ed25519KeyPair, alg: Option<&str>) -> serde_json::Value {
        let mut jwk = serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "kid": "ed",
            "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
        });
        if let Some(alg) = alg {
            jwk["alg"] = alg.into();
        }
        jwk
    }

    #[test]
    fn an_ed25519_key_serves_the_algorithm_its_jwk_names_and_only_it() {
        use Algorithm::{ES256, Ed25519, EdDSA};
        let pair = Ed25519KeyPair::generate().unwrap();
        let message = b"header.payload";
        let signature = pair.sign(message);
        let cases: [(Option<&str>, &[Algorithm]); 3] = [
            (Some("Ed25519"), &[Ed25519]),
            (Some("EdDSA"), &[EdDSA]),
            (None, &[EdDSA, Ed25519]),
        ];
        for (alg, serves) in cases {
            let entry = entry_from_value(&ed_jwk(&pair, alg), OPTS).unwrap();
            for candidate in [EdDSA, Ed25519, ES256] {
                let expected = serves.contains(&candidate);
                assert_eq!(entry.fits(candidate), expected, "{alg:?} / {candidate}");
                assert_eq!(
                    entry.verify(candidate, message, signature.as_ref()),
                    expected,
                    "{alg:?} / {candidate}"
                );
            }
            assert_eq!(entry.algorithms().collect::<Vec<_>>(), serves, "{alg:?}");
            // A signature over another message never verifies.
            assert!(!entry.verify(serves[0], b"header.other", signature.as_ref()));
        }
        // An Ed25519 `alg` on a key of another type is refused.
        let reason = entry_from_value(
            &serde_json::json!({
                "kty": "EC", "crv": "P-256", "alg": "Ed25519",
                "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
                "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
            }),
            OPTS,
        )
        .map(|_| ())
        .unwrap_err();
        assert!(reason.contains("does not fit"), "{reason}");
    }

    fn k1_jwk(point: &[u8], crv: &str, alg: Option<&str>) -> serde_json::Value {
        let mut jwk = serde_json::json!({
            "kty": "EC", "crv": crv, "kid": "k1",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..]),
        });
        if let Some(alg) = alg {
            jwk["alg"] = alg.into();
        }
        jwk
    }

    #[test]
    fn a_secp256k1_jwk_verifies_es256k_alone() {
        let pair = EcdsaKeyPair::generate(&signature::ECDSA_P256K1_SHA256_FIXED_SIGNING).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        assert_eq!(point.len(), 65);
        let message = b"header.payload";
        let sig = pair.sign(&SystemRandom::new(), message).unwrap();
        for alg in [None, Some("ES256K")] {
            let entry = entry_from_value(&k1_jwk(&point, "secp256k1", alg), OPTS).unwrap();
            assert_eq!(entry.kind, KeyKind::EcSecp256k1);
            assert_eq!(entry.algorithms().collect::<Vec<_>>(), [Algorithm::ES256K]);
            assert!(entry.verify(Algorithm::ES256K, message, sig.as_ref()));
            assert!(!entry.verify(Algorithm::ES256, message, sig.as_ref()));
            assert!(!entry.verify(Algorithm::ES256K, b"other", sig.as_ref()));
        }
        // The secp256k1 point read as a P-256 key: not on that curve, refused.
        assert!(entry_from_value(&k1_jwk(&point, "P-256", None), OPTS).is_err());
        // ES256 on a secp256k1 key, ES256K on a P-256 key: refused.
        for (crv, alg) in [("secp256k1", "ES256"), ("P-256", "ES256K")] {
            let reason = entry_from_value(&k1_jwk(&point, crv, Some(alg)), OPTS)
                .map(|_| ())
                .unwrap_err();
            assert!(reason.contains("does not fit"), "{crv}/{alg}: {reason}");
        }
        // A point off the curve is refused when parsed.
        let mut bad = point.clone();
        bad[64] ^= 1;
        assert!(entry_from_value(&k1_jwk(&bad, "secp256k1", None), OPTS).is_err());
        // The curve name is exact.
        let reason = entry_from_value(&k1_jwk(&point, "SECP256K1", None), OPTS)
            .map(|_| ())
            .unwrap_err();
        assert!(reason.contains("unsupported key type"), "{reason}");
    }
}
