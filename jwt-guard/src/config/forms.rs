//! The file forms: one serde struct per table a strategy's configuration holds. Each key
//! is the [`JwtStrategyBuilder`](crate::JwtStrategyBuilder) method of the same name; the
//! 0.2 spellings are serde aliases. Every untagged form has a deserializer of its own, so
//! that a value of the wrong shape is reported in our words ("expected a string or a list
//! of strings"), never as "data did not match any variant of untagged enum".

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::humane;
use super::suggest;
use crate::algorithm::Algorithm;
use crate::dpop::DpopMode;

/// One value or a list, as in `issuer = "a"` or `issuer = ["a", "b"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OneOrMany {
    /// Nothing configured.
    #[default]
    None,
    /// One value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, in order.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Self::None => Vec::new(),
            Self::One(one) => vec![one.as_str()],
            Self::Many(many) => many.iter().map(String::as_str).collect(),
        }
    }

    /// True when no value is configured.
    pub fn is_empty(&self) -> bool {
        self.values().is_empty()
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor;

        impl<'de> Visitor<'de> for OneOrManyVisitor {
            type Value = OneOrMany;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, one: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(one.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut many = Vec::new();
                while let Some(one) = seq.next_element::<Text>()? {
                    many.push(one.0);
                }
                Ok(OneOrMany::Many(many))
            }
        }

        d.deserialize_any(OneOrManyVisitor)
    }
}

/// A string inside a list: "expected a string in the list".
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = Text;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("each item of the list to be a string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
        }

        d.deserialize_any(TextVisitor)
    }
}

/// Where a key or a secret is read from: exactly one of `file` (a path), `env` (an
/// environment variable) or `text` (the key itself, written in the file; never for a
/// secret), as in `rsa_pem = { file = "keys/a.pem", kid = "a" }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table such as { file = \"path\" }, { env = \"VARIABLE\" } or { text = \"…\" }"
)]
#[non_exhaustive]
pub struct KeyMaterial {
    /// Read from this file.
    #[serde(default)]
    pub file: Option<String>,
    /// Read from this environment variable.
    #[serde(default)]
    pub env: Option<String>,
    /// Written here (public keys and key sets only).
    #[serde(default)]
    pub text: Option<String>,
    /// The key id given to a PEM key or an HMAC secret.
    #[serde(default)]
    pub kid: Option<String>,
}

/// A pinned key in PEM form: the 0.2 form of `pem_keys = [{ kind, file, kid }]`. Write
/// `rsa_pem`, `ec_pem` or `ed_pem` (with a [`KeyMaterial`]) instead.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table { kind = \"rsa\", file = \"path\" }"
)]
#[non_exhaustive]
pub struct PemKey {
    /// `rsa`, `ec` or `ed` (Ed25519).
    pub kind: String,
    /// The PEM file.
    pub file: String,
    /// Its key id.
    #[serde(default)]
    pub kid: Option<String>,
}

/// Settings of the key engine, as in [`JwksConfig`](crate::jwks::JwksConfig); each absent
/// field keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of key engine settings")]
#[non_exhaustive]
#[allow(missing_docs)]
pub struct JwksSettings {
    #[serde(default, with = "humane")]
    pub timeout: Option<Duration>,
    pub max_body_bytes: Option<usize>,
    pub max_keys: Option<usize>,
    pub max_redirects: Option<usize>,
    #[serde(default, with = "humane")]
    pub default_max_age: Option<Duration>,
    #[serde(default, with = "humane")]
    pub min_max_age: Option<Duration>,
    #[serde(default, with = "humane")]
    pub max_max_age: Option<Duration>,
    #[serde(default, with = "humane")]
    pub unknown_kid_cooldown: Option<Duration>,
    #[serde(default, with = "humane")]
    pub stale_for: Option<Duration>,
    #[serde(default, with = "humane")]
    pub failure_backoff: Option<Duration>,
    /// [`JwksConfig::dangerous_allow_http`](crate::jwks::JwksConfig::dangerous_allow_http).
    #[serde(default)]
    pub dangerous_allow_http: bool,
}

