//! Strategies from configuration: [`StrategyConfig`] (serde) holds every option of
//! [`JwtStrategyBuilder`](crate::JwtStrategyBuilder) but the closures, each under the
//! builder method's name, and [`ConfigFile`] reads several named strategies from one
//! TOML file. Durations are written humanely (`"10m"`, `"1h30m"`, `"500ms"`, or a
//! number of seconds). A bad file is a start-up error that names the strategy, the key
//! and its place (line and column); an unknown key comes with the known key closest to
//! it.
//!
//! Every section a strategy can have (all optional but `issuer`; a strategy has one key
//! source: `jwks_uri`, `discover`, or pinned keys):
//!
//! ```toml
//! [strategies.api]
//! issuer = ["https://issuer.example", "https://login.example/{tenant}/v2.0"]
//! issuer_with_jwks_uri = { "https://partner.example" = "https://partner.example/keys" }
//! tenants = ["contoso", "fabrikam"]      # tenants a {tenant} pattern accepts
//! tenant_claim = "tid"                   # "" turns the cross-check off
//! max_tenants = 256
//! new_tenant_budget = { count = 60, per = "1m" }
//! jwks_uri = "https://issuer.example/keys"   # or: discover = true
//! algorithms = ["RS256", "ES256"]
//! audience = ["api://orders", "https://api.example/orders"]
//! leeway = "30s"
//! require_exp = true
//! max_header_bytes = 16384
//! token_source = "authorization"        # or "header:X-Access-Token", "cookie:__Host-at"
//! scopes_claim = ["scope", "permissions"]
//! roles_claim = ["realm_access.roles", "resource_access.api.roles"]
//! require_claim = ["sub"]
//! claim_one_of = { token_use = "access", client_id = ["web", "cli"] }
//! authorized_parties = ["web"]
//! access_token_profile = false
//! dangerous_accept_unverified_cnf = false
//! scope_rule = "wildcard"                     # orders:* meets orders:read; default "exact"
//!
//! [strategies.api.limits]
//! max_token_bytes = 8192
//! max_header_bytes = 2048
//! max_payload_bytes = 8192
//!
//! [strategies.api.jwks_config]
//! timeout = "5s"
//! max_body_bytes = 262144
//! max_keys = 64
//! max_redirects = 2
//! default_max_age = "10m"
//! min_max_age = "1m"
//! max_max_age = "1d"
//! unknown_kid_cooldown = "30s"
//! stale_for = "1h"
//! failure_backoff = "5s"
//! dangerous_allow_http = false
//!
//! [strategies.api.token_cache]
//! max_entries = 10000
//! max_bytes = 16777216
//! max_age = "5m"
//! max_token_bytes = 4096
//!
//! [strategies.api.dpop]                  # RFC 9449
//! mode = "allowed"                       # or "required"
//! algorithms = ["ES256", "EdDSA"]
//! max_age = "5m"
//! leeway = "5s"
//! external_origins = ["https://api.example"]
//! require_nonce = { secret = { env = "DPOP_NONCE_SECRET" }, rotate_every = "5m" }
//! replay_store = { capacity = 100000 }   # in memory, per strategy
//!
//! [strategies.api.mtls_bound_tokens]     # RFC 8705
//! required = false                       # true: every token bound to the certificate
//! trust_client_cert_header = false       # true only behind a proxy setting Client-Cert
//!
//! [strategies.api.status_list]           # draft-ietf-oauth-status-list
//! mode = "check"                         # or "required"
//! allow_origin = ["https://status.issuer.example"]
//! max_list_bytes = 1048576
//! default_ttl = "5m"
//! stale_for = "10m"
//! accept_status = [3]
//!
//! [strategies.api.protected_resource]    # RFC 9728
//! resource = "https://api.example/orders"
//! name = "Orders API"
//! documentation = "https://docs.example/orders"
//! policy_uri = "https://api.example/policy"
//! tos_uri = "https://api.example/tos"
//! scopes = ["orders:read", "orders:write"]
//! authorization_server = ["https://other-issuer.example"]
//! resource_signing_algs = ["ES256"]     # only if the API signs its responses
//!
//! # Pinned keys instead of a key URL: each from a `file`, an `env` variable, or `text`
//! # (public keys only: a secret is never written in the file).
//! [strategies.internal]
//! issuer = "https://internal.example"
//! algorithms = ["HS256"]
//! hmac_secret = { env = "INTERNAL_JWT_SECRET", kid = "2026-01" }
//!
//! [strategies.partner]
//! issuer = "https://partner.example"
//! algorithms = ["RS256", "ES256"]
//! rsa_pem = [{ file = "keys/partner-rsa.pem", kid = "r1" }]
//! ec_pem = { file = "keys/partner-ec.pem", kid = "e1" }
//! jwks_json = { file = "keys/partner.jwks.json" }
//!
//! [strategies.edge]
//! issuer = "https://edge.example"
//! algorithms = ["EdDSA"]
//! ed_pem = { env = "EDGE_PUBLIC_KEY_PEM", kid = "ed1" }
//! jwk_json = { text = '{"kty":"OKP","crv":"Ed25519","kid":"ed2","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}' }
//!
//! # A layer's policy (build it with `ConfigFile::policy("payments")`): the options of
//! # PolicyBuilder, step-up (RFC 9470) included.
//! [policies.payments]
//! strategies = ["api"]
//! scopes = ["payments:write"]            # all of them; or "one", { any = [..] }, { all = [..] }
//! roles = { any = ["admin", "ops"] }
//! acr = ["urn:example:mfa", "urn:example:hwk"]   # one of them
//! max_age = "5m"                         # since the user authenticated (auth_time)
//! optional = false
//! ```
//!
//! ```
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! let file = jwt_guard::config::ConfigFile::from_toml_str(r#"
//!     [strategies.jwt]
//!     issuer = "https://issuer.example"
//!     leeway = "5s"
//! "#)?;
//! let registry = jwt_guard::Registry::new();
//! file.register_all(&registry)?;
//! assert!(registry.contains("jwt"));
//!
//! let e = jwt_guard::config::ConfigFile::from_toml_str(r#"
//! [strategies.jwt]
//! isuer = "https://issuer.example"
//! "#).unwrap_err();
//! assert_eq!(
//!     e.to_string(),
//!     r#"strategy "jwt", field "isuer": unknown key; did you mean "issuer"? (line 3, column 1)"#
//! );
//! # Ok(()) }
//! ```
//!
//! Keys are the builder's method names; the 0.2 names are still read: `issuer_jwks_uri`
//! (`issuer_with_jwks_uri`), `jwks` (`jwks_config`), `scopes_claims`, `roles_claims`,
//! `require_claims` (singular now), and `jwks_file`, `pem_keys`, `hmac_secret_env` (now
//! `jwks_json`, `rsa_pem`/`ec_pem`/`ed_pem` and `hmac_secret`). Weakening switches are
//! read only under their `dangerous_…` names.
//!
//! What only code can say: a tenant predicate, a custom claims check, a shared DPoP
//! replay store (the `redis` feature's `RedisReplayStore`: a file has
//! `replay_store = { capacity = … }`, in memory). Take the builder from
//! [`StrategyConfig::builder`] and add them.
//!
//! A `[policies.NAME]` table is a [`PolicySettings`] (serde, usable from the
//! application's own configuration too): [`ConfigFile::policy`] builds the
//! [`Policy`](crate::Policy) for a layer.
//!
//! Strategies naming one `protected_resource.resource` share one
//! [`ProtectedResource`](crate::resource_metadata::ProtectedResource): get it from
//! [`ConfigFile::build`] (or [`ConfigFile::register_all`]) to serve its document.

mod build;
mod diagnose;
mod env;
mod file;
mod forms;
pub mod humane;
mod policy;
mod suggest;
#[cfg(test)]
mod tests;

pub use file::{BuiltConfig, ConfigFile};
pub use forms::{
    DpopSettings, JwksSettings, KeyMaterial, LimitsSettings, MtlsSettings, NonceSettings,
    OneOrMany, PemKey, ProtectedResourceSettings, ReplayStoreSettings, ScopeRuleName,
    StatusListModeName, StatusListSettings, StrategyConfig, TenantBudgetSettings,
    TokenCacheSettings,
};
pub use policy::PolicySettings;
