//! The pieces under the strategies, for code that verifies tokens without a
//! [`JwtStrategy`](crate::JwtStrategy) — a custom [`Strategy`](crate::Strategy), a
//! message consumer, a CLI. Everything here is what the strategies use; a handler author
//! needs none of it.
//!
//! | item | what |
//! |---|---|
//! | [`bearer_token`] | the token of `Authorization: Bearer <token>`, with LoopBack's refusals (missing, not Bearer, too many parts) and a size cap ([`DEFAULT_MAX_HEADER_BYTES`]) |
//! | [`KeySet`] | a parsed JWK Set: usable keys by `kid` and algorithm (RSA keys of at least [`MIN_RSA_BITS`]) |
//! | [`verify_jws`] → [`VerifiedJws`] | the header, the key, the signature and the registered claims of one compact JWS, within [`Limits`] |
//! | [`MAX_LEEWAY`], [`MAX_SIGNATURE_CHARS`], [`MAX_NUMERIC_DATE`] | the bounds the verifier holds to |
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use jwt_guard::low_level::bearer_token;
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("authorization", "Bearer abc.def.ghi".parse()?);
//! assert_eq!(bearer_token(&headers, 16 * 1024)?, "abc.def.ghi");
//! # Ok(()) }
//! ```

pub use crate::extract::{DEFAULT_MAX_HEADER_BYTES, bearer_token};
pub use crate::jwks::{KeySet, MIN_RSA_BITS};
pub use crate::verify::{
    Limits, MAX_LEEWAY, MAX_NUMERIC_DATE, MAX_SIGNATURE_CHARS, VerifiedJws, verify_jws,
};
