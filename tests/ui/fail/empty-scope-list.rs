// An empty list would require nothing: almost certainly a mistake.
use jwt_guard::authenticate;

#[authenticate("jwt", scopes = [])]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
