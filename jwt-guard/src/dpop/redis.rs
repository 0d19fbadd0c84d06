//! A replay store shared by replicas: Redis, one atomic `SET key 1 NX PX ttl` per proof.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::replay::{ReplayStore, ReplayStoreError};
use crate::config_error::ConfigError;
use crate::strategy::BoxFuture;

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

    async fn record(&self, id: &[u8; 32], ttl: Duration) -> Result<bool, redis::RedisError> {
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
        let key = format!("{}{}", self.prefix, URL_SAFE_NO_PAD.encode(id));
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let reply: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(millis)
            .query_async(&mut connection)
            .await?;
        Ok(reply.is_some())
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
                Ok(Err(e)) => Err(ReplayStoreError::new(
                    format!("redis: {e}"),
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
            .finish_non_exhaustive()
    }
}
