// A `Principal` parameter is removed from the signature and bound to the caller.
#![deny(warnings)]

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use jwt_guard::{Principal, authenticate};
use serde_json::{Value, json};

#[authenticate("jwt")]
pub async fn secure(Path(id): Path<u32>, who: Principal) -> Json<Value> {
    Json(json!({ "id": id, "sub": who.subject() }))
}

// First in the list, fully qualified, `mut`.
#[authenticate("jwt")]
async fn first(mut who: jwt_guard::Principal, State(prefix): State<&'static str>) -> String {
    who = who.clone();
    format!("{prefix}{}", who.strategy())
}

// Not used by the body: still authenticated, and no unused-variable warning.
#[authenticate("jwt")]
async fn ignored(_: Principal) -> &'static str {
    "ok"
}

#[authenticate("jwt")]
async fn attributes_on_the_parameter(#[allow(unused_variables)] who: Principal) {}

fn main() {
    let _app: Router = Router::new()
        .route("/items/{id}", get(secure))
        .route("/first", get(first))
        .route("/ignored", get(ignored))
        .route("/attributes", get(attributes_on_the_parameter))
        .with_state("hello ");
}
