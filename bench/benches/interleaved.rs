//! Same-run ratios that hold on a noisy machine: the two sides of each comparison are
//! timed in alternating batches (ABAB…, the order flipped every pair), one ratio per
//! pair, and the median and spread of the pair ratios are reported.
//!
//! `cargo bench -p jwt-guard-bench --bench interleaved` (add `-- --quick` for a short
//! run). Prints Markdown rows for BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::FutureExt as _;
use http::HeaderMap;
use jwt_guard::IntrospectionStrategy;
use jwt_guard::TokenCacheConfig;
use jwt_guard::authz::{Requirement, ScopeRule};
use jwt_guard::mtls::{ClientCertificate, MtlsConfig};
use jwt_guard::testkit::Issuer;
use jwt_guard::{Algorithm, JwtStrategy, Policy, Registry, RequestInfo, TokenSource};
use jwt_guard_bench::{each, interleave};
use serde_json::{Value, json};

fn headers(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    headers.insert("accept", "application/json".parse().expect("header"));
    headers
}

fn b64(value: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(value.as_str().expect("string"))
        .expect("base64url")
}

/// The raw aws-lc verification of `token` with a key parsed once: the floor.
fn raw_verifier(alg: Algorithm, jwk: &Value) -> ParsedPublicKey {
    match alg {
        Algorithm::RS256 => RsaPublicKeyComponents {
            n: b64(&jwk["n"]),
            e: b64(&jwk["e"]),
        }
        .to_parsed_public_key(&sig::RSA_PKCS1_2048_8192_SHA256)
        .expect("key"),
        Algorithm::ES256 => {
            let mut point = vec![4];
            point.extend(b64(&jwk["x"]));
            point.extend(b64(&jwk["y"]));
            ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, point).expect("key")
        }
        _ => unreachable!("RS256 and ES256 only"),
    }
}

/// `INTERLEAVED_PROFILE=ROW[:SECONDS]` (ROW one of `rs200`, `rs1024`, `es200`, `es1024`,
/// `hit`): the seconds (default 10) to spend looping the B side of that row alone, for a
/// profiler (`perf record`); the other rows are skipped.
fn profile(row: &str) -> Option<u64> {
    let wanted = std::env::var("INTERLEAVED_PROFILE").ok()?;
    let (name, seconds) = wanted.split_once(':').unwrap_or((&wanted, "10"));
    (name == row).then(|| seconds.parse().unwrap_or(10))
}

/// Runs `f` for `seconds`.
fn spin<T>(seconds: u64, f: &dyn Fn() -> T) {
    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        for _ in 0..1000 {
            black_box(f());
        }
    }
}

