//! Strategies: what authenticates a request. [`JwtStrategy`] is the built-in one.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderMap;
use jsonwebtoken::DecodingKey;

use crate::algorithm::Algorithm;
use crate::cache::{TokenCache, TokenCacheConfig, Verified};
use crate::challenge::{ChallengeParams, Scheme};
use crate::claims::{ClaimPaths, ClaimsCell};
use crate::config_error::ConfigError;
use crate::dpop::{Dpop, DpopConfig, DpopError, Presented};
use crate::error::{Error, ErrorKind, TokenError};
use crate::extract::{self, DEFAULT_MAX_HEADER_BYTES};
use crate::issuers::{
    DEFAULT_MAX_TENANTS, Issuers, IssuersConfig, KeyRule, TenantBudget, TenantFilter,
};
use crate::jwks::{JwksClient, JwksConfig, KeyEntry, KeySet, PemKind};
use crate::principal::Principal;
use crate::request::RequestInfo;
use crate::resource_metadata::ProtectedResource;
use crate::rules::ClaimRuleSet;
use crate::time::Clock;
use crate::verify::{self, ClaimRules, Confirmation, Limits};

use crate::future::BoxFuture;

/// A named way to authenticate a request from its headers.
///
/// Return [`ErrorKind::MissingAuthorization`](crate::ErrorKind::MissingAuthorization) (or
/// [`ErrorKind::NotBearer`](crate::ErrorKind::NotBearer)) when the request carries no
/// credentials of your kind, any other error when it carries bad ones.
///
/// ```
/// use jwt_guard::{BoxFuture, Error, Principal, Strategy};
/// use http::HeaderMap;
///
/// struct ApiKey(&'static str);
///
/// impl Strategy for ApiKey {
///     fn authenticate<'a>(&'a self, headers: &'a HeaderMap) -> BoxFuture<'a, Result<Principal, Error>> {
///         Box::pin(async move {
///             match headers.get("x-api-key") {
///                 Some(key) if key.as_bytes() == self.0.as_bytes() => Ok(Principal::new(Default::default())),
///                 Some(_) => Err(Error::unauthorized("invalid API key")),
///                 None => Err(jwt_guard::ErrorKind::MissingAuthorization.into()),
///             }
///         })
///     }
/// }
/// ```
pub trait Strategy: Send + Sync + 'static {
    /// Authenticates a request from its headers.
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>>;

    /// The key engines this strategy fetches keys with, for readiness
    /// ([`readiness`](crate::readiness)) and metrics. Defaults to none.
    fn key_engines(&self) -> Vec<JwksClient> {
        Vec::new()
    }

    /// Not public API: the registry tells a strategy the name it was registered under
    /// (the first one wins), which labels its metrics and its key engines'.
    #[doc(hidden)]
    fn __registered(&self, _name: &Arc<str>) {}

    /// Authenticates a request from its headers and, where the integration knows them,
    /// its method and URI (what DPoP proofs are bound to). Defaults to
    /// [`authenticate`](Self::authenticate) on the headers.
    fn authenticate_request<'a>(
        &'a self,
        request: RequestInfo<'a>,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        self.authenticate(request.headers())
    }
}

/// Bearer JWTs verified against an issuer's keys.
///
/// Built with [`JwtStrategy::builder`]. Defaults follow LoopBack's `jwt` strategy (RS256
/// only, issuer checked, keys from `ISSUER/.well-known/jwks.json`), with a few secure
/// additions listed on [`JwtStrategyBuilder`].
#[derive(Clone)]
pub struct JwtStrategy {
    inner: Arc<JwtInner>,
}

struct JwtInner {
    keys: Keys,
    algorithms: Vec<Algorithm>,
    rules: ClaimRules,
    claim_rules: ClaimRuleSet,
    limits: Limits,
    max_header_bytes: usize,
    cache: Option<TokenCache>,
    claim_paths: Arc<ClaimPaths>,
    /// The key engine's clock (its own for static keys): one time for cache, keys, claims.
    clock: Arc<Clock>,
    /// The name it was first registered under, for metrics labels.
    label: std::sync::OnceLock<Arc<str>>,
    /// DPoP (RFC 9449), when the strategy accepts it.
    dpop: Option<Dpop>,
    /// What the strategy adds to its challenges (DPoP, resource metadata), if anything.
    challenge: Option<Arc<ChallengeParams>>,
    /// The resource identifier `aud` must name (RFC 8707), with protected resource metadata.
    resource: Option<String>,
    /// [`JwtStrategyBuilder::dangerous_accept_unverified_cnf`].
    accept_unverified_cnf: bool,
}

enum Keys {
    Static(KeySet),
    Remote(JwksClient),
    /// Several issuers or tenant patterns, each routed to its own keys.
    Issuers(Box<Issuers>),
}

impl JwtStrategy {
    /// Starts a configuration.
    pub fn builder() -> JwtStrategyBuilder {
        JwtStrategyBuilder::default()
    }

    /// The key engine, when keys come from a URL (for [`JwksClient::warm_up`] and
    /// [`JwksClient::status`]).
    pub fn jwks(&self) -> Option<&JwksClient> {
        match &self.inner.keys {
            Keys::Remote(client) => Some(client),
            Keys::Static(_) | Keys::Issuers(_) => None,
        }
    }

    /// Every key engine the strategy holds now: the one of [`jwks`](Self::jwks), or, with
    /// several issuers, each issuer's (an engine shared by issuers counted once) and each
    /// tenant's made so far.
    pub fn key_engines(&self) -> Vec<JwksClient> {
        match &self.inner.keys {
            Keys::Remote(client) => vec![client.clone()],
            Keys::Static(_) => Vec::new(),
            Keys::Issuers(issuers) => issuers.engines(),
        }
    }

    /// The tenant routes held now (each with its key engine, or a share of one): at most
    /// [`max_tenants`](JwtStrategyBuilder::max_tenants).
    pub fn tenant_engines(&self) -> usize {
        match &self.inner.keys {
            Keys::Issuers(issuers) => issuers.tenant_engines(),
            _ => 0,
        }
    }

