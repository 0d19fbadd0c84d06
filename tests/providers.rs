//! Recipes for real identity providers, as tests: tokens shaped like each provider's
//! (claims, header, key type, issuer form, key location), minted by the testkit and
//! served by real key servers on 127.0.0.1, and what each strategy accepts and refuses.
//!
//! Each recipe says which key URL rule fits the provider. LoopBack's rule,
//! `ISSUER/.well-known/jwks.json`, fits Auth0 and Cognito; Keycloak, Entra ID, Google and
//! Okta publish their keys elsewhere: the default falls back to discovery when that URL
//! answers 404, and `discover()` or the URL they document skips the first try.

use axum::routing::get;
use axum::{Extension, Router};
use http::HeaderMap;
use http::header::AUTHORIZATION;
use jwt_guard::testkit::{Issuer, IssuerOptions};
use jwt_guard::{Algorithm, Error, JwtStrategy, Principal, Registry, Strategy, authenticate};
use jwt_guard_tests::server::serve;
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

// ── Auth0 ──────────────────────────────────────────────────────────────────────────
//
// Issuer `https://TENANT.auth0.com/` (with its trailing slash), RS256, keys at
// `ISSUER.well-known/jwks.json`: LoopBack's rule fits (the slash is not doubled). `aud`
// is the API identifier, often beside the userinfo URL; RBAC permissions in
// `permissions`, beside `scope`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipe_auth0() {
    let auth0 = Issuer::start_with(
        IssuerOptions::new()
            .issuer_path("/")
            .jwks_path("/.well-known/jwks.json"),
    )
    .await
    .expect("issuer");
    assert!(auth0.issuer().ends_with('/'));
    let strategy = JwtStrategy::builder()
        .issuer(auth0.issuer())
        .audience("https://api.shop.example")
        .scopes_claim("scope")
        .scopes_claim("permissions")
        .build()
        .expect("strategy");
    let userinfo = format!("{}userinfo", auth0.issuer());
    let token = auth0.token(json!({
        "sub": "auth0|5f7c8ec7c33c6c004bbafe82",
        "aud": ["https://api.shop.example", userinfo],
        "azp": "x8jPKvSNqvDcrhDW1P7bK3ph6o1OaVQX",
        "scope": "openid profile read:orders",
        "permissions": ["read:orders", "write:orders"],
    }));
    let who = verify(&strategy, &token)
        .await
        .expect("an Auth0 access token");
    assert_eq!(
        who.scopes(),
        ["openid", "profile", "read:orders", "write:orders"]
    );
    let other_api = auth0.token(json!({ "aud": "https://other.example" }));
    assert_eq!(
        refusal(&strategy, &other_api).await,
        (401, "Invalid token: jwt audience invalid".to_owned())
    );
    let no_slash = auth0.token(json!({
        "iss": auth0.issuer().trim_end_matches('/'), "aud": "https://api.shop.example"
    }));
    assert_eq!(
        refusal(&strategy, &no_slash).await.1,
        "Invalid token: jwt issuer invalid"
    );
    assert_eq!(auth0.jwks_paths(), ["/.well-known/jwks.json"]);
}

