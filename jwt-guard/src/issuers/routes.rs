//! The routes of a strategy with several issuers or tenant patterns: each issuer, exact
//! or a pattern, to its keys.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;
use crate::error::{Error, ErrorKind, TokenError};
use crate::jwks::{JwksClient, JwksConfig, KeyEntry, KeySet, default_jwks_url};
use crate::verify::ClaimRules;

use super::peek::peek_issuer;
use super::tenants::{
    Bucket, MAX_TENANT_CHARS, TENANT, TenantBudget, TenantFilter, url_stays_in_frame,
};

/// Where a route's keys are.
#[derive(Clone)]
pub(crate) enum RouteKeys {
    Static(Arc<KeySet>),
    Remote(JwksClient),
}

impl RouteKeys {
    pub(crate) async fn key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<KeyEntry>, Error> {
        match self {
            Self::Static(set) => Ok(Arc::clone(set.find(kid, alg)?)),
            Self::Remote(client) => client.key(kid, alg).await,
        }
    }

    pub(crate) fn holds(&self, key: &std::sync::Weak<KeyEntry>, now: std::time::Instant) -> bool {
        match self {
            Self::Static(set) => set.contains(key),
            Self::Remote(client) => client.holds(key, now),
        }
    }
}

/// One issuer (or one tenant of a pattern): its keys and its claim rules.
pub(crate) struct Route {
    pub(crate) keys: RouteKeys,
    pub(crate) rules: ClaimRules,
    /// The tenant of a pattern's issuer, cross-checked against the tenant claim.
    tenant: Option<Box<str>>,
}

/// How the keys of an issuer are found, decided at build time.
#[derive(Clone)]
pub(crate) enum KeyRule {
    /// Pinned keys, shared by every issuer of the strategy.
    Pinned(Arc<KeySet>),
    /// A JWK Set URL; with `{tenant}`, one per tenant.
    Url(String),
    /// Discovery from the issuer (each tenant's own).
    Discover,
    /// LoopBack's rule, `ISSUER/.well-known/jwks.json`, per issuer.
    Default,
}

/// An issuer as configured: exact, or a pattern with one `{tenant}`.
struct Pattern {
    source: String,
    prefix: String,
    suffix: String,
    keys: KeyRule,
    /// The URL a tenant's keys are fetched from, or discovered from, with `{tenant}`:
    /// each tenant's is checked against it ([`url_stays_in_frame`]) before any fetch.
    /// `None` when the keys are pinned or at one URL.
    frame: Option<String>,
}

impl Pattern {
    /// The template of the URL that depends on the tenant under `rule`, if any.
    fn frame_of(source: &str, rule: &KeyRule) -> Option<String> {
        match rule {
            KeyRule::Pinned(_) => None,
            KeyRule::Url(url) => url.contains(TENANT).then(|| url.clone()),
            // The discovery document is at a fixed path under the tenant's issuer.
            KeyRule::Discover => Some(source.to_owned()),
            KeyRule::Default => Some(default_jwks_url(source)),
        }
    }
}

impl Pattern {
    /// The tenant `iss` names, if it has this pattern's shape: one non-empty path
    /// segment of `[A-Za-z0-9._-]`, at most 128 characters, and not a dot segment (`.`
    /// or `..`, which a URL resolves to the segment itself or its parent).
    fn tenant_of<'i>(&self, iss: &'i str) -> Option<&'i str> {
        let tenant = iss.strip_prefix(&self.prefix)?.strip_suffix(&self.suffix)?;
        let ok = !tenant.is_empty()
            && tenant != "."
            && tenant != ".."
            && tenant.len() <= MAX_TENANT_CHARS
            && tenant
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        ok.then_some(tenant)
    }
}

/// The issuers of a strategy with more than one issuer or any tenant pattern.
pub(crate) struct Issuers {
    exact: HashMap<String, Arc<Route>>,
    patterns: Vec<Pattern>,
    tenants: TenantFilter,
    tenant_claim: Option<String>,
    /// Tenant routes, by their `iss`; bounded.
    engines: quick_cache::sync::Cache<String, Arc<Route>>,
    /// The rate at which engines that fetch are made for unseen tenants.
    new_tenants: Bucket,
    /// The claim rules of every route, the issuer filled in per route.
    rules: ClaimRules,
    jwks_config: JwksConfig,
    http: Option<reqwest::Client>,
    /// Engines by URL, shared by the issuers whose keys are at one URL.
    shared_urls: HashMap<String, JwksClient>,
}

