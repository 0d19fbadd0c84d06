//! DPoP settings: [`DpopConfig`] as configured, and the checked [`Dpop`] a strategy keeps.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;

use super::replay::{InMemoryReplayStore, ReplayStore};
use super::{nonce, proof};

/// Whether a strategy also takes plain bearer tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopMode {
    /// DPoP requests and bearer tokens (except DPoP-bound ones) are accepted.
    Allowed,
    /// Only DPoP requests are accepted.
    Required,
}

/// The largest [`DpopConfig::max_age`]: 1 hour. A proof is meant for one request, made
/// just before it; an older one is a replay window, not a convenience.
pub const MAX_PROOF_AGE: Duration = Duration::from_secs(3600);

/// The DPoP settings of a strategy. See the [module docs](crate::dpop).
#[derive(Clone)]
#[must_use]
pub struct DpopConfig {
    mode: DpopMode,
    algorithms: Vec<Algorithm>,
    max_age: Duration,
    leeway: Duration,
    origins: Vec<String>,
    store: Arc<dyn ReplayStore>,
    nonce: Option<(Vec<u8>, Duration)>,
}

impl DpopConfig {
    /// DPoP accepted beside bearer tokens.
    pub fn allowed() -> Self {
        Self::with_mode(DpopMode::Allowed)
    }

    /// DPoP only: bearer tokens are refused.
    pub fn required() -> Self {
        Self::with_mode(DpopMode::Required)
    }

    fn with_mode(mode: DpopMode) -> Self {
        Self {
            mode,
            algorithms: vec![
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::EdDSA,
                Algorithm::Ed25519,
                Algorithm::PS256,
                Algorithm::RS256,
            ],
            max_age: Duration::from_secs(300),
            leeway: Duration::from_secs(5),
            origins: Vec::new(),
            store: Arc::new(InMemoryReplayStore::default()),
            nonce: None,
        }
    }

    /// The proof algorithm allow-list, also sent as the challenge's `algs`. Defaults to
    /// ES256, ES384, EdDSA, Ed25519 (its RFC 9864 name, which npm's `dpop` sends), PS256,
    /// RS256; ES256K only when listed. Symmetric algorithms are refused by `build`.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// How old a proof's `iat` may be; also how long its `jti` is remembered. Defaults to
    /// 5 minutes; at most [`MAX_PROOF_AGE`] (1 hour), else the strategy's `build` fails.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How far ahead of our clock a proof's `iat` may be. Defaults to 5 s; at most
    /// [`MAX_LEEWAY`](crate::verify::MAX_LEEWAY) (10 minutes), else the strategy's `build`
    /// fails.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// An origin clients address (`https://api.example`: scheme, host and port, no path):
    /// a proof's `htu` must name one of these origins and the request's path. Call again
    /// to accept several (the names of one service). **Required**:
    /// [`build`](crate::JwtStrategyBuilder::build) fails without one. There is no default
    /// from the request: the `Host` header is the client's to choose, so a proof made for
    /// another server could be replayed here.
    pub fn external_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins.push(origin.into());
        self
    }

    /// Several origins, as [`external_origin`](Self::external_origin) once for each.
    pub fn external_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.origins.extend(origins.into_iter().map(Into::into));
        self
    }

    /// Where used proofs are remembered. Defaults to an [`InMemoryReplayStore`] of
    /// [`DEFAULT_CAPACITY`](InMemoryReplayStore::DEFAULT_CAPACITY) = 100 000 unexpired
    /// proofs, one per strategy: 325 accepted proofs per second over the default window
    /// of 305 s (`max_age` + `leeway`). Beyond that rate new proofs are refused (503 with
    /// `Retry-After`); no used proof is ever forgotten early. With several replicas, use a
    /// shared store (the `redis` feature's `RedisReplayStore`).
    pub fn replay_store(self, store: impl ReplayStore) -> Self {
        self.replay_store_arc(Arc::new(store))
    }

    /// Like [`replay_store`](Self::replay_store), for a store that is already shared.
    pub fn replay_store_arc(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.store = store;
        self
    }

    /// Requires server nonces (RFC 9449 §8): a proof without a fresh one is answered 401
    /// `error="use_dpop_nonce"` with the nonce to use in `DPoP-Nonce`. A nonce is valid in
    /// its `rotate_every` window and the next; it is an HMAC under `secret` (at least 32
    /// bytes), so replicas sharing the secret accept each other's nonces and nothing is
    /// kept per client. Off by default.
    pub fn require_nonce(mut self, secret: &[u8], rotate_every: Duration) -> Self {
        self.nonce = Some((secret.to_vec(), rotate_every));
        self
    }

    /// Checks the settings; what the strategy keeps.
    pub(crate) fn build(self) -> Result<Dpop, ConfigError> {
        let invalid = |reason: &str| ConfigError::InvalidDpop {
            reason: reason.to_owned(),
        };
        if self.algorithms.is_empty() {
            return Err(invalid("the proof algorithm allow-list is empty"));
        }
        if self.algorithms.iter().any(|a| a.is_hmac()) {
            return Err(invalid("proofs are signed with public-key algorithms only"));
        }
        if self.max_age.is_zero() {
            return Err(invalid("max_age must be more than zero"));
        }
        if self.max_age > MAX_PROOF_AGE {
            return Err(invalid(&format!(
                "max_age {:?} is over the maximum of {MAX_PROOF_AGE:?}",
                self.max_age
            )));
        }
        if self.leeway > crate::verify::MAX_LEEWAY {
            return Err(invalid(&format!(
                "leeway {:?} is over the maximum of {:?}",
                self.leeway,
                crate::verify::MAX_LEEWAY
            )));
        }
        if self.origins.is_empty() {
            return Err(invalid(
                "no origin: set external_origin(\"https://api.example\") to the origin \
                 clients address (the Host header is never used)",
            ));
        }
        let mut origins = Vec::with_capacity(self.origins.len());
        for origin in &self.origins {
            let parsed =
                url::Url::parse(origin).map_err(|_| invalid("external_origin is not a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https")
                || parsed.host_str().is_none()
                || !parsed.username().is_empty()
                || parsed.password().is_some()
                || parsed.path() != "/"
                || parsed.query().is_some()
                || parsed.fragment().is_some()
            {
                return Err(invalid(
                    "external_origin must be an http(s) origin without a path",
                ));
            }
            let origin = parsed.origin().ascii_serialization();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        let nonces = match self.nonce {
            None => None,
            Some((secret, _)) if secret.len() < 32 => {
                return Err(invalid("the nonce secret must be at least 32 bytes"));
            }
            Some((secret, rotate)) => Some(nonce::Nonces::new(&secret, rotate)),
        };
        let algs = self
            .algorithms
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Dpop {
            mode: self.mode,
            algs,
            algorithms: self.algorithms,
            max_age: self.max_age.as_secs_f64(),
            leeway: self.leeway.as_secs_f64(),
            ttl: self.max_age.saturating_add(self.leeway),
            origins,
            store: self.store,
            nonces,
            keys: proof::KeyCache::new(proof::KEY_CACHE_CAPACITY),
        })
    }
}

