// `skip` means "not authenticated": nothing else can go with it.
use jwt_guard::authenticate;

struct Api;

#[authenticate("jwt")]
impl Api {
    #[authenticate(skip, optional)]
    async fn health() -> &'static str {
        "ok"
    }
}

fn main() {
    let _ = Api::health;
}
