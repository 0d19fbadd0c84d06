//! The strategy's request path: the token's hash, the result cache, the call in flight,
//! the answer judged.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures_util::future::Shared;
use http::HeaderMap;

use crate::claims::{Attached, ClaimPaths, ClaimsCell};
use crate::dpop::Presented;
use crate::error::{Error, ErrorKind, TokenError};
use crate::future::BoxFuture;
use crate::jwks::JwksClient;
use crate::principal::Principal;
use crate::strategy::Strategy;
use crate::time::{Clock, later};
use crate::verify::{ClaimRules, Found, scan_claims, validate_claims};

use super::cache::{Active, Judged, ResultCache, TokenHash, hash_prefix, token_hash};
use super::client::Introspector;
use super::settings::IntrospectionStrategyBuilder;

/// How long a client is asked to wait after the endpoint failed.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Opaque tokens: the authorization server is asked about each one (OAuth 2.0 Token
/// Introspection, RFC 7662), and its answer is cached.
///
/// [`IntrospectionStrategy`] is a [`Strategy`] like [`JwtStrategy`](crate::JwtStrategy):
/// registered under a name (say `"opaque"`), it serves the attribute, the layers, gRPC,
/// the audit and OpenAPI. An answer's `exp`, `nbf`, `iss` and `aud` are checked by the
/// same rules as a JWT's, its `cnf` by the same confirmation rule (a bound token whose
/// binding this strategy cannot verify is refused), and its `scope`, `client_id`, `sub`
/// and other members are the [`Principal`]'s claims, so scopes, roles and claim rules
/// work unchanged.
///
/// `"active": false` is a 401 `invalid_token`. An endpoint that cannot answer — down, too
/// slow, a status other than 200, an answer that is not JSON or has no boolean `active`
/// — is a 503 with `Retry-After` ([`ErrorKind::IntrospectionUnavailable`]): never an
/// accept.
///
/// **Cache.** Answers are kept under the SHA-256 of the token, never the token, bounded
/// in entries and bytes ([`IntrospectionCacheConfig`](crate::IntrospectionCacheConfig)). An active answer is reused until
/// the earliest of the token's `exp` and `max_ttl` (60 s by default): a revoked token is
/// accepted for at most that long, the price of not calling the endpoint per request.
/// A refused answer is reused for `negative_ttl` (5 s). Concurrent requests with one
/// token make one call (single flight); the call runs on its own task, so a waiter that
/// goes away (a cancelled request) stops neither the call nor the others waiting for it.
///
/// **Chains.** With `#[authenticate("jwt", "opaque")]`, a token of three base64url
/// parts (a JWS) goes to the JWT strategy and any other token to introspection: a JWT
/// strategy in a chain of several answers "not mine" for a token that is not a JWS.
///
/// ```no_run
/// use jwt_guard::IntrospectionStrategy;
///
/// # fn run() -> Result<(), jwt_guard::ConfigError> {
/// let opaque = IntrospectionStrategy::builder()
///     .issuer("https://keycloak.example/realms/acme")
///     .endpoint("https://keycloak.example/realms/acme/protocol/openid-connect/token/introspect")
///     .client_secret_basic("resource-server", "secret")
///     .build()?;
/// jwt_guard::register("opaque", opaque)?;
/// # Ok(()) }
/// ```
///
/// Built with [`IntrospectionStrategy::builder`].
#[derive(Clone)]
pub struct IntrospectionStrategy {
    inner: Arc<Inner>,
}

struct Inner {
    introspector: Introspector,
    rules: ClaimRules,
    cache: ResultCache,
    claim_paths: Arc<ClaimPaths>,
    max_header_bytes: usize,
    accept_unverified_cnf: bool,
    clock: Clock,
    /// The name it was first registered under, for metrics labels.
    label: OnceLock<Arc<str>>,
    /// The calls in flight, by token hash: one per token.
    flights: Mutex<HashMap<TokenHash, Flight>>,
}

/// A call in flight, shared by every request waiting for it: the judged answer, or why
/// there is none (for logs).
type Flight = Shared<BoxFuture<'static, Result<Arc<Judged>, Arc<str>>>>;

