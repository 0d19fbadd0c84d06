//! [`StatusListConfig`]: whether and how a strategy checks Token Status Lists, with the
//! bounds of its list cache. Checked once, when the strategy is built.

use std::time::Duration;

use crate::config_error::ConfigError;

/// Whether a token must reference a status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusListMode {
    /// A token with `status.status_list` is checked against its list; a token without one
    /// passes (its issuer does not revoke it this way).
    Check,
    /// Every token must reference a status list: one without `status.status_list` is
    /// refused (401, "jwt status is required").
    Required,
}

/// Settings of the Token Status List check (draft-ietf-oauth-status-list), turned on with
/// [`JwtStrategyBuilder::status_list`](crate::JwtStrategyBuilder::status_list). Off unless
/// configured. Every field has a documented default; the weakening switches are methods
/// named `dangerous_…`.
///
/// ```
/// # fn main() -> Result<(), jwt_guard::ConfigError> {
/// use jwt_guard::status_list::StatusListConfig;
///
/// let strategy = jwt_guard::JwtStrategy::builder()
///     .issuer("https://issuer.example")
///     // Lists published on another origin than the issuer's.
///     .status_list(StatusListConfig::required().allow_origin("https://status.issuer.example"))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StatusListConfig {
    /// [`Check`](StatusListMode::Check) or [`Required`](StatusListMode::Required).
    /// Defaults to `Check`.
    pub mode: StatusListMode,
    /// Largest decompressed list, in bytes: a list that inflates to more is refused whole
    /// (a DEFLATE bomb is cut off at this size). Defaults to 1 MiB (8 388 608 one-bit
    /// statuses).
    pub max_list_bytes: usize,
    /// Largest Status List Token read from the list's server, in bytes (the compressed
    /// list, base64url, and its signature). Defaults to 1 MiB.
    pub max_token_bytes: usize,
    /// Total time allowed for one fetch, connection included. Defaults to 5 s.
    pub timeout: Duration,
    /// How long a list is fresh when its token has no `ttl` and the response no
    /// `Cache-Control: max-age`. Defaults to 5 minutes.
    pub default_ttl: Duration,
    /// Lower bound applied to the list's `ttl` (or `max-age`). Defaults to 10 s.
    pub min_ttl: Duration,
    /// Upper bound applied to the list's `ttl` (or `max-age`). Defaults to 24 h.
    pub max_ttl: Duration,
    /// How long past its `ttl` a list keeps answering while its refresh (started in the
    /// background by the first request after the `ttl`) fails; never past the list's
    /// `exp`. Defaults to 10 minutes. Zero: a list past its `ttl` is refetched before it
    /// answers.
    pub stale_for: Duration,
    /// Least time between a failed fetch of a list and the next attempt; also the
    /// `Retry-After` of the 503 when no usable list is held. Defaults to 5 s.
    pub failure_backoff: Duration,
    /// Most lists held at once (least recently used evicted first). Defaults to 1 000.
    pub max_lists: usize,
    /// Most bytes held by the lists (decompressed), a hard bound. Defaults to 64 MiB; at
    /// least [`max_list_bytes`](Self::max_list_bytes), else the strategy's build fails.
    pub max_bytes: u64,
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) accepted: Vec<u8>,
    pub(crate) allow_http: bool,
    pub(crate) accept_unavailable: bool,
}

impl Default for StatusListConfig {
    fn default() -> Self {
        Self {
            mode: StatusListMode::Check,
            max_list_bytes: 1024 * 1024,
            max_token_bytes: 1024 * 1024,
            timeout: Duration::from_secs(5),
            default_ttl: Duration::from_secs(300),
            min_ttl: Duration::from_secs(10),
            max_ttl: Duration::from_secs(24 * 3600),
            stale_for: Duration::from_secs(600),
            failure_backoff: Duration::from_secs(5),
            max_lists: 1000,
            max_bytes: 64 * 1024 * 1024,
            allowed_origins: Vec::new(),
            accepted: Vec::new(),
            allow_http: false,
            accept_unavailable: false,
        }
    }
}

impl StatusListConfig {
    /// Mode [`Check`](StatusListMode::Check): tokens with a status list reference are
    /// checked, tokens without one pass.
    pub fn check() -> Self {
        Self::default()
    }

    /// Mode [`Required`](StatusListMode::Required): a token without a status list
    /// reference is refused.
    pub fn required() -> Self {
        Self {
            mode: StatusListMode::Required,
            ..Self::default()
        }
    }

    /// An origin (`https://host[:port]`) list URIs may be on. Without any, a token's list
    /// must be on its issuer's origin (scheme, host and port of `iss`); with some, on one
    /// of these instead. A token naming a list elsewhere is refused (401) before any
    /// fetch: a token never makes jwt-guard fetch an arbitrary URL. Call again to allow
    /// several.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// Accepts the application-specific status `value` (0x03, or 0x0B–0x0F, or any value
    /// the list's `bits` can hold beyond the registered ones) as valid. By default only
    /// 0x00 (VALID) is; 0x01 (INVALID) is refused as revoked, 0x02 (SUSPENDED) as
    /// suspended, every other value as not accepted. 0x01 and 0x02 cannot be accepted:
    /// [`build`](crate::JwtStrategyBuilder::build) fails.
    pub fn accept_status(mut self, value: u8) -> Self {
        self.accepted.push(value);
        self
    }

    /// Allows list URIs over plain http to non-loopback hosts. Anyone on the path can then
    /// un-revoke tokens: use only on a network you trust entirely.
    pub fn dangerous_allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    /// Accepts a token whose list cannot be had (its server is down or answers with a
    /// list that does not verify) and none is cached, instead of answering 503. **Fails
    /// open**: whoever can block the list's server makes revoked tokens valid again. Only
    /// where availability matters more than revocation; each such acceptance is logged
    /// at WARN.
    pub fn dangerous_accept_unavailable(mut self) -> Self {
        self.accept_unavailable = true;
        self
    }

    /// The checks of `build`.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |reason: String| ConfigError::InvalidOption {
            option: "status_list",
            reason,
        };
        if self.max_list_bytes == 0 || self.max_token_bytes == 0 {
            return Err(invalid(
                "max_list_bytes and max_token_bytes must be over zero".into(),
            ));
        }
        if self.max_lists == 0 || self.max_bytes < self.max_list_bytes as u64 {
            return Err(invalid(format!(
                "the list cache must hold at least one list: max_lists {} and max_bytes {} \
                 (at least max_list_bytes, {})",
                self.max_lists, self.max_bytes, self.max_list_bytes
            )));
        }
        if self.timeout.is_zero() || self.failure_backoff.is_zero() {
            return Err(invalid(
                "timeout and failure_backoff must be over zero".into(),
            ));
        }
        if self.min_ttl > self.max_ttl {
            return Err(invalid(format!(
                "min_ttl {:?} is over max_ttl {:?}",
                self.min_ttl, self.max_ttl
            )));
        }
        if let Some(value) = self.accepted.iter().find(|v| matches!(v, 0x01 | 0x02)) {
            return Err(invalid(format!(
                "status {value:#04x} ({}) cannot be accepted",
                if *value == 1 { "INVALID" } else { "SUSPENDED" }
            )));
        }
        Ok(())
    }
}
