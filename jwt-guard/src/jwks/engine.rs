//! The key engine: the held key set, its freshness, and the fetches that renew it —
//! single flight, backoff after failures, refetch on an unknown `kid` within a cooldown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwapOption;
use futures_util::future::{BoxFuture, Shared};
use reqwest::Url;
use tokio::sync::OnceCell;

use super::keyset::KeySet;
use super::keyset::{KeyEntry, ParseOptions};

use super::discovery;
use super::fetch::{self, Fetched};
use super::settings::JwksConfig;
use super::settings::Location;
use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, TokenError};
use crate::time::{Clock, later};

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) location: Location,
    pub(super) url: OnceCell<Url>,
    /// The URL discovery found after the default URL answered 404 ([`Location::Default`]).
    pub(super) discovered: OnceCell<Url>,
    pub(super) http: reqwest::Client,
    pub(super) config: JwksConfig,
    /// The current set; swapped whole, read without a lock.
    pub(super) current: ArcSwapOption<Snapshot>,
    /// The fetch in flight, shared by every request that needs it (single flight); emptied
    /// on every exit path of the fetch by its [`SlotGuard`].
    pub(super) inflight: Mutex<Option<InFlight>>,
    /// Numbers the fetches, so a guard empties only its own slot.
    pub(super) generation: AtomicU64,
    pub(super) clock: Arc<Clock>,
    /// When an unknown `kid` last caused a refetch.
    pub(super) last_kid_refetch: Mutex<Option<Instant>>,
    /// When the last fetch failed and why.
    pub(super) last_failure: Mutex<Option<(Instant, String)>>,
    pub(super) last_success: Mutex<Option<SystemTime>>,
    pub(super) fetches: AtomicU64,
    pub(super) failures: AtomicU64,
    pub(super) not_modified: AtomicU64,
    /// The name of the strategy using this engine, once registered (metrics, spans).
    pub(super) label: std::sync::OnceLock<Arc<str>>,
}

pub(super) type SharedFetch = Shared<BoxFuture<'static, Result<(), Arc<str>>>>;

#[derive(Debug)]
pub(super) struct InFlight {
    pub(super) generation: u64,
    /// Real time (not the test clock): how long the fetch has really been running.
    pub(super) started: Instant,
    pub(super) fetch: SharedFetch,
}

#[derive(Debug)]
pub(super) struct Snapshot {
    pub(super) keys: Arc<KeySet>,
    pub(super) expires_at: Instant,
    pub(super) refresh_at: Instant,
    /// `expires_at + stale_for`, saturated: past it the set is not used at all.
    pub(super) stale_until: Instant,
    pub(super) etag: Option<String>,
}

impl Inner {
    /// The one freshness check, for the lookup and the token cache alike: the held set if
    /// a request may use it at `now`, starting a background refresh when it is due.
    pub(super) fn usable_now(self: &Arc<Self>, now: Instant) -> Option<Arc<Snapshot>> {
        let snapshot = self.current.load_full()?;
        if now < snapshot.refresh_at {
            return Some(snapshot);
        }
        if now < snapshot.stale_until {
            let started = self.refresh_in_background(now);
            if started && now >= snapshot.expires_at {
                // Once per refresh attempt, not once per request.
                tracing::warn!("serving a stale JWK Set while refreshes fail");
            }
            return Some(snapshot);
        }
        None
    }

    pub(super) async fn usable_snapshot(self: &Arc<Self>) -> Result<Arc<Snapshot>, Error> {
        let now = self.clock.now();
        if let Some(snapshot) = self.usable_now(now) {
            return Ok(snapshot);
        }
        // Nothing usable: wait for a fetch, unless one failed moments ago.
        if let Some(wait) = self.backoff_remaining(now) {
            return Err(self.unavailable(wait));
        }
        match self.fetch_shared().await {
            Ok(()) => self
                .current
                .load_full()
                .ok_or_else(|| self.unavailable(self.config.failure_backoff)),
            Err(_) => Err(self.unavailable(self.config.failure_backoff)),
        }
    }

    pub(super) async fn refetch_for_unknown_kid(
        self: &Arc<Self>,
        kid: &str,
        alg: Algorithm,
    ) -> Result<Arc<KeyEntry>, Error> {
        let now = self.clock.now();
        {
            let mut last = lock(&self.last_kid_refetch);
            if last.is_some_and(|t| {
                now.saturating_duration_since(t) < self.config.unknown_kid_cooldown
            }) {
                tracing::debug!(kid_len = kid.len(), "unknown kid; refetch cooling down");
                return Err(TokenError::UnknownKey.into());
            }
            *last = Some(now);
        }
        tracing::info!("token names an unknown kid; refetching the JWK Set");
        if self.fetch_shared().await.is_err() {
            return Err(TokenError::UnknownKey.into());
        }
        let snapshot = self
            .current
            .load_full()
            .ok_or(Error::from(TokenError::UnknownKey))?;
        snapshot
            .keys
            .find(Some(kid), alg)
            .map(Arc::clone)
            .map_err(Error::from)
    }

