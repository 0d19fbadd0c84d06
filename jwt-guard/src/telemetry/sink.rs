//! The metrics sink: every figure jwt-guard records, through the `metrics` facade. It
//! imports nothing of the crate — [`telemetry`](super) is the one way anything reports,
//! and it calls these with names and numbers only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use metrics::{Counter, Histogram, Key, Label, Level, Metadata, Recorder, SharedString};

/// `jwt_guard_authentications_total`.
pub const AUTHENTICATIONS: &str = "jwt_guard_authentications_total";
/// `jwt_guard_authentication_duration_seconds`.
pub const AUTHENTICATION_DURATION: &str = "jwt_guard_authentication_duration_seconds";
/// `jwt_guard_authorization_denied_total`.
pub const AUTHORIZATION_DENIED: &str = "jwt_guard_authorization_denied_total";
/// `jwt_guard_token_cache_total`.
pub const TOKEN_CACHE: &str = "jwt_guard_token_cache_total";
/// `jwt_guard_token_cache_evictions_total`.
pub const TOKEN_CACHE_EVICTIONS: &str = "jwt_guard_token_cache_evictions_total";
/// `jwt_guard_jwks_fetches_total`.
pub const JWKS_FETCHES: &str = "jwt_guard_jwks_fetches_total";
/// `jwt_guard_jwks_fetch_duration_seconds`.
pub const JWKS_FETCH_DURATION: &str = "jwt_guard_jwks_fetch_duration_seconds";
/// `jwt_guard_jwks_keys`.
pub const JWKS_KEYS: &str = "jwt_guard_jwks_keys";
/// `jwt_guard_jwks_refresh_due_seconds`.
pub const JWKS_REFRESH_DUE: &str = "jwt_guard_jwks_refresh_due_seconds";
/// `jwt_guard_jwks_stale`.
pub const JWKS_STALE: &str = "jwt_guard_jwks_stale";
/// `jwt_guard_dpop_replay_store_full_total`.
pub const DPOP_REPLAY_STORE_FULL: &str = "jwt_guard_dpop_replay_store_full_total";

/// `jwt_guard_status_list_fetches_total`.
pub const STATUS_LIST_FETCHES: &str = "jwt_guard_status_list_fetches_total";
/// `jwt_guard_introspections_total`.
pub const INTROSPECTIONS: &str = "jwt_guard_introspections_total";
/// `jwt_guard_introspection_duration_seconds`.
pub const INTROSPECTION_DURATION: &str = "jwt_guard_introspection_duration_seconds";
/// `jwt_guard_introspection_cache_total`.
pub const INTROSPECTION_CACHE: &str = "jwt_guard_introspection_cache_total";
/// `jwt_guard_introspection_cache_evictions_total`.
pub const INTROSPECTION_CACHE_EVICTIONS: &str = "jwt_guard_introspection_cache_evictions_total";

/// The label of an engine whose strategy is not registered.
const UNREGISTERED: &str = "unregistered";

/// The `outcome` of an authentication that succeeded.
const SUCCESS: &str = "success";

/// What the `counter!` macros would give: target and module of this file, level INFO.
static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The keys (name and label set) of the figures one strategy records on every request
/// that goes well, built once when it is registered: a request then hands the recorder
/// a prebuilt key (its hash computed once too) and builds no label, and with no recorder
/// installed the no-op recorder gets it and nothing else happens. The keys are
/// "retained" (labels shared behind one `Arc`): a recorder that keeps a copy of the key
/// per call (metrics-exporter-prometheus does, `Key::to_retained`) then clones an `Arc`
/// instead of allocating the label set again.
pub(crate) struct StrategyKeys {
    /// `jwt_guard_authentications_total{strategy, outcome="success", reason="none"}`.
    succeeded: Key,
    /// `jwt_guard_authentication_duration_seconds{strategy, outcome="success"}`.
    succeeded_duration: Key,
    /// `jwt_guard_token_cache_total{strategy, result="hit"}`.
    cache_hit: Key,
    /// `jwt_guard_token_cache_total{strategy, result="miss"}`.
    cache_miss: Key,
    /// The handles of these keys in the global recorder, registered on first use once
    /// one is installed: a global recorder is never replaced or dropped, so they stay
    /// valid, and a request then only moves a counter.
    global: OnceLock<Handles>,
}

