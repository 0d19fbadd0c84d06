// `#[authenticate]` above `#[axum::debug_handler]`: the debug handler checks the guarded
// function, hidden guard extractor first, and finds it a valid handler.
#![deny(warnings)]

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use jwt_guard::{Claims, Principal, authenticate};

#[derive(serde::Deserialize)]
struct Mine {
    sub: String,
}

#[authenticate("jwt")]
#[axum::debug_handler]
async fn hello() -> &'static str {
    "hello"
}

#[authenticate("jwt", scopes = ["orders:read"])]
#[axum::debug_handler]
async fn order(Path(id): Path<u32>, who: Principal, claims: Claims<Mine>) -> String {
    format!("{id} {} {}", who.strategy(), claims.sub)
}

fn main() {
    let _app: Router = Router::new()
        .route("/", get(hello))
        .route("/orders/{id}", get(order));
    // `#[debug_handler]` copies each handler's body into its checks: the audit still
    // lists each site once.
    let audit = jwt_guard::Registry::global().audit_report();
    let names: Vec<&str> = audit.handlers().iter().map(|h| h.handler()).collect();
    assert_eq!(names.len(), 2, "{audit}");
    assert!(names[0].ends_with("::hello") && names[1].ends_with("::order"), "{audit}");
}
