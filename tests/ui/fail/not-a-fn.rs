use jwt_guard::authenticate;

#[authenticate("jwt")]
pub struct Handler {
    name: String,
}

fn main() {
    let _ = Handler {
        name: String::new(),
    }
    .name;
}