impl std::fmt::Debug for StrategyKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrategyKeys").finish_non_exhaustive()
    }
}

/// The handles of a strategy's [`StrategyKeys`] in one recorder.
struct Handles {
    /// The address of the recorder they belong to (the global one).
    recorder: usize,
    succeeded: Counter,
    succeeded_duration: Histogram,
    cache_hit: Counter,
    cache_miss: Counter,
}

impl StrategyKeys {
    /// Calls `cached` with the handles when the current recorder is the global one, else
    /// `keyed` with the current recorder (a thread's local recorder, or the no-op one
    /// when none is installed), which registers the prebuilt keys.
    fn record(&self, cached: impl FnOnce(&Handles), keyed: impl FnOnce(&dyn Recorder)) {
        metrics::with_recorder(|recorder| {
            // A recorder without data (the no-op one among them) may share its address
            // with another: never cached.
            if std::mem::size_of_val(recorder) != 0 {
                let address = address_of(recorder);
                let handles = match self.global.get() {
                    Some(handles) => Some(handles),
                    None if is_global(address) => {
                        Some(self.global.get_or_init(|| self.register(recorder, address)))
                    }
                    None => None,
                };
                // An object alive has an address of its own: while the global recorder
                // lives (for ever), no other recorder is at its address.
                if let Some(handles) = handles.filter(|h| h.recorder == address) {
                    return cached(handles);
                }
            }
            keyed(recorder)
        });
    }

    fn register(&self, recorder: &dyn Recorder, address: usize) -> Handles {
        Handles {
            recorder: address,
            succeeded: recorder.register_counter(&self.succeeded, &METADATA),
            succeeded_duration: recorder.register_histogram(&self.succeeded_duration, &METADATA),
            cache_hit: recorder.register_counter(&self.cache_hit, &METADATA),
            cache_miss: recorder.register_counter(&self.cache_miss, &METADATA),
        }
    }
}

fn address_of(recorder: &dyn Recorder) -> usize {
    std::ptr::from_ref(recorder).cast::<()>().addr()
}

/// The address of the global recorder, once one is seen installed.
static GLOBAL: OnceLock<usize> = OnceLock::new();
/// When the next look for the global recorder may happen (ms after `EPOCH`).
static NEXT_LOOK_MS: AtomicU64 = AtomicU64::new(0);
static EPOCH: OnceLock<Instant> = OnceLock::new();

