// A sync method whose return type is an alias of a boxed future would be a handler left
// unguarded, and missing from the audit. Nothing in its text says `Future`: the assertion
// the attribute puts on every sync method's return type catches it.
use std::future::Future;
use std::pin::Pin;

use jwt_guard::authenticate;

type H = Pin<Box<dyn Future<Output = String> + Send>>;

struct Api;

#[authenticate("jwt")]
impl Api {
    async fn list() -> &'static str {
        "protected"
    }

    fn sneaky() -> H {
        Box::pin(async { "not protected".to_owned() })
    }
}

fn main() {
    let _ = (Api::list, Api::sneaky);
}
