// A token carries one acr value: `all(..)` of several could never hold.
use jwt_guard::authenticate;

#[authenticate("jwt", acr = all("urn:example:mfa", "urn:example:hwk"))]
async fn transfer() -> &'static str {
    "done"
}

fn main() {}
