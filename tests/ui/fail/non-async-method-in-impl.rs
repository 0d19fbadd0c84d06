// The attribute on a method that is not async, inside an impl block.
use http::HeaderMap;
use jwt_guard::authenticate;

struct Api;

impl Api {
    #[authenticate("jwt")]
    fn count(&self, headers: &HeaderMap) -> usize {
        headers.len()
    }
}

fn main() {
    let _ = Api.count(&HeaderMap::new());
}
