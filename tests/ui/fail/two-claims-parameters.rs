use jwt_guard::{Claims, authenticate};

#[derive(serde::Deserialize)]
struct A {
    sub: String,
}

#[derive(serde::Deserialize)]
struct B {
    tenant: String,
}

#[authenticate("jwt")]
async fn hello(a: Claims<A>, b: Claims<B>) -> String {
    format!("{} {}", a.sub, b.tenant)
}

fn main() {}
