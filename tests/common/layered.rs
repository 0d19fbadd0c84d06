//! The app of `common/app.rs` without the attribute: plain handlers that take
//! `Principal` / `Claims<T>` as extractors, each route behind a layer whose [`Policy`]
//! says what the attribute said. The axum (`layer.rs`) and actix-web (`actix_layer.rs`)
//! suites run the attribute's checks against it: the answers must be the same.

use jwt_guard::authz::Requirement::{All, Any, One};
use jwt_guard::policy::Policy;
use jwt_guard::{Claims, Principal};

use crate::app::{Profile, Strict};

pub(crate) async fn either(who: Principal) -> String {
    format!("{} {}", who.strategy(), who.subject().unwrap_or("-"))
}

pub(crate) async fn orders(claims: Claims<Profile>) -> String {
    format!(
        "orders of {} in {}",
        claims.sub,
        claims.tenant.as_deref().unwrap_or("-")
    )
}

pub(crate) async fn write() -> String {
    "written".to_owned()
}

pub(crate) async fn admin(who: Principal) -> String {
    format!("admin {}", who.roles().join(","))
}

pub(crate) async fn realm() -> String {
    "realm ok".to_owned()
}

pub(crate) async fn maybe(claims: Option<Claims<Profile>>) -> String {
    match claims {
        Some(claims) => format!("hello {}", claims.sub),
        None => "hello anonymous".to_owned(),
    }
}

pub(crate) async fn strict(claims: Claims<Strict>, who: Principal) -> String {
    format!("{} {}", claims.tenant, who.strategy())
}

pub(crate) async fn list(who: Principal) -> String {
    format!("list for {}", who.subject().unwrap_or("-"))
}

pub(crate) async fn health() -> String {
    "healthy".to_owned()
}

/// One policy per route of `common/app.rs`, named `<framework> <path>`.
#[derive(Clone)]
pub(crate) struct Policies {
    pub(crate) either: Policy,
    pub(crate) orders: Policy,
    pub(crate) write: Policy,
    pub(crate) admin: Policy,
    pub(crate) realm: Policy,
    pub(crate) maybe: Policy,
    pub(crate) jwt: Policy,
}

pub(crate) fn policies(framework: &str) -> Policies {
    let name = |path: &str| format!("{framework} {path}");
    let build = |builder: jwt_guard::policy::PolicyBuilder| builder.build().expect("policy");
    Policies {
        either: build(Policy::builder(name("/either"), ["jwt", "api-key"])),
        orders: build(Policy::builder(name("/orders"), ["jwt"]).scopes(All(&[One("orders:read")]))),
        write: build(
            Policy::builder(name("/write"), ["jwt"])
                .scopes(All(&[One("orders:read"), One("orders:write")])),
        ),
        admin: build(
            Policy::builder(name("/admin"), ["jwt", "api-key"])
                .roles(Any(&[One("admin"), One("ops")])),
        ),
        realm: build(
            Policy::builder(name("/realm"), ["kc"]).roles(All(&[One("admin"), One("eu")])),
        ),
        maybe: build(Policy::builder(name("/maybe"), ["jwt"]).optional()),
        jwt: build(Policy::builder(name("/strict, /list"), ["jwt"])),
    }
}
