//! The authenticated caller, handed to the handler body: [`Principal`] (the verified
//! claims as JSON) and [`Claims<T>`] (the claims deserialized into your type).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::challenge::ChallengeParams;
use crate::claims::{ClaimPaths, ClaimsCell, ClaimsMap};
use crate::error::{Error, TokenError};

/// Who made the request: the strategy that authenticated it, the verified claims, and
/// where that strategy reads scopes and roles ([`ClaimPaths`]).
///
/// Cheap to clone (everything is shared). Typed access goes through serde:
///
/// ```
/// # use jwt_guard::Principal;
/// #[derive(serde::Deserialize)]
/// struct MyClaims { sub: String }
///
/// # fn f(principal: &Principal) -> Result<(), jwt_guard::Error> {
/// let claims: MyClaims = principal.claims_as()?;
/// println!("hello {}", claims.sub);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Principal {
    /// The registered name of the strategy, when it is not the one the claims carry
    /// (none until the registry names it: no shared placeholder to count references on).
    strategy: Option<Arc<str>>,
    /// The verified claims, with what their strategy attached (claim paths, registered
    /// name, scope rule, challenges).
    claims: Arc<ClaimsCell>,
    /// What this principal adds or sets over its claims' own: none for a plain bearer
    /// token, so that an ordinary principal is three words to build and move.
    extra: Option<Box<Extra>>,
}

/// What a principal carries beyond its claims: DPoP, the client certificate, and what a
/// custom strategy set on it.
#[derive(Clone, Default)]
struct Extra {
    /// The DPoP proof key's thumbprint.
    dpop_jkt: Option<String>,
    /// `cnf.x5t#S256` of a certificate-bound token whose binding held (base64url).
    x5t_s256: Option<[u8; 43]>,
    /// Claim paths over the claims' own.
    paths: Option<Arc<ClaimPaths>>,
    /// Challenges over the claims' own.
    challenge: Option<Arc<ChallengeParams>>,
    /// A scope rule over the claims' own (`Some(None)`: exact match).
    scope_rule: Option<Option<Arc<dyn std::any::Any + Send + Sync>>>,
}

impl Principal {
    /// A principal with the given claims and the default [`ClaimPaths`]. Custom
    /// strategies build theirs with this; the registry fills in the strategy name.
    pub fn new(claims: ClaimsMap) -> Self {
        Self::from_shared(Arc::new(ClaimsCell::from_map(claims)))
    }

    /// The same principal, reading scopes and roles at `paths`.
    pub fn with_claim_paths(mut self, paths: impl Into<Arc<ClaimPaths>>) -> Self {
        self.extra_mut().paths = Some(paths.into());
        self
    }

