// A parameter type named like a header source but unrelated to `http` is reported on
// that type.
use jwt_guard::authenticate;

struct Request;

#[authenticate("jwt")]
async fn hello(_request: Request) -> &'static str {
    "hello"
}

fn main() {}
