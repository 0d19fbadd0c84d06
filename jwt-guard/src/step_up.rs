//! Step-up authentication (RFC 9470): how strongly and how recently the user behind a
//! token authenticated. A [`StepUp`] requirement names the acceptable `acr` values and a
//! `max_age`; a token whose `acr` is not one of them, or whose `auth_time` is missing or
//! older, is refused with a 401 whose challenge asks the client for a new token:
//!
//! ```text
//! WWW-Authenticate: Bearer error="insufficient_user_authentication",
//!   error_description="A different authentication level is required",
//!   acr_values="urn:example:mfa urn:example:hwk", max_age=300
//! ```
//!
//! Checked by the guard after authentication and before the scopes and roles: a token
//! that falls short is an authentication problem (401), which the client fixes by
//! authenticating again; a 403 for missing scopes would send it to ask for consent it may
//! already have.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::claims::ClaimsMap;
use crate::config_error::ConfigError;
use crate::error::{Error, ErrorKind, TokenError};

/// A step-up requirement (RFC 9470): the `acr` values a token may carry (one of them),
/// and how long ago its user may have authenticated (`auth_time`, `max_age`).
///
/// Written in the attribute as `acr = "urn:example:mfa"` or
/// `acr = any("urn:example:mfa", "urn:example:hwk")`, and `max_age = "5m"`; on a layer's
/// [`Policy`](crate::Policy) with
/// [`PolicyBuilder::acr`](crate::PolicyBuilder::acr) and
/// [`PolicyBuilder::max_age`](crate::PolicyBuilder::max_age), or built here with
/// [`StepUp::new`].
///
/// ```
/// use std::time::Duration;
/// use jwt_guard::authz::StepUp;
///
/// let mfa = StepUp::new(["urn:example:mfa", "urn:example:hwk"], Some(Duration::from_secs(300)))?;
/// assert_eq!(mfa.acr_values(), ["urn:example:mfa", "urn:example:hwk"]);
/// assert_eq!(mfa.max_age(), Some(Duration::from_secs(300)));
/// assert_eq!(mfa.to_string(), r#"acr any("urn:example:mfa", "urn:example:hwk")  max_age 5m"#);
///
/// // Nothing required, an empty value, a `max_age` of zero: refused at start-up.
/// assert!(StepUp::new(Vec::<String>::new(), None).is_err());
/// assert!(StepUp::new([""], None).is_err());
/// assert!(StepUp::new(["urn:a"], Some(Duration::ZERO)).is_err());
/// # Ok::<(), jwt_guard::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepUp {
    acr: Values,
    /// Whole seconds, at least 1.
    max_age: Option<u64>,
}

/// The acceptable `acr` values, `'static` (the attribute's) or owned (a policy's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Values {
    Static(&'static [&'static str]),
    Owned(Arc<[Box<str>]>),
}

