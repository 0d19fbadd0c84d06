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

/// Runs the strategies registered under `names` in order; the first success wins.
///
/// LoopBack's semantics for `@authenticate('a', 'b')`:
///
/// - a strategy that finds **no credentials of its kind** (its error answers
///   [`Error::is_missing_credentials`]) passes the request on to the next one;
/// - a strategy that finds credentials and **refuses** them ends the chain with its error
///   (a bad token is never retried as something else);
/// - when **every** strategy passes, the result is [`ErrorKind::NoCredentials`], a 401
///   naming the strategies tried — itself a missing-credentials error. With one name,
///   that strategy's own error is returned unchanged.
///
/// An unregistered name fails closed when it is reached, like [`authenticate`].
///
/// ```
/// # async fn f(headers: &http::HeaderMap) -> Result<(), jwt_guard::Error> {
/// let principal = jwt_guard::authenticate_any(&["jwt", "api-key"], headers).await?;
/// println!("authenticated by {}", principal.strategy());
/// # Ok(()) }
/// ```
pub async fn authenticate_any(names: &[&str], headers: &HeaderMap) -> Result<Principal, Error> {
    if let [name] = names {
        return authenticate(name, headers).await;
    }
    for name in names {
        match authenticate(name, headers).await {
            Err(err) if err.is_missing_credentials() => continue,
            result => return result,
        }
    }
    Err(Error::new(ErrorKind::NoCredentials {
        expected: names.iter().map(|name| (*name).to_owned()).collect(),
    }))
}

struct Entry {
    name: Arc<str>,
    strategy: Arc<dyn Strategy>,
}

static REGISTRY: LazyLock<ArcSwap<HashMap<Box<str>, Arc<Entry>>>> =
    LazyLock::new(|| ArcSwap::from_pointee(HashMap::new()));
