//! The key engine's settings ([`JwksConfig`]) and where it finds its key set
//! ([`Location`]: a URL, discovery, or LoopBack's default with discovery as fallback).

use std::time::Duration;

use reqwest::Url;

/// Settings of the key engine. Every field has a secure, documented default.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwksConfig {
    /// Total time allowed for one fetch, connection included. Defaults to 5 s.
    pub timeout: Duration,
    /// Largest response body read. Defaults to 1 MiB.
    pub max_body_bytes: usize,
    /// Most keys accepted in one set; a larger set is refused whole. Defaults to 100.
    pub max_keys: usize,
    /// Most redirects followed (never to plain http). Defaults to 3.
    pub max_redirects: usize,
    /// How long a set is fresh when the server sends no `Cache-Control: max-age`.
    /// Defaults to 10 minutes, as jwks-rsa's `cacheMaxAge` in the LoopBack app.
    pub default_max_age: Duration,
    /// Lower bound applied to `Cache-Control: max-age`. Defaults to 30 s.
    pub min_max_age: Duration,
    /// Upper bound applied to `Cache-Control: max-age`. Defaults to 24 h.
    pub max_max_age: Duration,
    /// Least time between two refetches caused by unknown `kid`s. Defaults to 30 s.
    pub unknown_kid_cooldown: Duration,
    /// How long past its expiry the last good set keeps serving while refreshes fail.
    /// Defaults to 24 h.
    pub stale_for: Duration,
    /// Least time between a failed fetch and the next attempt; also the `Retry-After` of
    /// the 503 when no usable keys exist. Defaults to 5 s.
    pub failure_backoff: Duration,
    /// Plain-http key URLs on non-loopback hosts: only through
    /// [`JwksConfig::dangerous_allow_http`] (a weakening is never a plain field).
    pub(crate) allow_http: bool,
}

impl Default for JwksConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_body_bytes: 1024 * 1024,
            max_keys: 100,
            max_redirects: 3,
            default_max_age: Duration::from_secs(600),
            min_max_age: Duration::from_secs(30),
            max_max_age: Duration::from_secs(24 * 3600),
            unknown_kid_cooldown: Duration::from_secs(30),
            stale_for: Duration::from_secs(24 * 3600),
            failure_backoff: Duration::from_secs(5),
            allow_http: false,
        }
    }
}

impl JwksConfig {
    /// Allows key URLs over plain http to non-loopback hosts. Anyone on the path can then
    /// swap the keys and mint tokens: use only on a network you trust entirely.
    pub fn dangerous_allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }
}

/// Where a [`JwksClient`] finds its key set URL.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    /// A JWK Set URL.
    Url(Url),
    /// Discover `jwks_uri` from `ISSUER/.well-known/openid-configuration`; the document's
    /// `issuer` must equal this issuer.
    Discover { issuer: String },
    /// LoopBack's rule, `ISSUER/.well-known/jwks.json`, tried first; when it answers 404
    /// (Keycloak, Okta, Entra ID and Google serve their keys elsewhere), OpenID discovery
    /// from the issuer, once.
    Default { issuer: String, url: Url },
}

/// LoopBack's rule: `ISSUER/.well-known/jwks.json`.
pub(crate) fn default_jwks_url(issuer: &str) -> String {
    format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'))
}
