//! Four routes, one protected: the service whose clean debug build bench/build-time.sh
//! times.

use axum::{Json, Router, routing::get};
use jwt_guard::{JwtStrategy, Principal, authenticate};
use serde_json::{Value, json};

async fn index() -> &'static str {
    "hello"
}

async fn health() -> &'static str {
    "ok"
}

async fn public() -> Json<Value> {
    Json(json!({ "message": "public" }))
}

#[authenticate("jwt")]
async fn protected(principal: Principal) -> Json<Value> {
    Json(json!({ "sub": principal.subject() }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    jwt_guard::register(
        "jwt",
        JwtStrategy::builder()
            .issuer("https://issuer.example")
            .build()?,
    )?;
    let app = Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .route("/public", get(public))
        .route("/protected", get(protected));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