/// The default key URL fits real providers (issue 20, item 3): with no key option at all,
/// a Keycloak-shaped issuer (keys only at `ISSUER/protocol/openid-connect/certs`) works —
/// LoopBack's `ISSUER/.well-known/jwks.json` is tried first, answers 404, and OpenID
/// discovery from the issuer gives the URL, once. An issuer that serves the default URL
/// never sees a discovery request; one that serves neither is a 503 naming both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_key_url_falls_back_to_discovery_on_404() {
    let keycloak = Issuer::start_with(
        IssuerOptions::new()
            .issuer_path("/realms/shop")
            .jwks_path("/realms/shop/protocol/openid-connect/certs"),
    )
    .await
    .expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(keycloak.issuer())
        .build()
        .expect("strategy");
    for _ in 0..3 {
        verify(&strategy, &keycloak.token(json!({ "sub": "ada" })))
            .await
            .expect("keys found by discovery after the default URL's 404");
    }
    assert_eq!(keycloak.discovery_requests(), 1, "discovery once");
    assert_eq!(
        keycloak.jwks_paths(),
        ["/realms/shop/protocol/openid-connect/certs"]
    );
    let status = strategy.jwks().expect("remote keys").status();
    assert_eq!(
        status.url.as_deref(),
        Some(format!("{}/protocol/openid-connect/certs", keycloak.issuer()).as_str())
    );

    // Served at the default URL: no discovery at all.
    let plain = Issuer::start().await.expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(plain.issuer())
        .build()
        .expect("strategy");
    verify(&strategy, &plain.token(json!({ "sub": "ada" })))
        .await
        .expect("default URL");
    assert_eq!(plain.discovery_requests(), 0);

    // A configured `jwks_uri` that answers 404 is not second-guessed.
    let strategy = JwtStrategy::builder()
        .issuer(keycloak.issuer())
        .jwks_uri(format!("{}/keys-that-are-not-here", keycloak.issuer()))
        .build()
        .expect("strategy");
    let (status, _) = refusal(&strategy, &keycloak.token(json!({ "sub": "ada" }))).await;
    assert_eq!(status, 503);
    assert_eq!(
        keycloak.discovery_requests(),
        1,
        "no discovery for a configured URL"
    );
}

// ── Keycloak ───────────────────────────────────────────────────────────────────────
//
// Issuer `https://HOST/realms/REALM`; keys at `ISSUER/protocol/openid-connect/certs`, not
// at LoopBack's `ISSUER/.well-known/jwks.json` (a 404, then discovery by default): say
// `discover()` to skip the 404. Realm roles in
// `realm_access.roles`, client roles in `resource_access.CLIENT.roles`, the client in
// `azp`, and `typ` in the payload: `Bearer` for access tokens, `ID` for ID tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipe_keycloak() {
    let keycloak = Issuer::start_with(
        IssuerOptions::new()
            .issuer_path("/realms/shop")
            .jwks_path("/realms/shop/protocol/openid-connect/certs"),
    )
    .await
    .expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(keycloak.issuer())
        .discover()
        .authorized_parties(["shop-frontend"])
        .claim_one_of("typ", ["Bearer"])
        .roles_claim("realm_access.roles")
        .roles_claim("resource_access.shop-api.roles")
        .build()
        .expect("strategy");
    let claims = |azp: &str, typ: &str| {
        json!({
            "sub": "f1b0c3d4-0000-4000-8000-000000000001",
            "typ": typ,
            "azp": azp,
            "aud": "account",
            "realm_access": { "roles": ["offline_access", "customer"] },
            "resource_access": {
                "shop-api": { "roles": ["orders:admin"] },
                "account": { "roles": ["manage-account"] },
            },
            "scope": "openid email profile",
        })
    };
    let who = verify(
        &strategy,
        &keycloak.token(claims("shop-frontend", "Bearer")),
    )
    .await
    .expect("a Keycloak access token");
    assert_eq!(who.roles(), ["offline_access", "customer", "orders:admin"]);
    assert!(!who.has_role("manage-account"));
    assert_eq!(
        refusal(&strategy, &keycloak.token(claims("other-client", "Bearer"))).await,
        (401, "Invalid token: invalid azp value".to_owned())
    );
    assert_eq!(
        refusal(&strategy, &keycloak.token(claims("shop-frontend", "ID"))).await,
        (401, "Invalid token: invalid typ value".to_owned())
    );
    assert_eq!(keycloak.discovery_requests(), 1);
    assert_eq!(
        keycloak.jwks_paths(),
        ["/realms/shop/protocol/openid-connect/certs"]
    );

    // LoopBack's rule is wrong for Keycloak (a 404): the default falls back to
    // discovery, once, and the token verifies all the same.
    let loopback_rule = JwtStrategy::builder()
        .issuer(keycloak.issuer())
        .build()
        .expect("strategy");
    let token = keycloak.token(claims("shop-frontend", "Bearer"));
    verify(&loopback_rule, &token)
        .await
        .expect("found by discovery");
    assert_eq!(keycloak.discovery_requests(), 2);
}

