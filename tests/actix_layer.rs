//! actix-web's `AuthMiddleware`, end to end on 127.0.0.1: scopes wrapped with the
//! middleware answer every check of `authz.rs` exactly as the attribute does; a whole
//! `App` wrapped; the extractors fail closed where no middleware ran; a handler with
//! `#[authenticate]` under middleware of the same strategies verifies the token once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use actix_web::{App, HttpServer, web};
use jwt_guard::actix::AuthMiddleware;
use jwt_guard::policy::Policy;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Principal, authenticate};
use jwt_guard_tests::layered::{self, Counting};
use jwt_guard_tests::{app, client, runtime};
use serde_json::json;

static CALLS: LazyLock<Arc<AtomicUsize>> = LazyLock::new(Arc::default);

#[authenticate("actix-count", scopes = ["orders:read"])]
async fn once(who: Principal) -> String {
    format!("once {}", who.subject().unwrap_or("-"))
}

struct Env {
    issuer: Issuer,
    /// Scopes with middleware, and routes without.
    base: String,
    /// An `App` wrapped as a whole.
    app: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| {
    let issuer = runtime::on_own_runtime(|| async { Issuer::start().await.expect("issuer") });
    jwt_guard::register("actix-count", Counting::new(&issuer, &CALLS)).expect("register");
    app::register(&issuer);
    let p = layered::policies("actix");
    let counted = Policy::builder("actix /once", ["actix-count"])
        .build()
        .expect("policy");
    let whole = Policy::builder("actix whole app", ["jwt"])
        .build()
        .expect("policy");

    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let scope = |path: &str, policy: &Policy| {
                web::scope(path).wrap(AuthMiddleware::new(policy.clone()))
            };
            let scopes = HttpServer::new(move || {
                App::new()
                    .service(scope("/either", &p.either).route("", web::get().to(layered::either)))
                    .service(scope("/orders", &p.orders).route("", web::get().to(layered::orders)))
                    .service(scope("/write", &p.write).route("", web::get().to(layered::write)))
                    .service(scope("/admin", &p.admin).route("", web::get().to(layered::admin)))
                    .service(scope("/realm", &p.realm).route("", web::get().to(layered::realm)))
                    .service(scope("/maybe", &p.maybe).route("", web::get().to(layered::maybe)))
                    .service(scope("/strict", &p.jwt).route("", web::get().to(layered::strict)))
                    .service(scope("/list", &p.jwt).route("", web::get().to(layered::list)))
                    .service(scope("/once", &counted).route("", web::get().to(once)))
                    .route("/health", web::get().to(layered::health))
                    .route("/no-layer/principal", web::get().to(layered::list))
                    .route("/no-layer/claims", web::get().to(layered::orders))
            })
            .workers(1)
            .disable_signals()
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("bind");
            let whole_app = HttpServer::new(move || {
                App::new()
                    .wrap(AuthMiddleware::new(whole.clone()))
                    .route("/me", web::get().to(layered::list))
            })
            .workers(1)
            .disable_signals()
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("bind");
            addr_tx
                .send((scopes.addrs()[0], whole_app.addrs()[0]))
                .expect("send");
            let (a, b) = futures_util::future::join(scopes.run(), whole_app.run()).await;
            a.and(b).expect("serve");
        });
    });
    let (base, app) = addr_rx.recv().expect("the servers failed to start");
    Env {
        issuer,
        base: format!("http://{base}"),
        app: format!("http://{app}"),
    }
});

jwt_guard_tests::shared_checks!(ENV);

#[tokio::test]
async fn routes_outside_the_middleware_stay_public() {
    app::impl_block(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn a_whole_app_wrapped() {
    let token = ENV.issuer.token(json!({ "sub": "ada" }));
    client::bearer(&ENV.app, "/me", &token)
        .await
        .assert_ok("list for ada");
    client::get(&ENV.app, "/me", &[]).await.assert_error(
        401,
        "Authorization header is missing",
        "Bearer",
    );
    // Also a path no route matches: the middleware answers first.
    client::get(&ENV.app, "/nowhere", &[]).await.assert_error(
        401,
        "Authorization header is missing",
        "Bearer",
    );
}

#[tokio::test]
async fn extractors_without_middleware_fail_closed_naming_the_mistake() {
    let token = ENV
        .issuer
        .token(json!({ "sub": "ada", "scope": "orders:read" }));
    for path in ["/no-layer/principal", "/no-layer/claims"] {
        let answer = client::bearer(&ENV.base, path, &token).await;
        assert_eq!(answer.status, 500, "{path}: {}", answer.body);
        assert_eq!(
            answer.json()["error"]["message"],
            "authentication is misconfigured: Principal extracted but no jwt-guard layer \
             authenticated this request",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_attribute_under_middleware_of_its_strategies_verifies_once() {
    let read = ENV
        .issuer
        .token(json!({ "sub": "ada", "scope": "orders:read" }));
    let before = CALLS.load(Ordering::SeqCst);
    client::bearer(&ENV.base, "/once", &read)
        .await
        .assert_ok("once ada");
    assert_eq!(CALLS.load(Ordering::SeqCst) - before, 1, "verified twice");
    let profile = ENV
        .issuer
        .token(json!({ "sub": "ada", "scope": "profile" }));
    client::bearer(&ENV.base, "/once", &profile)
        .await
        .assert_error(
            403,
            "Insufficient scope",
            r#"Bearer error="insufficient_scope", scope="orders:read""#,
        );
    assert_eq!(CALLS.load(Ordering::SeqCst) - before, 2);
}
