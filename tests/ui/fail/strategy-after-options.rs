// Strategy names come first; a name after an option is not silently taken as one.
use jwt_guard::authenticate;

#[authenticate("jwt", optional, "api-key")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
