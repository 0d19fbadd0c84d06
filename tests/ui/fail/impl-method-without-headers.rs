// A method with `self` in an authenticated impl block has nowhere to read headers from.
use jwt_guard::authenticate;

struct Api {
    name: String,
}

#[authenticate("jwt")]
impl Api {
    async fn name(&self) -> String {
        self.name.clone()
    }
}

fn main() {}
