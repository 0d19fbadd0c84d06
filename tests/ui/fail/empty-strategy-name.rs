use jwt_guard::authenticate;

#[authenticate("")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
