// A misspelt option is named, with the valid ones and the likely intended one.
use jwt_guard::authenticate;

#[authenticate("jwt", scope = ["orders:read"])]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
