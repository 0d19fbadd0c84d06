//! Where the token comes from ([`TokenSource`]): the `Authorization` header (the
//! default), a named header, a named cookie — on a real axum app on 127.0.0.1, through
//! the attribute and the tower layer, with reqwest and tokens from the testkit issuer.
//! A token in two places is refused with 400 `invalid_request` (RFC 6750 §2); the
//! `access_token` query parameter and the form body are never read (OAuth 2.1 §5.1). The
//! audit and the OpenAPI document show each strategy's source.

use std::sync::LazyLock;

use axum::Router;
use axum::routing;
use jwt_guard::dpop::DpopConfig;
use jwt_guard::openapi::utoipa::JwtSecurity;
use jwt_guard::policy::Policy;
use jwt_guard::testkit::Issuer;
use jwt_guard::tower::AuthLayer;
use jwt_guard::{JwtStrategy, Principal, Registry, TokenSource, authenticate};
use jwt_guard_tests::client::{Answer, answer, get as get_with};
use jwt_guard_tests::{runtime, server};
use serde_json::{Value, json};
use utoipa::OpenApi;

const NAMED: &str = "X-Access-Token";
const COOKIE: &str = "__Host-at";

#[authenticate("ts-authorization")]
#[utoipa::path(get, path = "/authorization", responses((status = 200, description = "you")))]
async fn by_authorization(who: Principal) -> String {
    who.subject().unwrap_or("-").to_owned()
}

#[authenticate("ts-header")]
#[utoipa::path(get, path = "/header", responses((status = 200, description = "you")))]
async fn by_header(who: Principal) -> String {
    who.subject().unwrap_or("-").to_owned()
}

#[authenticate("ts-cookie")]
#[utoipa::path(get, path = "/cookie", responses((status = 200, description = "you")))]
async fn by_cookie(who: Principal) -> String {
    who.subject().unwrap_or("-").to_owned()
}

/// Behind the layer: no attribute.
async fn layered(who: Principal) -> String {
    format!("layer {}", who.subject().unwrap_or("-"))
}

#[derive(OpenApi)]
#[openapi(paths(by_authorization, by_header, by_cookie), modifiers(&JwtSecurity))]
struct Api;

struct Env {
    issuer: Issuer,
    base: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let strategy = |source: TokenSource| {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .token_source(source)
            .build()
            .expect("strategy")
    };
    jwt_guard::register("ts-authorization", strategy(TokenSource::authorization()))
        .expect("register");
    jwt_guard::register("ts-header", strategy(TokenSource::header(NAMED))).expect("register");
    jwt_guard::register("ts-cookie", strategy(TokenSource::cookie(COOKIE))).expect("register");
    let layer = |name: &str, strategy: &str| {
        AuthLayer::new(Policy::builder(name, [strategy]).build().expect("policy"))
    };
    let app = Router::new()
        .route(
            "/authorization",
            routing::get(by_authorization).post(by_authorization),
        )
        .route("/header", routing::get(by_header))
        .route("/cookie", routing::get(by_cookie).post(by_cookie))
        .merge(
            Router::new()
                .route("/layer/cookie", routing::get(layered))
                .route_layer(layer("axum /layer/cookie", "ts-cookie")),
        )
        .merge(
            Router::new()
                .route("/layer/header", routing::get(layered))
                .route_layer(layer("axum /layer/header", "ts-header")),
        );
    let base = format!("http://{}", server::serve(app).await);
    Env { issuer, base }
}

fn token(sub: &str) -> String {
    ENV.issuer.token(json!({ "sub": sub }))
}

async fn get(path: &str, headers: &[(&str, &str)]) -> Answer {
    get_with(&ENV.base, path, headers).await
}

type Headers<'a> = Vec<(&'a str, &'a str)>;

/// A 400 for a token in more than one place, in LoopBack's shape.
fn assert_two_places(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 400, "{what}: {answer:?}");
    assert_eq!(
        answer.json(),
        json!({ "error": {
            "statusCode": 400, "name": "BadRequestError",
            "message": "Credentials are sent in more than one place",
        } }),
        "{what}"
    );
    assert_eq!(
        answer.challenge.as_deref(),
        Some("Bearer error=\"invalid_request\""),
        "{what}"
    );
}

