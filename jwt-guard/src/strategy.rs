//! Strategies: what authenticates a request. [`JwtStrategy`] is the built-in one.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::cache::{TokenCache, TokenCacheConfig, Verified};
use crate::error::{Error, TokenError};
use crate::extract::{self, DEFAULT_MAX_HEADER_BYTES};
use crate::jwks::{Clock, JwksClient, JwksConfig, KeyEntry, KeySet, PemKind, default_jwks_url};
use crate::principal::Principal;
use crate::verify::{self, ClaimRules, Limits};

/// The boxed future a [`Strategy`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A named way to authenticate a request from its headers.
///
/// Return [`ErrorKind::MissingAuthorization`](crate::ErrorKind::MissingAuthorization) (or
/// [`ErrorKind::NotBearer`](crate::ErrorKind::NotBearer)) when the request carries no
/// credentials of your kind, any other error when it carries bad ones.
///
/// ```
/// use jwt_guard::{BoxFuture, Error, Principal, Strategy};
/// use http::HeaderMap;
///
/// struct ApiKey(&'static str);
///
/// impl Strategy for ApiKey {
///     fn authenticate<'a>(&'a self, headers: &'a HeaderMap) -> BoxFuture<'a, Result<Principal, Error>> {
///         Box::pin(async move {
///             match headers.get("x-api-key") {
///                 Some(key) if key.as_bytes() == self.0.as_bytes() => Ok(Principal::new(Default::default())),
///                 Some(_) => Err(Error::unauthorized("invalid API key")),
///                 None => Err(jwt_guard::ErrorKind::MissingAuthorization.into()),
///             }
///         })
///     }
/// }
/// ```
pub trait Strategy: Send + Sync + 'static {
    /// Authenticates a request from its headers.
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>>;
}

/// Bearer JWTs verified against an issuer's keys.
///
/// Built with [`JwtStrategy::builder`]. Defaults follow the seed (RS256 only, issuer
/// checked, keys from `ISSUER/.well-known/jwks.json`), with a few secure additions
/// listed on [`JwtStrategyBuilder`].
#[derive(Clone)]
pub struct JwtStrategy {
    inner: Arc<JwtInner>,
}

struct JwtInner {
    keys: Keys,
    algorithms: Vec<Algorithm>,
    rules: ClaimRules,
    limits: Limits,
    max_header_bytes: usize,
    cache: Option<TokenCache>,
    /// The key engine's clock (its own for static keys): one time for cache, keys, claims.
    clock: Arc<Clock>,
}

enum Keys {
    Static(KeySet),
    Remote(JwksClient),
}

impl JwtStrategy {
    /// Starts a configuration.
    pub fn builder() -> JwtStrategyBuilder {
        JwtStrategyBuilder::default()
    }

    /// The key engine, when keys come from a URL (for [`JwksClient::warm_up`] and
    /// [`JwksClient::status`]).
    pub fn jwks(&self) -> Option<&JwksClient> {
        match &self.inner.keys {
            Keys::Remote(client) => Some(client),
            Keys::Static(_) => None,
        }
    }

    /// Verifies a bearer token (without the `Bearer ` prefix) and returns its principal.
    pub async fn verify_token(&self, token: &str) -> Result<Principal, Error> {
        let inner = &*self.inner;
        if let Some(cache) = &inner.cache
            && let Some(hit) = cache.get(token)
        {
            match inner.recheck(&hit) {
                Ok(true) => return Ok(Principal::from_shared(Arc::clone(&hit.claims))),
                // The key left the set: verify from scratch (and fail if it is gone).
                Ok(false) => cache.remove(token),
                Err(err) => {
                    cache.remove(token);
                    return Err(err.into());
                }
            }
        }
        let parsed = verify::parse(token, &inner.algorithms, &inner.limits)?;
        let key = match &inner.keys {
            Keys::Static(set) => Arc::clone(set.find(parsed.kid.as_deref(), parsed.alg)?),
            Keys::Remote(client) => client.key(parsed.kid.as_deref(), parsed.alg).await?,
        };
        verify::verify_signature(&parsed, &key)?;
        let claims = verify::decode_claims(&parsed)?;
        verify::validate_claims(&claims, &inner.rules, inner.clock.unix_now())?;
        let claims = Arc::new(claims);
        if let Some(cache) = &inner.cache {
            cache.insert(token, Arc::clone(&claims), &key);
        }
        Ok(Principal::from_shared(claims))
    }

