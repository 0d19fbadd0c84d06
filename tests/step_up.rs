//! Step-up authentication (RFC 9470) end to end on 127.0.0.1: axum (and actix-web) handlers with
//! `#[authenticate(.., acr = .., max_age = ..)]` and a router behind a tower `AuthLayer`
//! whose `Policy` has the same requirement, tokens signed by the testkit issuer with and
//! without `acr` and `auth_time`. A token that falls short is a 401
//! `insufficient_user_authentication` whose challenge names the whole requirement
//! (`acr_values`, `max_age`), on the scheme the request used (Bearer or DPoP, with
//! `resource_metadata` when the strategy has one); step-up is checked before the scopes;
//! an `auth_time` ages by the strategy's clock, cache hits included.

use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use jwt_guard::dpop::DpopConfig;
use jwt_guard::policy::Policy;
use jwt_guard::resource_metadata::ProtectedResource;
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::tower::AuthLayer;
use jwt_guard::{Algorithm, JwtStrategy, Principal, Registry, TokenCacheConfig, authenticate};
use jwt_guard_tests::client::{self, Answer};
use jwt_guard_tests::runtime;
use serde_json::{Value, json};

const MFA: &str = "urn:example:mfa";
const HWK: &str = "urn:example:hwk";
/// The challenge parameters of a requirement of both values and five minutes.
const BOTH: &str = r#"acr_values="urn:example:mfa urn:example:hwk", max_age=300"#;
const LEVEL: &str = "A different authentication level is required";
const RECENT: &str = "More recent authentication is required";

// ── the handlers ──────────────────────────────────────────────────────────────────

#[authenticate("su-jwt", acr = any("urn:example:mfa", "urn:example:hwk"), max_age = "5m")]
async fn transfer(who: Principal) -> String {
    format!("transfer by {}", who.subject().unwrap_or("-"))
}

#[authenticate("su-jwt", acr = "urn:example:mfa", scopes = ["payments:write"])]
async fn scoped() -> &'static str {
    "scoped"
}

#[authenticate("su-jwt", max_age = "1m")]
async fn recent() -> &'static str {
    "recent"
}

#[authenticate("su-clock", max_age = "5m")]
async fn clocked() -> &'static str {
    "clocked"
}

#[authenticate("su-dpop", acr = "urn:example:hwk", max_age = "5m")]
async fn bound(who: Principal) -> String {
    format!("bound {}", who.dpop_thumbprint().unwrap_or("bearer"))
}

async fn behind_layer(who: Principal) -> String {
    format!("layer {}", who.subject().unwrap_or("-"))
}

// ── the environment ───────────────────────────────────────────────────────────────

struct Env {
    issuer: Issuer,
    base: String,
    /// The actix-web app: `/transfer` (the attribute) and `/layer` (`AuthMiddleware`).
    actix: String,
    /// The strategy whose clock `clock_ages_a_cached_token` steps.
    clock: JwtStrategy,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let jwt = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .leeway(Duration::from_secs(30))
        .build()
        .expect("strategy");
    let clock = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .token_cache(TokenCacheConfig::default())
        .build()
        .expect("strategy");
    let resource = ProtectedResource::builder(&base).build().expect("resource");
    let dpop = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .dpop(
            DpopConfig::allowed()
                .algorithms([Algorithm::ES256])
                .external_origin(&base),
        )
        .protected_resource(&resource)
        .build()
        .expect("strategy");
    jwt_guard::register("su-jwt", jwt).expect("register");
    jwt_guard::register("su-clock", clock.clone()).expect("register");
    jwt_guard::register("su-dpop", dpop).expect("register");

    let policy = Policy::builder("step-up layer", ["su-jwt"])
        .acr([MFA, HWK])
        .max_age(Duration::from_secs(300))
        .build()
        .expect("policy");
    let actix = serve_actix(policy.clone());
    let app = Router::new()
        .route("/transfer", get(transfer))
        .route("/scoped", get(scoped))
        .route("/recent", get(recent))
        .route("/clocked", get(clocked))
        .route("/bound", get(bound))
        .merge(
            Router::new()
                .route("/layer", get(behind_layer))
                .route_layer(AuthLayer::new(policy)),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Env {
        issuer,
        base,
        actix,
        clock,
    }
}

/// The same handler and policy on actix-web, on a thread of its own.
fn serve_actix(policy: Policy) -> String {
    let listener =
        std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(move || {
                actix_web::App::new()
                    .route("/transfer", actix_web::web::get().to(transfer))
                    .service(
                        actix_web::web::scope("/layer")
                            .wrap(jwt_guard::actix::AuthMiddleware::new(policy.clone()))
                            .route("", actix_web::web::get().to(behind_layer)),
                    )
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("listen")
            .run()
            .await
            .expect("serve");
        });
    });
    base
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn bearer(path: &str, claims: Value) -> Answer {
    client::bearer(&ENV.base, path, &ENV.issuer.token(claims)).await
}

