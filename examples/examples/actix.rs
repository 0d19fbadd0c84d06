//! The example server on actix-web: the same attribute, the same answers as the axum
//! one (`server.rs`).
//!
//! `GET /protected` answers `{"message":"Access granted"}`, `GET /whoami` shows the
//! principal, `GET /orders` needs the `orders:read` scope, `GET /public` is open. With
//! no `ISSUER`, an embedded issuer starts on 127.0.0.1 and curl lines are printed.
//!
//! ```text
//! cargo run --example actix
//! ```

use std::process::ExitCode;

use actix_web::web::{self, Json};
use actix_web::{App, HttpServer};
use jwt_guard::{Claims, Principal, authenticate};
use jwt_guard_examples::{ServerConfig, TrustedIssuer, audit_or_refuse, exit_code, read_config};
use serde::Deserialize;
use serde_json::{Value, json};

#[authenticate("jwt")]
async fn secure_endpoint() -> Json<Value> {
    Json(json!({ "message": "Access granted" }))
}

#[authenticate("jwt")]
async fn whoami(principal: Principal) -> Json<Value> {
    Json(json!({ "strategy": principal.strategy(), "claims": principal.claims() }))
}

#[derive(Deserialize)]
struct Caller {
    sub: String,
}

#[authenticate("jwt", scopes = ["orders:read"])]
async fn orders(caller: Claims<Caller>) -> Json<Value> {
    Json(json!({ "orders": [1, 2, 3], "for": caller.sub }))
}

async fn public() -> Json<Value> {
    Json(json!({ "message": "Hello, anyone" }))
}

fn main() -> ExitCode {
    let config = match read_config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    // actix's runtime is tokio underneath: the embedded issuer and the key fetches run
    // on it too.
    exit_code(actix_web::rt::System::new().block_on(run(config)))
}

async fn run(config: ServerConfig) -> Result<(), String> {
    let trusted = TrustedIssuer::from_config(&config).await?;
    jwt_guard::register("jwt", trusted.strategy(&config)?).map_err(|e| e.to_string())?;
    audit_or_refuse()?;

    let server = HttpServer::new(|| {
        App::new()
            .route("/protected", web::get().to(secure_endpoint))
            .route("/whoami", web::get().to(whoami))
            .route("/orders", web::get().to(orders))
            .route("/public", web::get().to(public))
    })
    .bind(config.addr())
    .map_err(|e| format!("cannot listen on {}: {e}", config.addr()))?;
    let addr = server.addrs()[0];
    println!("jwt-guard actix-web example listening on http://{addr}");
    println!("issuer: {}", trusted.url);
    if let Some(embedded) = &trusted.embedded {
        let token = embedded.token(json!({ "sub": "demo-user", "scope": "orders:read" }));
        println!();
        println!("Embedded issuer (no ISSUER set). Try:");
        println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/protected");
        println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/orders");
        println!("  curl -i http://{addr}/protected");
        println!("  curl -i http://{addr}/public");
    }
    server.run().await.map_err(|e| e.to_string())
}
