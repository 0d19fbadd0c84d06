//! Registries of their own, for the suites that keep away from the global one.

use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, Registry};

/// A new registry with one strategy, `name`, that trusts `issuer` with its keys given
/// inline (no key server: it works for an [`Issuer::offline`] too).
///
/// # Panics
///
/// When the strategy cannot be built or registered.
pub fn offline(issuer: &Issuer, name: &str) -> Registry {
    let registry = Registry::new();
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_json(issuer.jwks().to_string().as_bytes())
        .build()
        .expect("strategy");
    registry.register(name, strategy).expect("register");
    registry
}
