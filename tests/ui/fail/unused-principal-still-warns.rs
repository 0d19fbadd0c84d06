// A principal parameter the body never uses is reported like any unused parameter.
#![deny(unused_variables)]

use jwt_guard::{Principal, authenticate};

#[authenticate("jwt")]
async fn hello(who: Principal) -> &'static str {
    "hello"
}

fn main() {
    let _ = hello;
}