/// What [`Issuers::new`] needs.
pub(crate) struct IssuersConfig {
    /// Each issuer or pattern, with its own key rule.
    pub(crate) issuers: Vec<(String, KeyRule)>,
    pub(crate) tenants: TenantFilter,
    pub(crate) tenant_claim: Option<String>,
    pub(crate) max_tenants: usize,
    pub(crate) new_tenants: TenantBudget,
    pub(crate) rules: ClaimRules,
    pub(crate) jwks_config: JwksConfig,
}

impl fmt::Debug for Issuers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut exact: Vec<&String> = self.exact.keys().collect();
        exact.sort();
        f.debug_struct("Issuers")
            .field("exact", &exact)
            .field(
                "patterns",
                &self.patterns.iter().map(|p| &p.source).collect::<Vec<_>>(),
            )
            .field("tenant_engines", &self.engines.len())
            .finish_non_exhaustive()
    }
}

/// Checks one configured issuer: `{`/`}` only as one `{tenant}` placeholder.
pub(crate) fn check_issuer(issuer: &str) -> Result<bool, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidIssuer {
        issuer: issuer.to_owned(),
        reason: reason.to_owned(),
    };
    if issuer.is_empty() {
        return Err(invalid("it is empty"));
    }
    let braces = issuer.matches(['{', '}']).count();
    if braces == 0 {
        return Ok(false);
    }
    if braces == 2 && issuer.matches(TENANT).count() == 1 {
        return Ok(true);
    }
    Err(invalid(
        "braces are allowed only as one `{tenant}` placeholder (a tenant pattern); \
         `{tenantid}` or another name is not one",
    ))
}

impl Issuers {
    /// Builds every exact issuer's engine (no I/O) and checks the patterns.
    pub(crate) fn new(config: IssuersConfig) -> Result<Self, ConfigError> {
        let mut issuers = Issuers {
            exact: HashMap::new(),
            patterns: Vec::new(),
            tenants: config.tenants,
            tenant_claim: config.tenant_claim,
            engines: quick_cache::sync::Cache::new(config.max_tenants.max(1)),
            new_tenants: Bucket::new(config.new_tenants),
            rules: config.rules,
            jwks_config: config.jwks_config,
            http: None,
            shared_urls: HashMap::new(),
        };
        let mut has_pattern = false;
        for (issuer, rule) in config.issuers {
            if check_issuer(&issuer)? {
                has_pattern = true;
                let (prefix, suffix) = issuer.split_once(TENANT).unwrap_or((&issuer, ""));
                let pattern = Pattern {
                    prefix: prefix.to_owned(),
                    suffix: suffix.to_owned(),
                    frame: Pattern::frame_of(&issuer, &rule),
                    keys: rule,
                    source: issuer.clone(),
                };
                // A sample tenant checks the key rule now (URL syntax, transport), and
                // that a tenant's URL can be checked against the template.
                let sample = pattern.source.replace(TENANT, "tenant");
                issuers.route_keys(&sample, "tenant", &pattern.keys)?;
                if let Some(frame) = &pattern.frame
                    && !url_stays_in_frame(frame, "tenant")
                {
                    return Err(ConfigError::InvalidUrl {
                        url: frame.clone(),
                        reason: "the {tenant} placeholder must be in the path, the query or \
                                 the host's first label of a URL without user or fragment"
                            .into(),
                    });
                }
                issuers.patterns.push(pattern);
            } else {
                if let KeyRule::Url(url) = &rule
                    && url.contains(TENANT)
                {
                    return Err(ConfigError::InvalidUrl {
                        url: url.clone(),
                        reason: format!(
                            "it has a {TENANT} placeholder but the issuer {issuer:?} is not a \
                             tenant pattern"
                        ),
                    });
                }
                let keys = issuers.route_keys(&issuer, "", &rule)?;
                let route = Route {
                    keys,
                    rules: ClaimRules {
                        issuer: issuer.clone(),
                        ..issuers.rules.clone()
                    },
                    tenant: None,
                };
                issuers.exact.insert(issuer, Arc::new(route));
            }
        }
        if has_pattern && !issuers.tenants.is_set() {
            return Err(ConfigError::InvalidIssuer {
                issuer: issuers
                    .patterns
                    .first()
                    .map(|p| p.source.clone())
                    .unwrap_or_default(),
                reason: "a tenant pattern needs the tenants it accepts: `tenants([...])` or \
                         `tenant_predicate(...)`"
                    .into(),
            });
        }
        Ok(issuers)
    }

