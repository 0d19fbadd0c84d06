// In an authenticated impl block, a method that returns a future without being `async`
// would be a handler left unprotected: it is an error, not a silent hole.
use std::future::Future;

use jwt_guard::authenticate;

struct Api;

#[authenticate("jwt")]
impl Api {
    async fn list() -> &'static str {
        "protected"
    }

    fn sneaky() -> impl Future<Output = &'static str> {
        async { "not protected" }
    }

    // Not a future: not a handler, left alone.
    fn new() -> Self {
        Api
    }
}

fn main() {
    let _ = (Api::list, Api::sneaky, Api::new);
}
