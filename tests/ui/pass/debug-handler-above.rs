// `#[axum::debug_handler]` above `#[authenticate]` checks the function as written, before
// the attribute has replaced `Principal` by its guard extractor: `Principal` is an
// extractor too (downstream of a layer or the guard), and the count of parameters is the
// same, so the checks pass. A handler with no parameter at all is the one case this order
// cannot check: debug_handler calls it with none, the guard adds one (E0061, "argument of
// type `Guard<..>` is missing"); put `#[authenticate]` above `#[debug_handler]` there.
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