    /// Starts a refresh unless one is in flight or a fetch failed moments ago; true when
    /// this call started it.
    pub(super) fn refresh_in_background(self: &Arc<Self>, now: Instant) -> bool {
        if self.backoff_remaining(now).is_some() {
            return false;
        }
        let (_, started) = self.start_fetch();
        started
    }

    pub(super) fn backoff_remaining(&self, now: Instant) -> Option<Duration> {
        let failure = lock(&self.last_failure);
        let (at, _) = failure.as_ref()?;
        self.config
            .failure_backoff
            .checked_sub(now.saturating_duration_since(*at))
            .filter(|d| !d.is_zero())
    }

    pub(super) fn unavailable(&self, retry_after: Duration) -> Error {
        let detail = lock(&self.last_failure)
            .as_ref()
            .map_or_else(|| "no key set fetched yet".to_owned(), |(_, e)| e.clone());
        Error::new(ErrorKind::KeysUnavailable {
            retry_after,
            detail,
        })
    }

    pub(super) async fn fetch_shared(self: &Arc<Self>) -> Result<(), Arc<str>> {
        self.start_fetch().0.await
    }

    /// Joins the fetch in flight or starts one. The fetch runs as its own task, so it
    /// finishes even when the request that started it is cancelled; the slot lock is held
    /// only to read or set the slot, never across I/O.
    ///
    /// The slot is emptied on every exit path of the fetch (a [`SlotGuard`] dropped at its
    /// end, when it is cancelled with its runtime, or when it panics), and a fetch that
    /// has been in the slot for longer than its timeouts allow (its runtime stopped
    /// running it) is abandoned and replaced.
    pub(super) fn start_fetch(self: &Arc<Self>) -> (SharedFetch, bool) {
        let mut slot = lock(&self.inflight);
        let mut abandoned = None;
        if let Some(inflight) = slot.as_ref() {
            // Discovery and the set: two fetches, each within the timeout; then slack.
            let limit = self
                .config
                .timeout
                .saturating_mul(2)
                .saturating_add(Duration::from_secs(1));
            if Instant::now() < later(inflight.started, limit) {
                return (inflight.fetch.clone(), false);
            }
            abandoned = slot.take();
        }
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let guard = SlotGuard {
            inner: Arc::clone(self),
            generation,
            finished: false,
        };
        let work = async move {
            let mut guard = guard;
            let result = guard.inner.fetch_and_install().await;
            guard.finished = true;
            result
        };
        let shared = crate::future::spawn_shared("fetch", work);
        *slot = Some(InFlight {
            generation,
            started: Instant::now(),
            fetch: shared.clone(),
        });
        drop(slot);
        if abandoned.is_some() {
            self.record_failure(
                "the previous fetch never finished (its runtime no longer runs it); abandoned"
                    .to_owned(),
            );
        }
        drop(abandoned);
        (shared, true)
    }

    pub(super) fn record_failure(&self, detail: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(error = %detail, "JWK Set fetch failed; keeping the last good set if any");
        *lock(&self.last_failure) = Some((self.clock.now(), detail));
    }

    pub(super) async fn resolve_url(&self) -> Result<&Url, String> {
        if let Some(found) = self.discovered.get() {
            return Ok(found);
        }
        self.url
            .get_or_try_init(|| async {
                match &self.location {
                    Location::Url(url) | Location::Default { url, .. } => Ok(url.clone()),
                    Location::Discover { issuer } => {
                        discovery::discover(&self.http, &self.config, &self.fetches, issuer).await
                    }
                }
            })
            .await
    }

    /// After the default URL answered 404: the URL OpenID discovery gives, found once
    /// (said at INFO), or the discovery's own error joined to the 404.
    pub(super) async fn fall_back_to_discovery(&self, not_found: String) -> Result<&Url, String> {
        let Location::Default { issuer, .. } = &self.location else {
            return Err(not_found);
        };
        self.discovered
            .get_or_try_init(|| async {
                let found = discovery::discover(&self.http, &self.config, &self.fetches, issuer)
                    .await
                    .map_err(|why| {
                        format!("{not_found}; OpenID discovery from the issuer failed too: {why}")
                    })?;
                tracing::info!(
                    jwks_uri = %found,
                    "the default JWK Set URL (ISSUER/.well-known/jwks.json) answered 404; \
                     using the one OpenID discovery gives"
                );
                Ok(found)
            })
            .await
    }

