//! Time, in one leaf: saturating instant arithmetic, Unix seconds, and the clock of the
//! key engine, the token cache and the claim checks, which tests can step forward
//! (crate-private; reached only through `#[doc(hidden)]` test hooks).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
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

/// The process's monotonic origin: instants are held as nanoseconds since it.
fn mono_nanos(t: Instant) -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let origin = *ORIGIN.get_or_init(Instant::now);
    u64::try_from(t.saturating_duration_since(origin).as_nanos()).unwrap_or(u64::MAX)
}

/// Unix nanoseconds minus monotonic nanoseconds at the last wall-clock reading.
static WALL_OFFSET: AtomicI64 = AtomicI64::new(0);
/// Monotonic nanoseconds of the last wall-clock reading, 0 before the first (written after
/// [`WALL_OFFSET`], read before it: a reader that sees a reading sees its offset).
static WALL_READ_AT: AtomicU64 = AtomicU64::new(0);

/// Seconds since the Unix epoch at the monotonic instant `real` (a reading of
/// `Instant::now()`, not stepped by a test offset), without a second clock read per
/// call: the wall clock is read again when the last reading is more than [`WALL_REREAD`]
/// away from `real`. 0 for a clock set before 1970.
fn wall_at(real: Instant) -> f64 {
    let at = mono_nanos(real);
    let read_at = WALL_READ_AT.load(Ordering::Acquire);
    let reread = u64::try_from(WALL_REREAD.as_nanos()).unwrap_or(u64::MAX);
    let offset = if read_at == 0 || at.abs_diff(read_at) > reread {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX));
        // The reading's own monotonic time: `real` may be a little older.
        let now = mono_nanos(Instant::now());
        let offset = i64::try_from(unix - i128::from(now)).unwrap_or(i64::MAX);
        WALL_OFFSET.store(offset, Ordering::Relaxed);
        WALL_READ_AT.store(now.max(1), Ordering::Release);
        offset
    } else {
        WALL_OFFSET.load(Ordering::Relaxed)
    };
    let nanos = i128::from(at) + i128::from(offset);
    (nanos.max(0) as f64) / 1e9
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
        let offset = self.offset();
        (later(real, offset), wall_at(real) + offset.as_secs_f64())
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
