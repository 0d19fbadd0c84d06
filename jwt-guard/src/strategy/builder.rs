//! The built-in strategy's configuration: [`JwtStrategyBuilder`] and the checks of
//! `build()`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::DecodingKey;

use crate::algorithm::Algorithm;
use crate::authz::ScopeRule;
use crate::cache::TokenCacheConfig;
use crate::claim_options::ClaimOptions;
use crate::config_error::ConfigError;
use crate::dpop::DpopConfig;
use crate::error::Error;
use crate::issuers::{TenantBudget, TenantFilter};
use crate::jwks::{JwksConfig, KeyEntry, KeySet, PemKind};
use crate::mtls::MtlsConfig;
use crate::resource_metadata::ProtectedResource;
use crate::rules::ClaimRuleSet;
use crate::status_list::StatusListConfig;
use crate::token_source::TokenSource;
use crate::verify::Limits;

/// Configuration of a [`JwtStrategy`](crate::JwtStrategy).
///
/// Every option and its default is in the table of the README's "Defaults" section; in
/// short: the issuer is required, keys come from `ISSUER/.well-known/jwks.json` unless
/// another source is chosen, RS256 only, `exp` required, no leeway, no audience check.
///
/// A strategy has **one key source**: [`jwks_uri`](Self::jwks_uri),
/// [`discover`](Self::discover), or pinned keys (any number of
/// [`jwks_json`](Self::jwks_json), [`jwk_json`](Self::jwk_json), [`rsa_pem`](Self::rsa_pem),
/// [`ec_pem`](Self::ec_pem), [`ed_pem`](Self::ed_pem), [`hmac_secret`](Self::hmac_secret)
/// calls, which add up). Choosing two is a [`ConfigError::ConflictingKeySources`]. A
/// mistake in any call is reported by [`build`](Self::build): the first one made.
#[derive(Default)]
#[must_use]
pub struct JwtStrategyBuilder {
    /// Each issuer (or tenant pattern), with its own key URL if one was given.
    pub(super) issuers: Vec<(String, Option<String>)>,
    pub(super) tenants: TenantFilter,
    pub(super) tenant_claim: Option<Option<String>>,
    pub(super) max_tenants: Option<usize>,
    pub(super) new_tenant_budget: Option<TenantBudget>,
    pub(super) source: Option<KeySource>,
    pub(super) error: Option<ConfigError>,
    pub(super) algorithms: Option<Vec<Algorithm>>,
    /// Audiences, leeway, claim paths, header cap, `cnf` policy: as introspection's.
    pub(super) claims: ClaimOptions,
    pub(super) require_exp: Option<bool>,
    pub(super) token_source: Option<TokenSource>,
    pub(super) jwks_config: JwksConfig,
    pub(super) token_cache: Option<TokenCacheConfig>,
    pub(super) limits: Option<Limits>,
    pub(super) claim_rules: ClaimRuleSet,
    pub(super) dpop: Option<DpopConfig>,
    pub(super) resource: Option<ProtectedResource>,
    pub(super) scope_rule: ScopeRule,
    pub(super) mtls: Option<MtlsConfig>,
    pub(super) status_list: Option<StatusListConfig>,
}

/// Where a strategy's keys come from; chosen once.
pub(super) enum KeySource {
    Url(String),
    Discover,
    Pinned(Vec<Arc<KeyEntry>>),
}

impl KeySource {
    fn name(&self) -> &'static str {
        match self {
            Self::Url(_) => "a JWKS URL (jwks_uri)",
            Self::Discover => "discovery (discover)",
            Self::Pinned(_) => "pinned keys",
        }
    }
}

impl fmt::Debug for JwtStrategyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtStrategyBuilder")
            .field("issuers", &self.issuers)
            .field("source", &self.source.as_ref().map(KeySource::name))
            .finish_non_exhaustive()
    }
}

