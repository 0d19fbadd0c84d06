//! JWK Set and JWK parsing, then use of whatever keys came out.
//!
//! Invariants: no panic; a set that parses can be used to verify tokens of every
//! algorithm without panicking, and a strategy can be built from it.

#![no_main]

mod common;

use jwt_guard::JwtStrategy;
use jwt_guard::jwks::KeySet;
use jwt_guard::verify::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    for set in [KeySet::from_jwks_json(data), KeySet::from_jwk_json(data)]
        .into_iter()
        .flatten()
    {
        assert!(!set.is_empty());
        let _ = set.kids();
        for token in common::KNOWN_VALID {
            let _ = jwt_guard::verify::verify_jws(token, &set, &common::ALL_ALGORITHMS, &limits);
        }
    }
    let _ = JwtStrategy::builder()
        .issuer(common::ISSUER)
        .jwks_json(data)
        .build();
});
