// An unused protected function is still reported as dead code.
#![deny(dead_code)]

use jwt_guard::authenticate;

#[authenticate("jwt")]
async fn never_routed() -> &'static str {
    "hello"
}

fn main() {}
