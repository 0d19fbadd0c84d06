use jwt_guard::authenticate;

#[authenticate("jwt", scopes = ["a"], scopes = ["b"])]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
