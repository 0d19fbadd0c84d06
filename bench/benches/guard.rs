//! Micro-benchmarks: the full guard path against its baselines, measured in the same run.
//!
//! For each algorithm:
//! - `raw`: aws-lc's signature check alone, key pre-parsed, signature pre-decoded
//!   (the floor);
//! - `jsonwebtoken`: a bare `jsonwebtoken::decode` with a pre-built key and validation;
//! - `guard`: `Authorization` header → registry → key lookup → verify → claims, through
//!   `jwt_guard::authenticate`, keys from a warmed JWKS engine (127.0.0.1 testkit issuer).
//!
//! Then the pieces (extraction, registry lookup), the rejection paths, the
//! verified-token cache, and scaling with token size, keys in the set and strategies.
//! `python3 bench/ratios.py` turns the results into the ratios of BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures_util::FutureExt as _;
use http::HeaderMap;
use jwt_guard::TokenCacheConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Algorithm, JwtStrategy, Registry};
use serde_json::{Value, json};

const HMAC_SECRET: &[u8] = b"an HMAC secret of at least thirty-two bytes";

struct Case {
    alg: Algorithm,
    name: &'static str,
    token: String,
    headers: HeaderMap,
    raw: Raw,
    decoding_key: jsonwebtoken::DecodingKey,
    validation: jsonwebtoken::Validation,
}

enum Raw {
    Public(ParsedPublicKey),
    Hmac(Box<hmac::Key>),
}

impl Raw {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Raw::Public(key) => key.verify_sig(message, signature).is_ok(),
            Raw::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
        }
    }
}

fn headers(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    headers.insert("accept", "application/json".parse().expect("header"));
    headers.insert("user-agent", "bench/1.0".parse().expect("header"));
    headers
}

fn b64(value: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(value).expect("base64url")
}

fn raw_key(alg: Algorithm, jwk: &Value) -> Raw {
    let s = |name: &str| b64(jwk[name].as_str().expect("member"));
    let parsed = match alg {
        Algorithm::RS256 => RsaPublicKeyComponents {
            n: s("n"),
            e: s("e"),
        }
        .to_parsed_public_key(&sig::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::PS256 => RsaPublicKeyComponents {
            n: s("n"),
            e: s("e"),
        }
        .to_parsed_public_key(&sig::RSA_PSS_2048_8192_SHA256),
        Algorithm::ES256 => {
            let mut point = vec![4];
            point.extend(s("x"));
            point.extend(s("y"));
            ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, point)
        }
        Algorithm::EdDSA => ParsedPublicKey::new(&sig::ED25519, s("x")),
        _ => return Raw::Hmac(Box::new(hmac::Key::new(hmac::HMAC_SHA256, HMAC_SECRET))),
    };
    Raw::Public(parsed.expect("key"))
}

fn hs256_token(claims: &Value) -> String {
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": "hs" });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, HMAC_SECRET),
        input.as_bytes(),
    );
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    issuer: Issuer,
    cases: Vec<Case>,
}

fn setup() -> Setup {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _enter = runtime.enter();
    let issuer = runtime.block_on(Issuer::start()).expect("issuer");
    let mut cases = Vec::new();
    for (alg, name) in [
        (Algorithm::RS256, "RS256"),
        (Algorithm::PS256, "PS256"),
        (Algorithm::ES256, "ES256"),
        (Algorithm::EdDSA, "EdDSA"),
        (Algorithm::HS256, "HS256"),
    ] {
        let claims = issuer.claims(json!({ "sub": "bench-user", "scope": "orders:read" }));
        let (token, strategy, jwk) = if alg == Algorithm::HS256 {
            let strategy = JwtStrategy::builder()
                .issuer(issuer.issuer())
                .algorithms([alg])
                .hmac_secret(HMAC_SECRET, Some("hs"))
                .build()
                .expect("strategy");
            (hs256_token(&claims), strategy, Value::Null)
        } else {
            let kid = if alg == Algorithm::RS256 {
                issuer.kid()
            } else {
                issuer.add_key(alg).expect("key")
            };
            let jwks = issuer.jwks();
            let jwk = jwks["keys"]
                .as_array()
                .expect("keys")
                .iter()
                .find(|k| k["kid"] == kid)
                .cloned()
                .expect("jwk");
            let strategy = JwtStrategy::builder()
                .issuer(issuer.issuer())
                .algorithms([alg])
                .build()
                .expect("strategy");
            runtime
                .block_on(strategy.jwks().expect("remote").warm_up())
                .expect("warm up");
            (issuer.token_with(&kid, claims), strategy, jwk)
        };
        jwt_guard::register(&format!("bench-{name}"), strategy).expect("register");
        let decoding_key = if alg == Algorithm::HS256 {
            jsonwebtoken::DecodingKey::from_secret(HMAC_SECRET).expect("secret")
        } else {
            jsonwebtoken::DecodingKey::from_jwk(&serde_json::from_value(jwk.clone()).expect("jwk"))
                .expect("key")
        };
        let jwt_alg: jsonwebtoken::Algorithm = alg.as_str().parse().expect("same names");
        let mut validation = jsonwebtoken::Validation::new(jwt_alg);
        validation.set_issuer(&[issuer.issuer()]);
        cases.push(Case {
            alg,
            name,
            headers: headers(&token),
            token,
            raw: raw_key(alg, &jwk),
            decoding_key,
            validation,
        });
    }
    Setup {
        runtime,
        issuer,
        cases,
    }
}

