//! Strategies: what authenticates a request. [`JwtStrategy`] is the built-in one: its
//! request path in `jwt.rs`, its configuration and the checks of `build()` in
//! `builder.rs` and `build.rs`; the [`Strategy`] trait, for strategies of your own, in
//! `traits.rs`.

mod build;
mod builder;
mod confirm;
mod jwt;
mod traits;

pub use builder::JwtStrategyBuilder;
pub use jwt::JwtStrategy;
pub use traits::Strategy;

pub(crate) use confirm::confirmation;