    /// The keys of `issuer` (of `tenant`, for a pattern) under `rule`. An engine at a URL
    /// another issuer uses already is shared; every engine shares one HTTP client.
    fn route_keys(
        &mut self,
        issuer: &str,
        tenant: &str,
        rule: &KeyRule,
    ) -> Result<RouteKeys, ConfigError> {
        let url = match rule {
            KeyRule::Pinned(set) => return Ok(RouteKeys::Static(Arc::clone(set))),
            KeyRule::Url(url) if !url.contains(TENANT) => {
                if let Some(client) = self.shared_urls.get(url) {
                    return Ok(RouteKeys::Remote(client.clone()));
                }
                let client =
                    JwksClient::shared(Some(url), issuer, self.jwks_config.clone(), self.http()?)?;
                self.shared_urls.insert(url.clone(), client.clone());
                return Ok(RouteKeys::Remote(client));
            }
            KeyRule::Url(template) => Some(template.replace(TENANT, tenant)),
            KeyRule::Discover => None,
            KeyRule::Default => Some(default_jwks_url(issuer)),
        };
        let client = JwksClient::shared(
            url.as_deref(),
            issuer,
            self.jwks_config.clone(),
            self.http()?,
        )?;
        Ok(RouteKeys::Remote(client))
    }

    fn http(&mut self) -> Result<reqwest::Client, ConfigError> {
        match &self.http {
            Some(http) => Ok(http.clone()),
            None => {
                let http = JwksClient::http_client(&self.jwks_config)?;
                self.http = Some(http.clone());
                Ok(http)
            }
        }
    }

    /// The route of an unverified payload's `iss`: an exact issuer, or an allowed
    /// tenant's (its engine made on first use). Anything else is refused before any key
    /// is looked up.
    pub(crate) fn route(&self, payload: &str) -> Result<Arc<Route>, Error> {
        let iss = peek_issuer(payload)?;
        if let Some(route) = self.exact.get(&iss) {
            return Ok(Arc::clone(route));
        }
        let Some((pattern, tenant)) = self
            .patterns
            .iter()
            .find_map(|p| p.tenant_of(&iss).map(|t| (p, t)))
        else {
            return Err(TokenError::InvalidIssuer.into());
        };
        if !self.tenants.allows(tenant) {
            return Err(TokenError::InvalidIssuer.into());
        }
        self.engines.get_or_insert_with(&iss, || {
            self.tenant_route(&iss, tenant, pattern).map(Arc::new)
        })
    }

