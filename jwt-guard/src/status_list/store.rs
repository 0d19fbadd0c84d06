//! The lists a strategy holds: one slot per (issuer, list URI), each with its
//! decompressed statuses, their freshness, and the fetch that renews them — single
//! flight, run as its own task (a cancelled request never cancels it), a backoff after
//! failures. Bounded by entries and bytes (quick_cache, least recently used first).

use std::convert::Infallible;
use std::mem::size_of;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use futures_util::future::{BoxFuture, Shared};
use http::header::{ACCEPT, CONTENT_LENGTH};
use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, OptionsBuilder, Weighter};
use url::Url;

use super::config::{StatusListConfig, StatusListMode};
use super::list::Statuses;
use super::reference::{self, Origins};
use super::token::{self, Expect, ListKeys};
use crate::algorithm::Algorithm;
use crate::claims::ClaimsMap;
use crate::config_error::ConfigError;
use crate::error::{Error, ErrorKind, TokenError};
use crate::time::{Clock, later};

/// A strategy's status lists. Cheap to clone (shared state).
#[derive(Clone)]
pub(crate) struct StatusLists {
    shared: Arc<SharedState>,
}

struct SharedState {
    config: StatusListConfig,
    origins: Origins,
    http: reqwest::Client,
    algorithms: Vec<Algorithm>,
    clock: Arc<Clock>,
    lists: Cache<String, Entry, ByWeight, DefaultHashBuilder, Evicted>,
    /// Numbers the cache entries ([`Entry::id`]).
    next_entry: AtomicU64,
    label: OnceLock<Arc<str>>,
}

/// A slot as the cache holds it: re-inserted (to be weighed again) under a new `id`, so
/// that the entry it replaces is not taken for an eviction.
#[derive(Clone)]
struct Entry {
    slot: Arc<Slot>,
    id: u64,
}

/// One list: where it is, whose keys sign it, what is held.
pub(crate) struct Slot {
    uri: Url,
    iss: Box<str>,
    keys: ListKeys,
    held: ArcSwapOption<Held>,
    inflight: Mutex<Option<InFlight>>,
    generation: AtomicU64,
    last_failure: Mutex<Option<(Instant, String)>>,
    /// Set when the cache drops the slot: its holders (cached tokens) look it up again.
    evicted: AtomicBool,
    /// The `id` of the slot's current cache entry.
    entry: AtomicU64,
}

struct Held {
    statuses: Statuses,
    /// Until then the list answers without a fetch; after, it answers while a refresh
    /// runs in the background.
    fresh_until: Instant,
    /// `fresh_until + stale_for`, never past the list's `exp`: past it the list is not
    /// used at all.
    usable_until: Instant,
}

type SharedFetch = Shared<BoxFuture<'static, Result<(), Arc<str>>>>;

struct InFlight {
    generation: u64,
    started: Instant,
    fetch: SharedFetch,
}

/// A verified token's place in a list, kept with it in the token cache: a cache hit
/// reads one status, no lookup.
pub(crate) struct StatusRef {
    slot: Arc<Slot>,
    idx: u64,
}

impl StatusLists {
    /// The lists of a strategy verifying `algorithms`, on its clock. Checks `config`.
    pub(crate) fn new(
        config: StatusListConfig,
        algorithms: Vec<Algorithm>,
        clock: Arc<Clock>,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let origins =
            Origins::new(&config.allowed_origins, config.allow_http).map_err(|reason| {
                ConfigError::InvalidOption {
                    option: "status_list",
                    reason,
                }
            })?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // A list is where the token says, on an allowed origin: never elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("jwt-guard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::HttpClient(Box::new(e)))?;
        let entries = config.max_lists as u64;
        // floor = ceil(2C / (2E + 1)): E + 1 lists weigh more than C, so at most E fit.
        let floor = (2 * u128::from(config.max_bytes)).div_ceil(2 * u128::from(entries) + 1);
        let floor = u64::try_from(floor.max(1)).unwrap_or(u64::MAX);
        let options = OptionsBuilder::new()
            .estimated_items_capacity(config.max_lists.min(1 << 16))
            .weight_capacity(config.max_bytes)
            .build()
            .map_err(|e| ConfigError::InvalidOption {
                option: "status_list",
                reason: format!("the list cache: {e:?}"),
            })?;
        let lists = Cache::with_options(
            options,
            ByWeight { floor },
            DefaultHashBuilder::default(),
            Evicted,
        );
        Ok(Self {
            shared: Arc::new(SharedState {
                config,
                origins,
                http,
                algorithms,
                clock,
                lists,
                next_entry: AtomicU64::new(0),
                label: OnceLock::new(),
            }),
        })
    }

