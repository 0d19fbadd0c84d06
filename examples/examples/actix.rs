//! The example server on actix-web: the same attribute, the same answers as the axum
//! one (`server.rs`).
//!
//! `GET /protected` answers `{"message":"Access granted"}`, `GET /whoami` shows the
//! principal, `GET /orders` needs the `orders:read` scope, `GET /public` is open. The
//! scope `/api` is protected as a whole by `AuthMiddleware` instead: its handlers take
//! `Principal` as an ordinary extractor. An embedded issuer starts on 127.0.0.1 and curl
//! lines are printed.
//!
//! ```text
//! cargo run --example actix
//! ```

use std::process::ExitCode;

use actix_web::web::{self, Json};
use actix_web::{App, HttpServer};
use jwt_guard::Policy;
use jwt_guard::actix::AuthMiddleware;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Claims, JwtStrategy, Principal, Registry, authenticate};
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

/// Under the `/api` scope's middleware: no attribute needed.
async fn api_me(principal: Principal) -> Json<Value> {
    Json(json!({ "sub": principal.subject(), "via": "AuthMiddleware" }))
}

async fn public() -> Json<Value> {
    Json(json!({ "message": "Hello, anyone" }))
}

fn main() -> ExitCode {
    // actix's runtime is tokio underneath: the key fetches run on it too.
    match actix_web::rt::System::new().block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    // An embedded issuer on 127.0.0.1 (for the demo tokens below) and its strategy.
    let embedded = Issuer::start().await.map_err(|e| e.to_string())?;
    let strategy = JwtStrategy::builder()
        .issuer(embedded.issuer())
        .build()
        .map_err(|e| e.to_string())?;
    jwt_guard::register("jwt", strategy).map_err(|e| e.to_string())?;
    let api = Policy::builder("actix /api", ["jwt"])
        .build()
        .map_err(|e| e.to_string())?;
    let audit = Registry::global()
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let server = HttpServer::new(move || {
        App::new()
            .service(
                web::scope("/api")
                    .wrap(AuthMiddleware::new(api.clone()))
                    .route("/me", web::get().to(api_me)),
            )
            .route("/protected", web::get().to(secure_endpoint))
            .route("/whoami", web::get().to(whoami))
            .route("/orders", web::get().to(orders))
            .route("/public", web::get().to(public))
    })
    .bind(("127.0.0.1", port))
    .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = server.addrs()[0];
    println!("jwt-guard actix-web example listening on http://{addr}");
    let token = embedded.token(json!({ "sub": "demo-user", "scope": "orders:read" }));
    println!();
    println!("Try:");
    println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/protected");
    println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/orders");
    println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/api/me");
    println!("  curl -i http://{addr}/protected");
    println!("  curl -i http://{addr}/api/me");
    println!("  curl -i http://{addr}/public");
    server.run().await.map_err(|e| e.to_string())
}
