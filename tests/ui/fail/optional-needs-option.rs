// With `optional` there may be no principal: the parameter must say so.
use jwt_guard::{Principal, authenticate};

#[authenticate("jwt", optional)]
async fn hello(who: Principal) -> String {
    who.strategy().to_owned()
}

fn main() {}
