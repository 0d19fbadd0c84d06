//! Property tests of the guard under hostile input: random and mutated tokens and headers
//! never panic and never verify unless correctly signed, a valid token with any single byte
//! changed never verifies, time claims of the wrong type and repeated member names are
//! refused, the issuer is compared exactly, and no input makes the guard allocate more than
//! a small multiple of its size cap.
//!
//! Real RS256, ES256 and EdDSA tokens come from [`jwt_guard::testkit::Issuer`]; HS256 ones
//! are signed here. The strategies hold the keys statically (`jwks_json`, `hmac_secret`), so
//! no network is used and verification never waits.
//!
//! This binary counts allocations (a global [`StatsAlloc`]); its tests take [`SERIAL`] so
//! that a measurement sees only the call it measures.

use std::future::Future;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::HeaderMap;
use http::header::AUTHORIZATION;
use jwt_guard::Strategy as _;
use jwt_guard::jwks::KeySet;
use jwt_guard::testkit::Issuer;
use jwt_guard::verify::Limits;
use jwt_guard::{Algorithm, Error, ErrorKind, JwtStrategy, Principal, TokenError};
use proptest::prelude::*;
use serde_json::{Value, json};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Held by every test of this binary: allocation counts are process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

const HMAC_SECRET: &[u8; 32] = b"proptest-secret-of-32-bytes-long";

struct Env {
    /// Runs the issuer's key server (used only by the tests that fetch keys).
    runtime: tokio::runtime::Runtime,
    issuer: Issuer,
    /// RS256, ES256 and EdDSA, keys pinned from the issuer's JWK Set.
    strategy: JwtStrategy,
    /// HS256 with [`HMAC_SECRET`].
    hmac: JwtStrategy,
    /// One valid token per algorithm: RS256, ES256, EdDSA, HS256.
    valid: Vec<String>,
}

static ENV: LazyLock<Env> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let issuer = runtime.block_on(Issuer::start()).expect("issuer");
    let es = issuer.add_key(Algorithm::ES256).expect("ES256 key");
    let ed = issuer.add_key(Algorithm::EdDSA).expect("EdDSA key");
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_json(issuer.jwks().to_string().as_bytes())
        .algorithms([Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA])
        .build()
        .expect("strategy");
    let hmac = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .hmac_secret(HMAC_SECRET, Some("hs"))
        .algorithms([Algorithm::HS256])
        .build()
        .expect("hmac strategy");
    let claims = json!({ "sub": "ada", "aud": "api", "scope": "read write" });
    let hs_claims = issuer.claims(claims.clone());
    let valid = vec![
        issuer.token(claims.clone()),
        issuer.token_with(&es, claims.clone()),
        issuer.token_with(&ed, claims),
        hs256(
            &json!({ "alg": "HS256", "kid": "hs", "typ": "JWT" }),
            &hs_claims,
        ),
    ];
    Env {
        runtime,
        issuer,
        strategy,
        hmac,
        valid,
    }
});

/// Signs `header.claims` (as JSON text) with [`HMAC_SECRET`].
fn hs256(header: &Value, claims: &Value) -> String {
    hs256_raw(header.to_string().as_bytes(), claims.to_string().as_bytes())
}

/// Signs raw header and claims bytes with [`HMAC_SECRET`], whatever they hold.
fn hs256_raw(header: &[u8], claims: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, HMAC_SECRET);
    let mac = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac))
}

/// Polls a future that must not wait: with static keys the guard does no I/O.
fn now_or_never<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("verification with static keys waited"),
    }
}

fn verify(strategy: &JwtStrategy, token: &str) -> Result<Principal, Error> {
    now_or_never(strategy.verify_token(token))
}

/// Through every strategy, as a bare token: nothing may verify.
fn assert_refused_everywhere(token: &str) -> Result<(), TestCaseError> {
    for strategy in [&ENV.strategy, &ENV.hmac] {
        let result = verify(strategy, token);
        prop_assert!(result.is_err(), "verified {token:?}");
    }
    Ok(())
}

