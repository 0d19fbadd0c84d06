//! Protected Resource Metadata (RFC 9728) end to end: the document served by axum and by
//! actix-web on 127.0.0.1, `resource_metadata` in every 401 and 403 challenge, and the
//! audience that must name the resource (RFC 8707).

use std::net::SocketAddr;
use std::sync::LazyLock;

use actix_web::{App, HttpServer, web};
use axum::Router;
use axum::routing::get;
use jwt_guard::actix::AuthMiddleware;
use jwt_guard::dpop::DpopConfig;
use jwt_guard::policy::Policy;
use jwt_guard::resource_metadata::ProtectedResource;
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::{Algorithm, JwtStrategy, Principal, authenticate};
use jwt_guard_tests::runtime;
use serde_json::{Value, json};

#[authenticate("rm")]
async fn open(principal: Principal) -> String {
    principal.subject().unwrap_or("-").to_owned()
}

#[authenticate("rm", scopes = ["orders:read"])]
async fn orders(principal: Principal) -> String {
    principal.subject().unwrap_or("-").to_owned()
}

async fn actix_me(principal: Principal) -> String {
    principal.subject().unwrap_or("-").to_owned()
}

struct Env {
    issuer: Issuer,
    /// The axum app, which is the resource `{base}/api`.
    base: String,
    resource: String,
    /// The actix-web app, the resource `{actix}/`.
    actix: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let resource_id = format!("{base}/api");
    let audit = jwt_guard::Registry::global().audit_report();
    let resource = ProtectedResource::builder(&resource_id)
        .name("Orders API")
        .documentation("https://docs.example.test/orders")
        .scopes_from_audit(&audit)
        .build()
        .expect("resource");
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .dpop(
            DpopConfig::allowed()
                .algorithms([Algorithm::ES256])
                .external_origin(&base),
        )
        .protected_resource(&resource)
        .build()
        .expect("strategy");
    jwt_guard::register("rm", strategy).expect("register");
    let app = Router::new()
        .route("/api/open", get(open))
        .route("/api/orders", get(orders))
        .merge(resource.router());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    // actix-web: its own resource (no path) and strategy, behind the middleware.
    let std_listener =
        std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
    let actix_addr = std_listener.local_addr().expect("addr");
    let actix_resource = ProtectedResource::builder(format!("http://{actix_addr}"))
        .build()
        .expect("resource");
    let actix_strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .protected_resource(&actix_resource)
        .build()
        .expect("strategy");
    jwt_guard::register("rm-actix", actix_strategy).expect("register");
    let policy = Policy::builder("rm actix", ["rm-actix"])
        .build()
        .expect("policy");
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .configure(jwt_guard::actix::resource_metadata(&actix_resource))
                    .service(
                        web::scope("/me")
                            .wrap(AuthMiddleware::new(policy.clone()))
                            .route("", web::get().to(actix_me)),
                    )
            })
            .workers(1)
            .disable_signals()
            .listen(std_listener)
            .expect("listen")
            .run()
            .await
            .expect("serve");
        });
    });
    Env {
        issuer,
        base,
        resource: resource_id,
        actix: format!("http://{actix_addr}"),
    }
}

async fn get_url(url: &str, authorization: Option<&str>) -> (u16, Option<String>, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap_or("?").to_owned());
    (status, challenge, response.text().await.expect("body"))
}

fn metadata_url() -> String {
    format!("{}/.well-known/oauth-protected-resource/api", ENV.base)
}

#[tokio::test]
async fn the_document_is_served_at_both_paths() {
    for url in [
        metadata_url(),
        format!("{}/.well-known/oauth-protected-resource", ENV.base),
    ] {
        let (status, _, body) = get_url(&url, None).await;
        assert_eq!(status, 200, "{url}");
        let doc: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(doc["resource"], ENV.resource);
        assert_eq!(doc["authorization_servers"], json!([ENV.issuer.issuer()]));
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
        assert_eq!(doc["dpop_signing_alg_values_supported"], json!(["ES256"]));
        assert_eq!(doc["dpop_bound_access_tokens_required"], false);
        assert_eq!(doc["resource_name"], "Orders API");
        assert_eq!(
            doc["resource_documentation"],
            "https://docs.example.test/orders"
        );
        let scopes = doc["scopes_supported"].as_array().expect("scopes");
        assert!(scopes.contains(&json!("orders:read")), "{scopes:?}");
    }
}

