//! Hooks into a strategy for tests: time stepped forward, the cache's weight, fetches
//! settled. Here, behind the `testkit` feature, not on the public types.

use std::time::Duration;

use crate::introspection::IntrospectionStrategy;
use crate::jwks::JwksClient;
use crate::strategy::JwtStrategy;

/// Steps `strategy`'s clock forward (key freshness, token-cache age, `exp`/`nbf`), as if
/// `by` had passed: tests of expiry and refresh without sleeping. Saturating.
pub fn advance_clock(strategy: &JwtStrategy, by: Duration) {
    strategy.advance_clock(by);
}

/// Steps `strategy`'s clock forward (result-cache age, `exp`/`nbf` of the answers), as
/// if `by` had passed. Saturating.
pub fn advance_introspection_clock(strategy: &IntrospectionStrategy, by: Duration) {
    strategy.advance_clock(by);
}

/// The summed weight (bytes) of the tokens `strategy`'s verified-token cache holds (0
/// when the cache is off).
pub fn cached_weight(strategy: &JwtStrategy) -> u64 {
    strategy.cached_weight()
}

/// Waits until `client` has no fetch in flight (a background refresh, a refetch for an
/// unknown `kid`), so that a test can look at its state after it.
pub async fn settle(client: &JwksClient) {
    client.settle().await;
}
