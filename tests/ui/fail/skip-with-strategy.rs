use jwt_guard::authenticate;

#[authenticate("jwt", skip)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
