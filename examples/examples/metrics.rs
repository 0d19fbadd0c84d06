//! Operating jwt-guard: Prometheus metrics on `/metrics` (metrics-exporter-prometheus),
//! readiness on `/ready` (200/503 with JSON), and one `jwt_guard.authenticate` span per
//! authentication in the logs (`RUST_LOG=jwt_guard=debug` shows refused tokens). An
//! embedded issuer starts on 127.0.0.1 and curl lines are printed.
//!
//! ```text
//! cargo run --example metrics
//! ```

use std::process::ExitCode;

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, Principal, authenticate};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde_json::{Value, json};

#[authenticate("jwt", scopes = "orders:read")]
async fn orders(who: Principal) -> Json<Value> {
    Json(json!({ "orders": [1, 2, 3], "for": who.subject() }))
}

/// The scrape: the key engines' gauges brought up to date, then the exporter's text.
async fn metrics(handle: PrometheusHandle) -> String {
    jwt_guard::metrics::collect(jwt_guard::Registry::global());
    handle.render()
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    // Histograms as buckets: from 50 µs (a cache hit) to 5 s (a slow key server).
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Prefix("jwt_guard_".into()),
            &[
                0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025, 0.1, 0.5, 1.0, 5.0,
            ],
        )
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())?;
    jwt_guard::metrics::describe();

    let embedded = Issuer::start().await.map_err(|e| e.to_string())?;
    let strategy = JwtStrategy::builder()
        .issuer(embedded.issuer())
        .build()
        .map_err(|e| e.to_string())?;
    jwt_guard::register("jwt", strategy).map_err(|e| e.to_string())?;
    jwt_guard::Registry::global()
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;

    let app = Router::new()
        .route("/orders", get(orders))
        .route("/ready", get(jwt_guard::axum::readiness))
        .route("/metrics", get(move || metrics(handle.clone())));

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("jwt-guard metrics example listening on http://{addr}");
    let token = embedded.token(json!({ "sub": "demo-user", "scope": "orders:read" }));
    println!();
    println!("Try:");
    println!("  # the first probe may be a 503 whose reasons say the keys are \"not fetched yet;");
    println!("  # a fetch was started\": the probe starts the fetch, and the next one is a 200");
    println!("  curl -i http://{addr}/ready");
    println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/orders");
    println!("  curl -i http://{addr}/orders");
    println!("  curl -s http://{addr}/metrics | grep jwt_guard_");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
