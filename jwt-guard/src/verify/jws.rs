//! The compact JWS: its size caps, the split into segments, the JOSE header (read by
//! jwt-guard itself), and the signature checked with a key of the set.

use std::fmt;
use std::mem::MaybeUninit;

use serde::Deserialize;
use serde::de::{self, IgnoredAny};

use crate::algorithm::Algorithm;
use crate::b64;
use crate::error::TokenError;
use crate::json::NameSet;
use crate::jwks::{KeyEntry, KeySet};

/// Size caps, each checked on the encoded text before it is decoded or parsed.
///
/// Every allocation the verifier makes is bounded by these caps: the decoded header is at
/// most ¾ of `max_header_bytes`, the decoded payload ¾ of `max_payload_bytes`, the parsed
/// claims a small multiple of that (JSON nesting is capped at 128 levels by `serde_json`).
///
/// ```
/// let mut limits = jwt_guard::low_level::Limits::default();
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
    let header_fields = read_header(header)?;
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

/// The longest header segment [`read_header`] remembers (ordinary ones are about 100
/// characters: `alg`, `typ` and a `kid`).
const MEMO_CHARS: usize = 256;

/// The last header segment this thread read, with what it read in it.
struct HeaderMemo {
    text: [u8; MEMO_CHARS],
    len: usize,
    header: Header,
}

thread_local! {
    /// Per thread (nothing shared, nothing locked): the tokens of one issuer and key
    /// carry the very same header segment, so it is decoded and read once, not per
    /// request.
    static LAST_HEADER: std::cell::RefCell<Option<HeaderMemo>> =
        const { std::cell::RefCell::new(None) };
}

/// Reads a header segment: base64url, UTF-8, then the strict JSON read of [`Header`].
/// A segment byte-for-byte equal to the last one this thread read successfully is not
/// read again: its outcome is a function of those bytes alone (the algorithm allow-list
/// and the size caps are checked by the caller each time).
fn read_header(segment: &str) -> Result<Header, TokenError> {
    let text = segment.as_bytes();
    let memo = text.len() <= MEMO_CHARS;
    if memo
        && let Some(header) = LAST_HEADER.with_borrow(|last| {
            last.as_ref()
                .filter(|last| last.text.get(..last.len) == Some(text))
                .map(|last| last.header.clone())
        })
    {
        return Ok(header);
    }
    // Decoded on the stack when it fits (the default cap does): no allocation, and
    // nothing zeroed first.
    let mut stack = [MaybeUninit::<u8>::uninit(); 768];
    let heap;
    let header_json: &[u8] = match b64::decode_into(text, &mut stack) {
        Ok(json) => json,
        Err(b64::DecodeError::TooLarge) => {
            heap = b64::decode_vec(text).map_err(|_| TokenError::Malformed)?;
            &heap
        }
        Err(b64::DecodeError::Invalid) => return Err(TokenError::Malformed),
    };
    // UTF-8 checked on the whole header first: serde_json does not check the strings it
    // skips, so an ignored member could otherwise carry invalid UTF-8 (found by fuzzing).
    let header_json = std::str::from_utf8(header_json).map_err(|_| TokenError::Malformed)?;
    let header: Header = serde_json::from_str(header_json).map_err(|_| TokenError::Malformed)?;
    if memo {
        let mut copy = [0u8; MEMO_CHARS];
        copy[..text.len()].copy_from_slice(text);
        LAST_HEADER.set(Some(HeaderMemo {
            text: copy,
            len: text.len(),
            header: header.clone(),
        }));
    }
    Ok(header)
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
    let payload = b64::decode_vec(parsed.payload.as_bytes()).map_err(|_| TokenError::Malformed)?;
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
    // At most `MAX_SIGNATURE_CHARS` (checked by `parse`): decoded on the stack, nothing
    // zeroed first.
    let mut signature = [MaybeUninit::<u8>::uninit(); MAX_SIGNATURE_CHARS * 3 / 4 + 1];
    let signature = b64::decode_into(token.signature.as_bytes(), &mut signature)
        .map_err(|_| TokenError::InvalidSignature)?;
    if key.verify(token.alg, token.signing_input.as_bytes(), signature) {
        Ok(())
    } else {
        Err(TokenError::InvalidSignature)
    }
}

/// Decodes the payload to its JSON text (UTF-8 checked; not parsed yet).
pub(crate) fn decode_payload(token: &Compact<'_>) -> Result<String, TokenError> {
    let json = b64::decode_vec(token.payload.as_bytes()).map_err(|_| TokenError::Malformed)?;
    String::from_utf8(json).map_err(|_| TokenError::Malformed)
}

/// The header members jwt-guard reads: `alg`, `kid`, whether `crit` is present and
/// whether `typ` names an RFC 9068 access token.
///
/// Any repeated member name is refused, known or not (RFC 7515 §4 lets a parser refuse
/// them; refusing removes parser-differential attacks, e.g. a second `alg` that another
/// JOSE library would read, or `"\u0061lg"`, which decodes to `alg`); the rule is the
/// strict reader's ([`NameSet`], in `json`). The members that name keys (`jku`, `x5u`,
/// `jwk`, `x5c`) and every other member jwt-guard does not read are skipped unread.
#[derive(Clone)]
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

#[cfg(test)]
pub(super) mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::verify::registered::scan_claims;

    pub(crate) fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    pub(crate) fn token(header: &str, payload: &str) -> String {
        format!("{}.{}.c2ln", b64(header), b64(payload))
    }

    fn parse_err(t: &str) -> TokenError {
        parse(t, &[Algorithm::RS256], &Limits::default()).unwrap_err()
    }

    /// The header remembered per thread changes no outcome: a different segment is read
    /// afresh, and the allow-list and `crit` are checked on every read.
    #[test]
    fn a_remembered_header_changes_no_outcome() {
        let limits = Limits::default();
        let rs = token(r#"{"alg":"RS256","kid":"a"}"#, "{}");
        let es = token(r#"{"alg":"ES256","kid":"b"}"#, "{}");
        let crit = token(r#"{"alg":"RS256","crit":["exp"]}"#, "{}");
        let twice = token(r#"{"alg":"RS256","alg":"RS256"}"#, "{}");
        for _ in 0..2 {
            let read = parse(&rs, &[Algorithm::RS256], &limits).unwrap();
            assert_eq!(
                (read.alg, read.kid.as_deref()),
                (Algorithm::RS256, Some("a"))
            );
            assert_eq!(
                parse(&rs, &[Algorithm::ES256], &limits).unwrap_err(),
                TokenError::AlgorithmNotAllowed
            );
            let read = parse(&es, &[Algorithm::ES256], &limits).unwrap();
            assert_eq!(
                (read.alg, read.kid.as_deref()),
                (Algorithm::ES256, Some("b"))
            );
            assert_eq!(parse_err(&crit), TokenError::CriticalHeader);
            assert_eq!(parse_err(&twice), TokenError::Malformed);
            // A segment that only starts like the remembered one.
            let longer = format!("{}A.e30.c2ln", rs.split('.').next().unwrap());
            assert_eq!(parse_err(&longer), TokenError::Malformed);
        }
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
    pub(crate) fn scan(parsed: &Compact<'_>) -> Result<(), TokenError> {
        let json = decode_payload(parsed)?;
        scan_claims(&json).map(|_| ())
    }
}
