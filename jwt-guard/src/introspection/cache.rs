//! The introspection result cache: answers of the endpoint, judged, keyed by the
//! SHA-256 of the token — never the token itself (RFC 9700 §4.x: a cache dump must not
//! hand out live credentials). Bounded by entries and by weight (bytes), quick_cache's
//! eviction; an entry lives until the earliest of the token's `exp` and the configured
//! maximum (active answers) or for the negative time (refused ones).

use std::mem::size_of;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, Weighter};

use crate::claims::ClaimsCell;
use crate::error::TokenError;
use crate::verify::Confirmation;

/// Settings of the introspection result cache
/// ([`IntrospectionStrategyBuilder::cache`](crate::IntrospectionStrategyBuilder::cache)).
///
/// An answer of the authorization server is reused until the earliest of the token's
/// `exp` and [`max_ttl`](Self::max_ttl): that bound is how late a revocation is noticed.
/// 60 s (the default) is Spring Security's and Quarkus' order of magnitude; a shorter
/// one notices revocations sooner at the cost of more calls to the endpoint, zero turns
/// the cache off (one call per request).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IntrospectionCacheConfig {
    /// Most answers held: a hard bound. Defaults to 10 000. Zero turns the cache off.
    pub max_entries: usize,
    /// Most memory held by the entries, in bytes (the answer's claims and the cache's
    /// bookkeeping, within a factor of two): a hard bound. Defaults to 16 MiB. Zero turns
    /// the cache off.
    pub max_bytes: u64,
    /// Longest an active answer is reused, whatever the token's `exp`: the revocation
    /// latency. Defaults to 60 s. Zero turns the cache off.
    pub max_ttl: Duration,
    /// How long an `"active": false` answer (or one refused by the checks, as an expired
    /// or foreign token) is reused: a token tried again and again costs one call per
    /// period. Defaults to 5 s. Zero: not cached.
    pub negative_ttl: Duration,
}

impl Default for IntrospectionCacheConfig {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_bytes: 16 * 1024 * 1024,
            max_ttl: Duration::from_secs(60),
            negative_ttl: Duration::from_secs(5),
        }
    }
}

/// The SHA-256 of a token.
pub(super) type TokenHash = [u8; 32];

/// The hash of `token`.
pub(super) fn token_hash(token: &str) -> TokenHash {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut hash = [0u8; 32];
    hash.copy_from_slice(digest.as_ref());
    hash
}

