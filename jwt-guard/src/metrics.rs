//! Metrics through the `metrics` facade (feature `metrics`): install any
//! recorder (e.g. `metrics-exporter-prometheus`) and jwt-guard's figures appear in it.
//!
//! Every label value comes from a closed set or from the configuration: the strategy
//! is its registered name, the reason an [`Error::reason`](crate::Error::reason) code.
//! Nothing read from a request — no `kid`, no issuer or subject taken from a token — is
//! ever a label, so the number of series stays bounded whatever clients send.
//!
//! | name | kind | labels | what |
//! |---|---|---|---|
//! | `jwt_guard_authentications_total` | counter | `strategy`, `outcome`, `reason` | one per strategy run: `outcome` is `success`, `no_credentials`, `refused` (401) or `error` (5xx); `reason` is `none` on success |
//! | `jwt_guard_authentication_duration_seconds` | histogram | `strategy`, `outcome` | time in the strategy (token cache, key lookup, signature, claims) |
//! | `jwt_guard_authorization_denied_total` | counter | `strategy`, `reason` | 403s of `scopes = …` / `roles = …` (`insufficient_scope`, `insufficient_role`) |
//! | `jwt_guard_token_cache_total` | counter | `strategy`, `result` | verified-token cache lookups: `hit` or `miss` |
//! | `jwt_guard_token_cache_evictions_total` | counter | `strategy` | verified tokens evicted from the cache for room |
//! | `jwt_guard_jwks_fetches_total` | counter | `strategy`, `result` | key set fetches: `ok`, `not_modified` or `error` |
//! | `jwt_guard_jwks_fetch_duration_seconds` | histogram | `strategy`, `result` | time of one fetch (discovery included) |
//! | `jwt_guard_jwks_keys` | gauge | `strategy` | usable keys held |
//! | `jwt_guard_jwks_refresh_due_seconds` | gauge | `strategy` | seconds until the held set is due for refresh (0 when due) |
//! | `jwt_guard_jwks_stale` | gauge | `strategy` | 1 while the held set is past its max age (kept because refreshes fail) |
//! | `jwt_guard_dpop_replay_store_full_total` | counter | `strategy` | DPoP proofs refused (503) because the replay store held as many unexpired proofs as it may |
//!
//! The key engine's gauges are set after each fetch; call [`collect`] before rendering
//! a scrape (in the `/metrics` handler) to bring the time-dependent ones up to date.
//! An engine of a strategy not (yet) registered is labelled `strategy="unregistered"`.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # struct Handle; impl Handle { fn render(&self) -> String { String::new() } }
//! # let prometheus = Handle;
//! // At start-up, after installing the recorder (PrometheusBuilder::install_recorder):
//! jwt_guard::metrics::describe();
//! // In the /metrics handler:
//! jwt_guard::metrics::collect(jwt_guard::Registry::global());
//! let body = prometheus.render();
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use metrics::{Label, SharedString};

use crate::registry::Registry;
use crate::telemetry::Outcome;

/// `jwt_guard_authentications_total`.
pub const AUTHENTICATIONS: &str = "jwt_guard_authentications_total";
/// `jwt_guard_authentication_duration_seconds`.
pub const AUTHENTICATION_DURATION: &str = "jwt_guard_authentication_duration_seconds";
/// `jwt_guard_authorization_denied_total`.
pub const AUTHORIZATION_DENIED: &str = "jwt_guard_authorization_denied_total";
/// `jwt_guard_token_cache_total`.
pub const TOKEN_CACHE: &str = "jwt_guard_token_cache_total";
/// `jwt_guard_token_cache_evictions_total`.
pub const TOKEN_CACHE_EVICTIONS: &str = "jwt_guard_token_cache_evictions_total";
/// `jwt_guard_jwks_fetches_total`.
pub const JWKS_FETCHES: &str = "jwt_guard_jwks_fetches_total";
/// `jwt_guard_jwks_fetch_duration_seconds`.
pub const JWKS_FETCH_DURATION: &str = "jwt_guard_jwks_fetch_duration_seconds";
/// `jwt_guard_jwks_keys`.
pub const JWKS_KEYS: &str = "jwt_guard_jwks_keys";
/// `jwt_guard_jwks_refresh_due_seconds`.
pub const JWKS_REFRESH_DUE: &str = "jwt_guard_jwks_refresh_due_seconds";
/// `jwt_guard_jwks_stale`.
pub const JWKS_STALE: &str = "jwt_guard_jwks_stale";
/// `jwt_guard_dpop_replay_store_full_total`.
pub const DPOP_REPLAY_STORE_FULL: &str = "jwt_guard_dpop_replay_store_full_total";

/// The label of an engine whose strategy is not registered.
const UNREGISTERED: &str = "unregistered";

