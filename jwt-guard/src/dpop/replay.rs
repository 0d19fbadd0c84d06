//! Where used proofs are remembered: the [`ReplayStore`] trait and its bounded in-memory
//! default. The Redis store (feature `redis`) spans replicas.

use std::fmt;
use std::time::{Duration, Instant};

use quick_cache::sync::{Cache, GuardResult};

use crate::strategy::BoxFuture;

/// Remembers the proofs a strategy accepted, so that none is accepted twice.
///
/// A proof is named by a 32-byte id (a hash of its key thumbprint and `jti`). The store
/// must answer atomically: of two concurrent calls with one id, one only sees it first.
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

/// A replay store that could not answer: the request is refused (503 with `Retry-After`).
#[derive(Debug)]
pub struct ReplayStoreError {
    detail: String,
    retry_after: Duration,
}

impl ReplayStoreError {
    /// A failure described by `detail` (logged, never shown to clients); clients are told
    /// to retry after `retry_after`.
    pub fn new(detail: impl Into<String>, retry_after: Duration) -> Self {
        Self {
            detail: detail.into(),
            retry_after,
        }
    }

    /// How long clients should wait.
    pub fn retry_after(&self) -> Duration {
        self.retry_after
    }

    pub(crate) fn into_error(self) -> crate::Error {
        crate::Error::new(crate::ErrorKind::ReplayStoreUnavailable {
            retry_after: self.retry_after,
            detail: self.detail,
        })
    }
}

impl fmt::Display for ReplayStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replay store unavailable: {}", self.detail)
    }
}

impl std::error::Error for ReplayStoreError {}

/// The default store: one process's memory, bounded (quick_cache), each entry kept until
/// its proof could no longer be accepted anyway.
///
/// For one replica only: replicas behind a load balancer each have their own memory,
/// and a proof accepted by one would be accepted by the next — use the Redis store
/// there. When more proofs arrive within one window than the capacity, the oldest
/// entries are evicted early; size it above the peak proof rate times the window
/// (100 000 by default, about 10 MB).
pub struct InMemoryReplayStore {
    seen: Cache<[u8; 32], Instant>,
}

impl InMemoryReplayStore {
    /// The default capacity, in proofs.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store holding up to `capacity` proofs.
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: Cache::new(capacity.max(1)),
        }
    }

    /// Proofs currently remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when no proof is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    fn record(&self, id: &[u8; 32], ttl: Duration) -> Result<bool, ReplayStoreError> {
        let now = Instant::now();
        let until = now
            .checked_add(ttl)
            .ok_or_else(|| ReplayStoreError::new("ttl overflows the clock", ttl))?;
        match self.seen.get_value_or_guard(id, None) {
            GuardResult::Value(expires) if expires > now => Ok(false),
            GuardResult::Value(_) => {
                self.seen.insert(*id, until);
                Ok(true)
            }
            GuardResult::Guard(guard) => Ok(guard.insert(until).is_ok()),
            // Without a timeout this does not happen; if it did, refuse.
            GuardResult::Timeout => Ok(false),
        }
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
            .field("len", &self.seen.len())
            .field("capacity", &self.seen.capacity())
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