    pub(super) async fn fetch_and_install(&self) -> Result<(), Arc<str>> {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            target: "jwt_guard::jwks",
            // telemetry::JWKS_FETCH_SPAN (a span's name must be a literal here).
            "jwt_guard.jwks_fetch",
            strategy = self.label.get().map(|s| &**s).unwrap_or("unregistered"),
            url = self.discovered.get().or(self.url.get()).map(Url::as_str),
            result = tracing::field::Empty,
        );
        let started = Instant::now();
        let not_modified = self.not_modified.load(Ordering::Relaxed);
        let result = self.fetch_once().instrument(span.clone()).await;
        let outcome = match &result {
            Ok(()) if self.not_modified.load(Ordering::Relaxed) != not_modified => "not_modified",
            Ok(()) => "ok",
            Err(_) => "error",
        };
        span.record("result", outcome);
        span.in_scope(|| match &result {
            Ok(()) => {
                *lock(&self.last_failure) = None;
                *lock(&self.last_success) = Some(SystemTime::now());
            }
            Err(detail) => self.record_failure(detail.clone()),
        });
        let current = self.current.load_full();
        let now = self.clock.now();
        crate::telemetry::jwks_fetched(
            self.label.get(),
            outcome,
            started.elapsed(),
            current.as_ref().map_or(0, |s| s.keys.len()),
            current
                .as_ref()
                .map(|s| s.refresh_at.saturating_duration_since(now)),
            current.as_ref().is_some_and(|s| now >= s.expires_at),
        );
        result.map_err(Arc::from)
    }

    pub(super) async fn fetch_once(&self) -> Result<(), String> {
        let url = self.resolve_url().await?;
        let previous = self.current.load_full();
        let etag = previous.as_ref().and_then(|s| s.etag.as_deref());
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let fetched = match fetch::fetch(&self.http, url, etag, &self.config).await {
            Err(why)
                if why.ends_with(" answered HTTP 404 Not Found")
                    && matches!(self.location, Location::Default { .. })
                    && self.discovered.get().is_none() =>
            {
                let found = self.fall_back_to_discovery(why).await?;
                self.fetches.fetch_add(1, Ordering::Relaxed);
                fetch::fetch(&self.http, found, None, &self.config).await?
            }
            other => other?,
        };
        let url = self.discovered.get().unwrap_or(url);
        let (keys, max_age, etag) = match fetched {
            Fetched::NotModified { max_age } => {
                self.not_modified.fetch_add(1, Ordering::Relaxed);
                let Some(previous) = previous.as_ref() else {
                    return Err(format!("{url}: 304 without a held set"));
                };
                tracing::debug!(%url, "JWK Set not modified");
                (Arc::clone(&previous.keys), max_age, previous.etag.clone())
            }
            Fetched::Body {
                bytes,
                max_age,
                etag,
            } => {
                let opts = ParseOptions {
                    allow_symmetric: false,
                    max_keys: self.config.max_keys,
                };
                let (set, skipped) =
                    KeySet::parse(&bytes, opts).map_err(|e| format!("{url}: {e}"))?;
                super::keyset::log_skipped(&skipped);
                if set.is_empty() {
                    return Err(format!("{url}: the JWK Set holds no usable signing key"));
                }
                log_changes(previous.as_deref().map(|s| &*s.keys), &set);
                (Arc::new(set), max_age, etag)
            }
        };
        // Not `clamp`, which panics when the bounds are crossed: then the upper one wins.
        let max_age = max_age.map_or(self.config.default_max_age, |age| {
            age.max(self.config.min_max_age)
                .min(self.config.max_max_age)
        });
        let now = self.clock.now();
        let expires_at = later(now, max_age);
        tracing::info!(
            %url,
            keys = keys.len(),
            max_age_s = max_age.as_secs(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "JWK Set fetched"
        );
        self.current.store(Some(Arc::new(Snapshot {
            keys,
            expires_at,
            refresh_at: later(now, max_age - max_age / 5),
            stale_until: later(expires_at, self.config.stale_for),
            etag,
        })));
        Ok(())
    }
}

fn log_changes(previous: Option<&KeySet>, next: &KeySet) {
    let Some(previous) = previous else { return };
    let before = previous.kids();
    let after = next.kids();
    // Key ids are the key server's text: each cut to 64 characters in the log line.
    let added: Vec<_> = after
        .iter()
        .filter(|k| !before.contains(k))
        .map(|k| crate::text::bounded(k))
        .collect();
    let removed: Vec<_> = before
        .iter()
        .filter(|k| !after.contains(k))
        .map(|k| crate::text::bounded(k))
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        tracing::info!(?added, ?removed, "JWK Set changed");
    }
}

/// Empties the single-flight slot when the fetch ends, however it ends: completed,
/// cancelled (its runtime shut down) or panicking. A fetch that did not complete is
/// recorded as a failure, so the backoff applies and `status()` says what happened.
struct SlotGuard {
    inner: Arc<Inner>,
    generation: u64,
    finished: bool,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.inner.record_failure(if std::thread::panicking() {
                "the fetch task panicked".to_owned()
            } else {
                "the fetch was cancelled before it finished (its runtime shut down?)".to_owned()
            });
        }
        let mine = {
            let mut slot = lock(&self.inner.inflight);
            if slot
                .as_ref()
                .is_some_and(|f| f.generation == self.generation)
            {
                slot.take()
            } else {
                None
            }
        };
        // Dropped outside the lock.
        drop(mine);
    }
}

/// Locks a mutex whose data stays valid even if a holder panicked (only plain values).
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