/// Settings of the verified-token cache, as in [`TokenCacheConfig`](crate::TokenCacheConfig);
/// each absent field keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of token cache settings")]
#[non_exhaustive]
#[allow(missing_docs)]
pub struct TokenCacheSettings {
    pub max_entries: Option<usize>,
    pub max_bytes: Option<u64>,
    #[serde(default, with = "humane")]
    pub max_age: Option<Duration>,
    pub max_token_bytes: Option<usize>,
}

/// Token Status List settings, as in
/// [`StatusListConfig`](crate::status_list::StatusListConfig); each absent field keeps its
/// default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of status list settings")]
#[non_exhaustive]
#[allow(missing_docs)]
pub struct StatusListSettings {
    /// `"check"` (the default) or `"required"`.
    pub mode: Option<StatusListModeName>,
    pub max_list_bytes: Option<usize>,
    pub max_token_bytes: Option<usize>,
    #[serde(default, with = "humane")]
    pub timeout: Option<Duration>,
    #[serde(default, with = "humane")]
    pub default_ttl: Option<Duration>,
    #[serde(default, with = "humane")]
    pub min_ttl: Option<Duration>,
    #[serde(default, with = "humane")]
    pub max_ttl: Option<Duration>,
    #[serde(default, with = "humane")]
    pub stale_for: Option<Duration>,
    #[serde(default, with = "humane")]
    pub failure_backoff: Option<Duration>,
    pub max_lists: Option<usize>,
    pub max_bytes: Option<u64>,
    /// [`allow_origin`](crate::status_list::StatusListConfig::allow_origin), each.
    #[serde(default)]
    pub allow_origin: OneOrMany,
    /// [`accept_status`](crate::status_list::StatusListConfig::accept_status), each.
    #[serde(default)]
    pub accept_status: Vec<u8>,
    /// [`dangerous_allow_http`](crate::status_list::StatusListConfig::dangerous_allow_http).
    #[serde(default)]
    pub dangerous_allow_http: bool,
    /// [`dangerous_accept_unavailable`](crate::status_list::StatusListConfig::dangerous_accept_unavailable).
    #[serde(default)]
    pub dangerous_accept_unavailable: bool,
}

/// The mode of a status list check in a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StatusListModeName {
    /// [`StatusListMode::Check`](crate::status_list::StatusListMode::Check).
    Check,
    /// [`StatusListMode::Required`](crate::status_list::StatusListMode::Required).
    Required,
}

/// The rate of new tenant engines, as in
/// [`new_tenant_budget`](crate::JwtStrategyBuilder::new_tenant_budget); both fields
/// required.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table { count = 60, per = \"1m\" }"
)]
#[non_exhaustive]
pub struct TenantBudgetSettings {
    /// Engines made at once at most.
    pub count: u32,
    /// The time over which `count` engines are allowed again.
    #[serde(deserialize_with = "humane::deserialize_required")]
    pub per: Duration,
}

/// Size caps, as in [`Limits`](crate::verify::Limits); each absent field keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of size caps")]
#[non_exhaustive]
#[allow(missing_docs)]
pub struct LimitsSettings {
    pub max_token_bytes: Option<usize>,
    pub max_header_bytes: Option<usize>,
    pub max_payload_bytes: Option<usize>,
}

/// DPoP settings, as in [`DpopConfig`](crate::dpop::DpopConfig); each absent field keeps
/// its default. A shared replay store (the `redis` feature's `RedisReplayStore`) is code,
/// not configuration: take [`StrategyConfig::builder`] and call `dpop` with it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of DPoP settings")]
#[non_exhaustive]
pub struct DpopSettings {
    /// `"allowed"` ([`DpopConfig::allowed`](crate::dpop::DpopConfig::allowed), the
    /// default) or `"required"` ([`DpopConfig::required`](crate::dpop::DpopConfig::required)).
    #[serde(default, deserialize_with = "dpop_mode")]
    pub mode: Option<DpopMode>,
    /// [`algorithms`](crate::dpop::DpopConfig::algorithms).
    #[serde(default, deserialize_with = "algorithms")]
    pub algorithms: Option<Vec<Algorithm>>,
    /// [`max_age`](crate::dpop::DpopConfig::max_age).
    #[serde(default, with = "humane")]
    pub max_age: Option<Duration>,
    /// [`leeway`](crate::dpop::DpopConfig::leeway).
    #[serde(default, with = "humane")]
    pub leeway: Option<Duration>,
    /// [`external_origins`](crate::dpop::DpopConfig::external_origins): one or several.
    #[serde(default, alias = "external_origin")]
    pub external_origins: OneOrMany,
    /// [`require_nonce`](crate::dpop::DpopConfig::require_nonce):
    /// `{ secret = { env = "DPOP_NONCE_SECRET" }, rotate_every = "5m" }`.
    #[serde(default)]
    pub require_nonce: Option<NonceSettings>,
    /// [`replay_store`](crate::dpop::DpopConfig::replay_store) in memory:
    /// `{ capacity = 100000 }`.
    #[serde(default)]
    pub replay_store: Option<ReplayStoreSettings>,
}

