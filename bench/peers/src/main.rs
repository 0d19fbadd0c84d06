//! Peers of the load benchmark, serving `GET /protected` like the example server:
//!
//! - `handwritten PORT ISSUER`: an axum 0.8 handler that checks RS256 by hand with
//!   `jsonwebtoken::decode` and a `DecodingKey` built once at start-up (the usual
//!   hand-written guard);
//! - `authorizer PORT ISSUER`: the same route behind jwt-authorizer 0.15's layer (which
//!   requires axum 0.7);
//! - `tower-oauth2 PORT ISSUER`: the same route (axum 0.8) behind
//!   tower-oauth2-resource-server 0.12's layer, RS256 only, with aws-lc like the others.
//!
//! The first two take their key from `ISSUER/.well-known/jwks.json` on 127.0.0.1;
//! tower-oauth2-resource-server finds that URL itself through the issuer's OIDC discovery
//! (`ISSUER/.well-known/openid-configuration`), which is also what makes it check `iss`
//! (it checks `iss` only for a discovered issuer). All three check RS256, `exp` and `iss`;
//! none checks `aud` (the token has none, and no other target asks for one).

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, port, issuer] = args.as_slice() else {
        eprintln!("usage: peers (handwritten|authorizer|tower-oauth2) PORT ISSUER");
        std::process::exit(2);
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port.parse().expect("port")));
    let jwks_url = format!("{issuer}/.well-known/jwks.json");
    match mode.as_str() {
        "handwritten" => handwritten(addr, &jwks_url, issuer).await,
        "authorizer" => authorizer(addr, &jwks_url, issuer).await,
        "tower-oauth2" => tower_oauth2(addr, issuer).await,
        other => panic!("unknown mode {other}"),
    }
}

struct Guard {
    key: jsonwebtoken::DecodingKey,
    validation: jsonwebtoken::Validation,
}

async fn handwritten(addr: SocketAddr, jwks_url: &str, issuer: &str) {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;

    let body = reqwest::get(jwks_url)
        .await
        .expect("jwks")
        .text()
        .await
        .expect("jwks body");
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&body).expect("jwk set");
    let key = jsonwebtoken::DecodingKey::from_jwk(&set.keys[0]).expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    let guard = Arc::new(Guard { key, validation });

    async fn protected(
        axum::extract::State(guard): axum::extract::State<Arc<Guard>>,
        headers: HeaderMap,
    ) -> axum::response::Response {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match token.map(|t| jsonwebtoken::decode::<Value>(t, &guard.key, &guard.validation)) {
            Some(Ok(_)) => axum::Json(json!({ "message": "Access granted" })).into_response(),
            _ => StatusCode::UNAUTHORIZED.into_response(),
        }
    }
    let app = axum::Router::new()
        .route("/protected", axum::routing::get(protected))
        .with_state(guard);
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!("ready");
    axum::serve(listener, app).await.expect("serve");
}

async fn authorizer(addr: SocketAddr, jwks_url: &str, issuer: &str) {
    use jwt_authorizer::{Authorizer, IntoLayer, JwtAuthorizer, JwtClaims, Validation};

    let auth: Authorizer<Value> = JwtAuthorizer::from_jwks_url(jwks_url)
        .validation(Validation::new().iss(&[issuer]))
        .build()
        .await
        .expect("authorizer");
    async fn protected(JwtClaims(_claims): JwtClaims<Value>) -> axum07::Json<Value> {
        axum07::Json(json!({ "message": "Access granted" }))
    }
    let app = axum07::Router::new()
        .route("/protected", axum07::routing::get(protected))
        .layer(auth.into_layer());
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!("ready");
    axum07::serve(listener, app).await.expect("serve");
}

async fn tower_oauth2(addr: SocketAddr, issuer: &str) {
    use tower_oauth2_resource_server::claims::DefaultClaims;
    use tower_oauth2_resource_server::server::OAuth2ResourceServer;
    use tower_oauth2_resource_server::tenant::TenantConfiguration;

    // No jwks_url: the tenant discovers it (and the issuer to check) at ISSUER's
    // /.well-known/openid-configuration. The key set is fetched by a task it spawns
    // (then every 60 s, its default), so the first requests may get 401 until it lands:
    // bench/load.sh waits for a 200 before measuring.
    let tenant = TenantConfiguration::builder(issuer)
        .allowed_algorithms(&[jsonwebtoken11::Algorithm::RS256])
        .build()
        .await
        .expect("tenant (OIDC discovery)");
    let server = OAuth2ResourceServer::<DefaultClaims>::builder()
        .add_tenant(tenant)
        .build()
        .await
        .expect("resource server");
    async fn protected(
        axum::Extension(_claims): axum::Extension<DefaultClaims>,
    ) -> axum::Json<Value> {
        axum::Json(json!({ "message": "Access granted" }))
    }
    let app = axum::Router::new()
        .route("/protected", axum::routing::get(protected))
        .layer(server.into_layer());
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!("ready");
    axum::serve(listener, app).await.expect("serve");
}
