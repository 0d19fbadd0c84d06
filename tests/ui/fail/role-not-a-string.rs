use jwt_guard::authenticate;

#[authenticate("jwt", roles = any(admin, "ops"))]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