#[tokio::test]
async fn every_challenge_names_the_metadata() {
    let rm = format!(r#"resource_metadata="{}""#, metadata_url());
    let (status, challenge, _) = get_url(&format!("{}/api/open", ENV.base), None).await;
    assert_eq!(status, 401);
    assert_eq!(
        challenge.as_deref(),
        Some(format!(r#"Bearer {rm}, DPoP algs="ES256", {rm}"#).as_str())
    );
    // A bad token.
    let (status, challenge, _) =
        get_url(&format!("{}/api/open", ENV.base), Some("Bearer x.y.z")).await;
    assert_eq!(status, 401);
    assert_eq!(
        challenge.as_deref(),
        Some(format!(r#"Bearer error="invalid_token", {rm}, DPoP algs="ES256", {rm}"#).as_str())
    );
    // A 403.
    let token = ENV
        .issuer
        .token(json!({ "sub": "ada", "aud": ENV.resource }));
    let (status, challenge, _) = get_url(
        &format!("{}/api/orders", ENV.base),
        Some(&format!("Bearer {token}")),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        challenge.as_deref(),
        Some(
            format!(
                r#"Bearer error="insufficient_scope", scope="orders:read", {rm}, DPoP algs="ES256", {rm}"#
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn the_audience_must_name_the_resource() {
    let url = format!("{}/api/open", ENV.base);
    for (aud, expected) in [
        (json!(ENV.resource), 200),
        (json!(["other", ENV.resource]), 200),
        // Compared canonically (RFC 3986 §6.2.2.1): scheme and host case, default port.
        (json!(ENV.resource.replace("http://", "HTTP://")), 200),
        (json!(ENV.resource.replace("/api", "/API")), 401),
        (json!(format!("{}/", ENV.resource)), 401),
        (json!("https://elsewhere.test"), 401),
        (Value::Null, 401),
    ] {
        let mut claims = json!({ "sub": "ada" });
        if !aud.is_null() {
            claims["aud"] = aud.clone();
        }
        let token = ENV.issuer.token(claims);
        let (status, challenge, body) = get_url(&url, Some(&format!("Bearer {token}"))).await;
        assert_eq!(status, expected, "aud {aud}: {body}");
        if expected == 200 {
            assert_eq!(body, "ada");
        } else {
            assert!(
                challenge
                    .as_deref()
                    .is_some_and(|c| c.starts_with(r#"Bearer error="invalid_token""#)),
                "{challenge:?}"
            );
        }
    }
    // With DPoP too.
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let token = ENV
        .issuer
        .token(json!({ "sub": "ada", "cnf": key.cnf(), "aud": "https://elsewhere.test" }));
    let proof = key.proof("GET", &url, Some(&token));
    let response = reqwest::Client::new()
        .get(&url)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap_or("");
    assert!(
        challenge.contains(r#"DPoP error="invalid_token""#),
        "{challenge}"
    );
}

#[tokio::test]
async fn actix_serves_the_document_and_the_challenge() {
    let (status, _, body) = get_url(
        &format!("{}/.well-known/oauth-protected-resource", ENV.actix),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(doc["resource"], ENV.actix);
    assert_eq!(doc["authorization_servers"], json!([ENV.issuer.issuer()]));
    assert!(doc.get("dpop_signing_alg_values_supported").is_none());
    let (status, challenge, _) = get_url(&format!("{}/me", ENV.actix), None).await;
    assert_eq!(status, 401);
    assert_eq!(
        challenge.as_deref(),
        Some(
            format!(
                r#"Bearer resource_metadata="{}/.well-known/oauth-protected-resource""#,
                ENV.actix
            )
            .as_str()
        )
    );
    let token = ENV.issuer.token(json!({ "sub": "eve", "aud": ENV.actix }));
    let (status, _, body) = get_url(
        &format!("{}/me", ENV.actix),
        Some(&format!("Bearer {token}")),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "eve"));
}

/// Browser-based clients (MCP inspectors, single-page apps) read the document from another
/// origin: both frameworks answer the GET with `Access-Control-Allow-Origin: *` and a
/// preflight with 204 and the methods and headers allowed.
#[tokio::test]
async fn browsers_may_read_the_document_cors() {
    let client = reqwest::Client::new();
    for url in [
        metadata_url(),
        format!("{}/.well-known/oauth-protected-resource", ENV.base),
        format!("{}/.well-known/oauth-protected-resource", ENV.actix),
    ] {
        let response = client
            .get(&url)
            .header("origin", "http://inspector.localhost:6274")
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "*",
            "{url}"
        );
        assert!(
            response
                .headers()
                .get("access-control-allow-credentials")
                .is_none(),
            "{url}: the document is public, never with credentials"
        );
        let preflight = client
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", "http://inspector.localhost:6274")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "mcp-protocol-version")
            .send()
            .await
            .expect("OPTIONS");
        assert_eq!(preflight.status(), 204, "{url}");
        let headers = preflight.headers();
        assert_eq!(headers["access-control-allow-origin"], "*", "{url}");
        assert_eq!(
            headers["access-control-allow-methods"], "GET, OPTIONS",
            "{url}"
        );
        assert_eq!(headers["access-control-allow-headers"], "*", "{url}");
    }
    // The protected routes themselves get no CORS headers from the metadata router.
    let response = client
        .get(format!("{}/api/open", ENV.base))
        .header("origin", "http://inspector.localhost:6274")
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 401);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
