// An empty list would accept no token.
use jwt_guard::authenticate;

#[authenticate("jwt", acr = any())]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
