// A strategy listed twice would be tried twice.
use jwt_guard::authenticate;

#[authenticate("jwt", "api-key", "jwt")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
