//! DPoP (RFC 9449): access tokens bound to a key the client proves it holds, request by
//! request. Opt-in per strategy with [`JwtStrategyBuilder::dpop`](crate::JwtStrategyBuilder::dpop):
//! [`DpopConfig::allowed`] (DPoP and plain bearer tokens) or [`DpopConfig::required`].
//!
//! A DPoP request carries `Authorization: DPoP <token>` and exactly one `DPoP` header, a
//! proof JWT signed by the client's key. The strategy checks, as RFC 9449 §4.3 and §7.1
//! say: `typ` is `dpop+jwt`; `alg` is on the DPoP allow-list (asymmetric only); the `jwk`
//! header is a public key and verifies the signature; `htm` is the request method; `htu`
//! names one of the configured [origins](DpopConfig::external_origin) and the request
//! target's path as the router sees it, without query and fragment (compared after the
//! normalisation of RFC 9449 §4.3: scheme, host, default port, case of percent-encodings;
//! a target with a dot segment, as in `/files/../admin`, is refused); `iat` is at most
//! [`max_age`](DpopConfig::max_age) old and at most [`leeway`](DpopConfig::leeway) ahead;
//! `jti` was not seen before (the [`ReplayStore`]); `ath` is base64url(SHA-256(token));
//! the token's `cnf.jkt` is the RFC 7638 thumbprint of the proof key; with
//! [`require_nonce`](DpopConfig::require_nonce), `nonce` is a fresh server nonce. The
//! thumbprint is then [`Principal::dpop_thumbprint`](crate::Principal::dpop_thumbprint).
//!
//! A DPoP-bound token (with `cnf.jkt`) sent as `Bearer` is refused, and so is any bearer
//! token when DPoP is required. A token whose `cnf` holds anything but `jkt` (a
//! certificate thumbprint `x5t#S256`, RFC 8705, say) is refused either way
//! ([`TokenError::UnsupportedConfirmation`](crate::TokenError::UnsupportedConfirmation)):
//! DPoP cannot check that binding. Refusals carry `WWW-Authenticate: DPoP algs="…"` (beside
//! `Bearer` when bearer tokens are allowed), with `error="invalid_dpop_proof"`,
//! `"use_dpop_nonce"` (and a `DPoP-Nonce` header) or `"invalid_token"`.
//!
//! ```
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! use jwt_guard::dpop::DpopConfig;
//!
//! let strategy = jwt_guard::JwtStrategy::builder()
//!     .issuer("https://issuer.example")
//!     .dpop(DpopConfig::allowed().external_origin("https://api.example"))
//!     .build()?;
//! # let _ = strategy;
//! # Ok(()) }
//! ```
//!
//! The origin is configuration, never the request's: [`build`](crate::JwtStrategyBuilder::build)
//! fails without one. Taken from the `Host` header (or an absolute request target), a
//! proof made for another server would pass here when replayed with that server's name.
//!
//! The method and URI come from the integration: the axum extractor of `#[authenticate]`,
//! the tower layer and the actix-web middleware pass them. A handler that gives the
//! attribute its own `HeaderMap` passes headers only; a DPoP request there is a 500
//! naming the mistake.

pub(crate) mod error;
mod nonce;
mod proof;
#[cfg(feature = "redis")]
mod redis;
mod replay;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;
use http::HeaderMap;
use http::header::AUTHORIZATION;

pub use error::DpopError;
pub use proof::jwk_thumbprint;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisReplayStore;
pub use replay::{InMemoryReplayStore, ReplayStore, ReplayStoreError};

use crate::algorithm::Algorithm;
use crate::challenge::{ChallengeParams, Scheme};
use crate::config_error::ConfigError;
use crate::error::{Error, ErrorKind};
use crate::principal::Principal;
use crate::request::RequestInfo;

/// How a token was presented: what its `cnf` must be (the strategy's confirmation check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presented {
    /// `Authorization: Bearer`: no proof of possession comes with it.
    Bearer,
    /// `Authorization: DPoP` with a proof the DPoP code checks.
    Dpop,
}

/// How DPoP verifies the access token a request presents: the strategy hands itself in
/// as this, so that DPoP sits below the strategies and imports none of them.
pub(crate) trait VerifyToken: Sync {
    /// Verifies `token` presented as `presented` (its `cnf` checked for that).
    fn verify<'a>(
        &'a self,
        token: &'a str,
        presented: Presented,
    ) -> impl Future<Output = Result<Principal, Error>> + Send + 'a;

    /// The strategy's registered name, for metrics.
    fn label(&self) -> Option<&Arc<str>>;
}

