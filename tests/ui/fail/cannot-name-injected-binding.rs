// The bindings the attribute adds are hygienic: the body cannot reach them.
use jwt_guard::{Principal, authenticate};

#[authenticate("jwt")]
async fn hello(who: Principal) -> String {
    let _ = who;
    __jwt_guard_principal.strategy().to_owned()
}

#[authenticate("jwt")]
async fn guard() -> String {
    format!("{__jwt_guard:?}")
}

fn main() {}
