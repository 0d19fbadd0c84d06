//! Strategies from configuration: [`StrategyConfig`] (serde) holds every option of
//! [`JwtStrategyBuilder`] but the two closures, and [`ConfigFile`] reads several named
//! strategies from one TOML file. Durations are written humanely (`"10m"`, `"1h30m"`,
//! `"500ms"`, or a number of seconds). A bad file is a start-up error that names the
//! strategy and the field.
//!
//! ```toml
//! [strategies.jwt]
//! issuer = ["https://accounts.google.com", "accounts.google.com"]
//! jwks_uri = "https://www.googleapis.com/oauth2/v3/certs"
//! audience = "1234-example.apps.googleusercontent.com"
//! leeway = "30s"
//!
//! [strategies.keycloak]
//! issuer = "https://sso.example/realms/shop"
//! discover = true
//! authorized_parties = ["shop-frontend"]
//! roles_claims = ["realm_access.roles", "resource_access.shop-api.roles"]
//! jwks = { default_max_age = "5m", timeout = "3s" }
//! token_cache = { max_entries = 5000, max_age = "2m" }
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
//!     [strategies.jwt]
//!     issuer = "https://issuer.example"
//!     leeway = "five seconds"
//! "#).unwrap_err();
//! assert!(e.to_string().starts_with(r#"strategy "jwt", field "leeway""#), "{e}");
//! # Ok(()) }
//! ```
//!
//! A tenant predicate or a custom claims check are code: take the builder from
//! [`StrategyConfig::builder`] and add them.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::algorithm::Algorithm;
use crate::cache::TokenCacheConfig;
use crate::config_error::ConfigError;
use crate::jwks::JwksConfig;
use crate::registry::Registry;
use crate::strategy::{JwtStrategy, JwtStrategyBuilder};
use crate::verify::Limits;

/// One value or a list, as in `issuer = "a"` or `issuer = ["a", "b"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum OneOrMany {
    /// Nothing configured.
    #[default]
    #[serde(skip)]
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
}

/// A pinned key in PEM form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// Settings of the key engine, as in [`JwksConfig`]; each absent field keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// [`JwksConfig::dangerous_allow_http`].
    #[serde(default)]
    pub dangerous_allow_http: bool,
}

/// Settings of the verified-token cache, as in [`TokenCacheConfig`]; each absent field
/// keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
#[allow(missing_docs)]
pub struct TokenCacheSettings {
    pub max_entries: Option<usize>,
    pub max_bytes: Option<u64>,
    #[serde(default, with = "humane")]
    pub max_age: Option<Duration>,
    pub max_token_bytes: Option<usize>,
}

/// The rate of new tenant engines, as in
/// [`new_tenant_budget`](JwtStrategyBuilder::new_tenant_budget); both fields required.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TenantBudgetSettings {
    /// Engines made at once at most.
    pub count: u32,
    /// The time over which `count` engines are allowed again.
    #[serde(with = "humane_required")]
    pub per: Duration,
}

/// A required humane duration (see [`humane`]).
mod humane_required {
    use std::time::Duration;

    use serde::{Deserializer, de::Error as _};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        super::humane::deserialize(d)?.ok_or_else(|| D::Error::custom("a duration is required"))
    }
}

/// Size caps, as in [`Limits`]; each absent field keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
#[allow(missing_docs)]
pub struct LimitsSettings {
    pub max_token_bytes: Option<usize>,
    pub max_header_bytes: Option<usize>,
    pub max_payload_bytes: Option<usize>,
}

