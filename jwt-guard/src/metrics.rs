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
//! | `jwt_guard_status_list_fetches_total` | counter | `strategy`, `result` | Token Status List fetches: `ok` or `error` (a list that does not verify is an `error`) |
//! | `jwt_guard_dpop_replay_store_full_total` | counter | `strategy` | DPoP proofs refused (503) because the replay store held as many unexpired proofs as it may |
//! | `jwt_guard_introspections_total` | counter | `strategy`, `outcome` | calls to an introspection endpoint (RFC 7662): `active`, `inactive`, `refused` (an answer the checks refuse) or `error` (503) |
//! | `jwt_guard_introspection_duration_seconds` | histogram | `strategy`, `outcome` | time of one call to the introspection endpoint |
//! | `jwt_guard_introspection_cache_total` | counter | `strategy`, `result` | introspection result cache lookups: `hit` or `miss` |
//! | `jwt_guard_introspection_cache_evictions_total` | counter | `strategy` | introspection results evicted from the cache for room |
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

use crate::registry::Registry;
pub use crate::telemetry::sink::{
    AUTHENTICATION_DURATION, AUTHENTICATIONS, AUTHORIZATION_DENIED, DPOP_REPLAY_STORE_FULL,
    INTROSPECTION_CACHE, INTROSPECTION_CACHE_EVICTIONS, INTROSPECTION_DURATION, INTROSPECTIONS,
    JWKS_FETCH_DURATION, JWKS_FETCHES, JWKS_KEYS, JWKS_REFRESH_DUE, JWKS_STALE,
    STATUS_LIST_FETCHES, TOKEN_CACHE, TOKEN_CACHE_EVICTIONS,
};

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
    describe_counter!(
        STATUS_LIST_FETCHES,
        "Token Status List fetches by strategy and result."
    );
    describe_counter!(
        INTROSPECTIONS,
        "Calls to a token introspection endpoint by strategy and outcome."
    );
    describe_histogram!(
        INTROSPECTION_DURATION,
        Unit::Seconds,
        "Time of one call to a token introspection endpoint."
    );
    describe_counter!(
        INTROSPECTION_CACHE,
        "Introspection result cache lookups, hit or miss."
    );
    describe_counter!(
        INTROSPECTION_CACHE_EVICTIONS,
        "Introspection results evicted from the cache to make room."
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
        let label: std::sync::Arc<str> = std::sync::Arc::from(name.as_str());
        for engine in strategy.key_engines() {
            let status = engine.status();
            crate::telemetry::sink::jwks_state(
                Some(&label),
                status.keys,
                status.refresh_due_in,
                status.stale,
            );
        }
    }
}
