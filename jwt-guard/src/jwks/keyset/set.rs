//! The key set: the usable keys of a JWK Set or of the pinned keys, a repeated `kid` left
//! out as ambiguous, looked up by `kid` and `alg`.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use super::entry::{KeyEntry, KeyKind, is_weak};
use super::jwk::{ParseOptions, entry_from_value, json_error};
use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;
use crate::error::TokenError;

/// Reasons a key is left out because another key of the set makes the choice ambiguous
/// (a repeated `kid`); in a pinned set, a configuration error.
const AMBIGUOUS: &str = "ambiguous key: ";

/// True for a reason that is a configuration error in a pinned set (a weak or useless
/// key, a repeated `kid`), not a skip.
pub(crate) fn is_fatal_when_pinned(reason: &str) -> bool {
    is_weak(reason) || reason.starts_with(AMBIGUOUS)
}

/// A set of parsed keys.
#[derive(Debug, Default)]
pub struct KeySet {
    keys: Vec<Arc<KeyEntry>>,
    by_kid: HashMap<String, Vec<usize>>,
}

/// Why one JWK of a set was left out. Logged, never fatal to the rest of the set.
#[derive(Debug)]
pub(crate) struct SkippedKey {
    pub(crate) index: usize,
    pub(crate) kid: Option<String>,
    pub(crate) reason: String,
}

impl KeySet {
    /// Parses a JWK Set document (`{"keys":[…]}`), skipping keys it cannot use.
    ///
    /// Static sets accept symmetric (`oct`) keys: they come from the service's own
    /// configuration. Fails when the document is not a JWK Set, no key is usable, a key
    /// is weak or useless (a short secret, a ROCA modulus, …), a `kid` is shared by keys
    /// whose algorithms overlap (or by a key that cannot be used: no "first wins"), or
    /// the set mixes HMAC secrets with public keys.
    pub fn from_jwks_json(json: &[u8]) -> Result<Self, ConfigError> {
        let opts = ParseOptions {
            allow_symmetric: true,
            max_keys: usize::MAX,
        };
        let in_set = |reason| ConfigError::InvalidKey {
            key: "in the set (jwks_json)".into(),
            reason,
        };
        let (set, skipped) = Self::parse(json, opts).map_err(in_set)?;
        if let Some(s) = skipped.iter().find(|s| is_fatal_when_pinned(&s.reason)) {
            return Err(ConfigError::InvalidKey {
                key: format!(
                    "#{} (kid {:?}) in the set (jwks_json)",
                    s.index,
                    s.kid.as_deref().unwrap_or("")
                ),
                reason: s.reason.clone(),
            });
        }
        log_skipped(&skipped);
        if set.is_empty() {
            return Err(in_set("the JWK Set holds no usable signing key".into()));
        }
        set.check_not_mixed().map_err(in_set)?;
        Ok(set)
    }

    /// The pinned keys of a strategy, from every call that pinned some: a repeated `kid`
    /// (with algorithms in common) or a mix of symmetric and asymmetric keys is an error.
    pub(crate) fn pinned(entries: Vec<Arc<KeyEntry>>) -> Result<Self, ConfigError> {
        let mut skipped = Vec::new();
        let set = Self::from_entries_dedup(entries, &mut skipped);
        if let Some(s) = skipped.first() {
            return Err(ConfigError::InvalidKey {
                key: format!(
                    "#{} (kid {:?}) among the pinned keys",
                    s.index + 1,
                    s.kid.as_deref().unwrap_or("")
                ),
                reason: s.reason.clone(),
            });
        }
        set.check_not_mixed()
            .map_err(|reason| ConfigError::InvalidKey {
                key: "(the pinned keys)".into(),
                reason,
            })?;
        Ok(set)
    }

    /// A set used for verification holds HMAC secrets or public keys, never both: with
    /// both, the secret's algorithms and the public keys' are one allow-list apart from
    /// key confusion (Wycheproof's "mixed symmetry key set").
    fn check_not_mixed(&self) -> Result<(), String> {
        let secrets = self.keys.iter().filter(|k| k.kind == KeyKind::Hmac).count();
        if secrets == 0 || secrets == self.keys.len() {
            return Ok(());
        }
        Err(format!(
            "the set mixes {secrets} symmetric (oct) key(s) with {} asymmetric one(s); \
             pin HMAC secrets and public keys in two strategies",
            self.keys.len() - secrets
        ))
    }

