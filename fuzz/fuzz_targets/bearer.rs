//! The whole guard from raw `Authorization` bytes: extraction, then verification.
//!
//! Input: one or more header values separated by `\n` (so repeated headers are fuzzed
//! too). Invariants: no panic; an extracted token is non-empty, has no space and is the
//! end of the value; nothing is ever authenticated unless it is a known valid token.

#![no_main]

mod common;

use http::HeaderMap;
use http::header::AUTHORIZATION;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for value in data.split(|&b| b == b'\n') {
        match http::HeaderValue::from_bytes(value) {
            Ok(value) => {
                headers.append(AUTHORIZATION, value);
            }
            Err(_) => return,
        }
    }
    let Ok(token) = jwt_guard::extract::bearer_token(&headers, 8192) else {
        return;
    };
    assert!(!token.is_empty() && !token.contains(' '));
    let value = headers.get(AUTHORIZATION).map(|v| v.as_bytes());
    assert!(value.is_some_and(|v| v.ends_with(token.as_bytes())));
    for strategy in [&*common::ASYMMETRIC_STRATEGY, &*common::SYMMETRIC_STRATEGY] {
        let result = common::now_or_never(jwt_guard::Strategy::authenticate(strategy, &headers));
        // The known tokens carry no `iss`/`exp`, so even they must fail the claims.
        assert!(result.is_err(), "authenticated {token:?}");
    }
});