    /// Verifies a bearer token (without the `Bearer ` prefix) and returns its principal.
    ///
    /// A token bound to a key (`cnf`) is refused: a bearer token comes with no proof of
    /// possession (see [`TokenError::UnsupportedConfirmation`]).
    pub async fn verify_token(&self, token: &str) -> Result<Principal, Error> {
        self.verify_presented(token, Presented::Bearer).await
    }

    /// Verifies a token presented as `presented`: its `cnf` is checked for that.
    pub(crate) async fn verify_presented(
        &self,
        token: &str,
        presented: Presented,
    ) -> Result<Principal, Error> {
        if let Some(hit) = self.inner.cached(token.as_bytes(), presented)? {
            return Ok(hit);
        }
        self.inner.verify_uncached(token, presented).await
    }

    /// [`Strategy::authenticate`], unboxed: the registry calls this for a `JwtStrategy`,
    /// so that the built-in strategy costs no allocation per request.
    pub(crate) async fn authenticate_headers(
        &self,
        headers: &HeaderMap,
    ) -> Result<Principal, Error> {
        let inner = &*self.inner;
        let candidate = extract::bearer_candidate(headers, inner.max_header_bytes)?;
        // A cache hit needs no pass over the token's characters (see `Candidate`).
        if let Some(bytes) = candidate.unchecked()
            && let Some(hit) = inner.cached(bytes, Presented::Bearer)?
        {
            return Ok(hit);
        }
        inner
            .verify_uncached(candidate.check()?, Presented::Bearer)
            .await
    }

    /// [`Strategy::authenticate_request`], unboxed (see
    /// [`authenticate_headers`](Self::authenticate_headers)): DPoP and resource metadata
    /// when configured, else the bearer path.
    pub(crate) async fn authenticate_info(
        &self,
        request: RequestInfo<'_>,
    ) -> Result<Principal, Error> {
        let inner = &*self.inner;
        let Some(challenge) = &inner.challenge else {
            return self.authenticate_headers(request.headers()).await;
        };
        let principal = match &inner.dpop {
            Some(dpop) => {
                let now = inner.clock.unix_now();
                // Boxed: its replay store's future (Redis) would otherwise make every
                // request's future, bearer or not, that much larger to move.
                Box::pin(crate::dpop::authenticate(
                    dpop,
                    self,
                    request,
                    inner.max_header_bytes,
                    now,
                    challenge,
                ))
                .await?
            }
            None => self
                .authenticate_headers(request.headers())
                .await
                .map_err(|e| e.with_challenge(challenge, Scheme::Bearer))?,
        };
        if let Some(resource) = &inner.resource
            && !names_audience(&principal, resource)
        {
            let scheme = match principal.dpop_thumbprint() {
                Some(_) => Scheme::Dpop,
                None => Scheme::Bearer,
            };
            return Err(Error::from(TokenError::InvalidAudience).with_challenge(challenge, scheme));
        }
        Ok(principal.with_challenge(challenge))
    }

    /// The name it was first registered under, for metrics labels.
    pub(crate) fn label(&self) -> Option<&Arc<str>> {
        self.inner.label.get()
    }

    /// Tokens held by the verified-token cache (0 when it is off).
    pub fn cached_tokens(&self) -> usize {
        self.inner.cache.as_ref().map_or(0, TokenCache::len)
    }

    /// Test hook: the summed weight (bytes) of the cached tokens.
    #[doc(hidden)]
    pub fn __cached_weight(&self) -> u64 {
        self.inner.cache.as_ref().map_or(0, TokenCache::weight)
    }

    /// Test hook: steps this strategy's clock (key freshness, cache age, `exp`/`nbf`)
    /// forward.
    #[doc(hidden)]
    pub fn __advance_clock(&self, by: Duration) {
        self.inner.clock.advance(by);
    }
}

impl JwtInner {
    /// The principal of a cached `token`, when the cache is on and holds it (and its
    /// re-checks pass); `Ok(None)`: verify it. `token` may be unchecked header bytes: only
    /// bytes equal to a verified token can hit.
    fn cached(&self, token: &[u8], presented: Presented) -> Result<Option<Principal>, Error> {
        let Some(cache) = &self.cache else {
            return Ok(None);
        };
        // One monotonic reading for the entry's age and the key set's freshness.
        let now = self.clock.now();
        let Some(hit) = cache.get(token, now) else {
            crate::telemetry::token_cache(self.label.get(), false);
            return Ok(None);
        };
        match self.recheck(&hit, now) {
            Ok(true) => {
                crate::telemetry::token_cache(self.label.get(), true);
                self.confirmation(hit.cnf, presented)?;
                Ok(Some(Principal::from_shared(
                    Arc::clone(&hit.claims),
                    Arc::clone(&self.claim_paths),
                )))
            }
            // The key left the set: verify from scratch (and fail if it is gone).
            Ok(false) => {
                cache.remove(token);
                Ok(None)
            }
            Err(err) => {
                cache.remove(token);
                Err(err.into())
            }
        }
    }

