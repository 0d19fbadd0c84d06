//! End to end on axum: several strategies, scopes and roles (401 vs 403 and the
//! challenge), `optional`, typed claims and impl blocks, through a real server and real
//! tokens on 127.0.0.1. The same checks run on actix-web in `actix.rs`.

use std::sync::LazyLock;

use axum::Router;
use axum::routing::get;
use jwt_guard::testkit::Issuer;
use jwt_guard_tests::{app, runtime, server};

/// The app's `#[authenticate]` handlers, compiled into this suite.
mod handlers {
    jwt_guard_tests::app_handlers!();
}

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
        .route("/either", get(handlers::either))
        .route("/orders", get(handlers::orders))
        .route("/write", get(handlers::write))
        .route("/admin", get(handlers::admin))
        .route("/realm", get(handlers::realm))
        .route("/maybe", get(handlers::maybe))
        .route("/strict", get(handlers::strict))
        .route("/list", get(handlers::Orders::list))
        .route("/health", get(handlers::Orders::health));
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