    /// Tokens held by the verified-token cache (0 when it is off).
    pub fn cached_tokens(&self) -> usize {
        self.inner.cache.as_ref().map_or(0, TokenCache::len)
    }

    /// Test hook: the summed weight (bytes) of the cached tokens.
    #[doc(hidden)]
    pub fn __cached_weight(&self) -> u64 {
        self.inner.cache.as_ref().map_or(0, TokenCache::weight)
    }

    /// Test hook: steps this strategy's clock (key freshness, cache age, `exp`/`nbf`)
    /// forward.
    #[doc(hidden)]
    pub fn __advance_clock(&self, by: Duration) {
        self.inner.clock.advance(by);
    }
}

impl JwtInner {
    /// A cache hit is served only while its key is in the set a cold verification would
    /// use now (checked first, as the cold path looks the key up first; a due set starts
    /// its refresh) and its time claims hold. `Ok(false)`: verify again.
    fn recheck(&self, hit: &Verified) -> Result<bool, TokenError> {
        let Some(key) = hit.key.upgrade() else {
            return Ok(false);
        };
        let held = match &self.keys {
            Keys::Static(set) => set.contains(&key),
            Keys::Remote(client) => client.holds(&key),
        };
        if !held {
            return Ok(false);
        }
        let now = self.clock.unix_now();
        let leeway = self.rules.leeway as f64;
        if hit.exp.is_some_and(|exp| now >= exp + leeway) {
            return Err(TokenError::Expired);
        }
        if hit.nbf.is_some_and(|nbf| nbf > now + leeway) {
            return Err(TokenError::NotYetValid);
        }
        Ok(true)
    }
}

impl Strategy for JwtStrategy {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            let token = extract::bearer_token(headers, self.inner.max_header_bytes)?;
            self.verify_token(token).await
        })
    }
}

impl fmt::Debug for JwtStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("JwtStrategy")
            .field("issuer", &inner.rules.issuer)
            .field("audiences", &inner.rules.audiences)
            .field("algorithms", &inner.algorithms)
            .field(
                "keys",
                &match &inner.keys {
                    Keys::Static(set) => format!("static ({} keys)", set.len()),
                    Keys::Remote(client) => format!("remote ({:?})", client.status().url),
                },
            )
            .finish()
    }
}

/// Configuration of a [`JwtStrategy`].
///
/// | option | default |
/// |---|---|
/// | [`issuer`](Self::issuer) | required; compared exactly |
/// | [`jwks_uri`](Self::jwks_uri) | `ISSUER/.well-known/jwks.json` (the seed's rule) |
/// | [`discover`](Self::discover) | off |
/// | [`algorithms`](Self::algorithms) | `[RS256]` (the seed's) |
/// | [`audience`](Self::audience) | not checked (as the seed) |
/// | [`leeway`](Self::leeway) | 0 s (as node's `jsonwebtoken`) |
/// | [`require_exp`](Self::require_exp) | `true` (the seed accepted tokens without `exp`) |
/// | [`max_header_bytes`](Self::max_header_bytes) | 8 KiB |
/// | [`jwks_config`](Self::jwks_config) | [`JwksConfig::default`] |
/// | [`limits`](Self::limits) | [`Limits::default`]: token ≤ header cap, JOSE header ≤ 1 KiB, claims ≤ 8 KiB |
/// | [`token_cache`](Self::token_cache) | off |
#[derive(Default)]
#[must_use]
pub struct JwtStrategyBuilder {
    issuer: Option<String>,
    jwks_uri: Option<String>,
    discover: bool,
    static_keys: Vec<Arc<KeyEntry>>,
    static_set: Option<KeySet>,
    static_error: Option<Error>,
    algorithms: Option<Vec<Algorithm>>,
    audiences: Option<Vec<String>>,
    leeway: Duration,
    require_exp: Option<bool>,
    max_header_bytes: Option<usize>,
    jwks_config: JwksConfig,
    token_cache: Option<TokenCacheConfig>,
    limits: Option<Limits>,
}

