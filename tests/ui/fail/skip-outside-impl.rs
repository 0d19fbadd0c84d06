// `skip` exempts a method from its impl block's attribute; alone it would do nothing,
// and a reader could believe the function is protected by something.
use jwt_guard::authenticate;

#[authenticate(skip)]
async fn health() -> &'static str {
    "ok"
}

fn main() {
    let _ = health;
}
