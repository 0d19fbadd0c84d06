// A duration has a unit: ms, s, m, h or d.
use jwt_guard::authenticate;

#[authenticate("jwt", max_age = "5x")]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
