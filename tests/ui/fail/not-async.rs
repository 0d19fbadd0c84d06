use axum::Router;
use axum::routing::get;
use jwt_guard::authenticate;

#[authenticate("jwt")]
fn hello() -> &'static str {
    "hello"
}

fn main() {
    // Expanded as if it were async: the route reports nothing more.
    let _app: Router = Router::new().route("/", get(hello));
}
