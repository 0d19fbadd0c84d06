//! Signing keys: a static set, or a remote JWK Set kept fresh by the key engine.
//!
//! The engine fetches the whole set, parses every usable key once per fetch, and serves
//! lookups from an atomically swapped snapshot: the request path takes no lock and never
//! waits on the network while a usable key is cached.
//!
//! Every setting and its default is on [`JwksConfig`] (and in the README's defaults
//! table).

mod client;
mod discovery;
mod engine;
mod fetch;
mod keyset;
mod roca;
mod settings;

pub use client::{JwksClient, JwksStatus};
pub(crate) use fetch::{cache_max_age, check_transport};
pub(crate) use keyset::{
    KeyEntry, ParseOptions, PemKind, check_pinned_hmac, entry_from_value, static_entry,
};
pub use keyset::{KeySet, MIN_RSA_BITS};
pub use settings::JwksConfig;
pub(crate) use settings::default_jwks_url;
