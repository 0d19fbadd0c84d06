//! Framework integrations, each behind its feature. Everything else in the crate uses
//! `http` types only.

#[cfg(feature = "axum")]
pub mod axum;
