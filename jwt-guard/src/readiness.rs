//! Readiness: can every registered strategy verify a token right now?
//!
//! [`Readiness::check`] looks at every strategy of a [`Registry`] by name, and at each
//! of its key engines ([`Strategy::key_engines`](crate::Strategy::key_engines)): an
//! engine is ready while it holds a usable key set (fresh, or stale within
//! [`JwksConfig::stale_for`](crate::jwks::JwksConfig::stale_for)). A strategy with
//! pinned keys, or a custom one without key engines, is always ready. The verdict is
//! ready when every strategy is; the reasons name what is not. No I/O: an engine that
//! holds no usable set is asked to fetch one in the background
//! ([`JwksClient::refresh_if_needed`](crate::jwks::JwksClient::refresh_if_needed)), so
//! the next probe can find it ready.
//!
//! Ready-made handlers answer `200` or `503` with the verdict as JSON, published by the
//! integrations: `jwt_guard::axum::readiness` (feature `axum`) and
//! `jwt_guard::actix::readiness` (feature `actix-web`); both use the registry the request
//! carries, else the global one.
//!
//! ```
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! use jwt_guard::readiness::Readiness;
//! use jwt_guard::{JwtStrategy, Registry};
//!
//! let registry = Registry::new();
//! registry.register("jwt", JwtStrategy::builder().issuer("https://issuer.example").build()?)?;
//! let readiness = Readiness::check(&registry);
//! assert!(!readiness.is_ready(), "no key set fetched yet");
//! assert_eq!(readiness.status_code(), 503);
//! println!("{}", readiness.to_json());
//! # Ok(()) }
//! ```

use std::time::UNIX_EPOCH;

use http::StatusCode;
use serde::Serialize;

use crate::jwks::JwksStatus;
use crate::registry::Registry;

/// `Content-Type` of the verdict the framework handlers answer with.
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) const JSON: &str = "application/json";

/// The verdict over every strategy of a registry.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    ready: bool,
    /// What is not ready, one line each (empty when ready).
    reasons: Vec<String>,
    strategies: Vec<StrategyReadiness>,
}

/// One strategy's readiness.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyReadiness {
    name: String,
    ready: bool,
    key_engines: Vec<EngineReadiness>,
}

/// One key engine's state, as reported by a readiness probe.
#[derive(Debug, Clone, Serialize)]
pub struct EngineReadiness {
    url: Option<String>,
    ready: bool,
    keys: usize,
    stale: bool,
    /// Seconds until the held set is due for refresh.
    refresh_due_in_s: Option<u64>,
    /// Seconds until the held set passes its max age.
    expires_in_s: Option<u64>,
    /// Unix time of the last successful fetch.
    last_success_unix: Option<u64>,
    fetches: u64,
    failures: u64,
    last_error: Option<String>,
}

impl Readiness {
    /// Checks every strategy registered in `registry`. An empty registry is not ready.
    pub fn check(registry: &Registry) -> Self {
        let mut reasons = Vec::new();
        let mut strategies = Vec::new();
        let names = registry.names();
        if names.is_empty() {
            reasons.push("no authentication strategy is registered".to_owned());
        }
        for name in names {
            let Some(strategy) = registry.strategy(&name) else {
                continue;
            };
            let key_engines: Vec<EngineReadiness> = strategy
                .key_engines()
                .iter()
                .map(|engine| {
                    engine.refresh_if_needed();
                    EngineReadiness::from(engine.status())
                })
                .collect();
            for engine in &key_engines {
                if !engine.ready {
                    reasons.push(format!(
                        "strategy {name:?}: no usable key set from {} ({})",
                        engine
                            .url
                            .as_deref()
                            .unwrap_or("its issuer (not yet discovered)"),
                        engine
                            .last_error
                            .as_deref()
                            .unwrap_or("not fetched yet; a fetch was started"),
                    ));
                }
            }
            strategies.push(StrategyReadiness {
                ready: key_engines.iter().all(|e| e.ready),
                name,
                key_engines,
            });
        }
        Self {
            ready: reasons.is_empty(),
            reasons,
            strategies,
        }
    }

    /// True when every strategy can verify tokens now.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// What is not ready, one line each; empty when ready.
    pub fn reasons(&self) -> &[String] {
        &self.reasons
    }

    /// Every strategy, sorted by name.
    pub fn strategies(&self) -> &[StrategyReadiness] {
        &self.strategies
    }

    /// The strategy registered under `name`.
    pub fn strategy(&self, name: &str) -> Option<&StrategyReadiness> {
        self.strategies.iter().find(|s| s.name == name)
    }

    /// `200 OK` when ready, else `503 Service Unavailable`.
    pub fn status_code(&self) -> StatusCode {
        if self.ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        }
    }

    /// The verdict as JSON:
    /// `{"ready":false,"reasons":[…],"strategies":[{"name":"jwt","ready":false,"key_engines":[…]}]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"ready":false}"#.to_owned())
    }
}

impl StrategyReadiness {
    /// The registered name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when every key engine of the strategy holds a usable set.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Its key engines (none for pinned keys or a custom strategy).
    pub fn key_engines(&self) -> &[EngineReadiness] {
        &self.key_engines
    }
}

impl EngineReadiness {
    /// The key set URL, once known.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// True when the engine holds a usable set.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Usable keys held.
    pub fn keys(&self) -> usize {
        self.keys
    }

    /// True when the held set is past its max age (kept because refreshes fail).
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// Whole seconds until the held set is due for refresh.
    pub fn refresh_due_in_s(&self) -> Option<u64> {
        self.refresh_due_in_s
    }

    /// Whole seconds until the held set passes its max age.
    pub fn expires_in_s(&self) -> Option<u64> {
        self.expires_in_s
    }

    /// The last fetch failure, if the last fetch failed.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }
}

impl From<JwksStatus> for EngineReadiness {
    fn from(status: JwksStatus) -> Self {
        Self {
            url: status.url,
            ready: status.usable,
            keys: status.keys,
            stale: status.stale,
            refresh_due_in_s: status.refresh_due_in.map(|d| d.as_secs()),
            expires_in_s: status.expires_in.map(|d| d.as_secs()),
            last_success_unix: status
                .last_success
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            fetches: status.fetches,
            failures: status.failures,
            last_error: status.last_error,
        }
    }
}