/// Whether a strategy also takes plain bearer tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopMode {
    /// DPoP requests and bearer tokens (except DPoP-bound ones) are accepted.
    Allowed,
    /// Only DPoP requests are accepted.
    Required,
}

/// The largest [`DpopConfig::max_age`]: 1 hour. A proof is meant for one request, made
/// just before it; an older one is a replay window, not a convenience.
pub const MAX_PROOF_AGE: Duration = Duration::from_secs(3600);

/// The DPoP settings of a strategy. See the [module docs](self).
#[derive(Clone)]
#[must_use]
pub struct DpopConfig {
    mode: DpopMode,
    algorithms: Vec<Algorithm>,
    max_age: Duration,
    leeway: Duration,
    origins: Vec<String>,
    store: Arc<dyn ReplayStore>,
    nonce: Option<(Vec<u8>, Duration)>,
}

impl DpopConfig {
    /// DPoP accepted beside bearer tokens.
    pub fn allowed() -> Self {
        Self::with_mode(DpopMode::Allowed)
    }

    /// DPoP only: bearer tokens are refused.
    pub fn required() -> Self {
        Self::with_mode(DpopMode::Required)
    }

    fn with_mode(mode: DpopMode) -> Self {
        Self {
            mode,
            algorithms: vec![
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::EdDSA,
                Algorithm::PS256,
                Algorithm::RS256,
            ],
            max_age: Duration::from_secs(300),
            leeway: Duration::from_secs(5),
            origins: Vec::new(),
            store: Arc::new(InMemoryReplayStore::default()),
            nonce: None,
        }
    }

