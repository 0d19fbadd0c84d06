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

/// How long a reading of the wall clock serves [`wall_at`]: the wall clock is read again
/// once the last reading is older than this, so that a step of the system's clock (NTP,
/// an operator) is seen within it. Between readings the monotonic clock advances the time
/// (a slewing wall clock drifts from it by at most 0.5 ms per second).
const WALL_REREAD: Duration = Duration::from_secs(1);

thread_local! {
    /// This thread's last reading of the wall clock: the monotonic instant and the Unix
    /// seconds read together (per thread: no atomics, nothing torn).
    static WALL_ANCHOR: std::cell::Cell<Option<(Instant, f64)>> = const { std::cell::Cell::new(None) };
}

/// Seconds since the Unix epoch at the monotonic instant `real` (a reading of
/// `Instant::now()`, not stepped by a test offset), without a second clock read per
/// call: the wall clock is read again when this thread's last reading is more than
/// [`WALL_REREAD`] away from `real`. 0 for a clock set before 1970.
fn wall_at(real: Instant) -> f64 {
    let anchor = WALL_ANCHOR.get();
    if let Some((at, unix)) = anchor {
        // `real` at or after the reading (the usual case), or a little before it.
        if let Some(since) = real.checked_duration_since(at) {
            if since <= WALL_REREAD {
                return unix + since.as_secs_f64();
            }
        } else if at.duration_since(real) <= WALL_REREAD {
            return (unix - at.duration_since(real).as_secs_f64()).max(0.0);
        }
    }
    let at = Instant::now();
    let unix = unix_seconds();
    WALL_ANCHOR.set(Some((at, unix)));
    match at.checked_duration_since(real) {
        Some(before) => (unix - before.as_secs_f64()).max(0.0),
        None => unix + real.duration_since(at).as_secs_f64(),
    }
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
        self.now_and_unix().1
    }

    /// The monotonic now and the Unix seconds now, from one clock reading (the wall
    /// clock is read at most once a second, see [`WALL_REREAD`]): what a token-cache hit
    /// needs, the entry's age and the token's `exp`.
    pub(crate) fn now_and_unix(&self) -> (Instant, f64) {
        let real = Instant::now();
        match self.offset_nanos.load(Ordering::Relaxed) {
            0 => (real, wall_at(real)),
            _ => {
                let offset = self.offset();
                (later(real, offset), wall_at(real) + offset.as_secs_f64())
            }
        }
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

    #[test]
    fn unix_time_follows_the_wall_clock() {
        let clock = Clock::default();
        for _ in 0..3 {
            let (_, unix) = clock.now_and_unix();
            let wall = unix_seconds();
            assert!((unix - wall).abs() < 0.05, "{unix} vs {wall}");
            std::thread::sleep(Duration::from_millis(20));
        }
        clock.advance(Duration::from_secs(3600));
        let (_, unix) = clock.now_and_unix();
        assert!((unix - unix_seconds() - 3600.0).abs() < 0.05);
        // An instant before the last reading is still placed on the wall clock.
        let early = Instant::now();
        let _ = clock.now_and_unix();
        assert!((wall_at(early) - unix_seconds()).abs() < 0.05);
    }
}
