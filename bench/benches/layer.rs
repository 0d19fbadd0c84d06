//! The layer path against the attribute path, RS256, in one process, interleaved.
//!
//! Both are axum routers called in-process (`tower::ServiceExt::oneshot`, no socket):
//! - `attribute`: `#[authenticate("jwt")]` on the handler (the hidden extractor);
//! - `layer`: the same handler without the attribute, taking `Principal` as an
//!   extractor, behind `AuthLayer` with a policy of the same strategy.
//!
//! Batches of each alternate (A B, B A, …); each pair gives a ratio layer / attribute;
//! the median and the spread of the ratios are printed. No token cache: every request
//! verifies the signature. Measures only; asserts nothing.
//!
//! ```text
//! cargo bench -p jwt-guard-bench --bench layer
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use jwt_guard::Policy;
use jwt_guard::testkit::Issuer;
use jwt_guard::tower::AuthLayer;
use jwt_guard::{JwtStrategy, Principal, authenticate};
use serde_json::json;
use tower::ServiceExt as _;

#[authenticate("jwt")]
async fn attributed(who: Principal) -> String {
    who.subject().unwrap_or("-").to_owned()
}

async fn plain(who: Principal) -> String {
    who.subject().unwrap_or("-").to_owned()
}

const BATCH: usize = 500;
const PAIRS: usize = 201;

async fn batch(app: &Router, token: &str) -> Duration {
    let start = Instant::now();
    for _ in 0..BATCH {
        let request = http::Request::builder()
            .uri("/me")
            .header("authorization", token)
            .body(Body::empty())
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), 200);
        black_box(response);
    }
    start.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing to run.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let issuer = Issuer::offline("https://bench.issuer.test").expect("issuer");
        let strategy = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .jwks_json(issuer.jwks().to_string().as_bytes())
            .build()
            .expect("strategy");
        jwt_guard::register("jwt", strategy).expect("register");
        let policy = Policy::builder("bench layer", ["jwt"])
            .build()
            .expect("policy");
        let attribute = Router::new().route("/me", get(attributed));
        let layer = Router::new()
            .route("/me", get(plain))
            .layer(AuthLayer::new(policy));
        let token = format!("Bearer {}", issuer.token(json!({ "sub": "bench" })));

        // Warm-up.
        batch(&attribute, &token).await;
        batch(&layer, &token).await;

        let mut ratios = Vec::with_capacity(PAIRS);
        let (mut attr_total, mut layer_total) = (Duration::ZERO, Duration::ZERO);
        for pair in 0..PAIRS {
            let (a, l) = if pair % 2 == 0 {
                let a = batch(&attribute, &token).await;
                (a, batch(&layer, &token).await)
            } else {
                let l = batch(&layer, &token).await;
                (batch(&attribute, &token).await, l)
            };
            attr_total += a;
            layer_total += l;
            ratios.push(l.as_secs_f64() / a.as_secs_f64());
        }
        ratios.sort_by(f64::total_cmp);
        let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
        let per = |total: Duration| total.as_secs_f64() * 1e6 / (PAIRS * BATCH) as f64;
        println!(
            "RS256, {PAIRS} pairs of {BATCH}-request batches, interleaved, one thread:\n\
             attribute {:.2} µs/request, layer {:.2} µs/request\n\
             layer / attribute: median {:.4}, p10 {:.4}, p90 {:.4}, min {:.4}, max {:.4}",
            per(attr_total),
            per(layer_total),
            at(0.5),
            at(0.1),
            at(0.9),
            ratios[0],
            ratios[ratios.len() - 1],
        );
    });
}
