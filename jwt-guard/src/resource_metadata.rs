//! Protected Resource Metadata (RFC 9728): the document that tells clients which
//! authorization servers issue tokens for this API, which scopes it knows and how tokens
//! are presented — and, in every 401 and 403, where to find it.
//!
//! Build a [`ProtectedResource`] first, then hand it to each strategy that guards it
//! ([`JwtStrategyBuilder::protected_resource`](crate::JwtStrategyBuilder::protected_resource)).
//! Such a strategy
//! - requires the token's `aud` to name the resource (RFC 8707), beside any
//!   [`audience`](crate::JwtStrategyBuilder::audience) check;
//! - adds `resource_metadata="<metadata URL>"` to each of its challenges (RFC 9728 §5.1);
//! - contributes its issuer to `authorization_servers`, its DPoP settings to
//!   `dpop_signing_alg_values_supported` and `dpop_bound_access_tokens_required`, with
//!   [`mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens)
//!   `tls_client_certificate_bound_access_tokens: true` (RFC 8705), and, with the
//!   wildcard [`ScopeRule`], the `prefix:*` form of each `prefix:…` scope to
//!   `scopes_supported`.
//!
//! The resource identifier is kept in canonical form (scheme and host in lower case, the
//! default port left out; RFC 3986 §6.2.2.1), and a token's `aud` values are compared
//! with it the same way: `HTTPS://MCP.Example.com:443/mcp` and
//! `https://mcp.example.com/mcp` are one resource; the path is compared exactly.
//!
//! The document is served by [`ProtectedResource::router`] (axum) and
//! `actix::resource_metadata` (actix-web), at `/.well-known/oauth-protected-resource`
//! and, for a resource with a path, at the path-suffixed form RFC 9728 §3.1 describes
//! (`https://api.example/orders` → `/.well-known/oauth-protected-resource/orders`).
//!
//! The document is public and browser-based clients (single-page apps, MCP inspectors)
//! fetch it from other origins, so both serve it with CORS: every answer carries
//! `Access-Control-Allow-Origin: *` (no credentials: the document is the same for everyone),
//! and an `OPTIONS` preflight is answered `204` allowing `GET` and any request header
//! ([`CORS_HEADERS`], [`CORS_PREFLIGHT_HEADERS`]).
//!
//! ```
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! use jwt_guard::JwtStrategy;
//! use jwt_guard::resource_metadata::ProtectedResource;
//!
//! let resource = ProtectedResource::builder("https://api.example/orders")
//!     .name("Orders API")
//!     .scopes(["orders:read", "orders:write"])
//!     .build()?;
//! let strategy = JwtStrategy::builder()
//!     .issuer("https://issuer.example")
//!     .protected_resource(&resource)
//!     .build()?;
//! // The strategy's issuer joins the document when the strategy is registered.
//! let registry = jwt_guard::Registry::new();
//! registry.register("jwt", strategy)?;
//! assert_eq!(resource.document()["authorization_servers"][0], "https://issuer.example");
//! assert_eq!(
//!     resource.metadata_url(),
//!     "https://api.example/.well-known/oauth-protected-resource/orders"
//! );
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value, json};

use crate::algorithm::Algorithm;
use crate::authz::ScopeRule;
use crate::config_error::ConfigError;

/// The well-known path of RFC 9728 §3.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The CORS headers on every answer of the metadata routes: any origin may read the
/// document, without credentials (Fetch standard, CORS protocol).
pub const CORS_HEADERS: [(&str, &str); 1] = [("access-control-allow-origin", "*")];

/// The headers of the `204` answer to a CORS preflight (`OPTIONS`) of the metadata
/// routes: [`CORS_HEADERS`], the methods (`GET`, `OPTIONS`), any request header, and a
/// day of caching.
pub const CORS_PREFLIGHT_HEADERS: [(&str, &str); 4] = [
    ("access-control-allow-origin", "*"),
    ("access-control-allow-methods", "GET, OPTIONS"),
    ("access-control-allow-headers", "*"),
    ("access-control-max-age", "86400"),
];