    /// The full verification: header, key, signature, claims; cached when the cache is on.
    async fn verify_uncached(&self, token: &str, presented: Presented) -> Result<Principal, Error> {
        let parsed = verify::parse(token, &self.algorithms, &self.limits)?;
        crate::telemetry::token_header(parsed.alg, parsed.kid.as_deref());
        let mut route = None;
        let key = match &self.keys {
            // One issuer is routed as several are: a foreign `iss` is refused before any
            // key is looked up, so it costs no fetch.
            Keys::Static(set) => {
                crate::issuers::expect_issuer(parsed.payload, &self.rules.issuer)?;
                Arc::clone(set.find(parsed.kid.as_deref(), parsed.alg)?)
            }
            Keys::Remote(client) => {
                crate::issuers::expect_issuer(parsed.payload, &self.rules.issuer)?;
                client.key(parsed.kid.as_deref(), parsed.alg).await?
            }
            Keys::Issuers(issuers) => {
                let found = route.insert(issuers.route(parsed.payload)?);
                found.keys.key(parsed.kid.as_deref(), parsed.alg).await?
            }
        };
        verify::verify_signature(&parsed, &key)?;
        let json = verify::decode_payload(&parsed)?;
        let registered = verify::scan_claims(&json)?;
        let rules = route.as_ref().map_or(&self.rules, |r| &r.rules);
        verify::validate_claims(&registered, rules, self.clock.unix_now())?;
        let times = (registered.exp(), registered.nbf());
        let cnf = registered.cnf;
        drop(registered);
        let claims = Arc::new(ClaimsCell::from_json(json));
        // The checks below read the claims map: built only when one applies.
        if let (Keys::Issuers(issuers), Some(route)) = (&self.keys, &route) {
            issuers.check_tenant(route, claims.map())?;
        }
        if !self.claim_rules.is_empty() {
            self.claim_rules.check(parsed.at_jwt, claims.map())?;
        }
        if let Some(cache) = &self.cache {
            cache.insert(token, Arc::clone(&claims), times, cnf, &key);
        }
        // After the cache: the token is valid, only not presented the way its `cnf` asks.
        self.confirmation(cnf, presented)?;
        Ok(Principal::from_shared(
            claims,
            Arc::clone(&self.claim_paths),
        ))
    }

    /// The rule for `cnf` (RFC 7800), the one place it is decided: a token bound to a key
    /// is accepted only where that binding is verified. Through DPoP a `cnf` of `jkt` alone
    /// (the DPoP code then compares it with the proof key); as a bearer token no `cnf`. A
    /// DPoP-bound token sent as bearer to a strategy with DPoP is
    /// [`DpopError::BoundTokenAsBearer`]; every other binding that is not verified is
    /// [`TokenError::UnsupportedConfirmation`], unless the strategy was built with
    /// [`dangerous_accept_unverified_cnf`](JwtStrategyBuilder::dangerous_accept_unverified_cnf).
    fn confirmation(&self, cnf: Confirmation, presented: Presented) -> Result<(), Error> {
        let refusal = match (presented, cnf) {
            (Presented::Bearer, Confirmation::Absent) | (Presented::Dpop, Confirmation::Jkt) => {
                return Ok(());
            }
            (Presented::Dpop, Confirmation::Absent) => {
                return Err(ErrorKind::Dpop(DpopError::TokenNotBound).into());
            }
            // Verifiable here, and not verified: a stolen DPoP token stays useless, whatever
            // the opt-out.
            (Presented::Bearer, Confirmation::Jkt) if self.dpop.is_some() => {
                return Err(ErrorKind::Dpop(DpopError::BoundTokenAsBearer).into());
            }
            (Presented::Bearer, Confirmation::Jkt | Confirmation::Other)
            | (Presented::Dpop, Confirmation::Other) => TokenError::UnsupportedConfirmation,
        };
        if self.accept_unverified_cnf {
            return Ok(());
        }
        tracing::debug!(
            ?cnf,
            ?presented,
            "token refused: its cnf binding is not verified by this strategy"
        );
        Err(refusal.into())
    }

    /// A cache hit is served only while its key is in the set a cold verification would
    /// use now (checked first, as the cold path looks the key up first; a due set starts
    /// its refresh) and its time claims hold. `Ok(false)`: verify again.
    fn recheck(&self, hit: &Verified, now: Instant) -> Result<bool, TokenError> {
        let Some(key) = hit.key.upgrade() else {
            return Ok(false);
        };
        let held = match &self.keys {
            Keys::Static(set) => set.contains(&key),
            Keys::Remote(client) => client.holds(&key, now),
            // The route of the verified `iss`, if it is still held (else verify again).
            Keys::Issuers(issuers) => hit
                .claims
                .map()
                .get("iss")
                .and_then(serde_json::Value::as_str)
                .and_then(|iss| issuers.held(iss))
                .is_some_and(|route| route.keys.holds(&key, now)),
        };
        if !held {
            return Ok(false);
        }
        let now = self.clock.unix_now();
        let leeway = self.rules.leeway;
        if hit.exp.is_some_and(|exp| now >= exp + leeway) {
            return Err(TokenError::Expired);
        }
        if hit.nbf.is_some_and(|nbf| nbf > now + leeway) {
            return Err(TokenError::NotYetValid);
        }
        Ok(true)
    }
}

impl crate::dpop::VerifyToken for JwtStrategy {
    fn verify<'a>(
        &'a self,
        token: &'a str,
        presented: Presented,
    ) -> impl Future<Output = Result<Principal, Error>> + Send + 'a {
        self.verify_presented(token, presented)
    }

    fn label(&self) -> Option<&Arc<str>> {
        JwtStrategy::label(self)
    }
}

impl Strategy for JwtStrategy {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        self.authenticate_request(RequestInfo::from_headers(headers))
    }

    fn authenticate_request<'a>(
        &'a self,
        request: RequestInfo<'a>,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(self.authenticate_info(request))
    }

    /// The same as [`JwtStrategy::key_engines`]: with several issuers, each issuer's and
    /// each tenant's engine made so far.
    fn key_engines(&self) -> Vec<JwksClient> {
        JwtStrategy::key_engines(self)
    }

    fn __registered(&self, name: &Arc<str>) {
        if self.inner.label.set(Arc::clone(name)).is_err() {
            return;
        }
        // Tenant engines made later stay unlabelled (their issuer is not a label either).
        for client in JwtStrategy::key_engines(self) {
            client.label(name);
        }
        if let Some(cache) = &self.inner.cache {
            cache.set_label(name);
        }
    }
}

/// True when the token's `aud` (a string or an array of strings) contains `resource`.
fn names_audience(principal: &Principal, resource: &str) -> bool {
    match principal.claim("aud") {
        Some(serde_json::Value::String(aud)) => aud == resource,
        Some(serde_json::Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(resource)),
        _ => false,
    }
}

