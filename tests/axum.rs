//! End to end through a real axum server and a real JWKS endpoint on 127.0.0.1: every
//! answer the guard can give, with status, body and `WWW-Authenticate` checked.

use std::sync::LazyLock;

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard::Algorithm;
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, Principal, authenticate};
use jwt_guard_tests::client::{Answer, answer};
use jwt_guard_tests::{runtime, server};
use serde_json::{Value, json};

// ── the app under test ─────────────────────────────────────────────────────────────

#[authenticate("jwt")]
async fn protected() -> axum::Json<Value> {
    axum::Json(json!({ "message": "Access granted" }))
}

#[authenticate("jwt")]
async fn whoami(principal: Principal) -> axum::Json<Value> {
    axum::Json(json!({ "strategy": principal.strategy(), "sub": principal.subject() }))
}

#[authenticate("jwt")]
async fn with_headers(headers: http::HeaderMap) -> String {
    format!("{} headers", headers.len())
}

#[authenticate("jwt")]
async fn with_request(request: axum::extract::Request) -> String {
    request.uri().path().to_owned()
}

#[authenticate("jwt-aud")]
async fn audience() -> &'static str {
    "audience ok"
}

#[authenticate("jwt-kid")]
async fn rotating_route() -> &'static str {
    "kid ok"
}

#[authenticate("never-registered")]
async fn misconfigured() -> &'static str {
    "unreachable"
}

struct Controller;

impl Controller {
    #[authenticate("jwt")]
    async fn method(&self, headers: &http::HeaderMap) -> String {
        format!("method saw {} headers", headers.len())
    }
}

#[authenticate("jwt")]
async fn via_controller(headers: http::HeaderMap) -> Result<String, jwt_guard::Error> {
    Controller.method(&headers).await
}

struct Env {
    issuer: Issuer,
    /// A second issuer with its own key engine, for the unknown-kid test alone.
    rotating: Issuer,
    base: String,
}

/// One issuer and one app for the whole file, on a runtime of their own (tests each have
/// theirs, and a server must outlive any one test).
static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    {
        let issuer = Issuer::start().await.expect("issuer");
        let rotating = Issuer::start().await.expect("issuer");
        let jwt = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .build()
            .expect("strategy");
        jwt_guard::register("jwt", jwt).expect("register");
        let aud = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .audience("orders-api")
            .build()
            .expect("strategy");
        jwt_guard::register("jwt-aud", aud).expect("register");
        let kid = JwtStrategy::builder()
            .issuer(rotating.issuer())
            .build()
            .expect("strategy");
        jwt_guard::register("jwt-kid", kid).expect("register");
        let app = Router::new()
            .route("/protected", get(protected))
            .route("/whoami", get(whoami))
            .route("/headers", get(with_headers))
            .route("/request", get(with_request))
            .route("/controller", get(via_controller))
            .route("/audience", get(audience))
            .route("/rotating", get(rotating_route))
            .route("/misconfigured", get(misconfigured));
        let addr = server::serve(app).await;
        Env {
            issuer,
            rotating,
            base: format!("http://{addr}"),
        }
    }
}

async fn call(path: &str, authorization: &[&str]) -> Answer {
    let env = &*ENV;
    let mut request = reqwest::Client::new().get(format!("{}{path}", env.base));
    for value in authorization {
        request = request.header("authorization", *value);
    }
    answer(request).await
}

async fn bearer(path: &str, token: &str) -> Answer {
    call(path, &[&format!("Bearer {token}")]).await
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn b64(json: &Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

// ── the happy path ────────────────────────────────────────────────────────────────

#[tokio::test]
async fn valid_token_is_granted() {
    let token = ENV.issuer.token(json!({ "sub": "ada" }));
    let answer = bearer("/protected", &token).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&answer.body).unwrap(),
        json!({ "message": "Access granted" })
    );
    assert_eq!(answer.challenge, None);
}

#[tokio::test]
async fn body_sees_the_principal() {
    let token = ENV.issuer.token(json!({ "sub": "ada" }));
    let answer = bearer("/whoami", &token).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        serde_json::from_str::<Value>(&answer.body).unwrap(),
        json!({ "strategy": "jwt", "sub": "ada" })
    );
}

#[tokio::test]
async fn handlers_taking_headers_request_or_a_controller() {
    let token = ENV.issuer.token(json!({}));
    let answer = bearer("/headers", &token).await;
    assert_eq!(
        (answer.status, answer.body.ends_with(" headers")),
        (200, true),
        "{}",
        answer.body
    );
    let answer = bearer("/request", &token).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "/request"));
    let answer = bearer("/controller", &token).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.starts_with("method saw"), "{}", answer.body);
    for path in ["/headers", "/request", "/controller"] {
        call(path, &[])
            .await
            .assert_401("Authorization header is missing", "Bearer");
    }
}

