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
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! jwt_guard::register("jwt", JwtStrategy::builder().issuer("https://issuer.example").build()?)?;
//! let app: Router = Router::new().route("/protected", get(secure_endpoint));
//! # Ok(()) }
//! ```
//!
//! The pieces, in request order: [`extract`] (the bearer token) → [`verify`](crate::JwtStrategy)
//! (header, key, signature, claims) → [`jwks`] (the keys) → [`Strategy`] → [`register`]
//! (the named registry) → integrations (axum).
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `macros` | yes | the `#[authenticate]` attribute |
//! | `axum` | yes | `IntoResponse` for [`Error`], the extractor the attribute uses |
//! | `actix-web` | no | the same for actix-web 4 (`ResponseError`, `FromRequest`) |
//! | `testkit` | no | [`testkit::Issuer`]: an embedded issuer for examples and tests |
//!
//! The threat model is in [`manual`].

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod audit;
mod authz;
mod cache;
mod error;
pub mod extract;
pub mod jwks;
pub mod manual;
mod principal;
mod registry;
pub mod render;
mod strategy;
pub mod verify;

pub mod integrations;
#[cfg(feature = "testkit")]
pub mod testkit;

#[doc(hidden)]
pub mod __private {
    //! Not public API.
    pub use crate::private::*;
}
mod private;

pub use audit::{Audit, GuardedHandler, audit};
pub use authz::{
    DEFAULT_ROLES_CLAIM, Requirement, authorize, roles_claim, set_roles_claim, set_roles_claim_for,
};
pub use cache::TokenCacheConfig;
pub use error::{Error, ErrorKind, TokenError};
pub use jsonwebtoken::Algorithm;
pub use jwks::{JwksClient, JwksConfig, JwksStatus, KeySet};
pub use principal::{Claims, ClaimsMap, Principal};
pub use registry::{
    authenticate, authenticate_any, is_registered, register, register_arc, registered,
};
pub use strategy::{BoxFuture, JwtStrategy, JwtStrategyBuilder, Strategy};
pub use verify::{Limits, VerifiedJws, verify_jws};

/// Wraps an async handler so the named strategy authenticates the request first.
///
/// See the crate documentation and the README for the forms it accepts.
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
pub use jwt_guard_macros::authenticate;
