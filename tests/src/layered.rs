//! The app of [`app`](crate::app) without the attribute: plain handlers that take
//! `Principal` / `Claims<T>` as extractors, each route behind a layer whose [`Policy`]
//! says what the attribute said. The axum (`layer.rs`) and actix-web (`actix_layer.rs`)
//! suites run the attribute's checks against it: the answers must be the same.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::HeaderMap;
use jwt_guard::authz::Requirement::{All, Any, One};
use jwt_guard::policy::Policy;
use jwt_guard::testkit::Issuer;
use jwt_guard::{BoxFuture, Claims, Error, JwtStrategy, Principal, Strategy};

use crate::app::{Profile, Strict};

pub async fn either(who: Principal) -> String {
    format!("{} {}", who.strategy(), who.subject().unwrap_or("-"))
}

pub async fn orders(claims: Claims<Profile>) -> String {
    format!(
        "orders of {} in {}",
        claims.sub,
        claims.tenant.as_deref().unwrap_or("-")
    )
}

pub async fn write() -> String {
    "written".to_owned()
}

pub async fn admin(who: Principal) -> String {
    format!("admin {}", who.roles().join(","))
}

pub async fn realm() -> String {
    "realm ok".to_owned()
}

pub async fn maybe(claims: Option<Claims<Profile>>) -> String {
    match claims {
        Some(claims) => format!("hello {}", claims.sub),
        None => "hello anonymous".to_owned(),
    }
}

pub async fn strict(claims: Claims<Strict>, who: Principal) -> String {
    format!("{} {}", claims.tenant, who.strategy())
}

pub async fn list(who: Principal) -> String {
    format!("list for {}", who.subject().unwrap_or("-"))
}

pub async fn health() -> String {
    "healthy".to_owned()
}

/// One policy per route of [`app`](crate::app), named `<framework> <path>`.
#[derive(Debug, Clone)]
pub struct Policies {
    pub either: Policy,
    pub orders: Policy,
    pub write: Policy,
    pub admin: Policy,
    pub realm: Policy,
    pub maybe: Policy,
    pub jwt: Policy,
}

pub fn policies(framework: &str) -> Policies {
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

/// A JWT strategy for `issuer` that counts its calls in `calls`: an `#[authenticate]`
/// site under a layer of the same strategies must verify a token once.
#[derive(Debug)]
pub struct Counting {
    inner: JwtStrategy,
    calls: Arc<AtomicUsize>,
}

impl Counting {
    pub fn new(issuer: &Issuer, calls: &Arc<AtomicUsize>) -> Self {
        Counting {
            inner: JwtStrategy::builder()
                .issuer(issuer.issuer())
                .build()
                .expect("strategy"),
            calls: Arc::clone(calls),
        }
    }
}

impl Strategy for Counting {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.authenticate(headers)
    }
}
