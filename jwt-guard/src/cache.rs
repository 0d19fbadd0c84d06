//! The opt-in verified-token cache: a token verified once skips signature verification
//! on later requests until its `exp` (never past a configured age).
//!
//! Keyed by the full token text, so only a byte-identical token can hit (no hash
//! collision can alias two tokens). Bounded by entries and by weight (bytes), with
//! quick_cache's eviction; both bounds are hard. On every hit the time claims are checked
//! again, and the key that verified the token must still be in a key set the engine would
//! use for a cold verification at that moment (the same freshness check).

use std::fmt;
use std::mem::size_of;
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, OptionsBuilder, Weighter};
use serde_json::Value;

use crate::claims::{ClaimsCell, ClaimsMap};
use crate::jwks::KeyEntry;
use crate::status_list::StatusRef;
use crate::time::Clock;
use crate::verify::Confirmation;

/// Settings of the verified-token cache ([`JwtStrategyBuilder::token_cache`](crate::JwtStrategyBuilder::token_cache)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenCacheConfig {
    /// Most tokens held: a hard bound. Defaults to 10 000. Zero turns the cache off.
    pub max_entries: usize,
    /// Most memory held by the entries, in bytes: a hard bound on their weight, which is
    /// the memory an entry really holds (the token text, the parsed claims with every
    /// string, array and map node, and the cache's own bookkeeping), within a factor of
    /// two. Defaults to 16 MiB. Zero turns the cache off.
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
    pub(crate) claims: Arc<ClaimsCell>,
    pub(crate) exp: Option<f64>,
    pub(crate) nbf: Option<f64>,
    /// The token's `cnf`, checked against how each hit is presented.
    pub(crate) cnf: Confirmation,
    pub(crate) key: Weak<KeyEntry>,
    /// The token's place in its status list, read again on every hit.
    pub(crate) status: Option<StatusRef>,
    inserted: Instant,
    weight: u64,
}

pub(crate) struct TokenCache {
    /// `None` when a bound is zero: nothing is ever cached.
    cache: Option<Inner>,
    config: TokenCacheConfig,
    clock: Arc<Clock>,
    /// The strategy's registered name, shared with the eviction counter.
    label: Arc<OnceLock<Arc<str>>>,
}

type Inner = Cache<TokenKey, Arc<Verified>, ByWeight, DefaultHashBuilder, Evictions>;

/// Counts the entries evicted for room (not the ones removed as too old or no longer
/// valid), for the metrics.
#[derive(Clone, Default)]
struct Evictions {
    label: Arc<OnceLock<Arc<str>>>,
}

impl Lifecycle<TokenKey, Arc<Verified>> for Evictions {
    type RequestState = ();

    fn on_evict(&self, _state: &mut Self::RequestState, _key: TokenKey, _val: Arc<Verified>) {
        crate::telemetry::token_cache_eviction(self.label.get());
    }
}

/// The cache key: the whole token text, compared whole. Hashed on its last
/// [`HASHED_BYTES`] bytes only — the tail of the signature, unpredictable for any token
/// that was verified (only verified tokens are inserted) — so a hit hashes 32 bytes, not
/// the whole token. Equality still takes every byte: no two tokens alias.
struct TokenKey(Box<str>);

/// A borrowed token, to look a [`TokenKey`] up without allocating: bytes, so that the
/// `Authorization` header's bytes can be looked up before their characters are checked
/// (equal to a key, they are a token that was checked and verified).
struct TokenRef<'a>(&'a [u8]);

const HASHED_BYTES: usize = 32;

fn hashed_tail(token: &[u8]) -> &[u8] {
    &token[token.len().saturating_sub(HASHED_BYTES)..]
}

impl std::hash::Hash for TokenKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(hashed_tail(self.0.as_bytes()));
    }
}

impl std::hash::Hash for TokenRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(hashed_tail(self.0));
    }
}