/// A 401 for a missing credential: a bare challenge and `message`.
fn assert_missing(answer: &Answer, message: &str, what: &str) {
    assert_eq!(answer.status, 401, "{what}: {answer:?}");
    assert_eq!(answer.message(), message, "{what}");
    assert_eq!(answer.challenge.as_deref(), Some("Bearer"), "{what}");
}

#[tokio::test]
async fn each_strategy_reads_its_own_source() {
    let t = token("ada");
    let bearer = format!("Bearer {t}");
    get("/authorization", &[("authorization", &bearer)])
        .await
        .assert_ok("ada");
    get("/header", &[(NAMED, &t)]).await.assert_ok("ada");
    // The stated rule: a `Bearer ` prefix in the named header is taken off.
    get("/header", &[(NAMED, &bearer)]).await.assert_ok("ada");
    get("/layer/header", &[("x-access-token", &t)])
        .await
        .assert_ok("layer ada");
    let cookies = format!("theme=dark; {COOKIE}={t}; lang=en");
    get("/cookie", &[("cookie", &cookies)])
        .await
        .assert_ok("ada");
    get("/layer/cookie", &[("cookie", &cookies)])
        .await
        .assert_ok("layer ada");

    // Each source missing: a missing credential, the message naming the source.
    assert_missing(
        &get("/authorization", &[]).await,
        "Authorization header is missing",
        "no Authorization",
    );
    for path in ["/header", "/layer/header"] {
        // An Authorization bearer is not this strategy's token.
        for headers in [&[][..], &[("authorization", bearer.as_str())]] {
            assert_missing(
                &get(path, headers).await,
                "X-Access-Token header is missing",
                path,
            );
        }
    }
    for path in ["/cookie", "/layer/cookie"] {
        assert_missing(
            &get(path, &[("cookie", "theme=dark")]).await,
            "__Host-at cookie is missing",
            path,
        );
    }
    // A refused token from a cookie is an invalid token, as from the header.
    let bad = format!("{COOKIE}={}x", &t[..t.len() - 1]);
    let answer = get("/cookie", &[("cookie", &bad)]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.challenge.as_deref(),
        Some("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn a_token_in_two_places_is_a_bad_request() {
    let t = token("ada");
    let bearer = format!("Bearer {t}");
    let cookie = format!("{COOKIE}={t}");
    let query = format!("?access_token={t}");
    let dpop = format!("DPoP {t}");
    let twice = format!("{cookie}; {COOKIE}={t}");
    let cases: Vec<(String, Headers<'_>, &str)> = vec![
        (
            "/cookie".into(),
            vec![("cookie", &cookie), ("authorization", &bearer)],
            "cookie and Authorization",
        ),
        (
            "/layer/cookie".into(),
            vec![("cookie", &cookie), ("authorization", &bearer)],
            "cookie and Authorization, layer",
        ),
        (
            "/cookie".into(),
            vec![("cookie", &twice)],
            "the cookie twice",
        ),
        (
            "/header".into(),
            vec![(NAMED, &t), ("authorization", &bearer)],
            "named header and Authorization",
        ),
        (
            "/header".into(),
            vec![(NAMED, &t), ("authorization", &dpop)],
            "named header and Authorization DPoP",
        ),
        (
            format!("/authorization{query}"),
            vec![("authorization", &bearer)],
            "Authorization and the query",
        ),
        (
            format!("/authorization?page=2&access%5Ftoken={t}"),
            vec![("authorization", &bearer)],
            "Authorization and a percent-encoded query name",
        ),
        (
            format!("/cookie{query}"),
            vec![("cookie", &cookie)],
            "cookie and the query",
        ),
        (
            format!("/layer/header{query}"),
            vec![(NAMED, &t)],
            "named header and the query, layer",
        ),
    ];
    for (path, headers, what) in cases {
        assert_two_places(&get(&path, &headers).await, what);
    }
    // A proxy's Basic credentials beside a cookie are not a token.
    get(
        "/cookie",
        &[("cookie", &cookie), ("authorization", "Basic cHJveHk6cHc=")],
    )
    .await
    .assert_ok("ada");
}

#[tokio::test]
async fn the_query_and_the_form_body_are_never_read() {
    let t = token("ada");
    let query = format!("?access_token={t}");
    // A valid token in the query alone: not read, so no credentials.
    assert_missing(
        &get(&format!("/authorization{query}"), &[]).await,
        "Authorization header is missing",
        "query alone",
    );
    assert_missing(
        &get(&format!("/cookie{query}"), &[]).await,
        "__Host-at cookie is missing",
        "query alone, cookie strategy",
    );
    // A valid token in a form body (RFC 6750 §2.2): not read.
    for path in ["/authorization", "/cookie"] {
        let request = reqwest::Client::new()
            .post(format!("{}{path}", ENV.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("access_token={t}"));
        let answer = answer(request).await;
        assert_eq!(answer.status, 401, "{path}: {answer:?}");
        assert_eq!(answer.challenge.as_deref(), Some("Bearer"), "{path}");
    }
}

#[test]
fn the_audit_and_openapi_show_the_source() {
    LazyLock::force(&ENV);
    let audit = Registry::global().audit().expect("audit");
    assert_eq!(
        audit.token_source("ts-cookie"),
        Some(&TokenSource::cookie(COOKIE))
    );
    assert_eq!(
        audit.token_source("ts-header"),
        Some(&TokenSource::header(NAMED))
    );
    assert_eq!(
        audit.token_source("ts-authorization"),
        Some(&TokenSource::authorization())
    );
    let report = audit.to_string();
    assert!(
        report.contains("strategy \"ts-cookie\" reads its token from the __Host-at cookie"),
        "{report}"
    );
    assert!(
        report.contains("strategy \"ts-header\" reads its token from the X-Access-Token header"),
        "{report}"
    );
    assert!(!report.contains("\"ts-authorization\" reads"), "{report}");

    let doc = serde_json::to_value(Api::openapi()).expect("serializes");
    let schemes = &doc["components"]["securitySchemes"];
    check_schemes(schemes, "utoipa");
    assert_eq!(
        doc["paths"]["/cookie"]["get"]["security"],
        json!([{ "ts-cookie": [] }])
    );

    let mut api = aide::openapi::OpenApi::default();
    jwt_guard::openapi::aide::security_schemes(&mut api);
    let doc = serde_json::to_value(&api).expect("serializes");
    check_schemes(&doc["components"]["securitySchemes"], "aide");
}

fn check_schemes(schemes: &Value, what: &str) {
    let auth = &schemes["ts-authorization"];
    assert_eq!(
        (&auth["type"], &auth["scheme"], &auth["bearerFormat"]),
        (&json!("http"), &json!("bearer"), &json!("JWT")),
        "{what}: {schemes}"
    );
    for (name, location, key) in [
        ("ts-header", "header", NAMED),
        ("ts-cookie", "cookie", COOKIE),
    ] {
        let scheme = &schemes[name];
        assert_eq!(scheme["type"], "apiKey", "{what} {name}: {scheme}");
        assert_eq!(scheme["in"], location, "{what} {name}");
        assert_eq!(scheme["name"], key, "{what} {name}");
        assert!(
            scheme["description"]
                .as_str()
                .is_some_and(|d| d.contains(key)),
            "{what} {name}: {scheme}"
        );
    }
}

#[test]
fn dpop_keeps_the_authorization_header_and_names_are_checked() {
    let build = |source: TokenSource, dpop: bool| {
        let mut builder = JwtStrategy::builder()
            .issuer("https://issuer.example")
            .token_source(source);
        if dpop {
            builder = builder.dpop(DpopConfig::allowed().external_origin("https://api.example"));
        }
        builder.build().map(|_| ()).map_err(|e| e.to_string())
    };
    let err = build(TokenSource::cookie(COOKIE), true).expect_err("DPoP with a cookie");
    assert!(
        err.contains("token_source") && err.contains("DPoP"),
        "{err}"
    );
    let err = build(TokenSource::header(NAMED), true).expect_err("DPoP with a header");
    assert!(err.contains("Authorization"), "{err}");
    assert!(build(TokenSource::authorization(), true).is_ok());
    for (bad, words) in [
        (TokenSource::cookie("at; x"), "cookie name"),
        (TokenSource::header("X Token"), "header name"),
        (TokenSource::header("authorization"), "authorization()"),
    ] {
        let err = build(bad.clone(), false).expect_err("refused");
        assert!(err.contains(words), "{bad:?}: {err}");
    }
}
