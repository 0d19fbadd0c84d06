//! Keys pinned in configuration: a PEM key or an HMAC secret made an entry, and a
//! secret's length checked against the algorithms allowed.

use jsonwebtoken::{DecodingKey, DecodingKeyKind};

use super::entry::{KeyEntry, KeyKind, check_rsa, hmac_min_len, weak};
use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;

/// The kind of a pinned key given as PEM or a secret.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PemKind {
    Rsa,
    Ec,
    Ed,
    Hmac,
}

/// A pinned key from configuration.
pub(crate) fn static_entry(
    key: DecodingKey,
    kind: PemKind,
    kid: Option<&str>,
) -> Result<KeyEntry, String> {
    let kind = match kind {
        PemKind::Rsa => {
            // The checks of an RSA JWK (weak exponents, ROCA), on the PEM key's numbers.
            if let DecodingKeyKind::SecretOrDer(der) = key.kind()
                && let Some((n, e)) = rsa_public_key_der(der)
            {
                check_rsa(n, e)?;
            }
            KeyKind::Rsa
        }
        PemKind::Ed => KeyKind::Ed25519,
        PemKind::Hmac => KeyKind::Hmac,
        // The SPKI's public point: 0x04 || x || y, 65 bytes on P-256, 97 on P-384, 133 on
        // P-521.
        PemKind::Ec => match key.try_get_as_bytes().map(<[u8]>::len) {
            Ok(65) => KeyKind::EcP256,
            Ok(97) => KeyKind::EcP384,
            Ok(133) => KeyKind::EcP521,
            _ => return Err("the EC key is not on P-256, P-384 or P-521".into()),
        },
    };
    KeyEntry::new(kid.map(str::to_owned), kind, None, &key)
}

/// A pinned HMAC secret must reach the hash size of an allowed `HS*` algorithm it could
/// serve: a 32-byte secret for an HS512-only allow-list is a configuration error.
pub(crate) fn check_pinned_hmac(
    entry: &KeyEntry,
    allowed: &[Algorithm],
) -> Result<(), ConfigError> {
    if entry.kind != KeyKind::Hmac {
        return Ok(());
    }
    let wanted: Vec<Algorithm> = allowed
        .iter()
        .copied()
        .filter(|&a| KeyKind::Hmac.supports(a) && entry.alg.is_none_or(|p| p == a))
        .collect();
    if wanted.is_empty() || wanted.iter().any(|&a| entry.algorithms().any(|v| v == a)) {
        return Ok(());
    }
    let needed = wanted.iter().map(|&a| hmac_min_len(a)).min().unwrap_or(32);
    Err(ConfigError::InvalidKey {
        key: match entry.kid.as_deref() {
            Some(kid) => format!("{kid:?}"),
            None => "(HMAC secret, no kid)".into(),
        },
        reason: weak(format_args!(
            "the secret is too short for {wanted:?}, which need at least {needed} bytes (RFC 7518 §3.2)"
        )),
    })
}

/// `n` and `e` of a DER PKCS#1 `RSAPublicKey` (`SEQUENCE { INTEGER, INTEGER }`), what
/// jsonwebtoken holds for an RSA PEM key; `None` when it is not one.
fn rsa_public_key_der(der: &[u8]) -> Option<(&[u8], &[u8])> {
    /// One DER element of `tag`: its content and what follows it.
    fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&first, rest) = input.split_first()?;
        if first != tag {
            return None;
        }
        let (&len, rest) = rest.split_first()?;
        let (len, rest) = match len {
            0..=0x7f => (usize::from(len), rest),
            0x81 => (usize::from(*rest.first()?), rest.get(1..)?),
            0x82 => (
                usize::from(*rest.first()?) << 8 | usize::from(*rest.get(1)?),
                rest.get(2..)?,
            ),
            _ => return None,
        };
        Some((rest.get(..len)?, rest.get(len..)?))
    }
    let (sequence, trailing) = element(der, 0x30)?;
    let (n, rest) = element(sequence, 0x02)?;
    let (e, rest) = element(rest, 0x02)?;
    (trailing.is_empty() && rest.is_empty()).then_some((n, e))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::jwks::keyset::entry::is_weak;
    use crate::jwks::keyset::jwk::{ParseOptions, entry_from_value};

    #[test]
    fn rsa_public_key_der_reads_pkcs1() {
        // SEQUENCE { INTEGER 0x00c5…(129 bytes), INTEGER 65537 }
        let mut n = vec![0x00u8, 0xc5];
        n.extend([0x11u8; 127]);
        let mut der = vec![0x30, 0x81, 0x89, 0x02, 0x81, 0x81];
        der.extend(&n);
        der.extend([0x02, 0x03, 0x01, 0x00, 0x01]);
        let (got_n, got_e) = rsa_public_key_der(&der).unwrap();
        assert_eq!((got_n, got_e), (&n[..], &[1u8, 0, 1][..]));
        assert!(rsa_public_key_der(&der[..der.len() - 1]).is_none());
        assert!(rsa_public_key_der(&[0x30, 0x00]).is_none());
        assert!(rsa_public_key_der(&[]).is_none());
    }

    #[test]
    fn hmac_secrets_reach_the_hash_size() {
        let opts = ParseOptions {
            allow_symmetric: true,
            max_keys: 1,
        };
        let oct = |len: usize, alg: Option<&str>| {
            let mut jwk = serde_json::json!({ "kty": "oct", "kid": "s", "k": URL_SAFE_NO_PAD.encode(vec![5u8; len]) });
            if let Some(alg) = alg {
                jwk["alg"] = serde_json::json!(alg);
            }
            entry_from_value(&jwk, opts)
        };
        use Algorithm::{HS256, HS384, HS512};
        let algs = |len, alg| oct(len, alg).map(|e| e.algorithms().collect::<Vec<_>>());
        assert!(oct(0, None).is_err());
        for len in [1, 16, 31] {
            assert!(is_weak(&oct(len, None).unwrap_err()), "{len}");
        }
        assert_eq!(algs(32, None).unwrap(), [HS256]);
        assert_eq!(algs(47, None).unwrap(), [HS256]);
        assert_eq!(algs(48, None).unwrap(), [HS256, HS384]);
        assert_eq!(algs(63, None).unwrap(), [HS256, HS384]);
        assert_eq!(algs(64, None).unwrap(), [HS256, HS384, HS512]);
        for (len, alg, ok) in [
            (31, "HS256", false),
            (32, "HS256", true),
            (47, "HS384", false),
            (48, "HS384", true),
            (63, "HS512", false),
            (64, "HS512", true),
        ] {
            let result = oct(len, Some(alg));
            assert_eq!(result.is_ok(), ok, "{len} bytes for {alg}");
            if let Err(reason) = result {
                assert!(is_weak(&reason), "{reason}");
            }
        }
        // A 48-byte secret verifies HS384 but not HS512.
        let entry = oct(48, None).unwrap();
        assert!(check_pinned_hmac(&entry, &[HS384]).is_ok());
        assert!(check_pinned_hmac(&entry, &[HS256, HS512]).is_ok());
        let err = check_pinned_hmac(&entry, &[HS512]).unwrap_err();
        assert!(err.to_string().contains("\"s\""), "{err}");
    }
}
