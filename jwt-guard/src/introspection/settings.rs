//! The introspection strategy's configuration: [`IntrospectionStrategyBuilder`], the
//! result cache's settings ([`IntrospectionCacheConfig`]) and how the resource server
//! authenticates to the endpoint.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::EncodingKey;

use crate::algorithm::Algorithm;
use crate::claims::ClaimPaths;
use crate::config_error::ConfigError;
use crate::jwks::{JwksClient, JwksConfig};
use crate::verify::{ClaimRules, MAX_LEEWAY};

use super::IntrospectionStrategy;
use super::cache::ResultCache;
use super::client::{Endpoint, Introspector};

/// Settings of the introspection result cache
/// ([`IntrospectionStrategyBuilder::cache`]).
///
/// An answer of the authorization server is reused until the earliest of the token's
/// `exp` and [`max_ttl`](Self::max_ttl): that bound is how late a revocation is noticed.
/// 60 s (the default) is Spring Security's and Quarkus' order of magnitude; a shorter
/// one notices revocations sooner at the cost of more calls to the endpoint, zero turns
/// the cache off (one call per request).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IntrospectionCacheConfig {
    /// Most answers held: a hard bound. Defaults to 10 000. Zero turns the cache off.
    pub max_entries: usize,
    /// Most memory held by the entries, in bytes (the answer's claims and the cache's
    /// bookkeeping, within a factor of two): a hard bound. Defaults to 16 MiB. Zero turns
    /// the cache off.
    pub max_bytes: u64,
    /// Longest an active answer is reused, whatever the token's `exp`: the revocation
    /// latency. Defaults to 60 s. Zero turns the cache off.
    pub max_ttl: Duration,
    /// How long an `"active": false` answer (or one refused by the checks, as an expired
    /// or foreign token) is reused: a token tried again and again costs one call per
    /// period. Defaults to 5 s. Zero: not cached.
    pub negative_ttl: Duration,
}

impl Default for IntrospectionCacheConfig {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_bytes: 16 * 1024 * 1024,
            max_ttl: Duration::from_secs(60),
            negative_ttl: Duration::from_secs(5),
        }
    }
}

/// Configuration of an [`IntrospectionStrategy`].
///
/// Required: the [`issuer`](Self::issuer), the endpoint ([`endpoint`](Self::endpoint) or
/// [`discover`](Self::discover)) and one client authentication
/// ([`client_secret_basic`](Self::client_secret_basic),
/// [`client_secret_post`](Self::client_secret_post) or
/// [`private_key_jwt`](Self::private_key_jwt)). A mistake in any call is reported by
/// [`build`](Self::build).
#[derive(Default)]
#[must_use]
pub struct IntrospectionStrategyBuilder {
    issuer: Option<String>,
    endpoint: Option<String>,
    discover: bool,
    auth: Option<AuthSpec>,
    assertion_audience: Option<String>,
    jwt_response: bool,
    jwks_uri: Option<String>,
    audiences: Option<Vec<String>>,
    leeway: Duration,
    timeout: Option<Duration>,
    cache: Option<IntrospectionCacheConfig>,
    scopes_claims: Option<Vec<String>>,
    roles_claims: Option<Vec<String>>,
    max_header_bytes: Option<usize>,
    max_response_bytes: Option<usize>,
    accept_unverified_cnf: bool,
    error: Option<ConfigError>,
}

/// How the resource server authenticates to the endpoint, as configured.
enum AuthSpec {
    Basic {
        id: String,
        secret: String,
    },
    Post {
        id: String,
        secret: String,
    },
    Jwt {
        id: String,
        pem: Vec<u8>,
        alg: Algorithm,
        kid: Option<String>,
    },
}

/// How the resource server authenticates to the endpoint, built.
pub(super) enum ClientAuth {
    /// RFC 6749 §2.3.1: `Authorization: Basic` of the form-encoded id and secret.
    Basic {
        id: String,
        header: http::HeaderValue,
    },
    /// RFC 6749 §2.3.1: `client_id` and `client_secret` in the body.
    Post { id: String, secret: String },
    /// RFC 7523 §2.2: a signed client assertion per call.
    Jwt {
        id: String,
        key: Box<EncodingKey>,
        alg: jsonwebtoken::Algorithm,
        kid: Option<String>,
        audience: String,
    },
}

