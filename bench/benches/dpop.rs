//! The cost of DPoP (RFC 9449), as same-run interleaved ratios: a bearer request against a
//! DPoP request (proof checked, in-memory replay store), and the in-memory replay store
//! against the Redis one (a real `redis-server` on 127.0.0.1, started here when installed).
//!
//! `cargo bench -p jwt-guard-bench --bench dpop` (add `-- --quick` for a short run).
//! Prints Markdown rows for BENCHMARKS.md. Each DPoP request carries a fresh proof
//! (minted before the timing: signing is the client's cost, not the server's).

use std::hint::black_box;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http::{HeaderMap, Method, Uri};
use jwt_guard::TokenCacheConfig;
use jwt_guard::dpop::{DpopConfig, RedisReplayStore};
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::{Algorithm, JwtStrategy, Registry, RequestInfo};
use jwt_guard_bench::{Pairs, each, interleave};
use serde_json::json;

/// One side of a comparison: runs the operation once.
fn row(label: &str, result: &Pairs) {
    println!("| {label} | {} |", result.cells());
}

const HTU: &str = "https://api.bench.test/orders";

fn authorization(headers: &mut HeaderMap, value: String) {
    headers.insert("authorization", value.parse().expect("header"));
    headers.insert("accept", "application/json".parse().expect("header"));
}

/// `count` DPoP requests' headers, each with its own fresh proof.
fn dpop_requests(key: &DpopKey, token: &str, count: usize) -> Vec<HeaderMap> {
    (0..count)
        .map(|_| {
            let mut headers = HeaderMap::new();
            authorization(&mut headers, format!("DPoP {token}"));
            let proof = key.proof("GET", HTU, Some(token));
            headers.insert("dpop", proof.parse().expect("header"));
            headers
        })
        .collect()
}

/// A `redis-server` on a free 127.0.0.1 port, if installed.
struct Redis(Child, u16);