    /// The principal of verified claims, with what their strategy attached.
    pub(crate) fn from_shared(claims: Arc<ClaimsCell>) -> Self {
        Self {
            strategy: None,
            claims,
            extra: None,
        }
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The same principal, authenticated by a DPoP proof of the key with this thumbprint.
    pub(crate) fn with_dpop_thumbprint(mut self, jkt: String) -> Self {
        self.extra_mut().dpop_jkt = Some(jkt);
        self
    }

    /// The same principal, whose token's certificate binding held for this thumbprint.
    pub(crate) fn with_certificate_thumbprint(mut self, thumbprint: &[u8; 32]) -> Self {
        self.extra_mut().x5t_s256 = Some(crate::mtls::encode_x5t_s256(thumbprint));
        self
    }

    /// The same principal, whose 403s carry these challenges (nothing to set when its
    /// claims carry them already).
    pub(crate) fn with_challenge(mut self, params: &Arc<ChallengeParams>) -> Self {
        let own = self.claims.attached().challenge.as_ref();
        if !own.is_some_and(|own| Arc::ptr_eq(own, params)) {
            self.extra_mut().challenge = Some(Arc::clone(params));
        }
        self
    }

    /// The same principal, its scopes checked under this (type-erased) scope rule.
    pub(crate) fn with_scope_rule_erased(
        mut self,
        rule: Option<&Arc<dyn std::any::Any + Send + Sync>>,
    ) -> Self {
        let own = self.claims.attached().scope_rule.as_ref();
        let same = match (own, rule) {
            (None, None) => true,
            (Some(own), Some(rule)) => Arc::ptr_eq(own, rule),
            _ => false,
        };
        if same {
            // Back to the claims' own rule.
            if let Some(extra) = &mut self.extra {
                extra.scope_rule = None;
            }
        } else {
            self.extra_mut().scope_rule = Some(rule.map(Arc::clone));
        }
        self
    }

    /// The (type-erased) scope rule of its strategy, `None` for exact match.
    pub(crate) fn scope_rule_erased(&self) -> Option<&(dyn std::any::Any + Send + Sync)> {
        match self
            .extra
            .as_ref()
            .and_then(|extra| extra.scope_rule.as_ref())
        {
            Some(set) => set.as_deref(),
            None => self.claims.attached().scope_rule.as_deref(),
        }
    }

    /// The strategy's challenge parameters, and whether the request used DPoP.
    pub(crate) fn challenge(&self) -> Option<(&Arc<ChallengeParams>, bool)> {
        let extra = self.extra.as_deref();
        let params = extra.and_then(|extra| extra.challenge.as_ref()).or(self
            .claims
            .attached()
            .challenge
            .as_ref())?;
        Some((params, self.dpop_thumbprint().is_some()))
    }

    /// The RFC 7638 thumbprint of the DPoP proof key (RFC 9449), when the request was
    /// authenticated with DPoP: the token's `cnf.jkt`. `None` for a bearer token.
    pub fn dpop_thumbprint(&self) -> Option<&str> {
        self.extra.as_ref()?.dpop_jkt.as_deref()
    }

    /// The SHA-256 thumbprint (base64url) of the client certificate (RFC 8705), when the
    /// token was bound to one (`cnf.x5t#S256`) and the request presented it: a strategy
    /// with [`mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens). `None`
    /// for a token not bound to a certificate.
    pub fn certificate_thumbprint(&self) -> Option<&str> {
        let encoded = self.extra.as_ref()?.x5t_s256.as_ref()?;
        std::str::from_utf8(encoded).ok()
    }

    /// The same principal, authenticated by the strategy registered as `name` (nothing
    /// to count when the claims were verified under that very name).
    pub(crate) fn with_strategy(mut self, name: &Arc<str>) -> Self {
        let own = self.claims.attached().strategy.as_ref();
        if !own.is_some_and(|own| Arc::ptr_eq(own, name)) {
            self.strategy = Some(Arc::clone(name));
        }
        self
    }

    /// The registered name of the strategy that authenticated the request.
    pub fn strategy(&self) -> &str {
        self.strategy
            .as_deref()
            .or(self.claims.attached().strategy.as_deref())
            .unwrap_or_default()
    }

    /// The verified claims. The map is built from the verified payload on the first
    /// call (and by scopes and roles), once per token: a request that never asks for it
    /// does not pay for it.
    pub fn claims(&self) -> &ClaimsMap {
        self.claims.map()
    }

    /// One claim, if present.
    pub fn claim(&self, name: &str) -> Option<&serde_json::Value> {
        self.claims().get(name)
    }

    /// The `sub` claim, when it is a string.
    pub fn subject(&self) -> Option<&str> {
        self.claims().get("sub").and_then(serde_json::Value::as_str)
    }

    /// The granted scopes, read at the strategy's scope paths (by default the words of
    /// the `scope` claim, RFC 8693, and the entries of `scp`), merged without repeats.
    pub fn scopes(&self) -> Vec<&str> {
        self.claim_paths().scopes_of(self.claims())
    }

    /// True when the caller was granted exactly `scope`. Under a strategy's
    /// [`ScopeRule`](crate::authz::ScopeRule), ask
    /// `p.scopes().iter().any(|granted| p.scope_rule().covers(granted, scope))` instead.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().contains(&scope)
    }

    /// The caller's roles, read at the strategy's role paths (`roles` by default).
    pub fn roles(&self) -> Vec<&str> {
        self.claim_paths().roles_of(self.claims())
    }

    /// Where this principal's scopes and roles are read.
    pub fn claim_paths(&self) -> &ClaimPaths {
        match self.extra.as_ref().and_then(|extra| extra.paths.as_ref()) {
            Some(paths) => paths,
            None => &self.claims.attached().paths,
        }
    }

    /// True when the caller has `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles().contains(&role)
    }

    /// The claims deserialized into `T`: straight from the verified payload's JSON (no
    /// map is built for it), or from the map once [`Principal::claims`] built it.
    ///
    /// A claims set that does not fit `T` is a 401 "Invalid token: invalid claims value".
    pub fn claims_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.claims.deserialize::<T>().map_err(|err| {
            tracing::debug!(error = %err, "claims do not fit the requested type");
            Error::from(TokenError::InvalidClaim("claims"))
        })
    }
}

