//! What an operator sees of each authentication: one `tracing` span per strategy run,
//! the outcome and a bounded reason, and (with the `metrics` feature) the counters and
//! histograms of [`metrics`](crate::metrics). Called from the registry, the one path of
//! the attribute and every layer; never given a token.
//!
//! The span is `jwt_guard.authenticate` at DEBUG (as `tower_http::trace`'s request
//! span: on with `RUST_LOG=jwt_guard=debug`, free at INFO), a child of the span current
//! when the request is authenticated (the request's span, under `tower_http::trace` or
//! `tracing-actix-web`). Its fields: `strategy` (the registered name), `alg`, `kid` (the
//! header's, at most [`MAX_KID_CHARS`] characters), `cache` (`hit` or `miss` when the
//! token cache is on), `outcome`, `reason` ([`Error::reason`]) and `duration_us`.
//!
//! Levels: an authentication that succeeds or finds no credentials is a TRACE event, a
//! refused one (401/403) DEBUG — a bad token is the client's business, not an incident —
//! and a failure of our own side (5xx: key server unreachable, strategy not registered)
//! WARN. The key engine logs its own failures at WARN, in its own `jwt_guard.jwks_fetch`
//! span.

use std::sync::Arc;
use std::time::Instant;

use tracing::Span;
use tracing::field::Empty;

#[cfg(feature = "metrics")]
pub(crate) mod sink;

use crate::algorithm::Algorithm;
use crate::error::Error;

/// The name of the span of one authentication by one strategy (target
/// `jwt_guard::authenticate`, level DEBUG), for filters and subscribers.
pub const AUTHENTICATE_SPAN: &str = "jwt_guard.authenticate";

/// The name of the span of one fetch of a key set by the key engine (target
/// `jwt_guard::jwks`, level INFO), for filters and subscribers.
pub const JWKS_FETCH_SPAN: &str = "jwt_guard.jwks_fetch";

/// The name of the span of one fetch of a Token Status List (target
/// `jwt_guard::status_list`, level INFO), for filters and subscribers.
pub const STATUS_LIST_FETCH_SPAN: &str = "jwt_guard.status_list_fetch";

/// The most characters of a token's `kid` recorded in the span: the header is the
/// client's, so it is cut (with `…`) rather than written whole.
pub const MAX_KID_CHARS: usize = crate::text::MAX_CHARS;

/// The name a strategy is registered under, with (with the `metrics` feature) the keys
/// of the figures it records on every request, built once at registration: no label is
/// built per request.
pub(crate) struct Label {
    name: Arc<str>,
    #[cfg(feature = "metrics")]
    keys: sink::StrategyKeys,
}

impl Label {
    /// The label of the strategy registered as `name`.
    pub(crate) fn new(name: &Arc<str>) -> Self {
        Self {
            name: Arc::clone(name),
            #[cfg(feature = "metrics")]
            keys: sink::StrategyKeys::new(name),
        }
    }

    /// The registered name.
    pub(crate) fn name(&self) -> &Arc<str> {
        &self.name
    }
}

impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Label").field(&self.name).finish()
    }
}

/// How an authentication by one strategy ended: the `outcome` of the span and the
/// metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The strategy authenticated the request.
    Success,
    /// The request carried no credentials of the strategy's kind.
    NoCredentials,
    /// The credentials were refused (401), or access was denied (403).
    Refused,
    /// Our own side failed (5xx).
    Error,
}

impl Outcome {
    pub(crate) fn of(result: Result<(), &Error>) -> Self {
        match result {
            Ok(()) => Self::Success,
            Err(err) if err.is_missing_credentials() => Self::NoCredentials,
            Err(err) if err.status().is_server_error() => Self::Error,
            Err(_) => Self::Refused,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::NoCredentials => "no_credentials",
            Self::Refused => "refused",
            Self::Error => "error",
        }
    }
}

/// One authentication by one strategy, from start to outcome.
pub(crate) struct Attempt {
    span: Span,
    /// Read only when something will use the duration (the span is on, or metrics are
    /// compiled in): no clock read per request otherwise.
    started: Option<Instant>,
}

impl Attempt {
    /// Opens the span (a child of the current one) and starts the clock.
    pub(crate) fn start(strategy: &str) -> Self {
        let span = tracing::debug_span!(
            target: "jwt_guard::authenticate",
            "jwt_guard.authenticate",
            strategy,
            alg = Empty,
            kid = Empty,
            cache = Empty,
            outcome = Empty,
            reason = Empty,
            duration_us = Empty,
        );
        let timed = cfg!(feature = "metrics") || !span.is_disabled();
        Self {
            started: timed.then(Instant::now),
            span,
        }
    }