// ── Microsoft Entra ID ─────────────────────────────────────────────────────────────
//
// v2 issuer `https://login.microsoftonline.com/TENANT/v2.0`, v1 issuer
// `https://sts.windows.net/TENANT/`; keys at
// `https://login.microsoftonline.com/TENANT/discovery/v2.0/keys` (discovery from the v2
// issuer finds them). Single tenant: that issuer. Multi-tenant: tenant patterns with the
// tenants allowed, `tid` cross-checked. App roles in `roles`, delegated scopes in `scp`
// (space-separated), group ids in `groups`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipe_entra_id() {
    let v2 = Issuer::start_with(
        IssuerOptions::new()
            .issuer_path("/{tenant}/v2.0")
            .jwks_path("/{tenant}/discovery/v2.0/keys"),
    )
    .await
    .expect("issuer");
    let v1 = Issuer::start_with(
        IssuerOptions::new()
            .issuer_path("/{tenant}/")
            .jwks_path("/{tenant}/discovery/keys"),
    )
    .await
    .expect("issuer");
    let (contoso, fabrikam) = (
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "9188040d-6c67-4c5b-b112-36a304b66dad",
    );
    let claims = |extra: Value| {
        let mut claims = json!({
            "aud": "api://4f2b6b8e-orders",
            "oid": "00000000-0000-0000-66f3-3332eca7ea81",
            "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "scp": "Orders.Read Orders.Write",
            "roles": ["Orders.Admin"],
            "groups": ["8782fd24-5f46-4d8e-b1ad-1f0e0f3b2c77"],
            "ver": "2.0",
        });
        if let (Some(c), Value::Object(extra)) = (claims.as_object_mut(), extra) {
            c.extend(extra);
        }
        claims
    };

    // Single tenant, v2, keys by discovery.
    let single = JwtStrategy::builder()
        .issuer(v2.issuer_for(contoso))
        .discover()
        .audience("api://4f2b6b8e-orders")
        .roles_claim("roles")
        .roles_claim("groups")
        .build()
        .expect("strategy");
    let who = verify(&single, &v2.token_for(contoso, claims(json!({}))))
        .await
        .expect("a Contoso token");
    assert_eq!(who.scopes(), ["Orders.Read", "Orders.Write"]);
    assert_eq!(
        who.roles(),
        ["Orders.Admin", "8782fd24-5f46-4d8e-b1ad-1f0e0f3b2c77"]
    );
    assert_eq!(
        refusal(&single, &v2.token_for(fabrikam, claims(json!({}))))
            .await
            .1,
        "Invalid token: jwt issuer invalid"
    );

    // Multi-tenant, v1 and v2 issuers in one strategy, each with its keys.
    let multi = JwtStrategy::builder()
        .issuer_with_jwks_uri(v2.issuer(), v2.jwks_uri())
        .issuer_with_jwks_uri(v1.issuer(), v1.jwks_uri())
        .tenants([contoso, fabrikam])
        .audience("api://4f2b6b8e-orders")
        .build()
        .expect("strategy");
    for tenant in [contoso, fabrikam] {
        verify(&multi, &v2.token_for(tenant, claims(json!({}))))
            .await
            .expect("a v2 token");
        verify(
            &multi,
            &v1.token_for(tenant, claims(json!({ "ver": "1.0" }))),
        )
        .await
        .expect("a v1 token");
    }
    let outsider = "0b0b0b0b-0000-4000-8000-000000000000";
    let before = (v1.jwks_requests(), v2.jwks_requests());
    assert_eq!(
        refusal(&multi, &v2.token_for(outsider, claims(json!({}))))
            .await
            .1,
        "Invalid token: jwt issuer invalid"
    );
    // A v1-shaped token signed with the v2 keys: only the v1 keys are tried.
    let crossed = v2.token(claims(
        json!({ "iss": v1.issuer_for(contoso), "tid": contoso }),
    ));
    assert_eq!(
        refusal(&multi, &crossed).await.1,
        "Invalid token: invalid signature"
    );
    assert_eq!((v1.jwks_requests(), v2.jwks_requests()), before);
    assert_eq!(multi.tenant_engines(), 4);
}