impl fmt::Debug for Principal {
    /// Shows the strategy and the claim names, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("strategy", &self.strategy())
            .field("claims", &self.claims().keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The verified claims deserialized into `T`, for a handler parameter.
///
/// Under `#[authenticate]`, a parameter of type `Claims<T>` is not extracted from the
/// request: the attribute deserializes it once from the verified claims of the
/// authenticated principal (the token is not parsed again). Claims that do not fit `T`
/// answer 401 `Invalid token: invalid claims value`. `T` must implement
/// [`serde::Deserialize`]; anything else is a compile error on that parameter.
///
/// ```
/// use jwt_guard::{Claims, authenticate};
///
/// #[derive(serde::Deserialize)]
/// struct Orders {
///     sub: String,
///     tenant: String,
/// }
///
/// #[authenticate("jwt")]
/// async fn orders(claims: Claims<Orders>) -> String {
///     format!("{} of {}", claims.sub, claims.tenant)
/// }
/// # let _app: axum::Router = axum::Router::new().route("/", axum::routing::get(orders));
/// ```
///
/// Outside the attribute, [`Claims::from_principal`] does the same from a [`Principal`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Claims<T>(pub T);

impl<T: DeserializeOwned> Claims<T> {
    /// Deserializes the claims of `principal` (see [`Principal::claims_as`]).
    pub fn from_principal(principal: &Principal) -> Result<Self, Error> {
        principal.claims_as().map(Claims)
    }
}

impl<T> Claims<T> {
    /// The deserialized claims.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Claims<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Claims<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Mine {
        sub: String,
        n: u32,
    }

    /// An ordinary principal is small to build and move: what DPoP, certificates and
    /// custom strategies add lives behind one pointer, none for a plain bearer token.
    #[test]
    fn an_ordinary_principal_is_four_words() {
        assert_eq!(
            std::mem::size_of::<Principal>(),
            4 * std::mem::size_of::<usize>()
        );
        let p = Principal::new(ClaimsMap::new());
        assert!(p.extra.is_none());
        let p = p.with_dpop_thumbprint("jkt".into());
        assert_eq!(p.dpop_thumbprint(), Some("jkt"));
        let p = p.with_certificate_thumbprint(&[0; 32]);
        assert_eq!(
            p.certificate_thumbprint(),
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        );
        assert_eq!(p.dpop_thumbprint(), Some("jkt"));
    }

    #[test]
    fn typed_claims_come_from_the_map() {
        let serde_json::Value::Object(map) = serde_json::json!({"sub": "ada", "n": 7, "x": [1]})
        else {
            unreachable!()
        };
        let p = Principal::new(map);
        assert_eq!(
            p.claims_as::<Mine>().unwrap(),
            Mine {
                sub: "ada".into(),
                n: 7
            }
        );
        assert_eq!(p.subject(), Some("ada"));
        let err = p.claims_as::<Vec<u8>>().unwrap_err();
        assert_eq!(err.status(), 401);
    }

    #[test]
    fn typed_claims_wrapper() {
        let serde_json::Value::Object(map) = serde_json::json!({"sub": "ada", "n": 7}) else {
            unreachable!()
        };
        let p = Principal::new(map);
        let claims = Claims::<Mine>::from_principal(&p).unwrap();
        assert_eq!(claims.n, 7);
        assert_eq!(claims.into_inner().sub, "ada");
        assert_eq!(
            Claims::<Vec<u8>>::from_principal(&p).unwrap_err().status(),
            401
        );
    }

    #[test]
    fn scopes_and_roles_follow_the_paths_it_carries() {
        let serde_json::Value::Object(map) = serde_json::json!({
            "scope": "orders:read profile",
            "scp": ["orders:write"],
            "realm_access": { "roles": ["ops"] },
            "roles": ["admin"],
        }) else {
            unreachable!()
        };
        let p = Principal::new(map);
        assert_eq!(p.scopes(), ["orders:read", "profile", "orders:write"]);
        assert!(p.has_scope("orders:write"));
        assert!(!p.has_scope("orders"));
        assert_eq!(p.roles(), ["admin"], "the default path is `roles`");
        let keycloak = ClaimPaths::default()
            .with_roles(["realm_access.roles"])
            .unwrap();
        let p = p.with_claim_paths(keycloak);
        assert_eq!(p.roles(), ["ops"]);
        assert!(p.has_role("ops"));
        assert!(!p.has_role("admin"));
    }

    #[test]
    fn debug_hides_values() {
        let serde_json::Value::Object(map) = serde_json::json!({"sub": "secret-subject"}) else {
            unreachable!()
        };
        let shown = format!("{:?}", Principal::new(map));
        assert!(!shown.contains("secret-subject"), "{shown}");
    }
}
