//! The tower layer on axum, end to end on 127.0.0.1: a router protected by
//! `AuthLayer`s answers every check of `authz.rs` exactly as the attribute does; the
//! `Principal` / `Claims<T>` extractors read the layer's principal and fail closed where
//! no layer ran; `route_layer`, nested routers and a bare tower service work; a handler
//! with `#[authenticate]` under a layer of the same strategies verifies the token once;
//! the audit lists the layers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::routing::get;
use jwt_guard::authz::Requirement::One;
use jwt_guard::authz::ScopeRule;
use jwt_guard::policy::Policy;
use jwt_guard::testkit::Issuer;
use jwt_guard::tower::AuthLayer;
use jwt_guard::{Principal, Registry, authenticate};
use jwt_guard_tests::layered::{self, Counting};
use jwt_guard_tests::{LogCapture, app, captured_logs, client, registry, runtime, server};
use serde_json::json;

// ── verify once ───────────────────────────────────────────────────────────────────

static COUNT_CALLS: LazyLock<Arc<AtomicUsize>> = LazyLock::new(Arc::default);
static OTHER_CALLS: LazyLock<Arc<AtomicUsize>> = LazyLock::new(Arc::default);

/// Under the "count" layer: the same chain, so the layer's principal is reused; the
/// scope is still this site's to check.
#[authenticate("count", scopes = ["orders:read"])]
async fn same_chain(who: Principal) -> String {
    format!("same {}", who.subject().unwrap_or("-"))
}

/// Under the "count" layer, another chain: authenticated again.
#[authenticate("count-other", "count")]
async fn other_chain(who: Principal) -> String {
    format!("other {}", who.strategy())
}

async fn maybe_principal(who: Option<Principal>) -> String {
    who.map_or("anonymous".to_owned(), |who| who.strategy().to_owned())
}

// ── the environment ───────────────────────────────────────────────────────────────

struct Env {
    issuer: Issuer,
    base: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    capture_errors();
    let issuer = Issuer::start().await.expect("issuer");
    jwt_guard::register("count", Counting::new(&issuer, &COUNT_CALLS)).expect("register");
    jwt_guard::register("count-other", Counting::new(&issuer, &OTHER_CALLS)).expect("register");
    app::register(&issuer);

    let p = layered::policies("axum");
    let behind = |policy: &Policy, path: &str, route: axum::routing::MethodRouter| {
        Router::new()
            .route(path, route)
            .route_layer(AuthLayer::new(policy.clone()))
    };
    let counted = Policy::builder("axum /once", ["count"])
        .build()
        .expect("policy");
    // Scope rules of the layer's own, over the strategy's exact match.
    let wildcard = Policy::builder("axum /wild", ["jwt"])
        .scopes(One("orders:read"))
        .scope_rule(ScopeRule::wildcard())
        .build()
        .expect("policy");
    let write_implies_read = Policy::builder("axum /custom", ["jwt"])
        .scopes(One("orders:read"))
        .scope_rule(ScopeRule::custom(|granted, required| {
            required.strip_suffix(":read") == granted.strip_suffix(":write")
                && granted.ends_with(":write")
        }))
        .build()
        .expect("policy");
    let nested = Router::new()
        .route("/me", get(layered::list))
        .layer(AuthLayer::new(p.jwt.clone()));
    let routes = Router::new()
        .merge(behind(&p.either, "/either", get(layered::either)))
        .merge(behind(&p.orders, "/orders", get(layered::orders)))
        .merge(behind(&p.write, "/write", get(layered::write)))
        .merge(behind(&p.admin, "/admin", get(layered::admin)))
        .merge(behind(&p.realm, "/realm", get(layered::realm)))
        .merge(behind(&p.maybe, "/maybe", get(layered::maybe)))
        .merge(
            Router::new()
                .route("/strict", get(layered::strict))
                .route("/list", get(layered::list))
                .layer(AuthLayer::new(p.jwt.clone())),
        )
        .merge(
            Router::new()
                .route("/once/same", get(same_chain))
                .route("/once/other", get(other_chain))
                .layer(AuthLayer::new(counted)),
        )
        .merge(behind(&wildcard, "/wild/orders", get(layered::list)))
        .merge(behind(
            &write_implies_read,
            "/custom/orders",
            get(layered::list),
        ))
        .nest("/v1/nested", nested)
        // Outside every layer:
        .route("/health", get(layered::health))
        .route("/no-layer/principal", get(layered::list))
        .route("/no-layer/claims", get(layered::orders))
        .route("/no-layer/option", get(maybe_principal))
        .route("/no-layer/option-claims", get(layered::maybe));
    let addr = server::serve(routes).await;
    Env {
        issuer,
        base: format!("http://{addr}"),
    }
}