// ── AWS Cognito ────────────────────────────────────────────────────────────────────
//
// Issuer `https://cognito-idp.REGION.amazonaws.com/POOL_ID`, keys at
// `ISSUER/.well-known/jwks.json` (LoopBack's rule fits). Access tokens carry `client_id`,
// not `aud`, and `token_use: access`; ID tokens carry `aud` and `token_use: id`. Groups in
// `cognito:groups`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipe_cognito() {
    let cognito = Issuer::start_with(IssuerOptions::new().issuer_path("/eu-west-1_AbCdEf123"))
        .await
        .expect("issuer");
    let app = "3n4b5urk1ft4fl3mg5e62d9ado";
    let strategy = JwtStrategy::builder()
        .issuer(cognito.issuer())
        .claim_one_of("client_id", [app])
        .claim_one_of("token_use", ["access"])
        .roles_claim("cognito:groups")
        .build()
        .expect("strategy");
    let access = cognito.token(json!({
        "sub": "aaaaaaaa-bbbb-cccc-dddd-example",
        "client_id": app,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin orders/read",
        "cognito:groups": ["admins"],
        "username": "ada",
    }));
    let who = verify(&strategy, &access).await.expect("an access token");
    assert_eq!(who.roles(), ["admins"]);
    assert!(who.has_scope("orders/read"));
    let id_token =
        cognito.token(json!({ "aud": app, "token_use": "id", "email": "ada@example.com" }));
    assert_eq!(
        refusal(&strategy, &id_token).await.1,
        "Invalid token: jwt client_id is required"
    );
    let id_with_client = cognito.token(json!({ "client_id": app, "token_use": "id" }));
    assert_eq!(
        refusal(&strategy, &id_with_client).await.1,
        "Invalid token: invalid token_use value"
    );
    let other_app =
        cognito.token(json!({ "client_id": "7d8b0sfv6example", "token_use": "access" }));
    assert_eq!(
        refusal(&strategy, &other_app).await.1,
        "Invalid token: invalid client_id value"
    );
    assert_eq!(
        cognito.jwks_paths(),
        ["/eu-west-1_AbCdEf123/.well-known/jwks.json"]
    );
}

// ── Google ─────────────────────────────────────────────────────────────────────────
//
// ID tokens name either `https://accounts.google.com` or `accounts.google.com`: both
// issuers in one strategy, sharing the key URL `https://www.googleapis.com/oauth2/v3/certs`
// (one engine, one fetch). `aud` is the OAuth client id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipe_google() {
    let google = Issuer::start_with(IssuerOptions::new().jwks_path("/oauth2/v3/certs"))
        .await
        .expect("issuer");
    let bare = google.issuer().trim_start_matches("http://").to_owned();
    let client = "1234987819200-example.apps.googleusercontent.com";
    let strategy = JwtStrategy::builder()
        .issuer(google.issuer())
        .issuer(bare.clone())
        .jwks_uri(google.jwks_uri())
        .audience(client)
        .require_claim("email")
        .build()
        .expect("strategy");
    for iss in [google.issuer().to_owned(), bare.clone()] {
        let token = google.token(json!({
            "iss": iss, "aud": client, "azp": client, "sub": "110169484474386276334",
            "email": "ada@example.com", "email_verified": true,
        }));
        let who = verify(&strategy, &token).await.expect("either spelling");
        assert_eq!(who.subject(), Some("110169484474386276334"));
    }
    assert_eq!(strategy.key_engines().len(), 1);
    assert_eq!(google.jwks_requests(), 1);
    let other =
        google.token(json!({ "iss": format!("https://{bare}"), "aud": client, "email": "a@b" }));
    assert_eq!(
        refusal(&strategy, &other).await.1,
        "Invalid token: jwt issuer invalid"
    );
    let no_email = google.token(json!({ "aud": client }));
    assert_eq!(
        refusal(&strategy, &no_email).await.1,
        "Invalid token: jwt email is required"
    );
}

