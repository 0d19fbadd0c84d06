//! Signing keys: a static set, or a remote JWK Set kept fresh by the key engine.
//!
//! The engine fetches the whole set, parses every usable key once per fetch, and serves
//! lookups from an atomically swapped snapshot: the request path takes no lock and never
//! waits on the network while a usable key is cached.
//!
//! Every setting and its default is on [`JwksConfig`] (and in the README's defaults
//! table).

mod fetch;
mod keyset;
mod roca;
mod settings;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwapOption;
use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use reqwest::Url;
use tokio::sync::OnceCell;

pub(crate) use keyset::{
    KeyEntry, ParseOptions, PemKind, check_pinned_hmac, entry_from_value, static_entry,
};
pub use keyset::{KeySet, MIN_RSA_BITS};

use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;
use crate::error::{Error, ErrorKind, TokenError};
use crate::time::{Clock, later};
use fetch::Fetched;
pub use settings::JwksConfig;
use settings::discovery_url;
pub(crate) use settings::{Location, default_jwks_url};

/// A snapshot of the engine's state, for readiness probes and metrics.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwksStatus {
    /// The key set URL, once known.
    pub url: Option<String>,
    /// When a fetch last succeeded (a 304 counts).
    pub last_success: Option<SystemTime>,
    /// Number of usable keys held.
    pub keys: usize,
    /// Their key ids.
    pub kids: Vec<String>,
    /// True when the held set is past its max age (kept because refreshes fail).
    pub stale: bool,
    /// HTTP fetches made (including 304s and failures).
    pub fetches: u64,
    /// Fetches that failed (HTTP error, timeout, unusable body).
    pub failures: u64,
    /// Fetches answered `304 Not Modified`.
    pub not_modified: u64,
    /// The last failure, if the last fetch failed.
    pub last_error: Option<String>,
    /// True when a request can be verified with the held set now: a set is held and it
    /// is fresh, or stale within [`JwksConfig::stale_for`].
    pub usable: bool,
    /// How long until the held set is due for refresh (`Duration::ZERO` once it is due);
    /// `None` when no set is held.
    pub refresh_due_in: Option<Duration>,
    /// How long until the held set passes its max age (`Duration::ZERO` once it has, when
    /// it is [`stale`](Self::stale)); `None` when no set is held.
    pub expires_in: Option<Duration>,
}

/// A remote JWK Set, fetched once and kept fresh. Cheap to clone (shared state).
#[derive(Clone, Debug)]
pub struct JwksClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    location: Location,
    url: OnceCell<Url>,
    /// The URL discovery found after the default URL answered 404 ([`Location::Default`]).
    discovered: OnceCell<Url>,
    http: reqwest::Client,
    config: JwksConfig,
    /// The current set; swapped whole, read without a lock.
    current: ArcSwapOption<Snapshot>,
    /// The fetch in flight, shared by every request that needs it (single flight); emptied
    /// on every exit path of the fetch by its [`SlotGuard`].
    inflight: Mutex<Option<InFlight>>,
    /// Numbers the fetches, so a guard empties only its own slot.
    generation: AtomicU64,
    clock: Arc<Clock>,
    /// When an unknown `kid` last caused a refetch.
    last_kid_refetch: Mutex<Option<Instant>>,
    /// When the last fetch failed and why.
    last_failure: Mutex<Option<(Instant, String)>>,
    last_success: Mutex<Option<SystemTime>>,
    fetches: AtomicU64,
    failures: AtomicU64,
    not_modified: AtomicU64,
    /// The name of the strategy using this engine, once registered (metrics, spans).
    label: std::sync::OnceLock<Arc<str>>,
}

type SharedFetch = Shared<BoxFuture<'static, Result<(), Arc<str>>>>;

#[derive(Debug)]
struct InFlight {
    generation: u64,
    /// Real time (not the test clock): how long the fetch has really been running.
    started: Instant,
    fetch: SharedFetch,
}

#[derive(Debug)]
struct Snapshot {
    keys: Arc<KeySet>,
    expires_at: Instant,
    refresh_at: Instant,
    /// `expires_at + stale_for`, saturated: past it the set is not used at all.
    stale_until: Instant,
    etag: Option<String>,
}

