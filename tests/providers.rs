//! Recipes for real identity providers, as tests: tokens shaped like each provider's
//! (claims, header, key type, issuer form, key location), minted by the testkit and
//! served by real key servers on 127.0.0.1, and what each strategy accepts and refuses.
//!
//! Each recipe says which key URL rule fits the provider. LoopBack's rule,
//! `ISSUER/.well-known/jwks.json`, fits Auth0 and Cognito; Keycloak, Entra ID, Google and
//! Okta publish their keys elsewhere: use discovery or the URL they document.

use std::net::SocketAddr;

use axum::routing::get;
use axum::{Extension, Router};
use http::HeaderMap;
use http::header::AUTHORIZATION;
use jwt_guard::testkit::{Issuer, IssuerOptions};
use jwt_guard::{Algorithm, Error, JwtStrategy, Principal, Registry, Strategy, authenticate};
use serde_json::{Value, json};

async fn verify(strategy: &JwtStrategy, token: &str) -> Result<Principal, Error> {
    let mut headers = HeaderMap::new();
    let value = format!("Bearer {token}").parse().expect("header value");
    headers.insert(AUTHORIZATION, value);
    strategy.authenticate(&headers).await
}

/// The refusal's status and public message.
async fn refusal(strategy: &JwtStrategy, token: &str) -> (u16, String) {
    match verify(strategy, token).await {
        Ok(p) => panic!("accepted: {:?}", p.claims()),
        Err(e) => (e.status().as_u16(), e.body_text()),
    }
}

#[authenticate("big")]
async fn groups(who: Principal) -> String {
    let groups = who
        .claim("groups")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    format!("{} {groups}", who.subject().unwrap_or("-"))
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// An 11 KB `Authorization` header (a token carrying 205 group ids, as Entra ID and
/// Keycloak send) verifies with the defaults, through a real HTTP server; one over the
/// 16 KiB default is refused before anything is decoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_11_kb_token_verifies_with_the_defaults() {
    let issuer = Issuer::start().await.expect("issuer");
    let registry = Registry::new();
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    registry.register("big", strategy).expect("register");
    let addr = serve(
        Router::new()
            .route("/groups", get(groups))
            .layer(Extension(registry)),
    )
    .await;
    let ids: Vec<String> = (0..205)
        .map(|i| format!("{i:08x}-9c1e-4b7a-8d2f-6a5b4c3d2e1f"))
        .collect();
    let token = issuer.token(json!({ "sub": "ada", "groups": ids }));
    let header = format!("Bearer {token}");
    assert!(
        (11_000..12_000).contains(&header.len()),
        "{} bytes",
        header.len()
    );
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{addr}/groups"))
        .header("authorization", &header)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "ada 205");

    let ids: Vec<String> = (0..400)
        .map(|i| format!("{i:08x}-9c1e-4b7a-8d2f-6a5b4c3d2e1f"))
        .collect();
    let huge = issuer.token(json!({ "sub": "ada", "groups": ids }));
    assert!(huge.len() > 16 * 1024);
    let response = client
        .get(format!("http://{addr}/groups"))
        .bearer_auth(huge)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(
        body["error"]["message"], "Authorization header is too large",
        "{body}"
    );
}

/// ES512 (ECDSA on P-521) from a fetched key set, beside RS256.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn es512_from_a_key_server() {
    let issuer = Issuer::start_with(IssuerOptions::new().algorithm(Algorithm::ES512))
        .await
        .expect("issuer");
    assert_eq!(issuer.jwks()["keys"][0]["crv"], "P-521");
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .algorithms([Algorithm::ES512, Algorithm::RS256])
        .build()
        .expect("strategy");
    let who = verify(&strategy, &issuer.token(json!({ "sub": "p521" })))
        .await
        .expect("an ES512 token");
    assert_eq!(who.subject(), Some("p521"));
    let rs = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    assert_eq!(
        refusal(&rs, &issuer.token(json!({}))).await,
        (401, "Invalid token: invalid algorithm".to_owned())
    );
}