impl StepUp {
    /// Not public API: the attribute's constant, checked at compile time. `max_age` in
    /// seconds, 0 for none.
    #[doc(hidden)]
    pub const fn __new(acr: &'static [&'static str], max_age: u64) -> Self {
        Self {
            acr: Values::Static(acr),
            max_age: if max_age == 0 { None } else { Some(max_age) },
        }
    }

    /// A requirement: the token's `acr` is one of `acr` (none: any `acr`, or none), and
    /// when `max_age` is set, its `auth_time` is at most that long ago.
    ///
    /// [`ConfigError::InvalidOption`] when it requires nothing, for an `acr` value that is
    /// empty or has a space, `"` or `\` (values are space-separated in the challenge's
    /// `acr_values`), for a value listed twice, and for a `max_age` that is zero or not a
    /// whole number of seconds (the challenge's `max_age` is in seconds).
    pub fn new<I, V>(acr: I, max_age: Option<Duration>) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = V>,
        V: Into<Box<str>>,
    {
        let invalid =
            |option: &'static str, reason: String| ConfigError::InvalidOption { option, reason };
        let acr: Vec<Box<str>> = acr.into_iter().map(Into::into).collect();
        for (i, value) in acr.iter().enumerate() {
            if !crate::error::is_scope_token(value) {
                return Err(invalid(
                    "acr",
                    format!(
                        "{value:?} is not an acr value: visible ASCII without spaces, `\"` or \
                         `\\` (they are space-separated in the challenge's acr_values)"
                    ),
                ));
            }
            if acr[..i].contains(value) {
                return Err(invalid("acr", format!("{value:?} is listed twice")));
            }
        }
        let max_age = match max_age {
            None => None,
            Some(age) if age.is_zero() => {
                return Err(invalid(
                    "max_age",
                    "0s would refuse every token: give the longest time since the user \
                     authenticated, e.g. 5m"
                        .into(),
                ));
            }
            Some(age) if age.subsec_nanos() != 0 => {
                return Err(invalid(
                    "max_age",
                    format!("{age:?} is not a whole number of seconds (max_age is in seconds)"),
                ));
            }
            Some(age) => Some(age.as_secs()),
        };
        if acr.is_empty() && max_age.is_none() {
            return Err(invalid(
                "acr",
                "a step-up requirement with no acr value and no max_age requires nothing".into(),
            ));
        }
        Ok(Self {
            acr: Values::Owned(acr.into()),
            max_age,
        })
    }

    /// The acceptable `acr` values, in order; empty when any `acr` is accepted.
    pub fn acr_values(&self) -> Vec<&str> {
        match &self.acr {
            Values::Static(values) => values.to_vec(),
            Values::Owned(values) => values.iter().map(|v| &**v).collect(),
        }
    }

    /// The longest time since the user authenticated (`auth_time`).
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age.map(Duration::from_secs)
    }

    fn accepts(&self, acr: &str) -> bool {
        match &self.acr {
            Values::Static(values) => values.contains(&acr),
            Values::Owned(values) => values.iter().any(|v| **v == *acr),
        }
    }

    fn requires_acr(&self) -> bool {
        match &self.acr {
            Values::Static(values) => !values.is_empty(),
            Values::Owned(values) => !values.is_empty(),
        }
    }

    /// Checks verified claims at `now` (Unix seconds, by the strategy's clock) with the
    /// strategy's `leeway` (seconds).
    ///
    /// - `acr` must be a string among the values (a missing one falls short; one that is
    ///   not a string is an invalid claim);
    /// - with `max_age`, `auth_time` must be a NumericDate (a missing one falls short, one
    ///   more than `leeway` in the future is an invalid claim) and
    ///   `now - auth_time <= max_age`.
    ///
    /// Falling short is [`ErrorKind::InsufficientUserAuthentication`] (401,
    /// `insufficient_user_authentication`, naming every part of the requirement so that
    /// one new authentication meets all of it); an invalid claim is `invalid_token`. The
    /// arithmetic is on `f64` seconds, which saturates (to infinity) rather than wrapping,
    /// and a JSON number is always finite.
    pub(crate) fn check(&self, claims: &ClaimsMap, now: f64, leeway: f64) -> Result<(), Error> {
        let acr_met = !self.requires_acr()
            || match claims.get("acr") {
                None | Some(serde_json::Value::Null) => false,
                Some(serde_json::Value::String(acr)) => self.accepts(acr),
                Some(_) => return Err(TokenError::InvalidClaim("acr").into()),
            };
        let recent = match self.max_age {
            None => true,
            Some(max_age) => match claims.get("auth_time") {
                None | Some(serde_json::Value::Null) => false,
                Some(value) => {
                    let auth_time = value
                        .as_f64()
                        .filter(|t| t.is_finite())
                        .ok_or(TokenError::InvalidClaim("auth_time"))?;
                    if auth_time > now + leeway {
                        return Err(TokenError::InvalidClaim("auth_time").into());
                    }
                    now - auth_time <= max_age as f64
                }
            },
        };
        if acr_met && recent {
            return Ok(());
        }
        Err(Error::new(ErrorKind::InsufficientUserAuthentication {
            acr_values: self.acr_values().into_iter().map(str::to_owned).collect(),
            max_age: self.max_age,
            acr_failed: !acr_met,
        }))
    }
}

impl fmt::Display for StepUp {
    /// `acr any("a", "b")  max_age 5m`, as the audit prints it (`acr "a"` for one value).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.acr_values();
        match values.as_slice() {
            [] => {}
            [one] => write!(f, "acr {one:?}")?,
            many => {
                f.write_str("acr any(")?;
                for (i, value) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{value:?}")?;
                }
                f.write_str(")")?;
            }
        }
        if let Some(max_age) = self.max_age {
            if !values.is_empty() {
                f.write_str("  ")?;
            }
            f.write_str("max_age ")?;
            humane(f, max_age)?;
        }
        Ok(())
    }
}

