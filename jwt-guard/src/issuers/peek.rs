//! The issuer of a token before its signature is checked: base64url, then a strict JSON
//! scan that keeps only `iss`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny};

use crate::error::TokenError;
use crate::json::NameSet;

/// The payload's `iss`, read without trusting anything else in it: base64url, then a
/// JSON object scanned for `iss` alone. No `iss`, or one that is not a string: refused.
pub(super) fn peek_issuer(payload: &str) -> Result<String, TokenError> {
    let json = crate::b64::decode_vec(payload.as_bytes()).map_err(|_| TokenError::Malformed)?;
    let Peek(iss) = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
    iss.ok_or(TokenError::InvalidIssuer)
}

/// `iss` of a JSON object, if it is a string; every other member skipped unread.
///
/// Any repeated member name at the top level is refused, `iss` or not, as the verifier
/// refuses it in the header and the claims (the rule lives in `json`): a payload that
/// names `iss` twice, or `"\u0069ss"` beside `iss`, never routes. The values are skipped
/// unread here, to keep this pass before the signature cheap; repeated names inside them
/// are refused by the claims scan after the signature (`verify::scan_claims`).
struct Peek(Option<String>);

impl<'de> Deserialize<'de> for Peek {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Peek;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut access: A) -> Result<Peek, A::Error> {
                let mut iss = None;
                let mut seen = NameSet::default();
                while let Some(name) = seen.next_unique_key(&mut access)? {
                    if name.as_str() == "iss" {
                        let value: serde_json::Value = access.next_value()?;
                        iss = value.as_str().map(str::to_owned);
                    } else {
                        access.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Peek(iss))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}
