// The `crate` option is a path, resolved where the attribute is written.
use jwt_guard::authenticate;

#[authenticate("jwt", crate = "jwt_gaurd")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