impl PartialEq for TokenKey {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for TokenKey {}

impl quick_cache::Equivalent<TokenKey> for TokenRef<'_> {
    fn equivalent(&self, key: &TokenKey) -> bool {
        key.0.as_bytes() == self.0
    }
}

/// An entry weighs its bytes, and at least `floor`: with the cache's capacity, that floor
/// makes `max_entries` a hard bound as well as `max_bytes`.
#[derive(Clone)]
struct ByWeight {
    floor: u64,
}

impl Weighter<TokenKey, Arc<Verified>> for ByWeight {
    fn weight(&self, _key: &TokenKey, value: &Arc<Verified>) -> u64 {
        value.weight.max(self.floor)
    }
}

/// quick_cache's bookkeeping per entry (slot, index, hash), estimated.
const ENTRY_OVERHEAD: usize = 64;

/// The memory held by one cache entry for `token` with these claims: the key, the
/// `Verified` and claims allocations, and every heap allocation inside the claims.
pub(crate) fn entry_bytes(token: &str, claims: &ClaimsCell) -> u64 {
    let arc = 2 * size_of::<usize>();
    let bytes = ENTRY_OVERHEAD
        + token.len()
        + arc
        + size_of::<Verified>()
        + arc
        + size_of::<ClaimsCell>()
        + claims.text_capacity()
        + map_heap(claims.map());
    bytes as u64
}

/// Heap bytes of a `serde_json::Map` (a `BTreeMap<String, Value>`): its nodes, estimated
/// from the entry count, and what its keys and values hold.
fn map_heap(map: &ClaimsMap) -> usize {
    if map.is_empty() {
        return 0;
    }
    // A leaf holds up to 11 entries (keys, values, header); internal nodes add 12 edges.
    let leaf = 11 * (size_of::<String>() + size_of::<Value>()) + 16;
    let leaves = map.len().div_ceil(8);
    let internal = if leaves > 1 { leaves.div_ceil(6) } else { 0 };
    let nodes = leaves * leaf + internal * (leaf + 12 * size_of::<usize>());
    nodes
        + map
            .iter()
            .map(|(k, v)| k.capacity() + value_heap(v))
            .sum::<usize>()
}