    /// A set holding one JWK (JSON text of a single key).
    pub fn from_jwk_json(json: &[u8]) -> Result<Self, ConfigError> {
        let invalid = |reason| ConfigError::InvalidKey {
            key: "(jwk_json)".into(),
            reason,
        };
        let value: serde_json::Value = serde_json::from_slice(json)
            .map_err(|e| invalid(format!("the JWK is not valid JSON ({})", json_error(&e))))?;
        let opts = ParseOptions {
            allow_symmetric: true,
            max_keys: 1,
        };
        let entry = entry_from_value(&value, opts).map_err(|reason| ConfigError::InvalidKey {
            key: match value.get("kid").and_then(serde_json::Value::as_str) {
                Some(kid) => format!("{kid:?}"),
                None => "(jwk_json)".into(),
            },
            reason,
        })?;
        let mut skipped = Vec::new();
        Ok(Self::from_entries_dedup(
            vec![Arc::new(entry)],
            &mut skipped,
        ))
    }

    /// Parses a JWK Set; returns the usable keys and why the others were skipped.
    pub(crate) fn parse(
        json: &[u8],
        opts: ParseOptions,
    ) -> Result<(Self, Vec<SkippedKey>), String> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let doc: Document = serde_json::from_slice(json)
            .map_err(|e| format!("not a JWK Set ({})", json_error(&e)))?;
        if doc.keys.len() > opts.max_keys {
            return Err(format!(
                "the JWK Set holds {} keys, over the cap of {}",
                doc.keys.len(),
                opts.max_keys
            ));
        }
        let mut entries = Vec::with_capacity(doc.keys.len());
        let mut skipped = Vec::new();
        for (index, value) in doc.keys.iter().enumerate() {
            match entry_from_value(value, opts) {
                Ok(entry) => entries.push((index, entry)),
                Err(reason) => skipped.push(SkippedKey {
                    index,
                    kid: value.get("kid").and_then(|k| k.as_str()).map(str::to_owned),
                    reason,
                }),
            }
        }
        // In a set from configuration, a signature key that could not be used still
        // claims its kid: a repeated kid is a mistake to report (Wycheproof JWK tcId 4).
        // In a fetched set, an unusable key can verify nothing and never shadows a good
        // key with its kid.
        let claimed: Vec<String> = skipped
            .iter()
            .filter(|s| opts.allow_symmetric && for_signatures(&doc.keys[s.index]))
            .filter_map(|s| s.kid.clone())
            .collect();
        let (positions, entries): (Vec<usize>, Vec<Arc<KeyEntry>>) = entries
            .into_iter()
            .map(|(index, entry)| (index, Arc::new(entry)))
            .unzip();
        let before = skipped.len();
        let set = Self::from_entries_dedup_with(entries, &claimed, &mut skipped);
        // Positions in the document, not among the usable keys.
        for s in &mut skipped[before..] {
            s.index = positions.get(s.index).copied().unwrap_or(s.index);
        }
        Ok((set, skipped))
    }

    /// Duplicate `kid`s: keys with one `kid` whose algorithms overlap are ambiguous, and
    /// every one of them is left out (no "first wins": which key a token means is not for
    /// the set's order to decide). Keys with the same `kid` but disjoint algorithms (an
    /// RSA and an EC key, RFC 7517 §4.5's example) all stay.
    fn from_entries_dedup(entries: Vec<Arc<KeyEntry>>, skipped: &mut Vec<SkippedKey>) -> Self {
        Self::from_entries_dedup_with(entries, &[], skipped)
    }

    /// [`from_entries_dedup`](Self::from_entries_dedup), with the kids of signature keys
    /// of the document that could not be used (`claimed`): a usable key with one of them
    /// is ambiguous too.
    fn from_entries_dedup_with(
        entries: Vec<Arc<KeyEntry>>,
        claimed: &[String],
        skipped: &mut Vec<SkippedKey>,
    ) -> Self {
        let ambiguous: Vec<bool> = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                entry.kid.as_ref().is_some_and(|kid| {
                    claimed.contains(kid)
                        || entries.iter().enumerate().any(|(j, other)| {
                            i != j && other.kid.as_ref() == Some(kid) && overlaps(entry, other)
                        })
                })
            })
            .collect();
        let mut set = KeySet::default();
        for (index, (entry, ambiguous)) in entries.into_iter().zip(ambiguous).enumerate() {
            if ambiguous {
                skipped.push(SkippedKey {
                    index,
                    kid: entry.kid.clone(),
                    reason: format!(
                        "{AMBIGUOUS}another key of the set has this kid and verifies an \
                         algorithm this one does"
                    ),
                });
                continue;
            }
            if let Some(kid) = &entry.kid {
                set.by_kid
                    .entry(kid.clone())
                    .or_default()
                    .push(set.keys.len());
            }
            set.keys.push(entry);
        }
        set
    }

    pub(crate) fn into_entries(self) -> Vec<Arc<KeyEntry>> {
        self.keys
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key ids held, in set order (keys without a `kid` are left out).
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(|k| k.kid.as_deref()).collect()
    }

    /// True when this very entry (not an equal one) is in the set. Takes the weak
    /// reference a token-cache entry holds: a small set is scanned by address, without
    /// upgrading it (the weak reference keeps the address from being reused, so an equal
    /// address is this entry); a large one is looked up by `kid`.
    pub(crate) fn contains(&self, key: &Weak<KeyEntry>) -> bool {
        const SCANNED: usize = 16;
        if self.keys.len() <= SCANNED {
            return self
                .keys
                .iter()
                .any(|k| std::ptr::eq(Arc::as_ptr(k), key.as_ptr()));
        }
        let Some(key) = key.upgrade() else {
            return false;
        };
        match &key.kid {
            Some(kid) => self
                .by_kid
                .get(kid)
                .is_some_and(|indexes| indexes.iter().any(|&i| Arc::ptr_eq(&self.keys[i], &key))),
            None => self.keys.iter().any(|k| Arc::ptr_eq(k, &key)),
        }
    }

    /// True when a key with this `kid` is held (whatever its algorithm).
    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    /// The key that verifies a token with this `kid` and `alg`.
    ///
    /// With a `kid`: the key with that id whose type and `alg` fit. Without one: the one
    /// key in the set that fits `alg`; when several fit, the token is refused as ambiguous.
    pub(crate) fn find(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<&Arc<KeyEntry>, TokenError> {
        match kid {
            Some(kid) => self
                .by_kid
                .get(kid)
                .and_then(|indexes| indexes.iter().map(|&i| &self.keys[i]).find(|k| k.fits(alg)))
                .ok_or(TokenError::UnknownKey),
            None => {
                let mut fitting = self.keys.iter().filter(|k| k.fits(alg));
                match (fitting.next(), fitting.next()) {
                    (Some(key), None) => Ok(key),
                    (None, _) => Err(TokenError::UnknownKey),
                    (Some(_), Some(_)) => Err(TokenError::AmbiguousKey),
                }
            }
        }
    }
}

