//! The renderer belongs to a registry (issue 19, item 5): on one process, a router that
//! carries its own registry with RFC 9457 problem details answers its refusals with them,
//! while the routes of the global registry keep the default (LoopBack's JSON) — for the
//! attribute and for a layer alike. Status and `WWW-Authenticate` never change.

use axum::Router;
use axum::routing::get;
use jwt_guard::render::ProblemJson;
use jwt_guard::testkit::Issuer;
use jwt_guard::tower::AuthLayer;
use jwt_guard::{JwtStrategy, Policy, Registry, authenticate};
use jwt_guard_tests::client::{self, Answer};
use jwt_guard_tests::server;
use serde_json::{Value, json};

#[authenticate("renderer-jwt", scopes = ["orders:read"])]
async fn orders() -> &'static str {
    "orders"
}

async fn open() -> &'static str {
    "behind the layer"
}

/// `GET url`, whose answer must have a JSON body.
async fn get_with(url: &str, authorization: Option<&str>) -> Answer {
    let mut request = reqwest::Client::new().get(url);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let answer = client::answer(request).await;
    serde_json::from_str::<Value>(&answer.body).expect("a JSON body");
    answer
}

async fn serve(app: Router) -> String {
    format!("http://{}", server::serve(app).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_registry_renders_its_own_refusals() {
    let issuer = Issuer::start().await.expect("issuer");
    let strategy = || {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .build()
            .expect("strategy")
    };
    jwt_guard::register("renderer-jwt", strategy()).expect("register");
    let own = Registry::new();
    own.register("renderer-jwt", strategy()).expect("register");
    own.set_renderer(ProblemJson);

    let global_app = serve(Router::new().route("/orders", get(orders))).await;
    let own_app = serve(
        Router::new()
            .route("/orders", get(orders))
            .layer(axum::Extension(own.clone())),
    )
    .await;
    let layered_app = serve(
        Router::new()
            .route("/open", get(open))
            .layer(AuthLayer::new(
                Policy::builder("renderer layer", ["renderer-jwt"])
                    .registry(own.clone())
                    .build()
                    .expect("policy"),
            )),
    )
    .await;

    // No token: the global registry's default body, the router's problem details.
    let global = get_with(&format!("{global_app}/orders"), None).await;
    assert_eq!(global.status, 401);
    // The route requires a scope: the 401 names it, whichever renderer writes the body.
    assert_eq!(
        global.challenge.as_deref(),
        Some(r#"Bearer scope="orders:read""#)
    );
    assert_eq!(global.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        global.json()["error"]["message"],
        "Authorization header is missing"
    );

    let own_refusal = get_with(&format!("{own_app}/orders"), None).await;
    assert_eq!(own_refusal.status, 401);
    assert_eq!(
        own_refusal.challenge.as_deref(),
        Some(r#"Bearer scope="orders:read""#)
    );
    assert_eq!(
        own_refusal.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(own_refusal.json()["status"], 401);
    assert_eq!(own_refusal.json()["title"], "Unauthorized");

    // A 403 of the scope check: rendered by the registry too, challenge unchanged.
    let no_scope = format!("Bearer {}", issuer.token(json!({ "scope": "profile" })));
    let own_403 = get_with(&format!("{own_app}/orders"), Some(&no_scope)).await;
    assert_eq!(own_403.status, 403);
    assert_eq!(
        own_403.challenge.as_deref(),
        Some(r#"Bearer error="insufficient_scope", scope="orders:read""#)
    );
    assert_eq!(
        own_403.content_type.as_deref(),
        Some("application/problem+json")
    );
    let global_403 = get_with(&format!("{global_app}/orders"), Some(&no_scope)).await;
    assert_eq!(global_403.status, 403);
    assert_eq!(global_403.content_type.as_deref(), Some("application/json"));

    // The layer of a policy with its own registry renders with that registry.
    let layered = get_with(&format!("{layered_app}/open"), Some("Basic abc")).await;
    assert_eq!(layered.status, 401);
    assert_eq!(
        layered.content_type.as_deref(),
        Some("application/problem+json")
    );
}