/// Through the whole guard from raw `Authorization` bytes: nothing may authenticate.
fn assert_header_refused(value: &[u8]) -> Result<(), TestCaseError> {
    let Ok(value) = http::HeaderValue::from_bytes(value) else {
        return Ok(()); // not a header value the HTTP layer would hand over
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    for strategy in [&ENV.strategy, &ENV.hmac] {
        let result = now_or_never(strategy.authenticate(&headers));
        match result {
            Ok(_) => prop_assert!(false, "authenticated {headers:?}"),
            Err(e) => prop_assert_eq!(e.status(), 401),
        }
    }
    Ok(())
}

fn token_error(result: Result<Principal, Error>) -> Option<TokenError> {
    match result.err()?.into_kind() {
        ErrorKind::InvalidToken(reason) => Some(reason),
        _ => None,
    }
}

// ── strategies ───────────────────────────────────────────────────────────────────────

/// Text shaped like a token: base64url, dots and a little noise.
fn token_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_=+/. -]{0,400}",
        "[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,400}",
        any::<String>(),
        prop::collection::vec(any::<Vec<u8>>(), 0..6).prop_map(|segments| segments
            .iter()
            .map(|s| URL_SAFE_NO_PAD.encode(s))
            .collect::<Vec<_>>()
            .join(".")),
    ]
}

/// A JSON value of any shape, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JOSE header: a known or hostile `alg`, maybe a `kid`, maybe extra members.
fn header() -> impl Strategy<Value = Value> {
    let alg = prop_oneof![
        Just(json!("RS256")),
        Just(json!("ES256")),
        Just(json!("EdDSA")),
        Just(json!("HS256")),
        Just(json!("none")),
        Just(json!("NONE")),
        Just(json!("PS256")),
        Just(json!("ES512")),
        json_value(),
    ];
    let kid = prop_oneof![
        Just(None),
        Just(Some(json!("key-1"))),
        Just(Some(json!("key-2"))),
        Just(Some(json!("hs"))),
        json_value().prop_map(Some),
    ];
    let extra = prop::collection::btree_map(
        prop_oneof![
            Just("jku".to_owned()),
            Just("x5u".to_owned()),
            Just("jwk".to_owned()),
            Just("typ".to_owned()),
            "[a-z]{1,5}"
        ],
        json_value(),
        0..3,
    );
    (alg, kid, extra).prop_map(|(alg, kid, extra)| {
        let mut header: serde_json::Map<String, Value> = extra.into_iter().collect();
        header.insert("alg".into(), alg);
        if let Some(kid) = kid {
            header.insert("kid".into(), kid);
        }
        Value::Object(header)
    })
}

/// A time-claim value that is not a NumericDate from 0 to year 9999.
fn bad_numeric_date() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[0-9]{1,12}".prop_map(Value::from),
        "NaN|Infinity|-Infinity|1e999|null|".prop_map(Value::from),
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop::collection::vec(any::<u32>().prop_map(Value::from), 0..3).prop_map(Value::from),
        Just(json!({ "$date": 4_000_000_000u64 })),
        (253_402_300_800u64..=u64::MAX).prop_map(Value::from),
        (1e12f64..1e300).prop_map(Value::from),
        (i64::MIN..0).prop_map(Value::from),
        (-1e300f64..-1e-9).prop_map(Value::from),
    ]
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ── properties ───────────────────────────────────────────────────────────────────────

