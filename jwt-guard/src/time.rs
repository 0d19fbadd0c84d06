//! Time, in one leaf: saturating instant arithmetic, Unix seconds, and the clock of the
//! key engine, the token cache and the claim checks, which tests can step forward
//! (crate-private; reached only through `#[doc(hidden)]` test hooks).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// About 30 years: later than any deadline a running process will reach.
const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// `t + d`, saturating at "far in the future" instead of panicking on overflow. If even
/// that cannot be represented, `t` itself (a deadline that is due at once: fail closed).
pub(crate) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(FAR)).unwrap_or(t)
}

/// Seconds since the Unix epoch by the system's clock, with sub-second precision (0 for a
/// clock set before 1970).
pub(crate) fn unix_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A clock: the system's, plus an offset that only tests move.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_nanos: AtomicU64,
}

impl Clock {
    fn offset(&self) -> Duration {
        Duration::from_nanos(self.offset_nanos.load(Ordering::Relaxed))
    }

    /// The monotonic now.
    pub(crate) fn now(&self) -> Instant {
        later(Instant::now(), self.offset())
    }

    /// Seconds since the Unix epoch (for `exp` and `nbf`).
    pub(crate) fn unix_now(&self) -> f64 {
        unix_seconds() + self.offset().as_secs_f64()
    }

    /// Steps the clock forward (saturating).
    pub(crate) fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .offset_nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(by))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_saturate() {
        let now = Instant::now();
        assert_eq!(later(now, Duration::ZERO), now);
        assert_eq!(
            later(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
        assert!(later(now, Duration::MAX) >= now + FAR);
        assert!(later(later(now, Duration::MAX), Duration::MAX) >= now + FAR);
        let clock = Clock::default();
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);
        assert!(clock.now() >= now);
        assert!(clock.unix_now().is_finite());
    }
}
