//! Opaque tokens checked by asking the authorization server (RFC 7662): the
//! strategy (`mod.rs`), its configuration (`settings.rs`), the call (`client.rs`) and the
//! result cache (`cache.rs`).

mod build;
mod cache;
mod client;
mod settings;
mod strategy;

pub use cache::IntrospectionCacheConfig;
pub use settings::IntrospectionStrategyBuilder;
pub use strategy::IntrospectionStrategy;