impl fmt::Debug for JwtStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let issuers = match &inner.keys {
            Keys::Issuers(issuers) => issuers.names(),
            _ => vec![inner.rules.issuer.clone()],
        };
        f.debug_struct("JwtStrategy")
            .field("issuers", &issuers)
            .field("audiences", &inner.rules.audiences)
            .field("algorithms", &inner.algorithms)
            .field(
                "keys",
                &match &inner.keys {
                    Keys::Static(set) => format!("static ({} keys)", set.len()),
                    Keys::Remote(client) => format!("remote ({:?})", client.status().url),
                    Keys::Issuers(issuers) => format!("per issuer ({issuers:?})"),
                },
            )
            .finish()
    }
}

/// Configuration of a [`JwtStrategy`].
///
/// Every option and its default is in the table of the README's "Defaults" section; in
/// short: the issuer is required, keys come from `ISSUER/.well-known/jwks.json` unless
/// another source is chosen, RS256 only, `exp` required, no leeway, no audience check.
///
/// A strategy has **one key source**: [`jwks_uri`](Self::jwks_uri),
/// [`discover`](Self::discover), or pinned keys (any number of
/// [`jwks_json`](Self::jwks_json), [`jwk_json`](Self::jwk_json), [`rsa_pem`](Self::rsa_pem),
/// [`ec_pem`](Self::ec_pem), [`ed_pem`](Self::ed_pem), [`hmac_secret`](Self::hmac_secret)
/// calls, which add up). Choosing two is a [`ConfigError::ConflictingKeySources`]. A
/// mistake in any call is reported by [`build`](Self::build): the first one made.
#[derive(Default)]
#[must_use]
pub struct JwtStrategyBuilder {
    /// Each issuer (or tenant pattern), with its own key URL if one was given.
    issuers: Vec<(String, Option<String>)>,
    tenants: TenantFilter,
    tenant_claim: Option<Option<String>>,
    max_tenants: Option<usize>,
    new_tenant_budget: Option<TenantBudget>,
    source: Option<KeySource>,
    error: Option<ConfigError>,
    algorithms: Option<Vec<Algorithm>>,
    audiences: Option<Vec<String>>,
    leeway: Duration,
    require_exp: Option<bool>,
    max_header_bytes: Option<usize>,
    jwks_config: JwksConfig,
    token_cache: Option<TokenCacheConfig>,
    limits: Option<Limits>,
    scopes_claims: Option<Vec<String>>,
    roles_claims: Option<Vec<String>>,
    claim_rules: ClaimRuleSet,
    dpop: Option<DpopConfig>,
    resource: Option<ProtectedResource>,
    accept_unverified_cnf: bool,
}

/// Where a strategy's keys come from; chosen once.
enum KeySource {
    Url(String),
    Discover,
    Pinned(Vec<Arc<KeyEntry>>),
}

impl KeySource {
    fn name(&self) -> &'static str {
        match self {
            Self::Url(_) => "a JWKS URL (jwks_uri)",
            Self::Discover => "discovery (discover)",
            Self::Pinned(_) => "pinned keys",
        }
    }
}

impl fmt::Debug for JwtStrategyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtStrategyBuilder")
            .field("issuers", &self.issuers)
            .field("source", &self.source.as_ref().map(KeySource::name))
            .finish_non_exhaustive()
    }
}

