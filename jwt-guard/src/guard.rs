//! The one entry point of the attribute and of every layer: the strategies in order,
//! then the step-up requirement (RFC 9470: a 401, an authentication problem, so before
//! the 403s), then the scope and role requirements. Nothing framework-specific: the
//! integrations hand in the headers, the registry the request carries and, under a
//! layer, what the layer found.

use http::HeaderMap;

use crate::authz::Rules;
use crate::error::Error;
#[cfg(any(feature = "tower", feature = "axum", feature = "actix-web"))]
use crate::error::ErrorKind;
use crate::policy::Policy;
use crate::principal::Principal;
use crate::registry::Registry;
use crate::request::RequestInfo;

/// Authenticates a request with `registry`.
///
/// `Ok(None)` only for optional rules and a request that carried no credentials of any
/// of the strategies' kinds; refused credentials are an error either way.
pub(crate) async fn check<N: AsRef<str>>(
    rules: Rules<'_, N>,
    request: RequestInfo<'_>,
    registry: &Registry,
) -> Result<Option<Principal>, Error> {
    match registry
        .authenticate_request(rules.strategies, request)
        .await
    {
        Ok(principal) => {
            authorize(&principal, &rules, registry)
                .inspect_err(|err| crate::telemetry::denied(principal.strategy(), err.reason()))
                .map_err(|err| registry.rendering(err))?;
            Ok(Some(principal))
        }
        Err(err) if rules.optional && err.is_missing_credentials() => Ok(None),
        // A 401 names the scopes the route requires, so the client knows what to ask for.
        Err(err) => Err(match rules.scopes {
            Some(required) => err.with_route_scope(required.values_owned()),
            None => err,
        }),
    }
}

/// The requirements of `rules` on an authenticated principal: step-up first (a 401: the
/// client authenticates again), then [`crate::authz::authorize`] (403; under a layer's
/// scope rule when it has one). The refusal carries the challenges of the principal's
/// strategy (DPoP, resource metadata).
fn authorize<N>(
    principal: &Principal,
    rules: &Rules<'_, N>,
    registry: &Registry,
) -> Result<(), Error> {
    step_up(principal, rules, registry)
        .and_then(|()| {
            crate::authz::authorize_under(principal, rules.scopes, rules.roles, rules.scope_rule)
        })
        .map_err(|err| match principal.challenge() {
            Some((params, dpop)) => {
                let scheme = if dpop {
                    crate::challenge::Scheme::Dpop
                } else {
                    crate::challenge::Scheme::Bearer
                };
                err.with_challenge(params, scheme)
            }
            None => err,
        })
}

/// The step-up requirement of `rules`, if any, at the time of the principal's strategy
/// (its clock and leeway: only looked up when there is a requirement).
fn step_up<N>(
    principal: &Principal,
    rules: &Rules<'_, N>,
    registry: &Registry,
) -> Result<(), Error> {
    let Some(step_up) = rules.step_up else {
        return Ok(());
    };
    let (now, leeway) = registry.unix_now_and_leeway(principal.strategy());
    step_up
        .check(principal.claims(), now, leeway)
        .inspect_err(|_| {
            tracing::debug!(
                strategy = principal.strategy(),
                required = %step_up,
                "insufficient user authentication"
            );
        })
}

/// The check of a layer [`Policy`], public for other frameworks. Here, not in policy.rs,
/// so that the policy sits below the guard that checks it.
impl Policy {
    /// Checks a request's headers: the strategies in order, then the scopes and roles,
    /// exactly as `#[authenticate]` does. `registry` is the request's registry, used when
    /// the policy has none of its own; the global one otherwise.
    ///
    /// `Ok(None)` only for an optional policy and a request without credentials of any of
    /// its strategies' kinds. The layers call this; it is public for other frameworks.
    pub async fn check(
        &self,
        headers: &HeaderMap,
        registry: Option<&Registry>,
    ) -> Result<Option<Principal>, Error> {
        let request = crate::request::RequestInfo::from_headers(headers);
        check(self.rules(), request, self.registry_for(registry)).await
    }