/// True when the recorder at `address` is the global one. `metrics` does not say whether
/// the current recorder is a thread's local one or the global one, so a thread of our
/// own (which has no local recorder) looks at what it sees: once a global recorder is
/// installed, the first look finds it and the answer is kept; until then, at most one
/// look a second (a thread spawned and joined, some tens of microseconds), and the
/// prebuilt keys are used meanwhile.
fn is_global(address: usize) -> bool {
    if let Some(global) = GLOBAL.get() {
        return *global == address;
    }
    let epoch = *EPOCH.get_or_init(Instant::now);
    let now = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
    let next = NEXT_LOOK_MS.load(Ordering::Relaxed);
    if now < next
        || NEXT_LOOK_MS
            .compare_exchange(
                next,
                now.saturating_add(1000),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_err()
    {
        return false;
    }
    let seen = std::thread::Builder::new()
        .name("jwt-guard-metrics".into())
        .spawn(|| {
            metrics::with_recorder(|r| (std::mem::size_of_val(r) != 0).then(|| address_of(r)))
        })
        .ok()
        .and_then(|thread| thread.join().ok())
        .flatten();
    match seen {
        Some(global) => *GLOBAL.get_or_init(|| global) == address,
        None => false,
    }
}

impl StrategyKeys {
    /// The keys of the strategy registered as `strategy`; the labels (names, values and
    /// their order) are those of the per-request paths below.
    pub(crate) fn new(strategy: &Arc<str>) -> Self {
        let name = || SharedString::from(Arc::clone(strategy));
        let strategy = || Label::new("strategy", name());
        let outcome = Label::from_static_parts("outcome", SUCCESS);
        let key = |name, labels: Vec<Label>| Key::from_parts(name, labels).to_retained();
        Self {
            succeeded: key(
                AUTHENTICATIONS,
                vec![
                    strategy(),
                    outcome.clone(),
                    Label::from_static_parts("reason", "none"),
                ],
            ),
            succeeded_duration: key(AUTHENTICATION_DURATION, vec![strategy(), outcome]),
            cache_hit: key(
                TOKEN_CACHE,
                vec![strategy(), Label::from_static_parts("result", "hit")],
            ),
            cache_miss: key(
                TOKEN_CACHE,
                vec![strategy(), Label::from_static_parts("result", "miss")],
            ),
            global: OnceLock::new(),
        }
    }
}

fn strategy_label(strategy: Option<SharedString>) -> Label {
    Label::new(
        "strategy",
        strategy.unwrap_or_else(|| SharedString::const_str(UNREGISTERED)),
    )
}

/// One authentication by the strategy registered as `strategy` (its prebuilt `keys`).
pub(crate) fn authentication(
    strategy: &Arc<str>,
    keys: &StrategyKeys,
    outcome: &'static str,
    reason: Option<&'static str>,
    elapsed: Duration,
) {
    if reason.is_none() && outcome == SUCCESS {
        let seconds = elapsed.as_secs_f64();
        keys.record(
            |handles| {
                handles.succeeded.increment(1);
                handles.succeeded_duration.record(seconds);
            },
            |recorder| {
                recorder
                    .register_counter(&keys.succeeded, &METADATA)
                    .increment(1);
                recorder
                    .register_histogram(&keys.succeeded_duration, &METADATA)
                    .record(seconds);
            },
        );
        return;
    }
    let strategy = SharedString::from(Arc::clone(strategy));
    let outcome = SharedString::const_str(outcome);
    metrics::counter!(
        AUTHENTICATIONS,
        "strategy" => strategy.clone(),
        "outcome" => outcome.clone(),
        "reason" => SharedString::const_str(reason.unwrap_or("none")),
    )
    .increment(1);
    metrics::histogram!(
        AUTHENTICATION_DURATION,
        "strategy" => strategy,
        "outcome" => outcome,
    )
    .record(elapsed.as_secs_f64());
}

pub(crate) fn authorization_denied(strategy: &str, reason: &'static str) {
    metrics::counter!(
        AUTHORIZATION_DENIED,
        "strategy" => strategy.to_owned(),
        "reason" => SharedString::const_str(reason),
    )
    .increment(1);
}

/// A token-cache lookup of the strategy registered with `keys` (prebuilt).
pub(crate) fn token_cache_keyed(keys: &StrategyKeys, hit: bool) {
    keys.record(
        |handles| {
            if hit {
                handles.cache_hit.increment(1)
            } else {
                handles.cache_miss.increment(1)
            }
        },
        |recorder| {
            let key = if hit {
                &keys.cache_hit
            } else {
                &keys.cache_miss
            };
            recorder.register_counter(key, &METADATA).increment(1)
        },
    );
}

/// A token-cache lookup of an unregistered strategy (`strategy="unregistered"`).
pub(crate) fn token_cache(strategy: Option<&Arc<str>>, hit: bool) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", if hit { "hit" } else { "miss" }),
    ];
    metrics::counter!(TOKEN_CACHE, labels.iter()).increment(1);
}

pub(crate) fn token_cache_eviction(strategy: Option<&Arc<str>>) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::counter!(TOKEN_CACHE_EVICTIONS, labels.iter()).increment(1);
}

pub(crate) fn replay_store_full(strategy: Option<&Arc<str>>) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::counter!(DPOP_REPLAY_STORE_FULL, labels.iter()).increment(1);
}

/// One fetch of a key engine labelled `strategy`: `result` is `ok`, `not_modified` or
/// `error`.
pub(crate) fn jwks_fetch(strategy: Option<&Arc<str>>, result: &'static str, elapsed: Duration) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", result),
    ];
    metrics::counter!(JWKS_FETCHES, labels.iter()).increment(1);
    metrics::histogram!(JWKS_FETCH_DURATION, labels.iter()).record(elapsed.as_secs_f64());
}

