//! The signature layer ([`verify_jws`]) and, for JWTs, the claims.
//!
//! Checking a compact JWS and its claims: sizes first, then the header, the key, the
//! signature (aws-lc, on keys parsed once), and last the claims.
//!
//! The header is parsed by jwt-guard, not trusted to a general JOSE library: only `alg`,
//! `kid` and `crit` are read. `jku`, `x5u`, `jwk` and `x5c` are never used to find a key;
//! the key always comes from the configured source.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::{self, IgnoredAny};

use crate::algorithm::Algorithm;
use crate::error::TokenError;
use crate::json::{self, NameSet, Skip, skip_map, skip_seq};
use crate::jwks::{KeyEntry, KeySet};

/// Size caps, each checked on the encoded text before it is decoded or parsed.
///
/// Every allocation the verifier makes is bounded by these caps: the decoded header is at
/// most ¾ of `max_header_bytes`, the decoded payload ¾ of `max_payload_bytes`, the parsed
/// claims a small multiple of that (JSON nesting is capped at 128 levels by `serde_json`).
///
/// ```
/// let mut limits = jwt_guard::verify::Limits::default();
/// limits.max_payload_bytes = 2048;
/// assert_eq!(limits.max_token_bytes, 16384);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Limits {
    /// Largest token accepted, in bytes. Defaults to 16 KiB (the header cap).
    pub max_token_bytes: usize,
    /// Largest encoded JOSE header, in bytes. Defaults to 1 KiB.
    pub max_header_bytes: usize,
    /// Largest encoded payload (a JWT's claims), in bytes. Defaults to 16 KiB, so that it
    /// still bounds the claims when `max_token_bytes` is raised.
    pub max_payload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_token_bytes: 16 * 1024,
            max_header_bytes: 1024,
            max_payload_bytes: 16 * 1024,
        }
    }
}

/// The longest signature segment of any supported algorithm: an RSA-8192 signature
/// (1024 bytes; `aws-lc` verifies no larger modulus), base64url without padding.
pub const MAX_SIGNATURE_CHARS: usize = 1366;

/// The largest `exp`, `nbf` or `iat` accepted: 9999-12-31T23:59:59Z. A later (or
/// negative) time is refused as an invalid claim, not read as "never expires".
pub const MAX_NUMERIC_DATE: f64 = 253_402_300_799.0;

/// The largest clock tolerance a strategy accepts for `exp` and `nbf`
/// ([`leeway`](crate::JwtStrategyBuilder::leeway)), and a DPoP proof for `iat`
/// ([`DpopConfig::leeway`](crate::dpop::DpopConfig::leeway)): 10 minutes, twice the
/// 5 minutes of Kerberos and Microsoft.IdentityModel's default skew. More is not clock
/// skew but a longer token lifetime chosen by the verifier; a larger setting is a
/// [`ConfigError`](crate::ConfigError) naming it.
pub const MAX_LEEWAY: std::time::Duration = std::time::Duration::from_secs(600);

/// A compact JWS split into its parts; nothing verified yet.
pub(crate) struct Compact<'t> {
    /// `BASE64URL(header) "." BASE64URL(payload)`: what the signature covers.
    pub(crate) signing_input: &'t str,
    pub(crate) payload: &'t str,
    pub(crate) signature: &'t str,
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<Kid>,
    /// The header's `typ` is `at+jwt` or `application/at+jwt` (any case): an RFC 9068
    /// access token.
    pub(crate) at_jwt: bool,
}

/// A header's `kid`, held inline when it is short: no allocation per request for
/// ordinary key ids (UUIDs, thumbprints).
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Kid {
    Inline { len: u8, bytes: [u8; Kid::INLINE] },
    Heap(Box<str>),
}

impl Kid {
    const INLINE: usize = 64;

    fn new(kid: &str) -> Self {
        match u8::try_from(kid.len()) {
            Ok(len) if kid.len() <= Self::INLINE => {
                let mut bytes = [0u8; Self::INLINE];
                bytes[..kid.len()].copy_from_slice(kid.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Heap(Box::from(kid)),
        }
    }
}

impl std::ops::Deref for Kid {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            // Copied from a `str` whole: always UTF-8 (and "" would only miss a key).
            Self::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Self::Heap(kid) => kid,
        }
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<'de> Deserialize<'de> for Kid {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Kid;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key id")
            }

            fn visit_str<E: de::Error>(self, kid: &str) -> Result<Kid, E> {
                Ok(Kid::new(kid))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl fmt::Debug for Compact<'_> {
    /// Never shows the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compact")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Splits and reads the header of a compact JWS. `allowed` is the algorithm allow-list.
///
/// Order: the token's size, the segment count (found with two `split_once`, never by
/// splitting into a collection), each segment's size, and only then any decoding.
pub(crate) fn parse<'t>(
    token: &'t str,
    allowed: &[Algorithm],
    limits: &Limits,
) -> Result<Compact<'t>, TokenError> {
    if token.len() > limits.max_token_bytes {
        return Err(TokenError::TooLarge);
    }
    // Exactly three segments, found without allocating.
    let (header, rest) = token.split_once('.').ok_or(TokenError::Malformed)?;
    let (payload, signature) = rest.split_once('.').ok_or(TokenError::Malformed)?;
    // An empty payload is a valid JWS (RFC 7515); as JWT claims it is refused later.
    if signature.contains('.') || header.is_empty() || signature.is_empty() {
        return Err(TokenError::Malformed);
    }
    if header.len() > limits.max_header_bytes
        || payload.len() > limits.max_payload_bytes
        || signature.len() > MAX_SIGNATURE_CHARS
    {
        return Err(TokenError::TooLarge);
    }
    // Decoded on the stack when it fits (the default cap does): no allocation.
    let mut stack = [0u8; 768];
    let heap;
    let header_json: &[u8] = match URL_SAFE_NO_PAD.decode_slice(header, &mut stack) {
        Ok(len) => &stack[..len],
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
            heap = URL_SAFE_NO_PAD
                .decode(header)
                .map_err(|_| TokenError::Malformed)?;
            &heap
        }
        Err(base64::DecodeSliceError::DecodeError(_)) => return Err(TokenError::Malformed),
    };
    // UTF-8 checked on the whole header first: serde_json does not check the strings it
    // skips, so an ignored member could otherwise carry invalid UTF-8 (found by fuzzing).
    let header_json = std::str::from_utf8(header_json).map_err(|_| TokenError::Malformed)?;
    let header_fields: Header =
        serde_json::from_str(header_json).map_err(|_| TokenError::Malformed)?;
    if header_fields.crit {
        return Err(TokenError::CriticalHeader);
    }
    let alg = match header_fields.alg {
        Some(Some(alg)) => alg,
        Some(None) => return Err(TokenError::AlgorithmNotAllowed),
        None => return Err(TokenError::Malformed),
    };
    if !allowed.contains(&alg) {
        return Err(TokenError::AlgorithmNotAllowed);
    }
    Ok(Compact {
        signing_input: &token[..header.len() + 1 + payload.len()],
        payload,
        signature,
        alg,
        kid: header_fields.kid,
        at_jwt: header_fields.at_jwt,
    })
}

