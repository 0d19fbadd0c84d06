// `#[axum::debug_handler]` above `#[authenticate]` checks the function as written, before
// the attribute has removed `Principal` and added the guard extractor: the error comes
// from its checks (for a handler without `Principal`, it is E0061, "this function takes
// 1 argument but 0 arguments were supplied", the missing one a `Guard<..>`). The fix is
// the other order: `#[authenticate]` above `#[axum::debug_handler]`.
use axum::Router;
use axum::routing::get;
use jwt_guard::{Principal, authenticate};

#[axum::debug_handler]
#[authenticate("jwt")]
async fn who(who: Principal) -> String {
    who.strategy().to_owned()
}

fn main() {
    let _app: Router = Router::new().route("/who", get(who));
}
