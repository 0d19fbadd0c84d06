// A parameter named like the principal but of another type is reported on that type.
use jwt_guard::authenticate;

mod auth {
    pub struct Principal;
}

#[authenticate("jwt")]
async fn hello(_who: auth::Principal) -> &'static str {
    "hello"
}

fn main() {}