/// A compact JWS whose signature verified: its algorithm, key id and payload bytes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedJws {
    /// The header's `alg`.
    pub alg: Algorithm,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The decoded payload (not parsed: JWT claims are checked by [`crate::JwtStrategy`]).
    pub payload: Vec<u8>,
}

/// The signature layer on its own: checks a compact JWS against a key set, with the
/// algorithm allow-list and size caps, and returns the payload. No claim is looked at.
///
/// This is the layer the Wycheproof JSON Web Signature vectors run against.
pub fn verify_jws(
    token: &str,
    keys: &KeySet,
    algorithms: &[Algorithm],
    limits: &Limits,
) -> Result<VerifiedJws, TokenError> {
    let parsed = parse(token, algorithms, limits)?;
    let key = keys.find(parsed.kid.as_deref(), parsed.alg)?;
    verify_signature(&parsed, key)?;
    let payload = URL_SAFE_NO_PAD
        .decode(parsed.payload)
        .map_err(|_| TokenError::Malformed)?;
    Ok(VerifiedJws {
        alg: parsed.alg,
        kid: parsed.kid.as_deref().map(str::to_owned),
        payload,
    })
}

/// Verifies the signature of `token` with `key`. The key must fit the token's `alg`.
pub(crate) fn verify_signature(token: &Compact<'_>, key: &KeyEntry) -> Result<(), TokenError> {
    if !key.fits(token.alg) {
        return Err(TokenError::UnknownKey);
    }
    // At most `MAX_SIGNATURE_CHARS` (checked by `parse`): decoded on the stack.
    let mut signature = [0u8; MAX_SIGNATURE_CHARS * 3 / 4 + 1];
    let len = URL_SAFE_NO_PAD
        .decode_slice(token.signature, &mut signature)
        .map_err(|_| TokenError::InvalidSignature)?;
    if key.verify(token.alg, token.signing_input.as_bytes(), &signature[..len]) {
        Ok(())
    } else {
        Err(TokenError::InvalidSignature)
    }
}

/// Decodes the payload to its JSON text (UTF-8 checked; not parsed yet).
pub(crate) fn decode_payload(token: &Compact<'_>) -> Result<String, TokenError> {
    let json = URL_SAFE_NO_PAD
        .decode(token.payload)
        .map_err(|_| TokenError::Malformed)?;
    String::from_utf8(json).map_err(|_| TokenError::Malformed)
}

/// Checks that `json` is an object with no repeated member names at any depth, and
/// reads the registered claims from it, in one pass that builds nothing: names and
/// strings are borrowed from the text (unless escaped), other values are skipped. The
/// rule is the strict reader's (`json`: [`NameSet`] and [`Skip`]).
pub(crate) fn scan_claims(json: &str) -> Result<Registered<'_>, TokenError> {
    serde_json::from_str(json).map_err(|_| TokenError::Malformed)
}

/// A registered claim as found in the payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found<T> {
    Absent,
    Valid(T),
    /// Present, of the wrong type or out of range.
    Invalid,
}

/// The `aud` claim as found in the payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Audience<'j> {
    Absent,
    One(Cow<'j, str>),
    /// An array; `all_strings` is false when an entry is not a string.
    Many {
        items: Vec<Cow<'j, str>>,
        all_strings: bool,
    },
    /// Neither a string nor an array.
    Invalid,
}

/// The `cnf` claim (RFC 7800) as found in the payload: what the token is bound to.
///
/// The strategy's one rule for it is `JwtInner::confirmation` (strategy.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Confirmation {
    /// No `cnf`: a bearer token.
    #[default]
    Absent,
    /// `{"jkt": "<string>"}` and no other member: bound to a DPoP key (RFC 9449 §6.1).
    Jkt,
    /// Any other `cnf`: another confirmation method (`x5t#S256` of RFC 8705, `jwk`,
    /// `kid`, `jku`, …) alone or beside `jkt`, a `jkt` that is not a string, an empty
    /// object, or a value that is not an object.
    Other,
}

