//! The README's test recipe, 50 times over: each test owns a registry, an issuer and a
//! strategy, builds its router and calls it with `tower::ServiceExt::oneshot`. They run
//! in parallel in one process and share nothing, so none can see another's strategy.
//!
//! Run it many times to look for flakiness:
//! `for i in $(seq 20); do cargo test -p jwt-guard-tests --test parallel -q || break; done`

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use jwt_guard::testkit::Issuer;
use jwt_guard::{Principal, Registry, authenticate};
use jwt_guard_tests::registry;
use serde_json::json;
use tower::ServiceExt as _;

#[authenticate("jwt")]
async fn me(who: Principal) -> String {
    who.subject().unwrap_or("-").to_owned()
}

/// The app under test, with the registry it is given.
fn app(registry: Registry) -> Router {
    Router::new()
        .route("/me", get(me))
        .layer(axum::Extension(registry))
}

async fn call(app: Router, token: &str) -> (StatusCode, String) {
    let request = Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn one_test(n: usize) {
    // Everything the test needs is its own: keys, strategy, registry.
    let issuer = Issuer::offline(format!("https://issuer-{n}.test")).expect("issuer");
    let registry = registry::offline(&issuer, "jwt");

    let subject = format!("user-{n}");
    let token = issuer.token(json!({ "sub": subject }));
    assert_eq!(
        call(app(registry.clone()), &token).await,
        (StatusCode::OK, subject)
    );
    // Another test's token never passes here: its issuer and key are not ours.
    let other = Issuer::offline(format!("https://issuer-{}.test", n + 1000)).expect("issuer");
    let (status, _) = call(app(registry), &other.token(json!({ "sub": "x" }))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

macro_rules! parallel_tests {
    ($($name:ident = $n:expr),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                one_test($n).await;
            }
        )*
    };
}

parallel_tests! {
    t01 = 1, t02 = 2, t03 = 3, t04 = 4, t05 = 5, t06 = 6, t07 = 7, t08 = 8, t09 = 9, t10 = 10,
    t11 = 11, t12 = 12, t13 = 13, t14 = 14, t15 = 15, t16 = 16, t17 = 17, t18 = 18, t19 = 19,
    t20 = 20, t21 = 21, t22 = 22, t23 = 23, t24 = 24, t25 = 25, t26 = 26, t27 = 27, t28 = 28,
    t29 = 29, t30 = 30, t31 = 31, t32 = 32, t33 = 33, t34 = 34, t35 = 35, t36 = 36, t37 = 37,
    t38 = 38, t39 = 39, t40 = 40, t41 = 41, t42 = 42, t43 = 43, t44 = 44, t45 = 45, t46 = 46,
    t47 = 47, t48 = 48, t49 = 49, t50 = 50,
}
