//! The built-in strategy's request path: bearer or DPoP token, cache, keys, signature,
//! claims.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderMap, Uri};

use crate::algorithm::Algorithm;
use crate::cache::{TokenCache, Verified};
use crate::challenge::{ChallengeParams, Scheme};
use crate::claims::{Attached, ClaimPaths, ClaimsCell};
use crate::dpop::{Dpop, Presented};
use crate::error::{Error, ErrorKind, TokenError};
use crate::extract::{self};
use crate::issuers::{Issuers, Route, RouteKeys};
use crate::jwks::{JwksClient, KeySet};
use crate::mtls::{MtlsConfig, Thumbprint};
use crate::principal::Principal;
use crate::request::RequestInfo;
use crate::resource_metadata::ProtectedResource;
use crate::rules::ClaimRuleSet;
use crate::status_list::{ListKeys, StatusLists};
use crate::time::Clock;
use crate::verify::{self, ClaimRules, Confirmation, Limits};

use crate::future::{BoxFuture, Pending};

use super::builder::JwtStrategyBuilder;
use super::traits::Strategy;

/// Bearer JWTs verified against an issuer's keys.
///
/// Built with [`JwtStrategy::builder`]. Defaults follow LoopBack's `jwt` strategy (RS256
/// only, issuer checked, keys from `ISSUER/.well-known/jwks.json`), with a few secure
/// additions listed on [`JwtStrategyBuilder`].
#[derive(Clone)]
pub struct JwtStrategy {
    pub(super) inner: Arc<JwtInner>,
}

pub(super) struct JwtInner {
    pub(super) keys: Keys,
    pub(super) algorithms: Vec<Algorithm>,
    pub(super) rules: ClaimRules,
    pub(super) claim_rules: ClaimRuleSet,
    pub(super) limits: Limits,
    pub(super) max_header_bytes: usize,
    /// Where the token is read ([`TokenSource`](crate::TokenSource)), decided at build.
    pub(super) reader: extract::Reader,
    pub(super) cache: Option<TokenCache>,
    pub(super) claim_paths: Arc<ClaimPaths>,
    /// The key engine's clock (its own for static keys): one time for cache, keys, claims.
    pub(super) clock: Arc<Clock>,
    /// The name it was first registered under, for metrics labels.
    pub(super) label: std::sync::OnceLock<crate::telemetry::Label>,
    /// DPoP (RFC 9449), when the strategy accepts it.
    pub(super) dpop: Option<Dpop>,
    /// What the strategy adds to its challenges (DPoP, resource metadata), if anything.
    pub(super) challenge: Option<Arc<ChallengeParams>>,
    /// The resource identifier `aud` must name (RFC 8707), with protected resource metadata:
    /// canonical, made once when the [`ProtectedResource`] was built.
    pub(super) resource: Option<String>,
    /// What the protected resource's document learns when the strategy is registered.
    pub(super) announce: Option<Announce>,
    /// [`JwtStrategyBuilder::dangerous_accept_unverified_cnf`].
    pub(super) accept_unverified_cnf: bool,
    /// [`JwtStrategyBuilder::scope_rule`], type-erased for the principal; `None` for exact
    /// match (the principal then carries nothing).
    pub(super) scope_rule: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// Certificate-bound tokens (RFC 8705), when the strategy checks them.
    pub(super) mtls: Option<MtlsConfig>,
    /// Token Status Lists, when the strategy checks them.
    pub(super) status: Option<StatusLists>,
}

/// A strategy's part of its protected resource's document (RFC 9728): the issuers it
/// accepts and its DPoP settings, added when it is registered, not when it is built.
pub(super) struct Announce {
    pub(super) resource: ProtectedResource,
    pub(super) issuers: Vec<String>,
    pub(super) dpop: Option<(Vec<Algorithm>, bool)>,
    /// Its scope rule, for the `prefix:*` entries of `scopes_supported`.
    pub(super) scope_rule: crate::authz::ScopeRule,
    /// True when the strategy checks certificate-bound tokens.
    pub(super) mtls: bool,
}

pub(super) enum Keys {
    Static(Arc<KeySet>),
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