/// A [`JwtStrategy`] as configuration: each field is the builder method of the same name
/// (see [`JwtStrategyBuilder`] for what it does and its default). Unknown fields are
/// refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StrategyConfig {
    /// [`issuer`](JwtStrategyBuilder::issuer): one or several (tenant patterns too).
    #[serde(default)]
    pub issuer: OneOrMany,
    /// [`issuer_with_jwks_uri`](JwtStrategyBuilder::issuer_with_jwks_uri): issuers with
    /// a key URL of their own.
    #[serde(default)]
    pub issuer_jwks_uri: BTreeMap<String, String>,
    /// [`jwks_uri`](JwtStrategyBuilder::jwks_uri).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// [`discover`](JwtStrategyBuilder::discover).
    #[serde(default)]
    pub discover: bool,
    /// [`jwks_json`](JwtStrategyBuilder::jwks_json), read from this file.
    #[serde(default)]
    pub jwks_file: Option<String>,
    /// [`rsa_pem`](JwtStrategyBuilder::rsa_pem), [`ec_pem`](JwtStrategyBuilder::ec_pem),
    /// [`ed_pem`](JwtStrategyBuilder::ed_pem), read from files.
    #[serde(default)]
    pub pem_keys: Vec<PemKey>,
    /// [`hmac_secret`](JwtStrategyBuilder::hmac_secret), read from this environment
    /// variable (never written in the file).
    #[serde(default)]
    pub hmac_secret_env: Option<String>,
    /// [`algorithms`](JwtStrategyBuilder::algorithms).
    #[serde(default)]
    pub algorithms: Option<Vec<Algorithm>>,
    /// [`audience`](JwtStrategyBuilder::audience): one or several.
    #[serde(default)]
    pub audience: OneOrMany,
    /// [`leeway`](JwtStrategyBuilder::leeway).
    #[serde(default, with = "humane")]
    pub leeway: Option<Duration>,
    /// [`require_exp`](JwtStrategyBuilder::require_exp).
    #[serde(default)]
    pub require_exp: Option<bool>,
    /// [`max_header_bytes`](JwtStrategyBuilder::max_header_bytes).
    #[serde(default)]
    pub max_header_bytes: Option<usize>,
    /// [`limits`](JwtStrategyBuilder::limits).
    #[serde(default)]
    pub limits: Option<LimitsSettings>,
    /// [`jwks_config`](JwtStrategyBuilder::jwks_config).
    #[serde(default)]
    pub jwks: Option<JwksSettings>,
    /// [`token_cache`](JwtStrategyBuilder::token_cache).
    #[serde(default)]
    pub token_cache: Option<TokenCacheSettings>,
    /// [`scopes_claim`](JwtStrategyBuilder::scopes_claim), each in order.
    #[serde(default)]
    pub scopes_claims: Vec<String>,
    /// [`roles_claim`](JwtStrategyBuilder::roles_claim), each in order.
    #[serde(default)]
    pub roles_claims: Vec<String>,
    /// [`tenants`](JwtStrategyBuilder::tenants).
    #[serde(default)]
    pub tenants: Vec<String>,
    /// [`tenant_claim`](JwtStrategyBuilder::tenant_claim); `""` turns the check off.
    #[serde(default)]
    pub tenant_claim: Option<String>,
    /// [`max_tenants`](JwtStrategyBuilder::max_tenants).
    #[serde(default)]
    pub max_tenants: Option<usize>,
    /// [`new_tenant_budget`](JwtStrategyBuilder::new_tenant_budget):
    /// `{ count = 60, per = "1m" }`.
    #[serde(default)]
    pub new_tenant_budget: Option<TenantBudgetSettings>,
    /// [`require_claim`](JwtStrategyBuilder::require_claim), each.
    #[serde(default)]
    pub require_claims: Vec<String>,
    /// [`claim_one_of`](JwtStrategyBuilder::claim_one_of), claim by claim.
    #[serde(default)]
    pub claim_one_of: BTreeMap<String, Vec<String>>,
    /// [`authorized_parties`](JwtStrategyBuilder::authorized_parties).
    #[serde(default)]
    pub authorized_parties: Vec<String>,
    /// [`access_token_profile`](JwtStrategyBuilder::access_token_profile).
    #[serde(default)]
    pub access_token_profile: bool,
}