impl JwtStrategyBuilder {
    /// An accepted `iss`, compared exactly (no case folding, no trailing-slash
    /// tolerance). Required; call again to accept several issuers (Google's
    /// `https://accounts.google.com` and `accounts.google.com`), each routed by the
    /// token's `iss`, read before the signature, to that issuer's keys alone: a token is
    /// never tried against another issuer's keys, and an `iss` not accepted is refused
    /// before any key is looked up (no fetch).
    ///
    /// With one `{tenant}` placeholder it is a **tenant pattern**
    /// (`https://login.microsoftonline.com/{tenant}/v2.0`): it needs
    /// [`tenants`](Self::tenants) or [`tenant_predicate`](Self::tenant_predicate), and the
    /// tenant claim is checked ([`tenant_claim`](Self::tenant_claim)). Any other brace, as
    /// in `{tenantid}`, fails [`build`](Self::build).
    ///
    /// The key source applies to each issuer: LoopBack's rule and
    /// [`discover`](Self::discover) per issuer (per tenant), a [`jwks_uri`](Self::jwks_uri)
    /// shared by all (per tenant when it holds `{tenant}`), pinned keys shared.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push((issuer.into(), None));
        self
    }

    /// An accepted issuer (or tenant pattern) whose keys are at `jwks_uri` (which may hold
    /// `{tenant}`), whatever the strategy's key source is.
    pub fn issuer_with_jwks_uri(
        mut self,
        issuer: impl Into<String>,
        jwks_uri: impl Into<String>,
    ) -> Self {
        self.issuers.push((issuer.into(), Some(jwks_uri.into())));
        self
    }

    /// Tenants a tenant pattern accepts (added to those of earlier calls). A tenant not
    /// accepted is refused before any key is looked up: no fetch, no engine.
    pub fn tenants<I>(mut self, tenants: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.tenants
            .list
            .extend(tenants.into_iter().map(Into::into));
        self
    }

    /// Accepts the tenants `predicate` returns true for (besides [`tenants`](Self::tenants)).
    /// `|_| true` accepts any tenant; each new one then costs an engine (bounded by
    /// [`max_tenants`](Self::max_tenants)) and, with a key URL per tenant, a fetch.
    pub fn tenant_predicate(
        mut self,
        predicate: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.tenants.predicate = Some(Arc::new(predicate));
        self
    }

    /// The claim that must name the tenant of a tenant pattern's `iss`. Defaults to
    /// `tid` (Entra ID); `None` turns the cross-check off.
    pub fn tenant_claim(mut self, claim: Option<&str>) -> Self {
        self.tenant_claim = Some(claim.map(str::to_owned));
        self
    }

    /// Most tenant routes (and their key engines) held at once; the least recently used
    /// goes first. Defaults to 256.
    pub fn max_tenants(mut self, tenants: usize) -> Self {
        self.max_tenants = Some(tenants);
        self
    }

    /// How fast key engines are made for tenants not held yet, when each tenant's keys
    /// are fetched (a key URL with `{tenant}`, [`discover`](Self::discover), or LoopBack's
    /// rule): at most `count` at once, `count` more per `per`, a token bucket. A tenant
    /// over the budget is answered 503 with `Retry-After` and costs no fetch; tenants
    /// held already are not affected. This is what bounds the fetches a flood of tokens
    /// naming new tenants can cause when [`tenant_predicate`](Self::tenant_predicate)
    /// accepts them. Defaults to 60 per minute; `count` 0 or `per` zero fails
    /// [`build`](Self::build).
    pub fn new_tenant_budget(mut self, count: u32, per: Duration) -> Self {
        self.new_tenant_budget = Some(TenantBudget { count, per });
        self
    }

    /// Where the JWK Set is. Defaults to `ISSUER/.well-known/jwks.json`, LoopBack's rule.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.choose(KeySource::Url(uri.into()));
        self
    }

    /// Finds the JWK Set URL in `ISSUER/.well-known/openid-configuration` (whose `issuer`
    /// must equal [`issuer`](Self::issuer)) instead of using LoopBack's rule.
    pub fn discover(mut self) -> Self {
        self.choose(KeySource::Discover);
        self
    }

    /// Pins the keys of a JWK Set document (`{"keys":[…]}`) instead of fetching keys.
    pub fn jwks_json(mut self, json: &[u8]) -> Self {
        match KeySet::from_jwks_json(json) {
            Ok(set) => self.pin(set.into_entries()),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Pins one key given as a JWK (JSON text).
    pub fn jwk_json(mut self, json: &[u8]) -> Self {
        match KeySet::from_jwk_json(json) {
            Ok(set) => self.pin(set.into_entries()),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Pins an RSA public key (PEM, PKCS#1 or SPKI), usable for RS* and PS*.
    pub fn rsa_pem(self, pem: &[u8], kid: Option<&str>) -> Self {
        self.pem(DecodingKey::from_rsa_pem(pem), PemKind::Rsa, kid)
    }

    /// Pins an EC public key (PEM, SPKI): P-256 for ES256, P-384 for ES384, P-521 for ES512.
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
            let key = self.next_key_name(kid);
            self.fail(ConfigError::InvalidKey {
                key,
                reason: "an HMAC secret must be at least 32 bytes".into(),
            });
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
            .map_err(|e| format!("the key does not parse: {e}"))
            .and_then(|key| crate::jwks::static_entry(key, kind, kid));
        match entry {
            Ok(entry) => self.pin(vec![Arc::new(entry)]),
            Err(reason) => {
                let key = self.next_key_name(kid);
                self.fail(ConfigError::InvalidKey { key, reason });
            }
        }
        self
    }

    /// `"kid"`, or its place among the pinned keys: how a key is named in errors.
    fn next_key_name(&self, kid: Option<&str>) -> String {
        match kid {
            Some(kid) => format!("{kid:?}"),
            None => {
                let pinned = match &self.source {
                    Some(KeySource::Pinned(keys)) => keys.len(),
                    _ => 0,
                };
                format!("#{} (no kid)", pinned + 1)
            }
        }
    }

    fn choose(&mut self, source: KeySource) {
        match &self.source {
            None => self.source = Some(source),
            Some(first) => {
                let error = ConfigError::ConflictingKeySources {
                    first: first.name(),
                    second: source.name(),
                };
                self.fail(error);
            }
        }
    }

    fn pin(&mut self, entries: Vec<Arc<KeyEntry>>) {
        match &mut self.source {
            Some(KeySource::Pinned(keys)) => keys.extend(entries),
            None => self.source = Some(KeySource::Pinned(entries)),
            Some(_) => self.choose(KeySource::Pinned(entries)),
        }
    }

    /// The first mistake made so far, taken out (for configuration files, which name
    /// the field that made it).
    #[cfg(feature = "config")]
    pub(crate) fn take_error(&mut self) -> Option<ConfigError> {
        self.error.take()
    }

    /// Keeps the first mistake: it is the one `build` reports.
    fn fail(&mut self, error: ConfigError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// The algorithm allow-list. Defaults to `[RS256]`. `none` does not exist here.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Requires `aud` to contain this audience (call again to accept several). Defaults to
    /// not checking `aud`, as LoopBack's strategy.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.claims.add_audience(audience.into());
        self
    }

    /// Clock tolerance for `exp` and `nbf`, to the nanosecond. Defaults to 0 s; at most
    /// [`MAX_LEEWAY`](crate::verify::MAX_LEEWAY) (10 minutes), else [`build`](Self::build)
    /// fails with [`ConfigError::InvalidOption`] naming `leeway`: a leeway of days would
    /// accept tokens that expired days ago.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.claims.set_leeway(leeway);
        self
    }

    /// Whether a token without `exp` is refused. Defaults to `true`.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = Some(required);
        self
    }

    /// Cap on the `Authorization` header (or the named header's or cookie's token, see
    /// [`token_source`](Self::token_source)), checked before anything is decoded. Defaults to
    /// 16 KiB ([`DEFAULT_MAX_HEADER_BYTES`](crate::extract::DEFAULT_MAX_HEADER_BYTES)).
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.claims.set_max_header_bytes(bytes);
        self
    }

    /// Where the token is read: the `Authorization` header (the default), a named header
    /// (`TokenSource::header("X-Access-Token")`, its value the bare token) or a named
    /// cookie (`TokenSource::cookie("__Host-access_token")`). Decided once, here: the
    /// request path matches on it. The `access_token` query parameter and the form body
    /// are never read, and a token in two places is refused with 400 `invalid_request`;
    /// see [`TokenSource`] for the rules and the CSRF advice for cookies. A strategy with
    /// [`dpop`](Self::dpop) reads the `Authorization` header (the `DPoP` scheme): another
    /// source fails [`build`](Self::build).
    ///
    /// ```
    /// use jwt_guard::{JwtStrategy, TokenSource};
    ///
    /// let strategy = JwtStrategy::builder()
    ///     .issuer("https://issuer.example")
    ///     .token_source(TokenSource::cookie("__Host-access_token"))
    ///     .build()?;
    /// # Ok::<(), jwt_guard::ConfigError>(())
    /// ```
    pub fn token_source(mut self, source: TokenSource) -> Self {
        self.token_source = Some(source);
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

    /// Reads the granted scopes at this claim path. The first call replaces the default
    /// paths (`scope`, `scp`); each further call adds a path, merged in order. Path syntax
    /// as in [`ClaimPaths`](crate::claims::ClaimPaths). Auth0's permissions beside the standard claims:
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// let strategy = jwt_guard::JwtStrategy::builder()
    ///     .issuer("https://tenant.auth0.example/")
    ///     .scopes_claim("scope")
    ///     .scopes_claim("permissions")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn scopes_claim(mut self, path: impl Into<String>) -> Self {
        self.claims.add_scopes_claim(path.into());
        self
    }

    /// Reads the caller's roles at this claim path. The first call replaces the default
    /// path (`roles`); each further call adds a path, merged in order — e.g. Keycloak's
    /// `realm_access.roles` and `resource_access.my-app.roles`.
    pub fn roles_claim(mut self, path: impl Into<String>) -> Self {
        self.claims.add_roles_claim(path.into());
        self
    }

    /// Refuses a token without this claim (or with it `null`). Call again for more.
    pub fn require_claim(mut self, claim: &str) -> Self {
        self.claim_rules.require(claim);
        self
    }

    /// Requires `claim` to be a string from `values` (calls for one claim add up):
    /// absent is "jwt CLAIM is required", another value "invalid CLAIM value", both 401.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// // Cognito access tokens of one app client: `client_id`, not `aud`, and `token_use`.
    /// let strategy = jwt_guard::JwtStrategy::builder()
    ///     .issuer("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf")
    ///     .claim_one_of("client_id", ["3n4b5urk1ft4fl3mg5e62d9ado"])
    ///     .claim_one_of("token_use", ["access"])
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn claim_one_of<I>(mut self, claim: &str, values: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.claim_rules
            .one_of(claim, values.into_iter().map(Into::into).collect());
        self
    }

    /// The `azp` (authorized party: the client the token was issued to, as Keycloak and
    /// OpenID Connect set it) must be one of `clients`. Same as
    /// [`claim_one_of`](Self::claim_one_of)`("azp", clients)`.
    pub fn authorized_parties<I>(self, clients: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.claim_one_of("azp", clients)
    }

    /// The RFC 9068 profile for JWT access tokens, opt-in: the header's `typ` must be
    /// `at+jwt` (or `application/at+jwt`), and `iss`, `exp`, `aud`, `sub`, `client_id`,
    /// `iat` and `jti` must be present. Needs an [`audience`](Self::audience) (RFC 9068
    /// §4: the resource server checks `aud`), else [`build`](Self::build) fails. This
    /// refuses ID tokens (`typ: JWT`) presented as access tokens.
    pub fn access_token_profile(mut self) -> Self {
        self.claim_rules.access_token_profile();
        self
    }

    /// A custom check over the verified claims, run after every other rule: return
    /// [`Error::unauthorized`] for a 401 or [`Error::forbidden`] for a 403. It must depend
    /// on the claims alone (a cached token is not checked again). Call again for more.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// use jwt_guard::Error;
    ///
    /// let strategy = jwt_guard::JwtStrategy::builder()
    ///     .issuer("https://issuer.example")
    ///     .claims_check(|claims| match claims.get("email_verified") {
    ///         Some(serde_json::Value::Bool(true)) => Ok(()),
    ///         _ => Err(Error::forbidden("a verified email is required")),
    ///     })
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn claims_check(
        mut self,
        check: impl Fn(&crate::claims::ClaimsMap) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Self {
        self.claim_rules.check_with(Arc::new(check));
        self
    }

    /// Accepts DPoP-bound tokens (RFC 9449), beside bearer tokens or instead of them:
    /// see [`dpop`](crate::dpop). Off by default.
    pub fn dpop(mut self, config: DpopConfig) -> Self {
        self.dpop = Some(config);
        self
    }

    /// Checks certificate-bound tokens (RFC 8705, [`mtls`](crate::mtls)): a token with
    /// `cnf.x5t#S256` is accepted only when it is the SHA-256 thumbprint of the client
    /// certificate of the request (its TLS connection, or with
    /// [`MtlsConfig::trust_client_cert_header`] the `Client-Cert` header of a trusted
    /// proxy). [`MtlsConfig::allowed`] still accepts tokens without `cnf`;
    /// [`MtlsConfig::required`] refuses them. Its resource metadata (RFC 9728) says
    /// `tls_client_certificate_bound_access_tokens: true`.
    ///
    /// Off by default: a certificate-bound token is then refused
    /// ([`TokenError::UnsupportedConfirmation`](crate::TokenError::UnsupportedConfirmation)).
    /// With [`dpop`](Self::dpop) too, a DPoP request is checked DPoP first: its proof,
    /// then the token and its certificate binding, then the proof key.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// use jwt_guard::mtls::MtlsConfig;
    ///
    /// let strategy = jwt_guard::JwtStrategy::builder()
    ///     .issuer("https://issuer.example")
    ///     .mtls_bound_tokens(MtlsConfig::required())
    ///     .build()?;
    /// # let _ = strategy;
    /// # Ok(()) }
    /// ```
    pub fn mtls_bound_tokens(mut self, config: MtlsConfig) -> Self {
        self.mtls = Some(config);
        self
    }

    /// Accepts tokens bound to a key (`cnf`, RFC 7800) that this strategy does not verify:
    /// certificate-bound tokens (`cnf.x5t#S256`, RFC 8705) and any other confirmation
    /// method as plain bearer tokens, DPoP-bound ones (`cnf.jkt`) too when DPoP is off.
    /// **Dangerous**: whoever steals such a token can use it without the key it is bound
    /// to. Only for a deployment that knowingly accepts them, e.g. behind a proxy that
    /// checks the mTLS binding itself (to check it here, see
    /// [`mtls_bound_tokens`](Self::mtls_bound_tokens), whose check this does not waive). Off by default: such tokens are refused,
    /// [`TokenError::UnsupportedConfirmation`](crate::TokenError::UnsupportedConfirmation). A strategy with DPoP still refuses a
    /// `cnf.jkt` token sent as bearer.
    pub fn dangerous_accept_unverified_cnf(mut self) -> Self {
        self.claims.accept_unverified_cnf();
        self
    }

    /// How a granted scope covers a required one for this strategy's principals, wherever
    /// their scopes are checked (`#[authenticate(.., scopes = ..)]`, a layer
    /// [`Policy`](crate::Policy) without a rule of its own,
    /// [`authz::authorize`](crate::authz::authorize)). Defaults to
    /// [`ScopeRule::exact`]: `orders:*` does not cover `orders:read` unless you choose
    /// [`ScopeRule::wildcard`]. With a [`protected_resource`](Self::protected_resource),
    /// the wildcard rule also lists `prefix:*` scopes in its document.
    ///
    /// ```
    /// use jwt_guard::JwtStrategy;
    /// use jwt_guard::authz::ScopeRule;
    ///
    /// let strategy = JwtStrategy::builder()
    ///     .issuer("https://issuer.example")
    ///     .scope_rule(ScopeRule::wildcard())
    ///     .build()?;
    /// # Ok::<(), jwt_guard::ConfigError>(())
    /// ```
    pub fn scope_rule(mut self, rule: ScopeRule) -> Self {
        self.scope_rule = rule;
        self
    }

    /// Checks each token's Token Status List (draft-ietf-oauth-status-list), after its
    /// signature and claims and on every token-cache hit: a token its issuer revoked
    /// (0x01) or suspended (0x02) is refused with a 401. Lists are fetched from the
    /// token issuer's origin (or [allowed origins](StatusListConfig::allow_origin)),
    /// verified with the issuer's keys, and held for their `ttl`. Off by default; see
    /// [`status_list`](crate::status_list).
    pub fn status_list(mut self, config: StatusListConfig) -> Self {
        self.status_list = Some(config);
        self
    }

    /// Guards the resource of this metadata (RFC 9728): `aud` must name it (RFC 8707),
    /// challenges carry `resource_metadata`, and the issuer (with the DPoP settings)
    /// joins its document. See [`resource_metadata`](crate::resource_metadata).
    pub fn protected_resource(mut self, resource: &ProtectedResource) -> Self {
        self.resource = Some(resource.clone());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::JwtStrategy;
    use crate::strategy::jwt::Keys;
    use crate::verify;

    const ISSUER: &str = "https://issuer.example";
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn err(builder: JwtStrategyBuilder) -> ConfigError {
        builder.build().expect_err("must be refused")
    }

    #[test]
    fn building_leaves_the_resource_alone_registering_announces_once() {
        let resource = crate::resource_metadata::ProtectedResource::builder("https://api.test")
            .build()
            .expect("resource");
        let strategy = JwtStrategy::builder()
            .issuer(ISSUER)
            .algorithms([Algorithm::HS256])
            .hmac_secret(SECRET, None)
            .protected_resource(&resource)
            .build()
            .expect("strategy");
        assert!(
            resource.document().get("authorization_servers").is_none(),
            "building a strategy changes no shared resource"
        );
        let registry = crate::Registry::new();
        registry
            .register("jwt", strategy.clone())
            .expect("register");
        assert_eq!(
            resource.document()["authorization_servers"],
            serde_json::json!([ISSUER])
        );
        crate::Registry::new()
            .register("again", strategy)
            .expect("register");
        assert_eq!(
            resource.document()["authorization_servers"],
            serde_json::json!([ISSUER]),
            "listed once"
        );
    }

    #[test]
    fn one_key_source() {
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .jwks_uri("https://issuer.example/keys")
            .discover());
        assert!(
            matches!(
                e,
                ConfigError::ConflictingKeySources {
                    first: "a JWKS URL (jwks_uri)",
                    second: "discovery (discover)"
                }
            ),
            "{e}"
        );
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .algorithms([Algorithm::HS256])
            .hmac_secret(SECRET, None)
            .jwks_uri("https://issuer.example/keys"));
        assert!(
            matches!(
                e,
                ConfigError::ConflictingKeySources {
                    first: "pinned keys",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn pinned_keys_add_up() {
        let strategy = JwtStrategy::builder()
            .issuer(ISSUER)
            .algorithms([Algorithm::HS256])
            .hmac_secret(SECRET, Some("a"))
            .jwk_json(br#"{"kty":"oct","kid":"b","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}"#)
            .jwks_json(br#"{"keys":[{"kty":"oct","kid":"c","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}"#)
            .build()
            .unwrap();
        let Keys::Static(set) = &strategy.inner.keys else {
            panic!("pinned")
        };
        assert_eq!(set.kids(), ["a", "b", "c"]);
    }

    #[test]
    fn the_first_mistake_is_reported() {
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .algorithms([Algorithm::HS256])
            .hmac_secret(b"short", Some("first"))
            .rsa_pem(b"not a pem", Some("second")));
        let ConfigError::InvalidKey { key, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(key, "\"first\"");
        let e = err(JwtStrategy::builder()
            .issuer(ISSUER)
            .rsa_pem(b"not a pem", None)
            .discover());
        assert!(
            matches!(&e, ConfigError::InvalidKey { key, .. } if key == "#1 (no kid)"),
            "{e}"
        );
    }

    #[test]
    fn leeway_keeps_sub_second_precision() {
        let strategy = JwtStrategy::builder()
            .issuer(ISSUER)
            .leeway(Duration::from_millis(900))
            .build()
            .unwrap();
        assert!((strategy.inner.rules.leeway - 0.9).abs() < 1e-9);
        let most = JwtStrategy::builder()
            .issuer(ISSUER)
            .leeway(verify::MAX_LEEWAY)
            .build()
            .unwrap();
        assert!((most.inner.rules.leeway - 600.0).abs() < 1e-9);
        for over in [
            verify::MAX_LEEWAY + Duration::from_nanos(1),
            Duration::from_secs(4_294_967_295 * 86_400),
            Duration::MAX,
        ] {
            let e = err(JwtStrategy::builder().issuer(ISSUER).leeway(over));
            assert!(
                matches!(
                    e,
                    ConfigError::InvalidOption {
                        option: "leeway",
                        ..
                    }
                ),
                "{e}"
            );
        }
    }

    #[test]
    fn claim_paths_are_the_strategys() {
        let strategy = JwtStrategy::builder()
            .issuer(ISSUER)
            .scopes_claim("permissions")
            .roles_claim("realm_access.roles")
            .roles_claim("resource_access.app.roles")
            .build()
            .unwrap();
        let paths = &strategy.inner.claim_paths;
        assert_eq!(paths.scope_paths().collect::<Vec<_>>(), ["permissions"]);
        assert_eq!(
            paths.role_paths().collect::<Vec<_>>(),
            ["realm_access.roles", "resource_access.app.roles"]
        );
        let e = err(JwtStrategy::builder().issuer(ISSUER).roles_claim("a..b"));
        assert!(matches!(e, ConfigError::InvalidClaimPath { .. }), "{e}");
    }

    #[test]
    fn algorithm_rules() {
        assert!(matches!(
            err(JwtStrategy::builder()),
            ConfigError::MissingIssuer
        ));
        assert!(matches!(
            err(JwtStrategy::builder().issuer(ISSUER).algorithms([])),
            ConfigError::NoAlgorithms
        ));
        assert!(matches!(
            err(JwtStrategy::builder()
                .issuer(ISSUER)
                .algorithms([Algorithm::HS256, Algorithm::RS256])),
            ConfigError::MixedAlgorithms
        ));
        assert!(matches!(
            err(JwtStrategy::builder()
                .issuer(ISSUER)
                .algorithms([Algorithm::HS256])),
            ConfigError::HmacWithoutSecret
        ));
    }
}