    fn tenant_route(&self, iss: &str, tenant: &str, pattern: &Pattern) -> Result<Route, Error> {
        let keys = match &pattern.keys {
            KeyRule::Pinned(set) => RouteKeys::Static(Arc::clone(set)),
            KeyRule::Url(url) if !url.contains(TENANT) => self
                .shared_urls
                .get(url)
                .cloned()
                .map(RouteKeys::Remote)
                .ok_or(TokenError::InvalidIssuer)?,
            rule => {
                let url = match rule {
                    KeyRule::Url(template) => Some(template.replace(TENANT, tenant)),
                    KeyRule::Default => Some(default_jwks_url(iss)),
                    _ => None,
                };
                // The URL this tenant's keys come from stays where the template points.
                if !pattern
                    .frame
                    .as_deref()
                    .is_some_and(|frame| url_stays_in_frame(frame, tenant))
                {
                    tracing::warn!(
                        tenant = %crate::text::bounded(tenant),
                        "a tenant's key URL leaves its template; refused"
                    );
                    return Err(TokenError::InvalidIssuer.into());
                }
                let http = self.http.clone().ok_or(TokenError::InvalidIssuer)?;
                // An engine that fetches, for a tenant not held: within the budget only.
                if let Err(retry_after) = self.new_tenants.take(Instant::now()) {
                    return Err(Error::new(ErrorKind::KeysUnavailable {
                        retry_after: retry_after.max(Duration::from_secs(1)),
                        detail: "new tenants arrive faster than the budget of new tenant \
                                 key engines (new_tenant_budget)"
                            .into(),
                    }));
                }
                // Checked with a sample tenant at build time; a tenant is plain URL text.
                let client =
                    JwksClient::shared(url.as_deref(), iss, self.jwks_config.clone(), http)
                        .map_err(|e| {
                            tracing::warn!(
                                tenant = %crate::text::bounded(tenant),
                                error = %e,
                                "cannot make a tenant's key engine"
                            );
                            TokenError::InvalidIssuer
                        })?;
                RouteKeys::Remote(client)
            }
        };
        Ok(Route {
            keys,
            rules: ClaimRules {
                issuer: iss.to_owned(),
                ..self.rules.clone()
            },
            tenant: Some(tenant.into()),
        })
    }

    /// The route already held for a verified `iss`, without making one (for cache hits).
    pub(crate) fn held(&self, iss: &str) -> Option<Arc<Route>> {
        self.exact
            .get(iss)
            .cloned()
            .or_else(|| self.engines.peek(iss))
    }

    /// After the signature: a tenant's token must name its tenant in the tenant claim.
    pub(crate) fn check_tenant(
        &self,
        route: &Route,
        claims: &crate::claims::ClaimsMap,
    ) -> Result<(), TokenError> {
        let (Some(tenant), Some(claim)) = (&route.tenant, &self.tenant_claim) else {
            return Ok(());
        };
        match claims.get(claim) {
            Some(serde_json::Value::String(tid)) if **tid == **tenant => Ok(()),
            _ => Err(TokenError::InvalidIssuer),
        }
    }

    /// Tenant engines held now.
    pub(crate) fn tenant_engines(&self) -> usize {
        self.engines.len()
    }

    /// Every engine held: the exact issuers' (shared ones once) and the tenants'.
    pub(crate) fn engines(&self) -> Vec<JwksClient> {
        let mut seen: Vec<JwksClient> = Vec::new();
        let exact = self.exact.values().cloned();
        let tenants = self.engines.iter().map(|(_, route)| route);
        for route in exact.chain(tenants) {
            if let RouteKeys::Remote(client) = &route.keys
                && !seen.iter().any(|c| c.same(client))
            {
                seen.push(client.clone());
            }
        }
        seen
    }

