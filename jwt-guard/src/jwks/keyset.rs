//! A parsed key set: every usable key turned into aws-lc key objects once (one per algorithm it may verify), looked up by
//! `kid` and `alg` on the request path without parsing or allocating.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use jsonwebtoken::{DecodingKey, DecodingKeyKind};

use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;
use crate::error::TokenError;

/// The smallest RSA modulus accepted, in bits (NIST SP 800-131A; jose's rule too).
pub const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus aws-lc verifies with, in bits: a larger key could never verify.
const MAX_RSA_BITS: usize = 8192;

/// The largest RSA public exponent aws-lc verifies with, in bits (BoringSSL's limit).
const MAX_RSA_EXPONENT_BITS: usize = 33;

/// Reasons a key is refused because it is weak or could never verify; a pinned key
/// refused so is a configuration error, not a skip.
const WEAK: &str = "weak or useless key: ";

fn weak(reason: impl fmt::Display) -> String {
    format!("{WEAK}{reason}")
}

pub(crate) fn is_weak(reason: &str) -> bool {
    reason.starts_with(WEAK)
}

/// Reasons a key is left out because another key of the set makes the choice ambiguous
/// (a repeated `kid`); in a pinned set, a configuration error.
const AMBIGUOUS: &str = "ambiguous key: ";

/// True for a reason that is a configuration error in a pinned set (a weak or useless
/// key, a repeated `kid`), not a skip.
pub(crate) fn is_fatal_when_pinned(reason: &str) -> bool {
    is_weak(reason) || reason.starts_with(AMBIGUOUS)
}

/// The shortest HMAC secret for `alg`: the hash size (RFC 7518 §3.2).
fn hmac_min_len(alg: Algorithm) -> usize {
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
    Ed25519,
    Hmac,
}

impl KeyKind {
    fn supports(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            KeyKind::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            KeyKind::EcP256 => alg == ES256,
            KeyKind::EcP384 => alg == ES384,
            KeyKind::EcP521 => alg == ES512,
            KeyKind::Ed25519 => alg == EdDSA,
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
        Algorithm::EdDSA => raw(&sig::ED25519),
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

    /// True when this very entry (not an equal one) is in the set.
    pub(crate) fn contains(&self, key: &Arc<KeyEntry>) -> bool {
        match &key.kid {
            Some(kid) => self
                .by_kid
                .get(kid)
                .is_some_and(|indexes| indexes.iter().any(|&i| Arc::ptr_eq(&self.keys[i], key))),
            None => self.keys.iter().any(|k| Arc::ptr_eq(k, key)),
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

/// An RSA key aws-lc would refuse at every verification is refused when it is parsed:
/// held, it would count as a key (a set of only such keys would answer 401, not 503) and
/// could shadow a good key with the same `kid`.
fn check_rsa(n: &[u8], e: &[u8]) -> Result<(), String> {
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
    if super::roca::has_fingerprint(n) {
        return Err(weak(
            "RSA modulus has the ROCA fingerprint (CVE-2017-15361, Infineon RSALib): its \
             private key can be computed from it",
        ));
    }
    Ok(())
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

fn significant_bits(big_endian: &[u8]) -> usize {
    let Some(first) = big_endian.iter().position(|&b| b != 0) else {
        return 0;
    };
    (big_endian.len() - first) * 8 - big_endian[first].leading_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: ParseOptions = ParseOptions {
        allow_symmetric: false,
        max_keys: 10,
    };

    fn ec_key(kid: &str, crv: &str) -> serde_json::Value {
        // A valid P-256 point (the RFC 7517 A.1 example key).
        serde_json::json!({
            "kty": "EC", "crv": crv, "kid": kid, "use": "sig",
            "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        })
    }

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

    #[test]
    fn key_count_is_capped() {
        let keys: Vec<_> = (0..11).map(|i| ec_key(&format!("k{i}"), "P-256")).collect();
        let doc = serde_json::json!({ "keys": keys });
        assert!(KeySet::parse(doc.to_string().as_bytes(), OPTS).is_err());
    }

    fn rsa_jwk(n: &[u8], e: &[u8]) -> serde_json::Value {
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

    #[test]
    fn modulus_bits() {
        assert_eq!(significant_bits(&[0, 0x01, 0]), 9);
        assert_eq!(significant_bits(&[0x80; 256]), 2048);
        assert_eq!(significant_bits(&[]), 0);
    }
}