    /// The span, to instrument the strategy's future with.
    pub(crate) fn span(&self) -> Span {
        self.span.clone()
    }

    /// Enters the span, for work done in place (a token-cache hit).
    pub(crate) fn enter(&self) -> tracing::span::Entered<'_> {
        self.span.enter()
    }

    /// Records how it ended: span fields, one event at the operator's level, and the
    /// metrics.
    pub(crate) fn finish(self, strategy: &Label, result: Result<(), &Error>) {
        let elapsed = self.started.map(|t| t.elapsed()).unwrap_or_default();
        let outcome = Outcome::of(result);
        let reason = result.err().map(Error::reason);
        if !self.span.is_disabled() {
            // One record call (one visit of the subscriber), not one per field.
            let duration_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
            match reason {
                Some(reason) => {
                    tracing::record_all!(self.span, outcome = outcome.as_str(), reason, duration_us)
                }
                None => tracing::record_all!(self.span, outcome = outcome.as_str(), duration_us),
            }
        }
        // In the span when it is on; else under the request's span (a disabled span
        // given as `parent:` would make the event a root).
        self.span.in_scope(|| event(outcome, result.err()));
        #[cfg(feature = "metrics")]
        sink::authentication(
            &strategy.name,
            &strategy.keys,
            outcome.as_str(),
            reason,
            elapsed,
        );
        #[cfg(not(feature = "metrics"))]
        let _ = strategy;
    }
}

/// The one event per authentication, at the level an operator would choose.
fn event(outcome: Outcome, error: Option<&Error>) {
    match (outcome, error) {
        (Outcome::Success, _) | (_, None) => tracing::trace!("authenticated"),
        (Outcome::NoCredentials, Some(err)) => {
            tracing::trace!(error = %err, "no credentials of this strategy's kind")
        }
        (Outcome::Refused, Some(err)) => tracing::debug!(
            error = %err,
            status = err.status().as_u16(),
            "authentication failed"
        ),
        (Outcome::Error, Some(err)) => tracing::warn!(
            error = %err,
            status = err.status().as_u16(),
            "authentication failed on the service's side"
        ),
    }
}

/// Called by a strategy once it has read the token's header: records `alg` and the
/// `kid` (cut to [`MAX_KID_CHARS`]) in the current authentication span, if it is one.
pub(crate) fn token_header(alg: Algorithm, kid: Option<&str>) {
    // The authentication span is DEBUG: with DEBUG off everywhere it cannot be on, and
    // the thread-local lookup of the current span is skipped.
    if !tracing::level_enabled!(tracing::Level::DEBUG) {
        return;
    }
    let span = Span::current();
    if !is_attempt(&span) {
        return;
    }
    match kid {
        Some(kid) => tracing::record_all!(
            span,
            alg = alg.as_str(),
            kid = tracing::field::debug(bounded(kid))
        ),
        None => tracing::record_all!(span, alg = alg.as_str()),
    }
}

/// Called by a strategy with a token cache: records `cache = hit|miss` in the current
/// authentication span and counts it.
pub(crate) fn token_cache(strategy: Option<&Label>, hit: bool) {
    #[cfg(feature = "metrics")]
    match strategy {
        Some(label) => sink::token_cache_keyed(&label.keys, hit),
        None => sink::token_cache(None, hit),
    }
    #[cfg(not(feature = "metrics"))]
    let _ = strategy;
    record_cache(hit);
}

/// Records `cache = hit|miss` in the current authentication span (at DEBUG): the token
/// cache's and the introspection cache's lookups alike.
fn record_cache(hit: bool) {
    if !tracing::level_enabled!(tracing::Level::DEBUG) {
        return;
    }
    let span = Span::current();
    if is_attempt(&span) {
        span.record("cache", if hit { "hit" } else { "miss" });
    }
}

/// The token cache evicted an entry for room.
pub(crate) fn token_cache_eviction(strategy: Option<&Arc<str>>) {
    #[cfg(feature = "metrics")]
    sink::token_cache_eviction(strategy);
    #[cfg(not(feature = "metrics"))]
    let _ = strategy;
}

/// A DPoP replay store refused a new proof for lack of room: counted.
pub(crate) fn replay_store_full(strategy: Option<&Arc<str>>) {
    #[cfg(feature = "metrics")]
    sink::replay_store_full(strategy);
    #[cfg(not(feature = "metrics"))]
    let _ = strategy;
}