impl fmt::Debug for JwtStrategyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtStrategyBuilder")
            .field("issuer", &self.issuer)
            .field("jwks_uri", &self.jwks_uri)
            .finish_non_exhaustive()
    }
}

impl JwtStrategyBuilder {
    /// The expected `iss`, compared exactly (no case folding, no trailing-slash
    /// tolerance). Required.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Where the JWK Set is. Defaults to `ISSUER/.well-known/jwks.json`.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// Find the JWK Set URL in `ISSUER/.well-known/openid-configuration` (whose `issuer`
    /// must equal [`issuer`](Self::issuer)) instead of using the seed's rule.
    pub fn discover(mut self) -> Self {
        self.discover = true;
        self
    }

    /// Pins keys instead of fetching them: a JWK Set document (`{"keys":[…]}`).
    pub fn jwks_json(mut self, json: &[u8]) -> Self {
        match KeySet::from_jwks_json(json) {
            Ok(set) => self.static_set = Some(set),
            Err(e) => self.static_error = Some(e),
        }
        self
    }

    /// Pins one key given as a JWK (JSON text).
    pub fn jwk_json(mut self, json: &[u8]) -> Self {
        match KeySet::from_jwk_json(json) {
            Ok(set) => self.static_set = Some(set),
            Err(e) => self.static_error = Some(e),
        }
        self
    }

    /// Pins an RSA public key (PEM, PKCS#1 or SPKI), usable for RS* and PS*.
    pub fn rsa_pem(self, pem: &[u8], kid: Option<&str>) -> Self {
        self.pem(DecodingKey::from_rsa_pem(pem), PemKind::Rsa, kid)
    }

    /// Pins an EC public key (PEM, SPKI), P-256 for ES256 or P-384 for ES384.
    pub fn ec_pem(self, pem: &[u8], kid: Option<&str>) -> Self {
        self.pem(DecodingKey::from_ec_pem(pem), PemKind::Ec, kid)
    }

    /// Pins an Ed25519 public key (PEM, SPKI), for EdDSA.
    pub fn ed_pem(self, pem: &[u8], kid: Option<&str>) -> Self {
        self.pem(DecodingKey::from_ed_pem(pem), PemKind::Ed, kid)
    }

    /// Pins an HMAC secret, for HS256/384/512 (which must also be allowed with
    /// [`algorithms`](Self::algorithms)). At least the hash size of the algorithm
    /// (RFC 7518 §3.2): 32, 48 and 64 bytes for HS256, HS384 and HS512; a secret too short
    /// for every allowed `HS*` algorithm fails [`build`](Self::build).
    pub fn hmac_secret(mut self, secret: &[u8], kid: Option<&str>) -> Self {
        if secret.len() < 32 {
            self.static_error = Some(Error::config(format!(
                "pinned HMAC key (kid {:?}): an HMAC secret must be at least 32 bytes",
                kid.unwrap_or("")
            )));
            return self;
        }
        self.pem(DecodingKey::from_secret(secret), PemKind::Hmac, kid)
    }

    fn pem(
        mut self,
        key: jsonwebtoken::errors::Result<DecodingKey>,
        kind: PemKind,
        kid: Option<&str>,
    ) -> Self {
        let entry = key
            .map_err(|e| Error::config(format!("the key does not parse: {e}")))
            .and_then(|key| crate::jwks::static_entry(key, kind, kid));
        match entry {
            Ok(entry) => self.static_keys.push(Arc::new(entry)),
            Err(e) => self.static_error = Some(e),
        }
        self
    }

