//! Framework integrations, each behind its feature. Everything else in the crate uses
//! `http` types only.

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
