//! Framework integrations, each behind its feature. Everything else in the crate uses
//! `http` types only. The public ones are re-exported at the crate root under their
//! public names (`axum`, `actix`, `tower`, `tonic`).

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "tonic")]
pub mod grpc;
#[cfg(feature = "tower")]
pub mod tower;