    /// The registry tells the strategy the name it was registered under (the first one
    /// wins), which labels its metrics and its key engines'.
    pub(crate) fn registered_as(&self, name: &Arc<str>) {
        if let Some(announce) = &self.inner.announce {
            for issuer in &announce.issuers {
                announce.resource.add_server(
                    issuer,
                    announce.dpop.clone(),
                    announce.mtls,
                    &announce.scope_rule,
                );
            }
        }
        if self
            .inner
            .label
            .set(crate::telemetry::Label::new(name))
            .is_err()
        {
            return;
        }
        // Tenant engines made later stay unlabelled (their issuer is not a label either).
        for client in JwtStrategy::key_engines(self) {
            client.label(name);
        }
        if let Some(cache) = &self.inner.cache {
            cache.set_label(name);
        }
        if let Some(status) = &self.inner.status {
            status.set_label(name);
        }
    }

    /// Verifies a bearer token (without the `Bearer ` prefix) and returns its principal.
    ///
    /// A token bound to a key (`cnf`) is refused: a bearer token comes with no proof of
    /// possession (see [`TokenError::UnsupportedConfirmation`]).
    pub async fn verify_token(&self, token: &str) -> Result<Principal, Error> {
        self.verify_presented(token, Presented::Bearer, None).await
    }

    /// Verifies a token presented as `presented`, over a connection with the client
    /// certificate `cert`: its `cnf` is checked for that.
    pub(crate) async fn verify_presented(
        &self,
        token: &str,
        presented: Presented,
        cert: Option<Thumbprint>,
    ) -> Result<Principal, Error> {
        if let Some(hit) = self.inner.cached(token.as_bytes(), presented, cert)? {
            return Ok(hit);
        }
        Box::pin(self.inner.verify_uncached(token, presented, cert)).await
    }

