// An `impl Trait` return type cannot be named in the not-a-future assertion: a sync
// method of an authenticated block that returns one must say it is not a handler.
use jwt_guard::authenticate;

struct Api;

#[authenticate("jwt")]
impl Api {
    fn numbers(&self) -> impl Iterator<Item = u32> {
        0..3
    }
}

fn main() {
    let _ = Api.numbers();
}
