//! Where used proofs are remembered: the [`ReplayStore`] trait and its bounded in-memory
//! default. The Redis store (feature `redis`) spans replicas.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::future::BoxFuture;

/// Remembers the proofs a strategy accepted, so that none is accepted twice.
///
/// A proof is named by a 32-byte id (a hash of its key thumbprint and `jti`). The store
/// must answer atomically: of two concurrent calls with one id, one only sees it first.
///
/// A store must never forget an id before its `ttl` ends: a forgotten proof could be
/// replayed. A store with no room left refuses the new proof instead
/// ([`ReplayStoreError::full`]), and never evicts a live entry to make room.
pub trait ReplayStore: Send + Sync + 'static {
    /// Records `id` for `ttl`. `Ok(true)`: first use; `Ok(false)`: recorded before and not
    /// expired (a replay). An `Err` refuses the request with a 503: the store is never
    /// skipped.
    fn check_and_record<'a>(
        &'a self,
        id: &'a [u8; 32],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>>;
}

/// A replay store that could not answer, or has no room for a new proof: the request is
/// refused (503 with `Retry-After`).
#[derive(Debug)]
pub struct ReplayStoreError {
    detail: String,
    retry_after: Duration,
    full: bool,
}

impl ReplayStoreError {
    /// A failure described by `detail` (logged, never shown to clients); clients are told
    /// to retry after `retry_after`.
    pub fn new(detail: impl Into<String>, retry_after: Duration) -> Self {
        Self {
            detail: detail.into(),
            retry_after,
            full: false,
        }
    }

    /// The store holds as many unexpired proofs as it may: the new one is refused rather
    /// than an entry still live forgotten ([`ErrorKind::ReplayStoreFull`](crate::ErrorKind::ReplayStoreFull)).
    /// Clients are told to retry after `retry_after` (when the oldest entry expires, say).
    pub fn full(detail: impl Into<String>, retry_after: Duration) -> Self {
        Self {
            full: true,
            ..Self::new(detail, retry_after)
        }
    }

    /// How long clients should wait.
    pub fn retry_after(&self) -> Duration {
        self.retry_after
    }

    /// True when the store refused for lack of room ([`full`](Self::full)).
    pub fn is_full(&self) -> bool {
        self.full
    }

    pub(crate) fn into_error(self) -> crate::Error {
        let kind = if self.full {
            crate::ErrorKind::ReplayStoreFull {
                retry_after: self.retry_after,
                detail: self.detail,
            }
        } else {
            crate::ErrorKind::ReplayStoreUnavailable {
                retry_after: self.retry_after,
                detail: self.detail,
            }
        };
        crate::Error::new(kind)
    }
}

impl fmt::Display for ReplayStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.full {
            write!(f, "replay store full: {}", self.detail)
        } else {
            write!(f, "replay store unavailable: {}", self.detail)
        }
    }
}

impl std::error::Error for ReplayStoreError {}

/// The default store: one process's memory, bounded, each entry kept until its proof
/// could no longer be accepted anyway (the strategy's `max_age` plus `leeway`).
///
/// For one replica only: replicas behind a load balancer each have their own memory,
/// and a proof accepted by one would be accepted by the next — use the Redis store
/// there.
///
/// **Capacity.** An unexpired entry is never evicted: when the store holds `capacity`
/// live proofs, a new proof is refused with a 503 and a `Retry-After` of the time until
/// the oldest entry expires ([`ReplayStoreError::full`]; the metric
/// `jwt_guard_dpop_replay_store_full_total` counts them), and a used proof stays refused.
/// Size it as the peak rate of accepted proofs times the window: the default,
/// [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) = 100 000 proofs (about 10 MB), is
/// 325 proofs per second sustained over the default window of 305 s (`max_age` 5 min +
/// `leeway` 5 s). Only holders of a valid DPoP-bound token reach the store (the proof
/// and the token are checked first).
pub struct InMemoryReplayStore {
    capacity: usize,
    state: Mutex<Seen>,
}

/// The live entries, and their expiries in order.
#[derive(Default)]
struct Seen {
    until: HashMap<[u8; 32], Instant>,
    /// `(until, id)`, the earliest first: what [`Seen::purge`] removes.
    expiries: BinaryHeap<Reverse<(Instant, [u8; 32])>>,
}

/// How many expired entries one check removes, at most, while the store has room.
const PURGE_STEP: usize = 64;

