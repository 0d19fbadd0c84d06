//! Token parsing and verification.
//!
//! The first byte picks a mode:
//! - even: the rest is a compact JWS, verified by `verify_jws` against every test key with
//!   every algorithm allowed, and by both strategies. It may verify only if it is one of
//!   the known valid tokens (no forgery, no second encoding of a signed token).
//! - odd: the rest is `header JSON 0xFF claims JSON`; the target encodes and *signs* them
//!   with the HMAC secret, so the header parser and the claim checks see arbitrary JSON
//!   behind a valid signature. Whatever is accepted must satisfy the claim rules.

#![no_main]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard::verify::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        raw(rest);
    } else {
        signed(rest);
    }
});

fn raw(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    for keys in [&*common::ASYMMETRIC, &*common::SYMMETRIC] {
        if let Ok(verified) =
            jwt_guard::verify::verify_jws(token, keys, &common::ALL_ALGORITHMS, &limits)
        {
            assert!(
                common::KNOWN_VALID.contains(&token),
                "verified an unknown token {token:?} ({:?})",
                verified.alg
            );
        }
    }
    for strategy in [&*common::ASYMMETRIC_STRATEGY, &*common::SYMMETRIC_STRATEGY] {
        let result = common::now_or_never(strategy.verify_token(token));
        assert!(result.is_err(), "authenticated {token:?}");
    }
}

fn signed(data: &[u8]) {
    let (header, claims) = match data.iter().position(|&b| b == 0xff) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"{}"[..]),
    };
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let Ok(key) = jsonwebtoken::EncodingKey::from_secret(&common::hmac_secret()) else {
        return;
    };
    let Ok(signature) =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
    else {
        return;
    };
    let token = format!("{input}.{signature}");
    let header_json: Option<serde_json::Value> = serde_json::from_slice(header).ok();
    match common::now_or_never(common::SYMMETRIC_STRATEGY.verify_token(&token)) {
        Ok(principal) => {
            // Accepted: the header named HS256 and the claims pass every rule.
            let header_json = header_json.expect("an accepted header is JSON");
            assert_eq!(header_json["alg"], "HS256");
            assert!(header_json.get("crit").is_none());
            assert_eq!(principal.claim("iss"), Some(&common::ISSUER.into()));
            let exp = principal.claim("exp").and_then(|v| v.as_f64());
            assert!(exp.is_some_and(|e| e.is_finite() && e > 0.0));
        }
        Err(err) => assert_eq!(err.status(), 401),
    }
    // The asymmetric side never takes an HMAC-signed token, whatever its header says.
    assert!(common::now_or_never(common::ASYMMETRIC_STRATEGY.verify_token(&token)).is_err());
    let limits = Limits::default();
    assert!(
        jwt_guard::verify::verify_jws(
            &token,
            &common::ASYMMETRIC,
            &common::ALL_ALGORITHMS,
            &limits
        )
        .is_err()
    );
}
