//! End to end on actix-web: the same attribute and the same checks as `authz.rs` (axum),
//! with the same statuses, challenges and bodies, plus `HttpRequest` as the header
//! source. The server runs in an actix system on a thread of its own; the issuer on a
//! tokio runtime of its own.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::Payload;
use actix_web::web::{self, Path};
use actix_web::{App, FromRequest, HttpRequest, HttpServer};
use jwt_guard::testkit::Issuer;
use jwt_guard::{Principal, authenticate};
use jwt_guard_tests::{app, client, raw, runtime};
use serde_json::Value;

/// The app's `#[authenticate]` handlers, compiled into this suite.
mod handlers {
    jwt_guard_tests::app_handlers!();
}

/// Times the body extractor of `upload` ran.
static BODY_EXTRACTOR_RUNS: AtomicUsize = AtomicUsize::new(0);

/// `web::Json<Value>` that counts its runs.
struct Counted(Value);

impl FromRequest for Counted {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            BODY_EXTRACTOR_RUNS.fetch_add(1, Ordering::SeqCst);
            Ok(Counted(json.await?.into_inner()))
        })
    }
}

#[authenticate("jwt")]
async fn upload(id: Path<u32>, Counted(body): Counted) -> String {
    format!("{} {}", id.into_inner(), body["items"])
}

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
    let issuer = runtime::on_own_runtime(|| async { Issuer::start().await.expect("issuer") });
    app::register(&issuer);

    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(|| {
                App::new()
                    .route("/either", web::get().to(handlers::either))
                    .route("/orders", web::get().to(handlers::orders))
                    .route("/orders/{id}", web::get().to(order))
                    .route("/write", web::get().to(handlers::write))
                    .route("/admin", web::get().to(handlers::admin))
                    .route("/realm", web::get().to(handlers::realm))
                    .route("/maybe", web::get().to(handlers::maybe))
                    .route("/strict", web::get().to(handlers::strict))
                    .route("/list", web::get().to(handlers::Orders::list))
                    .route("/health", web::get().to(handlers::Orders::health))
                    .route("/request", web::get().to(with_request))
                    .route("/upload/{id}", web::post().to(upload))
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

jwt_guard_tests::shared_checks!(ENV);

#[tokio::test]
async fn impl_block_with_a_skipped_method() {
    app::impl_block(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn http_request_and_extractors_beside_the_guard() {
    let token = ENV
        .issuer
        .token(serde_json::json!({ "sub": "ada", "scope": "orders:read" }));
    client::bearer(&ENV.base, "/request", &token)
        .await
        .assert_ok("/request ada");
    client::get(&ENV.base, "/request", &[]).await.assert_error(
        401,
        "Authorization header is missing",
        "Bearer",
    );
    client::bearer(&ENV.base, "/orders/7", &token)
        .await
        .assert_ok("order 7");
    // Two Authorization headers are seen as two after the conversion to `http` 1.
    let value = format!("Bearer {token}");
    client::get(
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

#[tokio::test]
async fn unauthenticated_requests_are_refused_before_the_body_is_read() {
    let addr: SocketAddr = ENV
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let runs = BODY_EXTRACTOR_RUNS.load(Ordering::SeqCst);
    // 10 MB announced, 64 KiB sent: the answer comes without the rest of the body.
    let answer = tokio::task::spawn_blocking(move || {
        raw::post_partial_body(addr, "/upload/7", None, 10 * 1024 * 1024, 64 * 1024)
    })
    .await
    .expect("client");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer:.300}");
    assert!(
        answer.contains("Authorization header is missing"),
        "{answer}"
    );
    let answer = tokio::task::spawn_blocking(move || {
        raw::post_partial_body(
            addr,
            "/upload/not-a-number",
            Some("Bearer nope"),
            10 * 1024 * 1024,
            1024,
        )
    })
    .await
    .expect("client");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer:.300}");
    assert_eq!(
        BODY_EXTRACTOR_RUNS.load(Ordering::SeqCst),
        runs,
        "the body extractor ran for a refused request"
    );

    // The control: with a token, the body is read.
    let token = ENV.issuer.token(serde_json::json!({ "sub": "ada" }));
    let response = reqwest::Client::new()
        .post(format!("{}/upload/7", ENV.base))
        .bearer_auth(token)
        .json(&serde_json::json!({ "items": ["tea"] }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), r#"7 ["tea"]"#);
    assert!(BODY_EXTRACTOR_RUNS.load(Ordering::SeqCst) > runs);
}