// ── the attribute's checks, against the layered router ────────────────────────────

jwt_guard_tests::shared_checks!(ENV);

#[tokio::test]
async fn routes_outside_the_layer_stay_public() {
    // `/list` behind a layer, `/health` outside it: the attribute's impl-block check.
    app::impl_block(&ENV.base, &ENV.issuer).await;
}

#[tokio::test]
async fn a_nested_router_behind_its_layer() {
    let token = ENV.issuer.token(json!({ "sub": "ada" }));
    client::bearer(&ENV.base, "/v1/nested/me", &token)
        .await
        .assert_ok("list for ada");
    client::get(&ENV.base, "/v1/nested/me", &[])
        .await
        .assert_error(401, "Authorization header is missing", "Bearer");
}

#[tokio::test]
async fn a_policy_scope_rule_covers_narrower_scopes() {
    let token = |scope: &str| ENV.issuer.token(json!({ "sub": "ada", "scope": scope }));
    // The strategy compares exactly: `orders:*` is not `orders:read` behind `/orders`...
    client::bearer(&ENV.base, "/orders", &token("orders:*"))
        .await
        .assert_error(
            403,
            "Insufficient scope",
            r#"Bearer error="insufficient_scope", scope="orders:read""#,
        );
    // ...but covers it behind a policy with the wildcard rule.
    client::bearer(&ENV.base, "/wild/orders", &token("orders:*"))
        .await
        .assert_ok("list for ada");
    client::bearer(&ENV.base, "/wild/orders", &token("orders:read"))
        .await
        .assert_ok("list for ada");
    for refused in ["*", "orders", "billing:*", "orders:write"] {
        let answer = client::bearer(&ENV.base, "/wild/orders", &token(refused)).await;
        assert_eq!(answer.status, 403, "{refused}");
    }
    // A custom rule: `orders:write` implies `orders:read`, nothing else.
    client::bearer(&ENV.base, "/custom/orders", &token("orders:write"))
        .await
        .assert_ok("list for ada");
    let answer = client::bearer(&ENV.base, "/custom/orders", &token("orders:*")).await;
    assert_eq!(answer.status, 403);
    // The 401 of a scoped layer names its scope.
    client::get(&ENV.base, "/wild/orders", &[])
        .await
        .assert_error(
            401,
            "Authorization header is missing",
            r#"Bearer scope="orders:read""#,
        );
}

// ── extractors where no layer ran ─────────────────────────────────────────────────

/// Error-level log lines of the whole process, in [`captured_logs`].
fn capture_errors() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::ERROR)
        .with_ansi(false)
        .with_writer(|| LogCapture)
        .try_init();
}

#[tokio::test]
async fn extractors_without_a_layer_fail_closed_naming_the_mistake() {
    let token = ENV
        .issuer
        .token(json!({ "sub": "ada", "scope": "orders:read" }));
    for path in [
        "/no-layer/principal",
        "/no-layer/claims",
        "/no-layer/option",
        "/no-layer/option-claims",
    ] {
        // A valid token changes nothing: no layer verified it.
        let answer = client::bearer(&ENV.base, path, &token).await;
        assert_eq!(answer.status, 500, "{path}: {}", answer.body);
        assert_eq!(answer.challenge, None);
        assert_eq!(
            answer.json()["error"]["message"],
            "authentication is misconfigured: Principal extracted but no jwt-guard layer \
             authenticated this request",
            "{path}"
        );
        assert!(!answer.body.contains(&token));
    }
    let logged = captured_logs();
    assert!(
        logged.contains("Principal extracted but no jwt-guard layer authenticated this request")
            && logged.contains("Option<Principal>")
            && logged.contains("Claims<T>")
            && logged.contains("Option<Claims<T>>"),
        "{logged}"
    );
    assert!(!logged.contains(&token), "a token was logged");
}

// ── verify once ───────────────────────────────────────────────────────────────────

