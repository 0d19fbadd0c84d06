// A duration too long to count is refused, not wrapped.
use jwt_guard::authenticate;

#[authenticate("jwt", max_age = "99999999999999999d")]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