impl Redis {
    fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .ok()?
            .port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let redis = Self(child, port);
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(redis);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (pairs, target) = if quick {
        (11, Duration::from_millis(5))
    } else {
        (41, Duration::from_millis(20))
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let issuer = Issuer::offline("https://bench.issuer.test").expect("issuer");
    let kid = issuer.add_key(Algorithm::ES256).expect("key");
    let jwks = issuer.jwks().to_string();
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let redis = Redis::start();
    if redis.is_none() {
        eprintln!("redis-server is not installed: the Redis row is left out");
    }

    let registry = Registry::new();
    let strategy = |dpop: Option<DpopConfig>, cache: bool| {
        let mut builder = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .algorithms([Algorithm::ES256])
            .jwks_json(jwks.as_bytes());
        if let Some(dpop) = dpop {
            builder = builder.dpop(
                dpop.algorithms([Algorithm::ES256])
                    .external_origin("https://api.bench.test"),
            );
        }
        if cache {
            builder = builder.token_cache(TokenCacheConfig::default());
        }
        builder.build().expect("strategy")
    };
    for cache in [false, true] {
        let suffix = if cache { "-cached" } else { "" };
        registry
            .register(&format!("bearer{suffix}"), strategy(None, cache))
            .expect("register");
        registry
            .register(
                &format!("dpop{suffix}"),
                strategy(Some(DpopConfig::allowed()), cache),
            )
            .expect("register");
    }
    if let Some(redis) = &redis {
        let store = RedisReplayStore::new(&format!("redis://127.0.0.1:{}/", redis.1))
            .expect("store")
            .timeout(Duration::from_secs(1));
        registry
            .register(
                "dpop-redis-cached",
                strategy(Some(DpopConfig::allowed().replay_store(store)), true),
            )
            .expect("register");
    }

    let method = Method::GET;
    let uri: Uri = "/orders".parse().expect("uri");
    let claims = json!({ "sub": "bench-user", "aud": "api", "scope": "orders:read" });
    let bearer_token = issuer.token_with(&kid, claims.clone());
    let mut bound_claims = claims;
    bound_claims["cnf"] = key.cnf();
    let bound_token = issuer.token_with(&kid, bound_claims);
    let mut bearer_headers = HeaderMap::new();
    authorization(&mut bearer_headers, format!("Bearer {bearer_token}"));

    let call = |name: &str, headers: &HeaderMap| {
        runtime
            .block_on(
                registry.authenticate_request(&[name], RequestInfo::new(headers, &method, &uri)),
            )
            .expect("authenticated")
    };

    println!("| comparison | A per op | B per op | B / A: median | p25 – p75 | B − A (median) |");
    println!("|---|---|---|---|---|---|");
    let compare = |label: &str, a_name: &str, a_dpop: bool, b_name: &str| {
        // Batch size: about `target` of the slower (DPoP) side.
        let probe = dpop_requests(&key, &bound_token, 1);
        let start = Instant::now();
        black_box(call(b_name, &probe[0]));
        let one = start.elapsed().max(Duration::from_nanos(100));
        let batch = (target.as_nanos() / one.as_nanos()).clamp(10, 20_000) as usize;
        let needed = (pairs + 1) * batch;
        let b_requests = dpop_requests(&key, &bound_token, needed);
        let a_requests = if a_dpop {
            dpop_requests(&key, &bound_token, needed)
        } else {
            Vec::new()
        };
        let mut a_next = a_requests.iter();
        let mut b_next = b_requests.iter();
        let result = interleave(
            pairs,
            batch,
            false,
            &mut each(|| {
                let headers = if a_dpop {
                    a_next.next().expect("enough proofs")
                } else {
                    &bearer_headers
                };
                black_box(call(a_name, headers));
            }),
            &mut each(|| {
                black_box(call(b_name, b_next.next().expect("enough proofs")));
            }),
        );
        row(label, &result);
    };
    {
        // The floor of a DPoP check: aws-lc's ES256 verification of one proof, key parsed once.
        use aws_lc_rs::signature::{self as sig, ParsedPublicKey};
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let jwk = key.public_jwk();
        let coordinate = |name: &str| {
            URL_SAFE_NO_PAD
                .decode(jwk[name].as_str().expect("coordinate"))
                .expect("base64url")
        };
        let mut point = vec![4];
        point.extend(coordinate("x"));
        point.extend(coordinate("y"));
        let raw = ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, point).expect("key");
        let proof = key.proof("GET", HTU, Some(&bound_token));
        let (input, signature) = proof.rsplit_once('.').expect("proof");
        let signature = URL_SAFE_NO_PAD.decode(signature).expect("signature");
        let start = Instant::now();
        black_box(call(
            "dpop-cached",
            &dpop_requests(&key, &bound_token, 1)[0],
        ));
        let one = start.elapsed().max(Duration::from_nanos(100));
        let batch = (target.as_nanos() / one.as_nanos()).clamp(10, 20_000) as usize;
        let requests = dpop_requests(&key, &bound_token, (pairs + 1) * batch);
        let mut next = requests.iter();
        let result = interleave(
            pairs,
            batch,
            false,
            &mut each(|| {
                raw.verify_sig(input.as_bytes(), &signature)
                    .expect("verified");
            }),
            &mut each(|| {
                black_box(call("dpop-cached", next.next().expect("enough proofs")));
            }),
        );
        row(
            "A raw aws-lc ES256 verify of a proof, B DPoP request (in-memory store); token cache on",
            &result,
        );
    }
    compare(
        "A bearer ES256, B DPoP (ES256 proof, in-memory replay store); no token cache",
        "bearer",
        false,
        "dpop",
    );
    compare(
        "A bearer ES256, B DPoP (ES256 proof, in-memory replay store); token cache on",
        "bearer-cached",
        false,
        "dpop-cached",
    );
    if redis.is_some() {
        compare(
            "A DPoP in-memory replay store, B DPoP Redis replay store (127.0.0.1); token cache on",
            "dpop-cached",
            true,
            "dpop-redis-cached",
        );
    }
}
