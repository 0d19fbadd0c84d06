// One string with a space is not two scopes.
use jwt_guard::authenticate;

#[authenticate("jwt", scopes = ["orders:read orders:write"])]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