impl fmt::Debug for IntrospectionStrategyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntrospectionStrategyBuilder")
            .field("issuer", &self.issuer)
            .field("endpoint", &self.endpoint)
            .field("discover", &self.discover)
            .finish_non_exhaustive()
    }
}

/// The default timeout of one call to the endpoint.
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The default cap on the endpoint's answer.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024;

impl IntrospectionStrategyBuilder {
    /// The authorization server's issuer identifier: an answer's `iss`, when it has one,
    /// must equal it (compared exactly), and [`discover`](Self::discover) reads its
    /// metadata. Required.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The introspection endpoint's URL (https, or http to a loopback host). Keycloak:
    /// `{issuer}/protocol/openid-connect/token/introspect`; ORY Hydra:
    /// `{admin}/admin/oauth2/introspect`. One of this and [`discover`](Self::discover) is
    /// required.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Reads the endpoint from the issuer's metadata on first use: its
    /// `introspection_endpoint` in `{issuer}/.well-known/openid-configuration`, else in
    /// `{issuer}/.well-known/oauth-authorization-server` (RFC 8414). The document's
    /// `issuer` must equal the configured one. A failed discovery is a 503 and is tried
    /// again on the next request.
    pub fn discover(mut self) -> Self {
        self.discover = true;
        self
    }

    /// Authenticates to the endpoint with HTTP Basic (`client_secret_basic`, RFC 6749
    /// §2.3.1; the id and secret form-encoded first, as the RFC says).
    pub fn client_secret_basic(
        self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.auth(AuthSpec::Basic {
            id: client_id.into(),
            secret: secret.into(),
        })
    }

    /// Authenticates to the endpoint with `client_id` and `client_secret` in the form
    /// body (`client_secret_post`).
    pub fn client_secret_post(
        self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.auth(AuthSpec::Post {
            id: client_id.into(),
            secret: secret.into(),
        })
    }

    /// Authenticates to the endpoint with a client assertion signed by a private key
    /// (`private_key_jwt`, RFC 7523 §2.2): a JWT with `iss` and `sub` the client id, `aud`
    /// the [`client_assertion_audience`](Self::client_assertion_audience), a random `jti`
    /// and a 60-second lifetime, signed afresh for each call. `pem` is a PKCS#8 private
    /// key (RSA, EC or Ed25519) for `alg`; `kid`, when given, is put in its header.
    pub fn private_key_jwt(
        self,
        client_id: impl Into<String>,
        pem: &[u8],
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Self {
        self.auth(AuthSpec::Jwt {
            id: client_id.into(),
            pem: pem.to_vec(),
            alg,
            kid: kid.map(str::to_owned),
        })
    }

    /// The `aud` of the client assertions of [`private_key_jwt`](Self::private_key_jwt).
    /// Defaults to the issuer (RFC 7523bis); ORY Hydra wants its token endpoint URL.
    pub fn client_assertion_audience(mut self, audience: impl Into<String>) -> Self {
        self.assertion_audience = Some(audience.into());
        self
    }

    fn auth(mut self, auth: AuthSpec) -> Self {
        if self.auth.is_some() && self.error.is_none() {
            self.error = Some(ConfigError::InvalidOption {
                option: "client authentication",
                reason: "choose one of client_secret_basic, client_secret_post and private_key_jwt"
                    .into(),
            });
        }
        self.auth = Some(auth);
        self
    }

    /// Asks for JWT answers (RFC 9701: `Accept: application/token-introspection+jwt`),
    /// signed by the authorization server and verified with its keys (the key engine of
    /// [`jwks_uri`](Self::jwks_uri), else discovered from the issuer): the answer's `iss`
    /// must be the issuer, its `aud` the client id, its `typ`
    /// `token-introspection+jwt`. Defaults to plain JSON answers (trusted through TLS).
    pub fn jwt_response(mut self, signed: bool) -> Self {
        self.jwt_response = signed;
        self
    }

    /// Where the keys verifying [`jwt_response`](Self::jwt_response)s are. Defaults to
    /// OpenID discovery from the issuer.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// Requires the answer's `aud` to contain this audience (call again to accept
    /// several). Defaults to not checking `aud`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences
            .get_or_insert_with(Vec::new)
            .push(audience.into());
        self
    }