    /// The algorithm allow-list. Defaults to `[RS256]`. `none` does not exist here.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Requires `aud` to contain this audience (call again to accept several). Defaults to
    /// not checking `aud`, as the seed.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences
            .get_or_insert_with(Vec::new)
            .push(audience.into());
        self
    }

    /// Clock tolerance for `exp` and `nbf`. Defaults to 0 s.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Whether a token without `exp` is refused. Defaults to `true`.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = Some(required);
        self
    }

    /// Cap on the `Authorization` header. Defaults to 8 KiB.
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = Some(bytes);
        self
    }

    /// Settings of the key engine (timeouts, caps, cache ages).
    pub fn jwks_config(mut self, config: JwksConfig) -> Self {
        self.jwks_config = config;
        self
    }

    /// Size caps on the token and its parts, checked before decoding. Defaults to
    /// [`Limits::default`] with `max_token_bytes` equal to
    /// [`max_header_bytes`](Self::max_header_bytes).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Turns on the verified-token cache: a token verified once is served from memory
    /// (time claims re-checked, key still in the set) until its `exp` or the cache's max
    /// age. Off by default.
    pub fn token_cache(mut self, config: TokenCacheConfig) -> Self {
        self.token_cache = Some(config);
        self
    }

    /// Checks the configuration and builds the strategy. No network I/O happens here;
    /// call [`JwksClient::warm_up`] through [`JwtStrategy::jwks`] to fetch keys early.
    pub fn build(self) -> Result<JwtStrategy, Error> {
        if let Some(e) = self.static_error {
            return Err(e);
        }
        let issuer = self
            .issuer
            .ok_or_else(|| Error::config("an issuer is required"))?;
        if issuer.is_empty() {
            return Err(Error::config("the issuer must not be empty"));
        }
        let algorithms = self.algorithms.unwrap_or_else(|| vec![Algorithm::RS256]);
        if algorithms.is_empty() {
            return Err(Error::config("the algorithm allow-list must not be empty"));
        }
        let static_keys = !self.static_keys.is_empty() || self.static_set.is_some();
        if static_keys && (self.jwks_uri.is_some() || self.discover) {
            return Err(Error::config("pinned keys and a JWKS URL are exclusive"));
        }
        if self.discover && self.jwks_uri.is_some() {
            return Err(Error::config("discover() and jwks_uri() are exclusive"));
        }
        let symmetric = algorithms
            .iter()
            .any(|a| matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512));
        let asymmetric = algorithms
            .iter()
            .any(|a| !matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512));
        if symmetric && asymmetric {
            return Err(Error::config(
                "mixing HMAC (HS*) and public-key algorithms in one allow-list invites key confusion; use two strategies",
            ));
        }
        if symmetric && !static_keys {
            return Err(Error::config(
                "HS* algorithms need a pinned secret (hmac_secret); fetched key sets never hold secrets",
            ));
        }
        let keys = if static_keys {
            let mut entries = self.static_keys;
            if let Some(set) = self.static_set {
                entries.extend(set.into_entries());
            }
            for entry in &entries {
                crate::jwks::check_pinned_hmac(entry, &algorithms)?;
            }
            Keys::Static(KeySet::from_entries(entries))
        } else if self.discover {
            Keys::Remote(JwksClient::discover(&issuer, self.jwks_config)?)
        } else {
            let url = self.jwks_uri.unwrap_or_else(|| default_jwks_url(&issuer));
            Keys::Remote(JwksClient::new(&url, self.jwks_config)?)
        };
        let clock = match &keys {
            Keys::Remote(client) => client.clock(),
            Keys::Static(_) => Arc::new(Clock::default()),
        };
        let max_header_bytes = self.max_header_bytes.unwrap_or(DEFAULT_MAX_HEADER_BYTES);
        let limits = self.limits.unwrap_or(Limits {
            max_token_bytes: max_header_bytes,
            ..Limits::default()
        });
        Ok(JwtStrategy {
            inner: Arc::new(JwtInner {
                keys,
                algorithms,
                rules: ClaimRules {
                    issuer,
                    audiences: self.audiences,
                    leeway: self.leeway.as_secs(),
                    require_exp: self.require_exp.unwrap_or(true),
                },
                limits,
                max_header_bytes,
                cache: self
                    .token_cache
                    .map(|config| TokenCache::new(config, Arc::clone(&clock))),
                clock,
            }),
        })
    }
}
