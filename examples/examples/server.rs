//! The example server: the seed's LoopBack API in Rust.
//!
//! `GET /protected` (guarded by `#[authenticate("jwt")]`) answers
//! `{"message":"Access granted"}`; `GET /public` is open; `GET /whoami` shows the
//! authenticated principal. With no `ISSUER`, an embedded issuer starts on 127.0.0.1 and
//! the server prints curl lines to try.
//!
//! ```text
//! cargo run --example server
//! ```

use std::process::ExitCode;

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard::{Principal, authenticate};
use jwt_guard_examples::{ServerConfig, TrustedIssuer, audit_or_refuse, exit_code, read_config};
use serde_json::{Value, json};

#[authenticate("jwt")]
async fn secure_endpoint() -> Json<Value> {
    Json(json!({ "message": "Access granted" }))
}

#[authenticate("jwt")]
async fn whoami(principal: Principal) -> Json<Value> {
    Json(json!({ "strategy": principal.strategy(), "claims": principal.claims() }))
}

async fn public() -> Json<Value> {
    Json(json!({ "message": "Hello, anyone" }))
}

/// The app, without the strategy registration (done once at start-up).
fn app() -> Router {
    Router::new()
        .route("/protected", get(secure_endpoint))
        .route("/whoami", get(whoami))
        .route("/public", get(public))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = match read_config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    exit_code(run(config).await)
}

async fn run(config: ServerConfig) -> Result<(), String> {
    // No issuer configured: start one here, so the example works with no setup.
    let trusted = TrustedIssuer::from_config(&config).await?;
    let strategy = trusted.strategy(&config)?;
    if let Some(jwks) = strategy.jwks() {
        // Warm the key cache; a key server that is down now is not fatal (requests get
        // 503 until it answers), but say so.
        if let Err(err) = jwks.warm_up().await {
            tracing::warn!(error = %err, "could not fetch the signing keys at start-up");
        }
    }
    jwt_guard::register("jwt", strategy).map_err(|e| e.to_string())?;
    // Every #[authenticate] handler must name a registered strategy: refuse to start
    // otherwise, rather than answer 500 on the first request.
    audit_or_refuse()?;

    let listener = tokio::net::TcpListener::bind(config.addr())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr()))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("jwt-guard example server listening on http://{addr}");
    println!("issuer: {}", trusted.url);
    if let Some(embedded) = &trusted.embedded {
        let token = embedded.token(json!({ "sub": "demo-user", "name": "Demo User" }));
        println!();
        println!("Embedded issuer (no ISSUER set). Try:");
        println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/protected");
        println!("  curl -i http://{addr}/protected");
        println!("  curl -i http://{addr}/public");
    }
    axum::serve(listener, app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