impl Seen {
    /// Removes up to `limit` entries whose window ended by `now`.
    fn purge(&mut self, now: Instant, limit: usize) {
        for _ in 0..limit {
            match self.expiries.peek() {
                Some(Reverse((until, _))) if *until <= now => {}
                _ => return,
            }
            if let Some(Reverse((until, id))) = self.expiries.pop()
                && self.until.get(&id) == Some(&until)
            {
                self.until.remove(&id);
            }
        }
    }
}

impl InMemoryReplayStore {
    /// The default capacity, in proofs: 325 per second over a 305 s window.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store holding up to `capacity` unexpired proofs (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            state: Mutex::new(Seen::default()),
        }
    }

    /// Proofs currently remembered (some may have expired and not yet been removed).
    pub fn len(&self) -> usize {
        self.lock().until.len()
    }

    /// True when no proof is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The state; a panic elsewhere while it was held leaves it consistent (each change
    /// is one insert or one remove), so a poisoned lock is taken as is.
    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, id: &[u8; 32], ttl: Duration) -> Result<bool, ReplayStoreError> {
        let now = Instant::now();
        let until = now
            .checked_add(ttl)
            .ok_or_else(|| ReplayStoreError::new("ttl overflows the clock", ttl))?;
        let mut seen = self.lock();
        let limit = if seen.until.len() >= self.capacity {
            usize::MAX
        } else {
            PURGE_STEP
        };
        seen.purge(now, limit);
        if seen.until.get(id).is_some_and(|expires| *expires > now) {
            return Ok(false);
        }
        if seen.until.len() >= self.capacity {
            let retry_after = seen
                .expiries
                .peek()
                .map_or(ttl, |Reverse((oldest, _))| {
                    oldest.saturating_duration_since(now)
                })
                .max(Duration::from_secs(1));
            return Err(ReplayStoreError::full(
                format!("{} unexpired proofs held", self.capacity),
                retry_after,
            ));
        }
        seen.until.insert(*id, until);
        seen.expiries.push(Reverse((until, *id)));
        Ok(true)
    }
}

impl Default for InMemoryReplayStore {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for InMemoryReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryReplayStore")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl ReplayStore for InMemoryReplayStore {
    fn check_and_record<'a>(
        &'a self,
        id: &'a [u8; 32],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        let result = self.record(id, ttl);
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_is_accepted_once_per_window() {
        let store = InMemoryReplayStore::new(16);
        let ttl = Duration::from_secs(60);
        assert!(store.record(&[1; 32], ttl).unwrap());
        assert!(!store.record(&[1; 32], ttl).unwrap());
        assert!(store.record(&[2; 32], ttl).unwrap());
        // An entry whose window ended is a first use again.
        assert!(store.record(&[3; 32], Duration::ZERO).unwrap());
        assert!(store.record(&[3; 32], ttl).unwrap());
        assert!(!store.record(&[3; 32], ttl).unwrap());
        assert!(store.record(&[4; 32], Duration::MAX).is_err());
    }

    #[test]
    fn a_full_store_refuses_new_proofs_and_forgets_no_live_one() {
        let store = InMemoryReplayStore::new(16);
        let ttl = Duration::from_secs(60);
        assert!(store.record(&[0; 32], ttl).unwrap());
        for i in 1..16u8 {
            assert!(store.record(&[i; 32], ttl).unwrap());
        }
        for i in 16..40u8 {
            let err = store.record(&[i; 32], ttl).unwrap_err();
            assert!(err.is_full(), "{err}");
            assert!(err.retry_after() >= Duration::from_secs(59), "{err:?}");
        }
        assert_eq!(store.len(), 16);
        for i in 0..16u8 {
            assert!(!store.record(&[i; 32], ttl).unwrap(), "{i} forgotten");
        }
    }

    #[test]
    fn expired_entries_make_room() {
        let store = InMemoryReplayStore::new(2);
        let ttl = Duration::from_secs(60);
        assert!(store.record(&[1; 32], Duration::ZERO).unwrap());
        assert!(store.record(&[2; 32], ttl).unwrap());
        // [1] expired: removed for room.
        assert!(store.record(&[3; 32], ttl).unwrap());
        assert!(store.record(&[4; 32], ttl).unwrap_err().is_full());
        assert!(!store.record(&[2; 32], ttl).unwrap());
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn concurrent_uses_of_one_proof_pass_once() {
        let store = std::sync::Arc::new(InMemoryReplayStore::new(1024));
        let accepted: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let store = &store;
                    s.spawn(move || {
                        usize::from(store.record(&[9; 32], Duration::from_secs(60)).unwrap())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(accepted, 1);
    }
}