/// A protected resource and its metadata. Cheap to clone: clones share one value. See the
/// [module docs](self).
#[derive(Clone)]
pub struct ProtectedResource(Arc<Inner>);

struct Inner {
    resource: String,
    metadata_url: String,
    path_suffix: Option<String>,
    fields: Map<String, Value>,
    scopes: Vec<String>,
    signing_algs: Vec<Algorithm>,
    servers: Mutex<Vec<Server>>,
}

/// What one strategy contributes.
#[derive(Debug, Clone, PartialEq)]
struct Server {
    issuer: String,
    /// `Some(required)` when the strategy accepts DPoP.
    dpop: Option<(Vec<Algorithm>, bool)>,
    /// Its scope rule: the wildcard rule lists `prefix:*` scopes.
    scope_rule: ScopeRule,
    /// True when the strategy checks certificate-bound tokens (RFC 8705).
    mtls: bool,
}

/// Configuration of a [`ProtectedResource`].
#[derive(Debug)]
#[must_use]
pub struct ProtectedResourceBuilder {
    resource: String,
    fields: Map<String, Value>,
    scopes: Vec<String>,
    signing_algs: Vec<Algorithm>,
    servers: Vec<String>,
}

impl ProtectedResource {
    /// Starts the metadata of the resource identified by `resource`: an absolute http(s)
    /// URL without query or fragment (RFC 9728 §1.2), the audience its tokens must name.
    pub fn builder(resource: impl Into<String>) -> ProtectedResourceBuilder {
        ProtectedResourceBuilder {
            resource: resource.into(),
            fields: Map::new(),
            scopes: Vec::new(),
            signing_algs: Vec::new(),
            servers: Vec::new(),
        }
    }

    /// The resource identifier, in canonical form: scheme and host in lower case, the
    /// default port left out (`HTTPS://MCP.Example.com:443/mcp` is
    /// `https://mcp.example.com/mcp`), the path as written. The document publishes it, and
    /// tokens' `aud` values are compared with it the same way (RFC 3986 §6.2.2.1).
    pub fn resource(&self) -> &str {
        &self.0.resource
    }

    /// The absolute URL of the metadata document (what challenges name).
    pub fn metadata_url(&self) -> &str {
        &self.0.metadata_url
    }

    /// The paths the document is served at: the well-known path, and the path-suffixed
    /// form for a resource with a path.
    pub fn paths(&self) -> Vec<String> {
        let mut paths = vec![WELL_KNOWN.to_owned()];
        if let Some(suffix) = &self.0.path_suffix {
            paths.push(format!("{WELL_KNOWN}{suffix}"));
        }
        paths
    }

