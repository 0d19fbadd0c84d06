//! `IntrospectionStrategyBuilder::build`: the checks of a configuration and the strategy
//! built from it.

use std::sync::Arc;

use jsonwebtoken::EncodingKey;

use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;
use crate::jwks::{JwksClient, JwksConfig};
use crate::verify::ClaimRules;

use super::cache::ResultCache;
use super::client::{ClientAuth, Endpoint, Introspector, checked_url};
use super::settings::{
    AuthSpec, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, IntrospectionStrategyBuilder,
};
use super::strategy::IntrospectionStrategy;

impl IntrospectionStrategyBuilder {
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
        let claims = self.claims.check()?;
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
            audiences: claims.audiences,
            leeway: claims.leeway,
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
            Arc::new(claims.claim_paths),
            claims.max_header_bytes,
            claims.accept_unverified_cnf,
        ))
    }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::config_error::ConfigError;
    use crate::verify::MAX_LEEWAY;
    use crate::{IntrospectionStrategy, JwtStrategy};

    const ISSUER: &str = "https://issuer.example";

    fn introspection() -> super::IntrospectionStrategyBuilder {
        IntrospectionStrategy::builder()
            .issuer(ISSUER)
            .endpoint("https://issuer.example/introspect")
            .client_secret_basic("rs", "secret")
    }

    /// The options both strategies share are refused by the same rule, in the same words.
    #[test]
    fn shared_options_fail_as_the_jwt_strategys() {
        let over = MAX_LEEWAY + Duration::from_nanos(1);
        let ours = introspection().leeway(over).build().err().unwrap();
        let jwt = JwtStrategy::builder()
            .issuer(ISSUER)
            .leeway(over)
            .build()
            .err()
            .unwrap();
        assert!(matches!(
            ours,
            ConfigError::InvalidOption {
                option: "leeway",
                ..
            }
        ));
        assert_eq!(ours.to_string(), jwt.to_string());

        let ours = introspection().roles_claim("a..b").build().err().unwrap();
        let jwt = JwtStrategy::builder()
            .issuer(ISSUER)
            .roles_claim("a..b")
            .build()
            .err()
            .unwrap();
        assert!(
            matches!(ours, ConfigError::InvalidClaimPath { .. }),
            "{ours}"
        );
        assert_eq!(ours.to_string(), jwt.to_string());

        introspection()
            .leeway(MAX_LEEWAY)
            .audience("api")
            .scopes_claim("permissions")
            .roles_claim("realm_access.roles")
            .max_header_bytes(4096)
            .build()
            .unwrap();
    }
}
