//! Framework integrations, each behind its feature. Everything else in the crate uses
//! `http` types only.

#[cfg(feature = "actix-web")]
mod actix;
#[cfg(feature = "axum")]
mod axum;