    /// Clock tolerance for the answer's `exp` and `nbf`. Defaults to 0 s; at most
    /// [`MAX_LEEWAY`](crate::verify::MAX_LEEWAY).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The longest one call to the endpoint may take (connecting included); a slower
    /// endpoint is a 503 with `Retry-After`. Defaults to 5 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Settings of the result cache. Defaults to [`IntrospectionCacheConfig::default`]:
    /// on, answers reused for at most 60 s.
    pub fn cache(mut self, config: IntrospectionCacheConfig) -> Self {
        self.cache = Some(config);
        self
    }

    /// Reads the caller's scopes at this claim path of the answer (as
    /// [`JwtStrategyBuilder::scopes_claim`](crate::JwtStrategyBuilder::scopes_claim)).
    /// Defaults to `scope` and `scp`.
    pub fn scopes_claim(mut self, path: impl Into<String>) -> Self {
        self.scopes_claims
            .get_or_insert_with(Vec::new)
            .push(path.into());
        self
    }

    /// Reads the caller's roles at this claim path of the answer. Defaults to `roles`.
    pub fn roles_claim(mut self, path: impl Into<String>) -> Self {
        self.roles_claims
            .get_or_insert_with(Vec::new)
            .push(path.into());
        self
    }

    /// Cap on the `Authorization` header. Defaults to 16 KiB.
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = Some(bytes);
        self
    }

    /// Cap on the endpoint's answer; a longer one is a 503. Defaults to 64 KiB.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Accepts an answer with a `cnf` (a sender-constrained token) without checking the
    /// binding — as [`JwtStrategyBuilder::dangerous_accept_unverified_cnf`](crate::JwtStrategyBuilder::dangerous_accept_unverified_cnf).
    /// Defaults to refusing it: the same one rule as JWTs.
    pub fn dangerous_accept_unverified_cnf(mut self) -> Self {
        self.accept_unverified_cnf = true;
        self
    }

    /// Checks the configuration and builds the strategy. Nothing is fetched here.
    pub fn build(self) -> Result<IntrospectionStrategy, ConfigError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let issuer = self.issuer.ok_or(ConfigError::MissingIssuer)?;
        let endpoint = match (self.endpoint, self.discover) {
            (Some(_), true) => {
                return Err(ConfigError::InvalidOption {
                    option: "endpoint",
                    reason: "choose one of endpoint and discover".into(),
                });
            }
            (Some(url), false) => Endpoint::Fixed(checked_url(&url)?),
            (None, true) => Endpoint::discovered(&issuer)?,
            (None, false) => {
                return Err(ConfigError::InvalidOption {
                    option: "endpoint",
                    reason: "the introspection endpoint is required: endpoint(url) or discover()"
                        .into(),
                });
            }
        };
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::InvalidOption {
                option: "leeway",
                reason: format!("at most {} s", MAX_LEEWAY.as_secs()),
            });
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(ConfigError::InvalidOption {
                option: "timeout",
                reason: "must be more than zero".into(),
            });
        }
        let auth = match self.auth {
            None => {
                return Err(ConfigError::InvalidOption {
                    option: "client authentication",
                    reason: "required: client_secret_basic, client_secret_post or private_key_jwt"
                        .into(),
                });
            }
            Some(spec) => client_auth(
                spec,
                self.assertion_audience.unwrap_or_else(|| issuer.clone()),
            )?,
        };
        let mut claim_paths = ClaimPaths::default();
        if let Some(paths) = self.scopes_claims {
            claim_paths = claim_paths.with_scopes(paths)?;
        }
        if let Some(paths) = self.roles_claims {
            claim_paths = claim_paths.with_roles(paths)?;
        }
        let jwks_config = JwksConfig {
            timeout,
            ..JwksConfig::default()
        };
        let jwks = match (self.jwt_response, self.jwks_uri) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(ConfigError::InvalidOption {
                    option: "jwks_uri",
                    reason: "verifies JWT answers: set jwt_response(true) too".into(),
                });
            }
            (true, Some(uri)) => Some(JwksClient::new(&uri, jwks_config)?),
            (true, None) => Some(JwksClient::discover(&issuer, jwks_config)?),
        };
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // An introspection endpoint answers itself: a redirect is not followed (the
            // client's credentials would go with it).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("jwt-guard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::HttpClient(Box::new(e)))?;
        let rules = ClaimRules {
            issuer,
            audiences: self.audiences,
            leeway: self.leeway.as_secs_f64(),
            require_exp: false,
        };
        let cache_config = self.cache.unwrap_or_default();
        let introspector = Introspector {
            http,
            endpoint,
            auth,
            jwks,
            timeout,
            max_response_bytes: self
                .max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
        };
        Ok(IntrospectionStrategy::new(
            introspector,
            rules,
            ResultCache::new(&cache_config),
            Arc::new(claim_paths),
            self.max_header_bytes
                .unwrap_or(crate::extract::DEFAULT_MAX_HEADER_BYTES),
            self.accept_unverified_cnf,
        ))
    }
}