    /// The bearer path, over a connection with the client certificate `cert`: the
    /// registry reaches it through [`authenticate_info`](Self::authenticate_info),
    /// unboxed. A cache hit (or a refusal before any key is needed) is decided here and
    /// now, without building a future; only the full verification is boxed. `uri`, when
    /// known, is looked at for an `access_token` query parameter beside the token
    /// (refused: two methods at once).
    fn authenticate_bearer<'a>(
        &self,
        headers: &'a HeaderMap,
        uri: Option<&Uri>,
        cert: Option<Thumbprint>,
    ) -> Pending<'a, Result<Principal, Error>> {
        match self.bearer_hit(headers, uri, cert) {
            Ok(Ok(hit)) => Pending::Ready(Ok(hit)),
            Err(err) => Pending::Ready(Err(err)),
            // Boxed, with a handle of its own on the strategy (the caller's may be a
            // guard that cannot wait): one allocation beside a signature check.
            Ok(Err(token)) => {
                let inner = Arc::clone(&self.inner);
                Pending::Running(Box::pin(async move {
                    inner.verify_uncached(token, Presented::Bearer, cert).await
                }))
            }
        }
    }

    /// The part of the bearer path that needs no waiting: the token read, and its
    /// principal when the cache holds it (`Ok(Ok(_))`); `Ok(Err(token))`: verify it.
    fn bearer_hit<'a>(
        &self,
        headers: &'a HeaderMap,
        uri: Option<&Uri>,
        cert: Option<Thumbprint>,
    ) -> Result<Result<Principal, &'a str>, Error> {
        let inner = &*self.inner;
        let candidate = inner
            .reader
            .candidate(headers, uri, inner.max_header_bytes)?;
        // A cache hit needs no pass over the token's characters (see `Candidate`).
        if let Some(bytes) = candidate.unchecked()
            && let Some(hit) = inner.cached(bytes, Presented::Bearer, cert)?
        {
            return Ok(Ok(hit));
        }
        Ok(Err(candidate.check()?))
    }

    /// [`Strategy::authenticate_request`], unboxed (see
    /// [`authenticate_bearer`](Self::authenticate_bearer)): DPoP, certificate binding
    /// and resource metadata when configured, else the bearer path.
    pub(crate) fn authenticate_info<'a>(
        &self,
        request: RequestInfo<'a>,
    ) -> Pending<'a, Result<Principal, Error>> {
        let inner = &*self.inner;
        // The client certificate, as this strategy reads it (connection or trusted
        // proxy); none for a strategy that does not check certificate bindings.
        let cert = match &inner.mtls {
            None => None,
            Some(mtls) => match mtls.presented(request.headers(), request.client_certificate()) {
                Ok(cert) => cert,
                Err(_) => {
                    let err = Error::new(ErrorKind::MalformedClientCert);
                    return Pending::Ready(Err(match &inner.challenge {
                        Some(challenge) => err.with_challenge(challenge, Scheme::Bearer),
                        None => err,
                    }));
                }
            },
        };
        let Some(challenge) = &inner.challenge else {
            return self.authenticate_bearer(request.headers(), request.uri(), cert);
        };
        match &inner.dpop {
            Some(_) => {
                // DPoP reads the Authorization header (`build` saw to it); a token in the
                // query beside it is two methods at once.
                if extract::query_has_token(request.uri())
                    && request.headers().contains_key(http::header::AUTHORIZATION)
                {
                    return Pending::Ready(Err(Error::from(ErrorKind::MultipleCredentials)
                        .with_challenge(challenge, Scheme::Bearer)));
                }
                let now = inner.clock.unix_now();
                // Boxed (its replay store's future, Redis, is large), with a handle of
                // its own on the strategy.
                let strategy = self.clone();
                Pending::Running(Box::pin(async move {
                    strategy.authenticate_dpop(request, cert, now).await
                }))
            }
            None => match self.authenticate_bearer(request.headers(), request.uri(), cert) {
                Pending::Ready(result) => Pending::Ready(self.challenged(result, challenge)),
                Pending::Running(running) => {
                    let (strategy, challenge) = (self.clone(), Arc::clone(challenge));
                    Pending::Running(Box::pin(async move {
                        strategy.challenged(running.await, &challenge)
                    }))
                }
            },
        }
    }

    /// The DPoP path of a strategy with DPoP on (RFC 9449), then its resource's `aud`.
    async fn authenticate_dpop(
        &self,
        request: RequestInfo<'_>,
        cert: Option<Thumbprint>,
        now: f64,
    ) -> Result<Principal, Error> {
        let inner = &*self.inner;
        // `build` gives every DPoP strategy its challenges.
        let (Some(dpop), Some(challenge)) = (&inner.dpop, &inner.challenge) else {
            return Err(Error::new(ErrorKind::Misconfigured(
                "a DPoP strategy without its challenges",
            )));
        };
        let principal = crate::dpop::authenticate(
            dpop,
            &WithCertificate {
                strategy: self,
                cert,
            },
            request,
            inner.max_header_bytes,
            now,
            challenge,
        )
        .await?;
        self.challenged(Ok(principal), challenge)
    }

    /// The principal of a strategy with challenges (DPoP, resource metadata): its `aud`
    /// checked against the resource, and its 403s carrying the challenges.
    /// A refusal of the bearer path carries the `Bearer` challenge.
    fn challenged(
        &self,
        result: Result<Principal, Error>,
        challenge: &Arc<ChallengeParams>,
    ) -> Result<Principal, Error> {
        let principal = result.map_err(|e| e.with_challenge(challenge, Scheme::Bearer))?;
        if let Some(resource) = &self.inner.resource
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
        self.inner.label.get().map(crate::telemetry::Label::name)
    }

    /// Where this strategy reads its token
    /// ([`token_source`](JwtStrategyBuilder::token_source)).
    pub fn token_source(&self) -> &crate::TokenSource {
        self.inner.reader.source()
    }

    /// Tokens held by the verified-token cache (0 when it is off).
    pub fn cached_tokens(&self) -> usize {
        self.inner.cache.as_ref().map_or(0, TokenCache::len)
    }

    /// The summed weight (bytes) of the cached tokens: `testkit::cached_weight`.
    #[cfg_attr(not(feature = "testkit"), allow(dead_code, reason = "a testkit hook"))]
    pub(crate) fn cached_weight(&self) -> u64 {
        self.inner.cache.as_ref().map_or(0, TokenCache::weight)
    }

    /// Steps this strategy's clock forward: `testkit::advance_clock`.
    #[cfg_attr(not(feature = "testkit"), allow(dead_code, reason = "a testkit hook"))]
    pub(crate) fn advance_clock(&self, by: Duration) {
        self.inner.clock.advance(by);
    }

    /// Now in Unix seconds by this strategy's clock, and its leeway in seconds: the time
    /// of the checks after authentication (step-up's `auth_time`).
    pub(crate) fn unix_now_and_leeway(&self) -> (f64, f64) {
        (self.inner.clock.unix_now(), self.inner.rules.leeway)
    }
}