/// True unless the JWK says it is not for verifying signatures (`use` other than `sig`,
/// `key_ops` without `verify`).
fn for_signatures(jwk: &serde_json::Value) -> bool {
    let use_ok = jwk.get("use").is_none_or(|u| u == "sig");
    let ops_ok = jwk
        .get("key_ops")
        .and_then(serde_json::Value::as_array)
        .is_none_or(|ops| ops.iter().any(|op| op == "verify"));
    use_ok && ops_ok
}

fn overlaps(a: &KeyEntry, b: &KeyEntry) -> bool {
    Algorithm::ALL.iter().any(|&alg| a.fits(alg) && b.fits(alg))
}

pub(crate) fn log_skipped(skipped: &[SkippedKey]) {
    for s in skipped {
        let kid = s.kid.as_deref().map(crate::text::bounded);
        tracing::warn!(index = s.index, kid = kid.as_deref(), reason = %s.reason, "JWK skipped");
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::jwks::keyset::jwk::tests::{OPTS, ec_key, rsa_jwk};

    #[test]
    fn unusable_keys_are_skipped_not_fatal() {
        let doc = serde_json::json!({"keys": [
            ec_key("good", "P-256"),
            {"kty": "EC", "crv": "P-256", "kid": "enc", "use": "enc", "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"},
            {"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
            {"kty": "XYZ", "kid": "weird"},
            {"kty": "RSA", "kid": "small", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "ops", "key_ops": ["sign"], "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"},
            {"kty": "EC", "crv": "P-256", "kid": "pin", "alg": "RS256", "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"},
        ]});
        let (set, skipped) = KeySet::parse(doc.to_string().as_bytes(), OPTS).unwrap();
        assert_eq!(set.kids(), vec!["good"]);
        let skipped: Vec<_> = skipped.iter().map(|s| s.kid.clone().unwrap()).collect();
        assert_eq!(skipped, ["enc", "sym", "weird", "small", "ops", "pin"]);
    }

    #[test]
    fn lookup_respects_kid_and_alg() {
        let doc = serde_json::json!({"keys": [ec_key("a", "P-256")]});
        let (set, _) = KeySet::parse(doc.to_string().as_bytes(), OPTS).unwrap();
        assert!(set.find(Some("a"), Algorithm::ES256).is_ok());
        assert_eq!(
            set.find(Some("a"), Algorithm::ES384).unwrap_err(),
            TokenError::UnknownKey
        );
        assert_eq!(
            set.find(Some("a"), Algorithm::HS256).unwrap_err(),
            TokenError::UnknownKey
        );
        assert_eq!(
            set.find(Some("b"), Algorithm::ES256).unwrap_err(),
            TokenError::UnknownKey
        );
        assert!(set.find(None, Algorithm::ES256).is_ok());
    }

    #[test]
    fn kidless_token_needs_exactly_one_fitting_key() {
        let doc = serde_json::json!({"keys": [ec_key("a", "P-256"), ec_key("b", "P-256")]});
        let (set, _) = KeySet::parse(doc.to_string().as_bytes(), OPTS).unwrap();
        assert_eq!(
            set.find(None, Algorithm::ES256).unwrap_err(),
            TokenError::AmbiguousKey
        );
    }

    #[test]
    fn a_duplicate_kid_leaves_every_key_with_it_out() {
        let doc = serde_json::json!({"keys": [
            ec_key("a", "P-256"), ec_key("b", "P-256"), ec_key("a", "P-256"),
        ]});
        let (set, skipped) = KeySet::parse(doc.to_string().as_bytes(), OPTS).unwrap();
        assert_eq!(set.kids(), ["b"], "no first-wins");
        assert_eq!(skipped.len(), 2);
        assert!(skipped.iter().all(|s| is_fatal_when_pinned(&s.reason)));
        assert!(!skipped.iter().any(|s| is_weak(&s.reason)));
        // Pinned, it is a configuration error naming the kid.
        let err = KeySet::from_jwks_json(doc.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("\"a\""), "{err}");
        // One kid on keys of disjoint algorithms (RFC 7517 §4.5): both stay.
        let rsa = {
            use aws_lc_rs::rsa::KeySize;
            use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
            let n = pair
                .public_key()
                .modulus()
                .big_endian_without_leading_zero()
                .to_vec();
            let mut jwk = rsa_jwk(&n, &[1, 0, 1]);
            jwk["kid"] = "a".into();
            jwk
        };
        let doc = serde_json::json!({"keys": [ec_key("a", "P-256"), rsa]});
        let (set, skipped) = KeySet::parse(doc.to_string().as_bytes(), OPTS).unwrap();
        assert_eq!((set.len(), skipped.len()), (2, 0));
        // From configuration, a second key with the kid that cannot be used still makes
        // the kid ambiguous (Wycheproof JWK tcId 4); an encryption key with it does not.
        // Fetched, an unusable key never shadows a good one.
        let mut broken = ec_key("a", "P-256");
        broken["x"] = "not base64url!".into();
        let mut enc = ec_key("a", "P-256");
        enc["use"] = "enc".into();
        let pinned = ParseOptions {
            allow_symmetric: true,
            max_keys: 10,
        };
        let doc = serde_json::json!({"keys": [ec_key("a", "P-256"), broken, ec_key("b", "P-256")]});
        let (set, skipped) = KeySet::parse(doc.to_string().as_bytes(), pinned).unwrap();
        assert_eq!(set.kids(), ["b"]);
        assert_eq!(skipped.iter().map(|s| s.index).collect::<Vec<_>>(), [1, 0]);
        assert!(KeySet::from_jwks_json(doc.to_string().as_bytes()).is_err());
        let (set, _) = KeySet::parse(doc.to_string().as_bytes(), OPTS).unwrap();
        assert_eq!(set.kids(), ["a", "b"]);
        let doc = serde_json::json!({"keys": [ec_key("a", "P-256"), enc]});
        let (set, _) = KeySet::parse(doc.to_string().as_bytes(), pinned).unwrap();
        assert_eq!(set.kids(), ["a"]);
    }

    #[test]
    fn a_set_mixing_secrets_and_public_keys_is_refused() {
        let oct =
            serde_json::json!({ "kty": "oct", "kid": "s", "k": URL_SAFE_NO_PAD.encode([7u8; 32]) });
        let mixed = serde_json::json!({"keys": [oct.clone(), ec_key("e", "P-256")]});
        let err = KeySet::from_jwks_json(mixed.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("mixes"), "{err}");
        let secrets = serde_json::json!({"keys": [oct]});
        assert!(KeySet::from_jwks_json(secrets.to_string().as_bytes()).is_ok());
        // Fetched, the secret is skipped and the set is not mixed.
        let (set, _) = KeySet::parse(mixed.to_string().as_bytes(), OPTS).unwrap();
        assert_eq!(set.kids(), ["e"]);
    }

    #[test]
    fn key_count_is_capped() {
        let keys: Vec<_> = (0..11).map(|i| ec_key(&format!("k{i}"), "P-256")).collect();
        let doc = serde_json::json!({ "keys": keys });
        assert!(KeySet::parse(doc.to_string().as_bytes(), OPTS).is_err());
    }
}
