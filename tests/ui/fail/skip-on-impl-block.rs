use jwt_guard::authenticate;

struct Api;

#[authenticate(skip)]
impl Api {
    async fn health() -> &'static str {
        "ok"
    }
}

fn main() {
    let _ = Api::health;
}
