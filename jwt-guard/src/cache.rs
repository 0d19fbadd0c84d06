//! The opt-in verified-token cache: a token verified once skips signature verification
//! on later requests until its `exp` (never past a configured age).
//!
//! Keyed by the full token text, so only a byte-identical token can hit (no hash
//! collision can alias two tokens). Bounded by entries and by weight (bytes), with
//! quick_cache's eviction. On every hit the time claims are checked again, and the key
//! that verified the token must still be in the current key set.

use std::fmt;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::claims::ClaimsMap;
use crate::jwks::KeyEntry;

/// Settings of the verified-token cache ([`JwtStrategyBuilder::token_cache`](crate::JwtStrategyBuilder::token_cache)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenCacheConfig {
    /// Most tokens held. Defaults to 10 000.
    pub max_entries: usize,
    /// Most memory held, estimated from token and claims sizes. Defaults to 16 MiB.
    pub max_bytes: u64,
    /// Longest a verified token is served from the cache, whatever its `exp`. Defaults to
    /// 5 minutes.
    pub max_age: Duration,
    /// Tokens longer than this are never cached. Defaults to 4 KiB.
    pub max_token_bytes: usize,
}

impl Default for TokenCacheConfig {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_bytes: 16 * 1024 * 1024,
            max_age: Duration::from_secs(300),
            max_token_bytes: 4096,
        }
    }
}

/// What a hit needs to re-check.
pub(crate) struct Verified {
    pub(crate) claims: Arc<ClaimsMap>,
    pub(crate) exp: Option<f64>,
    pub(crate) nbf: Option<f64>,
    pub(crate) key: Weak<KeyEntry>,
    inserted: Instant,
    weight: u64,
}

pub(crate) struct TokenCache {
    cache: Cache<Box<str>, Arc<Verified>, ByWeight>,
    config: TokenCacheConfig,
}

#[derive(Clone)]
struct ByWeight;

impl Weighter<Box<str>, Arc<Verified>> for ByWeight {
    fn weight(&self, _key: &Box<str>, value: &Arc<Verified>) -> u64 {
        value.weight
    }
}

impl TokenCache {
    pub(crate) fn new(config: TokenCacheConfig) -> Self {
        let cache = Cache::with_weighter(config.max_entries, config.max_bytes, ByWeight);
        Self { cache, config }
    }

    /// The entry for `token`, if cached and younger than the max age.
    pub(crate) fn get(&self, token: &str) -> Option<Arc<Verified>> {
        if token.len() > self.config.max_token_bytes {
            return None;
        }
        let hit = self.cache.get(token)?;
        if hit.inserted.elapsed() > self.config.max_age {
            self.cache.remove(token);
            return None;
        }
        Some(hit)
    }

    pub(crate) fn insert(&self, token: &str, claims: Arc<ClaimsMap>, key: &Arc<KeyEntry>) {
        if token.len() > self.config.max_token_bytes {
            return;
        }
        let number = |name: &str| claims.get(name).and_then(serde_json::Value::as_f64);
        // Token text twice (key + decoded claims are about its size) plus fixed overhead.
        let weight = 2 * token.len() as u64 + 256;
        let entry = Verified {
            exp: number("exp"),
            nbf: number("nbf"),
            claims,
            key: Arc::downgrade(key),
            inserted: Instant::now(),
            weight,
        };
        self.cache.insert(Box::from(token), Arc::new(entry));
    }

    pub(crate) fn remove(&self, token: &str) {
        self.cache.remove(token);
    }

    pub(crate) fn len(&self) -> usize {
        self.cache.len()
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("entries", &self.cache.len())
            .field("config", &self.config)
            .finish()
    }
}