impl JwksClient {
    /// A client for the JWK Set at `url`.
    pub fn new(url: &str, config: JwksConfig) -> Result<Self, ConfigError> {
        let url = Url::parse(url).map_err(|e| ConfigError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        fetch::check_transport(&url, config.allow_http)?;
        Self::with_location(Location::Url(url), config)
    }

    /// A client that discovers the JWK Set URL from the issuer's OpenID configuration.
    pub fn discover(issuer: &str, config: JwksConfig) -> Result<Self, ConfigError> {
        let url = discovery_url(issuer)?;
        fetch::check_transport(&url, config.allow_http)?;
        Self::with_location(
            Location::Discover {
                issuer: issuer.to_owned(),
            },
            config,
        )
    }

    /// The default for an issuer: `ISSUER/.well-known/jwks.json` (LoopBack's rule), and
    /// OpenID discovery from the issuer when that answers 404.
    pub(crate) fn default_for(issuer: &str, config: JwksConfig) -> Result<Self, ConfigError> {
        let url = default_jwks_url(issuer);
        let url = Url::parse(&url).map_err(|e| ConfigError::InvalidUrl {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        fetch::check_transport(&url, config.allow_http)?;
        Self::with_location(
            Location::Default {
                issuer: issuer.to_owned(),
                url,
            },
            config,
        )
    }

    fn with_location(location: Location, config: JwksConfig) -> Result<Self, ConfigError> {
        let http = fetch::client(&config)?;
        Ok(Self::with_http(location, config, http))
    }

    /// The HTTP client every engine of one configuration can share (a strategy's tenant
    /// engines do: one connection pool, one TLS set-up).
    pub(crate) fn http_client(config: &JwksConfig) -> Result<reqwest::Client, ConfigError> {
        fetch::client(config)
    }

    /// A client for `url` or by discovery from `issuer`, on a shared HTTP client. Checks
    /// the URL as [`new`](Self::new) and [`discover`](Self::discover) do.
    pub(crate) fn shared(
        url: Option<&str>,
        issuer: &str,
        config: JwksConfig,
        http: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        let location = match url {
            Some(text) => {
                let url = Url::parse(text).map_err(|e| ConfigError::InvalidUrl {
                    url: text.to_owned(),
                    reason: e.to_string(),
                })?;
                fetch::check_transport(&url, config.allow_http)?;
                if text == default_jwks_url(issuer) {
                    Location::Default {
                        issuer: issuer.to_owned(),
                        url,
                    }
                } else {
                    Location::Url(url)
                }
            }
            None => {
                fetch::check_transport(&discovery_url(issuer)?, config.allow_http)?;
                Location::Discover {
                    issuer: issuer.to_owned(),
                }
            }
        };
        Ok(Self::with_http(location, config, http))
    }

    fn with_http(location: Location, config: JwksConfig, http: reqwest::Client) -> Self {
        let url = match &location {
            Location::Url(url) | Location::Default { url, .. } => {
                OnceCell::new_with(Some(url.clone()))
            }
            Location::Discover { .. } => OnceCell::new(),
        };
        Self {
            inner: Arc::new(Inner {
                location,
                url,
                discovered: OnceCell::new(),
                http,
                config,
                current: ArcSwapOption::empty(),
                inflight: Mutex::new(None),
                generation: AtomicU64::new(0),
                clock: Arc::new(Clock::default()),
                last_kid_refetch: Mutex::new(None),
                last_failure: Mutex::new(None),
                last_success: Mutex::new(None),
                fetches: AtomicU64::new(0),
                failures: AtomicU64::new(0),
                not_modified: AtomicU64::new(0),
                label: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Fetches the key set now (joining a fetch in flight). Call at start-up to fail early
    /// (`?`) or to warm the cache and go on regardless (ignore the result).
    pub async fn warm_up(&self) -> Result<(), Error> {
        self.inner.fetch_shared().await.map_err(|detail| {
            Error::new(ErrorKind::KeysUnavailable {
                retry_after: self.inner.config.failure_backoff,
                detail: detail.to_string(),
            })
        })
    }

    /// The engine's state.
    pub fn status(&self) -> JwksStatus {
        let inner = &self.inner;
        let current = inner.current.load_full();
        let now = inner.clock.now();
        JwksStatus {
            url: inner
                .discovered
                .get()
                .or(inner.url.get())
                .map(Url::to_string),
            last_success: *lock(&inner.last_success),
            keys: current.as_ref().map_or(0, |s| s.keys.len()),
            kids: current
                .as_ref()
                .map(|s| s.keys.kids().into_iter().map(str::to_owned).collect())
                .unwrap_or_default(),
            stale: current.as_ref().is_some_and(|s| now >= s.expires_at),
            fetches: inner.fetches.load(Ordering::Relaxed),
            failures: inner.failures.load(Ordering::Relaxed),
            not_modified: inner.not_modified.load(Ordering::Relaxed),
            last_error: lock(&inner.last_failure).as_ref().map(|(_, e)| e.clone()),
            usable: current.as_ref().is_some_and(|s| now < s.stale_until),
            refresh_due_in: current
                .as_ref()
                .map(|s| s.refresh_at.saturating_duration_since(now)),
            expires_in: current
                .as_ref()
                .map(|s| s.expires_at.saturating_duration_since(now)),
        }
    }

    /// Starts a fetch in the background when no usable set is held (unless a fetch
    /// failed moments ago or one is in flight), or a refresh when the set is due: what a
    /// readiness probe calls so that an idle service gets its keys without a request.
    /// Does nothing outside a tokio runtime.
    pub fn refresh_if_needed(&self) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let now = self.inner.clock.now();
        if self.inner.usable_now(now).is_none() {
            self.inner.refresh_in_background(now);
        }
    }

    /// Labels this engine's metrics and spans with the strategy's name (the first call
    /// wins).
    pub(crate) fn label(&self, name: &Arc<str>) {
        let _ = self.inner.label.set(Arc::clone(name));
    }

    /// The key that verifies a token with this `kid` and `alg`.
    ///
    /// Fresh set: a lookup, nothing else. Due for refresh or stale: the held set answers
    /// and a refresh starts in the background. No usable set: waits for one fetch, or
    /// fails with a 503. Unknown `kid`: one refetch per cooldown, else a 401 at once.
    pub(crate) async fn key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<KeyEntry>, Error> {
        let inner = &self.inner;
        // The usual case answers without waiting; the waits (a first fetch, a refetch for
        // an unknown kid) are boxed, so that the future every request carries (and moves)
        // stays small.
        let snapshot = match inner.usable_now(inner.clock.now()) {
            Some(snapshot) => snapshot,
            None => Box::pin(inner.usable_snapshot()).await?,
        };
        match snapshot.keys.find(kid, alg) {
            Ok(key) => Ok(Arc::clone(key)),
            Err(TokenError::UnknownKey) => match kid {
                Some(kid) if !snapshot.keys.has_kid(kid) => {
                    Box::pin(inner.refetch_for_unknown_kid(kid, alg)).await
                }
                _ => Err(TokenError::UnknownKey.into()),
            },
            Err(other) => Err(other.into()),
        }
    }
}

impl JwksClient {
    /// True when `key` is in the set a request may use right now (the freshness check of
    /// [`key`](Self::key), shared: a due set starts its refresh here too). The token
    /// cache serves a hit only when this holds, so it never accepts what a cold
    /// verification would refuse at that moment.
    pub(crate) fn holds(&self, key: &Arc<KeyEntry>, now: Instant) -> bool {
        self.inner
            .usable_now(now)
            .is_some_and(|snapshot| snapshot.keys.contains(key))
    }

    /// True when both are the same engine.
    pub(crate) fn same(&self, other: &JwksClient) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The engine's clock, shared with the strategy's token cache and claim checks.
    pub(crate) fn clock(&self) -> Arc<Clock> {
        Arc::clone(&self.inner.clock)
    }

    /// Test hook: waits until no fetch is in flight.
    #[doc(hidden)]
    pub async fn __settle(&self) {
        loop {
            let fetch = lock(&self.inner.inflight).as_ref().map(|f| f.fetch.clone());
            match fetch {
                Some(fetch) => {
                    let _ = fetch.await;
                    tokio::task::yield_now().await;
                }
                None => return,
            }
        }
    }
}

impl Inner {
    /// The one freshness check, for the lookup and the token cache alike: the held set if
    /// a request may use it at `now`, starting a background refresh when it is due.
    fn usable_now(self: &Arc<Self>, now: Instant) -> Option<Arc<Snapshot>> {
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

    async fn usable_snapshot(self: &Arc<Self>) -> Result<Arc<Snapshot>, Error> {
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

    async fn refetch_for_unknown_kid(
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
    fn refresh_in_background(self: &Arc<Self>, now: Instant) -> bool {
        if self.backoff_remaining(now).is_some() {
            return false;
        }
        let (_, started) = self.start_fetch();
        started
    }

    fn backoff_remaining(&self, now: Instant) -> Option<Duration> {
        let failure = lock(&self.last_failure);
        let (at, _) = failure.as_ref()?;
        self.config
            .failure_backoff
            .checked_sub(now.saturating_duration_since(*at))
            .filter(|d| !d.is_zero())
    }

    fn unavailable(&self, retry_after: Duration) -> Error {
        let detail = lock(&self.last_failure)
            .as_ref()
            .map_or_else(|| "no key set fetched yet".to_owned(), |(_, e)| e.clone());
        Error::new(ErrorKind::KeysUnavailable {
            retry_after,
            detail,
        })
    }

    async fn fetch_shared(self: &Arc<Self>) -> Result<(), Arc<str>> {
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
    fn start_fetch(self: &Arc<Self>) -> (SharedFetch, bool) {
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
        let future: BoxFuture<'static, Result<(), Arc<str>>> =
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    let task = handle.spawn(work);
                    async move {
                        task.await.unwrap_or_else(|e| {
                            Err(Arc::from(if e.is_panic() {
                                "the fetch task panicked"
                            } else {
                                "the fetch task was cancelled"
                            }))
                        })
                    }
                    .boxed()
                }
                Err(_) => work.boxed(),
            };
        let shared = future.shared();
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

    fn record_failure(&self, detail: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(error = %detail, "JWK Set fetch failed; keeping the last good set if any");
        *lock(&self.last_failure) = Some((self.clock.now(), detail));
    }

    async fn resolve_url(&self) -> Result<&Url, String> {
        if let Some(found) = self.discovered.get() {
            return Ok(found);
        }
        self.url
            .get_or_try_init(|| async {
                match &self.location {
                    Location::Url(url) | Location::Default { url, .. } => Ok(url.clone()),
                    Location::Discover { issuer } => self.discover(issuer).await,
                }
            })
            .await
    }

    /// After the default URL answered 404: the URL OpenID discovery gives, found once
    /// (said at INFO), or the discovery's own error joined to the 404.
    async fn fall_back_to_discovery(&self, not_found: String) -> Result<&Url, String> {
        let Location::Default { issuer, .. } = &self.location else {
            return Err(not_found);
        };
        self.discovered
            .get_or_try_init(|| async {
                let found = self.discover(issuer).await.map_err(|why| {
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

    async fn discover(&self, issuer: &str) -> Result<Url, String> {
        #[derive(serde::Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let url = discovery_url(issuer).map_err(|e| e.to_string())?;
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let Fetched::Body { bytes, .. } =
            fetch::fetch(&self.http, &url, None, &self.config).await?
        else {
            return Err(format!("{url}: unexpected 304"));
        };
        let doc: Discovery = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{url}: not an OpenID configuration ({})",
                keyset::json_error(&e)
            )
        })?;
        if doc.issuer != issuer {
            return Err(format!(
                "{url}: discovered issuer {:?} does not equal the configured issuer {issuer:?}",
                doc.issuer
            ));
        }
        let jwks =
            Url::parse(&doc.jwks_uri).map_err(|e| format!("{url}: invalid jwks_uri: {e}"))?;
        fetch::check_transport(&jwks, self.config.allow_http).map_err(|e| e.to_string())?;
        tracing::info!(jwks_uri = %jwks, "JWKS URL discovered");
        Ok(jwks)
    }

    async fn fetch_and_install(&self) -> Result<(), Arc<str>> {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            target: "jwt_guard::jwks",
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

    async fn fetch_once(&self) -> Result<(), String> {
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
                keyset::log_skipped(&skipped);
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
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
