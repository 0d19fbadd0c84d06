use jwt_guard::authenticate;

#[authenticate("jwt", scopes = ["orders:read", "orders:write", "orders:read"])]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