/// One fetch of a Token Status List by the strategy labelled `strategy`: `result` is
/// `ok` or `error`.
pub(crate) fn status_list_fetch(strategy: Option<&Arc<str>>, result: &'static str) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", result),
    ];
    metrics::counter!(STATUS_LIST_FETCHES, labels.iter()).increment(1);
}

/// The gauges of a key engine labelled `strategy`.
pub(crate) fn jwks_state(
    strategy: Option<&Arc<str>>,
    keys: usize,
    refresh_due_in: Option<Duration>,
    stale: bool,
) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::gauge!(JWKS_KEYS, labels.iter()).set(keys as f64);
    metrics::gauge!(JWKS_REFRESH_DUE, labels.iter())
        .set(refresh_due_in.unwrap_or(Duration::ZERO).as_secs_f64());
    metrics::gauge!(JWKS_STALE, labels.iter()).set(if stale { 1.0 } else { 0.0 });
}

/// One call to an introspection endpoint: `outcome` is `active`, `inactive`, `refused`
/// or `error`.
pub(crate) fn introspection(strategy: Option<&Arc<str>>, outcome: &'static str, elapsed: Duration) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("outcome", outcome),
    ];
    metrics::counter!(INTROSPECTIONS, labels.iter()).increment(1);
    metrics::histogram!(INTROSPECTION_DURATION, labels.iter()).record(elapsed.as_secs_f64());
}

pub(crate) fn introspection_cache(strategy: Option<&Arc<str>>, hit: bool) {
    let labels = [
        strategy_label(strategy.map(|s| SharedString::from(Arc::clone(s)))),
        Label::from_static_parts("result", if hit { "hit" } else { "miss" }),
    ];
    metrics::counter!(INTROSPECTION_CACHE, labels.iter()).increment(1);
}

pub(crate) fn introspection_cache_eviction(strategy: Option<&Arc<str>>) {
    let labels = [strategy_label(
        strategy.map(|s| SharedString::from(Arc::clone(s))),
    )];
    metrics::counter!(INTROSPECTION_CACHE_EVICTIONS, labels.iter()).increment(1);
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use metrics::{Gauge, KeyName, Unit};

    use super::*;

    /// Notes each key registered, as `name{label=value,…}`.
    #[derive(Default)]
    struct Keys(RefCell<Vec<String>>);

    impl Keys {
        fn note(&self, key: &Key) {
            let labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            self.0
                .borrow_mut()
                .push(format!("{}{{{}}}", key.name(), labels.join(",")));
        }
    }

    impl Recorder for Keys {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            self.note(key);
            Counter::noop()
        }
        fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
            self.note(key);
            Gauge::noop()
        }
        fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
            self.note(key);
            Histogram::noop()
        }
    }

    #[test]
    fn prebuilt_keys_carry_the_labels_built_per_request_before() {
        let name: Arc<str> = Arc::from("jwt");
        let keys = StrategyKeys::new(&name);
        let recorder = Keys::default();
        metrics::with_local_recorder(&recorder, || {
            authentication(&name, &keys, SUCCESS, None, Duration::from_micros(20));
            token_cache_keyed(&keys, true);
            token_cache_keyed(&keys, false);
            // The refused path still builds its labels per request: the same names.
            authentication(&name, &keys, "refused", Some("expired"), Duration::ZERO);
        });
        assert_eq!(
            recorder.0.into_inner(),
            [
                "jwt_guard_authentications_total{strategy=jwt,outcome=success,reason=none}",
                "jwt_guard_authentication_duration_seconds{strategy=jwt,outcome=success}",
                "jwt_guard_token_cache_total{strategy=jwt,result=hit}",
                "jwt_guard_token_cache_total{strategy=jwt,result=miss}",
                "jwt_guard_authentications_total{strategy=jwt,outcome=refused,reason=expired}",
                "jwt_guard_authentication_duration_seconds{strategy=jwt,outcome=refused}",
            ]
        );
    }
}
