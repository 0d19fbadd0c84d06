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
    // jsonwebtoken 12 has no ES512: its "alg" is read here and taken out of the JWK.
    let mut value = value.clone();
    let es512 = value.get("alg").and_then(serde_json::Value::as_str) == Some("ES512");
    if es512 && let Some(members) = value.as_object_mut() {
        members.remove("alg");
    }
    let jwk: Jwk =
        serde_json::from_value(value).map_err(|e| format!("not a JWK ({})", json_error(&e)))?;
    entry_from_jwk(&jwk, es512.then_some(Algorithm::ES512), opts)
}

/// `named_alg`: an `alg` the JWK names that jsonwebtoken cannot hold (ES512).
pub(crate) fn entry_from_jwk(
    jwk: &Jwk,
    named_alg: Option<Algorithm>,
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
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => KeyKind::EcP256,
            EllipticCurve::P384 => KeyKind::EcP384,
            EllipticCurve::P521 => KeyKind::EcP521,
            ref other => return Err(format!("EC curve {other:?} is not supported")),
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
