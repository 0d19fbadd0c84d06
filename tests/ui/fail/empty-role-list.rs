use jwt_guard::authenticate;

#[authenticate("jwt", roles = any())]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