/// One call to an introspection endpoint by a strategy labelled `strategy` ended with
/// `outcome` (`active`, `inactive`, `refused` or `error`) after `elapsed`: counted, timed
/// and logged with the first hex digits of the token's hash (never the token), and on
/// `error` what failed.
pub(crate) fn introspection(
    strategy: Option<&Arc<str>>,
    outcome: &'static str,
    elapsed: std::time::Duration,
    token_hash: &str,
    error: Option<&str>,
) {
    #[cfg(feature = "metrics")]
    sink::introspection(strategy, outcome, elapsed);
    let name = strategy.map_or("unregistered", |s| &**s);
    match error {
        Some(error) => tracing::warn!(
            strategy = name,
            token_sha256 = token_hash,
            elapsed_ms = elapsed.as_millis() as u64,
            error,
            "token introspection failed"
        ),
        None => tracing::debug!(
            strategy = name,
            token_sha256 = token_hash,
            elapsed_ms = elapsed.as_millis() as u64,
            outcome,
            "token introspected"
        ),
    }
}

/// An introspection result cache lookup: recorded as `cache = hit|miss` in the current
/// authentication span and counted.
pub(crate) fn introspection_cache(strategy: Option<&Arc<str>>, hit: bool) {
    #[cfg(feature = "metrics")]
    sink::introspection_cache(strategy, hit);
    #[cfg(not(feature = "metrics"))]
    let _ = strategy;
    record_cache(hit);
}

/// The introspection result cache evicted an entry for room.
pub(crate) fn introspection_cache_eviction(strategy: Option<&Arc<str>>) {
    #[cfg(feature = "metrics")]
    sink::introspection_cache_eviction(strategy);
    #[cfg(not(feature = "metrics"))]
    let _ = strategy;
}

/// A request authenticated by `strategy` but denied by its scopes or roles (403):
/// counted under the error's reason code.
pub(crate) fn denied(strategy: &str, reason: &'static str) {
    #[cfg(feature = "metrics")]
    sink::authorization_denied(strategy, reason);
    #[cfg(not(feature = "metrics"))]
    let _ = (strategy, reason);
}

/// One fetch of a key engine labelled `strategy` ended with `result` (`ok`,
/// `not_modified` or `error`) after `elapsed`; the engine now holds `keys` usable keys,
/// is due for refresh in `refresh_due_in` and is `stale` or not. Counted and gauged.
pub(crate) fn jwks_fetched(
    strategy: Option<&Arc<str>>,
    result: &'static str,
    elapsed: std::time::Duration,
    keys: usize,
    refresh_due_in: Option<std::time::Duration>,
    stale: bool,
) {
    #[cfg(feature = "metrics")]
    {
        sink::jwks_fetch(strategy, result, elapsed);
        sink::jwks_state(strategy, keys, refresh_due_in, stale);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (strategy, result, elapsed, keys, refresh_due_in, stale);
}

/// One fetch of a Token Status List by the strategy labelled `strategy` ended with
/// `result` (`ok` or `error`): counted.
pub(crate) fn status_list_fetched(strategy: Option<&Arc<str>>, result: &'static str) {
    #[cfg(feature = "metrics")]
    sink::status_list_fetch(strategy, result);
    #[cfg(not(feature = "metrics"))]
    let _ = (strategy, result);
}

fn is_attempt(span: &Span) -> bool {
    span.metadata()
        .is_some_and(|m| m.name() == AUTHENTICATE_SPAN && m.target() == "jwt_guard::authenticate")
}

use crate::text::bounded;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::{ErrorKind, TokenError};

    #[test]
    fn kid_is_cut_on_a_char_boundary() {
        assert_eq!(bounded("short"), "short");
        let long = "é".repeat(100);
        let cut = bounded(&long);
        assert_eq!(cut.chars().count(), MAX_KID_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn outcomes_follow_the_status() {
        let missing = Error::new(ErrorKind::MissingAuthorization);
        assert_eq!(Outcome::of(Err(&missing)), Outcome::NoCredentials);
        let bad = Error::from(TokenError::InvalidSignature);
        assert_eq!(Outcome::of(Err(&bad)), Outcome::Refused);
        assert_eq!(bad.reason(), "invalid_signature");
        let outage = Error::new(ErrorKind::KeysUnavailable {
            retry_after: Duration::from_secs(1),
            detail: "down".into(),
        });
        assert_eq!(Outcome::of(Err(&outage)), Outcome::Error);
        assert_eq!(Outcome::of(Ok(())), Outcome::Success);
    }
}
