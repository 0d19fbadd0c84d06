//! Four routes, one protected: the service whose clean debug build bench/build-time.sh
//! times.

use axum::{Json, Router, routing::get};
use jwt_authorizer::{Authorizer, IntoLayer, JwtAuthorizer, JwtClaims, Validation};
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

async fn protected(JwtClaims(claims): JwtClaims<Value>) -> Json<Value> {
    Json(json!({ "sub": claims.get("sub") }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth: Authorizer<Value> =
        JwtAuthorizer::from_oidc("https://issuer.example")
            .validation(Validation::new().iss(&["https://issuer.example"]))
            .build()
            .await?;
    let protected_routes = Router::new()
        .route("/protected", get(protected))
        .layer(auth.into_layer());
    let app = Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .route("/public", get(public))
        .merge(protected_routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