#[tokio::test]
async fn scheme_is_case_insensitive() {
    let token = ENV.issuer.token(json!({}));
    assert_eq!(
        call("/protected", &[&format!("bearer {token}")])
            .await
            .status,
        200
    );
}

// ── LoopBack's three header messages, and header abuse ────────────────────────────

#[tokio::test]
async fn missing_header() {
    call("/protected", &[])
        .await
        .assert_401("Authorization header is missing", "Bearer");
}

#[tokio::test]
async fn not_bearer() {
    call("/protected", &["Basic YWRhOmxvdmVsYWNl"])
        .await
        .assert_401("Authorization header is not of type Bearer", "Bearer");
}

#[tokio::test]
async fn too_many_parts() {
    call("/protected", &["Bearer a.b.c extra"])
        .await
        .assert_401(
            "Authorization header value has too many parts.",
            "Bearer error=\"invalid_request\"",
        );
}

#[tokio::test]
async fn two_authorization_headers() {
    let token = ENV.issuer.token(json!({}));
    let value = format!("Bearer {token}");
    call("/protected", &[&value, &value]).await.assert_401(
        "Authorization header is repeated",
        "Bearer error=\"invalid_request\"",
    );
}

#[tokio::test]
async fn oversized_header() {
    let huge = format!("Bearer {}", "a".repeat(17000));
    call("/protected", &[&huge]).await.assert_401(
        "Authorization header is too large",
        "Bearer error=\"invalid_request\"",
    );
}

// ── tokens that must not pass ─────────────────────────────────────────────────────

#[tokio::test]
async fn expired() {
    let token = ENV.issuer.token(json!({ "exp": now() - 1 }));
    bearer("/protected", &token)
        .await
        .assert_invalid_token("jwt expired");
}

#[tokio::test]
async fn not_yet_valid() {
    let token = ENV.issuer.token(json!({ "nbf": now() + 60 }));
    bearer("/protected", &token)
        .await
        .assert_invalid_token("jwt not active");
}

#[tokio::test]
async fn wrong_issuer() {
    let issuer = format!("{}/", ENV.issuer.issuer());
    let token = ENV.issuer.token(json!({ "iss": issuer }));
    bearer("/protected", &token)
        .await
        .assert_invalid_token("jwt issuer invalid");
}

#[tokio::test]
async fn missing_issuer() {
    let mut claims = ENV.issuer.claims(json!({}));
    claims.as_object_mut().unwrap().remove("iss");
    let header = json!({ "alg": "RS256", "kid": ENV.issuer.kid() });
    let token = ENV.issuer.sign(&header, &claims);
    bearer("/protected", &token)
        .await
        .assert_invalid_token("jwt issuer invalid");
}

#[tokio::test]
async fn missing_exp() {
    let mut claims = ENV.issuer.claims(json!({}));
    claims.as_object_mut().unwrap().remove("exp");
    let token = ENV
        .issuer
        .sign(&json!({ "alg": "RS256", "kid": ENV.issuer.kid() }), &claims);
    bearer("/protected", &token)
        .await
        .assert_invalid_token("jwt exp is required");
}

