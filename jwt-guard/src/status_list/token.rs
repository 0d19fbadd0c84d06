//! The Status List Token (draft-ietf-oauth-status-list §5.1): a JWT whose header `typ` is
//! `statuslist+jwt`, signed with the referenced token's issuer's keys, whose `sub` is the
//! URI it was fetched from. Checked whole before its list is used.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::list::Statuses;
use crate::algorithm::Algorithm;
use crate::jwks::{JwksClient, KeyEntry, KeySet};
use crate::verify::{self, Limits};

/// How far in the future a list's `iat` may be (clock skew between issuer and us).
const IAT_SKEW_SECONDS: f64 = 60.0;

/// The keys a list must be signed with: the referenced token's issuer's (pinned, or its
/// key engine).
#[derive(Clone, Debug)]
pub(crate) enum ListKeys {
    Pinned(Arc<KeySet>),
    Engine(JwksClient),
}

impl ListKeys {
    async fn key(&self, kid: Option<&str>, alg: Algorithm) -> Result<Arc<KeyEntry>, String> {
        match self {
            Self::Pinned(set) => set
                .find(kid, alg)
                .map(Arc::clone)
                .map_err(|e| format!("no key of the issuer verifies it: {e}")),
            Self::Engine(client) => client
                .key(kid, alg)
                .await
                .map_err(|e| format!("no key of the issuer verifies it: {e}")),
        }
    }
}

/// A list that passed every check.
#[derive(Debug)]
pub(crate) struct Checked {
    pub(crate) statuses: Statuses,
    /// The token's `ttl`, if any (not clamped yet).
    pub(crate) ttl: Option<Duration>,
    /// The token's `exp`, if any (Unix seconds; in the future).
    pub(crate) exp: Option<f64>,
}

/// What checking a Status List Token needs besides the token.
pub(crate) struct Expect<'a> {
    /// The URI the token was fetched from: its `sub` must be this.
    pub(crate) uri: &'a str,
    /// The referenced token's issuer: the list's `iss`, when it has one, must be this.
    pub(crate) iss: &'a str,
    pub(crate) keys: &'a ListKeys,
    pub(crate) algorithms: &'a [Algorithm],
    pub(crate) max_token_bytes: usize,
    pub(crate) max_list_bytes: usize,
    pub(crate) unix_now: f64,
}

/// Checks `token` (the response body, trimmed): header and `typ`, signature, `sub`,
/// `iat`, `exp`, `ttl`, then the list itself. The error is for logs: it names the check
/// that failed, never the token.
pub(crate) async fn check(token: &str, expect: Expect<'_>) -> Result<Checked, String> {
    let limits = Limits {
        max_token_bytes: expect.max_token_bytes,
        max_header_bytes: 4096,
        max_payload_bytes: expect.max_token_bytes,
    };
    let parsed = verify::parse(token, expect.algorithms, &limits)
        .map_err(|e| format!("the status list token is refused: {e}"))?;
    check_typ(token)?;
    let key = expect.keys.key(parsed.kid.as_deref(), parsed.alg).await?;
    verify::verify_signature(&parsed, &key)
        .map_err(|e| format!("the status list token is refused: {e}"))?;
    let payload = verify::decode_payload(&parsed)
        .map_err(|e| format!("the status list token is refused: {e}"))?;
    let claims = crate::json::parse_object(&payload)
        .map_err(|_| "the status list token's claims are not a strict JSON object".to_owned())?;
    drop(payload);
    if claims.get("sub").and_then(Value::as_str) != Some(expect.uri) {
        return Err("the status list token's sub is not the URI it was fetched from".into());
    }
    if let Some(iss) = claims.get("iss")
        && iss.as_str() != Some(expect.iss)
    {
        return Err("the status list token's iss is not the token's issuer".into());
    }
    let iat = number(&claims, "iat")?.ok_or("the status list token has no iat")?;
    if iat > expect.unix_now + IAT_SKEW_SECONDS {
        return Err("the status list token's iat is in the future".into());
    }
    let exp = number(&claims, "exp")?;
    if exp.is_some_and(|exp| expect.unix_now >= exp) {
        return Err("the status list token has expired (exp)".into());
    }
    let ttl = match number(&claims, "ttl")? {
        None => None,
        Some(ttl) if ttl > 0.0 => Some(Duration::try_from_secs_f64(ttl).unwrap_or(Duration::MAX)),
        Some(_) => return Err("the status list token's ttl is not a positive number".into()),
    };
    let Some(Value::Object(list)) = claims.get("status_list") else {
        return Err("the status list token has no status_list object".into());
    };
    let bits = list
        .get("bits")
        .and_then(Value::as_u64)
        .ok_or("status_list.bits is not a non-negative integer")?;
    let lst = list
        .get("lst")
        .and_then(Value::as_str)
        .ok_or("status_list.lst is not a string")?;
    let statuses = Statuses::decode(bits, lst, expect.max_list_bytes)?;
    Ok(Checked { statuses, ttl, exp })
}

/// The header's `typ` must be `statuslist+jwt` (media types compare case-insensitively;
/// the `application/` prefix may be written).
fn check_typ(token: &str) -> Result<(), String> {
    let header = token.split('.').next().unwrap_or_default();
    let json = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or("the status list token's header is not base64url JSON")?;
    let header = crate::json::parse_object(&json)
        .map_err(|_| "the status list token's header is not a strict JSON object".to_owned())?;
    let typ = header
        .get("typ")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let typ = typ
        .get(..12)
        .filter(|p| p.eq_ignore_ascii_case("application/"))
        .map_or(typ, |_| &typ[12..]);
    if typ.eq_ignore_ascii_case("statuslist+jwt") {
        Ok(())
    } else {
        Err("the status list token's typ is not statuslist+jwt".into())
    }
}

/// A numeric claim, if present: a finite JSON number, else an error naming it.
fn number(claims: &serde_json::Map<String, Value>, name: &str) -> Result<Option<f64>, String> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| format!("the status list token's {name} is not a number")),
    }
}