/// The step-up challenge on the Bearer scheme.
fn step_up(description: &str, params: &str) -> String {
    format!(
        r#"Bearer error="insufficient_user_authentication", error_description="{description}", {params}"#
    )
}

// ── the attribute ─────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_strong_recent_authentication_passes() {
    for acr in [MFA, HWK] {
        bearer(
            "/transfer",
            json!({ "sub": "ada", "acr": acr, "auth_time": now() - 10 }),
        )
        .await
        .assert_ok("transfer by ada");
    }
    // Close to max_age still passes (a margin for the whole seconds of `now()` and the
    // request's latency; the inclusive bound itself is a unit test of `StepUp`).
    bearer(
        "/transfer",
        json!({ "sub": "ada", "acr": MFA, "auth_time": now() - 290 }),
    )
    .await
    .assert_ok("transfer by ada");
}

#[tokio::test]
async fn a_weaker_acr_asks_for_the_listed_values() {
    let expected = step_up(LEVEL, BOTH);
    for claims in [
        json!({ "acr": "urn:example:pwd", "auth_time": now() }),
        json!({ "acr": "URN:EXAMPLE:MFA", "auth_time": now() }),
        json!({ "auth_time": now() }),
        // Falling short on both: the acr is named first.
        json!({ "acr": "urn:example:pwd", "auth_time": now() - 3600 }),
    ] {
        bearer("/transfer", claims.clone())
            .await
            .assert_error(401, LEVEL, &expected);
    }
}

#[tokio::test]
async fn an_old_or_missing_auth_time_asks_for_a_recent_one() {
    let expected = step_up(RECENT, BOTH);
    for claims in [
        json!({ "acr": MFA, "auth_time": now() - 301 }),
        json!({ "acr": MFA, "auth_time": 0 }),
        json!({ "acr": MFA }),
    ] {
        bearer("/transfer", claims.clone())
            .await
            .assert_error(401, RECENT, &expected);
    }
    bearer("/recent", json!({ "auth_time": now() - 61 }))
        .await
        .assert_error(401, RECENT, &step_up(RECENT, "max_age=60"));
    bearer("/recent", json!({ "auth_time": now() - 5 }))
        .await
        .assert_ok("recent");
}

#[tokio::test]
async fn malformed_claims_are_invalid_tokens() {
    // Beyond the strategy's 30 s leeway in the future: not a time the user authenticated.
    bearer("/recent", json!({ "auth_time": now() + 120 }))
        .await
        .assert_invalid_token("invalid auth_time value");
    // Within it: fresh.
    bearer("/recent", json!({ "auth_time": now() + 10 }))
        .await
        .assert_ok("recent");
    bearer("/recent", json!({ "auth_time": "yesterday" }))
        .await
        .assert_invalid_token("invalid auth_time value");
    bearer("/transfer", json!({ "acr": [MFA], "auth_time": now() }))
        .await
        .assert_invalid_token("invalid acr value");
}

#[tokio::test]
async fn step_up_is_checked_before_the_scopes() {
    // Weak and without the scope: the client must authenticate again first (401).
    bearer("/scoped", json!({ "acr": "urn:example:pwd" }))
        .await
        .assert_error(
            401,
            LEVEL,
            &step_up(LEVEL, r#"acr_values="urn:example:mfa""#),
        );
    // Strong and without the scope: 403.
    bearer("/scoped", json!({ "acr": MFA })).await.assert_error(
        403,
        "Insufficient scope",
        r#"Bearer error="insufficient_scope", scope="payments:write""#,
    );
    bearer("/scoped", json!({ "acr": MFA, "scope": "payments:write" }))
        .await
        .assert_ok("scoped");
    // Not authenticated at all is still the plain 401, naming the route's scope.
    client::get(&ENV.base, "/scoped", &[]).await.assert_error(
        401,
        "Authorization header is missing",
        r#"Bearer scope="payments:write""#,
    );
}

#[tokio::test]
async fn the_strategy_clock_ages_a_cached_token() {
    let token = ENV
        .issuer
        .token(json!({ "sub": "ada", "auth_time": now() }));
    for _ in 0..2 {
        client::bearer(&ENV.base, "/clocked", &token)
            .await
            .assert_ok("clocked");
    }
    assert_eq!(
        ENV.clock.cached_tokens(),
        1,
        "the second request was a cache hit"
    );
    jwt_guard::testkit::advance_clock(&ENV.clock, Duration::from_secs(301));
    client::bearer(&ENV.base, "/clocked", &token)
        .await
        .assert_error(401, RECENT, &step_up(RECENT, "max_age=300"));
}

// ── DPoP and resource metadata ────────────────────────────────────────────────────

#[tokio::test]
async fn the_challenge_is_on_the_scheme_of_the_request() {
    let metadata = format!(
        r#"resource_metadata="{}/.well-known/oauth-protected-resource""#,
        ENV.base
    );
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let claims = |acr: &str| json!({ "sub": "ada", "aud": ENV.base, "acr": acr, "auth_time": now(), "cnf": key.cnf() });
    let url = format!("{}/bound", ENV.base);
    let dpop = |token: &str| {
        let proof = key.proof("GET", &url, Some(token));
        let request = reqwest::Client::new()
            .get(&url)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof);
        client::answer(request)
    };
    let strong = ENV.issuer.token(claims(HWK));
    dpop(&strong)
        .await
        .assert_ok(&format!("bound {}", key.thumbprint()));
    let weak = ENV.issuer.token(claims(MFA));
    dpop(&weak).await.assert_error(
        401,
        LEVEL,
        &format!(
            r#"Bearer {metadata}, DPoP error="insufficient_user_authentication", error_description="{LEVEL}", acr_values="urn:example:hwk", max_age=300, algs="ES256", {metadata}"#
        ),
    );
    // A bearer token to the same strategy: the error is on the Bearer challenge.
    let plain = ENV
        .issuer
        .token(json!({ "aud": ENV.base, "acr": MFA, "auth_time": now() }));
    client::bearer(&ENV.base, "/bound", &plain).await.assert_error(
        401,
        LEVEL,
        &format!(
            r#"Bearer error="insufficient_user_authentication", error_description="{LEVEL}", acr_values="urn:example:hwk", max_age=300, {metadata}, DPoP algs="ES256", {metadata}"#
        ),
    );
}

