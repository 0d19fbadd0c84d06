// `Claims<T>` for any `T: Deserialize`: paths, generics, alongside the principal.
#![deny(warnings)]

use std::collections::HashMap;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use jwt_guard::{Claims, Principal, authenticate};
use serde::Deserialize;

#[derive(Deserialize)]
struct Orders {
    sub: String,
    #[serde(default)]
    tenant: Option<String>,
}

#[authenticate("jwt")]
async fn orders(Path(id): Path<u32>, claims: Claims<Orders>) -> String {
    format!("{id} for {} in {:?}", claims.sub, claims.tenant)
}

#[authenticate("jwt")]
async fn both(claims: jwt_guard::Claims<HashMap<String, serde_json::Value>>, who: Principal) -> String {
    format!("{} claims via {}", claims.len(), who.strategy())
}

#[authenticate("jwt")]
async fn destructured(Claims(Orders { sub, .. }): Claims<Orders>) -> String {
    sub
}

#[authenticate("jwt")]
async fn generic<T>(claims: Claims<T>) -> String
where
    T: serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    format!("{:?}", claims.into_inner())
}

#[authenticate("jwt")]
async fn value(mut claims: Claims<serde_json::Value>) -> String {
    claims["extra"] = serde_json::Value::Bool(true);
    claims.0.to_string()
}

fn main() {
    let _app: Router = Router::new()
        .route("/orders/{id}", get(orders))
        .route("/both", get(both))
        .route("/destructured", get(destructured))
        .route("/generic", get(generic::<serde_json::Value>))
        .route("/value", get(value));
}
