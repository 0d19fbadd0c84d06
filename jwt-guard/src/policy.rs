//! What a whole router, scope or gRPC service requires: a [`Policy`], the framework-free
//! counterpart of one `#[authenticate(...)]`.
//!
//! A policy names its strategies (tried in order, first success wins), its scope and
//! role [`Requirement`]s, its step-up requirement ([`acr`](PolicyBuilder::acr),
//! [`max_age`](PolicyBuilder::max_age); RFC 9470) and whether it is `optional` — the
//! attribute's options, with the same meaning — and is checked by the same code as the
//! attribute. The framework layers
//! wrap it: [`tower::AuthLayer`](crate::tower::AuthLayer) (tower: axum, hyper, any tower
//! service), [`tonic::GrpcAuthLayer`](crate::tonic::GrpcAuthLayer) (tonic) and
//! [`actix::AuthMiddleware`](crate::actix::AuthMiddleware) (actix-web).
//!
//! Every policy a layer serves is listed by the start-up [audit](crate::Registry::audit)
//! of the layer's registry (the policy's own, else the global one) under its name, next
//! to the attribute's handlers: build the routers first, then audit. Building a policy
//! has no other effect.
//!
//! ```
//! use jwt_guard::authz::Requirement::{All, One};
//! use jwt_guard::Policy;
//!
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! let orders = Policy::builder("orders api", ["jwt", "api-key"])
//!     .scopes(All(&[One("orders:read")]))
//!     .build()?;
//! assert_eq!(orders.to_string(), r#"orders api  "jwt" | "api-key"  scopes all("orders:read")"#);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::authz::{Requirement, ScopeRule, StepUp};
use crate::config_error::ConfigError;
use crate::registry::Registry;

/// The strategies and requirements a layer enforces. Cheap to clone (shared).
///
/// Built with [`Policy::builder`]; see the [module docs](self).
#[derive(Clone)]
pub struct Policy(Arc<Inner>);

#[derive(PartialEq)]
struct Inner {
    name: Box<str>,
    strategies: Box<[Box<str>]>,
    scopes: Option<Requirement>,
    roles: Option<Requirement>,
    step_up: Option<StepUp>,
    optional: bool,
    registry: Option<RegistryRef>,
    scope_rule: Option<ScopeRule>,
}

/// A registry compared by identity, for the audit's list of policies.
struct RegistryRef(Registry);

impl PartialEq for RegistryRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_as(&other.0)
    }
}

/// Builds a [`Policy`]: [`Policy::builder`].
#[derive(Debug)]
#[must_use = "a policy builder does nothing until `build` is called"]
pub struct PolicyBuilder {
    name: String,
    strategies: Vec<String>,
    scopes: Option<Requirement>,
    roles: Option<Requirement>,
    acr: Vec<String>,
    max_age: Option<Duration>,
    optional: bool,
    registry: Option<Registry>,
    scope_rule: Option<ScopeRule>,
}

impl Policy {
    /// A policy named `name` (how the audit lists it: say which router or service it
    /// protects) that authenticates with `strategies`, in order.
    pub fn builder<I, N>(name: impl Into<String>, strategies: I) -> PolicyBuilder
    where
        I: IntoIterator<Item = N>,
        N: Into<String>,
    {
        PolicyBuilder {
            name: name.into(),
            strategies: strategies.into_iter().map(Into::into).collect(),
            scopes: None,
            roles: None,
            acr: Vec::new(),
            max_age: None,
            optional: false,
            registry: None,
            scope_rule: None,
        }
    }

    /// The name the audit lists.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The strategy names, in the order they are tried.
    pub fn strategies(&self) -> &[Box<str>] {
        &self.0.strategies
    }

    /// The scope requirement.
    pub fn scopes(&self) -> Option<&Requirement> {
        self.0.scopes.as_ref()
    }

    /// The role requirement.
    pub fn roles(&self) -> Option<&Requirement> {
        self.0.roles.as_ref()
    }

    /// The policy's own scope rule, if it has one (else each principal's strategy's).
    pub fn scope_rule(&self) -> Option<&ScopeRule> {
        self.0.scope_rule.as_ref()
    }