impl IntrospectionStrategy {
    /// Starts a configuration.
    pub fn builder() -> IntrospectionStrategyBuilder {
        IntrospectionStrategyBuilder::default()
    }

    pub(super) fn new(
        introspector: Introspector,
        rules: ClaimRules,
        cache: ResultCache,
        claim_paths: Arc<ClaimPaths>,
        max_header_bytes: usize,
        accept_unverified_cnf: bool,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                introspector,
                rules,
                cache,
                claim_paths,
                max_header_bytes,
                accept_unverified_cnf,
                clock: Clock::default(),
                label: OnceLock::new(),
                flights: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Checks a bearer token (without the `Bearer ` prefix) with the authorization
    /// server, or its cached answer, and returns its principal.
    pub async fn introspect_token(&self, token: &str) -> Result<Principal, Error> {
        let inner = &*self.inner;
        let hash = token_hash(token);
        if let Some(hit) = inner.cached(&hash) {
            return hit;
        }
        if inner.cache.is_on() {
            crate::telemetry::introspection_cache(inner.label.get(), false);
        }
        let flight = {
            let mut flights = lock(&inner.flights);
            match flights.get(&hash) {
                Some(flight) => flight.clone(),
                None => {
                    let flight = start(&self.inner, hash, token);
                    flights.insert(hash, flight.clone());
                    flight
                }
            }
        };
        match flight.await {
            Ok(judged) => inner.principal(&judged),
            Err(detail) => Err(Error::new(ErrorKind::IntrospectionUnavailable {
                retry_after: RETRY_AFTER,
                detail: detail.to_string(),
            })),
        }
    }

    /// Answers held by the result cache (0 when it is off).
    pub fn cached_results(&self) -> usize {
        self.inner.cache.len()
    }

    /// The key engine verifying JWT answers, if answers are JWTs.
    pub fn jwks(&self) -> Option<&JwksClient> {
        self.inner.introspector.jwks.as_ref()
    }

    /// Steps this strategy's clock forward: `testkit::advance_introspection_clock`.
    #[cfg_attr(not(feature = "testkit"), allow(dead_code, reason = "a testkit hook"))]
    pub(crate) fn advance_clock(&self, by: Duration) {
        self.inner.clock.advance(by);
    }

    /// The principal of a token whose answer is cached, without waiting; `None` for any
    /// other request (the async path reads it again, and answers or refuses it).
    fn authenticate_cached(&self, headers: &HeaderMap) -> Option<Result<Principal, Error>> {
        let token = crate::extract::bearer_token(headers, self.inner.max_header_bytes).ok()?;
        self.inner.cached(&token_hash(token))
    }

    async fn authenticate_headers(&self, headers: &HeaderMap) -> Result<Principal, Error> {
        let token = crate::extract::bearer_token(headers, self.inner.max_header_bytes)?;
        self.introspect_token(token).await
    }
}

/// Starts the call for `token` on its own task (when a tokio runtime is there), so that
/// it ends, is cached and leaves the map of flights whoever waits for it.
fn start(inner: &Arc<Inner>, hash: TokenHash, token: &str) -> Flight {
    let call = call(Arc::clone(inner), hash, token.to_owned());
    crate::future::spawn_shared("introspection", call)
}

/// One call, judged, cached, and out of the map of flights.
async fn call(inner: Arc<Inner>, hash: TokenHash, token: String) -> Result<Arc<Judged>, Arc<str>> {
    let started = Instant::now();
    let answer = inner
        .introspector
        .introspect(&token, &inner.rules.issuer)
        .await;
    drop(token);
    let result = answer.and_then(|json| inner.judge(json));
    let label = inner.label.get();
    let elapsed = started.elapsed();
    let prefix = hash_prefix(&hash);
    let result = match result {
        Ok(judged) => {
            let outcome = match &judged.outcome {
                Ok(_) => "active",
                Err(TokenError::Inactive) => "inactive",
                Err(_) => "refused",
            };
            crate::telemetry::introspection(label, outcome, elapsed, &prefix, None);
            let judged = Arc::new(judged);
            inner.cache.insert(hash, &judged, inner.clock.now());
            Ok(judged)
        }
        Err(detail) => {
            crate::telemetry::introspection(label, "error", elapsed, &prefix, Some(&detail));
            Err(Arc::from(detail))
        }
    };
    lock(&inner.flights).remove(&hash);
    result
}

impl Inner {
    /// The endpoint's answer, judged: `Err` when it is not an introspection answer.
    fn judge(&self, json: String) -> Result<Judged, String> {
        #[derive(serde::Deserialize)]
        struct Answer {
            active: bool,
        }
        // Strictly: an object, no repeated member name at any depth.
        let mut registered = scan_claims(&json)
            .map_err(|_| "the answer is not a JSON object without repeated names".to_owned())?;
        let answer: Answer = serde_json::from_str(&json)
            .map_err(|_| "the answer has no boolean \"active\"".to_owned())?;
        let now = self.clock.now();
        if !answer.active {
            let until = later(now, self.cache.negative_ttl);
            return Ok(Judged::new(Err(TokenError::Inactive), until));
        }
        // RFC 7662 makes `iss` optional: an answer without one is the endpoint's own.
        if registered.iss == Found::Absent {
            registered.iss = Found::Valid(self.rules.issuer.as_str().into());
        }
        let unix_now = self.clock.unix_now();
        if let Err(refusal) = validate_claims(&registered, &self.rules, unix_now) {
            return Ok(Judged::new(
                Err(refusal),
                later(now, self.cache.negative_ttl),
            ));
        }
        let (exp, nbf, cnf) = (registered.exp(), registered.nbf(), registered.cnf);
        drop(registered);
        // Reused until `exp` (with the leeway the check allows), at most `max_ttl`.
        let ttl = match exp {
            Some(exp) => Duration::try_from_secs_f64(exp + self.rules.leeway - unix_now)
                .unwrap_or(Duration::ZERO)
                .min(self.cache.max_ttl),
            None => self.cache.max_ttl,
        };
        let active = Active {
            claims: Arc::new(ClaimsCell::from_json(
                json,
                Attached::plain(Arc::clone(&self.claim_paths)),
            )),
            exp,
            nbf,
            cnf,
        };
        Ok(Judged::new(Ok(active), later(now, ttl)))
    }