impl StrategyConfig {
    /// The builder this configuration describes, to add what only code can (a tenant
    /// predicate, a claims check). Reads the key files and the secret's variable.
    pub fn builder(&self) -> Result<JwtStrategyBuilder, ConfigError> {
        let field = |field: &str, reason: String| ConfigError::InvalidConfig {
            strategy: String::new(),
            field: field.to_owned(),
            reason,
        };
        let mut b = JwtStrategy::builder();
        for issuer in self.issuer.values() {
            b = b.issuer(issuer);
        }
        for (issuer, uri) in &self.issuer_jwks_uri {
            b = b.issuer_with_jwks_uri(issuer, uri);
        }
        if let Some(uri) = &self.jwks_uri {
            b = b.jwks_uri(uri);
        }
        if self.discover {
            b = b.discover();
        }
        if let Some(path) = &self.jwks_file {
            let json = std::fs::read(path)
                .map_err(|e| field("jwks_file", format!("cannot read {path}: {e}")))?;
            b = b.jwks_json(&json);
            b.take_error()
                .map_or(Ok(()), |e| Err(field("jwks_file", e.to_string())))?;
        }
        for key in &self.pem_keys {
            let pem = std::fs::read(&key.file)
                .map_err(|e| field("pem_keys", format!("cannot read {}: {e}", key.file)))?;
            let kid = key.kid.as_deref();
            b = match key.kind.as_str() {
                "rsa" => b.rsa_pem(&pem, kid),
                "ec" => b.ec_pem(&pem, kid),
                "ed" => b.ed_pem(&pem, kid),
                other => {
                    return Err(field(
                        "pem_keys",
                        format!("kind {other:?} is none of \"rsa\", \"ec\", \"ed\""),
                    ));
                }
            };
            b.take_error()
                .map_or(Ok(()), |e| Err(field("pem_keys", e.to_string())))?;
        }
        if let Some(var) = &self.hmac_secret_env {
            let secret = std::env::var(var).map_err(|_| {
                field(
                    "hmac_secret_env",
                    format!("the environment variable {var} is not set"),
                )
            })?;
            // Checked here, so that a secret too short (for every `HS*` algorithm, or
            // for the ones allowed) is an error of this field, not of `pem_keys`.
            b = b.hmac_secret(secret.as_bytes(), None);
            b.take_error()
                .map_or(Ok(()), |e| Err(field("hmac_secret_env", e.to_string())))?;
            let allowed = self.algorithms.as_deref().unwrap_or(&[Algorithm::RS256]);
            jsonwebtoken::DecodingKey::from_secret(secret.as_bytes())
                .map_err(|e| format!("the secret does not parse: {e}"))
                .and_then(|key| crate::jwks::static_entry(key, crate::jwks::PemKind::Hmac, None))
                .map_err(|reason| field("hmac_secret_env", reason))
                .and_then(|entry| {
                    crate::jwks::check_pinned_hmac(&entry, allowed)
                        .map_err(|e| field("hmac_secret_env", e.to_string()))
                })?;
        }
        if let Some(algorithms) = &self.algorithms {
            b = b.algorithms(algorithms.iter().copied());
        }
        for audience in self.audience.values() {
            b = b.audience(audience);
        }
        if let Some(leeway) = self.leeway {
            b = b.leeway(leeway);
        }
        if let Some(required) = self.require_exp {
            b = b.require_exp(required);
        }
        if let Some(bytes) = self.max_header_bytes {
            b = b.max_header_bytes(bytes);
        }
        if let Some(l) = &self.limits {
            let mut limits = Limits::default();
            if let Some(bytes) = self.max_header_bytes {
                limits.max_token_bytes = bytes;
            }
            set(&mut limits.max_token_bytes, l.max_token_bytes);
            set(&mut limits.max_header_bytes, l.max_header_bytes);
            set(&mut limits.max_payload_bytes, l.max_payload_bytes);
            b = b.limits(limits);
        }
        if let Some(j) = &self.jwks {
            let mut config = JwksConfig::default();
            set(&mut config.timeout, j.timeout);
            set(&mut config.max_body_bytes, j.max_body_bytes);
            set(&mut config.max_keys, j.max_keys);
            set(&mut config.max_redirects, j.max_redirects);
            set(&mut config.default_max_age, j.default_max_age);
            set(&mut config.min_max_age, j.min_max_age);
            set(&mut config.max_max_age, j.max_max_age);
            set(&mut config.unknown_kid_cooldown, j.unknown_kid_cooldown);
            set(&mut config.stale_for, j.stale_for);
            set(&mut config.failure_backoff, j.failure_backoff);
            if j.dangerous_allow_http {
                config = config.dangerous_allow_http();
            }
            b = b.jwks_config(config);
        }
        if let Some(c) = &self.token_cache {
            let mut config = TokenCacheConfig::default();
            set(&mut config.max_entries, c.max_entries);
            set(&mut config.max_bytes, c.max_bytes);
            set(&mut config.max_age, c.max_age);
            set(&mut config.max_token_bytes, c.max_token_bytes);
            b = b.token_cache(config);
        }
        for path in &self.scopes_claims {
            b = b.scopes_claim(path);
        }
        for path in &self.roles_claims {
            b = b.roles_claim(path);
        }
        if !self.tenants.is_empty() {
            b = b.tenants(self.tenants.iter().cloned());
        }
        if let Some(claim) = &self.tenant_claim {
            b = b.tenant_claim(Some(claim.as_str()).filter(|c| !c.is_empty()));
        }
        if let Some(n) = self.max_tenants {
            b = b.max_tenants(n);
        }
        if let Some(budget) = &self.new_tenant_budget {
            b = b.new_tenant_budget(budget.count, budget.per);
        }
        for claim in &self.require_claims {
            b = b.require_claim(claim);
        }
        for (claim, values) in &self.claim_one_of {
            b = b.claim_one_of(claim, values.iter().cloned());
        }
        if !self.authorized_parties.is_empty() {
            b = b.authorized_parties(self.authorized_parties.iter().cloned());
        }
        if self.access_token_profile {
            b = b.access_token_profile();
        }
        Ok(b)
    }

