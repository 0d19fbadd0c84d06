//! A replay store shared by replicas: Redis, one atomic `SET key 1 NX PX ttl` per proof.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::replay::{ReplayStore, ReplayStoreError};
use crate::config_error::ConfigError;
use crate::future::BoxFuture;

/// A [`ReplayStore`] in Redis, for services that run several replicas: a proof accepted
/// by one replica is refused by every other.
///
/// Each proof costs one round trip, `SET <prefix><id> 1 NX PX <ttl>`: atomic, so of two
/// replicas racing with one proof only one sees it first. Redis down, slow or answering
/// an error fails closed: the request is refused with a 503 and `Retry-After` after at
/// most [`timeout`](Self::timeout), never accepted unchecked.
///
/// The connection is made on first use (no I/O in [`new`](Self::new)) and re-made after a
/// failure; it is multiplexed, so requests do not wait for each other.
///
/// **Redis must not evict.** A proof Redis forgets before its window ends could be
/// replayed, so the store reads the server's `maxmemory-policy` (`INFO memory`) on first
/// use and every minute after: anything but `noeviction` (Redis's default) refuses every
/// request with a 503 and says why in the logs, unless
/// [`dangerous_allow_eviction`](Self::dangerous_allow_eviction). A Redis at its
/// `maxmemory` (an `OOM` error) refuses new proofs with a 503 and `Retry-After`, like the
/// in-memory store when full, and still answers a used proof as a replay.
///
/// ```
/// # fn main() -> Result<(), jwt_guard::ConfigError> {
/// use std::time::Duration;
/// use jwt_guard::dpop::{DpopConfig, RedisReplayStore};
///
/// let store = RedisReplayStore::new("redis://127.0.0.1:6379/")?.timeout(Duration::from_millis(200));
/// let dpop = DpopConfig::required()
///     .external_origin("https://api.example")
///     .replay_store(store);
/// # let _ = dpop;
/// # Ok(()) }
/// ```
pub struct RedisReplayStore {
    client: redis::Client,
    manager: OnceCell<ConnectionManager>,
    timeout: Duration,
    retry_after: Duration,
    prefix: String,
    allow_eviction: bool,
    /// When the server's eviction policy was last seen to be `noeviction`.
    policy_checked: Mutex<Option<Instant>>,
}

/// How often the eviction policy is read again.
const POLICY_CHECK_EVERY: Duration = Duration::from_secs(60);

/// Why a check failed.
enum Failure {
    Redis(redis::RedisError),
    /// The server may evict keys: its `maxmemory-policy`.
    Evicting(String),
    /// The server is at its `maxmemory` and the proof is new.
    Full(redis::RedisError),
}

impl From<redis::RedisError> for Failure {
    fn from(e: redis::RedisError) -> Self {
        Self::Redis(e)
    }
}

impl RedisReplayStore {
    /// A store on the Redis server at `url` (`redis://host:port/db`, `rediss://` for TLS
    /// when the `redis` crate is built with it). Checks the URL only.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        let client = redis::Client::open(url).map_err(|e| ConfigError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            client,
            manager: OnceCell::new(),
            timeout: Duration::from_millis(250),
            retry_after: Duration::from_secs(1),
            prefix: "jwt-guard:dpop:".to_owned(),
            allow_eviction: false,
            policy_checked: Mutex::new(None),
        })
    }

    /// The longest a check may take, connecting included; then the request is refused.
    /// Defaults to 250 ms.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `Retry-After` of the 503 when Redis fails. Defaults to 1 s.
    pub fn retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The prefix of the keys, to share one Redis among services. Defaults to
    /// `jwt-guard:dpop:`.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Skips the check of the server's `maxmemory-policy`. **Dangerous**: a Redis that
    /// evicts keys (`allkeys-lru`, `volatile-ttl`, …) may forget a proof before its
    /// window ends, and a used proof then passes again. Only for a Redis known never to
    /// reach its `maxmemory`, whose `INFO` cannot be read.
    pub fn dangerous_allow_eviction(mut self) -> Self {
        self.allow_eviction = true;
        self
    }

    /// True when the eviction policy is to be read (first use, or a minute on).
    fn policy_due(&self) -> bool {
        if self.allow_eviction {
            return false;
        }
        let checked = *self
            .policy_checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        checked.is_none_or(|at| at.elapsed() >= POLICY_CHECK_EVERY)
    }

    async fn record(&self, id: &[u8; 32], ttl: Duration) -> Result<bool, Failure> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.timeout))
                    .set_response_timeout(Some(self.timeout))
                    .set_number_of_retries(1);
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await?;
        let mut connection = manager.clone();
        if self.policy_due() {
            let info: String = redis::cmd("INFO")
                .arg("memory")
                .query_async(&mut connection)
                .await?;
            let policy = info
                .lines()
                .find_map(|line| line.strip_prefix("maxmemory_policy:"))
                .map_or("unknown", str::trim);
            if policy != "noeviction" {
                return Err(Failure::Evicting(policy.to_owned()));
            }
            *self
                .policy_checked
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        }
        let key = format!("{}{}", self.prefix, URL_SAFE_NO_PAD.encode(id));
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let reply: Result<Option<String>, _> = redis::cmd("SET")
            .arg(&key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(millis)
            .query_async(&mut connection)
            .await;
        match reply {
            Ok(reply) => Ok(reply.is_some()),
            // At `maxmemory`, Redis refuses every write, SET NX of a used proof included:
            // a read tells a replay (refused as one) from a new proof (no room).
            Err(e) if e.code() == Some("OOM") => {
                let used: bool = redis::cmd("EXISTS")
                    .arg(&key)
                    .query_async(&mut connection)
                    .await?;
                if used {
                    Ok(false)
                } else {
                    Err(Failure::Full(e))
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl ReplayStore for RedisReplayStore {
    fn check_and_record<'a>(
        &'a self,
        id: &'a [u8; 32],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, self.record(id, ttl)).await {
                Ok(Ok(first)) => Ok(first),
                Ok(Err(Failure::Redis(e))) => Err(ReplayStoreError::new(
                    format!("redis: {e}"),
                    self.retry_after,
                )),
                Ok(Err(Failure::Full(e))) => Err(ReplayStoreError::full(
                    format!("redis: {e}"),
                    self.retry_after,
                )),
                Ok(Err(Failure::Evicting(policy))) => Err(ReplayStoreError::new(
                    format!(
                        "redis maxmemory-policy is {policy}: it may evict unexpired proofs \
                         (set it to noeviction)"
                    ),
                    self.retry_after,
                )),
                Err(_) => Err(ReplayStoreError::new(
                    format!("redis did not answer within {:?}", self.timeout),
                    self.retry_after,
                )),
            }
        })
    }
}

impl fmt::Debug for RedisReplayStore {
    /// Shows the server, never its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.client.get_connection_info();
        f.debug_struct("RedisReplayStore")
            .field("addr", &info.addr().to_string())
            .field("timeout", &self.timeout)
            .field("prefix", &self.prefix)
            .field("allow_eviction", &self.allow_eviction)
            .finish_non_exhaustive()
    }
}
