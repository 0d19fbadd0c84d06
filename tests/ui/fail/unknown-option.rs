use jwt_guard::authenticate;

#[authenticate("jwt", scopes = ["read"])]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