    /// Builds the strategy; an error names the field concerned.
    pub fn build(&self) -> Result<JwtStrategy, ConfigError> {
        self.builder()?.build().map_err(|e| match e {
            ConfigError::InvalidConfig { .. } => e,
            other => ConfigError::InvalidConfig {
                strategy: String::new(),
                field: field_of(&other).to_owned(),
                reason: other.to_string(),
            },
        })
    }

    /// The strategy the example server's variables describe: `ISSUER` (several issuers
    /// comma-separated), `JWKS_URI`, `AUDIENCE` (comma-separated) and `ALGORITHMS`
    /// (comma-separated). `env` looks a variable up. `None` without `ISSUER`.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let list = |name: &str| -> Vec<String> {
            env(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let issuers = list("ISSUER");
        if issuers.is_empty() {
            return Ok(None);
        }
        let algorithms = list("ALGORITHMS")
            .iter()
            .map(|name| {
                name.parse::<Algorithm>()
                    .map_err(|_| ConfigError::InvalidConfig {
                        strategy: String::new(),
                        field: "ALGORITHMS".into(),
                        reason: format!("unknown algorithm {name:?} (use e.g. RS256,ES256)"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Self {
            issuer: OneOrMany::Many(issuers),
            jwks_uri: env("JWKS_URI").filter(|v| !v.is_empty()),
            audience: OneOrMany::Many(list("AUDIENCE")),
            algorithms: (!algorithms.is_empty()).then_some(algorithms),
            ..Self::default()
        }))
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// The configuration field a builder error is about.
fn field_of(error: &ConfigError) -> &'static str {
    match error {
        ConfigError::MissingIssuer | ConfigError::InvalidIssuer { .. } => "issuer",
        ConfigError::NoAlgorithms | ConfigError::MixedAlgorithms => "algorithms",
        ConfigError::HmacWithoutSecret => "hmac_secret_env",
        ConfigError::ConflictingKeySources { .. } => "jwks_uri",
        ConfigError::InvalidKey { .. } => "pem_keys",
        ConfigError::InvalidUrl { .. } | ConfigError::InsecureUrl { .. } => "jwks_uri",
        ConfigError::InvalidClaimPath { .. } => "roles_claims",
        ConfigError::InvalidOption { option, .. } => option,
        _ => "",
    }
}

/// Several named strategies, from one TOML file: a `[strategies.NAME]` table each.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConfigFile {
    /// The strategies by name, sorted.
    pub strategies: BTreeMap<String, StrategyConfig>,
}

impl ConfigFile {
    /// Reads a TOML file; see [`from_toml_str`](Self::from_toml_str).
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::InvalidConfig {
            strategy: String::new(),
            field: String::new(),
            reason: format!("cannot read {}: {e}", path.display()),
        })?;
        Self::from_toml_str(&text)
    }

    /// Parses TOML text. A field that is unknown or of the wrong form fails, naming the
    /// strategy and the field.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let whole = |reason: String| ConfigError::InvalidConfig {
            strategy: String::new(),
            field: String::new(),
            reason,
        };
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| whole(e.message().to_owned()))?;
        let strategies = match table.remove("strategies") {
            Some(toml::Value::Table(strategies)) => strategies,
            Some(_) => return Err(whole("`strategies` must be a table of tables".into())),
            None => return Err(whole("no [strategies.NAME] table".into())),
        };
        if let Some(key) = table.keys().next() {
            return Err(whole(format!("unknown top-level key {key:?}")));
        }
        let mut file = ConfigFile::default();
        for (name, value) in strategies {
            let toml::Value::Table(fields) = value else {
                return Err(ConfigError::InvalidConfig {
                    strategy: name,
                    field: String::new(),
                    reason: "must be a table".into(),
                });
            };
            let config = parse_strategy(&name, fields)?;
            file.strategies.insert(name, config);
        }
        Ok(file)
    }

    /// Builds every strategy, by name; the first error names its strategy.
    pub fn build_all(&self) -> Result<Vec<(String, JwtStrategy)>, ConfigError> {
        self.strategies
            .iter()
            .map(|(name, config)| {
                let strategy = config.build().map_err(|e| named(name, e))?;
                Ok((name.clone(), strategy))
            })
            .collect()
    }

    /// Builds every strategy and registers each under its name.
    pub fn register_all(&self, registry: &Registry) -> Result<(), ConfigError> {
        for (name, strategy) in self.build_all()? {
            registry.register(&name, strategy)?;
        }
        Ok(())
    }
}