    /// Labels the fetch metrics and spans with the strategy's name (first call wins).
    pub(crate) fn set_label(&self, name: &Arc<str>) {
        let _ = self.shared.label.set(Arc::clone(name));
    }

    /// The check after the signature and claims: the status of the token with verified
    /// `claims`, issued by `iss` (whose keys, `keys`, sign its lists). `Ok(Some(_))`: its
    /// place, for the token cache; `Ok(None)`: the token references no list (mode
    /// `Check`).
    pub(crate) async fn check(
        &self,
        claims: &ClaimsMap,
        iss: &str,
        keys: impl FnOnce() -> ListKeys,
    ) -> Result<Option<StatusRef>, Error> {
        let shared = &self.shared;
        let Some(reference) = reference::read(claims)? else {
            return match shared.config.mode {
                StatusListMode::Check => Ok(None),
                StatusListMode::Required => Err(TokenError::MissingClaim("status").into()),
            };
        };
        let uri = shared.origins.check(reference.uri, iss)?;
        let slot = self.slot(uri, iss, keys);
        let held = match slot.usable(shared, shared.clock.now()) {
            Some(held) => Some(held),
            None => match Box::pin(slot.wait(shared)).await {
                Ok(held) => Some(held),
                Err((retry_after, detail)) if !shared.config.accept_unavailable => {
                    return Err(Error::new(ErrorKind::StatusListUnavailable {
                        retry_after,
                        detail,
                    }));
                }
                Err((_, detail)) => {
                    tracing::warn!(
                        error = %detail,
                        "status list unavailable; token accepted (dangerous_accept_unavailable)"
                    );
                    None
                }
            },
        };
        let place = StatusRef {
            slot,
            idx: reference.idx,
        };
        if let Some(held) = held {
            shared.judge(held.statuses.status(place.idx))?;
        }
        Ok(Some(place))
    }

    /// The check of a token-cache hit, at `now`: the held list's status of the token, one
    /// read. `Ok(false)`: no usable list is held (evicted, or past its `ttl` and
    /// `stale_for`): verify the token again, which waits for the list. A list past its
    /// `ttl` answers and starts its refresh in the background.
    pub(crate) fn check_cached(&self, place: &StatusRef, now: Instant) -> Result<bool, TokenError> {
        let slot = &place.slot;
        if slot.evicted.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let held = slot.held.load();
        let Some(held) = held.as_deref() else {
            return Ok(false);
        };
        if now >= held.fresh_until {
            if now >= held.usable_until {
                return Ok(false);
            }
            slot.refresh_in_background(&self.shared, now);
        }
        self.shared.judge(held.statuses.status(place.idx))?;
        Ok(true)
    }

    fn slot(&self, uri: Url, iss: &str, keys: impl FnOnce() -> ListKeys) -> Arc<Slot> {
        let key = format!("{iss}\n{uri}");
        let id = self.shared.next_entry.fetch_add(1, Ordering::Relaxed);
        let made = self.shared.lists.get_or_insert_with(&key, || {
            let slot = Arc::new(Slot {
                uri,
                iss: iss.into(),
                keys: keys(),
                held: ArcSwapOption::empty(),
                inflight: Mutex::new(None),
                generation: AtomicU64::new(0),
                last_failure: Mutex::new(None),
                evicted: AtomicBool::new(false),
                entry: AtomicU64::new(id),
            });
            Ok::<_, Infallible>(Entry { slot, id })
        });
        match made {
            Ok(entry) => entry.slot,
            Err(never) => match never {},
        }
    }
}

impl SharedState {
    /// The one rule from a status to an answer: 0x00 valid, 0x01 revoked, 0x02
    /// suspended, an accepted application-specific value valid, anything else refused;
    /// an index past the end of the list refused.
    fn judge(&self, status: Option<u8>) -> Result<(), TokenError> {
        match status {
            Some(0x00) => Ok(()),
            Some(0x01) => Err(TokenError::Revoked),
            Some(0x02) => Err(TokenError::Suspended),
            Some(value) if self.config.accepted.contains(&value) => Ok(()),
            Some(_) => Err(TokenError::StatusNotAccepted),
            None => Err(TokenError::InvalidClaim("status")),
        }
    }
}