    /// The proof algorithm allow-list, also sent as the challenge's `algs`. Defaults to
    /// ES256, ES384, EdDSA, PS256, RS256. Symmetric algorithms are refused by `build`.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// How old a proof's `iat` may be; also how long its `jti` is remembered. Defaults to
    /// 5 minutes; at most [`MAX_PROOF_AGE`] (1 hour), else the strategy's `build` fails.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How far ahead of our clock a proof's `iat` may be. Defaults to 5 s; at most
    /// [`MAX_LEEWAY`](crate::verify::MAX_LEEWAY) (10 minutes), else the strategy's `build`
    /// fails.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// An origin clients address (`https://api.example`: scheme, host and port, no path):
    /// a proof's `htu` must name one of these origins and the request's path. Call again
    /// to accept several (the names of one service). **Required**:
    /// [`build`](crate::JwtStrategyBuilder::build) fails without one. There is no default
    /// from the request: the `Host` header is the client's to choose, so a proof made for
    /// another server could be replayed here.
    pub fn external_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins.push(origin.into());
        self
    }

    /// Several origins, as [`external_origin`](Self::external_origin) once for each.
    pub fn external_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.origins.extend(origins.into_iter().map(Into::into));
        self
    }

    /// Where used proofs are remembered. Defaults to an [`InMemoryReplayStore`] of
    /// [`DEFAULT_CAPACITY`](InMemoryReplayStore::DEFAULT_CAPACITY) = 100 000 unexpired
    /// proofs, one per strategy: 325 accepted proofs per second over the default window
    /// of 305 s (`max_age` + `leeway`). Beyond that rate new proofs are refused (503 with
    /// `Retry-After`); no used proof is ever forgotten early. With several replicas, use a
    /// shared store (the `redis` feature's `RedisReplayStore`).
    pub fn replay_store(self, store: impl ReplayStore) -> Self {
        self.replay_store_arc(Arc::new(store))
    }

    /// Like [`replay_store`](Self::replay_store), for a store that is already shared.
    pub fn replay_store_arc(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.store = store;
        self
    }

    /// Requires server nonces (RFC 9449 §8): a proof without a fresh one is answered 401
    /// `error="use_dpop_nonce"` with the nonce to use in `DPoP-Nonce`. A nonce is valid in
    /// its `rotate_every` window and the next; it is an HMAC under `secret` (at least 32
    /// bytes), so replicas sharing the secret accept each other's nonces and nothing is
    /// kept per client. Off by default.
    pub fn require_nonce(mut self, secret: &[u8], rotate_every: Duration) -> Self {
        self.nonce = Some((secret.to_vec(), rotate_every));
        self
    }

    /// Checks the settings; what the strategy keeps.
    pub(crate) fn build(self) -> Result<Dpop, ConfigError> {
        let invalid = |reason: &str| ConfigError::InvalidDpop {
            reason: reason.to_owned(),
        };
        if self.algorithms.is_empty() {
            return Err(invalid("the proof algorithm allow-list is empty"));
        }
        if self.algorithms.iter().any(|a| a.is_hmac()) {
            return Err(invalid("proofs are signed with public-key algorithms only"));
        }
        if self.max_age.is_zero() {
            return Err(invalid("max_age must be more than zero"));
        }
        if self.max_age > MAX_PROOF_AGE {
            return Err(invalid(&format!(
                "max_age {:?} is over the maximum of {MAX_PROOF_AGE:?}",
                self.max_age
            )));
        }
        if self.leeway > crate::verify::MAX_LEEWAY {
            return Err(invalid(&format!(
                "leeway {:?} is over the maximum of {:?}",
                self.leeway,
                crate::verify::MAX_LEEWAY
            )));
        }
        if self.origins.is_empty() {
            return Err(invalid(
                "no origin: set external_origin(\"https://api.example\") to the origin \
                 clients address (the Host header is never used)",
            ));
        }
        let mut origins = Vec::with_capacity(self.origins.len());
        for origin in &self.origins {
            let parsed =
                url::Url::parse(origin).map_err(|_| invalid("external_origin is not a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https")
                || parsed.host_str().is_none()
                || !parsed.username().is_empty()
                || parsed.password().is_some()
                || parsed.path() != "/"
                || parsed.query().is_some()
                || parsed.fragment().is_some()
            {
                return Err(invalid(
                    "external_origin must be an http(s) origin without a path",
                ));
            }
            let origin = parsed.origin().ascii_serialization();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        let nonces = match self.nonce {
            None => None,
            Some((secret, _)) if secret.len() < 32 => {
                return Err(invalid("the nonce secret must be at least 32 bytes"));
            }
            Some((secret, rotate)) => Some(nonce::Nonces::new(&secret, rotate)),
        };
        let algs = self
            .algorithms
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Dpop {
            mode: self.mode,
            algs,
            algorithms: self.algorithms,
            max_age: self.max_age.as_secs_f64(),
            leeway: self.leeway.as_secs_f64(),
            ttl: self.max_age.saturating_add(self.leeway),
            origins,
            store: self.store,
            nonces,
            keys: proof::KeyCache::new(proof::KEY_CACHE_CAPACITY),
        })
    }
}

impl fmt::Debug for DpopConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopConfig")
            .field("mode", &self.mode)
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("leeway", &self.leeway)
            .field("origins", &self.origins)
            .field("nonce", &self.nonce.is_some())
            .finish_non_exhaustive()
    }
}

/// A strategy's checked DPoP settings.
pub(crate) struct Dpop {
    mode: DpopMode,
    algorithms: Vec<Algorithm>,
    algs: String,
    max_age: f64,
    leeway: f64,
    ttl: Duration,
    /// The accepted origins, serialised (`https://api.example`).
    origins: Vec<String>,
    store: Arc<dyn ReplayStore>,
    nonces: Option<nonce::Nonces>,
    keys: proof::KeyCache,
}

impl Dpop {
    /// The challenge this strategy offers.
    pub(crate) fn challenge(&self) -> crate::challenge::DpopChallenge {
        crate::challenge::DpopChallenge {
            required: self.mode == DpopMode::Required,
            algs: self.algs.clone(),
        }
    }

    /// The proof algorithms, for the resource metadata.
    pub(crate) fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// True when bearer tokens are refused.
    pub(crate) fn required(&self) -> bool {
        self.mode == DpopMode::Required
    }
}

impl fmt::Debug for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpop")
            .field("mode", &self.mode)
            .field("algs", &self.algs)
            .finish_non_exhaustive()
    }
}