/// The error with the strategy's name filled in.
fn named(name: &str, error: ConfigError) -> ConfigError {
    match error {
        ConfigError::InvalidConfig { field, reason, .. } => ConfigError::InvalidConfig {
            strategy: name.to_owned(),
            field,
            reason,
        },
        other => ConfigError::InvalidConfig {
            strategy: name.to_owned(),
            field: field_of(&other).to_owned(),
            reason: other.to_string(),
        },
    }
}

/// One strategy's table. On an error, each field is tried alone (every field is
/// optional), so the error names the field at fault.
fn parse_strategy(name: &str, fields: toml::Table) -> Result<StrategyConfig, ConfigError> {
    match StrategyConfig::deserialize(toml::Value::Table(fields.clone())) {
        Ok(config) => Ok(config),
        Err(whole) => {
            for (key, value) in fields {
                let mut alone = toml::Table::new();
                alone.insert(key.clone(), value);
                if let Err(e) = StrategyConfig::deserialize(toml::Value::Table(alone)) {
                    return Err(ConfigError::InvalidConfig {
                        strategy: name.to_owned(),
                        field: key,
                        reason: e.message().to_owned(),
                    });
                }
            }
            Err(ConfigError::InvalidConfig {
                strategy: name.to_owned(),
                field: String::new(),
                reason: whole.message().to_owned(),
            })
        }
    }
}