/// The registered claims (`exp`, `nbf`, `iat`, `iss`, `aud`) of a checked payload, and
/// the shape of its `cnf`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Registered<'j> {
    pub(crate) exp: Found<f64>,
    pub(crate) nbf: Found<f64>,
    pub(crate) iat: Found<f64>,
    pub(crate) iss: Found<Cow<'j, str>>,
    pub(crate) aud: Audience<'j>,
    pub(crate) cnf: Confirmation,
}

impl Registered<'_> {
    /// `exp`, when it is a valid NumericDate.
    pub(crate) fn exp(&self) -> Option<f64> {
        match self.exp {
            Found::Valid(exp) => Some(exp),
            _ => None,
        }
    }

    /// `nbf`, when it is a valid NumericDate.
    pub(crate) fn nbf(&self) -> Option<f64> {
        match self.nbf {
            Found::Valid(nbf) => Some(nbf),
            _ => None,
        }
    }
}

/// What the registered claims must satisfy.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRules {
    pub(crate) issuer: String,
    pub(crate) audiences: Option<Vec<String>>,
    /// Seconds, with sub-second precision.
    pub(crate) leeway: f64,
    pub(crate) require_exp: bool,
}

/// Checks `exp`, `nbf`, `iat`, `iss` and `aud`. Time claims must be JSON numbers from 0
/// to [`MAX_NUMERIC_DATE`]; a string, any other type or an out-of-range number is refused,
/// never treated as absent.
pub(crate) fn validate_claims(
    claims: &Registered<'_>,
    rules: &ClaimRules,
    now: f64,
) -> Result<(), TokenError> {
    let leeway = rules.leeway;
    match claims.exp {
        Found::Valid(exp) => {
            if now >= exp + leeway {
                return Err(TokenError::Expired);
            }
        }
        Found::Invalid => return Err(TokenError::InvalidClaim("exp")),
        Found::Absent if rules.require_exp => return Err(TokenError::MissingClaim("exp")),
        Found::Absent => {}
    }
    match claims.nbf {
        Found::Valid(nbf) if nbf > now + leeway => return Err(TokenError::NotYetValid),
        Found::Invalid => return Err(TokenError::InvalidClaim("nbf")),
        _ => {}
    }
    if claims.iat == Found::Invalid {
        return Err(TokenError::InvalidClaim("iat"));
    }
    match &claims.iss {
        Found::Valid(iss) if *iss == rules.issuer => {}
        _ => return Err(TokenError::InvalidIssuer),
    }
    if let Some(expected) = &rules.audiences {
        let matches = |aud: &str| expected.iter().any(|e| e == aud);
        let ok = match &claims.aud {
            Audience::One(aud) => matches(aud),
            Audience::Many {
                all_strings: false, ..
            }
            | Audience::Invalid => {
                return Err(TokenError::InvalidClaim("aud"));
            }
            Audience::Many { items, .. } => items.iter().any(|aud| matches(aud)),
            Audience::Absent => false,
        };
        if !ok {
            return Err(TokenError::InvalidAudience);
        }
    }
    Ok(())
}

