//! Building strategies from the file forms: each key handed to the builder method of the
//! same name, in the order the builder documents; an error names the key at fault.

use crate::algorithm::Algorithm;
use crate::cache::TokenCacheConfig;
use crate::config_error::ConfigError;
use crate::dpop::{DpopConfig, DpopMode, InMemoryReplayStore};
use crate::jwks::JwksConfig;
use crate::resource_metadata::ProtectedResource;
use crate::strategy::{JwtStrategy, JwtStrategyBuilder};
use crate::verify::Limits;

use super::forms::{
    DpopSettings, KeyMaterial, MtlsSettings, ProtectedResourceSettings, StrategyConfig,
};

/// An error about one key of a strategy (the strategy's name is filled in by the file).
fn field(field: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidConfig {
        strategy: String::new(),
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// The key of a list entry: `rsa_pem`, or `rsa_pem[1]` when there are several.
fn entry(key: &str, index: usize, count: usize) -> String {
    if count > 1 {
        format!("{key}[{index}]")
    } else {
        key.to_owned()
    }
}

impl KeyMaterial {
    /// The key's bytes, from exactly one of `file`, `env` and `text` (`text` refused for a
    /// secret). Messages never quote what was read.
    pub(crate) fn read(&self, secret: bool) -> Result<Vec<u8>, String> {
        match (&self.file, &self.env, &self.text) {
            (Some(path), None, None) => {
                std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
            }
            (None, Some(var), None) => std::env::var(var)
                .map(String::into_bytes)
                .map_err(|_| format!("the environment variable {var} is not set")),
            (None, None, Some(_)) if secret => Err(
                "a secret is never written in the configuration: use { env = \"VARIABLE\" } \
                 or { file = \"path\" }"
                    .into(),
            ),
            (None, None, Some(text)) => Ok(text.clone().into_bytes()),
            (None, None, None) => Err("say where the key is: `file`, `env` or `text`".into()),
            _ => Err("give one of `file`, `env` and `text`, not several".into()),
        }
    }
}

impl ProtectedResourceSettings {
    /// The resource metadata these settings describe.
    pub fn build(&self) -> Result<ProtectedResource, ConfigError> {
        let mut b = ProtectedResource::builder(&self.resource);
        if let Some(name) = &self.name {
            b = b.name(name);
        }
        if let Some(url) = &self.documentation {
            b = b.documentation(url);
        }
        if let Some(url) = &self.policy_uri {
            b = b.policy_uri(url);
        }
        if let Some(url) = &self.tos_uri {
            b = b.tos_uri(url);
        }
        b = b.scopes(self.scopes.values());
        if let Some(algs) = &self.resource_signing_algs {
            b = b.resource_signing_algs(algs.iter().copied());
        }
        for server in self.authorization_server.values() {
            b = b.authorization_server(server);
        }
        b.build()
            .map_err(|e| field("protected_resource.resource", e.to_string()))
    }
}

impl MtlsSettings {
    /// The [`MtlsConfig`](crate::mtls::MtlsConfig) these settings describe.
    pub fn config(&self) -> crate::mtls::MtlsConfig {
        let config = if self.required {
            crate::mtls::MtlsConfig::required()
        } else {
            crate::mtls::MtlsConfig::allowed()
        };
        if self.trust_client_cert_header {
            config.trust_client_cert_header()
        } else {
            config
        }
    }
}

impl DpopSettings {
    /// The [`DpopConfig`] these settings describe; reads the nonce secret.
    pub fn config(&self) -> Result<DpopConfig, ConfigError> {
        let mut c = match self.mode {
            Some(DpopMode::Required) => DpopConfig::required(),
            _ => DpopConfig::allowed(),
        };
        if let Some(algorithms) = &self.algorithms {
            c = c.algorithms(algorithms.iter().copied());
        }
        if let Some(max_age) = self.max_age {
            c = c.max_age(max_age);
        }
        if let Some(leeway) = self.leeway {
            c = c.leeway(leeway);
        }
        c = c.external_origins(self.external_origins.values());
        if let Some(nonce) = &self.require_nonce {
            let secret = nonce
                .secret
                .read(true)
                .map_err(|reason| field("dpop.require_nonce.secret", reason))?;
            c = c.require_nonce(&secret, nonce.rotate_every);
        }
        if let Some(store) = &self.replay_store {
            c = c.replay_store(InMemoryReplayStore::new(store.capacity));
        }
        Ok(c)
    }
}

impl StrategyConfig {
    /// The resource metadata of `protected_resource`, if any. Build it once and hand it to
    /// [`builder_for`](Self::builder_for) to keep the handle that serves the document.
    pub fn protected_resource(&self) -> Result<Option<ProtectedResource>, ConfigError> {
        self.protected_resource
            .as_ref()
            .map(ProtectedResourceSettings::build)
            .transpose()
    }

    /// The builder this configuration describes, to add what only code can (a tenant
    /// predicate, a claims check, a shared DPoP replay store). Reads the key files and the
    /// secrets' variables.
    pub fn builder(&self) -> Result<JwtStrategyBuilder, ConfigError> {
        let resource = self.protected_resource()?;
        self.builder_for(resource.as_ref())
    }

    /// [`builder`](Self::builder), guarding `resource` (built from `protected_resource`,
    /// or shared with other strategies) instead of building the file's own.
    pub fn builder_for(
        &self,
        resource: Option<&ProtectedResource>,
    ) -> Result<JwtStrategyBuilder, ConfigError> {
        let mut b = JwtStrategy::builder();
        for issuer in self.issuer.values() {
            b = b.issuer(issuer);
        }
        for (issuer, uri) in &self.issuer_with_jwks_uri {
            b = b.issuer_with_jwks_uri(issuer, uri);
        }
        if !self.tenants.is_empty() {
            b = b.tenants(self.tenants.values());
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
        if let Some(uri) = &self.jwks_uri {
            b = b.jwks_uri(uri);
        }
        if self.discover {
            b = b.discover();
        }
        b = self.pin_keys(b)?;
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
        if let Some(source) = &self.token_source {
            b = b.token_source(source.clone());
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
        if let Some(j) = &self.jwks_config {
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
        for path in self.scopes_claim.values() {
            b = b.scopes_claim(path);
        }
        for path in self.roles_claim.values() {
            b = b.roles_claim(path);
        }
        for claim in self.require_claim.values() {
            b = b.require_claim(claim);
        }
        for (claim, values) in &self.claim_one_of {
            b = b.claim_one_of(claim, values.values());
        }
        if !self.authorized_parties.is_empty() {
            b = b.authorized_parties(self.authorized_parties.values());
        }
        if self.access_token_profile {
            b = b.access_token_profile();
        }
        if let Some(dpop) = &self.dpop {
            b = b.dpop(dpop.config()?);
        }
        if let Some(resource) = resource {
            b = b.protected_resource(resource);
        }
        if let Some(mtls) = &self.mtls_bound_tokens {
            b = b.mtls_bound_tokens(mtls.config());
        }
        if self.dangerous_accept_unverified_cnf {
            b = b.dangerous_accept_unverified_cnf();
        }
        if let Some(rule) = self.scope_rule {
            b = b.scope_rule(rule.rule());
        }
        if let Some(s) = &self.status_list {
            b = b.status_list(s.config());
        }
        Ok(b)
    }

    /// Builds the strategy; an error names the key concerned.
    pub fn build(&self) -> Result<JwtStrategy, ConfigError> {
        self.builder()?.build().map_err(|e| self.located(e))
    }

    /// [`build`](Self::build) guarding `resource`, as [`builder_for`](Self::builder_for).
    pub fn build_for(
        &self,
        resource: Option<&ProtectedResource>,
    ) -> Result<JwtStrategy, ConfigError> {
        self.builder_for(resource)?
            .build()
            .map_err(|e| self.located(e))
    }

    /// A builder error as an error of the key that caused it.
    fn located(&self, error: ConfigError) -> ConfigError {
        if let ConfigError::InvalidConfig { .. } = error {
            return error;
        }
        let key = match &error {
            ConfigError::InvalidClaimPath { path } => {
                let has = |list: &super::forms::OneOrMany| list.values().contains(&path.as_str());
                if has(&self.scopes_claim) {
                    "scopes_claim"
                } else if has(&self.require_claim) {
                    "require_claim"
                } else if self.claim_one_of.contains_key(path) {
                    "claim_one_of"
                } else {
                    "roles_claim"
                }
            }
            other => key_of(other),
        };
        field(key, error.to_string())
    }

    /// Pins the keys of `jwks_json`, `jwk_json`, `rsa_pem`, `ec_pem`, `ed_pem`,
    /// `hmac_secret` and their 0.2 forms, each error naming its key.
    fn pin_keys(&self, mut b: JwtStrategyBuilder) -> Result<JwtStrategyBuilder, ConfigError> {
        let checked = |b: &mut JwtStrategyBuilder, key: &str| {
            b.take_error()
                .map_or(Ok(()), |e| Err(field(key, e.to_string())))
        };
        for (name, list) in [("jwks_json", &self.jwks_json), ("jwk_json", &self.jwk_json)] {
            for (i, material) in list.iter().enumerate() {
                let key = entry(name, i, list.len());
                if material.kid.is_some() {
                    return Err(field(
                        &key,
                        "`kid` is for PEM keys and secrets; a JWK names its own",
                    ));
                }
                let json = material.read(false).map_err(|r| field(&key, r))?;
                b = if name == "jwks_json" {
                    b.jwks_json(&json)
                } else {
                    b.jwk_json(&json)
                };
                checked(&mut b, &key)?;
            }
        }
        if let Some(path) = &self.jwks_file {
            let json = std::fs::read(path)
                .map_err(|e| field("jwks_file", format!("cannot read {path}: {e}")))?;
            b = b.jwks_json(&json);
            checked(&mut b, "jwks_file")?;
        }
        for (name, list) in [
            ("rsa_pem", &self.rsa_pem),
            ("ec_pem", &self.ec_pem),
            ("ed_pem", &self.ed_pem),
        ] {
            for (i, material) in list.iter().enumerate() {
                let key = entry(name, i, list.len());
                let pem = material.read(false).map_err(|r| field(&key, r))?;
                let kid = material.kid.as_deref();
                b = match name {
                    "rsa_pem" => b.rsa_pem(&pem, kid),
                    "ec_pem" => b.ec_pem(&pem, kid),
                    _ => b.ed_pem(&pem, kid),
                };
                checked(&mut b, &key)?;
            }
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
            checked(&mut b, "pem_keys")?;
        }
        for (i, material) in self.hmac_secret.iter().enumerate() {
            let key = entry("hmac_secret", i, self.hmac_secret.len());
            let secret = material.read(true).map_err(|r| field(&key, r))?;
            b = self.pin_hmac(b, &key, &secret, material.kid.as_deref())?;
        }
        if let Some(var) = &self.hmac_secret_env {
            let secret = std::env::var(var).map_err(|_| {
                field(
                    "hmac_secret_env",
                    format!("the environment variable {var} is not set"),
                )
            })?;
            b = self.pin_hmac(b, "hmac_secret_env", secret.as_bytes(), None)?;
        }
        Ok(b)
    }

    /// Pins a secret, checked here so that a secret too short (for every `HS*` algorithm,
    /// or for the ones allowed) is an error of its key. The secret is never quoted.
    fn pin_hmac(
        &self,
        mut b: JwtStrategyBuilder,
        key: &str,
        secret: &[u8],
        kid: Option<&str>,
    ) -> Result<JwtStrategyBuilder, ConfigError> {
        b = b.hmac_secret(secret, kid);
        b.take_error()
            .map_or(Ok(()), |e| Err(field(key, e.to_string())))?;
        let allowed = self.algorithms.as_deref().unwrap_or(&[Algorithm::RS256]);
        jsonwebtoken::DecodingKey::from_secret(secret)
            .map_err(|e| format!("the secret does not parse: {e}"))
            .and_then(|k| crate::jwks::static_entry(k, crate::jwks::PemKind::Hmac, None))
            .map_err(|reason| field(key, reason))
            .and_then(|entry| {
                crate::jwks::check_pinned_hmac(&entry, allowed)
                    .map_err(|e| field(key, e.to_string()))
            })?;
        Ok(b)
    }
}

impl super::forms::StatusListSettings {
    /// The [`StatusListConfig`](crate::status_list::StatusListConfig) of these settings.
    fn config(&self) -> crate::status_list::StatusListConfig {
        use super::forms::StatusListModeName;
        use crate::status_list::{StatusListConfig, StatusListMode};
        let mut config = StatusListConfig::check();
        config.mode = match self.mode {
            Some(StatusListModeName::Required) => StatusListMode::Required,
            Some(StatusListModeName::Check) | None => StatusListMode::Check,
        };
        set(&mut config.max_list_bytes, self.max_list_bytes);
        set(&mut config.max_token_bytes, self.max_token_bytes);
        set(&mut config.timeout, self.timeout);
        set(&mut config.default_ttl, self.default_ttl);
        set(&mut config.min_ttl, self.min_ttl);
        set(&mut config.max_ttl, self.max_ttl);
        set(&mut config.stale_for, self.stale_for);
        set(&mut config.failure_backoff, self.failure_backoff);
        set(&mut config.max_lists, self.max_lists);
        set(&mut config.max_bytes, self.max_bytes);
        for origin in self.allow_origin.values() {
            config = config.allow_origin(origin);
        }
        for value in &self.accept_status {
            config = config.accept_status(*value);
        }
        if self.dangerous_allow_http {
            config = config.dangerous_allow_http();
        }
        if self.dangerous_accept_unavailable {
            config = config.dangerous_accept_unavailable();
        }
        config
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// The configuration key a builder error is about (`""` when it is about no one key).
fn key_of(error: &ConfigError) -> &'static str {
    match error {
        ConfigError::MissingIssuer | ConfigError::InvalidIssuer { .. } => "issuer",
        ConfigError::NoAlgorithms | ConfigError::MixedAlgorithms => "algorithms",
        ConfigError::HmacWithoutSecret => "hmac_secret",
        ConfigError::ConflictingKeySources { .. } => "jwks_uri",
        ConfigError::InvalidUrl { .. } | ConfigError::InsecureUrl { .. } => "jwks_uri",
        ConfigError::InvalidDpop { .. } => "dpop",
        ConfigError::InvalidOption { option, .. } => option,
        _ => "",
    }
}