/// The first 8 hex digits of a token's hash: what logs may show of a token.
pub(super) fn hash_prefix(hash: &TokenHash) -> String {
    hash[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// An answer, judged: the principal's material, or why the token is refused.
pub(super) type Outcome = Result<Active, TokenError>;

/// An active token's answer, as every use of it re-checks it.
pub(super) struct Active {
    pub(super) claims: Arc<ClaimsCell>,
    pub(super) exp: Option<f64>,
    pub(super) nbf: Option<f64>,
    pub(super) cnf: Confirmation,
}

/// A judged answer and how long it may be reused.
pub(super) struct Judged {
    pub(super) outcome: Outcome,
    until: Instant,
    weight: u64,
}

impl Judged {
    /// `outcome`, reusable until `until`.
    pub(super) fn new(outcome: Outcome, until: Instant) -> Self {
        let text = match &outcome {
            Ok(active) => active.claims.text_capacity(),
            Err(_) => 0,
        };
        let weight = (size_of::<TokenHash>() + size_of::<Judged>() + 64)
            .saturating_add(text.saturating_mul(2)) as u64;
        Self {
            outcome,
            until,
            weight,
        }
    }
}

pub(super) struct ResultCache {
    /// `None` when a bound is zero: nothing is ever cached.
    cache: Option<Inner>,
    pub(super) max_ttl: Duration,
    pub(super) negative_ttl: Duration,
    label: Arc<OnceLock<Arc<str>>>,
}

type Inner = Cache<TokenHash, Arc<Judged>, ByWeight, DefaultHashBuilder, Evictions>;

/// An entry's weight: its bytes, at least the floor that makes the entry bound hard.
#[derive(Clone)]
struct ByWeight {
    floor: u64,
}

impl Weighter<TokenHash, Arc<Judged>> for ByWeight {
    fn weight(&self, _key: &TokenHash, value: &Arc<Judged>) -> u64 {
        value.weight.max(self.floor)
    }
}

/// Counts the entries evicted for room, for the metrics.
#[derive(Clone, Default)]
struct Evictions {
    label: Arc<OnceLock<Arc<str>>>,
}

impl Lifecycle<TokenHash, Arc<Judged>> for Evictions {
    type RequestState = ();

    fn on_evict(&self, _state: &mut Self::RequestState, _key: TokenHash, _val: Arc<Judged>) {
        crate::telemetry::introspection_cache_eviction(self.label.get());
    }
}

impl ResultCache {
    pub(super) fn new(config: &IntrospectionCacheConfig) -> Self {
        let label = Arc::new(OnceLock::new());
        let off = config.max_entries == 0 || config.max_bytes == 0 || config.max_ttl.is_zero();
        // Bounded by entries and by weight, as the token cache (one shard).
        let cache = if off {
            None
        } else {
            crate::cache::bounded_options(config.max_entries, config.max_bytes, false).map(
                |(options, floor)| {
                    Cache::with_options(
                        options,
                        ByWeight { floor },
                        DefaultHashBuilder::default(),
                        Evictions {
                            label: Arc::clone(&label),
                        },
                    )
                },
            )
        };
        Self {
            cache,
            max_ttl: config.max_ttl,
            negative_ttl: config.max_ttl.min(config.negative_ttl),
            label,
        }
    }

    pub(super) fn set_label(&self, name: &Arc<str>) {
        let _ = self.label.set(Arc::clone(name));
    }

    pub(super) fn is_on(&self) -> bool {
        self.cache.is_some()
    }

    /// The judged answer for `hash`, while it may be reused at `now`.
    pub(super) fn get(&self, hash: &TokenHash, now: Instant) -> Option<Arc<Judged>> {
        let cache = self.cache.as_ref()?;
        let hit = cache.get(hash)?;
        if now >= hit.until {
            cache.remove(hash);
            return None;
        }
        Some(hit)
    }

    /// Keeps `judged` for `hash` (unless it may not be reused at all).
    pub(super) fn insert(&self, hash: TokenHash, judged: &Arc<Judged>, now: Instant) {
        if let Some(cache) = &self.cache
            && judged.until > now
        {
            cache.insert(hash, Arc::clone(judged));
        }
    }

    /// Answers held.
    pub(super) fn len(&self) -> usize {
        self.cache.as_ref().map_or(0, Cache::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_and_prefix_is_short() {
        let hash = token_hash("abc");
        assert_eq!(
            hash_prefix(&hash),
            "ba7816bf",
            "SHA-256(\"abc\") starts ba7816bf"
        );
    }

    #[test]
    fn entries_end_at_their_time_and_bounds_hold() {
        let config = IntrospectionCacheConfig {
            max_entries: 4,
            max_bytes: 1 << 20,
            ..IntrospectionCacheConfig::default()
        };
        let cache = ResultCache::new(&config);
        let now = Instant::now();
        let judged = Arc::new(Judged::new(
            Err(TokenError::Inactive),
            now + Duration::from_secs(5),
        ));
        cache.insert(token_hash("t"), &judged, now);
        assert!(cache.get(&token_hash("t"), now).is_some());
        assert!(cache.get(&token_hash("u"), now).is_none());
        assert!(
            cache
                .get(&token_hash("t"), now + Duration::from_secs(5))
                .is_none(),
            "an entry ends at its time"
        );
        assert_eq!(cache.len(), 0, "and is removed then");
        for i in 0..50 {
            cache.insert(token_hash(&i.to_string()), &judged, now);
        }
        assert!(cache.len() <= 4, "bounded: {}", cache.len());
        let off = ResultCache::new(&IntrospectionCacheConfig {
            max_ttl: Duration::ZERO,
            ..IntrospectionCacheConfig::default()
        });
        off.insert(token_hash("t"), &judged, now);
        assert!(!off.is_on() && off.get(&token_hash("t"), now).is_none());
    }
}
