//! The signature layer ([`verify_jws`]) and, for JWTs, the claims.
//!
//! Checking a compact JWS and its claims: sizes first, then the header, the key, the
//! signature (aws-lc, on keys parsed once), and last the claims.
//!
//! The header is parsed by jwt-guard, not trusted to a general JOSE library: only `alg`,
//! `kid` and `crit` are read. `jku`, `x5u`, `jwk` and `x5c` are never used to find a key;
//! the key always comes from the configured source.
//!
//! Two files, one concern each: `jws.rs` (the compact form, the JOSE header and the
//! signature) and `registered.rs` (the registered claims: their scan and their checks).

mod jws;
mod registered;

pub use jws::{Limits, MAX_SIGNATURE_CHARS, VerifiedJws, verify_jws};
pub(crate) use jws::{decode_payload, parse, verify_signature};
pub(crate) use registered::{ClaimRules, Confirmation, Found, scan_claims, validate_claims};
pub use registered::{MAX_LEEWAY, MAX_NUMERIC_DATE};