    /// The principal of a cached answer for the token with this hash, if one is held.
    fn cached(&self, hash: &TokenHash) -> Option<Result<Principal, Error>> {
        let hit = self.cache.get(hash, self.clock.now())?;
        crate::telemetry::introspection_cache(self.label.get(), true);
        Some(self.principal(&hit))
    }

    /// The principal of a judged answer, its time claims checked again and its `cnf`
    /// through the one confirmation rule.
    fn principal(&self, judged: &Judged) -> Result<Principal, Error> {
        let active = judged
            .outcome
            .as_ref()
            .map_err(|e| Error::from(e.clone()))?;
        let now = self.clock.unix_now();
        let leeway = self.rules.leeway;
        if active.exp.is_some_and(|exp| now >= exp + leeway) {
            return Err(TokenError::Expired.into());
        }
        if active.nbf.is_some_and(|nbf| nbf > now + leeway) {
            return Err(TokenError::NotYetValid.into());
        }
        // Presented as a bearer token, to a strategy without DPoP.
        // No client certificate is read here: a certificate-bound answer is refused too.
        crate::strategy::confirmation(
            active.cnf,
            Presented::Bearer,
            None,
            None,
            false,
            self.accept_unverified_cnf,
        )?;
        Ok(Principal::from_shared(Arc::clone(&active.claims)))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Strategy for IntrospectionStrategy {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(self.authenticate_headers(headers))
    }

    fn authenticate_now(
        &self,
        request: crate::request::RequestInfo<'_>,
    ) -> Option<Result<Principal, Error>> {
        self.authenticate_cached(request.headers())
    }

    /// The key engine of JWT answers, when there is one.
    fn key_engines(&self) -> Vec<JwksClient> {
        self.jwks().into_iter().cloned().collect()
    }

    fn registered_as(&self, name: &Arc<str>) {
        if self.inner.label.set(Arc::clone(name)).is_ok() {
            self.inner.cache.set_label(name);
        }
    }
}

impl fmt::Debug for IntrospectionStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntrospectionStrategy")
            .field("issuer", &self.inner.rules.issuer)
            .field("audiences", &self.inner.rules.audiences)
            .finish_non_exhaustive()
    }
}
