//! The request path: `#[authenticate]` runs before every other extractor and before the
//! body is read; a router (or test) can own its registry; a testkit issuer outlives the
//! runtime that started it. Real servers on 127.0.0.1.

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequest, Path, Request};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use futures_util::StreamExt as _;
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, Principal, Registry, authenticate};
use jwt_guard_tests::raw::post_partial_body;
use jwt_guard_tests::registry;
use jwt_guard_tests::server::serve;
use serde_json::{Value, json};

/// Times the body extractor of `create` ran.
static BODY_EXTRACTOR_RUNS: AtomicUsize = AtomicUsize::new(0);
/// Request body bytes read by anyone, counted by a layer that wraps every body.
static BODY_BYTES_READ: AtomicUsize = AtomicUsize::new(0);

/// `Json<Value>` that counts its runs.
struct Counted(Value);

impl<S: Send + Sync> FromRequest<S> for Counted {
    type Rejection = axum::extract::rejection::JsonRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        BODY_EXTRACTOR_RUNS.fetch_add(1, Ordering::SeqCst);
        let Json(value) = Json::<Value>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

#[authenticate("rp-jwt")]
async fn create(Path(id): Path<u32>, Counted(order): Counted) -> Json<Value> {
    Json(json!({ "id": id, "items": order["items"] }))
}

#[authenticate("rp-own")]
async fn mine(who: Principal) -> String {
    who.subject().unwrap_or("-").to_owned()
}

/// Wraps the request body so that every byte read is counted.
async fn count_body(request: Request) -> Request {
    let (parts, body) = request.into_parts();
    let counted = body.into_data_stream().inspect(|chunk| {
        if let Ok(bytes) = chunk {
            BODY_BYTES_READ.fetch_add(bytes.len(), Ordering::SeqCst);
        }
    });
    Request::from_parts(parts, Body::from_stream(counted))
}

/// The orders app, with "rp-jwt" registered globally for `issuer`.
async fn orders_app(issuer: &Issuer) -> SocketAddr {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    let mut strategy = Some(strategy);
    REGISTERED.call_once(|| {
        jwt_guard::register("rp-jwt", strategy.take().expect("once")).expect("register");
    });
    let app = Router::new()
        .route("/orders/{id}", post(create))
        .layer(axum::middleware::map_request(count_body));
    serve(app).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_requests_are_refused_before_the_body_is_read() {
    let issuer = Issuer::start().await.expect("issuer");
    let addr = orders_app(&issuer).await;
    let runs = BODY_EXTRACTOR_RUNS.load(Ordering::SeqCst);
    let bytes = BODY_BYTES_READ.load(Ordering::SeqCst);

    // 10 MB announced, 64 KiB sent: the answer comes without the rest of the body.
    let answer = tokio::task::spawn_blocking(move || {
        post_partial_body(addr, "/orders/7", None, 10 * 1024 * 1024, 64 * 1024)
    })
    .await
    .expect("client");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer:.300}");
    assert!(
        answer.contains("Authorization header is missing"),
        "{answer}"
    );
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{answer}"
    );

    // A bad token, and a path the `Path` extractor would refuse (400): still 401 first.
    let answer = tokio::task::spawn_blocking(move || {
        post_partial_body(
            addr,
            "/orders/not-a-number",
            Some("Bearer nope"),
            10 * 1024 * 1024,
            1024,
        )
    })
    .await
    .expect("client");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer:.300}");
    assert!(answer.contains("Invalid token: jwt malformed"), "{answer}");

    assert_eq!(
        BODY_EXTRACTOR_RUNS.load(Ordering::SeqCst),
        runs,
        "the body extractor ran for a refused request"
    );
    assert_eq!(
        BODY_BYTES_READ.load(Ordering::SeqCst),
        bytes,
        "body bytes were read for a refused request"
    );

    // The control: with a valid token the body extractor runs and reads the body.
    let token = issuer.token(json!({ "sub": "ada" }));
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/orders/7"))
        .bearer_auth(&token)
        .json(&json!({ "items": ["tea"] }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({ "id": 7, "items": ["tea"] })
    );
    assert!(BODY_EXTRACTOR_RUNS.load(Ordering::SeqCst) > runs);
    assert!(BODY_BYTES_READ.load(Ordering::SeqCst) > bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_owns_its_registry() {
    // Two apps in one process, each with its own "rp-own" strategy and issuer; the
    // global registry has none.
    let (a, b) = (
        Issuer::offline("https://a.issuer.test").expect("issuer"),
        Issuer::offline("https://b.issuer.test").expect("issuer"),
    );
    let registry = |issuer: &Issuer| registry::offline(issuer, "rp-own");
    let app = |registry: Option<Registry>| {
        let router = Router::new().route("/me", get(mine));
        match registry {
            Some(registry) => router.layer(Extension(registry)),
            None => router,
        }
    };
    let app_a = serve(app(Some(registry(&a)))).await;
    let app_b = serve(app(Some(registry(&b)))).await;
    let bare = serve(app(None)).await;
    assert!(!Registry::global().contains("rp-own"));

    let client = reqwest::Client::new();
    let get = |addr: SocketAddr, token: String| {
        let request = client.get(format!("http://{addr}/me")).bearer_auth(token);
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        }
    };
    let token_a = || a.token(json!({ "sub": "alice" }));
    let token_b = || b.token(json!({ "sub": "bob" }));
    assert_eq!(get(app_a, token_a()).await, (200, "alice".to_owned()));
    assert_eq!(get(app_b, token_b()).await, (200, "bob".to_owned()));
    let (status, body) = get(app_a, token_b()).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = get(app_b, token_a()).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = get(bare, token_a()).await;
    assert_eq!(status, 500, "{body}");
    // The name is logged, never echoed in the body (it may come from a request).
    assert!(body.contains("strategy is not registered"), "{body}");
    assert!(!body.contains("rp-own"), "{body}");
}

#[test]
fn an_issuer_outlives_the_runtime_that_started_it() {
    let issuer = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(Issuer::start())
        .expect("issuer");
    // That runtime is gone; the key server still answers, on another runtime.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let strategy = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .build()
            .expect("strategy");
        let token = issuer.token(json!({ "sub": "ada" }));
        let principal = strategy.verify_token(&token).await.expect("verified");
        assert_eq!(principal.subject(), Some("ada"));
        assert_eq!(issuer.jwks_requests(), 1);
    });
    let addr = issuer.addr();
    drop(issuer);
    // Dropping the issuer stops its server.
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).is_err() {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(refused, "the issuer's server still accepts connections");
}