/// Authenticates a request for a strategy with DPoP: a `DPoP` request with its proof,
/// else a bearer token (refused when DPoP is required or the token is bound).
pub(crate) async fn authenticate(
    dpop: &Dpop,
    strategy: &impl VerifyToken,
    request: RequestInfo<'_>,
    max_header_bytes: usize,
    now: f64,
    challenge: &Arc<ChallengeParams>,
) -> Result<Principal, Error> {
    let headers = request.headers();
    let presented = dpop_token(headers, max_header_bytes)
        .map_err(|e| Error::new(ErrorKind::Dpop(e)).with_challenge(challenge, Scheme::Dpop))?;
    let Some(token) = presented else {
        return bearer(dpop, strategy, headers, max_header_bytes)
            .await
            .map_err(|e| e.with_challenge(challenge, Scheme::Bearer));
    };
    proven(dpop, strategy, request, token, now)
        .await
        .map_err(|e| e.with_challenge(challenge, Scheme::Dpop))
}

async fn bearer(
    dpop: &Dpop,
    strategy: &impl VerifyToken,
    headers: &HeaderMap,
    max_header_bytes: usize,
) -> Result<Principal, Error> {
    let token = crate::extract::bearer_token(headers, max_header_bytes)?;
    if dpop.mode == DpopMode::Required {
        return Err(ErrorKind::Dpop(DpopError::DpopRequired).into());
    }
    // Refuses a `cnf.jkt` token (and any other `cnf`, unless the strategy accepts them).
    let principal = strategy.verify(token, Presented::Bearer).await?;
    // With `dangerous_accept_unverified_cnf`, a `jkt` beside other members still counts.
    if bound_key(&principal).is_some() {
        return Err(ErrorKind::Dpop(DpopError::BoundTokenAsBearer).into());
    }
    Ok(principal)
}

async fn proven(
    dpop: &Dpop,
    strategy: &impl VerifyToken,
    request: RequestInfo<'_>,
    token: &str,
    now: f64,
) -> Result<Principal, Error> {
    let fail = |e: DpopError| Error::new(ErrorKind::Dpop(e));
    let headers = request.headers();
    let (Some(method), Some(uri)) = (request.method(), request.uri()) else {
        tracing::error!(
            "a DPoP request reached a handler that gives #[authenticate] its headers only: \
             the proof cannot be checked without the method and URI"
        );
        return Err(Error::new(ErrorKind::Misconfigured(
            "DPoP needs the request method and URI",
        )));
    };
    let mut proofs = headers.get_all("dpop").iter();
    let proof = proofs.next().ok_or(fail(DpopError::MissingProof))?;
    if proofs.next().is_some() {
        return Err(fail(DpopError::MultipleProofs));
    }
    let proof = proof
        .to_str()
        .map_err(|_| fail(DpopError::MalformedProof))?;
    let path = proof::request_path(uri.path()).ok_or_else(|| {
        tracing::debug!("a DPoP request with a dot segment in its target refused");
        fail(DpopError::UriMismatch)
    })?;
    let expected = proof::Expected {
        method: method.as_str(),
        origins: &dpop.origins,
        path: &path,
        access_token: token,
        now,
        max_age: dpop.max_age,
        leeway: dpop.leeway,
        algorithms: &dpop.algorithms,
        nonces: dpop.nonces.as_ref(),
        keys: &dpop.keys,
    };
    let checked = proof::check(proof, &expected).map_err(fail)?;
    // Refuses a token without `cnf`, or with one other than `jkt` alone.
    let principal = strategy.verify(token, Presented::Dpop).await?;
    match bound_key(&principal) {
        None => return Err(fail(DpopError::TokenNotBound)),
        Some(jkt) if jkt != checked.jkt => return Err(fail(DpopError::KeyMismatch)),
        Some(_) => {}
    }
    let mut id_input = Vec::with_capacity(checked.jkt.len() + 1 + checked.jti.len());
    id_input.extend_from_slice(checked.jkt.as_bytes());
    id_input.push(0);
    id_input.extend_from_slice(checked.jti.as_bytes());
    let mut id = [0u8; 32];
    id.copy_from_slice(digest::digest(&digest::SHA256, &id_input).as_ref());
    match dpop.store.check_and_record(&id, dpop.ttl).await {
        Ok(true) => Ok(principal.with_dpop_thumbprint(checked.jkt)),
        Ok(false) => Err(fail(DpopError::Replayed)),
        Err(err) if err.is_full() => {
            tracing::warn!(
                error = %err,
                "DPoP replay store full: new proof refused, no unexpired one forgotten"
            );
            crate::telemetry::replay_store_full(strategy.label());
            Err(err.into_error())
        }
        Err(err) => {
            tracing::warn!(error = %err, "DPoP replay store unavailable: request refused");
            Err(err.into_error())
        }
    }
}