/// Certificate-bound tokens (RFC 8705), as in [`MtlsConfig`](crate::mtls::MtlsConfig).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table of certificate-binding settings"
)]
#[non_exhaustive]
pub struct MtlsSettings {
    /// [`MtlsConfig::required`](crate::mtls::MtlsConfig::required) when true; else
    /// [`MtlsConfig::allowed`](crate::mtls::MtlsConfig::allowed). Defaults to false.
    #[serde(default)]
    pub required: bool,
    /// [`trust_client_cert_header`](crate::mtls::MtlsConfig::trust_client_cert_header):
    /// only behind a proxy that sets `Client-Cert` itself. Defaults to false.
    #[serde(default)]
    pub trust_client_cert_header: bool,
}

/// Server nonces, as in [`DpopConfig::require_nonce`](crate::dpop::DpopConfig::require_nonce).
#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table { secret = { env = \"VARIABLE\" }, rotate_every = \"5m\" }"
)]
#[non_exhaustive]
pub struct NonceSettings {
    /// The HMAC secret (at least 32 bytes), from a file or an environment variable.
    pub secret: KeyMaterial,
    /// How long a nonce window lasts.
    #[serde(deserialize_with = "humane::deserialize_required")]
    pub rotate_every: Duration,
}

/// The in-memory replay store, as in
/// [`InMemoryReplayStore::new`](crate::dpop::InMemoryReplayStore::new).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table { capacity = 100000 }")]
#[non_exhaustive]
pub struct ReplayStoreSettings {
    /// Unexpired proofs remembered at most.
    pub capacity: usize,
}

/// The resource metadata of RFC 9728, as in
/// [`ProtectedResource::builder`](crate::resource_metadata::ProtectedResource::builder).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of resource metadata")]
#[non_exhaustive]
pub struct ProtectedResourceSettings {
    /// The resource identifier: an absolute http(s) URL, the audience its tokens name.
    pub resource: String,
    /// [`name`](crate::resource_metadata::ProtectedResourceBuilder::name).
    #[serde(default)]
    pub name: Option<String>,
    /// [`documentation`](crate::resource_metadata::ProtectedResourceBuilder::documentation).
    #[serde(default)]
    pub documentation: Option<String>,
    /// [`policy_uri`](crate::resource_metadata::ProtectedResourceBuilder::policy_uri).
    #[serde(default)]
    pub policy_uri: Option<String>,
    /// [`tos_uri`](crate::resource_metadata::ProtectedResourceBuilder::tos_uri).
    #[serde(default)]
    pub tos_uri: Option<String>,
    /// [`scopes`](crate::resource_metadata::ProtectedResourceBuilder::scopes).
    #[serde(default)]
    pub scopes: OneOrMany,
    /// [`resource_signing_algs`](crate::resource_metadata::ProtectedResourceBuilder::resource_signing_algs).
    #[serde(default, deserialize_with = "algorithms")]
    pub resource_signing_algs: Option<Vec<Algorithm>>,
    /// [`authorization_server`](crate::resource_metadata::ProtectedResourceBuilder::authorization_server),
    /// each.
    #[serde(default, alias = "authorization_servers")]
    pub authorization_server: OneOrMany,
}