impl fmt::Debug for DpopConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopConfig")
            .field("mode", &self.mode)
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("leeway", &self.leeway)
            .field("origins", &self.origins)
            .field("nonce", &self.nonce.is_some())
            .finish_non_exhaustive()
    }
}

/// A strategy's checked DPoP settings.
pub(crate) struct Dpop {
    pub(super) mode: DpopMode,
    pub(super) algorithms: Vec<Algorithm>,
    pub(super) algs: String,
    pub(super) max_age: f64,
    pub(super) leeway: f64,
    pub(super) ttl: Duration,
    /// The accepted origins, serialised (`https://api.example`).
    pub(super) origins: Vec<String>,
    pub(super) store: Arc<dyn ReplayStore>,
    pub(super) nonces: Option<nonce::Nonces>,
    pub(super) keys: proof::KeyCache,
}

impl Dpop {
    /// The challenge this strategy offers.
    pub(crate) fn challenge(&self) -> crate::challenge::DpopChallenge {
        crate::challenge::DpopChallenge {
            required: self.mode == DpopMode::Required,
            algs: self.algs.clone(),
        }
    }

    /// The proof algorithms, for the resource metadata.
    pub(crate) fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// True when bearer tokens are refused.
    pub(crate) fn required(&self) -> bool {
        self.mode == DpopMode::Required
    }
}

impl fmt::Debug for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpop")
            .field("mode", &self.mode)
            .field("algs", &self.algs)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        let reason = |config: DpopConfig| match config.build() {
            Err(ConfigError::InvalidDpop { reason }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason(DpopConfig::allowed().algorithms([])).contains("empty"));
        assert!(
            reason(DpopConfig::allowed().algorithms([Algorithm::HS256])).contains("public-key")
        );
        assert!(reason(DpopConfig::allowed().external_origin("https://h/path")).contains("origin"));
        assert!(
            reason(
                DpopConfig::allowed()
                    .external_origin("https://h")
                    .require_nonce(b"short", Duration::from_secs(1))
            )
            .contains("32")
        );
        assert!(reason(DpopConfig::allowed().max_age(Duration::ZERO)).contains("max_age"));
        assert!(reason(DpopConfig::allowed()).contains("external_origin"));
        assert!(reason(DpopConfig::allowed().external_origin("https://u@h")).contains("origin"));
        let over = MAX_PROOF_AGE + Duration::from_nanos(1);
        assert!(reason(DpopConfig::allowed().max_age(over)).contains("max_age"));
        let over = crate::verify::MAX_LEEWAY + Duration::from_nanos(1);
        assert!(reason(DpopConfig::allowed().leeway(over)).contains("leeway"));
        assert!(reason(DpopConfig::allowed().leeway(Duration::MAX)).contains("leeway"));
        assert!(
            DpopConfig::allowed()
                .external_origin("https://h")
                .max_age(MAX_PROOF_AGE)
                .leeway(crate::verify::MAX_LEEWAY)
                .build()
                .is_ok()
        );
        let dpop = DpopConfig::required()
            .external_origin("HTTPS://Api.Example:443/")
            .external_origins(["https://api.example", "http://api.example:8080"])
            .build()
            .unwrap();
        assert_eq!(
            dpop.origins,
            ["https://api.example", "http://api.example:8080"]
        );
        assert!(dpop.required());
    }

    #[test]
    fn default_proof_algorithms_take_ed25519_and_leave_es256k_to_a_choice() {
        let dpop = DpopConfig::allowed()
            .external_origin("https://h")
            .build()
            .unwrap();
        assert!(dpop.algorithms().contains(&Algorithm::Ed25519));
        assert!(dpop.algorithms().contains(&Algorithm::EdDSA));
        assert!(!dpop.algorithms().contains(&Algorithm::ES256K));
        let chosen = DpopConfig::allowed()
            .algorithms([Algorithm::ES256K])
            .external_origin("https://h")
            .build()
            .unwrap();
        assert_eq!(chosen.algorithms(), [Algorithm::ES256K]);
    }
}
