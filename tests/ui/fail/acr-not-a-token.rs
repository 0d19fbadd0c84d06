// acr values are space-separated in the challenge: a value has no space.
use jwt_guard::authenticate;

#[authenticate("jwt", acr = "urn:example mfa")]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
