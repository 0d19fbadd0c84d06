// `Claims<T>` needs `T: Deserialize`; the error points at `T`.
use jwt_guard::{Claims, authenticate};

struct Mine {
    sub: String,
}

#[authenticate("jwt")]
async fn hello(claims: Claims<Mine>) -> String {
    claims.sub.clone()
}

fn main() {
    let _ = hello;
}
