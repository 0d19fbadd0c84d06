//! The metrics sink: every figure jwt-guard records, through the `metrics` facade. It
//! imports nothing of the crate — [`telemetry`](super) is the one way anything reports,
//! and it calls these with names and numbers only.

use std::sync::Arc;
use std::time::Duration;

use metrics::{Label, SharedString};

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

/// `jwt_guard_status_list_fetches_total`.
pub const STATUS_LIST_FETCHES: &str = "jwt_guard_status_list_fetches_total";
/// `jwt_guard_introspections_total`.
pub const INTROSPECTIONS: &str = "jwt_guard_introspections_total";
/// `jwt_guard_introspection_duration_seconds`.
pub const INTROSPECTION_DURATION: &str = "jwt_guard_introspection_duration_seconds";
/// `jwt_guard_introspection_cache_total`.
pub const INTROSPECTION_CACHE: &str = "jwt_guard_introspection_cache_total";
/// `jwt_guard_introspection_cache_evictions_total`.
pub const INTROSPECTION_CACHE_EVICTIONS: &str = "jwt_guard_introspection_cache_evictions_total";

/// The label of an engine whose strategy is not registered.
const UNREGISTERED: &str = "unregistered";

fn strategy_label(strategy: Option<SharedString>) -> Label {
    Label::new(
        "strategy",
        strategy.unwrap_or_else(|| SharedString::const_str(UNREGISTERED)),
    )
}

pub(crate) fn authentication(
    strategy: &Arc<str>,
    outcome: &'static str,
    reason: Option<&'static str>,
    elapsed: Duration,
) {
    let strategy = SharedString::from(Arc::clone(strategy));
    let outcome = SharedString::const_str(outcome);
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
pub(crate) fn jwks_fetch(strategy: Option<&Arc<str>>, result: &'static str, elapsed: Duration) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", result),
    ];
    metrics::counter!(JWKS_FETCHES, labels.iter()).increment(1);
    metrics::histogram!(JWKS_FETCH_DURATION, labels.iter()).record(elapsed.as_secs_f64());
}

/// One fetch of a Token Status List by the strategy labelled `strategy`: `result` is
/// `ok` or `error`.
pub(crate) fn status_list_fetch(strategy: Option<&Arc<str>>, result: &'static str) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", result),
    ];
    metrics::counter!(STATUS_LIST_FETCHES, labels.iter()).increment(1);
}

/// The gauges of a key engine labelled `strategy`.
pub(crate) fn jwks_state(
    strategy: Option<&Arc<str>>,
    keys: usize,
    refresh_due_in: Option<Duration>,
    stale: bool,
) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::gauge!(JWKS_KEYS, labels.iter()).set(keys as f64);
    metrics::gauge!(JWKS_REFRESH_DUE, labels.iter())
        .set(refresh_due_in.unwrap_or(Duration::ZERO).as_secs_f64());
    metrics::gauge!(JWKS_STALE, labels.iter()).set(if stale { 1.0 } else { 0.0 });
}

/// One call to an introspection endpoint: `outcome` is `active`, `inactive`, `refused`
/// or `error`.
pub(crate) fn introspection(strategy: Option<&Arc<str>>, outcome: &'static str, elapsed: Duration) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("outcome", outcome),
    ];
    metrics::counter!(INTROSPECTIONS, labels.iter()).increment(1);
    metrics::histogram!(INTROSPECTION_DURATION, labels.iter()).record(elapsed.as_secs_f64());
}

pub(crate) fn introspection_cache(strategy: Option<&Arc<str>>, hit: bool) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", if hit { "hit" } else { "miss" }),
    ];
    metrics::counter!(INTROSPECTION_CACHE, labels.iter()).increment(1);
}

pub(crate) fn introspection_cache_eviction(strategy: Option<&Arc<str>>) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::counter!(INTROSPECTION_CACHE_EVICTIONS, labels.iter()).increment(1);
}
