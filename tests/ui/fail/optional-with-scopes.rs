// An anonymous request has no scopes: `optional` with `scopes` cannot both hold.
use jwt_guard::{Principal, authenticate};

#[authenticate("jwt", optional, scopes = ["orders:read"])]
async fn hello(who: Option<Principal>) -> bool {
    who.is_some()
}

fn main() {}