impl JwtInner {
    /// The principal of a cached `token`, when the cache is on and holds it (and its
    /// re-checks pass); `Ok(None)`: verify it. `token` may be unchecked header bytes: only
    /// bytes equal to a verified token can hit.
    fn cached(
        &self,
        token: &[u8],
        presented: Presented,
        cert: Option<Thumbprint>,
    ) -> Result<Option<Principal>, Error> {
        let Some(cache) = &self.cache else {
            return Ok(None);
        };
        // One clock reading for the entry's age, the key set's freshness and `exp`.
        let (now, unix_now) = self.clock.now_and_unix();
        let Some(hit) = cache.get(token, now) else {
            crate::telemetry::token_cache(self.label.get(), false);
            return Ok(None);
        };
        match self.recheck(&hit, now, unix_now) {
            Ok(true) => {
                // The token's status, read from its held list: a revocation after it was
                // cached is seen once the list is refreshed. No usable list: verify again.
                if let (Some(lists), Some(place)) = (&self.status, &hit.status)
                    && !lists.check_cached(place, now)?
                {
                    return Ok(None);
                }
                crate::telemetry::token_cache(self.label.get(), true);
                let bound = self.confirmation(hit.cnf, presented, cert)?;
                let principal = Principal::from_shared(Arc::clone(&hit.claims));
                Ok(Some(match bound {
                    Some(thumbprint) => principal.with_certificate_thumbprint(&thumbprint),
                    None => principal,
                }))
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
    async fn verify_uncached(
        &self,
        token: &str,
        presented: Presented,
        cert: Option<Thumbprint>,
    ) -> Result<Principal, Error> {
        let parsed = verify::parse(token, &self.algorithms, &self.limits)?;
        crate::telemetry::token_header(parsed.alg, parsed.kid.as_deref());
        let mut route = None;
        // The payload is decoded and scanned once (strictly: repeated names refused),
        // before any key is looked up, so that the issuer is checked first and a foreign
        // token costs no fetch; the claims are validated after the signature.
        let json = verify::decode_payload(&parsed)?;
        let registered = verify::scan_claims(&json)?;
        let key = match &self.keys {
            // One issuer is routed as several are: a foreign `iss` is refused before any
            // key is looked up, so it costs no fetch.
            Keys::Static(set) => {
                registered.expect_issuer(&self.rules.issuer)?;
                Arc::clone(set.find(parsed.kid.as_deref(), parsed.alg)?)
            }
            Keys::Remote(client) => {
                registered.expect_issuer(&self.rules.issuer)?;
                client.key(parsed.kid.as_deref(), parsed.alg).await?
            }
            Keys::Issuers(issuers) => {
                let found = route.insert(issuers.route(parsed.payload)?);
                found.keys.key(parsed.kid.as_deref(), parsed.alg).await?
            }
        };
        verify::verify_signature(&parsed, &key)?;
        let rules = route.as_ref().map_or(&self.rules, |r| &r.rules);
        verify::validate_claims(&registered, rules, self.clock.unix_now())?;
        let times = (registered.exp(), registered.nbf());
        let cnf = registered.cnf;
        drop(registered);
        let claims = Arc::new(ClaimsCell::from_json(json, self.attached()));
        // The checks below read the claims map: built only when one applies.
        if let (Keys::Issuers(issuers), Some(route)) = (&self.keys, &route) {
            issuers.check_tenant(route, claims.map())?;
        }
        if !self.claim_rules.is_empty() {
            self.claim_rules.check(parsed.at_jwt, claims.map())?;
        }
        // After every other check: the issuer's status list (a fetch, at most once per
        // list and ttl).
        let status = match &self.status {
            Some(lists) => {
                let iss = route
                    .as_ref()
                    .map_or(&self.rules.issuer, |r| &r.rules.issuer);
                let keys = || self.list_keys(route.as_deref());
                Box::pin(lists.check(claims.map(), iss, keys)).await?
            }
            None => None,
        };
        if let Some(cache) = &self.cache {
            cache.insert(token, Arc::clone(&claims), times, cnf, &key, status);
        }
        // After the cache: the token is valid, only not presented the way its `cnf` asks.
        let bound = self.confirmation(cnf, presented, cert)?;
        let principal = Principal::from_shared(claims);
        Ok(match bound {
            Some(thumbprint) => principal.with_certificate_thumbprint(&thumbprint),
            None => principal,
        })
    }

    /// What this strategy attaches to the claims it verifies, for their principals.
    fn attached(&self) -> Attached {
        Attached {
            paths: Arc::clone(&self.claim_paths),
            strategy: self.label.get().map(|label| Arc::clone(label.name())),
            scope_rule: self.scope_rule.clone(),
            challenge: self.challenge.clone(),
        }
    }

    /// The rule for `cnf` (RFC 7800), decided in one place (`confirm.rs`, shared with
    /// introspection): see [`confirmation`](super::confirm::confirmation).
    /// `Ok(Some(thumbprint))`: the token was bound to the client certificate, and is.
    fn confirmation(
        &self,
        cnf: Confirmation,
        presented: Presented,
        cert: Option<Thumbprint>,
    ) -> Result<Option<Thumbprint>, Error> {
        super::confirm::confirmation(
            cnf,
            presented,
            cert,
            self.mtls.as_ref(),
            self.dpop.is_some(),
            self.accept_unverified_cnf,
        )
    }

    /// The keys that sign the status lists of a token verified with `route` (or the
    /// strategy's own keys): its issuer's.
    fn list_keys(&self, route: Option<&Route>) -> ListKeys {
        match (route, &self.keys) {
            (Some(route), _) => match &route.keys {
                RouteKeys::Static(set) => ListKeys::Pinned(Arc::clone(set)),
                RouteKeys::Remote(client) => ListKeys::Engine(client.clone()),
            },
            (None, Keys::Static(set)) => ListKeys::Pinned(Arc::clone(set)),
            (None, Keys::Remote(client)) => ListKeys::Engine(client.clone()),
            // A routed token always has its route: an empty set verifies no list.
            (None, Keys::Issuers(_)) => ListKeys::Pinned(Arc::new(KeySet::default())),
        }
    }

    /// A cache hit is served only while its key is in the set a cold verification would
    /// use now (checked first, as the cold path looks the key up first; a due set starts
    /// its refresh) and its time claims hold. `Ok(false)`: verify again.
    fn recheck(&self, hit: &Verified, now: Instant, unix_now: f64) -> Result<bool, TokenError> {
        let key = &hit.key;
        let held = match &self.keys {
            Keys::Static(set) => set.contains(key),
            Keys::Remote(client) => client.holds(key, now),
            // The route of the verified `iss`, if it is still held (else verify again).
            Keys::Issuers(issuers) => hit
                .claims
                .map()
                .get("iss")
                .and_then(serde_json::Value::as_str)
                .and_then(|iss| issuers.held(iss))
                .is_some_and(|route| route.keys.holds(key, now)),
        };
        if !held {
            return Ok(false);
        }
        let now = unix_now;
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

/// The strategy as DPoP verifies tokens with it: with the request's client certificate,
/// for the certificate binding of the confirmation rule.
struct WithCertificate<'s> {
    strategy: &'s JwtStrategy,
    cert: Option<Thumbprint>,
}

impl crate::dpop::VerifyToken for WithCertificate<'_> {
    fn verify<'a>(
        &'a self,
        token: &'a str,
        presented: Presented,
    ) -> impl Future<Output = Result<Principal, Error>> + Send + 'a {
        self.strategy.verify_presented(token, presented, self.cert)
    }

    fn label(&self) -> Option<&Arc<str>> {
        JwtStrategy::label(self.strategy)
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
        Box::pin(std::future::IntoFuture::into_future(
            self.authenticate_info(request),
        ))
    }

    /// The same as [`JwtStrategy::key_engines`]: with several issuers, each issuer's and
    /// each tenant's engine made so far.
    fn key_engines(&self) -> Vec<JwksClient> {
        JwtStrategy::key_engines(self)
    }
}

/// True when the token's `aud` (a string or an array of strings) names `resource` (in
/// canonical form): scheme and host case-insensitively, the default port elided, the path
/// exactly (RFC 3986 §6.2.2.1, RFC 8707).
fn names_audience(principal: &Principal, resource: &str) -> bool {
    let names = |aud: &str| crate::uri::same_resource(resource, aud);
    match principal.claim("aud") {
        Some(serde_json::Value::String(aud)) => names(aud),
        Some(serde_json::Value::Array(auds)) => auds.iter().any(|a| a.as_str().is_some_and(names)),
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