#[test]
fn the_valid_tokens_verify() {
    let _serial = serial();
    for (token, strategy) in ENV.valid[..3].iter().map(|t| (t, &ENV.strategy)) {
        let principal = verify(strategy, token).expect("valid token");
        assert_eq!(principal.subject(), Some("ada"));
    }
    verify(&ENV.hmac, &ENV.valid[3]).expect("valid HS256 token");
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn random_tokens_never_verify(token in token_like()) {
        let _serial = serial();
        assert_refused_everywhere(&token)?;
    }

    #[test]
    fn random_headers_never_authenticate(
        value in prop_oneof![
            any::<Vec<u8>>(),
            token_like().prop_map(|t| format!("Bearer {t}").into_bytes()),
            ("[bB][eE][aA][rR][eE][rR]", "[ \t]{0,3}", token_like())
                .prop_map(|(s, sp, t)| format!("{s}{sp}{t}").into_bytes()),
        ]
    ) {
        let _serial = serial();
        assert_header_refused(&value)?;
    }

    /// Well-formed tokens with a random header, random claims and a random signature.
    #[test]
    fn structured_forgeries_never_verify(
        header in header(),
        claims in json_value(),
        signature in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let _serial = serial();
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            URL_SAFE_NO_PAD.encode(&signature)
        );
        assert_refused_everywhere(&token)?;
    }

    /// The valid tokens with their segments cut, repeated, swapped or extended.
    #[test]
    fn mutated_tokens_never_verify(
        which in 0..4usize,
        cut in any::<prop::sample::Index>(),
        extra in "[A-Za-z0-9_.=-]{1,8}",
        how in 0..6u8,
    ) {
        let _serial = serial();
        let token = &ENV.valid[which];
        let parts: Vec<&str> = token.split('.').collect();
        let mutated = match how {
            0 => token[..cut.index(token.len())].to_owned(),
            1 => format!("{token}{extra}"),
            2 => format!("{extra}{token}"),
            3 => format!("{}.{}.{}", parts[0], parts[1], parts[0]),
            4 => format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], parts[2]),
            _ => {
                let at = cut.index(token.len());
                format!("{}{extra}{}", &token[..at], &token[at..])
            }
        };
        prop_assume!(mutated != *token);
        assert_refused_everywhere(&mutated)?;
    }

    /// Any single byte of a valid token changed to any other byte: never verifies, as a
    /// bare token or through the `Authorization` header.
    #[test]
    fn one_byte_changed_never_verifies(
        which in 0..4usize,
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let _serial = serial();
        let mut bytes = ENV.valid[which].clone().into_bytes();
        let at = at.index(bytes.len());
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        if let Ok(token) = std::str::from_utf8(&bytes) {
            assert_refused_everywhere(token)?;
        }
        let mut value = b"Bearer ".to_vec();
        value.extend_from_slice(&bytes);
        assert_header_refused(&value)?;
    }
}

/// The property above, exhaustively over positions: every byte of every valid token
/// replaced by every base64url character, `.`, `=`, space and `+`/`/`.
#[test]
fn every_position_every_base64url_character() {
    let _serial = serial();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= +/";
    let mut tried = 0;
    for token in &ENV.valid {
        for at in 0..token.len() {
            for &byte in alphabet {
                let mut bytes = token.clone().into_bytes();
                if bytes[at] == byte {
                    continue;
                }
                bytes[at] = byte;
                let mutated = String::from_utf8(bytes).expect("ascii");
                for strategy in [&ENV.strategy, &ENV.hmac] {
                    assert!(verify(strategy, &mutated).is_err(), "{mutated}");
                }
                tried += 1;
            }
        }
    }
    println!("every position, every character: {tried} tokens refused");
    assert!(tried > 50_000, "{tried}");
}