fn value_heap(value: &Value) -> usize {
    match value {
        Value::String(s) => s.capacity(),
        Value::Array(items) => {
            items.capacity() * size_of::<Value>() + items.iter().map(value_heap).sum::<usize>()
        }
        Value::Object(map) => map_heap(map),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

/// The sizing of a quick_cache bounded both by entries and by weight (bytes): its options
/// and the weight floor that makes the entry bound hard too. With floor =
/// ceil(2C / (2E + 1)), E + 1 entries weigh more than the capacity C, so at most E fit,
/// and one entry (under 1/E of C) never counts as overweight. `sharded`: shards for the
/// machine's parallelism, a power of two with at least 32 estimated entries each (the
/// capacity a multiple of the shard count, so that their capacities sum to it); else one.
/// `None` when a bound is zero: nothing is ever cached.
pub(crate) fn bounded_options(
    max_entries: usize,
    max_bytes: u64,
    sharded: bool,
) -> Option<(quick_cache::Options, u64)> {
    if max_entries == 0 || max_bytes == 0 {
        return None;
    }
    let entries = max_entries as u64;
    // Estimated from a small entry (a token and a few claims, about 1 KiB); used by
    // quick_cache to size its tables, so kept modest.
    let estimated = max_entries
        .min(usize::try_from(max_bytes / 1024).unwrap_or(usize::MAX))
        .clamp(1, 1 << 20);
    let mut shards = 1;
    if sharded {
        let parallel = std::thread::available_parallelism().map_or(1, |n| n.get()) * 4;
        shards = parallel.next_power_of_two();
        while shards > 1 && estimated / shards < 32 {
            shards /= 2;
        }
    }
    let capacity = max_bytes / shards as u64 * shards as u64;
    let floor = ((2 * u128::from(capacity)).div_ceil(2 * u128::from(entries) + 1)).max(1);
    let floor = u64::try_from(floor).unwrap_or(u64::MAX);
    let options = OptionsBuilder::new()
        .estimated_items_capacity(estimated)
        .weight_capacity(capacity)
        .shards(shards)
        .build()
        .ok()?;
    Some((options, floor))
}

impl TokenCache {
    pub(crate) fn new(config: TokenCacheConfig, clock: Arc<Clock>) -> Self {
        let label = Arc::new(OnceLock::new());
        let cache =
            bounded_options(config.max_entries, config.max_bytes, true).map(|(options, floor)| {
                Cache::with_options(
                    options,
                    ByWeight { floor },
                    DefaultHashBuilder::default(),
                    Evictions {
                        label: Arc::clone(&label),
                    },
                )
            });
        Self {
            cache,
            config,
            clock,
            label,
        }
    }

    /// Labels the eviction metric with the strategy's registered name (first call wins).
    pub(crate) fn set_label(&self, name: &Arc<str>) {
        let _ = self.label.set(Arc::clone(name));
    }

    /// The entry for `token`, if cached and younger than the max age at `now` (the
    /// strategy's clock, read once per request).
    pub(crate) fn get(&self, token: &[u8], now: Instant) -> Option<Arc<Verified>> {
        let cache = self.cache.as_ref()?;
        if token.len() > self.config.max_token_bytes {
            return None;
        }
        let hit = cache.get(&TokenRef(token))?;
        let age = now.saturating_duration_since(hit.inserted);
        if age > self.config.max_age {
            cache.remove(&TokenRef(token));
            return None;
        }
        Some(hit)
    }

    /// Caches a verified token: its claims, its valid `exp` and `nbf`, and its key.
    /// The entry's weight counts the claims map, which is built here (once: the principal
    /// handed to the handler shares it).
    pub(crate) fn insert(
        &self,
        token: &str,
        claims: Arc<ClaimsCell>,
        (exp, nbf): (Option<f64>, Option<f64>),
        cnf: Confirmation,
        key: &Arc<KeyEntry>,
        status: Option<StatusRef>,
    ) {
        let Some(cache) = &self.cache else { return };
        if token.len() > self.config.max_token_bytes {
            return;
        }
        let entry = Verified {
            exp,
            nbf,
            cnf,
            weight: entry_bytes(token, &claims),
            claims,
            key: Arc::downgrade(key),
            status,
            inserted: self.clock.now(),
        };
        cache.insert(TokenKey(Box::from(token)), Arc::new(entry));
    }

    pub(crate) fn remove(&self, token: &[u8]) {
        if let Some(cache) = &self.cache {
            cache.remove(&TokenRef(token));
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cache.as_ref().map_or(0, Cache::len)
    }

    /// The summed weight of the entries held, in bytes (floors included).
    pub(crate) fn weight(&self) -> u64 {
        self.cache.as_ref().map_or(0, Cache::weight)
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("entries", &self.len())
            .field("config", &self.config)
            .finish()
    }
}

#[cfg(test)]
mod key_tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn tokens_with_the_same_tail_hash_alike_but_never_alias() {
        let a = TokenKey(Box::from("aaaa.bbbb.the-same-signature-tail-of-32-bytes"));
        let b = TokenRef(b"zzzz.yyyy.the-same-signature-tail-of-32-bytes");
        let hasher = DefaultHashBuilder::default();
        assert_eq!(hasher.hash_one(&a), hasher.hash_one(&b));
        assert!(!quick_cache::Equivalent::equivalent(&b, &a));
        let same = TokenRef(b"aaaa.bbbb.the-same-signature-tail-of-32-bytes");
        assert_eq!(hasher.hash_one(&a), hasher.hash_one(&same));
        assert!(quick_cache::Equivalent::equivalent(&same, &a));
        // Shorter than the hashed tail: the whole token is hashed.
        assert_eq!(hashed_tail(b"abc"), b"abc");
    }
}