/// Seconds in the humane form of configuration files: `5m`, `1h30m`, `90s` as `1m30s`.
fn humane(f: &mut fmt::Formatter<'_>, secs: u64) -> fmt::Result {
    let mut rest = secs;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            write!(f, "{}{unit}", rest / size)?;
            rest %= size;
        }
    }
    if secs == 0 {
        f.write_str("0s")?;
    }
    Ok(())
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

    const NOW: f64 = 1_800_000_000.0;

    /// The outcome as text: `ok`, `acr` / `age` (falls short, and which), or the reason of
    /// another refusal.
    fn outcome(step_up: &StepUp, json: serde_json::Value, leeway: f64) -> String {
        match step_up.check(&claims(json), NOW, leeway) {
            Ok(()) => "ok".into(),
            Err(err) => match err.kind() {
                ErrorKind::InsufficientUserAuthentication { acr_failed, .. } => {
                    assert_eq!(err.status(), 401);
                    if *acr_failed { "acr" } else { "age" }.into()
                }
                ErrorKind::InvalidToken(TokenError::InvalidClaim(claim)) => {
                    format!("invalid {claim}")
                }
                other => panic!("{other:?}"),
            },
        }
    }

    #[test]
    fn acr_is_one_of_the_values() {
        const MFA: StepUp = StepUp::__new(&["urn:example:mfa", "urn:example:hwk"], 0);
        let owned = StepUp::new(["urn:example:mfa", "urn:example:hwk"], None).unwrap();
        for step_up in [&MFA, &owned] {
            let cases = [
                (serde_json::json!({ "acr": "urn:example:hwk" }), "ok"),
                (serde_json::json!({ "acr": "urn:example:mfa" }), "ok"),
                (serde_json::json!({ "acr": "urn:example:pwd" }), "acr"),
                (serde_json::json!({ "acr": "URN:EXAMPLE:MFA" }), "acr"),
                (serde_json::json!({}), "acr"),
                (serde_json::json!({ "acr": null }), "acr"),
                (
                    serde_json::json!({ "acr": ["urn:example:mfa"] }),
                    "invalid acr",
                ),
                (serde_json::json!({ "acr": 2 }), "invalid acr"),
            ];
            for (json, expected) in cases {
                assert_eq!(outcome(step_up, json.clone(), 0.0), expected, "{json}");
            }
        }
        assert_eq!(
            MFA,
            StepUp::__new(&["urn:example:mfa", "urn:example:hwk"], 0)
        );
        assert_eq!(MFA.acr_values(), owned.acr_values());
        assert_eq!(MFA.to_string(), owned.to_string());
    }

    #[test]
    fn auth_time_within_max_age() {
        let step_up = StepUp::__new(&[], 300);
        let at = |t: f64| serde_json::json!({ "auth_time": t });
        assert_eq!(outcome(&step_up, at(NOW), 0.0), "ok");
        assert_eq!(outcome(&step_up, at(NOW - 300.0), 0.0), "ok", "inclusive");
        assert_eq!(outcome(&step_up, at(NOW - 301.0), 0.0), "age");
        assert_eq!(outcome(&step_up, at(0.0), 0.0), "age");
        assert_eq!(outcome(&step_up, at(-1e300), 0.0), "age");
        assert_eq!(outcome(&step_up, serde_json::json!({}), 0.0), "age");
        // In the future: within the leeway it is fresh, beyond it the claim is invalid.
        assert_eq!(outcome(&step_up, at(NOW + 20.0), 30.0), "ok");
        assert_eq!(outcome(&step_up, at(NOW + 31.0), 30.0), "invalid auth_time");
        assert_eq!(outcome(&step_up, at(1e300), 30.0), "invalid auth_time");
        assert_eq!(
            outcome(
                &step_up,
                serde_json::json!({ "auth_time": "1700000000" }),
                0.0
            ),
            "invalid auth_time"
        );
        // acr is not required: any or none passes.
        assert_eq!(
            outcome(
                &step_up,
                serde_json::json!({ "acr": 1, "auth_time": NOW }),
                0.0
            ),
            "ok"
        );
    }

    #[test]
    fn both_parts_and_what_the_error_names() {
        let step_up = StepUp::new(["urn:a"], Some(Duration::from_secs(60))).unwrap();
        let fresh_weak = serde_json::json!({ "acr": "urn:b", "auth_time": NOW });
        let old_strong = serde_json::json!({ "acr": "urn:a", "auth_time": NOW - 61.0 });
        assert_eq!(outcome(&step_up, fresh_weak.clone(), 0.0), "acr");
        assert_eq!(outcome(&step_up, old_strong, 0.0), "age");
        let err = step_up.check(&claims(fresh_weak), NOW, 0.0).unwrap_err();
        assert_eq!(
            err.www_authenticate().as_deref(),
            Some(
                r#"Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:a", max_age=60"#
            )
        );
    }

    #[test]
    fn built_requirements_are_validated() {
        let reason = |r: Result<StepUp, ConfigError>| match r {
            Err(ConfigError::InvalidOption { option, reason }) => format!("{option}: {reason}"),
            other => panic!("{other:?}"),
        };
        let none: [&str; 0] = [];
        assert!(reason(StepUp::new(none, None)).contains("requires nothing"));
        assert!(reason(StepUp::new(["a b"], None)).starts_with("acr: \"a b\" is not an acr"));
        assert!(reason(StepUp::new(["a\"b"], None)).starts_with("acr:"));
        assert_eq!(
            reason(StepUp::new(["a", "a"], None)),
            r#"acr: "a" is listed twice"#
        );
        assert!(reason(StepUp::new(none, Some(Duration::ZERO))).starts_with("max_age: 0s"));
        assert!(
            reason(StepUp::new(none, Some(Duration::from_millis(1500))))
                .contains("whole number of seconds")
        );
        let age_only = StepUp::new(none, Some(Duration::from_secs(5400))).unwrap();
        assert!(age_only.acr_values().is_empty());
        assert_eq!(age_only.to_string(), "max_age 1h30m");
    }

    #[test]
    fn displays_humanely() {
        assert_eq!(StepUp::__new(&["x"], 0).to_string(), r#"acr "x""#);
        assert_eq!(StepUp::__new(&[], 90).to_string(), "max_age 1m30s");
        assert_eq!(StepUp::__new(&[], 86_400 + 1).to_string(), "max_age 1d1s");
        assert_eq!(
            StepUp::__new(&["x", "y"], 300).to_string(),
            r#"acr any("x", "y")  max_age 5m"#
        );
    }
}