/// A [`JwtStrategy`](crate::JwtStrategy) as configuration: each key is the
/// [`JwtStrategyBuilder`](crate::JwtStrategyBuilder) method of the same name (see it for
/// what it does and its default); a method called once per value takes one value or a
/// list. Unknown keys are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of strategy settings")]
#[non_exhaustive]
pub struct StrategyConfig {
    /// [`issuer`](crate::JwtStrategyBuilder::issuer): one or several (tenant patterns too).
    #[serde(default)]
    pub issuer: OneOrMany,
    /// [`issuer_with_jwks_uri`](crate::JwtStrategyBuilder::issuer_with_jwks_uri): issuers
    /// with a key URL of their own. 0.2: `issuer_jwks_uri`.
    #[serde(default, alias = "issuer_jwks_uri", deserialize_with = "string_map")]
    pub issuer_with_jwks_uri: BTreeMap<String, String>,
    /// [`tenants`](crate::JwtStrategyBuilder::tenants).
    #[serde(default)]
    pub tenants: OneOrMany,
    /// [`tenant_claim`](crate::JwtStrategyBuilder::tenant_claim); `""` turns the check off.
    #[serde(default)]
    pub tenant_claim: Option<String>,
    /// [`max_tenants`](crate::JwtStrategyBuilder::max_tenants).
    #[serde(default)]
    pub max_tenants: Option<usize>,
    /// [`new_tenant_budget`](crate::JwtStrategyBuilder::new_tenant_budget):
    /// `{ count = 60, per = "1m" }`.
    #[serde(default)]
    pub new_tenant_budget: Option<TenantBudgetSettings>,
    /// [`jwks_uri`](crate::JwtStrategyBuilder::jwks_uri).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// [`discover`](crate::JwtStrategyBuilder::discover).
    #[serde(default)]
    pub discover: bool,
    /// [`jwks_json`](crate::JwtStrategyBuilder::jwks_json): key sets, each
    /// `{ file = "keys.json" }`, `{ env = "VAR" }` or `{ text = '{"keys":[…]}' }`.
    #[serde(default, deserialize_with = "key_materials")]
    pub jwks_json: Vec<KeyMaterial>,
    /// [`jwk_json`](crate::JwtStrategyBuilder::jwk_json): single JWKs, likewise.
    #[serde(default, deserialize_with = "key_materials")]
    pub jwk_json: Vec<KeyMaterial>,
    /// [`rsa_pem`](crate::JwtStrategyBuilder::rsa_pem): PEM keys, each with its `kid`.
    #[serde(default, deserialize_with = "key_materials")]
    pub rsa_pem: Vec<KeyMaterial>,
    /// [`ec_pem`](crate::JwtStrategyBuilder::ec_pem).
    #[serde(default, deserialize_with = "key_materials")]
    pub ec_pem: Vec<KeyMaterial>,
    /// [`ed_pem`](crate::JwtStrategyBuilder::ed_pem).
    #[serde(default, deserialize_with = "key_materials")]
    pub ed_pem: Vec<KeyMaterial>,
    /// [`hmac_secret`](crate::JwtStrategyBuilder::hmac_secret): from a file or an
    /// environment variable, never written in the configuration.
    #[serde(default, deserialize_with = "key_materials")]
    pub hmac_secret: Vec<KeyMaterial>,
    /// 0.2: `jwks_file = "path"`, now `jwks_json = { file = "path" }`.
    #[serde(default)]
    pub jwks_file: Option<String>,
    /// 0.2: `pem_keys = [{ kind, file, kid }]`, now `rsa_pem`, `ec_pem`, `ed_pem`.
    #[serde(default)]
    pub pem_keys: Vec<PemKey>,
    /// 0.2: `hmac_secret_env = "VAR"`, now `hmac_secret = { env = "VAR" }`.
    #[serde(default)]
    pub hmac_secret_env: Option<String>,
    /// [`algorithms`](crate::JwtStrategyBuilder::algorithms).
    #[serde(default, deserialize_with = "algorithms")]
    pub algorithms: Option<Vec<Algorithm>>,
    /// [`audience`](crate::JwtStrategyBuilder::audience): one or several.
    #[serde(default)]
    pub audience: OneOrMany,
    /// [`leeway`](crate::JwtStrategyBuilder::leeway).
    #[serde(default, with = "humane")]
    pub leeway: Option<Duration>,
    /// [`require_exp`](crate::JwtStrategyBuilder::require_exp).
    #[serde(default)]
    pub require_exp: Option<bool>,
    /// [`max_header_bytes`](crate::JwtStrategyBuilder::max_header_bytes).
    #[serde(default)]
    pub max_header_bytes: Option<usize>,
    /// [`token_source`](crate::JwtStrategyBuilder::token_source): `"authorization"`
    /// (the default), `"header:NAME"` or `"cookie:NAME"`.
    #[serde(default)]
    pub token_source: Option<crate::TokenSource>,
    /// [`jwks_config`](crate::JwtStrategyBuilder::jwks_config). 0.2: `jwks`.
    #[serde(default, alias = "jwks")]
    pub jwks_config: Option<JwksSettings>,
    /// [`limits`](crate::JwtStrategyBuilder::limits).
    #[serde(default)]
    pub limits: Option<LimitsSettings>,
    /// [`token_cache`](crate::JwtStrategyBuilder::token_cache).
    #[serde(default)]
    pub token_cache: Option<TokenCacheSettings>,
    /// [`scopes_claim`](crate::JwtStrategyBuilder::scopes_claim), each in order.
    /// 0.2: `scopes_claims`.
    #[serde(default, alias = "scopes_claims")]
    pub scopes_claim: OneOrMany,
    /// [`roles_claim`](crate::JwtStrategyBuilder::roles_claim), each in order.
    /// 0.2: `roles_claims`.
    #[serde(default, alias = "roles_claims")]
    pub roles_claim: OneOrMany,
    /// [`require_claim`](crate::JwtStrategyBuilder::require_claim), each.
    /// 0.2: `require_claims`.
    #[serde(default, alias = "require_claims")]
    pub require_claim: OneOrMany,
    /// [`claim_one_of`](crate::JwtStrategyBuilder::claim_one_of), claim by claim:
    /// `{ token_use = "access", client_id = ["a", "b"] }`.
    #[serde(default)]
    pub claim_one_of: BTreeMap<String, OneOrMany>,
    /// [`authorized_parties`](crate::JwtStrategyBuilder::authorized_parties).
    #[serde(default)]
    pub authorized_parties: OneOrMany,
    /// [`access_token_profile`](crate::JwtStrategyBuilder::access_token_profile).
    #[serde(default)]
    pub access_token_profile: bool,
    /// [`dpop`](crate::JwtStrategyBuilder::dpop).
    #[serde(default)]
    pub dpop: Option<DpopSettings>,
    /// [`protected_resource`](crate::JwtStrategyBuilder::protected_resource).
    #[serde(default)]
    pub protected_resource: Option<ProtectedResourceSettings>,
    /// [`mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens):
    /// `{ required = false, trust_client_cert_header = false }`.
    #[serde(default)]
    pub mtls_bound_tokens: Option<MtlsSettings>,
    /// [`dangerous_accept_unverified_cnf`](crate::JwtStrategyBuilder::dangerous_accept_unverified_cnf).
    #[serde(default)]
    pub dangerous_accept_unverified_cnf: bool,
    /// [`status_list`](crate::JwtStrategyBuilder::status_list).
    #[serde(default)]
    pub status_list: Option<StatusListSettings>,
    /// [`scope_rule`](crate::JwtStrategyBuilder::scope_rule): `"exact"` (the default),
    /// `"wildcard"` or `"wildcard_with_star"` (a custom rule is code, not configuration).
    #[serde(default, deserialize_with = "scope_rule")]
    pub scope_rule: Option<ScopeRuleName>,
}