// ── Okta ───────────────────────────────────────────────────────────────────────────
//
// A custom authorization server: issuer `https://DOMAIN/oauth2/default`, keys at
// `ISSUER/v1/keys` (discovery finds them; LoopBack's rule does not). `aud` is
// `api://default` unless changed, scopes in `scp` (an array), the client in `cid`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipe_okta() {
    let okta = Issuer::start_with(
        IssuerOptions::new()
            .issuer_path("/oauth2/default")
            .jwks_path("/oauth2/default/v1/keys"),
    )
    .await
    .expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(okta.issuer())
        .discover()
        .audience("api://default")
        .claim_one_of("cid", ["0oa1b2c3d4EXAMPLE"])
        .build()
        .expect("strategy");
    let token = okta.token(json!({
        "ver": 1, "jti": "AT.example", "aud": "api://default", "cid": "0oa1b2c3d4EXAMPLE",
        "uid": "00u1a2b3EXAMPLE", "scp": ["openid", "orders.read"], "sub": "ada@example.com",
    }));
    let who = verify(&strategy, &token)
        .await
        .expect("an Okta access token");
    assert_eq!(who.scopes(), ["openid", "orders.read"]);
    let other_client = okta.token(json!({ "aud": "api://default", "cid": "0oaOTHER" }));
    assert_eq!(
        refusal(&strategy, &other_client).await.1,
        "Invalid token: invalid cid value"
    );
    assert_eq!(okta.jwks_paths(), ["/oauth2/default/v1/keys"]);
}

// ── Zuplo ──────────────────────────────────────────────────────────────────────────
//
// A Zuplo gateway's JWT service signs with EdDSA (Ed25519) for the upstream services it
// calls, and serves `/.well-known/openid-configuration` naming its key set: use
// discovery and allow EdDSA alone. `aud` names the upstream service. With the RFC 9068
// profile, its `typ: at+jwt` access tokens are told apart from ID tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipe_zuplo() {
    let zuplo = Issuer::start_with(
        IssuerOptions::new()
            .algorithm(Algorithm::EdDSA)
            .jwks_path("/.well-known/jwks")
            .typ("at+jwt"),
    )
    .await
    .expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(zuplo.issuer())
        .discover()
        .algorithms([Algorithm::EdDSA])
        .audience("https://orders.internal.example")
        .access_token_profile()
        .claims_check(|claims| match claims.get("plan").and_then(Value::as_str) {
            Some("enterprise") => Ok(()),
            _ => Err(Error::forbidden("the enterprise plan is required")),
        })
        .build()
        .expect("strategy");
    let claims = |plan: &str| {
        json!({
            "sub": "consumer-42", "aud": "https://orders.internal.example",
            "client_id": "zuplo-gateway", "jti": "3f0c", "plan": plan,
        })
    };
    let who = verify(&strategy, &zuplo.token(claims("enterprise")))
        .await
        .expect("a Zuplo token");
    assert_eq!(who.subject(), Some("consumer-42"));
    assert_eq!(
        refusal(&strategy, &zuplo.token(claims("free"))).await,
        (403, "the enterprise plan is required".to_owned())
    );
    let mut partial = claims("enterprise");
    partial.as_object_mut().map(|c| c.remove("jti"));
    assert_eq!(
        refusal(&strategy, &zuplo.token(partial)).await.1,
        "Invalid token: jwt jti is required"
    );
    let kid = zuplo.kid();
    let id_token = zuplo.sign(
        &json!({ "alg": "EdDSA", "typ": "JWT", "kid": kid }),
        &zuplo.claims(claims("enterprise")),
    );
    assert_eq!(
        refusal(&strategy, &id_token).await.1,
        "Invalid token: invalid typ value"
    );
    let e = JwtStrategy::builder()
        .issuer(zuplo.issuer())
        .access_token_profile()
        .build()
        .expect_err("RFC 9068 needs an audience");
    assert!(e.to_string().contains("audience"), "{e}");
}
