// A bare number has no unit: the message says what to write.
use jwt_guard::authenticate;

#[authenticate("jwt", max_age = 300)]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