proptest! {
    #![proptest_config(config(400))]

    /// Validly signed tokens whose `exp`, `nbf` or `iat` has the wrong type or an absurd
    /// value: refused as an invalid claim, never read as absent.
    #[test]
    fn time_claims_of_the_wrong_type_are_refused(
        claim in prop::sample::select(vec!["exp", "nbf", "iat"]),
        value in bad_numeric_date(),
    ) {
        let _serial = serial();
        let mut claims = ENV.issuer.claims(json!({ "sub": "ada" }));
        claims[claim] = value.clone();
        let token = hs256(&json!({ "alg": "HS256" }), &claims);
        prop_assert_eq!(
            token_error(verify(&ENV.hmac, &token)),
            Some(TokenError::InvalidClaim(claim)),
            "{} = {}", claim, value
        );
    }

    /// A repeated member name, in the header or anywhere in the claims, even with a
    /// valid signature and the same value twice: refused.
    #[test]
    fn repeated_member_names_are_refused(
        name in prop_oneof![
            prop::sample::select(vec!["alg", "kid", "typ", "crit", "exp", "iss", "sub", "aud"])
                .prop_map(str::to_owned),
            "[a-z]{1,6}",
        ],
        value in json_value(),
        in_header in any::<bool>(),
        nested in any::<bool>(),
    ) {
        let _serial = serial();
        let member = format!("{}:{value}", Value::from(name.as_str()));
        let claims = ENV.issuer.claims(json!({ "sub": "ada" })).to_string();
        let (header, claims) = if in_header {
            (format!(r#"{{"alg":"HS256",{member},{member}}}"#), claims)
        } else if nested {
            let claims = claims.trim_end_matches('}');
            (r#"{"alg":"HS256"}"#.to_owned(), format!(r#"{claims},"o":{{{member},{member}}}}}"#))
        } else {
            let claims = claims.trim_end_matches('}');
            (r#"{"alg":"HS256"}"#.to_owned(), format!("{claims},{member},{member}}}"))
        };
        let token = hs256_raw(header.as_bytes(), claims.as_bytes());
        prop_assert_eq!(token_error(verify(&ENV.hmac, &token)), Some(TokenError::Malformed));
    }

    /// `iss` is compared byte for byte: case, trailing slash, whitespace, lookalikes,
    /// prefixes and suffixes all fail.
    #[test]
    fn issuer_is_compared_exactly(
        how in 0..7u8,
        noise in "[ -~]{1,4}",
    ) {
        let _serial = serial();
        let real = ENV.issuer.issuer().to_owned();
        let wrong = match how {
            0 => real.to_uppercase(),
            1 => format!("{real}/"),
            2 => format!(" {real}"),
            3 => format!("{real}{noise}"),
            4 => format!("{noise}{real}"),
            5 => real.replacen("http", "https", 1),
            _ => real.replacen('1', "\u{0661}", 1),
        };
        prop_assume!(wrong != real);
        let claims = ENV.issuer.claims(json!({ "iss": wrong }));
        let token = hs256(&json!({ "alg": "HS256" }), &claims);
        prop_assert_eq!(token_error(verify(&ENV.hmac, &token)), Some(TokenError::InvalidIssuer));
    }
}

// ── key confusion and header-supplied keys ──────────────────────────────────────────

/// HS256 signed with the issuer's public key in every form an attacker might try as the
/// secret: refused by the public-key strategy, and by the bare signature layer even with
/// HS256 allowed (the key's type pins it). The builder refuses the configurations that
/// would invite it.
#[test]
fn key_confusion_is_refused_at_build_and_at_verify() {
    let _serial = serial();
    let issuer = &ENV.issuer;
    let jwk = issuer.jwks()["keys"][0].clone();
    let n = URL_SAFE_NO_PAD
        .decode(jwk["n"].as_str().expect("n"))
        .expect("base64url");
    let pem = issuer.public_key_pem(&issuer.kid());
    let claims = issuer.claims(json!({ "sub": "mallory" }));
    let keys = KeySet::from_jwks_json(issuer.jwks().to_string().as_bytes()).expect("keys");
    let all = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ];
    for secret in [
        pem.as_bytes(),
        pem.trim_end().as_bytes(),
        &n,
        jwk.to_string().as_bytes(),
        jwk["n"].as_str().unwrap_or_default().as_bytes(),
    ] {
        for (alg, hash) in [
            ("HS256", aws_lc_rs::hmac::HMAC_SHA256),
            ("HS512", aws_lc_rs::hmac::HMAC_SHA512),
        ] {
            for kid in [Some(issuer.kid()), None] {
                let mut header = json!({ "alg": alg });
                if let Some(kid) = &kid {
                    header["kid"] = json!(kid);
                }
                let input = format!(
                    "{}.{}",
                    URL_SAFE_NO_PAD.encode(header.to_string()),
                    URL_SAFE_NO_PAD.encode(claims.to_string())
                );
                let key = aws_lc_rs::hmac::Key::new(hash, secret);
                let mac = aws_lc_rs::hmac::sign(&key, input.as_bytes());
                let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac));
                assert_eq!(
                    token_error(verify(&ENV.strategy, &token)),
                    Some(TokenError::AlgorithmNotAllowed)
                );
                let bare = jwt_guard::verify::verify_jws(&token, &keys, &all, &Limits::default());
                assert!(
                    matches!(bare, Err(TokenError::UnknownKey | TokenError::AmbiguousKey)),
                    "{bare:?}"
                );
            }
        }
    }
    // The configurations that would let it happen do not build.
    let mixed = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .hmac_secret(HMAC_SECRET, None)
        .algorithms([Algorithm::HS256, Algorithm::RS256])
        .build();
    assert!(mixed.is_err());
    let fetched_secret = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .algorithms([Algorithm::HS256])
        .build();
    assert!(fetched_secret.is_err());
}

/// A token naming a key URL (`jku`, `x5u`) or embedding a key (`jwk`, `x5c`), signed by
/// the attacker's key: refused, and the attacker's server on 127.0.0.1 never hears from
/// the guard, while the real key server does.
#[test]
fn header_key_urls_are_never_fetched() {
    let _serial = serial();
    ENV.runtime.block_on(async {
        let attacker = Issuer::start().await.expect("attacker");
        let victim = Issuer::start().await.expect("victim");
        let strategy = JwtStrategy::builder()
            .issuer(victim.issuer())
            .build()
            .expect("strategy");
        let attacker_jwk = attacker.jwks()["keys"][0].clone();
        let claims = victim.claims(json!({ "sub": "mallory" }));
        for kid in [victim.kid(), "attacker-key".to_owned()] {
            for member in ["jku", "x5u", "jwk", "x5c"] {
                let value = match member {
                    "jwk" => attacker_jwk.clone(),
                    "x5c" => json!([STANDARD.encode(b"not a certificate")]),
                    _ => json!(attacker.jwks_uri()),
                };
                let header = json!({ "alg": "RS256", "kid": kid, member: value });
                let token = attacker.sign(&header, &claims);
                let result = strategy.verify_token(&token).await;
                assert!(result.is_err(), "{member} with kid {kid}");
            }
        }
        assert_eq!(attacker.jwks_requests(), 0);
        assert_eq!(attacker.discovery_requests(), 0);
        assert!(victim.jwks_requests() >= 1);
    });
}

// ── resource caps ────────────────────────────────────────────────────────────────────

/// The default token cap (the `Authorization` header's 16 KiB).
const CAP: usize = 16 * 1024;

/// The most any one request may make the guard allocate, in total (an upper bound on its
/// peak): a small multiple of the cap.
const ALLOCATION_BOUND: usize = 32 * CAP;

/// Bytes allocated, in total, by one run of the whole guard on `value`.
fn allocated_by(strategy: &JwtStrategy, value: &[u8]) -> usize {
    let Ok(value) = http::HeaderValue::from_bytes(value) else {
        return 0;
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    let region = Region::new(GLOBAL);
    let result = now_or_never(strategy.authenticate(&headers));
    let bytes = region.change().bytes_allocated;
    drop(result);
    bytes
}

/// Tokens at or near the cap built to make the guard allocate: claims that are many
/// small values (validly signed, the only way to reach claim parsing), deep nesting, long
/// strings, thousands of dots, huge segments, a header of many members.
fn hostile_values() -> Vec<(String, Vec<u8>)> {
    let header = |h: &str| URL_SAFE_NO_PAD.encode(h);
    let room = CAP - 200; // "Bearer ", the header, the MAC
    let signed_claims = |body: String| {
        let claims = format!(
            r#"{{"iss":"{}","exp":9999999999,{body}}}"#,
            ENV.issuer.issuer()
        );
        hs256_raw(br#"{"alg":"HS256"}"#, claims.as_bytes())
    };
    // Each claims body is sized so the base64 token stays just under the cap.
    let fit = |unit: &str| unit.repeat(room * 3 / 4 / unit.len() - 20);
    let many_numbers = format!(r#""a":[{}0]"#, fit("0,"));
    let many_members: String = (0..room * 3 / 4 / 10 - 20)
        .map(|i| format!(r#""{i:05}":0,"#))
        .collect::<String>()
        + r#""z":0"#;
    let many_objects = format!(r#""a":[{}{{}}]"#, fit("{},"));
    let many_strings = format!(r#""a":[{}""]"#, fit(r#""","#));
    let deep = format!(r#""a":{}1{}"#, "[".repeat(127), "]".repeat(127));
    let long_string = format!(r#""a":"{}""#, fit("x"));
    let escapes = format!(r#""a":"{}""#, fit("\\u00e9"));
    let values = vec![
        ("many numbers".into(), signed_claims(many_numbers)),
        ("many members".into(), signed_claims(many_members)),
        ("many objects".into(), signed_claims(many_objects)),
        ("many strings".into(), signed_claims(many_strings)),
        ("deep nesting".into(), signed_claims(deep)),
        ("long string".into(), signed_claims(long_string)),
        ("escapes".into(), signed_claims(escapes)),
        ("dots".into(), ".".repeat(room)),
        ("segments".into(), "a.".repeat(room / 2)),
        (
            "header of many members".into(),
            format!(
                "{}.e30.c2ln",
                header(&format!(
                    r#"{{"alg":"HS256",{}"z":0}}"#,
                    (0..70)
                        .map(|i| format!(r#""{i:02}":0,"#))
                        .collect::<String>()
                ))
            ),
        ),
        (
            "huge payload".into(),
            format!("{}.{}.c2ln", header(r#"{"alg":"HS256"}"#), "A".repeat(room)),
        ),
        (
            "huge signature".into(),
            format!("{}.e30.{}", header(r#"{"alg":"HS256"}"#), "A".repeat(room)),
        ),
    ];
    values
        .into_iter()
        .map(|(name, token)| (name, format!("Bearer {token}").into_bytes()))
        .chain([
            ("over the cap".into(), vec![b'a'; 1024 * 1024]),
            ("binary".into(), vec![0x80; CAP]),
        ])
        .collect()
}

#[test]
fn hostile_inputs_allocate_a_small_multiple_of_the_cap() {
    let _serial = serial();
    LazyLock::force(&ENV);
    let mut report = Vec::new();
    for (name, value) in hostile_values() {
        assert!(value.len() <= CAP || name == "over the cap", "{name}");
        for strategy in [&ENV.strategy, &ENV.hmac] {
            let bytes = allocated_by(strategy, &value);
            report.push(format!("{name}: {bytes}"));
            assert!(
                bytes <= ALLOCATION_BOUND,
                "{name}: {bytes} bytes allocated, over {ALLOCATION_BOUND}"
            );
        }
    }
    println!("allocations: {}", report.join(", "));
}

proptest! {
    #![proptest_config(config(200))]

    /// Random validly signed claims up to the cap stay under the allocation bound too.
    #[test]
    fn signed_claims_allocate_a_small_multiple_of_the_cap(claims in json_value()) {
        let _serial = serial();
        let token = hs256(&json!({ "alg": "HS256" }), &json!({ "c": claims }));
        let value = format!("Bearer {token}").into_bytes();
        prop_assume!(value.len() <= CAP);
        let bytes = allocated_by(&ENV.hmac, &value);
        prop_assert!(bytes <= ALLOCATION_BOUND, "{} bytes", bytes);
    }
}

// ── fuzzing finds, kept ──────────────────────────────────────────────────────────────

/// Inputs that crashed a fuzz target (`fuzz/`), replayed as the target ran them. Files
/// under `testdata/fuzz/token/`: the first byte is the mode; odd means `header 0xFF claims`,
/// signed before verification.
#[test]
fn fuzz_regressions_stay_fixed() {
    let _serial = serial();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz/token");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("regression inputs") {
        let data = std::fs::read(entry.expect("entry").path()).expect("read");
        let Some((&mode, rest)) = data.split_first() else {
            continue;
        };
        let token = if mode % 2 == 1 {
            let at = rest.iter().position(|&b| b == 0xff).unwrap_or(rest.len());
            let claims = rest.get(at + 1..).unwrap_or(b"{}");
            hs256_raw(&rest[..at], claims)
        } else {
            String::from_utf8_lossy(rest).into_owned()
        };
        for strategy in [&ENV.strategy, &ENV.hmac] {
            assert!(verify(strategy, &token).is_err(), "{token}");
        }
        replayed += 1;
    }
    assert!(replayed >= 1);
}

// ── the token cache's bounds (issue 10) ──────────────────────────────────────────────

/// A strategy over the issuer's pinned keys with the token cache on.
fn cached(config: jwt_guard::cache::TokenCacheConfig) -> JwtStrategy {
    JwtStrategy::builder()
        .issuer(ENV.issuer.issuer())
        .jwks_json(ENV.issuer.jwks().to_string().as_bytes())
        .token_cache(config)
        .build()
        .expect("strategy")
}

#[test]
fn token_cache_max_entries_is_a_hard_bound() {
    let _serial = serial();
    for max_entries in [1, 10, 100] {
        let mut config = jwt_guard::cache::TokenCacheConfig::default();
        config.max_entries = max_entries;
        let strategy = cached(config);
        for i in 0..(2 * max_entries + 100) {
            let token = ENV.issuer.token(json!({ "sub": format!("user-{i}") }));
            verify(&strategy, &token).expect("valid token");
            assert!(
                strategy.cached_tokens() <= max_entries,
                "{} tokens held with max_entries = {max_entries}",
                strategy.cached_tokens()
            );
        }
        assert!(strategy.cached_tokens() > 0);
    }
}

/// Tokens near the 4 KiB cacheable cap whose claims are large arrays: the memory they
/// hold is many times their length.
fn array_tokens(count: usize, elements: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            ENV.issuer
                .token(json!({ "sub": format!("user-{i}"), "a": vec![0; elements] }))
        })
        .collect()
}

#[test]
fn token_cache_memory_stays_within_max_bytes() {
    let _serial = serial();
    let tokens = array_tokens(128, 1290);
    assert!(
        tokens.iter().all(|t| t.len() <= 4096),
        "{}",
        tokens[0].len()
    );
    let mut config = jwt_guard::cache::TokenCacheConfig::default();
    config.max_bytes = 1024 * 1024;
    let strategy = cached(config);
    let region = Region::new(GLOBAL);
    for token in &tokens {
        verify(&strategy, token).expect("valid token");
    }
    let change = region.change();
    let retained = change.bytes_allocated as i64 - change.bytes_deallocated as i64;
    eprintln!(
        "{} tokens of {} bytes cached: {retained} bytes retained (max_bytes 1 MiB)",
        strategy.cached_tokens(),
        tokens[0].len()
    );
    assert!(retained <= 2 * 1024 * 1024, "{retained} bytes retained");
}

#[test]
fn token_cache_weight_is_the_memory_held() {
    let _serial = serial();
    let shapes: Vec<(&str, Vec<String>)> = vec![
        (
            "small claims",
            (0..200)
                .map(|i| ENV.issuer.token(json!({ "sub": format!("user-{i}") })))
                .collect(),
        ),
        ("1290-element arrays", array_tokens(100, 1290)),
        (
            "many strings",
            (0..100)
                .map(|i| {
                    let roles: Vec<String> = (0..150).map(|r| format!("role-{i}-{r}")).collect();
                    ENV.issuer
                        .token(json!({ "sub": i.to_string(), "roles": roles }))
                })
                .collect(),
        ),
        (
            "nested objects",
            (0..100)
                .map(|i| {
                    let map: serde_json::Map<String, Value> = (0..80)
                        .map(|k| (format!("k{k}"), json!({ "v": k, "i": i })))
                        .collect();
                    ENV.issuer.token(json!({ "sub": i.to_string(), "m": map }))
                })
                .collect(),
        ),
    ];
    for (shape, tokens) in shapes {
        let mut config = jwt_guard::cache::TokenCacheConfig::default();
        config.max_entries = usize::MAX;
        config.max_bytes = 64 * 1024 * 1024;
        let strategy = cached(config);
        let region = Region::new(GLOBAL);
        for token in &tokens {
            verify(&strategy, token).expect("valid token");
        }
        let change = region.change();
        let retained = (change.bytes_allocated - change.bytes_deallocated) as f64;
        let weight = jwt_guard::testkit::cached_weight(&strategy) as f64;
        assert_eq!(strategy.cached_tokens(), tokens.len(), "{shape}");
        eprintln!(
            "{shape}: {} entries, weight {weight} B, counting allocator {retained} B (ratio {:.2})",
            tokens.len(),
            weight / retained
        );
        assert!(
            (0.5..=2.0).contains(&(weight / retained)),
            "{shape}: weight {weight} vs {retained} bytes really held"
        );
    }
}
