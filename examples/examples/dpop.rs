//! DPoP-bound tokens (RFC 9449) and protected resource metadata (RFC 9728) on axum.
//!
//! `GET /orders` needs a DPoP-bound token and a fresh proof for each request; without
//! one, the 401 names the metadata document, served at
//! `/.well-known/oauth-protected-resource`. An embedded issuer starts on 127.0.0.1; a
//! client key is generated, and the curl lines of two requests are printed: the first
//! passes, the second (the same proof again) is refused as a replay.
//!
//! ```text
//! cargo run --example dpop
//! ```

use std::net::SocketAddr;

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard::dpop::DpopConfig;
use jwt_guard::resource_metadata::ProtectedResource;
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::{Algorithm, JwtStrategy, Principal, authenticate};
use serde_json::{Value, json};

#[authenticate("dpop")]
async fn orders(principal: Principal) -> Json<Value> {
    Json(json!({
        "orders": [1, 2, 3],
        "for": principal.subject(),
        "key": principal.dpop_thumbprint(),
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let issuer = Issuer::start().await?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base = format!("http://{}", listener.local_addr()?);

    let resource = ProtectedResource::builder(&base)
        .name("Orders API (jwt-guard example)")
        .scopes_from_audit(&jwt_guard::Registry::global().audit_report())
        .build()?;
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .dpop(DpopConfig::required().external_origin(&base))
        .protected_resource(&resource)
        .build()?;
    jwt_guard::register("dpop", strategy)?;
    jwt_guard::Registry::global().audit()?;

    let key = DpopKey::generate(Algorithm::ES256)?;
    let token = issuer.token(json!({ "sub": "ada", "aud": base, "cnf": key.cnf() }));
    let url = format!("{base}/orders");
    let proof = key.proof("GET", &url, Some(&token));
    println!("listening on {base}\n");
    println!("# the metadata, and the challenge that names it:");
    println!("curl -s {base}/.well-known/oauth-protected-resource");
    println!("curl -si {url}\n");
    println!("# a DPoP request (run it twice: the second is a replay, refused):");
    println!("curl -si -H 'Authorization: DPoP {token}' -H 'DPoP: {proof}' {url}");

    let app = Router::new()
        .route("/orders", get(orders))
        .merge(resource.router());
    axum::serve(listener, app).await?;
    Ok(())
}
