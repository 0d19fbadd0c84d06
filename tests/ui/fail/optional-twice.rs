use jwt_guard::{Principal, authenticate};

#[authenticate("jwt", optional, optional)]
async fn hello(who: Option<Principal>) -> String {
    format!("{:?}", who.map(|p| p.strategy().to_owned()))
}

fn main() {}
