use jwt_guard::{Principal, authenticate};

#[authenticate("jwt")]
async fn hello(who: Principal, again: Principal) -> String {
    format!("{} {}", who.strategy(), again.strategy())
}

fn main() {}