/// The built-in [`ScopeRule`](crate::authz::ScopeRule)s by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeRuleName {
    /// [`ScopeRule::exact`](crate::authz::ScopeRule::exact).
    Exact,
    /// [`ScopeRule::wildcard`](crate::authz::ScopeRule::wildcard).
    Wildcard,
    /// [`ScopeRule::wildcard_with_star`](crate::authz::ScopeRule::wildcard_with_star).
    WildcardWithStar,
}

impl ScopeRuleName {
    const NAMES: [&str; 3] = ["exact", "wildcard", "wildcard_with_star"];

    /// The rule of this name.
    pub fn rule(self) -> crate::authz::ScopeRule {
        match self {
            Self::Exact => crate::authz::ScopeRule::exact(),
            Self::Wildcard => crate::authz::ScopeRule::wildcard(),
            Self::WildcardWithStar => crate::authz::ScopeRule::wildcard_with_star(),
        }
    }
}

/// `"exact"`, `"wildcard"` or `"wildcard_with_star"`.
fn scope_rule<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ScopeRuleName>, D::Error> {
    struct RuleVisitor;

    impl Visitor<'_> for RuleVisitor {
        type Value = ScopeRuleName;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("\"exact\", \"wildcard\" or \"wildcard_with_star\"")
        }

        fn visit_str<E: de::Error>(self, name: &str) -> Result<ScopeRuleName, E> {
            match name {
                "exact" => Ok(ScopeRuleName::Exact),
                "wildcard" => Ok(ScopeRuleName::Wildcard),
                "wildcard_with_star" => Ok(ScopeRuleName::WildcardWithStar),
                other => Err(E::custom(format!(
                    "unknown scope rule {other:?}{}; expected \"exact\", \"wildcard\" or \"wildcard_with_star\"",
                    suggest::did_you_mean(other, ScopeRuleName::NAMES)
                ))),
            }
        }
    }

    d.deserialize_any(RuleVisitor).map(Some)
}

