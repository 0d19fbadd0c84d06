// A body that does not parse (yet) is kept as written under the rewritten signature: the
// errors are rustc's own, the same as without the attribute, and the route still sees the
// hidden guard extractor, so it reports nothing more.
use axum::Router;
use axum::routing::get;
use jwt_guard::{Principal, authenticate};

#[authenticate("jwt")]
async fn typing(who: Principal) -> String {
    let name = who.
}

fn main() {
    let _app: Router = Router::new().route("/", get(typing));
}