/// Durations written humanely: `"10m"`, `"1h30m"`, `"500ms"`, `"2d"`, or a number of
/// seconds (`30`, `0.5`).
pub mod humane {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    /// Parses `"1h30m"`-style text: numbers each followed by `ms`, `s`, `m`, `h` or `d`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use jwt_guard::config::humane::parse;
    ///
    /// assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
    /// assert_eq!(parse("1h 30m"), Ok(Duration::from_secs(5400)));
    /// assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
    /// assert!(parse("10").is_err(), "a unit is needed in text");
    /// assert!(parse("ten minutes").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Duration, String> {
        let bad = || {
            format!(
                "{text:?} is not a duration (write e.g. \"30s\", \"10m\", \"1h30m\", \"500ms\")"
            )
        };
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(bad());
        }
        let mut total = Duration::ZERO;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
            if digits == 0 {
                return Err(bad());
            }
            let value: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let unit = match &rest[..unit_len] {
                "ms" => Duration::from_millis(1),
                "s" => Duration::from_secs(1),
                "m" | "min" => Duration::from_secs(60),
                "h" => Duration::from_secs(3600),
                "d" => Duration::from_secs(86_400),
                _ => return Err(bad()),
            };
            let part = u32::try_from(value)
                .ok()
                .and_then(|v| unit.checked_mul(v))
                .ok_or_else(bad)?;
            total = total.checked_add(part).ok_or_else(bad)?;
            rest = rest[unit_len..].trim_start();
        }
        Ok(total)
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Seconds(u64),
        Fraction(f64),
    }

    /// Deserializes an optional humane duration (for `#[serde(with = "humane")]`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let raw = Option::<Raw>::deserialize(d)?;
        match raw {
            None => Ok(None),
            Some(Raw::Text(text)) => parse(&text).map(Some).map_err(serde::de::Error::custom),
            Some(Raw::Seconds(s)) => Ok(Some(Duration::from_secs(s))),
            Some(Raw::Fraction(f)) => Duration::try_from_secs_f64(f)
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("{f} is not a duration in seconds"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        ConfigFile::from_toml_str(text)
            .and_then(|f| f.build_all().map(|_| ()))
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn every_error_names_the_strategy_and_the_field() {
        let cases = [
            (
                "[strategies.a]\nissuer = \"https://i\"\nleeway = \"soon\"",
                r#"strategy "a", field "leeway""#,
            ),
            (
                "[strategies.a]\nissuer = \"https://i\"\nisuer = \"x\"",
                r#"strategy "a", field "isuer": unknown field"#,
            ),
            (
                "[strategies.a]\nissuer = \"https://i\"\njwks = { timeout = \"x\" }",
                r#"strategy "a", field "jwks""#,
            ),
            (
                "[strategies.b]\nissuer = \"https://i\"\nalgorithms = [\"none\"]",
                r#"strategy "b", field "algorithms""#,
            ),
            (
                "[strategies.c]\naudience = \"x\"",
                r#"strategy "c", field "issuer""#,
            ),
            (
                "[strategies.d]\nissuer = \"https://l/{tenantid}/v2.0\"",
                r#"strategy "d", field "issuer""#,
            ),
            (
                "[strategies.e]\nissuer = \"https://i\"\njwks_uri = \"http://keys.example/k\"",
                r#"strategy "e", field "jwks_uri""#,
            ),
            (
                "[strategies.f]\nissuer = \"https://i\"\naccess_token_profile = true",
                r#"strategy "f", field "access_token_profile""#,
            ),
            (
                "[strategies.l]\nissuer = \"https://i\"\nleeway = \"4294967295d\"",
                r#"strategy "l", field "leeway": leeway: "#,
            ),
            (
                "[strategies.l]\nissuer = \"https://i\"\nleeway = \"10m1s\"",
                r#"strategy "l", field "leeway""#,
            ),
            (
                "[strategies.t]\nissuer = \"https://l/{tenant}\"\ntenants = [\"a\"]\n\
                 new_tenant_budget = { count = 0, per = \"1m\" }",
                r#"strategy "t", field "new_tenant_budget""#,
            ),
            (
                "[strategies.t]\nissuer = \"https://i\"\nnew_tenant_budget = { count = 5 }",
                r#"strategy "t", field "new_tenant_budget""#,
            ),
            // Cargo sets CARGO_PKG_NAME for a test process: "jwt-guard", 9 bytes.
            (
                "[strategies.h]\nissuer = \"https://i\"\nalgorithms = [\"HS256\"]\n\
                 hmac_secret_env = \"CARGO_PKG_NAME\"",
                r#"strategy "h", field "hmac_secret_env""#,
            ),
            (
                "[other]\nx = 1",
                "invalid configuration: no [strategies.NAME] table",
            ),
            ("[strategies.a", "invalid configuration"),
        ];
        for (text, expected) in cases {
            let e = err(text);
            assert!(e.starts_with(expected), "{text}\n→ {e}");
            assert!(!e.contains("jwt-guard"), "the secret is quoted: {e}");
        }
        // The largest leeway builds.
        let most = "[strategies.l]\nissuer = \"https://i\"\nleeway = \"10m\"";
        assert!(
            ConfigFile::from_toml_str(most)
                .and_then(|f| f.build_all())
                .is_ok()
        );
    }

    #[test]
    fn every_field_reaches_the_builder() {
        let file = ConfigFile::from_toml_str(
            r#"
            [strategies.full]
            issuer = ["https://a.example", "https://login.example/{tenant}/v2.0"]
            issuer_jwks_uri = { "https://b.example" = "https://b.example/keys" }
            jwks_uri = "https://keys.example/jwks"
            algorithms = ["RS256", "ES512"]
            audience = ["api", "api2"]
            leeway = "1m30s"
            require_exp = false
            max_header_bytes = 20000
            limits = { max_payload_bytes = 12000 }
            jwks = { timeout = "2s", default_max_age = "5m", max_keys = 10, stale_for = 60 }
            token_cache = { max_entries = 10, max_age = "30s" }
            scopes_claims = ["scope", "permissions"]
            roles_claims = ["realm_access.roles"]
            tenants = ["t1"]
            tenant_claim = ""
            max_tenants = 4
            new_tenant_budget = { count = 5, per = "10s" }
            require_claims = ["sub"]
            claim_one_of = { token_use = ["access"] }
            authorized_parties = ["web"]
            access_token_profile = true
            "#,
        )
        .expect("parses");
        let full = &file.strategies["full"];
        assert_eq!(full.leeway, Some(Duration::from_secs(90)));
        let budget = full.new_tenant_budget.as_ref().expect("budget");
        assert_eq!((budget.count, budget.per), (5, Duration::from_secs(10)));
        let jwks = full.jwks.as_ref().expect("jwks");
        assert_eq!(jwks.stale_for, Some(Duration::from_secs(60)));
        assert_eq!(jwks.timeout, Some(Duration::from_secs(2)));
        let built = file.build_all().expect("builds");
        assert_eq!(built.len(), 1);
        let debug = format!("{:?}", built[0].1);
        assert!(debug.contains("https://b.example"), "{debug}");
    }

    #[test]
    fn environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(StrategyConfig::from_env(env(&[])).unwrap().is_none());
        let c = StrategyConfig::from_env(env(&[
            ("ISSUER", "https://accounts.google.com, accounts.google.com"),
            ("ALGORITHMS", "RS256,ES512"),
            ("AUDIENCE", "a,b"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            c.issuer.values(),
            ["https://accounts.google.com", "accounts.google.com"]
        );
        assert_eq!(c.algorithms, Some(vec![Algorithm::RS256, Algorithm::ES512]));
        assert_eq!(c.audience.values(), ["a", "b"]);
        assert!(
            StrategyConfig::from_env(env(&[("ISSUER", "https://i"), ("ALGORITHMS", "none")]))
                .is_err()
        );
    }

    #[test]
    fn humane_durations() {
        use humane::parse;
        assert_eq!(parse("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse("1h30m15s"), Ok(Duration::from_secs(5415)));
        for bad in ["", "m", "1x", "1.5h", "-1s", "99999999999s", "1h garbage"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
