//! [`JwtStrategyBuilder::build`], in named steps: the issuers, the algorithms, the claim
//! paths, the bounds, the keys, the challenges. Each step checks one concern and reports
//! the first mistake as a [`ConfigError`]; no step does network I/O.

use std::sync::Arc;

use super::builder::{JwtStrategyBuilder, KeySource};
use super::jwt::JwtStrategy;
use super::jwt::{Announce, JwtInner, Keys};
use crate::algorithm::Algorithm;
use crate::cache::TokenCache;
use crate::challenge::ChallengeParams;
use crate::config_error::ConfigError;
use crate::dpop::{Dpop, DpopConfig};
use crate::extract::Reader;
use crate::issuers::{DEFAULT_MAX_TENANTS, Issuers, IssuersConfig, KeyRule, TENANT};
use crate::jwks::{JwksClient, KeySet};
use crate::status_list::StatusLists;
use crate::time::Clock;
use crate::verify::{ClaimRules, Limits};

/// What the issuers of a builder come to: the first (the claim rules' issuer), every
/// name, and whether requests are routed by issuer (several, a tenant pattern, or a key
/// URL of its own).
struct IssuerPlan {
    first: String,
    names: Vec<String>,
    routed: bool,
}

impl JwtStrategyBuilder {
    /// Checks the configuration and builds the strategy. No network I/O happens here;
    /// call [`JwksClient::warm_up`] through [`JwtStrategy::jwks`] to fetch keys early.
    pub fn build(mut self) -> Result<JwtStrategy, ConfigError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let issuers = self.check_issuers()?;
        let algorithms = self.check_algorithms()?;
        self.check_bounds()?;
        let claims = std::mem::take(&mut self.claims).check()?;
        let rules = ClaimRules {
            issuer: issuers.first.clone(),
            audiences: claims.audiences,
            leeway: claims.leeway,
            require_exp: self.require_exp.unwrap_or(true),
        };
        let keys = self.keys(&issuers, &algorithms, &rules)?;
        let clock = match &keys {
            Keys::Remote(client) => client.clock(),
            Keys::Static(_) | Keys::Issuers(_) => Arc::new(Clock::default()),
        };
        let status = self
            .status_list
            .take()
            .map(|config| StatusLists::new(config, algorithms.clone(), Arc::clone(&clock)))
            .transpose()?;
        let dpop = self.dpop.take().map(DpopConfig::build).transpose()?;
        let reader = self.token_reader(dpop.is_some())?;
        let challenge = self.challenge(dpop.as_ref());
        // What the resource's document learns when the strategy is registered: every
        // issuer it accepts (tenant patterns as written), with the DPoP settings.
        let announce = self.resource.clone().map(|resource| Announce {
            resource,
            issuers: issuers.names.clone(),
            dpop: dpop
                .as_ref()
                .map(|d| (d.algorithms().to_vec(), d.required())),
            scope_rule: self.scope_rule.clone(),
            mtls: self.mtls.is_some(),
        });
        let max_header_bytes = claims.max_header_bytes;
        let limits = self.limits.unwrap_or(Limits {
            max_token_bytes: max_header_bytes,
            ..Limits::default()
        });
        Ok(JwtStrategy {
            inner: Arc::new(JwtInner {
                keys,
                algorithms,
                rules,
                claim_rules: self.claim_rules,
                limits,
                max_header_bytes,
                reader,
                cache: self
                    .token_cache
                    .map(|config| TokenCache::new(config, Arc::clone(&clock))),
                clock,
                claim_paths: Arc::new(claims.claim_paths),
                label: std::sync::OnceLock::new(),
                dpop,
                challenge,
                resource: self.resource.map(|r| r.resource().to_owned()),
                announce,
                accept_unverified_cnf: claims.accept_unverified_cnf,
                scope_rule: crate::authz::erased(&self.scope_rule),
                mtls: self.mtls,
                status,
            }),
        })
    }

    /// The token source, its name checked; the `Authorization` header with DPoP, whose
    /// `DPoP` scheme lives there.
    fn token_reader(&mut self, dpop: bool) -> Result<Reader, ConfigError> {
        let source = self.token_source.take().unwrap_or_default();
        let invalid = |reason| ConfigError::InvalidOption {
            option: "token_source",
            reason,
        };
        if dpop && !source.is_authorization() {
            return Err(invalid(format!(
                "DPoP tokens come in the Authorization header (`Authorization: DPoP …`): \
                 a strategy with dpop reads the Authorization header, not the {source}"
            )));
        }
        Reader::new(&source).map_err(invalid)
    }

    /// At least one issuer, each a valid one; tenants only with a tenant pattern.
    fn check_issuers(&self) -> Result<IssuerPlan, ConfigError> {
        let Some((first, _)) = self.issuers.first() else {
            return Err(ConfigError::MissingIssuer);
        };
        for (issuer, _) in &self.issuers {
            crate::issuers::check_issuer(issuer)?;
        }
        let patterns = self.issuers.iter().any(|(i, _)| i.contains(TENANT));
        if self.tenants.is_set() && !patterns {
            return Err(ConfigError::InvalidOption {
                option: "tenants",
                reason: "tenants are accepted only by a tenant pattern (an issuer with \
                         `{tenant}`), and no issuer is one"
                    .into(),
            });
        }
        Ok(IssuerPlan {
            first: first.clone(),
            names: self.issuers.iter().map(|(i, _)| i.clone()).collect(),
            routed: self.issuers.len() > 1 || self.issuers[0].1.is_some() || patterns,
        })
    }

    /// RS256 unless chosen; never none, never HMAC beside public-key algorithms, HMAC
    /// only with a pinned secret.
    fn check_algorithms(&mut self) -> Result<Vec<Algorithm>, ConfigError> {
        let algorithms = self
            .algorithms
            .take()
            .unwrap_or_else(|| vec![Algorithm::RS256]);
        if algorithms.is_empty() {
            return Err(ConfigError::NoAlgorithms);
        }
        let symmetric = algorithms.iter().any(|a| a.is_hmac());
        let asymmetric = algorithms.iter().any(|a| !a.is_hmac());
        if symmetric && asymmetric {
            return Err(ConfigError::MixedAlgorithms);
        }
        if symmetric && !matches!(self.source, Some(KeySource::Pinned(_))) {
            return Err(ConfigError::HmacWithoutSecret);
        }
        Ok(algorithms)
    }

    /// The RFC 9068 profile has an audience; the new-tenant budget allows something. (The
    /// leeway's bound is [`ClaimOptions::check`](crate::claim_options::ClaimOptions::check)'s,
    /// shared with introspection.)
    fn check_bounds(&self) -> Result<(), ConfigError> {
        if self.claim_rules.is_access_token_profile() && !self.claims.has_audience() {
            return Err(ConfigError::InvalidOption {
                option: "access_token_profile",
                reason: "the RFC 9068 profile needs an audience (RFC 9068 §4): set audience(...)"
                    .into(),
            });
        }
        let new_tenants = self.new_tenant_budget.unwrap_or_default();
        if new_tenants.count == 0 || new_tenants.per.is_zero() {
            return Err(ConfigError::InvalidOption {
                option: "new_tenant_budget",
                reason: "the budget must allow at least one engine in a window of more than \
                         zero"
                    .into(),
            });
        }
        Ok(())
    }

    /// The one key source: pinned keys, a key engine (URL, discovery or LoopBack's
    /// default), or, when routed, the issuers with theirs.
    fn keys(
        &mut self,
        issuers: &IssuerPlan,
        algorithms: &[Algorithm],
        rules: &ClaimRules,
    ) -> Result<Keys, ConfigError> {
        let jwks_config = self.jwks_config.clone();
        let pinned = |entries: Vec<Arc<crate::jwks::KeyEntry>>| {
            for entry in &entries {
                crate::jwks::check_pinned_hmac(entry, algorithms)?;
            }
            KeySet::pinned(entries)
        };
        Ok(match self.source.take() {
            Some(KeySource::Url(url)) if url.contains(TENANT) && !issuers.routed => {
                return Err(ConfigError::InvalidUrl {
                    url,
                    reason: "it has a {tenant} placeholder but the issuer is not a tenant \
                             pattern"
                        .into(),
                });
            }
            source if issuers.routed => {
                let rule = match source {
                    Some(KeySource::Pinned(entries)) => KeyRule::Pinned(Arc::new(pinned(entries)?)),
                    Some(KeySource::Discover) => KeyRule::Discover,
                    Some(KeySource::Url(url)) => KeyRule::Url(url),
                    None => KeyRule::Default,
                };
                Keys::Issuers(Box::new(Issuers::new(IssuersConfig {
                    issuers: std::mem::take(&mut self.issuers)
                        .into_iter()
                        .map(|(issuer, url)| {
                            (issuer, url.map_or_else(|| rule.clone(), KeyRule::Url))
                        })
                        .collect(),
                    tenants: std::mem::take(&mut self.tenants),
                    tenant_claim: self
                        .tenant_claim
                        .take()
                        .unwrap_or_else(|| Some("tid".into())),
                    max_tenants: self.max_tenants.unwrap_or(DEFAULT_MAX_TENANTS),
                    new_tenants: self.new_tenant_budget.unwrap_or_default(),
                    rules: rules.clone(),
                    jwks_config,
                })?))
            }
            Some(KeySource::Pinned(entries)) => Keys::Static(Arc::new(pinned(entries)?)),
            Some(KeySource::Discover) => {
                Keys::Remote(JwksClient::discover(&rules.issuer, jwks_config)?)
            }
            Some(KeySource::Url(url)) => Keys::Remote(JwksClient::new(&url, jwks_config)?),
            None => Keys::Remote(JwksClient::default_for(&rules.issuer, jwks_config)?),
        })
    }

    /// What the strategy adds to its challenges (DPoP, resource metadata).
    fn challenge(&self, dpop: Option<&Dpop>) -> Option<Arc<ChallengeParams>> {
        (dpop.is_some() || self.resource.is_some()).then(|| {
            Arc::new(ChallengeParams {
                dpop: dpop.map(Dpop::challenge),
                resource_metadata: self.resource.as_ref().map(|r| r.metadata_url().to_owned()),
            })
        })
    }
}
