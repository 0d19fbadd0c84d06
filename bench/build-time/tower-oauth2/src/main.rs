//! Four routes, one protected: the service whose clean debug build bench/build-time.sh
//! times.

use axum::{Extension, Json, Router, routing::get};
use serde_json::{Value, json};
use tower_oauth2_resource_server::claims::DefaultClaims;
use tower_oauth2_resource_server::server::OAuth2ResourceServer;
use tower_oauth2_resource_server::tenant::TenantConfiguration;

async fn index() -> &'static str {
    "hello"
}

async fn health() -> &'static str {
    "ok"
}

async fn public() -> Json<Value> {
    Json(json!({ "message": "public" }))
}

async fn protected(Extension(claims): Extension<DefaultClaims>) -> Json<Value> {
    Json(json!({ "sub": claims.sub }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = OAuth2ResourceServer::<DefaultClaims>::builder()
        .add_tenant(
            TenantConfiguration::builder("https://issuer.example")
                .build()
                .await?,
        )
        .build()
        .await?;
    let protected_routes = Router::new()
        .route("/protected", get(protected))
        .layer(server.into_layer());
    let app = Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .route("/public", get(public))
        .merge(protected_routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