impl JwtStrategyBuilder {
    /// An accepted `iss`, compared exactly (no case folding, no trailing-slash
    /// tolerance). Required; call again to accept several issuers (Google's
    /// `https://accounts.google.com` and `accounts.google.com`), each routed by the
    /// token's `iss`, read before the signature, to that issuer's keys alone: a token is
    /// never tried against another issuer's keys, and an `iss` not accepted is refused
    /// before any key is looked up (no fetch).
    ///
    /// With one `{tenant}` placeholder it is a **tenant pattern**
    /// (`https://login.microsoftonline.com/{tenant}/v2.0`): it needs
    /// [`tenants`](Self::tenants) or [`tenant_predicate`](Self::tenant_predicate), and the
    /// tenant claim is checked ([`tenant_claim`](Self::tenant_claim)). Any other brace, as
    /// in `{tenantid}`, fails [`build`](Self::build).
    ///
    /// The key source applies to each issuer: LoopBack's rule and
    /// [`discover`](Self::discover) per issuer (per tenant), a [`jwks_uri`](Self::jwks_uri)
    /// shared by all (per tenant when it holds `{tenant}`), pinned keys shared.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push((issuer.into(), None));
        self
    }

    /// An accepted issuer (or tenant pattern) whose keys are at `jwks_uri` (which may hold
    /// `{tenant}`), whatever the strategy's key source is.
    pub fn issuer_with_jwks_uri(
        mut self,
        issuer: impl Into<String>,
        jwks_uri: impl Into<String>,
    ) -> Self {
        self.issuers.push((issuer.into(), Some(jwks_uri.into())));
        self
    }

    /// Tenants a tenant pattern accepts (added to those of earlier calls). A tenant not
    /// accepted is refused before any key is looked up: no fetch, no engine.
    pub fn tenants<I>(mut self, tenants: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.tenants
            .list
            .extend(tenants.into_iter().map(Into::into));
        self
    }

    /// Accepts the tenants `predicate` returns true for (besides [`tenants`](Self::tenants)).
    /// `|_| true` accepts any tenant; each new one then costs an engine (bounded by
    /// [`max_tenants`](Self::max_tenants)) and, with a key URL per tenant, a fetch.
    pub fn tenant_predicate(
        mut self,
        predicate: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.tenants.predicate = Some(Arc::new(predicate));
        self
    }

    /// The claim that must name the tenant of a tenant pattern's `iss`. Defaults to
    /// `tid` (Entra ID); `None` turns the cross-check off.
    pub fn tenant_claim(mut self, claim: Option<&str>) -> Self {
        self.tenant_claim = Some(claim.map(str::to_owned));
        self
    }

    /// Most tenant routes (and their key engines) held at once; the least recently used
    /// goes first. Defaults to 256.
    pub fn max_tenants(mut self, tenants: usize) -> Self {
        self.max_tenants = Some(tenants);
        self
    }

    /// How fast key engines are made for tenants not held yet, when each tenant's keys
    /// are fetched (a key URL with `{tenant}`, [`discover`](Self::discover), or LoopBack's
    /// rule): at most `count` at once, `count` more per `per`, a token bucket. A tenant
    /// over the budget is answered 503 with `Retry-After` and costs no fetch; tenants
    /// held already are not affected. This is what bounds the fetches a flood of tokens
    /// naming new tenants can cause when [`tenant_predicate`](Self::tenant_predicate)
    /// accepts them. Defaults to 60 per minute; `count` 0 or `per` zero fails
    /// [`build`](Self::build).
    pub fn new_tenant_budget(mut self, count: u32, per: Duration) -> Self {
        self.new_tenant_budget = Some(TenantBudget { count, per });
        self
    }

    /// Where the JWK Set is. Defaults to `ISSUER/.well-known/jwks.json`, LoopBack's rule.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.choose(KeySource::Url(uri.into()));
        self
    }

    /// Finds the JWK Set URL in `ISSUER/.well-known/openid-configuration` (whose `issuer`
    /// must equal [`issuer`](Self::issuer)) instead of using LoopBack's rule.
    pub fn discover(mut self) -> Self {
        self.choose(KeySource::Discover);
        self
    }

    /// Pins the keys of a JWK Set document (`{"keys":[…]}`) instead of fetching keys.
    pub fn jwks_json(mut self, json: &[u8]) -> Self {
        match KeySet::from_jwks_json(json) {
            Ok(set) => self.pin(set.into_entries()),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Pins one key given as a JWK (JSON text).
    pub fn jwk_json(mut self, json: &[u8]) -> Self {
        match KeySet::from_jwk_json(json) {
            Ok(set) => self.pin(set.into_entries()),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Pins an RSA public key (PEM, PKCS#1 or SPKI), usable for RS* and PS*.
    pub fn rsa_pem(self, pem: &[u8], kid: Option<&str>) -> Self {
        self.pem(DecodingKey::from_rsa_pem(pem), PemKind::Rsa, kid)
    }

    /// Pins an EC public key (PEM, SPKI): P-256 for ES256, P-384 for ES384, P-521 for ES512.
    pub fn ec_pem(self, pem: &[u8], kid: Option<&str>) -> Self {
        self.pem(DecodingKey::from_ec_pem(pem), PemKind::Ec, kid)
    }

    /// Pins an Ed25519 public key (PEM, SPKI), for EdDSA.
    pub fn ed_pem(self, pem: &[u8], kid: Option<&str>) -> Self {
        self.pem(DecodingKey::from_ed_pem(pem), PemKind::Ed, kid)
    }

    /// Pins an HMAC secret, for HS256/384/512 (which must also be allowed with
    /// [`algorithms`](Self::algorithms)). At least the hash size of the algorithm
    /// (RFC 7518 §3.2): 32, 48 and 64 bytes for HS256, HS384 and HS512; a secret too short
    /// for every allowed `HS*` algorithm fails [`build`](Self::build).
    pub fn hmac_secret(mut self, secret: &[u8], kid: Option<&str>) -> Self {
        if secret.len() < 32 {
            let key = self.next_key_name(kid);
            self.fail(ConfigError::InvalidKey {
                key,
                reason: "an HMAC secret must be at least 32 bytes".into(),
            });
            return self;
        }
        self.pem(DecodingKey::from_secret(secret), PemKind::Hmac, kid)
    }

    fn pem(
        mut self,
        key: jsonwebtoken::errors::Result<DecodingKey>,
        kind: PemKind,
        kid: Option<&str>,
    ) -> Self {
        let entry = key
            .map_err(|e| format!("the key does not parse: {e}"))
            .and_then(|key| crate::jwks::static_entry(key, kind, kid));
        match entry {
            Ok(entry) => self.pin(vec![Arc::new(entry)]),
            Err(reason) => {
                let key = self.next_key_name(kid);
                self.fail(ConfigError::InvalidKey { key, reason });
            }
        }
        self
    }

    /// `"kid"`, or its place among the pinned keys: how a key is named in errors.
    fn next_key_name(&self, kid: Option<&str>) -> String {
        match kid {
            Some(kid) => format!("{kid:?}"),
            None => {
                let pinned = match &self.source {
                    Some(KeySource::Pinned(keys)) => keys.len(),
                    _ => 0,
                };
                format!("#{} (no kid)", pinned + 1)
            }
        }
    }

    fn choose(&mut self, source: KeySource) {
        match &self.source {
            None => self.source = Some(source),
            Some(first) => {
                let error = ConfigError::ConflictingKeySources {
                    first: first.name(),
                    second: source.name(),
                };
                self.fail(error);
            }
        }
    }

    fn pin(&mut self, entries: Vec<Arc<KeyEntry>>) {
        match &mut self.source {
            Some(KeySource::Pinned(keys)) => keys.extend(entries),
            None => self.source = Some(KeySource::Pinned(entries)),
            Some(_) => self.choose(KeySource::Pinned(entries)),
        }
    }

    /// The first mistake made so far, taken out (for configuration files, which name
    /// the field that made it).
    #[cfg(feature = "config")]
    pub(crate) fn take_error(&mut self) -> Option<ConfigError> {
        self.error.take()
    }

    /// Keeps the first mistake: it is the one `build` reports.
    fn fail(&mut self, error: ConfigError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// The algorithm allow-list. Defaults to `[RS256]`. `none` does not exist here.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Requires `aud` to contain this audience (call again to accept several). Defaults to
    /// not checking `aud`, as LoopBack's strategy.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences
            .get_or_insert_with(Vec::new)
            .push(audience.into());
        self
    }

    /// Clock tolerance for `exp` and `nbf`, to the nanosecond. Defaults to 0 s; at most
    /// [`MAX_LEEWAY`](crate::verify::MAX_LEEWAY) (10 minutes), else [`build`](Self::build)
    /// fails with [`ConfigError::InvalidOption`] naming `leeway`: a leeway of days would
    /// accept tokens that expired days ago.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Whether a token without `exp` is refused. Defaults to `true`.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = Some(required);
        self
    }

    /// Cap on the `Authorization` header, checked before anything is decoded. Defaults to
    /// 16 KiB ([`DEFAULT_MAX_HEADER_BYTES`](crate::extract::DEFAULT_MAX_HEADER_BYTES)).
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = Some(bytes);
        self
    }

    /// Settings of the key engine (timeouts, caps, cache ages).
    pub fn jwks_config(mut self, config: JwksConfig) -> Self {
        self.jwks_config = config;
        self
    }

    /// Size caps on the token and its parts, checked before decoding. Defaults to
    /// [`Limits::default`] with `max_token_bytes` equal to
    /// [`max_header_bytes`](Self::max_header_bytes).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Turns on the verified-token cache: a token verified once is served from memory
    /// (time claims re-checked, key still in the set) until its `exp` or the cache's max
    /// age. Off by default.
    pub fn token_cache(mut self, config: TokenCacheConfig) -> Self {
        self.token_cache = Some(config);
        self
    }

    /// Reads the granted scopes at this claim path. The first call replaces the default
    /// paths (`scope`, `scp`); each further call adds a path, merged in order. Path syntax
    /// as in [`ClaimPaths`]. Auth0's permissions beside the standard claims:
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// let strategy = jwt_guard::JwtStrategy::builder()
    ///     .issuer("https://tenant.auth0.example/")
    ///     .scopes_claim("scope")
    ///     .scopes_claim("permissions")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn scopes_claim(mut self, path: impl Into<String>) -> Self {
        self.scopes_claims
            .get_or_insert_with(Vec::new)
            .push(path.into());
        self
    }

    /// Reads the caller's roles at this claim path. The first call replaces the default
    /// path (`roles`); each further call adds a path, merged in order — e.g. Keycloak's
    /// `realm_access.roles` and `resource_access.my-app.roles`.
    pub fn roles_claim(mut self, path: impl Into<String>) -> Self {
        self.roles_claims
            .get_or_insert_with(Vec::new)
            .push(path.into());
        self
    }

    /// Refuses a token without this claim (or with it `null`). Call again for more.
    pub fn require_claim(mut self, claim: &str) -> Self {
        self.claim_rules.require(claim);
        self
    }

    /// Requires `claim` to be a string from `values` (calls for one claim add up):
    /// absent is "jwt CLAIM is required", another value "invalid CLAIM value", both 401.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// // Cognito access tokens of one app client: `client_id`, not `aud`, and `token_use`.
    /// let strategy = jwt_guard::JwtStrategy::builder()
    ///     .issuer("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf")
    ///     .claim_one_of("client_id", ["3n4b5urk1ft4fl3mg5e62d9ado"])
    ///     .claim_one_of("token_use", ["access"])
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn claim_one_of<I>(mut self, claim: &str, values: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.claim_rules
            .one_of(claim, values.into_iter().map(Into::into).collect());
        self
    }

    /// The `azp` (authorized party: the client the token was issued to, as Keycloak and
    /// OpenID Connect set it) must be one of `clients`. Same as
    /// [`claim_one_of`](Self::claim_one_of)`("azp", clients)`.
    pub fn authorized_parties<I>(self, clients: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.claim_one_of("azp", clients)
    }

    /// The RFC 9068 profile for JWT access tokens, opt-in: the header's `typ` must be
    /// `at+jwt` (or `application/at+jwt`), and `iss`, `exp`, `aud`, `sub`, `client_id`,
    /// `iat` and `jti` must be present. Needs an [`audience`](Self::audience) (RFC 9068
    /// §4: the resource server checks `aud`), else [`build`](Self::build) fails. This
    /// refuses ID tokens (`typ: JWT`) presented as access tokens.
    pub fn access_token_profile(mut self) -> Self {
        self.claim_rules.access_token_profile();
        self
    }

    /// A custom check over the verified claims, run after every other rule: return
    /// [`Error::unauthorized`] for a 401 or [`Error::forbidden`] for a 403. It must depend
    /// on the claims alone (a cached token is not checked again). Call again for more.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// use jwt_guard::Error;
    ///
    /// let strategy = jwt_guard::JwtStrategy::builder()
    ///     .issuer("https://issuer.example")
    ///     .claims_check(|claims| match claims.get("email_verified") {
    ///         Some(serde_json::Value::Bool(true)) => Ok(()),
    ///         _ => Err(Error::forbidden("a verified email is required")),
    ///     })
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn claims_check(
        mut self,
        check: impl Fn(&crate::claims::ClaimsMap) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Self {
        self.claim_rules.check_with(Arc::new(check));
        self
    }

    /// Accepts DPoP-bound tokens (RFC 9449), beside bearer tokens or instead of them:
    /// see [`dpop`](crate::dpop). Off by default.
    pub fn dpop(mut self, config: DpopConfig) -> Self {
        self.dpop = Some(config);
        self
    }

    /// Accepts tokens bound to a key (`cnf`, RFC 7800) that this strategy does not verify:
    /// certificate-bound tokens (`cnf.x5t#S256`, RFC 8705) and any other confirmation
    /// method as plain bearer tokens, DPoP-bound ones (`cnf.jkt`) too when DPoP is off.
    /// **Dangerous**: whoever steals such a token can use it without the key it is bound
    /// to. Only for a deployment that knowingly accepts them, e.g. behind a proxy that
    /// checks the mTLS binding itself. Off by default: such tokens are refused,
    /// [`TokenError::UnsupportedConfirmation`]. A strategy with DPoP still refuses a
    /// `cnf.jkt` token sent as bearer.
    pub fn dangerous_accept_unverified_cnf(mut self) -> Self {
        self.accept_unverified_cnf = true;
        self
    }

    /// Guards the resource of this metadata (RFC 9728): `aud` must name it (RFC 8707),
    /// challenges carry `resource_metadata`, and the issuer (with the DPoP settings)
    /// joins its document. See [`resource_metadata`](crate::resource_metadata).
    pub fn protected_resource(mut self, resource: &ProtectedResource) -> Self {
        self.resource = Some(resource.clone());
        self
    }

    /// Checks the configuration and builds the strategy. No network I/O happens here;
    /// call [`JwksClient::warm_up`] through [`JwtStrategy::jwks`] to fetch keys early.
    pub fn build(self) -> Result<JwtStrategy, ConfigError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let Some((first, _)) = self.issuers.first() else {
            return Err(ConfigError::MissingIssuer);
        };
        for (issuer, _) in &self.issuers {
            crate::issuers::check_issuer(issuer)?;
        }
        let issuer = first.clone();
        let issuer_names: Vec<String> = self.issuers.iter().map(|(i, _)| i.clone()).collect();
        let patterns = self
            .issuers
            .iter()
            .any(|(i, _)| i.contains(crate::issuers::TENANT));
        if self.tenants.is_set() && !patterns {
            return Err(ConfigError::InvalidOption {
                option: "tenants",
                reason: "tenants are accepted only by a tenant pattern (an issuer with \
                         `{tenant}`), and no issuer is one"
                    .into(),
            });
        }
        let routed = self.issuers.len() > 1
            || self.issuers[0].1.is_some()
            || issuer.contains(crate::issuers::TENANT);
        let algorithms = self.algorithms.unwrap_or_else(|| vec![Algorithm::RS256]);
        if algorithms.is_empty() {
            return Err(ConfigError::NoAlgorithms);
        }
        let symmetric = algorithms.iter().any(|a| a.is_hmac());
        let asymmetric = algorithms.iter().any(|a| !a.is_hmac());
        if symmetric && asymmetric {
            return Err(ConfigError::MixedAlgorithms);
        }
        if symmetric && !matches!(self.source, Some(KeySource::Pinned(_))) {
            return Err(ConfigError::HmacWithoutSecret);
        }
        let mut claim_paths = ClaimPaths::default();
        if let Some(paths) = &self.scopes_claims {
            claim_paths = claim_paths.with_scopes(paths)?;
        }
        if let Some(paths) = &self.roles_claims {
            claim_paths = claim_paths.with_roles(paths)?;
        }
        if self.claim_rules.is_access_token_profile() && self.audiences.is_none() {
            return Err(ConfigError::InvalidOption {
                option: "access_token_profile",
                reason: "the RFC 9068 profile needs an audience (RFC 9068 §4): set audience(...)"
                    .into(),
            });
        }
        let new_tenants = self.new_tenant_budget.unwrap_or_default();
        if new_tenants.count == 0 || new_tenants.per.is_zero() {
            return Err(ConfigError::InvalidOption {
                option: "new_tenant_budget",
                reason: "the budget must allow at least one engine in a window of more than \
                         zero"
                    .into(),
            });
        }
        if self.leeway > verify::MAX_LEEWAY {
            return Err(ConfigError::InvalidOption {
                option: "leeway",
                reason: format!(
                    "{:?} is over the maximum of {:?} (clock skew, not token lifetime)",
                    self.leeway,
                    verify::MAX_LEEWAY
                ),
            });
        }
        let rules = ClaimRules {
            issuer,
            audiences: self.audiences,
            leeway: self.leeway.as_secs_f64(),
            require_exp: self.require_exp.unwrap_or(true),
        };
        let keys = match self.source {
            Some(KeySource::Url(url)) if url.contains(crate::issuers::TENANT) && !routed => {
                return Err(ConfigError::InvalidUrl {
                    url,
                    reason: "it has a {tenant} placeholder but the issuer is not a tenant \
                             pattern"
                        .into(),
                });
            }
            source if routed => {
                let rule = match source {
                    Some(KeySource::Pinned(entries)) => {
                        for entry in &entries {
                            crate::jwks::check_pinned_hmac(entry, &algorithms)?;
                        }
                        KeyRule::Pinned(Arc::new(KeySet::pinned(entries)?))
                    }
                    Some(KeySource::Discover) => KeyRule::Discover,
                    Some(KeySource::Url(url)) => KeyRule::Url(url),
                    None => KeyRule::Default,
                };
                Keys::Issuers(Box::new(Issuers::new(IssuersConfig {
                    issuers: self
                        .issuers
                        .into_iter()
                        .map(|(issuer, url)| {
                            (issuer, url.map_or_else(|| rule.clone(), KeyRule::Url))
                        })
                        .collect(),
                    tenants: self.tenants,
                    tenant_claim: self.tenant_claim.unwrap_or_else(|| Some("tid".into())),
                    max_tenants: self.max_tenants.unwrap_or(DEFAULT_MAX_TENANTS),
                    new_tenants,
                    rules: rules.clone(),
                    jwks_config: self.jwks_config,
                })?))
            }
            Some(KeySource::Pinned(entries)) => {
                for entry in &entries {
                    crate::jwks::check_pinned_hmac(entry, &algorithms)?;
                }
                Keys::Static(KeySet::pinned(entries)?)
            }
            Some(KeySource::Discover) => {
                Keys::Remote(JwksClient::discover(&rules.issuer, self.jwks_config)?)
            }
            Some(KeySource::Url(url)) => Keys::Remote(JwksClient::new(&url, self.jwks_config)?),
            None => Keys::Remote(JwksClient::default_for(&rules.issuer, self.jwks_config)?),
        };
        let clock = match &keys {
            Keys::Remote(client) => client.clock(),
            Keys::Static(_) | Keys::Issuers(_) => Arc::new(Clock::default()),
        };
        let dpop = self.dpop.map(DpopConfig::build).transpose()?;
        let challenge = (dpop.is_some() || self.resource.is_some()).then(|| {
            Arc::new(ChallengeParams {
                dpop: dpop.as_ref().map(Dpop::challenge),
                resource_metadata: self.resource.as_ref().map(|r| r.metadata_url().to_owned()),
            })
        });
        if let Some(resource) = &self.resource {
            let dpop = dpop
                .as_ref()
                .map(|d| (d.algorithms().to_vec(), d.required()));
            // Every issuer the strategy accepts (tenant patterns as written).
            for issuer in &issuer_names {
                resource.add_server(issuer, dpop.clone());
            }
        }
        let max_header_bytes = self.max_header_bytes.unwrap_or(DEFAULT_MAX_HEADER_BYTES);
        let limits = self.limits.unwrap_or(Limits {
            max_token_bytes: max_header_bytes,
            ..Limits::default()
        });
        Ok(JwtStrategy {
            inner: Arc::new(JwtInner {
                keys,
                algorithms,
                rules,
                claim_rules: self.claim_rules,
                limits,
                max_header_bytes,
                cache: self
                    .token_cache
                    .map(|config| TokenCache::new(config, Arc::clone(&clock))),
                clock,
                claim_paths: Arc::new(claim_paths),
                label: std::sync::OnceLock::new(),
                dpop,
                challenge,
                resource: self.resource.map(|r| r.resource().to_owned()),
                accept_unverified_cnf: self.accept_unverified_cnf,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://issuer.example";
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn err(builder: JwtStrategyBuilder) -> ConfigError {
        builder.build().expect_err("must be refused")
    }

    #[test]
    fn one_key_source() {
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .jwks_uri("https://issuer.example/keys")
            .discover());
        assert!(
            matches!(
                e,
                ConfigError::ConflictingKeySources {
                    first: "a JWKS URL (jwks_uri)",
                    second: "discovery (discover)"
                }
            ),
            "{e}"
        );
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .algorithms([Algorithm::HS256])
            .hmac_secret(SECRET, None)
            .jwks_uri("https://issuer.example/keys"));
        assert!(
            matches!(
                e,
                ConfigError::ConflictingKeySources {
                    first: "pinned keys",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn pinned_keys_add_up() {
        let strategy = JwtStrategy::builder()
            .issuer(ISSUER)
            .algorithms([Algorithm::HS256])
            .hmac_secret(SECRET, Some("a"))
            .jwk_json(br#"{"kty":"oct","kid":"b","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}"#)
            .jwks_json(br#"{"keys":[{"kty":"oct","kid":"c","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}"#)
            .build()
            .unwrap();
        let Keys::Static(set) = &strategy.inner.keys else {
            panic!("pinned")
        };
        assert_eq!(set.kids(), ["a", "b", "c"]);
    }

    #[test]
    fn the_first_mistake_is_reported() {
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .algorithms([Algorithm::HS256])
            .hmac_secret(b"short", Some("first"))
            .rsa_pem(b"not a pem", Some("second")));
        let ConfigError::InvalidKey { key, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(key, "\"first\"");
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .rsa_pem(b"not a pem", None)
            .discover());
        assert!(
            matches!(&e, ConfigError::InvalidKey { key, .. } if key == "#1 (no kid)"),
            "{e}"
        );
    }

    #[test]
    fn leeway_keeps_sub_second_precision() {
        let strategy = JwtStrategy::builder()
            .issuer(ISSUER)
            .leeway(Duration::from_millis(900))
            .build()
            .unwrap();
        assert!((strategy.inner.rules.leeway - 0.9).abs() < 1e-9);
        let most = JwtStrategy::builder()
            .issuer(ISSUER)
            .leeway(verify::MAX_LEEWAY)
            .build()
            .unwrap();
        assert!((most.inner.rules.leeway - 600.0).abs() < 1e-9);
        for over in [
            verify::MAX_LEEWAY + Duration::from_nanos(1),
            Duration::from_secs(4_294_967_295 * 86_400),
            Duration::MAX,
        ] {
            let e = err(JwtStrategy::builder().issuer(ISSUER).leeway(over));
            assert!(
                matches!(
                    e,
                    ConfigError::InvalidOption {
                        option: "leeway",
                        ..
                    }
                ),
                "{e}"
            );
        }
    }

    #[test]
    fn claim_paths_are_the_strategys() {
        let strategy = JwtStrategy::builder()
            .issuer(ISSUER)
            .scopes_claim("permissions")
            .roles_claim("realm_access.roles")
            .roles_claim("resource_access.app.roles")
            .build()
            .unwrap();
        let paths = &strategy.inner.claim_paths;
        assert_eq!(paths.scope_paths().collect::<Vec<_>>(), ["permissions"]);
        assert_eq!(
            paths.role_paths().collect::<Vec<_>>(),
            ["realm_access.roles", "resource_access.app.roles"]
        );
        let e = err(JwtStrategy::builder().issuer(ISSUER).roles_claim("a..b"));
        assert!(matches!(e, ConfigError::InvalidClaimPath { .. }), "{e}");
    }

    #[test]
    fn algorithm_rules() {
        assert!(matches!(
            err(JwtStrategy::builder()),
            ConfigError::MissingIssuer
        ));
        assert!(matches!(
            err(JwtStrategy::builder().issuer(ISSUER).algorithms([])),
            ConfigError::NoAlgorithms
        ));
        assert!(matches!(
            err(JwtStrategy::builder()
                .issuer(ISSUER)
                .algorithms([Algorithm::HS256, Algorithm::RS256])),
            ConfigError::MixedAlgorithms
        ));
        assert!(matches!(
            err(JwtStrategy::builder()
                .issuer(ISSUER)
                .algorithms([Algorithm::HS256])),
            ConfigError::HmacWithoutSecret
        ));
    }
}
