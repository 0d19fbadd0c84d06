// `all(..)` and `any(..)` are the combinators; there is no `none(..)` or `not(..)`.
use jwt_guard::authenticate;

#[authenticate("jwt", roles = none("banned"))]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
