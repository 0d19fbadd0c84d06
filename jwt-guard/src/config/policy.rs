//! A layer's [`Policy`] from configuration: [`PolicySettings`], each key the
//! [`PolicyBuilder`](crate::PolicyBuilder) method of the same name, for the application's
//! own configuration (any serde format). Durations in the humane form.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::forms::OneOrMany;
use super::humane;
use crate::authz::Requirement;
use crate::config_error::ConfigError;
use crate::policy::Policy;

/// A [`Policy`] as configuration: the strategies and the requirements of
/// [`Policy::builder`](crate::Policy::builder), each under the builder method's name. In
/// TOML:
///
/// ```toml
/// strategies = ["jwt", "api-key"]
/// scopes = ["payments:read", "payments:write"]   # all of them; or "one",
/// roles = { any = ["admin", "ops"] }              # or { all = [..] }, nested as needed
/// acr = ["urn:example:mfa", "urn:example:hwk"]   # one of them (RFC 9470)
/// max_age = "5m"
/// optional = false
/// ```
///
/// ```
/// use jwt_guard::config::PolicySettings;
///
/// let settings: PolicySettings = serde_json::from_value(serde_json::json!({
///     "strategies": "jwt",
///     "scopes": { "any": ["payments:write", "admin"] },
///     "acr": ["urn:example:mfa", "urn:example:hwk"],
///     "max_age": "5m",
/// }))?;
/// let policy = settings.build("payments api")?;
/// assert_eq!(
///     policy.to_string(),
///     r#"payments api  "jwt"  scopes any("payments:write", "admin")  acr any("urn:example:mfa", "urn:example:hwk")  max_age 5m"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of policy settings")]
#[non_exhaustive]
pub struct PolicySettings {
    /// The strategy names, tried in order: one or several.
    #[serde(default)]
    pub strategies: OneOrMany,
    /// [`scopes`](crate::PolicyBuilder::scopes): a scope, a list (all of them), or
    /// `{ any = [..] }` / `{ all = [..] }`.
    #[serde(default, deserialize_with = "requirement")]
    pub scopes: Option<Requirement>,
    /// [`roles`](crate::PolicyBuilder::roles), written as `scopes`.
    #[serde(default, deserialize_with = "requirement")]
    pub roles: Option<Requirement>,
    /// [`acr`](crate::PolicyBuilder::acr): the acceptable `acr` values, one or several.
    #[serde(default)]
    pub acr: OneOrMany,
    /// [`max_age`](crate::PolicyBuilder::max_age): the longest time since the user
    /// authenticated (`auth_time`).
    #[serde(default, with = "humane")]
    pub max_age: Option<Duration>,
    /// [`optional`](crate::PolicyBuilder::optional).
    #[serde(default)]
    pub optional: bool,
}

impl PolicySettings {
    /// The policy named `name`, checked as [`PolicyBuilder::build`](crate::PolicyBuilder::build)
    /// checks it.
    pub fn build(&self, name: impl Into<String>) -> Result<Policy, ConfigError> {
        let mut builder = Policy::builder(name, self.strategies.values());
        if let Some(scopes) = &self.scopes {
            builder = builder.scopes(scopes.clone());
        }
        if let Some(roles) = &self.roles {
            builder = builder.roles(roles.clone());
        }
        if !self.acr.is_empty() {
            builder = builder.acr(self.acr.values());
        }
        if let Some(max_age) = self.max_age {
            builder = builder.max_age(max_age);
        }
        if self.optional {
            builder = builder.optional();
        }
        builder.build()
    }
}

/// What a requirement looks like, in every message about one.
const EXPECTED: &str = "a string, a list of them (all), or { any = [..] } / { all = [..] }";

fn requirement<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Requirement>, D::Error> {
    d.deserialize_any(RequirementVisitor).map(Some)
}

/// One requirement: the attribute's forms, as data.
struct Form(Requirement);

impl<'de> Deserialize<'de> for Form {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RequirementVisitor).map(Form)
    }
}

struct RequirementVisitor;

impl<'de> Visitor<'de> for RequirementVisitor {
    type Value = Requirement;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Requirement, E> {
        if value.is_empty() {
            return Err(E::custom("an empty value would be required of no token"));
        }
        Ok(Requirement::one(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Requirement, A::Error> {
        let mut list = Vec::new();
        while let Some(Form(item)) = seq.next_element()? {
            list.push(item);
        }
        non_empty(list).map(Requirement::all)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Requirement, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(format!(
                "an empty table; expected {EXPECTED}"
            )));
        };
        let list: Vec<Form> = map.next_value()?;
        let list = non_empty(list.into_iter().map(|Form(r)| r).collect())?;
        let requirement = match key.as_str() {
            "all" => Requirement::all(list),
            "any" => Requirement::any(list),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown combinator `{other}`: the combinators are `all` and `any`"
                )));
            }
        };
        if map.next_key::<String>()?.is_some() {
            return Err(de::Error::custom(
                "one combinator per table: nest them, as in { any = [\"a\", { all = [..] }] }",
            ));
        }
        Ok(requirement)
    }
}

fn non_empty<E: de::Error>(list: Vec<Requirement>) -> Result<Vec<Requirement>, E> {
    if list.is_empty() {
        return Err(E::custom("an empty list would require nothing"));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(json: serde_json::Value) -> Result<PolicySettings, String> {
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_builder_option() {
        let s = settings(serde_json::json!({
            "strategies": ["jwt", "api-key"],
            "scopes": ["a", "b"],
            "roles": { "any": ["admin", { "all": ["ops", "eu"] }] },
            "acr": "urn:example:mfa",
            "max_age": 90,
        }))
        .unwrap();
        let policy = s.build("p").unwrap();
        assert_eq!(
            policy.to_string(),
            r#"p  "jwt" | "api-key"  scopes all("a", "b")  roles any("admin", all("ops", "eu"))  acr "urn:example:mfa"  max_age 1m30s"#
        );
        let optional = settings(serde_json::json!({ "strategies": "jwt", "optional": true }));
        assert!(optional.unwrap().build("o").unwrap().is_optional());
    }

    #[test]
    fn mistakes_are_named() {
        let err = |json| settings(json).unwrap_err();
        assert!(err(serde_json::json!({ "strategy": "jwt" })).contains("unknown field `strategy`"));
        assert!(err(serde_json::json!({ "scopes": [] })).contains("an empty list"));
        assert!(
            err(serde_json::json!({ "scopes": { "none": ["a"] } })).contains("unknown combinator")
        );
        assert!(err(serde_json::json!({ "scopes": 1 })).contains(EXPECTED));
        assert!(err(serde_json::json!({ "max_age": "5x" })).contains("is not a duration"));
        // Refused when built, as the builder refuses them.
        let built = |json| settings(json).unwrap().build("p").unwrap_err().to_string();
        assert!(
            built(serde_json::json!({ "strategies": "jwt", "max_age": "0s" }))
                .starts_with("max_age: ")
        );
        assert!(
            built(serde_json::json!({ "strategies": "jwt", "acr": ["a b"] })).starts_with("acr: ")
        );
        assert!(
            built(serde_json::json!({ "acr": "a" })).contains("names no authentication strategy")
        );
    }
}