// ── the layer ─────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_layer_policy_requires_the_same() {
    bearer(
        "/layer",
        json!({ "sub": "ada", "acr": HWK, "auth_time": now() }),
    )
    .await
    .assert_ok("layer ada");
    bearer(
        "/layer",
        json!({ "acr": "urn:example:pwd", "auth_time": now() }),
    )
    .await
    .assert_error(401, LEVEL, &step_up(LEVEL, BOTH));
    bearer("/layer", json!({ "acr": MFA, "auth_time": now() - 600 }))
        .await
        .assert_error(401, RECENT, &step_up(RECENT, BOTH));
}

#[tokio::test]
async fn the_audit_shows_the_requirements() {
    let _ = &*ENV;
    let audit = Registry::global()
        .audit()
        .expect("every strategy is registered");
    let text = audit.to_string();
    assert!(
        text.contains(
            r#"::transfer  "su-jwt"  acr any("urn:example:mfa", "urn:example:hwk")  max_age 5m"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"::scoped  "su-jwt"  scopes all("payments:write")  acr "urn:example:mfa""#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"step-up layer  "su-jwt"  acr any("urn:example:mfa", "urn:example:hwk")  max_age 5m"#
        ),
        "{text}"
    );
    let policy = audit.layer("step-up layer").expect("listed");
    let step_up = policy.step_up().expect("step-up");
    assert_eq!(step_up.acr_values(), [MFA, HWK]);
    assert_eq!(step_up.max_age(), Some(Duration::from_secs(300)));
}

#[test]
fn a_policy_refuses_a_requirement_that_cannot_be_met() {
    let refused =
        |builder: jwt_guard::PolicyBuilder| builder.build().expect_err("refused").to_string();
    assert!(refused(Policy::builder("p", ["su-jwt"]).acr(["urn:a b"])).starts_with("acr: "));
    assert!(
        refused(
            Policy::builder("p", ["su-jwt"])
                .acr(Vec::<String>::new())
                .max_age(Duration::ZERO)
        )
        .starts_with("max_age: 0s")
    );
    assert!(
        refused(Policy::builder("p", ["su-jwt"]).max_age(Duration::from_millis(2500)))
            .contains("whole number of seconds")
    );
}

// ── actix-web ─────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn actix_answers_the_same() {
    let token = |claims| ENV.issuer.token(claims);
    let strong = token(json!({ "sub": "ada", "acr": MFA, "auth_time": now() }));
    let weak = token(json!({ "acr": "urn:example:pwd", "auth_time": now() }));
    let old = token(json!({ "acr": HWK, "auth_time": now() - 301 }));
    for path in ["/transfer", "/layer"] {
        let ok = client::bearer(&ENV.actix, path, &strong).await;
        assert_eq!(ok.status, 200, "{path}: {ok:?}");
        client::bearer(&ENV.actix, path, &weak).await.assert_error(
            401,
            LEVEL,
            &step_up(LEVEL, BOTH),
        );
        client::bearer(&ENV.actix, path, &old).await.assert_error(
            401,
            RECENT,
            &step_up(RECENT, BOTH),
        );
    }
}