/// The token of an `Authorization: DPoP <token>` header; `None` for any other value
/// (left to the bearer reader, which reports missing, repeated or oversized headers).
fn dpop_token(headers: &HeaderMap, max_bytes: usize) -> Result<Option<&str>, DpopError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    let is_dpop = bytes.len() > 4 && bytes[..4].eq_ignore_ascii_case(b"dpop") && bytes[4] == b' ';
    if !is_dpop || bytes.len() > max_bytes {
        return Ok(None);
    }
    let token = &bytes[5..];
    if token.is_empty() || !token.iter().all(u8::is_ascii_graphic) {
        return Err(DpopError::MalformedAuthorization);
    }
    std::str::from_utf8(token)
        .map(Some)
        .map_err(|_| DpopError::MalformedAuthorization)
}

/// The token's `cnf.jkt`, if it is bound.
fn bound_key(principal: &Principal) -> Option<&str> {
    principal
        .claim("cnf")
        .and_then(|cnf| cnf.get("jkt"))
        .map(|jkt| jkt.as_str().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_dpop_scheme_is_read_and_anything_else_left_to_the_bearer_reader() {
        let h = headers(&[("authorization", "DPoP abc.def.ghi")]);
        assert_eq!(dpop_token(&h, 8192), Ok(Some("abc.def.ghi")));
        let h = headers(&[("authorization", "dpop abc")]);
        assert_eq!(dpop_token(&h, 8192), Ok(Some("abc")));
        let h = headers(&[("authorization", "DPoP a b")]);
        assert_eq!(dpop_token(&h, 8192), Err(DpopError::MalformedAuthorization));
        for other in [
            headers(&[("authorization", "Bearer abc")]),
            headers(&[("authorization", "DPoP a"), ("authorization", "DPoP b")]),
            headers(&[]),
        ] {
            assert_eq!(dpop_token(&other, 8192), Ok(None));
        }
        let h = headers(&[("authorization", "DPoP abcdefgh")]);
        assert_eq!(
            dpop_token(&h, 8),
            Ok(None),
            "over the cap: the bearer reader says so"
        );
    }

    #[test]
    fn settings_are_checked() {
        let reason = |config: DpopConfig| match config.build() {
            Err(ConfigError::InvalidDpop { reason }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason(DpopConfig::allowed().algorithms([])).contains("empty"));
        assert!(
            reason(DpopConfig::allowed().algorithms([Algorithm::HS256])).contains("public-key")
        );
        assert!(reason(DpopConfig::allowed().external_origin("https://h/path")).contains("origin"));
        assert!(
            reason(
                DpopConfig::allowed()
                    .external_origin("https://h")
                    .require_nonce(b"short", Duration::from_secs(1))
            )
            .contains("32")
        );
        assert!(reason(DpopConfig::allowed().max_age(Duration::ZERO)).contains("max_age"));
        assert!(reason(DpopConfig::allowed()).contains("external_origin"));
        assert!(reason(DpopConfig::allowed().external_origin("https://u@h")).contains("origin"));
        let over = MAX_PROOF_AGE + Duration::from_nanos(1);
        assert!(reason(DpopConfig::allowed().max_age(over)).contains("max_age"));
        let over = crate::verify::MAX_LEEWAY + Duration::from_nanos(1);
        assert!(reason(DpopConfig::allowed().leeway(over)).contains("leeway"));
        assert!(reason(DpopConfig::allowed().leeway(Duration::MAX)).contains("leeway"));
        assert!(
            DpopConfig::allowed()
                .external_origin("https://h")
                .max_age(MAX_PROOF_AGE)
                .leeway(crate::verify::MAX_LEEWAY)
                .build()
                .is_ok()
        );
        let dpop = DpopConfig::required()
            .external_origin("HTTPS://Api.Example:443/")
            .external_origins(["https://api.example", "http://api.example:8080"])
            .build()
            .unwrap();
        assert_eq!(
            dpop.origins,
            ["https://api.example", "http://api.example:8080"]
        );
        assert!(dpop.required());
    }
}
