//! The process-wide registry of named strategies, filled at start-up.
//!
//! Lookups on the request path are lock-free: the map is behind an [`ArcSwap`], read with
//! one atomic load. Registration (rare, at start-up) copies the map and swaps it in.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arc_swap::ArcSwap;
use http::HeaderMap;

use crate::error::{Error, ErrorKind};
use crate::principal::Principal;
use crate::strategy::Strategy;

/// Registers `strategy` under `name` in the process-wide registry.
///
/// Registering a name twice is an error ([`ErrorKind::DuplicateStrategy`]): the first
/// registration stays, nothing is replaced silently. Names are case-sensitive and must
/// not be empty.
///
/// ```
/// # fn main() -> Result<(), jwt_guard::Error> {
/// use jwt_guard::JwtStrategy;
///
/// let strategy = JwtStrategy::builder()
///     .issuer("https://issuer.example")
///     .build()?;
/// jwt_guard::register("doc-jwt", strategy)?;
/// assert!(jwt_guard::register("doc-jwt", JwtStrategy::builder().issuer("https://other.example").build()?).is_err());
/// # Ok(()) }
/// ```
pub fn register(name: &str, strategy: impl Strategy) -> Result<(), Error> {
    register_arc(name, Arc::new(strategy))
}

/// Like [`register`], for a strategy that is already shared.
pub fn register_arc(name: &str, strategy: Arc<dyn Strategy>) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::config("a strategy name must not be empty"));
    }
    let entry = Arc::new(Entry {
        name: Arc::from(name),
        strategy,
    });
    let mut inserted = false;
    REGISTRY.rcu(|current| {
        if current.contains_key(name) {
            inserted = false;
            return Arc::clone(current);
        }
        let mut next = HashMap::clone(current);
        next.insert(Box::from(name), Arc::clone(&entry));
        inserted = true;
        Arc::new(next)
    });
    if inserted {
        tracing::info!(strategy = name, "authentication strategy registered");
        Ok(())
    } else {
        Err(Error::new(ErrorKind::DuplicateStrategy(name.to_owned())))
    }
}

/// True when a strategy is registered under `name`.
pub fn is_registered(name: &str) -> bool {
    REGISTRY.load().contains_key(name)
}

/// The names of all registered strategies, sorted.
pub fn registered() -> Vec<String> {
    let mut names: Vec<String> = REGISTRY.load().keys().map(|k| k.to_string()).collect();
    names.sort();
    names
}

/// Runs the strategy registered under `name` on `headers`.
///
/// An unregistered name fails closed with [`ErrorKind::UnknownStrategy`] (a 500), and is
/// logged: it is the service's misconfiguration, not the client's fault.
pub async fn authenticate(name: &str, headers: &HeaderMap) -> Result<Principal, Error> {
    let Some(entry) = REGISTRY.load().get(name).map(Arc::clone) else {
        tracing::error!(
            strategy = name,
            "handler names an authentication strategy that is not registered"
        );
        return Err(Error::new(ErrorKind::UnknownStrategy(name.to_owned())));
    };
    match entry.strategy.authenticate(headers).await {
        Ok(principal) => Ok(principal.with_strategy(&entry.name)),
        Err(err) => {
            tracing::debug!(strategy = name, error = %err, status = err.status().as_u16(), "authentication failed");
            Err(err)
        }
    }
}

struct Entry {
    name: Arc<str>,
    strategy: Arc<dyn Strategy>,
}

static REGISTRY: LazyLock<ArcSwap<HashMap<Box<str>, Arc<Entry>>>> =
    LazyLock::new(|| ArcSwap::from_pointee(HashMap::new()));