/// The header members jwt-guard reads: `alg`, `kid`, whether `crit` is present and
/// whether `typ` names an RFC 9068 access token.
///
/// Any repeated member name is refused, known or not (RFC 7515 §4 lets a parser refuse
/// them; refusing removes parser-differential attacks, e.g. a second `alg` that another
/// JOSE library would read, or `"\u0061lg"`, which decodes to `alg`); the rule is the
/// strict reader's ([`NameSet`], in `json`). The members that name keys (`jku`, `x5u`,
/// `jwk`, `x5c`) and every other member jwt-guard does not read are skipped unread.
struct Header {
    /// `Some(None)`: an `alg` that names no algorithm jwt-guard knows.
    alg: Option<Option<Algorithm>>,
    kid: Option<Kid>,
    /// Present at all (even `null` or `[]`): refused, as no extension is implemented.
    crit: bool,
    at_jwt: bool,
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Header;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JOSE header object")
            }

            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<Self::Value, A::Error> {
                let mut header = Header {
                    alg: None,
                    kid: None,
                    crit: false,
                    at_jwt: false,
                };
                let mut seen = NameSet::default();
                while let Some(name) = seen.next_unique_key(&mut access)? {
                    match name.as_str() {
                        "alg" => header.alg = Some(access.next_value::<AlgName>()?.0),
                        "kid" => header.kid = access.next_value()?,
                        "typ" => header.at_jwt = access.next_value::<TypName>()?.0,
                        "crit" => {
                            access.next_value::<IgnoredAny>()?;
                            header.crit = true;
                        }
                        _ => {
                            access.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(header)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Whether `typ` is `at+jwt` or `application/at+jwt` (RFC 9068 §2.1; media types compare
/// case-insensitively), read without allocating. Any other value, string or not, is not.
struct TypName(bool);

impl<'de> Deserialize<'de> for TypName {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = TypName;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a media type")
            }

            fn visit_str<E: de::Error>(self, typ: &str) -> Result<TypName, E> {
                let typ = typ
                    .get(..12)
                    .filter(|p| p.eq_ignore_ascii_case("application/"))
                    .map_or(typ, |_| &typ[12..]);
                Ok(TypName(typ.eq_ignore_ascii_case("at+jwt")))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<TypName, E> {
                Ok(TypName(false))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<TypName, E> {
                Ok(TypName(false))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<TypName, E> {
                Ok(TypName(false))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<TypName, E> {
                Ok(TypName(false))
            }

            fn visit_unit<E: de::Error>(self) -> Result<TypName, E> {
                Ok(TypName(false))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<TypName, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TypName(false))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<TypName, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TypName(false))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The value of `alg`: a string, read without allocating; `None` for an unknown name.
struct AlgName(Option<Algorithm>);

impl<'de> Deserialize<'de> for AlgName {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = AlgName;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an algorithm name")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<AlgName, E> {
                Ok(AlgName(name.parse().ok()))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// The value of `exp`, `nbf` or `iat`: a NumericDate from 0 to [`MAX_NUMERIC_DATE`];
/// any other value is skipped (checked) and marked invalid.
struct NumericDate(Found<f64>);

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = NumericDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a NumericDate")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
                Ok(NumericDate::of(v as f64))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
                Ok(NumericDate::of(v as f64))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
                json::finite::<E>(v)?;
                Ok(NumericDate::of(v))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<NumericDate, E> {
                Ok(NumericDate(Found::Invalid))
            }

            fn visit_str<E: de::Error>(self, _: &str) -> Result<NumericDate, E> {
                Ok(NumericDate(Found::Invalid))
            }

            fn visit_unit<E: de::Error>(self) -> Result<NumericDate, E> {
                Ok(NumericDate(Found::Invalid))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, access: A) -> Result<NumericDate, A::Error> {
                skip_seq(access).map(|()| NumericDate(Found::Invalid))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, access: A) -> Result<NumericDate, A::Error> {
                skip_map(access).map(|()| NumericDate(Found::Invalid))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl NumericDate {
    fn of(v: f64) -> Self {
        if (0.0..=MAX_NUMERIC_DATE).contains(&v) {
            Self(Found::Valid(v))
        } else {
            Self(Found::Invalid)
        }
    }
}

/// A claim that must be a string (`iss`), borrowed when it has no escapes; any other
/// value is skipped (checked) and marked invalid.
struct Text<'de>(Found<Cow<'de, str>>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> de::Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Found::Valid(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text(Found::Valid(Cow::Owned(v.to_owned()))))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Text<'de>, E> {
        Ok(Text(Found::Invalid))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Text<'de>, E> {
        Ok(Text(Found::Invalid))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Text<'de>, E> {
        Ok(Text(Found::Invalid))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text<'de>, E> {
        json::finite::<E>(v)?;
        Ok(Text(Found::Invalid))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Text<'de>, E> {
        Ok(Text(Found::Invalid))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, access: A) -> Result<Text<'de>, A::Error> {
        skip_seq(access).map(|()| Text(Found::Invalid))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, access: A) -> Result<Text<'de>, A::Error> {
        skip_map(access).map(|()| Text(Found::Invalid))
    }
}

/// The value of `aud`: a string or an array (of strings, checked later).
struct AudienceValue<'de>(Audience<'de>);

impl<'de> Deserialize<'de> for AudienceValue<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = AudienceValue<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }

            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<AudienceValue<'de>, A::Error> {
                let mut items = Vec::new();
                let mut all_strings = true;
                while let Some(Text(item)) = access.next_element::<Text<'de>>()? {
                    match item {
                        Found::Valid(aud) => items.push(aud),
                        _ => all_strings = false,
                    }
                }
                Ok(AudienceValue(Audience::Many { items, all_strings }))
            }

            fn visit_map<A: de::MapAccess<'de>>(
                self,
                access: A,
            ) -> Result<AudienceValue<'de>, A::Error> {
                skip_map(access).map(|()| AudienceValue(Audience::Invalid))
            }

            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> Result<AudienceValue<'de>, E> {
                Ok(AudienceValue(Audience::One(Cow::Borrowed(v))))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<AudienceValue<'de>, E> {
                Ok(AudienceValue(Audience::One(Cow::Owned(v.to_owned()))))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<AudienceValue<'de>, E> {
                Ok(AudienceValue(Audience::Invalid))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<AudienceValue<'de>, E> {
                Ok(AudienceValue(Audience::Invalid))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<AudienceValue<'de>, E> {
                Ok(AudienceValue(Audience::Invalid))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AudienceValue<'de>, E> {
                json::finite::<E>(v)?;
                Ok(AudienceValue(Audience::Invalid))
            }

            fn visit_unit<E: de::Error>(self) -> Result<AudienceValue<'de>, E> {
                Ok(AudienceValue(Audience::Invalid))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The value of `cnf`, classified ([`Confirmation`]); skipped (checked) otherwise.
struct ConfirmationValue(Confirmation);