/// Describes every metric (help text and unit) to the installed recorder. Call once,
/// after installing it; optional.
pub fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        AUTHENTICATIONS,
        "Authentications by strategy, outcome and reason."
    );
    describe_histogram!(
        AUTHENTICATION_DURATION,
        Unit::Seconds,
        "Time spent authenticating one request with one strategy."
    );
    describe_counter!(
        AUTHORIZATION_DENIED,
        "Requests authenticated but denied by a scopes or roles requirement."
    );
    describe_counter!(TOKEN_CACHE, "Verified-token cache lookups, hit or miss.");
    describe_counter!(
        TOKEN_CACHE_EVICTIONS,
        "Verified tokens evicted from the cache to make room."
    );
    describe_counter!(JWKS_FETCHES, "JWK Set fetches by strategy and result.");
    describe_histogram!(
        JWKS_FETCH_DURATION,
        Unit::Seconds,
        "Time of one JWK Set fetch."
    );
    describe_gauge!(JWKS_KEYS, "Usable signing keys held.");
    describe_gauge!(
        JWKS_REFRESH_DUE,
        Unit::Seconds,
        "Seconds until the held JWK Set is due for refresh."
    );
    describe_gauge!(
        JWKS_STALE,
        "1 while the held JWK Set is past its max age because refreshes fail."
    );
    describe_counter!(
        DPOP_REPLAY_STORE_FULL,
        "DPoP proofs refused because the replay store was full of unexpired proofs."
    );
}

/// Brings the key engines' gauges up to date for every strategy registered in
/// `registry`: keys held, seconds until refresh, stale flag. Cheap (no I/O); call it in
/// the `/metrics` handler before rendering.
pub fn collect(registry: &Registry) {
    for name in registry.names() {
        let Some(strategy) = registry.strategy(&name) else {
            continue;
        };
        let label = SharedString::from(name);
        for engine in strategy.key_engines() {
            let status = engine.status();
            jwks_state(
                Some(label.clone()),
                status.keys,
                status.refresh_due_in,
                status.stale,
            );
        }
    }
}

fn strategy_label(strategy: Option<SharedString>) -> Label {
    Label::new(
        "strategy",
        strategy.unwrap_or_else(|| SharedString::const_str(UNREGISTERED)),
    )
}

pub(crate) fn authentication(
    strategy: &Arc<str>,
    outcome: Outcome,
    reason: Option<&'static str>,
    elapsed: Duration,
) {
    let strategy = SharedString::from(Arc::clone(strategy));
    let outcome = SharedString::const_str(outcome.as_str());
    metrics::counter!(
        AUTHENTICATIONS,
        "strategy" => strategy.clone(),
        "outcome" => outcome.clone(),
        "reason" => SharedString::const_str(reason.unwrap_or("none")),
    )
    .increment(1);
    metrics::histogram!(
        AUTHENTICATION_DURATION,
        "strategy" => strategy,
        "outcome" => outcome,
    )
    .record(elapsed.as_secs_f64());
}

pub(crate) fn authorization_denied(strategy: &str, reason: &'static str) {
    metrics::counter!(
        AUTHORIZATION_DENIED,
        "strategy" => strategy.to_owned(),
        "reason" => SharedString::const_str(reason),
    )
    .increment(1);
}

pub(crate) fn token_cache(strategy: Option<&Arc<str>>, hit: bool) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", if hit { "hit" } else { "miss" }),
    ];
    metrics::counter!(TOKEN_CACHE, labels.iter()).increment(1);
}

pub(crate) fn token_cache_eviction(strategy: Option<&Arc<str>>) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::counter!(TOKEN_CACHE_EVICTIONS, labels.iter()).increment(1);
}

pub(crate) fn replay_store_full(strategy: Option<&Arc<str>>) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::counter!(DPOP_REPLAY_STORE_FULL, labels.iter()).increment(1);
}

/// One fetch of a key engine labelled `strategy`: `result` is `ok`, `not_modified` or
/// `error`.
pub(crate) fn jwks_fetch(strategy: Option<SharedString>, result: &'static str, elapsed: Duration) {
    let labels = [
        strategy_label(strategy),
        Label::from_static_parts("result", result),
    ];
    metrics::counter!(JWKS_FETCHES, labels.iter()).increment(1);
    metrics::histogram!(JWKS_FETCH_DURATION, labels.iter()).record(elapsed.as_secs_f64());
}

/// The gauges of a key engine labelled `strategy`.
pub(crate) fn jwks_state(
    strategy: Option<SharedString>,
    keys: usize,
    refresh_due_in: Option<Duration>,
    stale: bool,
) {
    let labels = [strategy_label(strategy)];
    metrics::gauge!(JWKS_KEYS, labels.iter()).set(keys as f64);
    metrics::gauge!(JWKS_REFRESH_DUE, labels.iter())
        .set(refresh_due_in.unwrap_or(Duration::ZERO).as_secs_f64());
    metrics::gauge!(JWKS_STALE, labels.iter()).set(if stale { 1.0 } else { 0.0 });
}
