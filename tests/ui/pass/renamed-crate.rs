// `crate = "..."` names the runtime crate when it is renamed or re-exported.
#![deny(warnings)]

use axum::Router;
use axum::routing::get;
use jwt_guard as guard_rt;

mod platform {
    //! A company crate that re-exports jwt-guard.
    pub use jwt_guard as auth;
}

#[guard_rt::authenticate("jwt", crate = "guard_rt")]
async fn renamed(who: guard_rt::Principal) -> String {
    who.strategy().to_owned()
}

#[platform::auth::authenticate("jwt", crate = "crate::platform::auth")]
async fn reexported() -> &'static str {
    "ok"
}

#[platform::auth::authenticate("jwt", crate = "::jwt_guard")]
async fn explicit_default() {}

// A bare path works too.
#[guard_rt::authenticate("jwt", crate = guard_rt)]
async fn bare_path() {}

fn main() {
    let _app: Router = Router::new()
        .route("/renamed", get(renamed))
        .route("/reexported", get(reexported))
        .route("/default", get(explicit_default))
        .route("/bare", get(bare_path));
}
