// A max_age of zero would refuse every token.
use jwt_guard::authenticate;

#[authenticate("jwt", max_age = "0s")]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
