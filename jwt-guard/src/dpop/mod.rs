//! DPoP (RFC 9449): access tokens bound to a key the client proves it holds, request by
//! request. Opt-in per strategy with [`JwtStrategyBuilder::dpop`](crate::JwtStrategyBuilder::dpop):
//! [`DpopConfig::allowed`] (DPoP and plain bearer tokens) or [`DpopConfig::required`].
//!
//! A DPoP request carries `Authorization: DPoP <token>` and exactly one `DPoP` header, a
//! proof JWT signed by the client's key. The strategy checks, as RFC 9449 §4.3 and §7.1
//! say: `typ` is `dpop+jwt`; `alg` is on the DPoP allow-list (asymmetric only); the `jwk`
//! header is a public key and verifies the signature; `htm` is the request method; `htu`
//! names one of the configured [origins](DpopConfig::external_origin) and the request
//! target's path as the router sees it, without query and fragment (compared after the
//! normalisation of RFC 9449 §4.3: scheme, host, default port, case of percent-encodings;
//! a target with a dot segment, as in `/files/../admin`, is refused); `iat` is at most
//! [`max_age`](DpopConfig::max_age) old and at most [`leeway`](DpopConfig::leeway) ahead;
//! `jti` was not seen before (the [`ReplayStore`]); `ath` is base64url(SHA-256(token));
//! the token's `cnf.jkt` is the RFC 7638 thumbprint of the proof key; with
//! [`require_nonce`](DpopConfig::require_nonce), `nonce` is a fresh server nonce. The
//! thumbprint is then [`Principal::dpop_thumbprint`](crate::Principal::dpop_thumbprint).
//!
//! A DPoP-bound token (with `cnf.jkt`) sent as `Bearer` is refused, and so is any bearer
//! token when DPoP is required. A token whose `cnf` holds anything but `jkt` is refused
//! either way
//! ([`TokenError::UnsupportedConfirmation`](crate::TokenError::UnsupportedConfirmation)):
//! DPoP cannot check that binding — except a certificate thumbprint `x5t#S256`
//! (RFC 8705) on a strategy that also checks certificate-bound tokens
//! ([`mtls`](crate::mtls)), where a `DPoP` request is checked DPoP first, then the
//! certificate binding. Refusals carry `WWW-Authenticate: DPoP algs="…"` (beside
//! `Bearer` when bearer tokens are allowed), with `error="invalid_dpop_proof"`,
//! `"use_dpop_nonce"` (and a `DPoP-Nonce` header) or `"invalid_token"`.
//!
//! ```
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! use jwt_guard::dpop::DpopConfig;
//!
//! let strategy = jwt_guard::JwtStrategy::builder()
//!     .issuer("https://issuer.example")
//!     .dpop(DpopConfig::allowed().external_origin("https://api.example"))
//!     .build()?;
//! # let _ = strategy;
//! # Ok(()) }
//! ```
//!
//! The origin is configuration, never the request's: [`build`](crate::JwtStrategyBuilder::build)
//! fails without one. Taken from the `Host` header (or an absolute request target), a
//! proof made for another server would pass here when replayed with that server's name.
//!
//! The method and URI come from the integration: the axum extractor of `#[authenticate]`,
//! the tower layer and the actix-web middleware pass them. A handler that gives the
//! attribute its own `HeaderMap` passes headers only; a DPoP request there is a 500
//! naming the mistake.

pub(crate) mod error;
mod flow;
mod nonce;
mod proof;
#[cfg(feature = "redis")]
mod redis;
mod replay;
mod settings;

pub use error::DpopError;
pub(crate) use flow::{Presented, VerifyToken, authenticate};
pub use proof::jwk_thumbprint;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisReplayStore;
pub use replay::{InMemoryReplayStore, ReplayStore, ReplayStoreError};
pub(crate) use settings::Dpop;
pub use settings::{DpopConfig, DpopMode, MAX_PROOF_AGE};
