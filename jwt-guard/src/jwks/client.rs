//! [`JwksClient`], the key engine's handle: built from a URL, discovery or an issuer,
//! it looks keys up for the strategies and reports its [`JwksStatus`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwapOption;
use reqwest::Url;
use tokio::sync::OnceCell;

use super::keyset::KeyEntry;

use super::discovery::discovery_url;
use super::engine::{Inner, lock};
use super::fetch;
use super::settings::JwksConfig;
use super::settings::{Location, default_jwks_url};
use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;
use crate::error::{Error, ErrorKind, TokenError};
use crate::time::Clock;

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
    pub(super) inner: Arc<Inner>,
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
    pub(crate) fn holds(&self, key: &std::sync::Weak<KeyEntry>, now: Instant) -> bool {
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

    /// Waits until no fetch is in flight: `testkit::settle`.
    #[cfg_attr(not(feature = "testkit"), allow(dead_code, reason = "a testkit hook"))]
    pub(crate) async fn settle(&self) {
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
