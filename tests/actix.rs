//! End to end on actix-web: the same attribute and the same checks as `authz.rs` (axum),
//! with the same statuses, challenges and bodies, plus `HttpRequest` as the header
//! source. The server runs in an actix system on a thread of its own; the issuer on a
//! tokio runtime of its own.

use std::net::SocketAddr;
use std::sync::LazyLock;

use actix_web::web::{self, Path};
use actix_web::{App, HttpRequest, HttpServer};
use jwt_guard::testkit::Issuer;
use jwt_guard::{Principal, authenticate};

#[path = "common/app.rs"]
mod app;

/// actix's own request type as the header source.
#[authenticate("jwt")]
async fn with_request(request: HttpRequest, who: Principal) -> String {
    format!("{} {}", request.path(), who.subject().unwrap_or("-"))
}

#[authenticate("jwt", scopes = ["orders:read"])]
async fn order(id: Path<u32>) -> String {
    format!("order {}", id.into_inner())
}

struct Env {
    issuer: Issuer,
    base: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| {
    let (issuer_tx, issuer_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let issuer = runtime.block_on(Issuer::start()).expect("issuer");
        issuer_tx.send(issuer).expect("send");
        runtime.block_on(std::future::pending::<()>());
    });
    let issuer = issuer_rx.recv().expect("the issuer failed to start");
    app::register(&issuer);

    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(|| {
                App::new()
                    .route("/either", web::get().to(app::either))
                    .route("/orders", web::get().to(app::orders))
                    .route("/orders/{id}", web::get().to(order))
                    .route("/write", web::get().to(app::write))
                    .route("/admin", web::get().to(app::admin))
                    .route("/realm", web::get().to(app::realm))
                    .route("/maybe", web::get().to(app::maybe))
                    .route("/strict", web::get().to(app::strict))
                    .route("/list", web::get().to(app::Orders::list))
                    .route("/health", web::get().to(app::Orders::health))
                    .route("/request", web::get().to(with_request))
            })
            .workers(1)
            .disable_signals()
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("bind");
            addr_tx.send(server.addrs()[0]).expect("send");
            server.run().await.expect("serve");
        });
    });
    let addr = addr_rx.recv().expect("the server failed to start");
    Env {
        issuer,
        base: format!("http://{addr}"),
    }
});

#[tokio::test]
async fn several_strategies_first_success_wins() {
    app::several_strategies(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn scopes_answer_403_with_the_scope_challenge() {
    app::scopes(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn roles_from_a_claim_path() {
    app::roles(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn optional_runs_without_a_principal() {
    app::optional(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn typed_claims_are_deserialized_or_refused() {
    app::typed_claims(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn impl_block_with_a_skipped_method() {
    app::impl_block(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn http_request_and_extractors_beside_the_guard() {
    let token = ENV
        .issuer
        .token(serde_json::json!({ "sub": "ada", "scope": "orders:read" }));
    app::bearer(&ENV.base, "/request", &token)
        .await
        .assert_ok("/request ada");
    app::get(&ENV.base, "/request", &[]).await.assert_error(
        401,
        "Authorization header is missing",
        "Bearer",
    );
    app::bearer(&ENV.base, "/orders/7", &token)
        .await
        .assert_ok("order 7");
    // Two Authorization headers are seen as two after the conversion to `http` 1.
    let value = format!("Bearer {token}");
    app::get(
        &ENV.base,
        "/request",
        &[("authorization", &value), ("authorization", &value)],
    )
    .await
    .assert_error(
        401,
        "Authorization header is repeated",
        "Bearer error=\"invalid_request\"",
    );
}
