//! Claim rules of a strategy, checked on the verified claims after `iss`, `exp`, `nbf`
//! and `aud`: required claims, allow-lists for one claim (`azp`, `client_id`,
//! `token_use`), the RFC 9068 access-token profile, and custom checks that choose their
//! own 401 or 403.
//!
//! The rules hold on the claims alone (and the header's `typ`), so a token that passed
//! them once passes them again: the verified-token cache serves it without a re-check.
//! A custom check must depend on the claims alone too.

use std::fmt;
use std::sync::Arc;

use crate::claims::ClaimsMap;
use crate::error::{Error, TokenError};

/// A custom check over the verified claims.
pub(crate) type ClaimsCheck = Arc<dyn Fn(&ClaimsMap) -> Result<(), Error> + Send + Sync>;

/// The claims RFC 9068 §2.2 requires in a JWT access token.
const RFC9068_CLAIMS: [&str; 7] = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"];

/// The claim rules of one strategy.
#[derive(Clone, Default)]
pub(crate) struct ClaimRuleSet {
    /// Claims that must be present (and not `null`).
    required: Vec<&'static str>,
    /// Claims that must be a string from a list.
    one_of: Vec<(&'static str, Vec<String>)>,
    /// RFC 9068: `typ` is `at+jwt` and its claims are present.
    access_token: bool,
    checks: Vec<ClaimsCheck>,
}

impl fmt::Debug for ClaimRuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaimRuleSet")
            .field("required", &self.required)
            .field("one_of", &self.one_of)
            .field("access_token", &self.access_token)
            .field("checks", &self.checks.len())
            .finish()
    }
}

/// A claim name for errors: leaked once per configured rule (a few bytes per strategy
/// built), so a refusal names the claim without allocating per request.
fn name(claim: &str) -> &'static str {
    match RFC9068_CLAIMS.iter().find(|c| **c == claim) {
        Some(known) => known,
        None => Box::leak(claim.to_owned().into_boxed_str()),
    }
}

impl ClaimRuleSet {
    pub(crate) fn require(&mut self, claim: &str) {
        if !self.required.contains(&claim) {
            self.required.push(name(claim));
        }
    }

    pub(crate) fn one_of(&mut self, claim: &str, values: Vec<String>) {
        match self.one_of.iter_mut().find(|(c, _)| *c == claim) {
            Some((_, list)) => list.extend(values),
            None => self.one_of.push((name(claim), values)),
        }
    }

    pub(crate) fn access_token_profile(&mut self) {
        self.access_token = true;
    }

    /// No rule at all: nothing to check (and no claims map to build).
    pub(crate) fn is_empty(&self) -> bool {
        self.required.is_empty()
            && self.one_of.is_empty()
            && !self.access_token
            && self.checks.is_empty()
    }

    pub(crate) fn is_access_token_profile(&self) -> bool {
        self.access_token
    }

    pub(crate) fn check_with(&mut self, check: ClaimsCheck) {
        self.checks.push(check);
    }

    /// Checks the rules in order: the profile's `typ` and claims, the required claims,
    /// the allow-lists, the custom checks.
    pub(crate) fn check(&self, at_jwt: bool, claims: &ClaimsMap) -> Result<(), Error> {
        let present = |claim: &str| claims.get(claim).is_some_and(|v| !v.is_null());
        if self.access_token {
            if !at_jwt {
                return Err(TokenError::InvalidClaim("typ").into());
            }
            if let Some(missing) = RFC9068_CLAIMS.iter().find(|c| !present(c)) {
                return Err(TokenError::MissingClaim(missing).into());
            }
        }
        if let Some(missing) = self.required.iter().find(|c| !present(c)) {
            return Err(TokenError::MissingClaim(missing).into());
        }
        for (claim, allowed) in &self.one_of {
            match claims.get(*claim) {
                None | Some(serde_json::Value::Null) => {
                    return Err(TokenError::MissingClaim(claim).into());
                }
                Some(serde_json::Value::String(value)) if allowed.iter().any(|a| a == value) => {}
                Some(_) => return Err(TokenError::InvalidClaim(claim).into()),
            }
        }
        for check in &self.checks {
            check(claims)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: serde_json::Value) -> ClaimsMap {
        match json {
            serde_json::Value::Object(map) => map,
            _ => ClaimsMap::new(),
        }
    }

    fn token_error(result: Result<(), Error>) -> Option<TokenError> {
        match result.err()?.into_kind() {
            crate::ErrorKind::InvalidToken(e) => Some(e),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn required_and_one_of() {
        let mut rules = ClaimRuleSet::default();
        rules.require("sub");
        rules.one_of("token_use", vec!["access".into()]);
        rules.one_of("token_use", vec!["both".into()]);
        let ok = claims(serde_json::json!({ "sub": "a", "token_use": "both" }));
        assert!(rules.check(false, &ok).is_ok());
        let cases = [
            (
                serde_json::json!({ "token_use": "access" }),
                TokenError::MissingClaim("sub"),
            ),
            (
                serde_json::json!({ "sub": null, "token_use": "access" }),
                TokenError::MissingClaim("sub"),
            ),
            (
                serde_json::json!({ "sub": "a" }),
                TokenError::MissingClaim("token_use"),
            ),
            (
                serde_json::json!({ "sub": "a", "token_use": "id" }),
                TokenError::InvalidClaim("token_use"),
            ),
            (
                serde_json::json!({ "sub": "a", "token_use": ["access"] }),
                TokenError::InvalidClaim("token_use"),
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(
                token_error(rules.check(false, &claims(json.clone()))),
                Some(expected),
                "{json}"
            );
        }
    }

    #[test]
    fn access_token_profile() {
        let mut rules = ClaimRuleSet::default();
        rules.access_token_profile();
        let full = serde_json::json!({
            "iss": "i", "exp": 1, "aud": "a", "sub": "s", "client_id": "c", "iat": 0, "jti": "j"
        });
        assert!(rules.check(true, &claims(full.clone())).is_ok());
        assert_eq!(
            token_error(rules.check(false, &claims(full.clone()))),
            Some(TokenError::InvalidClaim("typ"))
        );
        for claim in RFC9068_CLAIMS {
            let mut partial = claims(full.clone());
            partial.remove(claim);
            assert_eq!(
                token_error(rules.check(true, &partial)),
                Some(TokenError::MissingClaim(claim))
            );
        }
    }

    #[test]
    fn custom_checks_choose_their_status() {
        let mut rules = ClaimRuleSet::default();
        rules.check_with(Arc::new(|c: &ClaimsMap| {
            match c.get("plan").and_then(|p| p.as_str()) {
                Some("pro") => Ok(()),
                Some(_) => Err(Error::forbidden("a pro plan is required")),
                None => Err(Error::unauthorized("Invalid token: no plan")),
            }
        }));
        assert!(
            rules
                .check(false, &claims(serde_json::json!({ "plan": "pro" })))
                .is_ok()
        );
        let e = rules
            .check(false, &claims(serde_json::json!({ "plan": "free" })))
            .unwrap_err();
        assert_eq!(e.status(), 403);
        let e = rules
            .check(false, &claims(serde_json::json!({})))
            .unwrap_err();
        assert_eq!(e.status(), 401);
    }
}