fn authenticate(name: &str, headers: &HeaderMap) -> Result<jwt_guard::Principal, jwt_guard::Error> {
    Registry::global()
        .authenticate(&[name], headers)
        .now_or_never()
        .expect("the guard never waits once keys are cached")
}

fn verify_paths(c: &mut Criterion, setup: &Setup) {
    for case in &setup.cases {
        let mut group = c.benchmark_group(format!("verify/{}", case.name));
        let (input, signature) = case.token.rsplit_once('.').expect("token");
        let signature = b64(signature);
        assert!(case.raw.verify(input.as_bytes(), &signature));
        group.bench_function("raw", |b| {
            b.iter(|| {
                black_box(
                    case.raw
                        .verify(black_box(input.as_bytes()), black_box(&signature)),
                )
            })
        });
        assert!(
            jsonwebtoken::decode::<Value>(&case.token, &case.decoding_key, &case.validation)
                .is_ok()
        );
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Value>(
                    black_box(&case.token),
                    &case.decoding_key,
                    &case.validation,
                )
                .expect("valid")
            })
        });
        let name = format!("bench-{}", case.name);
        assert_eq!(
            authenticate(&name, &case.headers).expect("valid").subject(),
            Some("bench-user")
        );
        group.bench_function("guard", |b| {
            b.iter(|| authenticate(black_box(&name), black_box(&case.headers)).expect("valid"))
        });
        group.finish();
        let _ = case.alg;
    }
}

fn pieces_and_rejections(c: &mut Criterion, setup: &Setup) {
    let rs = &setup.cases[0];
    let mut group = c.benchmark_group("pieces");
    group.bench_function("bearer_extraction", |b| {
        b.iter(|| {
            jwt_guard::low_level::bearer_token(black_box(&rs.headers), 8192)
                .expect("bearer")
                .len()
        })
    });
    group.bench_function("registry_lookup", |b| {
        b.iter(|| Registry::global().contains(black_box("bench-RS256")))
    });
    group.finish();

    let issuer = &setup.issuer;
    let mut group = c.benchmark_group("reject/RS256");
    let cases: Vec<(&str, String)> = vec![
        ("malformed", "not-a-jwt".to_owned()),
        ("expired", issuer.token(json!({ "exp": 1_000_000 }))),
        (
            "unknown_kid",
            issuer.sign(
                &json!({ "alg": "RS256", "kid": "nope" }),
                &issuer.claims(json!({})),
            ),
        ),
        ("bad_signature", {
            let (input, _) = rs.token.rsplit_once('.').expect("token");
            let other = issuer.token(json!({ "sub": "someone-else" }));
            format!("{input}.{}", other.rsplit_once('.').expect("token").1)
        }),
    ];
    for (name, token) in &cases {
        let headers = headers(token);
        // The first unknown kid starts the (one) refetch; later ones hit the cooldown.
        let _ = setup
            .runtime
            .block_on(Registry::global().authenticate(&["bench-RS256"], &headers));
        assert!(
            authenticate("bench-RS256", &headers).is_err(),
            "{name} must be refused"
        );
        group.bench_function(*name, |b| {
            b.iter(|| authenticate("bench-RS256", black_box(&headers)).is_err())
        });
    }
    group.finish();
}

