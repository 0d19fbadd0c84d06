//! End to end on axum: several strategies, scopes and roles (401 vs 403 and the
//! challenge), `optional`, typed claims and impl blocks, through a real server and real
//! tokens on 127.0.0.1. The same checks run on actix-web in `actix.rs`.

use std::sync::LazyLock;

use axum::Router;
use axum::routing::get;
use jwt_guard::testkit::Issuer;
use jwt_guard_tests::{app, runtime, server};

struct Env {
    issuer: Issuer,
    base: String,
}

/// One issuer and one app for the whole file, on a runtime of their own.
static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    app::register(&issuer);
    let routes = Router::new()
        .route("/either", get(app::either))
        .route("/orders", get(app::orders))
        .route("/write", get(app::write))
        .route("/admin", get(app::admin))
        .route("/realm", get(app::realm))
        .route("/maybe", get(app::maybe))
        .route("/strict", get(app::strict))
        .route("/list", get(app::Orders::list))
        .route("/health", get(app::Orders::health));
    let addr = server::serve(routes).await;
    Env {
        issuer,
        base: format!("http://{addr}"),
    }
}

jwt_guard_tests::shared_checks!(ENV);

#[tokio::test]
async fn impl_block_with_a_skipped_method() {
    app::impl_block(&ENV.base, &ENV.issuer).await;
}
