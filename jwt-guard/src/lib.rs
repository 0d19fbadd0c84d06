//! Protect HTTP handlers with one attribute: `#[authenticate("jwt")]`.
//!
//! jwt-guard reads `Authorization: Bearer <token>`, verifies the token against the
//! issuer's keys (fetched from its JWK Set, parsed once, kept fresh), checks the issuer,
//! expiry and algorithm, and only then runs the handler body — the Rust counterpart of
//! LoopBack's `@authenticate("jwt")`, secure by default.
//!
//! ```no_run
//! use axum::{Json, Router, routing::get};
//! use jwt_guard::{JwtStrategy, authenticate};
//! use serde_json::{Value, json};
//!
//! #[authenticate("jwt")]
//! async fn secure_endpoint() -> Json<Value> {
//!     Json(json!({ "message": "Access granted" }))
//! }
//!
//! # fn run() -> Result<(), jwt_guard::ConfigError> {
//! jwt_guard::register("jwt", JwtStrategy::builder().issuer("https://issuer.example").build()?)?;
//! let app: Router = Router::new().route("/protected", get(secure_endpoint));
//! # Ok(()) }
//! ```
//!
//! The crate root holds what a handler author uses (the attribute, [`JwtStrategy`],
//! [`IntrospectionStrategy`] for opaque tokens,
//! [`Registry`], [`Policy`], [`Principal`], the errors); the rest lives in one module per
//! concern: [`jwks`] (the key engine's settings and status), [`dpop`], [`status_list`]
//! (revocation with Token Status Lists),
//! [`resource_metadata`], [`authz`] (scopes and roles), [`claims`] (where they are read),
//! [`audit`], [`readiness`], [`render`] (the error body), [`config`], `metrics`,
//! [`openapi`], [`testkit`], and the framework integrations
//! ([`axum`](mod@crate::axum), `actix`, `tower`, `tonic`). The pieces under the
//! strategies — the bearer token, key sets, one JWS verified — are in [`low_level`].
//!
//! # Architecture
//!
//! The modules form layers, and a module imports only from layers below its own — no two
//! modules import each other, directly or in a circle (CI checks this with
//! `.ci/module-cycles/run`). Bottom up:
//!
//! 1. **Base types**: `algorithm`, `error` and `config_error` (what stops a request, what
//!    stops start-up), `challenge` (`WWW-Authenticate`), `json` (the one strict JSON
//!    reader: repeated member names refused at any depth), `b64` (base64url on the
//!    request path, SIMD), `time` (saturating instants, the clock), `text` (bounded log
//!    text), `future` ([`BoxFuture`], and `Pending`: an outcome known now or boxed),
//!    [`mtls`] (the client certificate, the `Client-Cert` header, certificate-binding
//!    settings), `request`, `token_source` ([`TokenSource`]: where a strategy reads its
//!    token), `uri` (resource identifiers compared as RFC 3986 §6.2.2.1 says).
//! 2. **What a request carries and what we report**: [`claims`], `extract` (the token,
//!    from the `Authorization` header, a named header or a cookie),
//!    `principal`, [`render`], and `telemetry` — the one way anything reports (spans,
//!    and with the `metrics` feature its sink, which imports nothing of the crate).
//! 3. **Verification**: `verify` (JWS and registered claims), [`jwks`] (settings,
//!    fetching, key sets, the key engine), [`dpop`] (handed the token verifier, it imports
//!    no strategy), [`status_list`] (revocation lists: it uses `verify` and `jwks`), `cache`
//!    (verified tokens, [`TokenCacheConfig`]), `issuers` (tenants),
//!    `rules` (claim rules), `claim_options` (the options both strategies accept and
//!    their one check: audiences, leeway, scope and role paths, the header cap),
//!    [`authz`] (requirements), `site` (the `#[authenticate]` sites),
//!    [`resource_metadata`]. [`low_level`] publishes the pieces of this layer.
//! 4. **Strategies and the registry**: [`JwtStrategy`] / [`Strategy`],
//!    [`IntrospectionStrategy`] (`introspection`: opaque tokens, RFC 7662; a peer of the
//!    JWT strategy sharing its claim and `cnf` rules), [`Registry`].
//! 5. **What uses the registry**: [`policy`] (a layer's requirements), `guard` (the one
//!    check of the attribute and every layer; `Policy::check` lives here), [`audit`]
//!    (`Registry::audit` lives here), [`readiness`], [`config`], `metrics`.
//! 6. **Integrations and tools**: `axum`, `actix`, `tower`, `tonic`, [`openapi`],
//!    [`testkit`].
//!
//! To protect a whole router, scope or gRPC service instead of one handler, build a
//! [`Policy`] (the attribute's options as a value) and wrap the router in the
//! layer of its framework: `tower::AuthLayer` (tower, axum), `tonic::GrpcAuthLayer`
//! (tonic), `actix::AuthMiddleware` (actix-web).
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `macros` | yes | the `#[authenticate]` attribute |
//! | `axum` | yes | [`axum`](mod@crate::axum): `IntoResponse` for [`Error`], the extractor the attribute uses; [`Principal`], `Option<Principal>` and [`Claims<T>`] as extractors under a layer; the readiness handler |
//! | `actix-web` | no | `actix`: the same for actix-web 4 (`ResponseError`, `FromRequest`), `actix::AuthMiddleware` for an `App` or a `scope`, the readiness handler |
//! | `tower` | no | `tower::AuthLayer`: a tower layer protecting a whole router or service with a [`policy::Policy`] |
//! | `tonic` | no | `tonic::GrpcAuthLayer`: the layer for tonic servers, with gRPC statuses and per-method policies (implies `tower`) |
//! | `config` | no | [`config`]: strategies from serde configuration and TOML files (several named strategies in one file), humane durations |
//! | `metrics` | no | `metrics`: authentications, key fetches, key-set state and token-cache figures through the `metrics` facade |
//! | `utoipa` | no | [`openapi`]`::utoipa`: a `Modify` adding the bearer scheme, each protected operation's security and its 401/403/503 responses from the audit |
//! | `aide` | no | [`openapi`]`::aide`: the attribute's handlers in aide 0.15's `ApiRouter`, with their security and 401/403/503 responses (implies `axum`) |
//! | `mtls` | no | `axum::tls`: `TlsListener` serving axum over rustls and `TlsConnectInfo`, which carries each connection's client certificate to the attribute and the layer (certificate-bound tokens, [`mtls`]; implies `axum`) |
//! | `actix-mtls` | no | `actix::client_certificate_on_connect`: the client certificate of actix-web's rustls 0.23 listener, for certificate-bound tokens (implies `actix-web`) |
//! | `tonic-mtls` | no | the client certificate of tonic's own TLS server handed to `tonic::GrpcAuthLayer`, for certificate-bound tokens (implies `tonic`) |
//! | `redis` | no | `dpop::RedisReplayStore`: the DPoP replay store shared by replicas |
//! | `testkit` | no | [`testkit`]: signing keys and an embedded issuer for examples and tests |
//!
//! Sender-constrained tokens are in [`dpop`] (DPoP, RFC 9449) and [`mtls`]
//! (certificate-bound tokens, RFC 8705); the protected resource metadata document
//! (RFC 9728) in [`resource_metadata`].
//!
//! Start-up mistakes are a [`ConfigError`]; what stops a request is an [`Error`]. The
//! threat model is in [`manual`].

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod algorithm;
pub mod audit;
pub mod authz;
mod b64;
// 0.2's home of `TokenCacheConfig`, now at the crate root; hidden, kept for 0.2 paths.
#[doc(hidden)]
pub mod cache;
mod challenge;
mod claim_options;
pub mod claims;
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
pub mod config;
mod config_error;
pub mod dpop;
mod error;
// 0.2's home of `low_level::bearer_token`; hidden, kept for 0.2 paths.
#[doc(hidden)]
pub mod extract;
mod future;
mod guard;
mod integrations;
mod introspection;
mod issuers;
mod json;
pub mod jwks;
pub mod low_level;
pub mod manual;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
pub mod mtls;
pub mod openapi;
pub mod policy;
mod principal;
pub mod readiness;
mod registry;
pub mod render;
mod request;
pub mod resource_metadata;
mod rules;
mod site;
pub mod status_list;
mod step_up;
mod strategy;
pub mod telemetry;
#[cfg(feature = "testkit")]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub mod testkit;
mod text;
mod time;
mod token_source;
mod uri;
// 0.2's home of `low_level::verify_jws`; hidden, kept for 0.2 paths.
#[doc(hidden)]
pub mod verify;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
#[doc(inline)]
pub use integrations::axum;

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
#[doc(inline)]
pub use integrations::tower;
/// 0.2's name of [`tower`](mod@crate::tower).
#[cfg(feature = "tower")]
#[doc(hidden)]
pub use integrations::tower as layer;

