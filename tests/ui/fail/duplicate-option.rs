use jwt_guard::authenticate;

#[authenticate("jwt", crate = "::jwt_guard", crate = "::jwt_guard")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