fn token_cache(c: &mut Criterion, setup: &Setup) {
    let issuer = &setup.issuer;
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .token_cache(TokenCacheConfig::default())
        .build()
        .expect("strategy");
    setup
        .runtime
        .block_on(strategy.jwks().expect("remote").warm_up())
        .expect("warm up");
    jwt_guard::register("bench-cached", strategy).expect("register");
    let headers = &setup.cases[0].headers;
    assert!(authenticate("bench-cached", headers).is_ok());
    let mut group = c.benchmark_group("token_cache/RS256");
    group.bench_function("hit", |b| {
        b.iter(|| authenticate("bench-cached", black_box(headers)).expect("valid"))
    });
    group.bench_function("miss_verify", |b| {
        b.iter(|| authenticate("bench-RS256", black_box(headers)).expect("valid"))
    });
    group.finish();
}

fn scaling(c: &mut Criterion, setup: &Setup) {
    let issuer = &setup.issuer;
    let mut group = c.benchmark_group("scaling/claims_bytes");
    for kib in [1usize, 2, 4, 8] {
        // Pad the claims to about `kib` KiB; the token cap is raised to fit.
        let padding = "x".repeat(kib * 1024);
        let token = issuer.token(json!({ "sub": "big", "padding": padding }));
        let name = format!("bench-size-{kib}");
        let mut limits = jwt_guard::low_level::Limits::default();
        limits.max_token_bytes = 16 * 1024;
        limits.max_payload_bytes = 16 * 1024;
        let strategy = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .max_header_bytes(16 * 1024)
            .limits(limits)
            .build()
            .expect("strategy");
        setup
            .runtime
            .block_on(strategy.jwks().expect("remote").warm_up())
            .expect("warm up");
        jwt_guard::register(&name, strategy).expect("register");
        let headers = headers(&token);
        assert!(authenticate(&name, &headers).is_ok());
        group.bench_with_input(BenchmarkId::from_parameter(kib), &headers, |b, headers| {
            b.iter(|| authenticate(&name, black_box(headers)).expect("valid"))
        });
    }
    group.finish();

    // Keys in the set: 1 → 100 (a separate issuer; filler keys are EC, cheap to make).
    let many = setup.runtime.block_on(Issuer::start()).expect("issuer");
    let mut group = c.benchmark_group("scaling/keys_in_set");
    let mut published = 1;
    for keys in [1usize, 10, 100] {
        while published < keys {
            many.add_key(Algorithm::ES256).expect("key");
            published += 1;
        }
        let name = format!("bench-keys-{keys}");
        let strategy = JwtStrategy::builder()
            .issuer(many.issuer())
            .build()
            .expect("strategy");
        setup
            .runtime
            .block_on(strategy.jwks().expect("remote").warm_up())
            .expect("warm up");
        assert_eq!(strategy.jwks().expect("remote").status().keys, keys);
        jwt_guard::register(&name, strategy).expect("register");
        let headers = headers(&many.token(json!({})));
        group.bench_with_input(BenchmarkId::from_parameter(keys), &headers, |b, headers| {
            b.iter(|| authenticate(&name, black_box(headers)).expect("valid"))
        });
    }
    group.finish();

    // Registered strategies: 1 → 100 (the registry already holds the ones above).
    let mut group = c.benchmark_group("scaling/strategies");
    let headers = &setup.cases[0].headers;
    let mut registered = Registry::global().names().len();
    for strategies in [10usize, 100] {
        while registered < strategies {
            let filler = JwtStrategy::builder()
                .issuer(issuer.issuer())
                .build()
                .expect("strategy");
            jwt_guard::register(&format!("filler-{registered}"), filler).expect("register");
            registered += 1;
        }
        group.bench_with_input(
            BenchmarkId::from_parameter(strategies),
            headers,
            |b, headers| b.iter(|| authenticate("bench-RS256", black_box(headers)).expect("valid")),
        );
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let setup = setup();
    let _enter = setup.runtime.enter();
    verify_paths(c, &setup);
    pieces_and_rejections(c, &setup);
    token_cache(c, &setup);
    scaling(c, &setup);
}

criterion_group! {
    name = guard;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40);
    targets = benches
}
criterion_main!(guard);