#[cfg(feature = "tonic")]
#[cfg_attr(docsrs, doc(cfg(feature = "tonic")))]
#[doc(inline)]
pub use integrations::grpc as tonic;
/// 0.2's name of [`tonic`](mod@crate::tonic).
#[cfg(feature = "tonic")]
#[doc(hidden)]
pub use integrations::grpc;

#[cfg(feature = "actix-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix-web")))]
#[doc(inline)]
pub use integrations::actix;

#[doc(hidden)]
pub mod __private {
    //! Not public API.
    pub use crate::private::*;
}
mod private;

pub use algorithm::{Algorithm, UnknownAlgorithm};
pub use cache::TokenCacheConfig;
pub use config_error::ConfigError;
pub use error::{Error, ErrorKind, TokenError};
pub use future::BoxFuture;
pub use introspection::{
    IntrospectionCacheConfig, IntrospectionStrategy, IntrospectionStrategyBuilder,
};
pub use policy::{Policy, PolicyBuilder};
pub use principal::{Claims, Principal};
pub use registry::{Registry, register};
pub use request::RequestInfo;
pub use strategy::{JwtStrategy, JwtStrategyBuilder, Strategy};
pub use token_source::{InvalidTokenSource, TokenSource};

/// Wraps an async handler so the named strategy authenticates the request first.
///
/// See the crate documentation and the README for the forms it accepts.
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
pub use jwt_guard_macros::authenticate;

/// The README's Rust blocks, compiled as doctests: every block builds as written (the
/// quick start is also built by CI as a crate of its own). They use the features the
/// README's test command turns on with `--all-features`.
#[cfg(all(
    doctest,
    feature = "testkit",
    feature = "tower",
    feature = "actix-web",
    feature = "tonic",
    feature = "metrics",
    feature = "mtls"
))]
#[doc = include_str!("../../README.md")]
mod readme {}
