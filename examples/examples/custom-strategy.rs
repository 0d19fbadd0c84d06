//! Several strategies on one route, scopes and roles, typed claims, `optional`, and an
//! authenticated impl block — on axum.
//!
//! Bearer JWTs come from an embedded issuer (or `ISSUER`); service accounts send an API
//! key (`X-API-Key`), checked by a custom [`Strategy`]. LoopBack's rule decides between
//! them: a strategy that finds no credentials of its kind passes to the next one.
//!
//! ```text
//! cargo run --example custom-strategy
//! ```

use std::collections::HashMap;
use std::process::ExitCode;

use axum::routing::get;
use axum::{Json, Router};
use http::HeaderMap;
use jwt_guard::claims::ClaimsMap;
use jwt_guard::testkit::Issuer;
use jwt_guard::{
    BoxFuture, Claims, Error, ErrorKind, JwtStrategy, Principal, Registry, Strategy, authenticate,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The claims the handlers read, deserialized once per request.
#[derive(Deserialize)]
struct Caller {
    sub: String,
    #[serde(default)]
    name: Option<String>,
}

/// A JWT with `orders:read`, or an API key whose account has it.
#[authenticate("jwt", "api-key", scopes = ["orders:read"])]
async fn list_orders(caller: Claims<Caller>, who: Principal) -> Json<Value> {
    Json(json!({ "orders": [1, 2, 3], "for": caller.sub, "via": who.strategy() }))
}

/// Anyone authenticated with the `admin` or `ops` role.
#[authenticate("jwt", "api-key", roles = any("admin", "ops"))]
async fn admin(who: Principal) -> Json<Value> {
    Json(json!({ "roles": who.roles() }))
}

/// Open to all; personal when a valid token comes along (a bad one is still a 401).
#[authenticate("jwt", optional)]
async fn greeting(caller: Option<Claims<Caller>>) -> Json<Value> {
    let name = caller.map(|c| c.0.name.unwrap_or(c.0.sub));
    Json(json!({ "hello": name.as_deref().unwrap_or("stranger") }))
}

struct Account;

/// Every async method needs a JWT, except `health`.
#[authenticate("jwt")]
impl Account {
    async fn me(caller: Claims<Caller>) -> Json<Value> {
        Json(json!({ "sub": caller.sub, "name": caller.name }))
    }

    #[authenticate(skip)]
    async fn health() -> &'static str {
        "ok"
    }
}

/// `X-API-Key: <key>`, looked up in a table of service accounts.
struct ApiKeys(HashMap<&'static str, ClaimsMap>);

impl Strategy for ApiKeys {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            // No key: not our kind of request; the next strategy (if any) decides.
            let Some(key) = headers.get("x-api-key") else {
                return Err(Error::new(ErrorKind::MissingAuthorization));
            };
            // A key we do not know: refused, the chain ends here.
            let claims = key
                .to_str()
                .ok()
                .and_then(|key| self.0.get(key))
                .ok_or_else(|| Error::unauthorized("Invalid API key"))?;
            Ok(Principal::new(claims.clone()))
        })
    }
}

fn app() -> Router {
    Router::new()
        .route("/orders", get(list_orders))
        .route("/admin", get(admin))
        .route("/hello", get(greeting))
        .route("/me", get(Account::me))
        .route("/health", get(Account::health))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
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
    let jwt = JwtStrategy::builder()
        .issuer(embedded.issuer())
        .build()
        .map_err(|e| e.to_string())?;
    jwt_guard::register("jwt", jwt).map_err(|e| e.to_string())?;
    let Value::Object(service) = json!({
        "sub": "billing-service", "scope": "orders:read", "roles": ["ops"],
    }) else {
        unreachable!()
    };
    let keys = ApiKeys(HashMap::from([("demo-key-1234", service)]));
    jwt_guard::register("api-key", keys).map_err(|e| e.to_string())?;
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
    println!("listening on http://{addr}");
    {
        let reader = embedded.token(json!({ "sub": "ada", "name": "Ada", "scope": "orders:read" }));
        let plain = embedded.token(json!({ "sub": "bob", "roles": ["viewer"] }));
        println!();
        println!("  # 200, via jwt / via api-key:");
        println!("  curl -i -H 'Authorization: Bearer {reader}' http://{addr}/orders");
        println!("  curl -i -H 'X-API-Key: demo-key-1234' http://{addr}/orders");
        println!("  # 401, naming both strategies:");
        println!("  curl -i http://{addr}/orders");
        println!(
            "  # 403, WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"orders:read\":"
        );
        println!("  curl -i -H 'Authorization: Bearer {plain}' http://{addr}/orders");
        println!("  # roles: 200 for the ops service account, 403 for bob:");
        println!("  curl -i -H 'X-API-Key: demo-key-1234' http://{addr}/admin");
        println!("  curl -i -H 'Authorization: Bearer {plain}' http://{addr}/admin");
        println!("  # optional: anonymous, then personal:");
        println!("  curl -i http://{addr}/hello");
        println!("  curl -i -H 'Authorization: Bearer {reader}' http://{addr}/hello");
        println!("  # impl block: /me needs a token, /health is skipped:");
        println!("  curl -i http://{addr}/me");
        println!("  curl -i http://{addr}/health");
    }
    axum::serve(listener, app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
