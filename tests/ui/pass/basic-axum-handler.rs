// The plain case: no parameter added by the user, the return type kept as written.
#![deny(warnings)]

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use jwt_guard::authenticate;

#[authenticate("jwt")]
async fn hello() -> &'static str {
    "hello"
}

/// Doc comments and other attributes stay on the function.
#[authenticate("jwt")]
#[allow(clippy::unused_async)]
pub async fn unit() {}

#[authenticate("jwt")]
async fn unit_written_out() -> () {}

#[authenticate("jwt")]
pub(crate) async fn item(Path(id): Path<u32>) -> String {
    format!("item {id}")
}

fn main() {
    let _app: Router = Router::new()
        .route("/", get(hello))
        .route("/unit", get(unit).post(unit_written_out))
        .route("/items/{id}", get(item));
}
