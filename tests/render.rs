//! Error rendering through a real axum server: RFC 9457 problem details or a custom
//! renderer replace the body, never the status or `WWW-Authenticate`. The renderer is
//! process-wide, so the steps run in one test, in order.

use axum::Router;
use axum::routing::get;
use jwt_guard::render::{self, ErrorBody, LoopBack, ProblemJson};
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, authenticate};
use jwt_guard_tests::client::{self, Answer};
use jwt_guard_tests::server;
use serde_json::{Value, json};

#[authenticate("jwt", scopes = ["orders:read"])]
async fn orders() -> &'static str {
    "orders"
}

async fn get_with(base: &str, authorization: Option<&str>) -> Answer {
    let headers: &[(&str, &str)] = match authorization {
        Some(value) => &[("authorization", value)],
        None => &[],
    };
    client::get(base, "/orders", headers).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renderers_choose_the_body_only() {
    let issuer = Issuer::start().await.expect("issuer");
    let jwt = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    jwt_guard::register("jwt", jwt).expect("register");
    let app = Router::new().route("/orders", get(orders));
    let base = format!("http://{}", server::serve(app).await);
    let no_scope = format!("Bearer {}", issuer.token(json!({ "scope": "profile" })));

    // The default: LoopBack's shape.
    let answer = get_with(&base, None).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let json: Value = serde_json::from_str(&answer.body).expect("json");
    assert_eq!(json["error"]["name"], "UnauthorizedError");

    // RFC 9457.
    render::set_renderer(ProblemJson);
    let answer = get_with(&base, None).await;
    assert_eq!(answer.status, 401);
    // The challenge is jwt-guard's, not the renderer's: it names the route's scope.
    assert_eq!(
        answer.challenge.as_deref(),
        Some(r#"Bearer scope="orders:read""#)
    );
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&answer.body).expect("json"),
        json!({
            "type": "about:blank", "title": "Unauthorized", "status": 401,
            "detail": "Authorization header is missing",
        })
    );
    let answer = get_with(&base, Some(&no_scope)).await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(r#"Bearer error="insufficient_scope", scope="orders:read""#)
    );
    assert_eq!(
        serde_json::from_str::<Value>(&answer.body).expect("json")["title"],
        "Forbidden"
    );

    // A renderer of one's own.
    render::set_renderer(|error: &jwt_guard::Error| {
        ErrorBody::new(
            "text/plain; charset=utf-8",
            format!(
                "denied ({}): {}",
                error.status().as_u16(),
                error.body_text()
            ),
        )
    });
    let answer = get_with(&base, Some("Bearer x.y.z")).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.challenge.as_deref(),
        Some("Bearer error=\"invalid_token\", scope=\"orders:read\"")
    );
    assert_eq!(
        answer.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(answer.body, "denied (401): Invalid token: jwt malformed");

    render::set_renderer(LoopBack);
    let answer = get_with(&base, Some(&no_scope)).await;
    assert_eq!(
        (answer.status, answer.content_type.as_deref()),
        (403, Some("application/json"))
    );
}