    /// The metadata document (RFC 9728 §2), from the configuration and the strategies
    /// registered with this resource so far (building a strategy changes nothing here).
    pub fn document(&self) -> Value {
        let inner = &*self.0;
        let servers = inner
            .servers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut doc = Map::new();
        doc.insert("resource".into(), json!(inner.resource));
        let mut issuers: Vec<&str> = Vec::new();
        for server in &servers {
            if !issuers.contains(&server.issuer.as_str()) {
                issuers.push(&server.issuer);
            }
        }
        if !issuers.is_empty() {
            doc.insert("authorization_servers".into(), json!(issuers));
        }
        if !inner.scopes.is_empty() {
            // Each scope, then the broader ones a strategy's scope rule accepts for it
            // (`orders:*` after `orders:read` under the wildcard rule).
            let mut scopes: Vec<String> = Vec::with_capacity(inner.scopes.len());
            for scope in &inner.scopes {
                let broader = servers.iter().filter_map(|s| s.scope_rule.broader(scope));
                for scope in std::iter::once(scope.clone()).chain(broader) {
                    if !scopes.contains(&scope) {
                        scopes.push(scope);
                    }
                }
            }
            doc.insert("scopes_supported".into(), json!(scopes));
        }
        doc.insert("bearer_methods_supported".into(), json!(["header"]));
        if !inner.signing_algs.is_empty() {
            let algs: Vec<&str> = inner.signing_algs.iter().map(|a| a.as_str()).collect();
            doc.insert("resource_signing_alg_values_supported".into(), json!(algs));
        }
        let dpop: Vec<&(Vec<Algorithm>, bool)> =
            servers.iter().filter_map(|s| s.dpop.as_ref()).collect();
        if !dpop.is_empty() {
            let mut algs: Vec<&str> = Vec::new();
            for (list, _) in &dpop {
                for alg in list {
                    if !algs.contains(&alg.as_str()) {
                        algs.push(alg.as_str());
                    }
                }
            }
            doc.insert("dpop_signing_alg_values_supported".into(), json!(algs));
            // Required only when no strategy of the resource takes bearer tokens.
            let required = servers
                .iter()
                .all(|s| s.dpop.as_ref().is_some_and(|(_, required)| *required));
            doc.insert("dpop_bound_access_tokens_required".into(), json!(required));
        }
        // RFC 9728 §2: the resource supports certificate-bound tokens (RFC 8705).
        if servers.iter().any(|s| s.mtls) {
            doc.insert(
                "tls_client_certificate_bound_access_tokens".into(),
                json!(true),
            );
        }
        for (name, value) in &inner.fields {
            doc.insert(name.clone(), value.clone());
        }
        Value::Object(doc)
    }

    /// Called when a strategy guarding this resource is registered: its issuer, DPoP,
    /// certificate-binding settings and scope rule join the document (once, however often
    /// it is registered).
    pub(crate) fn add_server(
        &self,
        issuer: &str,
        dpop: Option<(Vec<Algorithm>, bool)>,
        mtls: bool,
        scope_rule: &ScopeRule,
    ) {
        let server = Server {
            issuer: issuer.to_owned(),
            dpop,
            mtls,
            scope_rule: scope_rule.clone(),
        };
        let mut servers = self
            .0
            .servers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !servers.contains(&server) {
            servers.push(server);
        }
    }
}

impl fmt::Debug for ProtectedResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectedResource")
            .field("resource", &self.0.resource)
            .field("metadata_url", &self.0.metadata_url)
            .finish_non_exhaustive()
    }
}