    /// The configured issuers and patterns, for `Debug`.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.exact.keys().cloned().collect();
        names.sort();
        names.extend(self.patterns.iter().map(|p| p.source.clone()));
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn payload(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn peek_reads_iss_alone() {
        assert_eq!(
            peek_issuer(&payload(r#"{"a":[1,{"iss":"x"}],"iss":"https://i"}"#)),
            Ok("https://i".to_owned())
        );
        assert_eq!(
            peek_issuer(&payload(r#"{"sub":"a"}"#)),
            Err(TokenError::InvalidIssuer)
        );
        assert_eq!(
            peek_issuer(&payload(r#"{"iss":7}"#)),
            Err(TokenError::InvalidIssuer)
        );
        // Any repeated name at the top level, `iss` or not, escaped or not.
        for json in [
            r#"{"iss":"a","iss":"b"}"#,
            r#"{"iss":"a","iss":"a"}"#,
            r#"{"iss":"a","\u0069ss":"b"}"#,
            r#"{"iss":"a","sub":"x","sub":"y"}"#,
            r#"{"sub":1,"sub":2}"#,
        ] {
            assert_eq!(
                peek_issuer(&payload(json)),
                Err(TokenError::Malformed),
                "{json}"
            );
        }
        // The same name in two nested objects is not a repeat.
        assert_eq!(
            peek_issuer(&payload(
                r#"{"a":{"iss":1},"b":{"iss":2},"iss":"https://i"}"#
            )),
            Ok("https://i".to_owned())
        );
        assert_eq!(peek_issuer("!!"), Err(TokenError::Malformed));
        assert_eq!(peek_issuer(&payload("[1]")), Err(TokenError::Malformed));
    }

    #[test]
    fn issuer_braces() {
        assert_eq!(check_issuer("https://a").ok(), Some(false));
        assert_eq!(
            check_issuer("https://login.example/{tenant}/v2.0").ok(),
            Some(true)
        );
        for bad in [
            "https://login.example/{tenantid}/v2.0",
            "https://login.example/{tenant}/{tenant}",
            "https://login.example/{tenant",
            "https://login.example/}{",
            "",
        ] {
            assert!(check_issuer(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tenant_shape() {
        let p = Pattern {
            source: "https://l/{tenant}/v2.0".into(),
            prefix: "https://l/".into(),
            suffix: "/v2.0".into(),
            keys: KeyRule::Default,
            frame: None,
        };
        assert_eq!(p.tenant_of("https://l/abc-1/v2.0"), Some("abc-1"));
        for bad in [
            "https://l//v2.0",
            "https://l/a/b/v2.0",
            "https://l/a%2fb/v2.0",
            "https://l/a?b/v2.0",
            "https://l/abc/v1.0",
            "http://l/abc/v2.0",
            "https://l/./v2.0",
            "https://l/../v2.0",
        ] {
            assert_eq!(p.tenant_of(bad), None, "{bad}");
        }
        assert_eq!(
            p.tenant_of(&format!("https://l/{}/v2.0", "a".repeat(129))),
            None
        );
        assert_eq!(p.tenant_of("https://l/.../v2.0"), Some("..."));
        assert_eq!(p.tenant_of("https://l/.a/v2.0"), Some(".a"));
    }

    #[test]
    fn tenant_urls_stay_in_their_frame() {
        let path = "https://keys.example:8443/t/{tenant}/keys";
        for good in ["abc", "a.b", "...", "A-1_b"] {
            assert!(url_stays_in_frame(path, good), "{good}");
        }
        for bad in [".", "..", "", "x/../..", "%2e%2e"] {
            assert!(!url_stays_in_frame(path, bad), "{bad}");
        }
        assert!(!url_stays_in_frame(path, "a?x"));
        assert!(!url_stays_in_frame(path, "a#x"));
        let query = "https://keys.example/keys?tenant={tenant}";
        assert!(url_stays_in_frame(query, "abc"));
        assert!(!url_stays_in_frame(query, "a#b"));
        let discovery = "https://login.example/{tenant}/v2.0";
        assert!(url_stays_in_frame(discovery, "abc"));
        assert!(!url_stays_in_frame(discovery, ".."));
        assert!(!url_stays_in_frame(discovery, "."));
        let host = "https://{tenant}.login.example/keys";
        assert!(url_stays_in_frame(host, "abc"));
        assert!(!url_stays_in_frame(host, "abc.evil.example/x"));
        assert!(!url_stays_in_frame("no placeholder", "abc"));
    }

    #[test]
    fn the_budget_refills_evenly() {
        let bucket = Bucket::new(TenantBudget {
            count: 2,
            per: Duration::from_secs(10),
        });
        let t0 = Instant::now();
        assert!(bucket.take(t0).is_ok());
        assert!(bucket.take(t0).is_ok());
        let wait = bucket.take(t0).unwrap_err();
        assert!(
            wait > Duration::from_secs(4) && wait <= Duration::from_secs(5),
            "{wait:?}"
        );
        assert!(bucket.take(t0 + Duration::from_secs(4)).is_err());
        assert!(bucket.take(t0 + Duration::from_secs(5)).is_ok());
        // Never more than `count` at once, however long it was idle.
        let later = t0 + Duration::from_secs(3600);
        assert!(bucket.take(later).is_ok());
        assert!(bucket.take(later).is_ok());
        assert!(bucket.take(later).is_err());
    }
}