#[tokio::test]
async fn alg_none() {
    let claims = ENV.issuer.claims(json!({}));
    let unsigned = format!("{}.{}.", b64(&json!({ "alg": "none" })), b64(&claims));
    bearer("/protected", &unsigned)
        .await
        .assert_invalid_token("jwt malformed");
    let with_junk = format!("{unsigned}c2ln");
    bearer("/protected", &with_junk)
        .await
        .assert_invalid_token("invalid algorithm");
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key() {
    // CVE-2016-10555 and kin: the attacker signs HS256 with the public key as the secret.
    let pem = ENV.issuer.public_key_pem(&ENV.issuer.kid());
    let claims = ENV.issuer.claims(json!({}));
    let input = format!(
        "{}.{}",
        b64(&json!({ "alg": "HS256", "kid": ENV.issuer.kid() })),
        b64(&claims)
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, pem.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
    bearer("/protected", &token)
        .await
        .assert_invalid_token("invalid algorithm");
}

#[tokio::test]
async fn rs384_when_only_rs256_is_allowed() {
    let kid = ENV
        .issuer
        .add_unpublished_key(Algorithm::RS384)
        .expect("key");
    let token = ENV.issuer.token_with(&kid, json!({}));
    bearer("/protected", &token)
        .await
        .assert_invalid_token("invalid algorithm");
}

#[tokio::test]
async fn tampered_payload() {
    let token = ENV.issuer.token(json!({ "sub": "ada", "admin": false }));
    let parts: Vec<&str> = token.split('.').collect();
    let forged = b64(&ENV.issuer.claims(json!({ "sub": "ada", "admin": true })));
    let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
    bearer("/protected", &tampered)
        .await
        .assert_invalid_token("invalid signature");
}

#[tokio::test]
async fn tampered_signature() {
    let token = ENV.issuer.token(json!({}));
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut signature = signature.to_owned().into_bytes();
    signature[10] = if signature[10] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{input}.{}", String::from_utf8(signature).unwrap());
    bearer("/protected", &tampered)
        .await
        .assert_invalid_token("invalid signature");
}

#[tokio::test]
async fn malformed_tokens() {
    for token in [
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        "eyJhbGciOiJSUzI1NiJ9.e30",
    ] {
        bearer("/protected", token)
            .await
            .assert_invalid_token("jwt malformed");
    }
}

#[tokio::test]
async fn crit_header() {
    let header = json!({ "alg": "RS256", "kid": ENV.issuer.kid(), "crit": ["exp"], "exp": 1 });
    let token = ENV.issuer.sign(&header, &ENV.issuer.claims(json!({})));
    bearer("/protected", &token)
        .await
        .assert_invalid_token("unsupported critical header");
}

#[tokio::test]
async fn header_supplied_keys_are_ignored() {
    // An attacker embeds their own key (jwk) and URL (jku); the token is signed by a key
    // the issuer never published, so nothing but the configured key set may verify it.
    let kid = ENV
        .rotating
        .add_unpublished_key(Algorithm::RS256)
        .expect("key");
    let header = json!({
        "alg": "RS256", "kid": ENV.issuer.kid(),
        "jku": "http://127.0.0.1:1/jwks.json", "jwk": ENV.rotating.jwks(),
    });
    let token = ENV
        .rotating
        .sign_with(&kid, &header, &ENV.issuer.claims(json!({})));
    bearer("/protected", &token)
        .await
        .assert_invalid_token("invalid signature");
}

#[tokio::test]
async fn audience_checked_when_configured() {
    let good = ENV.issuer.token(json!({ "aud": ["other", "orders-api"] }));
    assert_eq!(bearer("/audience", &good).await.status, 200);
    let bad = ENV.issuer.token(json!({ "aud": "other" }));
    bearer("/audience", &bad)
        .await
        .assert_invalid_token("jwt audience invalid");
    let none = ENV.issuer.token(json!({}));
    bearer("/audience", &none)
        .await
        .assert_invalid_token("jwt audience invalid");
    // The default strategy checks no audience, as LoopBack's strategy.
    assert_eq!(bearer("/protected", &bad).await.status, 200);
}

#[tokio::test]
async fn unknown_kid_refetches_once_then_401() {
    let rotating = &ENV.rotating;
    let warm = rotating.token(json!({}));
    assert_eq!(bearer("/rotating", &warm).await.status, 200);
    let before = rotating.jwks_requests();

    // A key the server does not publish: one refetch, then 401.
    let hidden = rotating.add_unpublished_key(Algorithm::RS256).expect("key");
    let token = rotating.token_with(&hidden, json!({}));
    bearer("/rotating", &token)
        .await
        .assert_invalid_token("no signing key matches the token");
    assert_eq!(rotating.jwks_requests(), before + 1);

    // Inside the cooldown, another unknown kid fails fast without a fetch.
    rotating.set_published(&hidden, true);
    bearer("/rotating", &token)
        .await
        .assert_invalid_token("no signing key matches the token");
    assert_eq!(rotating.jwks_requests(), before + 1);
    // The cached key still works meanwhile.
    assert_eq!(bearer("/rotating", &warm).await.status, 200);
}

#[tokio::test]
async fn unregistered_strategy_is_a_500_named_in_the_logs_only() {
    let token = ENV.issuer.token(json!({}));
    let answer = bearer("/misconfigured", &token).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.challenge, None);
    let json: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(json["error"]["name"], "InternalServerError");
    // Issue 18 item 14: a strategy name may come from the request; the body never
    // echoes it (the log line names it, cut to 64 characters).
    assert_eq!(
        answer.message(),
        "authentication strategy is not registered",
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn registering_a_name_twice_is_an_error() {
    LazyLock::force(&ENV);
    let again = JwtStrategy::builder()
        .issuer("https://other.example")
        .build()
        .unwrap();
    let err = jwt_guard::register("jwt", again).unwrap_err();
    assert!(matches!(&err, jwt_guard::ConfigError::DuplicateStrategy { name } if name == "jwt"));
    // The first registration is untouched.
    let token = ENV.issuer.token(json!({}));
    assert_eq!(bearer("/protected", &token).await.status, 200);
}

#[tokio::test]
async fn keys_are_fetched_once_not_per_request() {
    let before = ENV.issuer.jwks_requests();
    for _ in 0..20 {
        let token = ENV.issuer.token(json!({}));
        assert_eq!(bearer("/protected", &token).await.status, 200);
    }
    assert!(
        ENV.issuer.jwks_requests() <= before + 1,
        "{} fetches",
        ENV.issuer.jwks_requests() - before
    );
}