impl Slot {
    /// The held list if a request may use it at `now`, starting a background refresh
    /// when it is past its `ttl`.
    fn usable(self: &Arc<Self>, shared: &Arc<SharedState>, now: Instant) -> Option<Arc<Held>> {
        let held = self.held.load_full()?;
        if now < held.fresh_until {
            return Some(held);
        }
        if now < held.usable_until {
            self.refresh_in_background(shared, now);
            return Some(held);
        }
        None
    }

    /// No usable list: waits for a fetch (joining the one in flight), unless one failed
    /// moments ago. The error: how long to wait, and why (for logs).
    async fn wait(
        self: &Arc<Self>,
        shared: &Arc<SharedState>,
    ) -> Result<Arc<Held>, (Duration, String)> {
        let now = shared.clock.now();
        if let Some(wait) = self.backoff_remaining(shared, now) {
            return Err((wait, self.failure()));
        }
        let result = self.start_fetch(shared).0.await;
        match self.usable(shared, shared.clock.now()) {
            Some(held) => Ok(held),
            None => Err((
                shared.config.failure_backoff,
                result
                    .err()
                    .map_or_else(|| self.failure(), |e| e.to_string()),
            )),
        }
    }

    fn failure(&self) -> String {
        lock(&self.last_failure)
            .as_ref()
            .map_or_else(|| "no list fetched yet".to_owned(), |(_, e)| e.clone())
    }

    fn backoff_remaining(&self, shared: &SharedState, now: Instant) -> Option<Duration> {
        let failure = lock(&self.last_failure);
        let (at, _) = failure.as_ref()?;
        shared
            .config
            .failure_backoff
            .checked_sub(now.saturating_duration_since(*at))
            .filter(|d| !d.is_zero())
    }

