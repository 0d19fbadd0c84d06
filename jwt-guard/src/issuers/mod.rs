//! Issuer routing: several issuers in one [`JwtStrategy`](crate::JwtStrategy), and tenant
//! patterns (`https://login.microsoftonline.com/{tenant}/v2.0`).
//!
//! A token is routed by its `iss`, read before the signature (one base64url decode and a
//! JSON scan that keeps only `iss`), to exactly that issuer's key engine: it is never
//! tried against another issuer's keys. An `iss` that is not on the allow-list, and a
//! tenant that is not allowed, are refused before any key is looked up, so they cost no
//! fetch and hold no memory. After the signature, the verified `iss` must equal the
//! route's issuer (the claim checks compare it exactly) and, for a tenant, the tenant
//! claim (`tid`) must name the tenant of the issuer.
//!
//! Tenant engines are made on first use from the configured key rule (a URL template,
//! discovery from the tenant's issuer, or LoopBack's rule; never from a URL taken from
//! the token) and held in a bounded cache that evicts the least recently used first
//! (quick_cache's CLOCK-Pro, which also resists one-off floods). A tenant's key URL (or
//! the issuer it is discovered from) is checked before any fetch: parsed, it must keep
//! the template's scheme, host, port and path up to the tenant, followed by the tenant
//! itself, so no tenant reaches another path (`.` and `..` are refused as tenants).
//!
//! Engines that fetch (a key URL per tenant, discovery, LoopBack's rule) are made for
//! unseen tenants at a bounded rate, a token bucket
//! ([`new_tenant_budget`](crate::JwtStrategyBuilder::new_tenant_budget)): a flood of tokens
//! naming new tenants a predicate accepts costs at most the budget in fetches, and a
//! tenant over the budget is a 503 with `Retry-After`, as keys that cannot be fetched
//! are. Tenants already held are not affected.

mod peek;
mod routes;
mod tenants;

pub(crate) use routes::{Issuers, IssuersConfig, KeyRule, Route, RouteKeys, check_issuer};
pub(crate) use tenants::{DEFAULT_MAX_TENANTS, TENANT, TenantBudget, TenantFilter};
