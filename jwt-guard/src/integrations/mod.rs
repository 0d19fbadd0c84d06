//! Framework integrations, each behind its feature. Everything else in the crate uses
//! `http` types only. The public ones are re-exported at the crate root under their
//! public names (`layer`, `grpc`, `actix`).

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
mod axum;
#[cfg(feature = "tonic")]
pub mod grpc;
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) mod readiness;
#[cfg(feature = "tower")]
pub mod tower;
