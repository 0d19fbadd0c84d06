//! A parsed key set: every usable key turned into aws-lc key objects once (one per algorithm it may verify), looked up by
//! `kid` and `alg` on the request path without parsing or allocating.
//!
//! One concern a file: `entry.rs` (one key and the checks on its material), `jwk.rs` (a
//! JWK made a key), `set.rs` (the set and its lookups), `pinned.rs` (keys pinned in
//! configuration: PEM keys and HMAC secrets).

mod entry;
mod jwk;
mod pinned;
mod set;

pub(crate) use entry::KeyEntry;
pub use entry::MIN_RSA_BITS;
pub(crate) use jwk::{ParseOptions, entry_from_value, json_error};
pub(crate) use pinned::{PemKind, check_pinned_hmac, static_entry};
pub use set::KeySet;
pub(crate) use set::log_skipped;