    /// The step-up requirement (`acr`, `max_age`; RFC 9470).
    pub fn step_up(&self) -> Option<&StepUp> {
        self.0.step_up.as_ref()
    }

    /// True for `optional`: a request without credentials goes on without a principal.
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }

    /// The registry the policy was built with, if any (else the request's, else the
    /// global one).
    pub fn registry(&self) -> Option<&Registry> {
        self.0.registry.as_ref().map(|r| &r.0)
    }

    pub(crate) fn rules(&self) -> crate::authz::Rules<'_, Box<str>> {
        crate::authz::Rules {
            strategies: &self.0.strategies,
            scopes: self.0.scopes.as_ref(),
            roles: self.0.roles.as_ref(),
            step_up: self.0.step_up.as_ref(),
            optional: self.0.optional,
            scope_rule: self.0.scope_rule.as_ref(),
        }
    }

    /// Tells the registry this policy checks requests with (its own, else the global
    /// one) that a layer serves it, so that the registry's [audit](Registry::audit) lists
    /// it. The layers call this when they are built: a policy built and never served is in
    /// no audit, and building one has no effect beyond its own value.
    #[cfg_attr(
        not(any(feature = "tower", feature = "actix-web")),
        allow(dead_code, reason = "called by the layers only")
    )]
    pub(crate) fn serve(&self) {
        let registry = self.registry_for(None);
        // An identical policy already served is not kept again: a service that builds
        // its layers more than once (per test, per reload) holds one entry per policy.
        let known = registry
            .layers()
            .iter()
            .any(|layer| layer.downcast_ref::<Inner>() == Some(&*self.0));
        if !known {
            let layer: Arc<dyn std::any::Any + Send + Sync> = self.0.clone();
            registry.remember_layer(layer);
        }
    }

    /// The registry a request is checked with.
    pub(crate) fn registry_for<'a>(&'a self, request: Option<&'a Registry>) -> &'a Registry {
        self.registry()
            .or(request)
            .unwrap_or_else(|| Registry::global())
    }
}

impl PolicyBuilder {
    /// Requires these scopes (as `scopes = ...` in the attribute).
    pub fn scopes(mut self, requirement: Requirement) -> Self {
        self.scopes = Some(requirement);
        self
    }

    /// Requires these roles (as `roles = ...` in the attribute).
    pub fn roles(mut self, requirement: Requirement) -> Self {
        self.roles = Some(requirement);
        self
    }

    /// Compares the scopes under `rule` (e.g. [`ScopeRule::wildcard`]: a granted
    /// `orders:*` meets `orders:read`), whichever strategy authenticated the request.
    /// Without it, each principal's strategy's rule applies
    /// ([`JwtStrategyBuilder::scope_rule`](crate::JwtStrategyBuilder::scope_rule), exact by
    /// default).
    pub fn scope_rule(mut self, rule: ScopeRule) -> Self {
        self.scope_rule = Some(rule);
        self
    }

    /// Requires the token's `acr` to be one of `values` (as `acr = any(..)` in the
    /// attribute; RFC 9470 step-up). Falling short is a 401 whose challenge
    /// (`insufficient_user_authentication`) lists them in `acr_values`. Checked before the
    /// scopes and roles. [`build`](Self::build) refuses an empty value or one with a
    /// space, `"` or `\`.
    pub fn acr<I, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        self.acr = values.into_iter().map(Into::into).collect();
        self
    }

    /// Requires the user to have authenticated at most `max_age` ago: the token's
    /// `auth_time` (as `max_age = "5m"` in the attribute; RFC 9470 step-up), by the
    /// strategy's clock. A token without `auth_time`, or with an older one, is a 401 whose
    /// challenge carries `max_age` in seconds. [`build`](Self::build) refuses zero and
    /// fractions of a second.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Lets requests without credentials through without a principal (as `optional`);
    /// refused credentials are still refused.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Uses `registry` for every request, instead of the request's registry or the
    /// global one.
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// The policy. It is listed in the audit of its registry once a layer serves it
    /// (`tower::AuthLayer::new`, `actix::AuthMiddleware::new`, `tonic::GrpcAuthLayer`);
    /// building one changes nothing else.
    ///
    /// [`ConfigError::EmptyStrategyName`] for an empty strategy name,
    /// [`ConfigError::NoStrategies`] for an empty list (every request would be refused),
    /// [`ConfigError::InvalidOption`] for an `acr` or `max_age` that [`StepUp::new`]
    /// refuses.
    pub fn build(self) -> Result<Policy, ConfigError> {
        if self.strategies.is_empty() {
            return Err(ConfigError::NoStrategies { policy: self.name });
        }
        if self.strategies.iter().any(String::is_empty) {
            return Err(ConfigError::EmptyStrategyName);
        }
        let step_up = if self.acr.is_empty() && self.max_age.is_none() {
            None
        } else {
            Some(StepUp::new(self.acr, self.max_age)?)
        };
        let policy = Policy(Arc::new(Inner {
            name: self.name.into(),
            strategies: self.strategies.into_iter().map(Into::into).collect(),
            scopes: self.scopes,
            roles: self.roles,
            step_up,
            optional: self.optional,
            registry: self.registry.map(RegistryRef),
            scope_rule: self.scope_rule,
        }));
        Ok(policy)
    }
}