#[tokio::test]
async fn the_attribute_under_a_layer_of_its_strategies_verifies_once() {
    let env = &*ENV;
    let read = env
        .issuer
        .token(json!({ "sub": "ada", "scope": "orders:read" }));
    let before = COUNT_CALLS.load(Ordering::SeqCst);
    client::bearer(&env.base, "/once/same", &read)
        .await
        .assert_ok("same ada");
    // Other tests of this file do not use "count": the difference is this request's.
    assert_eq!(
        COUNT_CALLS.load(Ordering::SeqCst) - before,
        1,
        "verified twice"
    );

    // The site's own scope is still checked on the reused principal.
    let profile = env
        .issuer
        .token(json!({ "sub": "ada", "scope": "profile" }));
    client::bearer(&env.base, "/once/same", &profile)
        .await
        .assert_error(
            403,
            "Insufficient scope",
            r#"Bearer error="insufficient_scope", scope="orders:read""#,
        );
    assert_eq!(COUNT_CALLS.load(Ordering::SeqCst) - before, 2);

    // Another chain is not the layer's: the site authenticates again.
    let other = OTHER_CALLS.load(Ordering::SeqCst);
    client::bearer(&env.base, "/once/other", &read)
        .await
        .assert_ok("other count-other");
    assert_eq!(COUNT_CALLS.load(Ordering::SeqCst) - before, 3, "layer only");
    assert_eq!(OTHER_CALLS.load(Ordering::SeqCst) - other, 1);

    // Refused by the layer: the handler's guard never runs.
    client::get(&env.base, "/once/same", &[])
        .await
        .assert_error(401, "Authorization header is missing", "Bearer");
    assert_eq!(COUNT_CALLS.load(Ordering::SeqCst) - before, 4);
}

// ── any tower service ─────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_bare_tower_service_gets_the_principal_in_its_extensions() {
    use tower::{Layer as _, ServiceExt as _};

    let issuer = Issuer::offline("https://tower.issuer.test").expect("issuer");
    let policy = Policy::builder("bare tower service", ["tower-jwt"])
        .registry(registry::offline(&issuer, "tower-jwt"))
        .build()
        .expect("policy");
    let service =
        AuthLayer::new(policy).layer(tower::service_fn(|request: http::Request<()>| async move {
            let who = request
                .extensions()
                .get::<Principal>()
                .and_then(|p| p.subject().map(str::to_owned))
                .unwrap_or_default();
            Ok::<_, std::convert::Infallible>(http::Response::new(who.into_bytes()))
        }));
    let request = |token: Option<&str>| {
        let mut builder = http::Request::builder().uri("/anything");
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        builder.body(()).expect("request")
    };
    let token = issuer.token(json!({ "sub": "tess" }));
    let ok = service
        .clone()
        .oneshot(request(Some(&token)))
        .await
        .expect("infallible");
    assert_eq!(
        (ok.status().as_u16(), ok.body().as_slice()),
        (200, b"tess".as_slice())
    );

    let refused = service.oneshot(request(None)).await.expect("infallible");
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = serde_json::from_slice(refused.body()).expect("json");
    assert_eq!(body["error"]["message"], "Authorization header is missing");
}

// ── the audit ─────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn the_audit_lists_layers_and_fails_on_an_unregistered_strategy() {
    LazyLock::force(&ENV);
    let audit = Registry::global()
        .audit()
        .expect("every strategy is registered");
    let orders = audit.layer("axum /orders").expect("listed");
    assert_eq!(orders.strategies(), [Box::from("jwt")]);
    let shown = audit.to_string();
    assert!(
        shown.contains("layers:\n")
            && shown.contains("  axum /orders  \"jwt\"  scopes all(\"orders:read\")\n")
            && shown.contains("  axum /maybe  \"jwt\"  optional\n")
            && shown.contains("  axum /either  \"jwt\" | \"api-key\"\n"),
        "{shown}"
    );
    // The attribute's sites are still listed beside them.
    assert!(audit.handler("layer::same_chain").is_some(), "{shown}");

    // A policy no layer serves is in no audit; a layer naming a strategy its registry
    // lacks fails the audit of that registry, named.
    // (It serves a module without sites, so that its audit covers its own layers only.)
    let own = Registry::new();
    own.serve_module("layer::no_sites_here");
    let broken = Policy::builder("axum /broken", ["layer-never-registered"])
        .registry(own.clone())
        .build()
        .expect("policy");
    assert!(own.audit().expect("nothing served yet").layers().is_empty());
    let _layer = jwt_guard::tower::AuthLayer::new(broken);
    assert!(
        Registry::global().audit().is_ok(),
        "another registry's layer is its own audit's business"
    );
    let err = own.audit().unwrap_err();
    let jwt_guard::ConfigError::UnregisteredStrategies {
        strategies,
        handlers,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(strategies, &["layer-never-registered"]);
    assert_eq!(handlers, &["layer \"axum /broken\""]);
}
