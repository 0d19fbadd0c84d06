use axum::Router;
use axum::routing::get;
use jwt_guard::authenticate;

#[authenticate]
async fn hello() -> &'static str {
    "hello"
}

fn main() {
    let _app: Router = Router::new().route("/", get(hello));
}