    fn refresh_in_background(self: &Arc<Self>, shared: &Arc<SharedState>, now: Instant) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        if self.backoff_remaining(shared, now).is_none() {
            let _ = self.start_fetch(shared);
        }
    }

    /// Joins the fetch in flight or starts one, as its own task when a runtime runs:
    /// it finishes even when every request waiting for it is cancelled. The slot lock is
    /// held only to read or set the slot; the slot is emptied on every exit path of the
    /// fetch ([`SlotGuard`]), and a fetch older than its timeout allows is replaced.
    fn start_fetch(self: &Arc<Self>, shared: &Arc<SharedState>) -> (SharedFetch, bool) {
        let mut slot = lock(&self.inflight);
        if let Some(inflight) = slot.as_ref() {
            let limit = shared.config.timeout.saturating_add(Duration::from_secs(1));
            if Instant::now() < later(inflight.started, limit) {
                return (inflight.fetch.clone(), false);
            }
        }
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let guard = SlotGuard {
            slot: Arc::clone(self),
            generation,
            finished: false,
        };
        let shared = Arc::clone(shared);
        let work = async move {
            let mut guard = guard;
            let result = guard.slot.fetch_and_install(&shared).await;
            guard.finished = true;
            result
        };
        let fetch = crate::future::spawn_shared("fetch", work);
        let previous = slot.replace(InFlight {
            generation,
            started: Instant::now(),
            fetch: fetch.clone(),
        });
        drop(slot);
        drop(previous);
        (fetch, true)
    }

    fn record_failure(&self, clock: &Clock, detail: String) {
        tracing::warn!(error = %detail, "status list fetch failed; keeping the last good list if any");
        *lock(&self.last_failure) = Some((clock.now(), detail));
    }

    async fn fetch_and_install(
        self: &Arc<Self>,
        shared: &Arc<SharedState>,
    ) -> Result<(), Arc<str>> {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            target: "jwt_guard::status_list",
            // telemetry::STATUS_LIST_FETCH_SPAN (a span's name must be a literal here).
            "jwt_guard.status_list_fetch",
            strategy = shared.label.get().map(|s| &**s).unwrap_or("unregistered"),
            uri = %crate::text::bounded(self.uri.as_str()),
            result = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self.fetch_once(shared).instrument(span.clone()).await;
        let outcome = if result.is_ok() { "ok" } else { "error" };
        span.record("result", outcome);
        span.in_scope(|| match &result {
            Ok(()) => *lock(&self.last_failure) = None,
            Err(detail) => self.record_failure(&shared.clock, detail.clone()),
        });
        crate::telemetry::status_list_fetched(shared.label.get(), outcome);
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "status list fetch ended"
        );
        result.map_err(Arc::from)
    }

    async fn fetch_once(self: &Arc<Self>, shared: &Arc<SharedState>) -> Result<(), String> {
        let config = &shared.config;
        let uri = &self.uri;
        let mut response = shared
            .http
            .get(uri.clone())
            .header(ACCEPT, "application/statuslist+jwt")
            .send()
            .await
            .map_err(|e| format!("{uri}: {}", describe(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("{uri} answered HTTP {status}"));
        }
        let max_age = crate::jwks::cache_max_age(response.headers());
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let cap = config.max_token_bytes;
        if declared.is_some_and(|len| len > cap as u64) {
            return Err(format!(
                "{uri}: the status list token is over the {cap}-byte cap"
            ));
        }
        let mut body = Vec::with_capacity(declared.unwrap_or(0).min(cap as u64) as usize);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{uri}: {}", describe(&e)))?
        {
            if body.len().saturating_add(chunk.len()) > cap {
                return Err(format!(
                    "{uri}: the status list token is over the {cap}-byte cap"
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let text = std::str::from_utf8(&body)
            .map_err(|_| format!("{uri}: the body is not text"))?
            .trim();
        let checked = token::check(
            text,
            Expect {
                uri: uri.as_str(),
                iss: &self.iss,
                keys: &self.keys,
                algorithms: &shared.algorithms,
                max_token_bytes: cap,
                max_list_bytes: config.max_list_bytes,
                unix_now: shared.clock.unix_now(),
            },
        )
        .await
        .map_err(|why| format!("{uri}: {why}"))?;
        // The token's ttl first (the draft: it wins over HTTP caching), then max-age,
        // then the default; within the bounds (the upper one wins if they cross).
        let ttl = checked
            .ttl
            .or(max_age)
            .unwrap_or(config.default_ttl)
            .max(config.min_ttl)
            .min(config.max_ttl);
        let now = shared.clock.now();
        let mut fresh_until = later(now, ttl);
        let mut usable_until = later(fresh_until, config.stale_for);
        if let Some(exp) = checked.exp {
            let left = exp - shared.clock.unix_now();
            let left = Duration::try_from_secs_f64(left.max(0.0)).unwrap_or(Duration::MAX);
            usable_until = usable_until.min(later(now, left));
            fresh_until = fresh_until.min(usable_until);
        }
        tracing::info!(
            bytes = checked.statuses.len(),
            ttl_s = ttl.as_secs(),
            "status list fetched"
        );
        self.held.store(Some(Arc::new(Held {
            statuses: checked.statuses,
            fresh_until,
            usable_until,
        })));
        // Weighed again with its list (the cache weighs an entry when it is put in).
        let key = format!("{}\n{}", self.iss, self.uri);
        if shared
            .lists
            .peek(&key)
            .is_some_and(|entry| Arc::ptr_eq(&entry.slot, self))
        {
            let id = shared.next_entry.fetch_add(1, Ordering::Relaxed);
            self.entry.store(id, Ordering::Relaxed);
            let entry = Entry {
                slot: Arc::clone(self),
                id,
            };
            let _ = shared.lists.replace(key, entry, false);
        }
        Ok(())
    }

    /// The memory a slot holds, estimated: itself, its URI and issuer, its list.
    fn weight(&self) -> u64 {
        let held = self
            .held
            .load()
            .as_deref()
            .map_or(0, |h| size_of::<Held>() + h.statuses.len());
        (256 + size_of::<Slot>() + self.uri.as_str().len() * 2 + self.iss.len() * 2 + held) as u64
    }
}

/// Empties the single-flight slot when the fetch ends, however it ends; a fetch that did
/// not complete is recorded as a failure (the backoff applies).
struct SlotGuard {
    slot: Arc<Slot>,
    generation: u64,
    finished: bool,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        if !self.finished {
            *lock(&self.slot.last_failure) = Some((
                Instant::now(),
                "the status list fetch did not finish (its runtime shut down?)".to_owned(),
            ));
        }
        let mine = {
            let mut inflight = lock(&self.slot.inflight);
            if inflight
                .as_ref()
                .is_some_and(|f| f.generation == self.generation)
            {
                inflight.take()
            } else {
                None
            }
        };
        drop(mine);
    }
}

/// A slot weighs its bytes, and at least `floor` (which makes `max_lists` a hard bound).
#[derive(Clone)]
struct ByWeight {
    floor: u64,
}

impl Weighter<String, Entry> for ByWeight {
    fn weight(&self, _key: &String, entry: &Entry) -> u64 {
        entry.slot.weight().max(self.floor)
    }
}

/// Marks a slot dropped for room, and lets its list go (a cached token still holding
/// the slot looks its list up again).
#[derive(Clone, Default)]
struct Evicted;

impl Lifecycle<String, Entry> for Evicted {
    type RequestState = ();

    fn on_evict(&self, _state: &mut Self::RequestState, _key: String, entry: Entry) {
        // The entry a re-insertion replaced is not an eviction of its slot.
        if entry.slot.entry.load(Ordering::Relaxed) == entry.id {
            entry.slot.evicted.store(true, Ordering::Relaxed);
            entry.slot.held.store(None);
        }
    }
}

fn describe(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_redirect() {
        "redirect refused"
    } else {
        "request failed"
    }
}

/// Locks a mutex whose data stays valid even if a holder panicked (only plain values).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwks::KeySet;

    fn lists(max_lists: usize) -> StatusLists {
        let mut config = StatusListConfig::check();
        config.max_lists = max_lists;
        StatusLists::new(config, vec![Algorithm::RS256], Arc::new(Clock::default())).expect("lists")
    }

    fn slot(lists: &StatusLists, n: usize) -> Arc<Slot> {
        let uri = Url::parse(&format!("https://issuer.example/lists/{n}")).expect("uri");
        lists.slot(uri, "https://issuer.example", || {
            ListKeys::Pinned(Arc::new(KeySet::default()))
        })
    }

    #[test]
    fn lists_are_bounded_and_an_evicted_list_is_looked_up_again() {
        let lists = lists(4);
        let first = slot(&lists, 0);
        assert!(Arc::ptr_eq(&first, &slot(&lists, 0)), "one slot per list");
        let held: Vec<_> = (1..64).map(|n| slot(&lists, n)).collect();
        assert!(
            lists.shared.lists.len() <= 4,
            "{}",
            lists.shared.lists.len()
        );
        let evicted = std::iter::once(&first)
            .chain(&held)
            .filter(|s| s.evicted.load(Ordering::Relaxed))
            .count();
        assert!(evicted >= 60, "{evicted}");
        // A token holding an evicted slot is verified again (which finds a new slot).
        let gone = std::iter::once(first)
            .chain(held)
            .find(|s| s.evicted.load(Ordering::Relaxed))
            .expect("one evicted");
        let place = StatusRef { slot: gone, idx: 0 };
        assert_eq!(lists.check_cached(&place, Instant::now()), Ok(false));
    }

    #[test]
    fn statuses_are_judged_by_one_rule() {
        let lists = lists(4);
        let shared = &lists.shared;
        assert_eq!(shared.judge(Some(0)), Ok(()));
        assert_eq!(shared.judge(Some(1)), Err(TokenError::Revoked));
        assert_eq!(shared.judge(Some(2)), Err(TokenError::Suspended));
        assert_eq!(shared.judge(Some(3)), Err(TokenError::StatusNotAccepted));
        assert_eq!(shared.judge(None), Err(TokenError::InvalidClaim("status")));
        let accepting = StatusLists::new(
            StatusListConfig::check().accept_status(3),
            vec![Algorithm::RS256],
            Arc::new(Clock::default()),
        )
        .expect("lists");
        assert_eq!(accepting.shared.judge(Some(3)), Ok(()));
        assert_eq!(
            accepting.shared.judge(Some(4)),
            Err(TokenError::StatusNotAccepted)
        );
        for bad in [1, 2] {
            assert!(
                StatusLists::new(
                    StatusListConfig::check().accept_status(bad),
                    vec![Algorithm::RS256],
                    Arc::new(Clock::default()),
                )
                .is_err()
            );
        }
    }
}