impl<'de> Deserialize<'de> for ConfirmationValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = ConfirmationValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a confirmation object")
            }

            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<ConfirmationValue, A::Error> {
                let mut jkt = false;
                let mut other = false;
                let mut seen = NameSet::default();
                while let Some(name) = seen.next_unique_key(&mut access)? {
                    if name.as_str() == "jkt" {
                        match access.next_value::<Text<'de>>()?.0 {
                            Found::Valid(_) => jkt = true,
                            _ => other = true,
                        }
                    } else {
                        access.next_value::<Skip>()?;
                        other = true;
                    }
                }
                Ok(ConfirmationValue(if jkt && !other {
                    Confirmation::Jkt
                } else {
                    Confirmation::Other
                }))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                access: A,
            ) -> Result<ConfirmationValue, A::Error> {
                skip_seq(access).map(|()| ConfirmationValue(Confirmation::Other))
            }

            fn visit_str<E: de::Error>(self, _: &str) -> Result<ConfirmationValue, E> {
                Ok(ConfirmationValue(Confirmation::Other))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<ConfirmationValue, E> {
                Ok(ConfirmationValue(Confirmation::Other))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<ConfirmationValue, E> {
                Ok(ConfirmationValue(Confirmation::Other))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<ConfirmationValue, E> {
                Ok(ConfirmationValue(Confirmation::Other))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ConfirmationValue, E> {
                json::finite::<E>(v)?;
                Ok(ConfirmationValue(Confirmation::Other))
            }

            fn visit_unit<E: de::Error>(self) -> Result<ConfirmationValue, E> {
                Ok(ConfirmationValue(Confirmation::Other))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl<'de> Deserialize<'de> for Registered<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Registered<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JWT claims set (a JSON object)")
            }

            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<Registered<'de>, A::Error> {
                let mut claims = Registered {
                    exp: Found::Absent,
                    nbf: Found::Absent,
                    iat: Found::Absent,
                    iss: Found::Absent,
                    aud: Audience::Absent,
                    cnf: Confirmation::Absent,
                };
                let mut seen = NameSet::default();
                while let Some(name) = seen.next_unique_key(&mut access)? {
                    match name.as_str() {
                        "exp" => claims.exp = access.next_value::<NumericDate>()?.0,
                        "nbf" => claims.nbf = access.next_value::<NumericDate>()?.0,
                        "iat" => claims.iat = access.next_value::<NumericDate>()?.0,
                        "iss" => claims.iss = access.next_value::<Text<'de>>()?.0,
                        "aud" => claims.aud = access.next_value::<AudienceValue<'de>>()?.0,
                        "cnf" => claims.cnf = access.next_value::<ConfirmationValue>()?.0,
                        _ => {
                            access.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(claims)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn token(header: &str, payload: &str) -> String {
        format!("{}.{}.c2ln", b64(header), b64(payload))
    }

    fn parse_err(t: &str) -> TokenError {
        parse(t, &[Algorithm::RS256], &Limits::default()).unwrap_err()
    }

    #[test]
    fn structure() {
        assert_eq!(parse_err("a.b"), TokenError::Malformed);
        assert_eq!(parse_err("a.b.c.d"), TokenError::Malformed);
        assert_eq!(parse_err("..."), TokenError::Malformed);
        assert_eq!(
            parse_err(&token(r#"{"alg":"RS256"}"#, "{}").replace("c2ln", "")),
            TokenError::Malformed
        );
        assert_eq!(parse_err("!!!.e30.c2ln"), TokenError::Malformed);
        assert_eq!(
            parse_err(&format!("{}=.e30.c2ln", b64(r#"{"alg":"RS256"}"#))),
            TokenError::Malformed
        );
        assert_eq!(parse_err(&"a".repeat(17000)), TokenError::TooLarge);
        let ok = token(r#"{"alg":"RS256","kid":"k1"}"#, "{}");
        let parsed = parse(&ok, &[Algorithm::RS256], &Limits::default()).unwrap();
        assert_eq!(parsed.kid.as_deref(), Some("k1"));
        assert_eq!(parsed.signature, "c2ln");
        assert!(!parsed.at_jwt);
    }

    #[test]
    fn typ_at_jwt() {
        let at_jwt = |typ: &str| {
            let t = token(&format!(r#"{{"alg":"RS256","typ":{typ}}}"#), "{}");
            parse(&t, &[Algorithm::RS256], &Limits::default()).map(|p| p.at_jwt)
        };
        for yes in [
            r#""at+jwt""#,
            r#""AT+JWT""#,
            r#""application/at+jwt""#,
            r#""Application/At+JWT""#,
            r#""at\u002bjwt""#,
        ] {
            assert_eq!(at_jwt(yes), Ok(true), "{yes}");
        }
        for no in [
            r#""JWT""#,
            r#""at+jwt ""#,
            r#""application/jwt""#,
            r#""applicationXat+jwt""#,
            "1",
            "null",
            r#"["at+jwt"]"#,
            r#"{"a":"at+jwt"}"#,
            r#""é""#,
        ] {
            assert_eq!(at_jwt(no), Ok(false), "{no}");
        }
    }

    #[test]
    fn each_cap_is_checked_before_decoding() {
        let limits = Limits {
            max_token_bytes: 4096,
            max_header_bytes: 64,
            max_payload_bytes: 128,
        };
        let parse_with = |t: &str| parse(t, &[Algorithm::RS256], &limits).map(|_| ());
        let header = b64(r#"{"alg":"RS256"}"#);
        // Over each cap by one byte, with text that would not even decode: the cap answers.
        assert_eq!(parse_with(&"!".repeat(4097)), Err(TokenError::TooLarge));
        let long_header = format!("{}.e30.c2ln", "!".repeat(65));
        assert_eq!(parse_with(&long_header), Err(TokenError::TooLarge));
        let long_payload = format!("{header}.{}.c2ln", "!".repeat(129));
        assert_eq!(parse_with(&long_payload), Err(TokenError::TooLarge));
        let long_signature = format!("{header}.e30.{}", "!".repeat(MAX_SIGNATURE_CHARS + 1));
        assert_eq!(parse_with(&long_signature), Err(TokenError::TooLarge));
        // At each cap exactly: not refused for size.
        let payload = "A".repeat(128);
        assert_eq!(parse_with(&format!("{header}.{payload}.c2ln")), Ok(()));
        let signature = "A".repeat(MAX_SIGNATURE_CHARS);
        assert_eq!(parse_with(&format!("{header}.e30.{signature}")), Ok(()));
        // Thousands of dots (golang-jwt CVE-2025-30204): refused in one pass, no split.
        assert_eq!(parse_with(&".".repeat(4000)), Err(TokenError::Malformed));
        assert_eq!(
            parse(&".".repeat(17000), &[Algorithm::RS256], &Limits::default()).map(|_| ()),
            Err(TokenError::TooLarge)
        );
    }

    #[test]
    fn empty_payload_is_a_jws_but_not_claims() {
        let t = format!("{}..c2ln", b64(r#"{"alg":"RS256"}"#));
        let parsed = parse(&t, &[Algorithm::RS256], &Limits::default()).unwrap();
        assert_eq!(parsed.payload, "");
        assert_eq!(scan(&parsed).unwrap_err(), TokenError::Malformed);
    }

    #[test]
    fn repeated_header_members_are_refused_known_or_not() {
        for header in [
            r#"{"alg":"RS256","alg":"RS256"}"#,
            r#"{"alg":"RS256","\u0061lg":"HS256"}"#,
            r#"{"alg":"RS256","kid":"a","kid":"b"}"#,
            r#"{"alg":"RS256","typ":"JWT","typ":"at+jwt"}"#,
            r#"{"alg":"RS256","x":1,"x":1}"#,
            r#"{"alg":"RS256","jku":"https://a","jku":"https://b"}"#,
        ] {
            assert_eq!(
                parse_err(&token(header, "{}")),
                TokenError::Malformed,
                "{header}"
            );
        }
        // Same names nested inside one member are that member's business, not the header's.
        assert!(
            parse(
                &token(r#"{"alg":"RS256","x":{"a":1},"y":{"a":1}}"#, "{}"),
                &[Algorithm::RS256],
                &Limits::default()
            )
            .is_ok()
        );
    }

    #[test]
    fn header_member_types() {
        for header in [
            r#"{"alg":null}"#,
            r#"{"alg":256}"#,
            r#"{"alg":["RS256"]}"#,
            r#"{"alg":"RS256","kid":7}"#,
            r#"{"alg":"RS256"}x"#,
            r#"{"alg":"RS256""#,
            r#"{"alg":"\ud800"}"#,
            "",
            "null",
        ] {
            assert_eq!(
                parse_err(&token(header, "{}")),
                TokenError::Malformed,
                "{header}"
            );
        }
        for alg in ["rs256", "RS256 ", "NONE", "None", "ES512", "HS256\\u0000"] {
            let header = format!(r#"{{"alg":"{alg}"}}"#);
            assert_eq!(
                parse_err(&token(&header, "{}")),
                TokenError::AlgorithmNotAllowed,
                "{alg}"
            );
        }
        // Invalid UTF-8, even in a member that is skipped unread (a fuzzing find: serde_json
        // does not check the strings it skips).
        for header in [
            &b"{\"alg\":\"RS256\",\"x\":\"\xdf\xdf\"}"[..],
            b"{\"alg\":\"RS256\",\"crit\":\"\xff\"}",
            b"{\"alg\":\"RS256\",\"kid\":\"\xc0\xaf\"}",
        ] {
            let t = format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header));
            assert_eq!(parse_err(&t), TokenError::Malformed);
        }
        let t = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(b"{\"a\":\"\xdf\"}")
        );
        let parsed = parse(&t, &[Algorithm::RS256], &Limits::default()).unwrap();
        assert_eq!(scan(&parsed).unwrap_err(), TokenError::Malformed);
        // `kid: null` is an absent kid.
        let t = token(r#"{"alg":"RS256","kid":null}"#, "{}");
        assert_eq!(
            parse(&t, &[Algorithm::RS256], &Limits::default())
                .unwrap()
                .kid,
            None
        );
    }

    #[test]
    fn header_rules() {
        assert_eq!(
            parse_err(&token(r#"{"alg":"none"}"#, "{}")),
            TokenError::AlgorithmNotAllowed
        );
        assert_eq!(
            parse_err(&token(r#"{"alg":"HS256"}"#, "{}")),
            TokenError::AlgorithmNotAllowed
        );
        assert_eq!(
            parse_err(&token(r#"{"alg":"RS384"}"#, "{}")),
            TokenError::AlgorithmNotAllowed
        );
        assert_eq!(
            parse_err(&token(r#"{"kid":"x"}"#, "{}")),
            TokenError::Malformed
        );
        assert_eq!(
            parse_err(&token(r#"{"alg":"RS256","crit":["exp"]}"#, "{}")),
            TokenError::CriticalHeader
        );
        assert_eq!(
            parse_err(&token(r#"{"alg":"RS256","crit":null}"#, "{}")),
            TokenError::CriticalHeader
        );
        assert_eq!(
            parse_err(&token(r#"{"alg":"RS256","alg":"RS256"}"#, "{}")),
            TokenError::Malformed
        );
        assert_eq!(parse_err(&token(r#"["alg"]"#, "{}")), TokenError::Malformed);
        // Header-supplied keys are ignored, not an error: the key comes from config.
        assert!(
            parse(
                &token(r#"{"alg":"RS256","jku":"http://evil","jwk":{}}"#, "{}"),
                &[Algorithm::RS256],
                &Limits::default()
            )
            .is_ok()
        );
    }

    /// The payload's checks alone: decoded and scanned.
    fn scan(parsed: &Compact<'_>) -> Result<(), TokenError> {
        let json = decode_payload(parsed)?;
        scan_claims(&json).map(|_| ())
    }

    /// The claims as a map, checked two ways that must agree: the request path's scan
    /// and the map builder.
    fn claims(json: &str) -> Result<crate::claims::ClaimsMap, TokenError> {
        let t = token(r#"{"alg":"RS256"}"#, json);
        let parsed = parse(&t, &[Algorithm::RS256], &Limits::default()).unwrap();
        let scanned = scan(&parsed);
        let text = decode_payload(&parsed)?;
        let map = crate::json::parse_object(&text).map_err(|_| TokenError::Malformed);
        assert_eq!(
            scanned.is_ok(),
            map.is_ok(),
            "scan and map builder disagree on {json}"
        );
        map
    }

    #[test]
    fn cnf_is_classified() {
        let cnf = |json: &str| scan_claims(json).map(|r| r.cnf);
        assert_eq!(cnf(r#"{"sub":"a"}"#), Ok(Confirmation::Absent));
        assert_eq!(cnf(r#"{"cnf":{"jkt":"abc"}}"#), Ok(Confirmation::Jkt));
        assert_eq!(cnf(r#"{"cnf":{"j\u006bt":"abc"}}"#), Ok(Confirmation::Jkt));
        for other in [
            r#"{"cnf":{"x5t#S256":"abc"}}"#,
            r#"{"cnf":{"jkt":"abc","x5t#S256":"def"}}"#,
            r#"{"cnf":{"jkt":1}}"#,
            r#"{"cnf":{"jwk":{"kty":"EC"}}}"#,
            r#"{"cnf":{}}"#,
            r#"{"cnf":"abc"}"#,
            r#"{"cnf":["jkt"]}"#,
            r#"{"cnf":null}"#,
            r#"{"cnf":true}"#,
            r#"{"cnf":1.5}"#,
        ] {
            assert_eq!(cnf(other), Ok(Confirmation::Other), "{other}");
        }
        assert_eq!(
            cnf(r#"{"cnf":{"jkt":"a","jkt":"b"}}"#),
            Err(TokenError::Malformed)
        );
    }

    /// The claims checks, on the request path's scan, compared with the map-based
    /// reference (the 0.2.0 implementation) on every input.
    fn check(json: &str, rules: &ClaimRules) -> Result<(), TokenError> {
        let map = claims(json)?;
        let registered = scan_claims(json)?;
        let got = validate_claims(&registered, rules, 1000.0);
        assert_eq!(got, reference_validate(&map, rules, 1000.0), "{json}");
        got
    }

    fn numeric_date(value: &serde_json::Value, claim: &'static str) -> Result<f64, TokenError> {
        value
            .as_f64()
            .filter(|v| (0.0..=MAX_NUMERIC_DATE).contains(v))
            .ok_or(TokenError::InvalidClaim(claim))
    }

    /// Checks `exp`, `nbf`, `iat`, `iss` and `aud`. Time claims must be JSON numbers from 0
    /// to [`MAX_NUMERIC_DATE`]; a string, any other type or an out-of-range number is refused,
    /// never treated as absent.
    fn reference_validate(
        claims: &crate::claims::ClaimsMap,
        rules: &ClaimRules,
        now: f64,
    ) -> Result<(), TokenError> {
        let leeway = rules.leeway;
        match claims.get("exp") {
            Some(exp) => {
                let exp = numeric_date(exp, "exp")?;
                if now >= exp + leeway {
                    return Err(TokenError::Expired);
                }
            }
            None if rules.require_exp => return Err(TokenError::MissingClaim("exp")),
            None => {}
        }
        if let Some(nbf) = claims.get("nbf")
            && numeric_date(nbf, "nbf")? > now + leeway
        {
            return Err(TokenError::NotYetValid);
        }
        if let Some(iat) = claims.get("iat") {
            numeric_date(iat, "iat")?;
        }
        match claims.get("iss") {
            Some(serde_json::Value::String(iss)) if *iss == rules.issuer => {}
            _ => return Err(TokenError::InvalidIssuer),
        }
        if let Some(expected) = &rules.audiences {
            let matches = |aud: &str| expected.iter().any(|e| e == aud);
            let ok = match claims.get("aud") {
                Some(serde_json::Value::String(aud)) => matches(aud),
                Some(serde_json::Value::Array(auds)) => {
                    let mut any = false;
                    for aud in auds {
                        let aud = aud.as_str().ok_or(TokenError::InvalidClaim("aud"))?;
                        any |= matches(aud);
                    }
                    any
                }
                Some(_) => return Err(TokenError::InvalidClaim("aud")),
                None => false,
            };
            if !ok {
                return Err(TokenError::InvalidAudience);
            }
        }
        Ok(())
    }

    const RULES: fn() -> ClaimRules = || ClaimRules {
        issuer: "https://iss".into(),
        audiences: None,
        leeway: 0.0,
        require_exp: true,
    };

    #[test]
    fn claims_shape() {
        assert_eq!(claims("[1]").unwrap_err(), TokenError::Malformed);
        assert_eq!(claims("1").unwrap_err(), TokenError::Malformed);
        assert_eq!(claims("null").unwrap_err(), TokenError::Malformed);
        assert_eq!(
            claims(r#"{"a":1,"a":2}"#).unwrap_err(),
            TokenError::Malformed
        );
        assert_eq!(
            claims(r#"{"exp":1,"\u0065xp":2}"#).unwrap_err(),
            TokenError::Malformed
        );
        // Repeated names in nested objects too, at any depth.
        assert_eq!(
            claims(r#"{"realm":{"roles":["user"],"roles":["admin"]}}"#).unwrap_err(),
            TokenError::Malformed
        );
        assert_eq!(
            claims(r#"{"a":[{"b":[{"c":1,"c":1}]}]}"#).unwrap_err(),
            TokenError::Malformed
        );
        // Inside the registered claims' values too, which the scan reads itself.
        for json in [
            r#"{"exp":{"a":1,"a":2}}"#,
            r#"{"iss":[{"a":1,"a":2}]}"#,
            r#"{"aud":[{"a":1,"\u0061":2}]}"#,
            r#"{"aud":{"a":1,"a":2}}"#,
            r#"{"nbf":[[{"b":{"c":1,"c":2}}]]}"#,
        ] {
            assert_eq!(claims(json).unwrap_err(), TokenError::Malformed, "{json}");
        }
        // Past the names held inline (32), in the hash set: still found, escaped or not.
        let many: Vec<String> = (0..40).map(|i| format!(r#""k{i}":{i}"#)).collect();
        // Inline, with names whose fingerprints collide (same length, first, middle and
        // last byte) but differ: not refused; a true repeat among them is.
        assert!(claims(r#"{"abXcd":1,"abXzd":2,"aqXcd":3}"#).is_ok());
        assert_eq!(
            claims(r#"{"abXcd":1,"abXzd":2,"abXcd":3}"#).unwrap_err(),
            TokenError::Malformed
        );
        let wide = format!("{{{}}}", many.join(","));
        assert_eq!(claims(&wide).unwrap().len(), 40);
        for dup in [r#""k3":0"#, r#""k39":0"#, r#""\u006b20":0"#] {
            let json = format!("{{{},{dup}}}", many.join(","));
            assert_eq!(claims(&json).unwrap_err(), TokenError::Malformed, "{dup}");
            let nested = format!(r#"{{"x":{{{},{dup}}}}}"#, many.join(","));
            assert_eq!(claims(&nested).unwrap_err(), TokenError::Malformed, "{dup}");
        }
        let ok = claims(r#"{"a":1,"n":{"a":[1,-2,2.5,true,null,"s"],"b":{}}}"#).unwrap();
        assert_eq!(ok["a"], 1);
        assert_eq!(
            ok["n"],
            serde_json::json!({"a":[1,-2,2.5,true,null,"s"],"b":{}})
        );
        // Nesting deeper than serde_json's 128 levels is an error, not a stack overflow.
        let deep = format!(r#"{{"a":{}1{}}}"#, "[".repeat(200), "]".repeat(200));
        assert_eq!(claims(&deep).unwrap_err(), TokenError::Malformed);
    }

    #[test]
    fn time_claims() {
        let r = RULES();
        assert_eq!(check(r#"{"iss":"https://iss","exp":2000}"#, &r), Ok(()));
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":1000}"#, &r),
            Err(TokenError::Expired)
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":999.5}"#, &r),
            Err(TokenError::Expired)
        );
        assert_eq!(
            check(r#"{"iss":"https://iss"}"#, &r),
            Err(TokenError::MissingClaim("exp"))
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":"3000"}"#, &r),
            Err(TokenError::InvalidClaim("exp"))
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":null}"#, &r),
            Err(TokenError::InvalidClaim("exp"))
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"nbf":1001}"#, &r),
            Err(TokenError::NotYetValid)
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"nbf":1000}"#, &r),
            Ok(())
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"nbf":[1]}"#, &r),
            Err(TokenError::InvalidClaim("nbf"))
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"iat":"x"}"#, &r),
            Err(TokenError::InvalidClaim("iat"))
        );
        assert!(check(r#"{"iss":"https://iss","exp":1e400}"#, &r).is_err());
        // Wrong types and out-of-range numbers are refused, never read as absent.
        for bad in [
            r#""NaN""#,
            r#""Infinity""#,
            "true",
            "{}",
            "[]",
            "1e300",
            "253402300800",
            "18446744073709551615",
            "-1",
            "-1e300",
        ] {
            for claim in ["exp", "nbf", "iat"] {
                let exp = if claim == "exp" { "" } else { r#""exp":2000,"# };
                let json = format!(r#"{{"iss":"https://iss",{exp}"{claim}":{bad}}}"#);
                assert_eq!(
                    check(&json, &r),
                    Err(TokenError::InvalidClaim(claim)),
                    "{claim}: {bad}"
                );
            }
        }
        for bad in ["NaN", "Infinity", "-Infinity", "0x10", "+1", "01"] {
            let json = format!(r#"{{"iss":"https://iss","exp":{bad}}}"#);
            assert_eq!(check(&json, &r), Err(TokenError::Malformed), "{bad}");
        }
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":253402300799}"#, &r),
            Ok(())
        );
        let lenient = ClaimRules {
            leeway: 10.0,
            ..RULES()
        };
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":995}"#, &lenient),
            Ok(())
        );
        let no_exp = ClaimRules {
            require_exp: false,
            ..RULES()
        };
        assert_eq!(check(r#"{"iss":"https://iss"}"#, &no_exp), Ok(()));
    }

    #[test]
    fn issuer_is_exact() {
        let r = RULES();
        for bad in [
            r#""https://iss/""#,
            r#""HTTPS://ISS""#,
            "null",
            "1",
            r#"["https://iss"]"#,
        ] {
            let json = format!(r#"{{"iss":{bad},"exp":2000}}"#);
            assert_eq!(check(&json, &r), Err(TokenError::InvalidIssuer), "{bad}");
        }
        assert_eq!(check(r#"{"exp":2000}"#, &r), Err(TokenError::InvalidIssuer));
    }

    #[test]
    fn audience() {
        let r = ClaimRules {
            audiences: Some(vec!["api".into()]),
            ..RULES()
        };
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"aud":"api"}"#, &r),
            Ok(())
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"aud":["x","api"]}"#, &r),
            Ok(())
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"aud":["x"]}"#, &r),
            Err(TokenError::InvalidAudience)
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000}"#, &r),
            Err(TokenError::InvalidAudience)
        );
        assert_eq!(
            check(r#"{"iss":"https://iss","exp":2000,"aud":[1]}"#, &r),
            Err(TokenError::InvalidClaim("aud"))
        );
        // Not configured: not checked (as LoopBack's strategy).
        assert_eq!(
            check(
                r#"{"iss":"https://iss","exp":2000,"aud":"other"}"#,
                &RULES()
            ),
            Ok(())
        );
    }
}
