// A request without credentials has no authentication to step up.
use jwt_guard::authenticate;

#[authenticate("jwt", optional, acr = "urn:example:mfa")]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