/// The layer policies `registry` checks requests for (those its layers were built
/// with: [`Policy::serve`]), sorted by name.
pub(crate) fn served_by(registry: &Registry) -> Vec<Policy> {
    let mut policies: Vec<Policy> = registry
        .layers()
        .into_iter()
        .filter_map(|layer| layer.downcast::<Inner>().ok().map(Policy))
        .collect();
    policies.sort_by(|a, b| a.name().cmp(b.name()));
    // Two layers of identical policies are one line of the audit.
    let mut distinct: Vec<Policy> = Vec::with_capacity(policies.len());
    for policy in policies {
        if !distinct.iter().any(|seen| seen.0 == policy.0) {
            distinct.push(policy);
        }
    }
    distinct
}

impl fmt::Display for Policy {
    /// `name  "jwt" | "api-key"  scopes all("a")  roles any("b")  optional`, as the
    /// audit prints an attribute's handler.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {}", self.name(), self.rules())
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.0.name)
            .field("strategies", &self.0.strategies)
            .field("scopes", &self.0.scopes)
            .field("roles", &self.0.roles)
            .field("step_up", &self.0.step_up)
            .field("optional", &self.0.optional)
            .field("own_registry", &self.0.registry.is_some())
            .field("scope_rule", &self.0.scope_rule)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::Requirement::{Any, One};

    #[test]
    fn builds_validates_and_is_listed_once_when_served() {
        let registry = Registry::new();
        let build = || {
            Policy::builder("policy-unit", ["pu-jwt"])
                .roles(Any(&[One("admin"), One("ops")]))
                .optional()
                .registry(registry.clone())
                .build()
                .expect("valid")
        };
        let (a, b) = (build(), build());
        assert_eq!(
            a.to_string(),
            r#"policy-unit  "pu-jwt"  roles any("admin", "ops")  optional"#
        );
        assert_eq!(a.strategies(), b.strategies());
        assert!(
            served_by(&registry).is_empty(),
            "a policy no layer serves is in no audit"
        );
        a.serve();
        b.serve();
        a.serve();
        let listed = served_by(&registry);
        assert_eq!(listed.len(), 1, "an identical policy is listed once");
        assert_eq!(registry.layers().len(), 1, "and held once");
        assert!(
            served_by(Registry::global())
                .iter()
                .all(|p| p.name() != "policy-unit"),
            "served with its own registry: not the global one's"
        );

        let wildcard = Policy::builder("wild", ["pu-jwt"])
            .scopes(One("orders:read"))
            .scope_rule(ScopeRule::wildcard())
            .build()
            .expect("valid");
        assert_eq!(
            wildcard.to_string(),
            r#"wild  "pu-jwt"  scopes "orders:read"  scope-rule wildcard"#
        );
        assert_eq!(wildcard.scope_rule(), Some(&ScopeRule::wildcard()));
        assert_eq!(a.scope_rule(), None);

        let none: [&str; 0] = [];
        assert!(matches!(
            Policy::builder("empty", none).build(),
            Err(ConfigError::NoStrategies { .. })
        ));
        assert!(matches!(
            Policy::builder("blank", ["jwt", ""]).build(),
            Err(ConfigError::EmptyStrategyName)
        ));
    }
}