impl ProtectedResourceBuilder {
    /// `resource_name`: a human-readable name.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.field("resource_name", name.into())
    }

    /// `resource_documentation`: a URL of developer documentation.
    pub fn documentation(self, url: impl Into<String>) -> Self {
        self.field("resource_documentation", url.into())
    }

    /// `resource_policy_uri`: a URL of the data-use policy.
    pub fn policy_uri(self, url: impl Into<String>) -> Self {
        self.field("resource_policy_uri", url.into())
    }

    /// `resource_tos_uri`: a URL of the terms of service.
    pub fn tos_uri(self, url: impl Into<String>) -> Self {
        self.field("resource_tos_uri", url.into())
    }

    fn field(mut self, name: &str, value: String) -> Self {
        self.fields.insert(name.to_owned(), Value::String(value));
        self
    }

    /// Adds `scopes_supported` entries (repeats are dropped).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for scope in scopes {
            let scope = scope.into();
            if !self.scopes.contains(&scope) {
                self.scopes.push(scope);
            }
        }
        self
    }

    /// `resource_signing_alg_values_supported`: the algorithms this resource signs its
    /// responses with, if it does (jwt-guard signs none). Left out by default.
    pub fn resource_signing_algs(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.signing_algs = algs.into_iter().collect();
        self
    }

    /// Adds an authorization server to `authorization_servers` that no strategy of this
    /// process names (the strategies' issuers are added when they are built).
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.servers.push(issuer.into());
        self
    }

    /// Checks the resource identifier and builds the metadata.
    pub fn build(self) -> Result<ProtectedResource, ConfigError> {
        let invalid = |reason: &str| ConfigError::InvalidUrl {
            url: self.resource.clone(),
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(&self.resource).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid("a resource identifier is an absolute http(s) URL"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("a resource identifier has no query or fragment"));
        }
        // Stored and published in canonical form (RFC 3986 §6.2.2.1, §6.2.3): the
        // audience check compares tokens' `aud` values against it.
        let resource = crate::uri::canonical(&self.resource)
            .ok_or_else(|| invalid("a resource identifier has no user information"))?;
        let origin = url.origin().ascii_serialization();
        let path = url.path();
        let path_suffix = (path != "/").then(|| path.to_owned());
        let metadata_url = format!(
            "{origin}{WELL_KNOWN}{}",
            path_suffix.as_deref().unwrap_or("")
        );
        let servers = self
            .servers
            .into_iter()
            .map(|issuer| Server {
                issuer,
                dpop: None,
                mtls: false,
                scope_rule: ScopeRule::exact(),
            })
            .collect();
        Ok(ProtectedResource(Arc::new(Inner {
            resource,
            metadata_url,
            path_suffix,
            fields: self.fields,
            scopes: self.scopes,
            signing_algs: self.signing_algs,
            servers: Mutex::new(servers),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_follow_rfc_9728() {
        let r = ProtectedResource::builder("https://API.example:443/orders")
            .build()
            .unwrap();
        assert_eq!(
            r.metadata_url(),
            "https://api.example/.well-known/oauth-protected-resource/orders"
        );
        assert_eq!(
            r.paths(),
            [WELL_KNOWN, "/.well-known/oauth-protected-resource/orders"]
        );
        assert_eq!(r.resource(), "https://api.example/orders", "canonical form");
        assert_eq!(r.document()["resource"], "https://api.example/orders");
        let root = ProtectedResource::builder("http://127.0.0.1:8080")
            .build()
            .unwrap();
        assert_eq!(
            root.metadata_url(),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource"
        );
        assert_eq!(root.paths(), [WELL_KNOWN]);
        for bad in [
            "/orders",
            "ftp://h/x",
            "https://h/x?q=1",
            "https://h/x#f",
            "https://user@h/x",
        ] {
            assert!(ProtectedResource::builder(bad).build().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_document_gathers_the_strategies() {
        let r = ProtectedResource::builder("https://api.example")
            .name("API")
            .scopes(["a", "b", "a"])
            .build()
            .unwrap();
        let exact = ScopeRule::exact();
        r.add_server("https://one", None, false, &exact);
        r.add_server(
            "https://two",
            Some((vec![Algorithm::ES256], true)),
            false,
            &exact,
        );
        r.add_server("https://one", None, false, &exact);
        let doc = r.document();
        assert_eq!(
            doc["authorization_servers"],
            json!(["https://one", "https://two"])
        );
        assert_eq!(doc["scopes_supported"], json!(["a", "b"]));
        assert_eq!(doc["resource_name"], "API");
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
        assert_eq!(doc["dpop_signing_alg_values_supported"], json!(["ES256"]));
        assert_eq!(doc["dpop_bound_access_tokens_required"], false);
        assert!(doc.get("resource_signing_alg_values_supported").is_none());
        assert!(
            doc.get("tls_client_certificate_bound_access_tokens")
                .is_none()
        );
        r.add_server("https://two", None, true, &ScopeRule::exact());
        assert_eq!(
            r.document()["tls_client_certificate_bound_access_tokens"],
            true
        );
    }

    #[test]
    fn a_wildcard_strategy_lists_the_broader_scopes() {
        let r = ProtectedResource::builder("https://api.example/mcp")
            .scopes(["mcp:tools", "orders:read", "orders:write", "profile"])
            .build()
            .unwrap();
        r.add_server("https://one", None, false, &ScopeRule::wildcard_with_star());
        assert_eq!(
            r.document()["scopes_supported"],
            json!([
                "mcp:tools",
                "mcp:*",
                "orders:read",
                "orders:*",
                "orders:write",
                "profile"
            ]),
            "prefix wildcards listed after their scopes; never a bare `*`"
        );
    }
}