/// An endpoint URL: parsed, https or loopback http.
pub(super) fn checked_url(text: &str) -> Result<reqwest::Url, ConfigError> {
    let url = reqwest::Url::parse(text).map_err(|e| ConfigError::InvalidUrl {
        url: text.to_owned(),
        reason: e.to_string(),
    })?;
    crate::jwks::check_transport(&url, false)?;
    Ok(url)
}

fn client_auth(spec: AuthSpec, audience: String) -> Result<ClientAuth, ConfigError> {
    use base64::Engine as _;
    Ok(match spec {
        AuthSpec::Basic { id, secret } => {
            let encode =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                encode(&id),
                encode(&secret)
            ));
            let mut header =
                http::HeaderValue::from_str(&format!("Basic {credentials}")).map_err(|_| {
                    ConfigError::InvalidOption {
                        option: "client_secret_basic",
                        reason: "not a header value".into(),
                    }
                })?;
            header.set_sensitive(true);
            ClientAuth::Basic { id, header }
        }
        AuthSpec::Post { id, secret } => ClientAuth::Post { id, secret },
        AuthSpec::Jwt { id, pem, alg, kid } => {
            let invalid = |reason: String| ConfigError::InvalidKey {
                key: "private_key_jwt".into(),
                reason,
            };
            use jsonwebtoken::Algorithm as J;
            let (key, alg) = match alg {
                Algorithm::RS256 => (EncodingKey::from_rsa_pem(&pem), J::RS256),
                Algorithm::RS384 => (EncodingKey::from_rsa_pem(&pem), J::RS384),
                Algorithm::RS512 => (EncodingKey::from_rsa_pem(&pem), J::RS512),
                Algorithm::PS256 => (EncodingKey::from_rsa_pem(&pem), J::PS256),
                Algorithm::PS384 => (EncodingKey::from_rsa_pem(&pem), J::PS384),
                Algorithm::PS512 => (EncodingKey::from_rsa_pem(&pem), J::PS512),
                Algorithm::ES256 => (EncodingKey::from_ec_pem(&pem), J::ES256),
                Algorithm::ES384 => (EncodingKey::from_ec_pem(&pem), J::ES384),
                Algorithm::EdDSA => (EncodingKey::from_ed_pem(&pem), J::EdDSA),
                other => return Err(invalid(format!("{other} cannot sign a client assertion"))),
            };
            let key = key.map_err(|e| invalid(e.to_string()))?;
            ClientAuth::Jwt {
                id,
                key: Box::new(key),
                alg,
                kid,
                audience,
            }
        }
    })
}
