//! The registered claims (`exp`, `nbf`, `iat`, `iss`, `aud`) and the shape of `cnf`:
//! one borrowed scan of the payload's JSON, and the checks those claims must pass.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de;

use crate::error::TokenError;
use crate::json::{self, NameSet, Skip, skip_map, skip_seq};

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
    /// `{"x5t#S256": "<base64url of 32 bytes>"}` and no other member: bound to a client
    /// certificate (RFC 8705 §3.1), its SHA-256 thumbprint decoded.
    X5tS256([u8; 32]),
    /// `jkt` and `x5t#S256` (each as above) and no other member: bound to both.
    JktX5tS256([u8; 32]),
    /// Any other `cnf`: another confirmation method (`jwk`, `kid`, `jku`, …), a `jkt`
    /// that is not a string, an `x5t#S256` that is not a base64url SHA-256 thumbprint,
    /// an empty object, or a value that is not an object.
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
    /// For a strategy with one issuer, before any key is looked up (as with several
    /// issuers, routed by `iss`): a foreign token costs no fetch and is refused as "jwt
    /// issuer invalid", not "no signing key matches". No `iss`, or one that is not a
    /// string: refused the same way.
    pub(crate) fn expect_issuer(&self, issuer: &str) -> Result<(), TokenError> {
        match &self.iss {
            Found::Valid(iss) if iss == issuer => Ok(()),
            _ => Err(TokenError::InvalidIssuer),
        }
    }

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
                let mut x5t = None;
                let mut other = false;
                let mut seen = NameSet::default();
                while let Some(name) = seen.next_unique_key(&mut access)? {
                    match name.as_str() {
                        "jkt" => match access.next_value::<Text<'de>>()?.0 {
                            Found::Valid(_) => jkt = true,
                            _ => other = true,
                        },
                        "x5t#S256" => match access.next_value::<Text<'de>>()?.0 {
                            Found::Valid(value) => match crate::mtls::decode_x5t_s256(&value) {
                                Some(thumbprint) => x5t = Some(thumbprint),
                                None => other = true,
                            },
                            _ => other = true,
                        },
                        _ => {
                            access.next_value::<Skip>()?;
                            other = true;
                        }
                    }
                }
                Ok(ConfirmationValue(match (jkt, x5t, other) {
                    (true, None, false) => Confirmation::Jkt,
                    (false, Some(t), false) => Confirmation::X5tS256(t),
                    (true, Some(t), false) => Confirmation::JktX5tS256(t),
                    _ => Confirmation::Other,
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
    use crate::algorithm::Algorithm;
    use crate::verify::jws::tests::{scan, token};
    use crate::verify::jws::{Limits, decode_payload, parse};

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
        let zeros = "A".repeat(43);
        let x5t = format!(r#"{{"cnf":{{"x5t#S256":"{zeros}"}}}}"#);
        assert_eq!(cnf(&x5t), Ok(Confirmation::X5tS256([0; 32])));
        let both = format!(r#"{{"cnf":{{"x5t#S256":"{zeros}","jkt":"abc"}}}}"#);
        assert_eq!(cnf(&both), Ok(Confirmation::JktX5tS256([0; 32])));
        assert_eq!(
            cnf(&format!(
                r#"{{"cnf":{{"x5t#S256":"{zeros}","x5t#S256":"{zeros}"}}}}"#
            )),
            Err(TokenError::Malformed)
        );
        for other in [
            r#"{"cnf":{"x5t#S256":"abc"}}"#,
            r#"{"cnf":{"jkt":"abc","x5t#S256":"def"}}"#,
            r#"{"cnf":{"x5t#S256":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}"#,
            r#"{"cnf":{"x5t#S256":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","jwk":{}}}"#,
            r#"{"cnf":{"x5t#S256":1}}"#,
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
