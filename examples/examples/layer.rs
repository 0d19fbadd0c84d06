//! A whole axum router protected by one tower layer instead of an attribute per handler:
//! `/api/*` needs a token (and `/api/orders` the `orders:read` scope), `/public` is
//! open. Handlers take `Principal` and `Claims<T>` as ordinary extractors. An embedded
//! issuer starts on 127.0.0.1 and curl lines are printed.
//!
//! ```text
//! cargo run --example layer
//! ```

use std::process::ExitCode;

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard::Policy;
use jwt_guard::authz::Requirement::One;
use jwt_guard::testkit::Issuer;
use jwt_guard::tower::AuthLayer;
use jwt_guard::{Claims, JwtStrategy, Principal, Registry};
use serde::Deserialize;
use serde_json::{Value, json};

async fn whoami(principal: Principal) -> Json<Value> {
    Json(json!({ "strategy": principal.strategy(), "claims": principal.claims() }))
}

#[derive(Deserialize)]
struct Caller {
    sub: String,
}

async fn orders(caller: Claims<Caller>) -> Json<Value> {
    Json(json!({ "orders": [1, 2, 3], "for": caller.sub }))
}

async fn public() -> Json<Value> {
    Json(json!({ "message": "Hello, anyone" }))
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
    let embedded = Issuer::start().await.map_err(|e| e.to_string())?;
    let strategy = JwtStrategy::builder()
        .issuer(embedded.issuer())
        .build()
        .map_err(|e| e.to_string())?;
    jwt_guard::register("jwt", strategy).map_err(|e| e.to_string())?;

    let api = Policy::builder("axum /api", ["jwt"])
        .build()
        .map_err(|e| e.to_string())?;
    let read = Policy::builder("axum /api/orders", ["jwt"])
        .scopes(One("orders:read"))
        .build()
        .map_err(|e| e.to_string())?;
    let api_routes = Router::new()
        .route("/whoami", get(whoami))
        // A stricter policy for one route: route_layer applies to the routes above it.
        .merge(
            Router::new()
                .route("/orders", get(orders))
                .route_layer(AuthLayer::new(read)),
        )
        .layer(AuthLayer::new(api));
    let app = Router::new()
        .nest("/api", api_routes)
        .route("/public", get(public));
    let audit = Registry::global()
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("jwt-guard layer example listening on http://{addr}");
    let token = embedded.token(json!({ "sub": "demo-user", "scope": "orders:read" }));
    let unscoped = embedded.token(json!({ "sub": "demo-user", "scope": "profile" }));
    println!();
    println!("Try:");
    println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/api/whoami");
    println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/api/orders");
    println!("  # without the orders:read scope: 403 insufficient_scope");
    println!("  curl -i -H 'Authorization: Bearer {unscoped}' http://{addr}/api/orders");
    println!("  curl -i http://{addr}/api/whoami");
    println!("  curl -i http://{addr}/public");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
