use jwt_guard::authenticate;

#[authenticate("jwt", "")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
