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
use jwt_guard::testkit::Issuer;
use jwt_guard::{Claims, JwtStrategy, Principal, authenticate};
use jwt_guard_examples::{ServerConfig, USAGE};
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match ServerConfig::from_sources(|k| std::env::var(k).ok(), &args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    // actix's runtime is tokio underneath: the embedded issuer and the key fetches run
    // on it too.
    match actix_web::rt::System::new().block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: ServerConfig) -> Result<(), String> {
    let embedded = match &config.issuer {
        Some(_) => None,
        None => Some(Issuer::start().await.map_err(|e| e.to_string())?),
    };
    let issuer = config
        .issuer
        .clone()
        .or_else(|| embedded.as_ref().map(|i| i.issuer().to_owned()))
        .unwrap_or_default();
    let mut builder = JwtStrategy::builder()
        .issuer(&issuer)
        .algorithms(config.algorithms.iter().copied());
    if let Some(uri) = &config.jwks_uri {
        builder = builder.jwks_uri(uri);
    }
    if let Some(audience) = &config.audience {
        builder = builder.audience(audience);
    }
    jwt_guard::register("jwt", builder.build().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let audit = jwt_guard::audit().map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");

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
    println!("issuer: {issuer}");
    if let Some(embedded) = &embedded {
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