/// Claims of about `bytes` bytes of JSON: registered claims, scopes and roles, padded
/// with a profile of ordinary string members.
fn claims(issuer: &Issuer, bytes: usize) -> Value {
    let mut claims = issuer.claims(json!({
        "sub": "bench-user",
        "aud": "api",
        "scope": "orders:read orders:write profile",
        "roles": ["admin", "ops"],
    }));
    let mut i = 0;
    while claims.to_string().len() < bytes {
        claims[format!("attribute_{i}")] = json!(format!("value number {i} of the profile"));
        i += 1;
    }
    claims
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (pairs, target) = if quick {
        (11, Duration::from_millis(5))
    } else {
        (41, Duration::from_millis(20))
    };
    let issuer = Issuer::offline("https://bench.issuer.test").expect("issuer");
    let es_kid = issuer.add_key(Algorithm::ES256).expect("key");
    let jwks = issuer.jwks();
    let jwk = |kid: &str| {
        jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|k| k["kid"] == kid)
            .cloned()
            .expect("jwk")
    };
    let registry = Registry::new();
    let pinned = |algs: &[Algorithm], cache: bool| {
        let mut builder = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .algorithms(algs.iter().copied())
            .jwks_json(jwks.to_string().as_bytes());
        if cache {
            builder = builder.token_cache(TokenCacheConfig::default());
        }
        builder.build().expect("strategy")
    };
    registry
        .register("rs", pinned(&[Algorithm::RS256], false))
        .expect("register");
    registry
        .register("es", pinned(&[Algorithm::ES256], false))
        .expect("register");
    registry
        .register("rs-cached", pinned(&[Algorithm::RS256], true))
        .expect("register");
    let wildcard = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_json(jwks.to_string().as_bytes())
        .token_cache(TokenCacheConfig::default())
        .scope_rule(ScopeRule::wildcard())
        .build()
        .expect("strategy");
    registry
        .register("rs-cached-wildcard", wildcard)
        .expect("register");
    let cookie_strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .algorithms([Algorithm::RS256])
        .jwks_json(jwks.to_string().as_bytes())
        .token_cache(TokenCacheConfig::default())
        .token_source(TokenSource::cookie("__Host-at"))
        .build()
        .expect("strategy");
    registry
        .register("rs-cached-cookie", cookie_strategy)
        .expect("register");

    println!(
        "| comparison | claims | A per op | B per op | B / A: median | p25 – p75 | B − A (median) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (alg, kid, name) in [
        (Algorithm::RS256, issuer.kid(), "rs"),
        (Algorithm::ES256, es_kid.clone(), "es"),
    ] {
        for size in [200usize, 1024] {
            let token = issuer.token_with(&kid, claims(&issuer, size));
            let (input, signature) = token.rsplit_once('.').expect("token");
            let signature = URL_SAFE_NO_PAD.decode(signature).expect("signature");
            let key = raw_verifier(alg, &jwk(&kid));
            let headers = headers(&token);
            let guard = || {
                registry
                    .authenticate(&[name], &headers)
                    .now_or_never()
                    .expect("no wait once keys are pinned")
                    .expect("verified")
            };
            let raw = || {
                key.verify_sig(input.as_bytes(), &signature)
                    .expect("verified")
            };
            if let Some(seconds) = profile(&format!("{name}{size}")) {
                spin(seconds, &guard);
                return;
            }
            // Batch size: about `target` of the slower side.
            let start = Instant::now();
            black_box(guard());
            let one = start.elapsed().max(Duration::from_nanos(100));
            let batch = (target.as_nanos() / one.as_nanos()).clamp(10, 100_000) as usize;
            let result = interleave(
                pairs,
                batch,
                true,
                &mut each(|| {
                    raw();
                    black_box(());
                }),
                &mut each(|| {
                    black_box(guard());
                }),
            );
            println!(
                "| A raw aws-lc {alg} verify, B jwt-guard full path | {} B | {} |",
                input.len() * 3 / 4 - 40,
                result.cells(),
            );
        }
    }

    // Token-cache hit: the guard path with the cache on, against extraction alone.
    let token = issuer.token(claims(&issuer, 1024));
    let headers = headers(&token);
    let hit = || {
        registry
            .authenticate(&["rs-cached"], &headers)
            .now_or_never()
            .expect("no wait")
            .expect("verified")
    };
    black_box(hit());
    if let Some(seconds) = profile("hit") {
        spin(seconds, &hit);
        return;
    }
    let extract = || jwt_guard::low_level::bearer_token(&headers, 16 * 1024).expect("token");
    let result = interleave(
        pairs,
        (target.as_nanos() / 500) as usize,
        true,
        &mut each(|| {
            black_box(extract());
        }),
        &mut each(|| {
            black_box(hit());
        }),
    );
    println!(
        "| A bearer extraction alone, B token-cache hit (full path) | 1 KiB | {} |",
        result.cells(),
    );

    // Token sources (issue 21): a cache hit with the token in a cookie (among others, as
    // browsers send them) against the same hit from the Authorization header.
    let mut cookie_headers = HeaderMap::new();
    cookie_headers.insert(
        "cookie",
        format!("theme=dark; lang=en; __Host-at={token}; _ga=GA1.2.3")
            .parse()
            .expect("header"),
    );
    cookie_headers.insert("accept", "application/json".parse().expect("header"));
    let cookie_hit = || {
        registry
            .authenticate(&["rs-cached-cookie"], &cookie_headers)
            .now_or_never()
            .expect("no wait")
            .expect("verified")
    };
    black_box(cookie_hit());
    let result = interleave(
        pairs,
        (target.as_nanos() / 1000) as usize,
        true,
        &mut each(|| {
            black_box(hit());
        }),
        &mut each(|| {
            black_box(cookie_hit());
        }),
    );
    println!(
        "| A token-cache hit from `Authorization`, B the same from a cookie (4 cookies) | 1 KiB | {} |",
        result.cells(),
    );

    // Step-up (issue 21): the guard path of a layer policy (cache hit) with an acr and
    // max_age requirement, against the same policy without it.
    let mut stepped = claims(&issuer, 1024);
    stepped["acr"] = json!("urn:example:mfa");
    stepped["auth_time"] = stepped["iat"].clone();
    let stepped = self::headers(&issuer.token(stepped));
    let policy = |step_up: bool| {
        let mut builder = Policy::builder("bench", ["rs-cached"]).registry(registry.clone());
        if step_up {
            builder = builder
                .acr(["urn:example:mfa", "urn:example:hwk"])
                .max_age(Duration::from_secs(3600));
        }
        builder.build().expect("policy")
    };
    let (plain, step_up) = (policy(false), policy(true));
    let check = |policy: &Policy| {
        policy
            .check(&stepped, None)
            .now_or_never()
            .expect("no wait")
            .expect("allowed")
    };
    black_box(check(&step_up));
    let result = interleave(
        pairs,
        (target.as_nanos() / 500) as usize,
        true,
        &mut each(|| {
            black_box(check(&plain));
        }),
        &mut each(|| {
            black_box(check(&step_up));
        }),
    );
    println!(
        "| A policy check (cache hit), B the same with acr any(2) + max_age | 1 KiB | {} |",
        result.cells(),
    );
    // mTLS binding (RFC 8705): a certificate-bound token and its x5t#S256 check against
    // the connection's certificate (hashed once, as per connection), against a plain
    // bearer token on a strategy without the option; both through `RequestInfo`.
    registry
        .register("mtls", mtls_strategy(&issuer, &jwks, false))
        .expect("register");
    registry
        .register("mtls-cached", mtls_strategy(&issuer, &jwks, true))
        .expect("register");
    let cert = ClientCertificate::from_der(vec![0x30; 900]);
    let plain = crate::headers(&issuer.token(claims(&issuer, 1024)));
    let mut bound_claims = claims(&issuer, 1024);
    bound_claims["cnf"] = json!({ "x5t#S256": cert.x5t_s256() });
    let bound = crate::headers(&issuer.token(bound_claims));
    let (method, uri) = (http::Method::GET, http::Uri::from_static("/orders"));
    for (label, cached) in [("token-cache hit", true), ("full path, RS256", false)] {
        let (plain_name, bound_name) = if cached {
            ("rs-cached", "mtls-cached")
        } else {
            ("rs", "mtls")
        };
        let plain_call = || {
            registry
                .authenticate_request(&[plain_name], RequestInfo::new(&plain, &method, &uri))
                .now_or_never()
                .expect("no wait")
                .expect("verified")
        };
        let bound_call = || {
            let request =
                RequestInfo::new(&bound, &method, &uri).with_client_certificate(Some(&cert));
            let principal = registry
                .authenticate_request(&[bound_name], request)
                .now_or_never()
                .expect("no wait")
                .expect("verified");
            debug_assert!(principal.certificate_thumbprint().is_some());
            principal
        };
        let start = Instant::now();
        black_box(bound_call());
        let one = start.elapsed().max(Duration::from_nanos(100));
        let batch = (target.as_nanos() / one.as_nanos()).clamp(10, 100_000) as usize;
        let result = interleave(
            pairs,
            batch,
            true,
            &mut each(|| {
                black_box(plain_call());
            }),
            &mut each(|| {
                black_box(bound_call());
            }),
        );
        println!(
            "| A plain bearer, B x5t#S256-bound with the certificate check ({label}) | 1 KiB | {} |",
            result.cells(),
        );
    }

    // Scope implication (issue 21): a cache hit and the scope check of
    // `scopes = ["orders:read"]`, the strategy comparing exactly (the token grants
    // `orders:read`) against one with the wildcard rule (the token grants `orders:*`, so
    // the rule, not equality, meets the requirement).
    const READ: Requirement = Requirement::One("orders:read");
    let scoped = |scope: &str| {
        let mut claims = claims(&issuer, 1024);
        claims["scope"] = json!(scope);
        self::headers(&issuer.token(claims))
    };
    let (exact_headers, wildcard_headers) = (
        scoped("profile orders:write orders:read"),
        scoped("profile orders:write orders:*"),
    );
    let check = |name: &str, headers: &HeaderMap| {
        let principal = registry
            .authenticate(&[name], headers)
            .now_or_never()
            .expect("no wait")
            .expect("verified");
        jwt_guard::authz::authorize(&principal, Some(&READ), None).expect("authorized");
        principal
    };
    black_box(check("rs-cached", &exact_headers));
    black_box(check("rs-cached-wildcard", &wildcard_headers));
    let result = interleave(
        pairs,
        (target.as_nanos() / 500) as usize,
        true,
        &mut each(|| {
            black_box(check("rs-cached", &exact_headers));
        }),
        &mut each(|| {
            black_box(check("rs-cached-wildcard", &wildcard_headers));
        }),
    );
    println!(
        "| A cache hit + exact scope check, B cache hit + wildcard rule (`orders:*` meets `orders:read`) | 1 KiB | {} |",
        result.cells(),
    );
    status_list_row(&issuer, pairs, target);

    // Introspection (issue 22): a result-cache hit (SHA-256 of the token, the answer's
    // time claims and cnf re-checked) against a JWT token-cache hit, both 1 KiB of
    // claims, through the registry.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let answer = {
        let mut answer = claims(&issuer, 1024);
        answer["active"] = json!(true);
        answer.to_string()
    };
    let endpoint = runtime.block_on(async move {
        let app = axum::Router::new().route(
            "/introspect",
            axum::routing::post(move || {
                let answer = answer.clone();
                async move { ([("content-type", "application/json")], answer) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        format!("http://{addr}/introspect")
    });
    registry
        .register(
            "opaque",
            IntrospectionStrategy::builder()
                .issuer(issuer.issuer())
                .endpoint(endpoint)
                .client_secret_basic("bench", "secret")
                .build()
                .expect("strategy"),
        )
        .expect("register");
    let opaque = self::headers("2YotnFZFEjr1zCsicMWpAA-opaque-access-token-of-43");
    runtime
        .block_on(registry.authenticate(&["opaque"], &opaque))
        .expect("introspected");
    let opaque_hit = || {
        registry
            .authenticate(&["opaque"], &opaque)
            .now_or_never()
            .expect("a cache hit does not wait")
            .expect("active")
    };
    black_box(opaque_hit());
    let result = interleave(
        pairs,
        (target.as_nanos() / 500) as usize,
        true,
        &mut each(|| {
            black_box(hit());
        }),
        &mut each(|| {
            black_box(opaque_hit());
        }),
    );
    println!(
        "| A JWT token-cache hit, B introspection result-cache hit | 1 KiB | {} |",
        result.cells(),
    );
}

/// A strategy checking certificate-bound tokens, keys pinned.
fn mtls_strategy(issuer: &Issuer, jwks: &Value, cache: bool) -> JwtStrategy {
    let mut builder = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_json(jwks.to_string().as_bytes())
        .mtls_bound_tokens(MtlsConfig::allowed());
    if cache {
        builder = builder.token_cache(TokenCacheConfig::default());
    }
    builder.build().expect("strategy")
}

/// Token Status List (issue 22): a token-cache hit whose status is read from the held,
/// decompressed list, against the same hit on a strategy without the check. The list is
/// served once by a real HTTP server on 127.0.0.1 (the draft's 1-bit example list), fetched
/// by the warm-up request; every timed request is a cache hit with the list fresh.
fn status_list_row(issuer: &Issuer, pairs: usize, target: Duration) {
    use jwt_guard::status_list::StatusListConfig;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let uri = format!("{origin}/lists/1");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let list = issuer.sign(
        &json!({ "alg": "RS256", "typ": "statuslist+jwt", "kid": issuer.kid() }),
        &json!({
            "sub": uri, "iat": now, "ttl": 3600,
            "status_list": { "bits": 1, "lst": "eNrbuRgAAhcBXQ" },
        }),
    );
    let app = axum::Router::new().route(
        "/lists/1",
        axum::routing::get(move || {
            let list = list.clone();
            async move { list }
        }),
    );
    runtime.spawn(async move { axum::serve(listener, app).await.expect("serve") });
    let jwks = issuer.jwks().to_string();
    let strategy = |status: bool| {
        let mut builder = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .jwks_json(jwks.as_bytes())
            .token_cache(TokenCacheConfig::default());
        if status {
            builder = builder.status_list(StatusListConfig::check().allow_origin(&origin));
        }
        builder.build().expect("strategy")
    };
    let registry = Registry::new();
    registry
        .register("plain", strategy(false))
        .expect("register");
    registry
        .register("status", strategy(true))
        .expect("register");
    let mut claims = claims(issuer, 1024);
    claims["status"] = json!({ "status_list": { "idx": 1, "uri": uri } });
    let headers = headers(&issuer.token(claims));
    // Warm-up: the list fetched, the token verified and cached by both strategies.
    for name in ["plain", "status"] {
        runtime
            .block_on(registry.authenticate(&[name], &headers))
            .expect("verified");
    }
    let hit = |name: &'static str| {
        let registry = &registry;
        let headers = &headers;
        move || {
            registry
                .authenticate(&[name], headers)
                .now_or_never()
                .expect("a cache hit does not wait")
                .expect("verified")
        }
    };
    let (plain, status) = (hit("plain"), hit("status"));
    let result = interleave(
        pairs,
        (target.as_nanos() / 500) as usize,
        true,
        &mut each(|| {
            black_box(plain());
        }),
        &mut each(|| {
            black_box(status());
        }),
    );
    println!(
        "| A token-cache hit, B the same with its status read from the cached list | 1 KiB | {} |",
        result.cells(),
    );
}