    /// Like [`check`](Self::check), with the request's method and URI (for DPoP).
    pub async fn check_request(
        &self,
        request: RequestInfo<'_>,
        registry: Option<&Registry>,
    ) -> Result<Option<Principal>, Error> {
        check(self.rules(), request, self.registry_for(registry)).await
    }
}

/// What a layer leaves in the request's extensions when it let the request through:
/// the principal (none for an optional policy and a request without credentials), the
/// policy, and the registry it used. The extractors read it; the attribute's hidden
/// extractor reuses its principal instead of verifying the token again.
#[cfg(any(feature = "tower", feature = "axum", feature = "actix-web"))]
#[cfg_attr(
    not(any(feature = "tower", feature = "actix-web")),
    allow(dead_code, reason = "built by the layers only")
)]
#[derive(Clone)]
pub(crate) struct Authenticated {
    pub(crate) principal: Option<Principal>,
    policy: Policy,
    registry: Registry,
}

#[cfg(any(feature = "tower", feature = "axum", feature = "actix-web"))]
#[cfg_attr(
    not(any(feature = "axum", feature = "actix-web")),
    allow(dead_code, reason = "read by the extractors only")
)]
impl Authenticated {
    /// The principal of an attribute site whose strategies (and registry) are the
    /// layer's: the same chain on the same headers would find the same principal.
    fn reusable_for(&self, strategies: &[&str], registry: &Registry) -> Option<&Principal> {
        let same_chain = self.policy.strategies().len() == strategies.len()
            && self
                .policy
                .strategies()
                .iter()
                .zip(strategies)
                .all(|(a, b)| **a == **b);
        (same_chain && self.registry.same_as(registry))
            .then_some(self.principal.as_ref())
            .flatten()
    }

    /// The principal for a `Principal` extractor: a 401 when the layer was optional and
    /// the request carried no credentials.
    pub(crate) fn required(&self) -> Result<Principal, Error> {
        self.principal.clone().ok_or_else(|| {
            Error::new(ErrorKind::NoCredentials {
                expected: self
                    .policy
                    .strategies()
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            })
        })
    }
}

/// What a layer does with a request: check it against `policy`; on success, what to
/// put in its extensions.
#[cfg(any(feature = "tower", feature = "actix-web"))]
pub(crate) async fn layer(
    policy: &Policy,
    request: RequestInfo<'_>,
    registry: Option<&Registry>,
) -> Result<Authenticated, Error> {
    let registry = policy.registry_for(registry);
    let principal = check(policy.rules(), request, registry).await?;
    Ok(Authenticated {
        principal,
        policy: policy.clone(),
        registry: registry.clone(),
    })
}

/// The 500 of an extractor used where no layer authenticated the request, logged.
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) fn no_layer(extractor: &'static str) -> Error {
    const MISTAKE: &str = "Principal extracted but no jwt-guard layer authenticated this request";
    tracing::error!(
        extractor,
        "{MISTAKE}: add the layer (AuthLayer, AuthMiddleware) in front of this route, or \
         use #[authenticate] on the handler"
    );
    Error::new(ErrorKind::Misconfigured(MISTAKE))
}

/// The attribute's check for the site with this id (the hidden extractor knows its site
/// by id). Under a layer that ran the same strategies with the same registry, the
/// layer's principal is reused — the token is not verified twice — and only the site's
/// own scopes and roles are checked.
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) async fn check_id(
    id: u64,
    request: RequestInfo<'_>,
    registry: Option<&Registry>,
    layer: Option<&Authenticated>,
) -> Result<Option<Principal>, Error> {
    let Some(site) = crate::site::site(id) else {
        tracing::error!(
            site = id,
            "an #[authenticate] extractor names a site that is not registered"
        );
        return Err(Error::new(ErrorKind::Misconfigured(
            "an #[authenticate] site is missing from the program",
        )));
    };
    let registry = registry.unwrap_or_else(|| Registry::global());
    if let Some(principal) = layer.and_then(|l| l.reusable_for(site.strategies(), registry)) {
        authorize(principal, &site.rules(), registry)
            .inspect_err(|err| crate::telemetry::denied(principal.strategy(), err.reason()))
            .map_err(|err| registry.rendering(err))?;
        return Ok(Some(principal.clone()));
    }
    check(site.rules(), request, registry).await
}
