//! The introspection strategy's configuration: [`IntrospectionStrategyBuilder`], the
//! result cache's settings ([`IntrospectionCacheConfig`]) and how the resource server
//! authenticates to the endpoint.

use std::fmt;
use std::time::Duration;

use crate::algorithm::Algorithm;
use crate::claim_options::ClaimOptions;
use crate::config_error::ConfigError;

use super::cache::IntrospectionCacheConfig;

/// Configuration of an [`IntrospectionStrategy`](crate::IntrospectionStrategy).
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
    pub(super) issuer: Option<String>,
    pub(super) endpoint: Option<String>,
    pub(super) discover: bool,
    pub(super) auth: Option<AuthSpec>,
    pub(super) assertion_audience: Option<String>,
    pub(super) jwt_response: bool,
    pub(super) jwks_uri: Option<String>,
    pub(super) timeout: Option<Duration>,
    pub(super) cache: Option<IntrospectionCacheConfig>,
    pub(super) max_response_bytes: Option<usize>,
    /// Audiences, leeway, claim paths, header cap, `cnf` policy: as the JWT strategy's.
    pub(super) claims: ClaimOptions,
    pub(super) error: Option<ConfigError>,
}

/// How the resource server authenticates to the endpoint, as configured.
pub(super) enum AuthSpec {
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
pub(super) const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024;

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
        self.claims.add_audience(audience.into());
        self
    }

    /// Clock tolerance for the answer's `exp` and `nbf`. Defaults to 0 s; at most
    /// [`MAX_LEEWAY`](crate::verify::MAX_LEEWAY).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.claims.set_leeway(leeway);
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
        self.claims.add_scopes_claim(path.into());
        self
    }

    /// Reads the caller's roles at this claim path of the answer. Defaults to `roles`.
    pub fn roles_claim(mut self, path: impl Into<String>) -> Self {
        self.claims.add_roles_claim(path.into());
        self
    }

    /// Cap on the `Authorization` header. Defaults to 16 KiB.
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.claims.set_max_header_bytes(bytes);
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
        self.claims.accept_unverified_cnf();
        self
    }
}
