// Without `optional` the body only runs for an authenticated caller: an `Option` would
// suggest otherwise.
use jwt_guard::{Claims, authenticate};

#[derive(serde::Deserialize)]
struct Mine {
    sub: String,
}

#[authenticate("jwt")]
async fn hello(claims: Option<Claims<Mine>>) -> String {
    claims.map(|c| c.0.sub).unwrap_or_default()
}

fn main() {}