/// The 0.2 key names still read, with the name to write now (kept out of suggestions).
pub(crate) const OLD_NAMES: [(&str, &str); 7] = [
    ("issuer_jwks_uri", "issuer_with_jwks_uri"),
    ("jwks", "jwks_config"),
    ("scopes_claims", "scopes_claim"),
    ("roles_claims", "roles_claim"),
    ("require_claims", "require_claim"),
    ("external_origin", "external_origins"),
    ("authorization_servers", "authorization_server"),
];

/// An algorithm list, with "did you mean" for a misspelt name.
fn algorithms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Algorithm>>, D::Error> {
    struct AlgorithmsVisitor;

    impl<'de> Visitor<'de> for AlgorithmsVisitor {
        type Value = Vec<Algorithm>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of algorithm names, such as [\"RS256\", \"ES256\"]")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut list = Vec::new();
            while let Some(Text(name)) = seq.next_element::<Text>()? {
                list.push(algorithm(&name).map_err(de::Error::custom)?);
            }
            Ok(list)
        }
    }

    d.deserialize_any(AlgorithmsVisitor).map(Some)
}

/// One algorithm by its exact name.
fn algorithm(name: &str) -> Result<Algorithm, String> {
    name.parse().map_err(|_| {
        let names = Algorithm::ALL.map(|a| a.as_str());
        format!(
            "unknown algorithm {name:?}{} (known: {})",
            suggest::did_you_mean(name, names),
            names.join(", ")
        )
    })
}

/// `"allowed"` or `"required"`.
fn dpop_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DpopMode>, D::Error> {
    struct ModeVisitor;

    impl Visitor<'_> for ModeVisitor {
        type Value = DpopMode;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("\"allowed\" or \"required\"")
        }

        fn visit_str<E: de::Error>(self, mode: &str) -> Result<DpopMode, E> {
            match mode {
                "allowed" => Ok(DpopMode::Allowed),
                "required" => Ok(DpopMode::Required),
                other => Err(E::custom(format!(
                    "unknown mode {other:?}{}; expected \"allowed\" or \"required\"",
                    suggest::did_you_mean(other, ["allowed", "required"])
                ))),
            }
        }
    }

    d.deserialize_any(ModeVisitor).map(Some)
}

/// A table of strings: "expected a table of strings".
fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    struct MapVisitor;

    impl<'de> Visitor<'de> for MapVisitor {
        type Value = BTreeMap<String, String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table of strings, such as { \"https://issuer\" = \"https://keys\" }")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, Text(value))) = map.next_entry::<String, Text>()? {
                out.insert(key, value);
            }
            Ok(out)
        }
    }

    d.deserialize_any(MapVisitor)
}

/// One [`KeyMaterial`] table or a list of them.
fn key_materials<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<KeyMaterial>, D::Error> {
    struct TablesVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for TablesVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(
                "a table such as { file = \"path\" } or { env = \"VARIABLE\" }, or a list of them",
            )
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(|one| vec![one])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut many = Vec::new();
            while let Some(one) = seq.next_element()? {
                many.push(one);
            }
            Ok(many)
        }
    }

    d.deserialize_any(TablesVisitor(PhantomData))
}
