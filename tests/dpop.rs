//! DPoP (RFC 9449) end to end: real axum (the attribute, the tower layer) and actix-web
//! (the middleware) servers and a real JWKS endpoint on 127.0.0.1, proofs minted by the
//! testkit. A DPoP-bound request passes; every refusal of §4.3 and §7.1 is a 401 with its
//! challenge.

use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use jwt_guard::dpop::{DpopConfig, InMemoryReplayStore};
use jwt_guard::policy::Policy;
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::tower::AuthLayer;
use jwt_guard::{Algorithm, JwtStrategy, Principal, authenticate};
use jwt_guard_tests::client::{Answer, answer};
use jwt_guard_tests::runtime;
use serde_json::{Value, json};

const ALGS: &str = "ES256 EdDSA RS256";
const EXTERNAL: &str = "https://api.example.test";
const NONCE_SECRET: &[u8] = b"a nonce secret of at least 32 bytes!";

// ── the app under test ─────────────────────────────────────────────────────────────

fn who(principal: &Principal) -> String {
    format!(
        "{} {}",
        principal.subject().unwrap_or("-"),
        principal.dpop_thumbprint().unwrap_or("bearer")
    )
}

#[authenticate("dpop")]
async fn allowed(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("dpop-required")]
async fn required(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("dpop-nonce")]
async fn nonce(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("dpop", scopes = ["orders:read"])]
async fn scoped(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("plain")]
async fn plain(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("dpop-small-store")]
async fn small(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("dpop")]
async fn files(principal: Principal) -> String {
    who(&principal)
}

// A handler's own `HeaderMap`: the hidden guard stands beside it and sees the request.
#[authenticate("dpop")]
async fn headers_only(headers: http::HeaderMap) -> String {
    format!("{} headers", headers.len())
}

// `&HeaderMap` alone carries no method or URI: a DPoP strategy cannot check a proof.
#[authenticate("dpop")]
async fn headers_by_ref(headers: &http::HeaderMap) -> String {
    format!("{} headers", headers.len())
}

async fn calls_headers_by_ref(headers: http::HeaderMap) -> Result<String, jwt_guard::Error> {
    headers_by_ref(&headers).await
}

async fn layered(principal: Principal) -> String {
    who(&principal)
}

struct Env {
    issuer: Issuer,
    base: String,
    /// An actix-web app: `/me` behind `AuthMiddleware` of the "dpop" strategy.
    actix: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    // Bound first: the origins clients address are configuration.
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let std_listener =
        std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
    let actix_addr = std_listener.local_addr().expect("addr");
    let (base, actix) = (format!("http://{addr}"), format!("http://{actix_addr}"));
    let algs = [Algorithm::ES256, Algorithm::EdDSA, Algorithm::RS256];
    let strategy = |dpop: DpopConfig| {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .dpop(dpop)
            .build()
            .expect("strategy")
    };
    // The axum server and the actix-web one share the strategy: two origins.
    jwt_guard::register(
        "dpop",
        strategy(
            DpopConfig::allowed()
                .algorithms(algs)
                .external_origins([&base, &actix]),
        ),
    )
    .expect("reg");
    jwt_guard::register(
        "dpop-small-store",
        strategy(
            DpopConfig::allowed()
                .algorithms(algs)
                .external_origin(&base)
                .replay_store(InMemoryReplayStore::new(16)),
        ),
    )
    .expect("reg");
    let without_dpop = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    jwt_guard::register("plain", without_dpop).expect("reg");
    jwt_guard::register(
        "dpop-required",
        strategy(
            DpopConfig::required()
                .algorithms(algs)
                .external_origin(EXTERNAL),
        ),
    )
    .expect("reg");
    jwt_guard::register(
        "dpop-nonce",
        strategy(
            DpopConfig::allowed()
                .algorithms(algs)
                .external_origin(&base)
                .require_nonce(NONCE_SECRET, Duration::from_secs(300)),
        ),
    )
    .expect("reg");
    let policy = Policy::builder("dpop layer", ["dpop"])
        .build()
        .expect("policy");
    let app = Router::new()
        .route("/allowed", get(allowed).post(allowed))
        .route("/required", get(required))
        .route("/nonce", get(nonce))
        .route("/scoped", get(scoped))
        .route("/headers", get(headers_only))
        .route("/headers-by-ref", get(calls_headers_by_ref))
        .route("/plain", get(plain))
        .route("/small", get(small))
        .route("/files/{*rest}", get(files))
        .route(
            "/layer/me",
            post(layered).route_layer(AuthLayer::new(policy)),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let actix_policy = Policy::builder("dpop actix", ["dpop"])
        .build()
        .expect("policy");
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(move || {
                actix_web::App::new().service(
                    actix_web::web::scope("/me")
                        .wrap(jwt_guard::actix::AuthMiddleware::new(actix_policy.clone()))
                        .route("", actix_web::web::post().to(layered)),
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
        actix,
    }
}

// ── helpers ─────────────────────────────────────────────────────────────────────────

/// The refusal of a bad proof, for [`Answer`].
trait AssertBadProof {
    fn assert_bad_proof(&self);
}

impl AssertBadProof for Answer {
    fn assert_bad_proof(&self) {
        self.assert_refused(&format!(
            r#"Bearer, DPoP error="invalid_dpop_proof", algs="{ALGS}""#
        ));
        let json: Value = serde_json::from_str(&self.body).expect("JSON body");
        assert_eq!(json["error"]["message"], "Invalid DPoP proof");
    }
}

fn url(path: &str) -> String {
    format!("{}{path}", ENV.base)
}

async fn send(
    method: http::Method,
    path: &str,
    authorization: Option<&str>,
    proofs: &[&str],
) -> Answer {
    let mut request = reqwest::Client::new().request(method, url(path));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    for proof in proofs {
        request = request.header("dpop", *proof);
    }
    answer(request).await
}

/// `GET <target>` with `host`, sent as written on a socket (reqwest would remove dot
/// segments and set `Host` itself): the status and the challenge.
fn raw_get(target: &str, host: &str, token: &str, proof: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = ENV.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let head = format!(
        "GET {target} HTTP/1.1\r\nhost: {host}\r\nauthorization: DPoP {token}\r\n\
         dpop: {proof}\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let challenge = response
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .starts_with("www-authenticate:")
                .then(|| line["www-authenticate:".len()..].trim().to_owned())
        })
        .unwrap_or_default();
    (status, challenge)
}

async fn dpop_get(path: &str, token: &str, proof: &str) -> Answer {
    send(
        http::Method::GET,
        path,
        Some(&format!("DPoP {token}")),
        &[proof],
    )
    .await
}

fn key(alg: Algorithm) -> DpopKey {
    DpopKey::generate(alg).expect("key")
}

fn bound_token(key: &DpopKey) -> String {
    ENV.issuer.token(json!({ "sub": "ada", "cnf": key.cnf() }))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// ── accepted ────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_bound_token_with_its_proof_passes_for_each_algorithm() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::RS256] {
        let key = key(alg);
        let token = bound_token(&key);
        let proof = key.proof("GET", &url("/allowed"), Some(&token));
        let answer = dpop_get("/allowed", &token, &proof).await;
        assert_eq!(answer.status, 200, "{alg:?}: {answer:?}");
        assert_eq!(answer.body, format!("ada {}", key.thumbprint()), "{alg:?}");
    }
}

#[tokio::test]
async fn htu_is_compared_without_query_and_after_normalisation() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let addr = ENV.base.trim_start_matches("http://");
    let cases = [
        (
            format!("HTTP://{addr}/allowed?page=2#frag"),
            "/allowed?other=1",
        ),
        (format!("http://{addr}/files/a%2fb"), "/files/a%2Fb"),
    ];
    for (htu, target) in cases {
        let proof = key.proof("GET", &htu, Some(&token));
        let answer = dpop_get(target, &token, &proof).await;
        assert_eq!(answer.status, 200, "{htu}: {answer:?}");
    }
    // Not normalised away: dot segments, and percent-encoded unreserved characters.
    for (htu, target) in [
        (format!("http://{addr}/./allowed"), "/allowed"),
        (format!("http://{addr}/%61llowed"), "/allowed"),
    ] {
        let proof = key.proof("GET", &htu, Some(&token));
        dpop_get(target, &token, &proof).await.assert_bad_proof();
    }
}

#[tokio::test]
async fn a_proof_is_checked_against_the_target_the_router_sees() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let addr = ENV.base.trim_start_matches("http://");
    let refused = format!(r#"Bearer, DPoP error="invalid_dpop_proof", algs="{ALGS}""#);
    // A proof for /admin, sent to targets the router serves with /files/{*rest}.
    for target in [
        "/files/../admin",
        "/files/%2e%2E/admin",
        "/files/.%2e/admin",
        "/files/./../admin",
    ] {
        let proof = key.proof("GET", &url("/admin"), Some(&token));
        let (status, challenge) = raw_get(target, addr, &token, &proof);
        assert_eq!(
            (status, challenge.as_str()),
            (401, refused.as_str()),
            "{target}"
        );
    }
    // A proof naming the dotted target itself: dot segments are refused outright.
    let proof = key.proof("GET", &url("/files/../admin"), Some(&token));
    let (status, _) = raw_get("/files/../admin", addr, &token, &proof);
    assert_eq!(status, 401);
    // The route itself works, with a proof for its target.
    let proof = key.proof("GET", &url("/files/report"), Some(&token));
    assert_eq!(raw_get("/files/report", addr, &token, &proof).0, 200);
}

#[tokio::test]
async fn a_proof_made_for_another_host_is_refused_whatever_the_host_header() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let refused = format!(r#"Bearer, DPoP error="invalid_dpop_proof", algs="{ALGS}""#);
    // A proof for another server, replayed here with that server's name as Host (or an
    // absolute-form target): the origin is configuration, never the request's.
    let elsewhere = "http://other-api.test/allowed";
    let proof = key.proof("GET", elsewhere, Some(&token));
    let (status, challenge) = raw_get("/allowed", "other-api.test", &token, &proof);
    assert_eq!((status, challenge.as_str()), (401, refused.as_str()));
    let proof = key.proof("GET", elsewhere, Some(&token));
    let (status, challenge) = raw_get(elsewhere, "other-api.test", &token, &proof);
    assert_eq!((status, challenge.as_str()), (401, refused.as_str()));
    // Each configured origin is accepted, whatever the Host header says.
    let addr = ENV.base.trim_start_matches("http://");
    let proof = key.proof("GET", &url("/allowed"), Some(&token));
    assert_eq!(raw_get("/allowed", "other-api.test", &token, &proof).0, 200);
    let proof = key.proof("GET", &format!("{}/allowed", ENV.actix), Some(&token));
    assert_eq!(raw_get("/allowed", addr, &token, &proof).0, 200);
}

#[test]
fn dpop_without_a_configured_origin_does_not_build() {
    let issuer = "https://issuer.example.test";
    for dpop in [DpopConfig::allowed(), DpopConfig::required()] {
        let built = JwtStrategy::builder().issuer(issuer).dpop(dpop).build();
        let err = built.expect_err("DPoP needs an origin");
        assert!(
            matches!(err, jwt_guard::ConfigError::InvalidDpop { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("external_origin"), "{err}");
    }
}

#[tokio::test]
async fn the_external_origin_is_what_proofs_name() {
    let key = key(Algorithm::EdDSA);
    let token = bound_token(&key);
    let proof = key.proof("GET", &format!("{EXTERNAL}/required"), Some(&token));
    let answer = dpop_get("/required", &token, &proof).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // The origin the server listens on is not the one clients address.
    let proof = key.proof("GET", &url("/required"), Some(&token));
    let answer = dpop_get("/required", &token, &proof).await;
    answer.assert_refused(&format!(
        r#"DPoP error="invalid_dpop_proof", algs="{ALGS}""#
    ));
}

#[tokio::test]
async fn the_tower_layer_checks_proofs_too() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let auth = format!("DPoP {token}");
    let proof = key.proof("POST", &url("/layer/me"), Some(&token));
    let answer = send(http::Method::POST, "/layer/me", Some(&auth), &[&proof]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, format!("ada {}", key.thumbprint()));
    let answer = send(http::Method::POST, "/layer/me", Some(&auth), &[&proof]).await;
    answer.assert_bad_proof();
}

#[tokio::test]
async fn the_actix_middleware_checks_proofs_too() {
    let key = key(Algorithm::RS256);
    let token = bound_token(&key);
    let url = format!("{}/me", ENV.actix);
    let post = |proof: String| {
        reqwest::Client::new()
            .post(&url)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof)
            .send()
    };
    let proof = key.proof("POST", &url, Some(&token));
    let response = post(proof.clone()).await.expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.expect("body"),
        format!("ada {}", key.thumbprint())
    );
    let replayed = post(proof).await.expect("request");
    assert_eq!(replayed.status(), 401);
    assert_eq!(
        replayed.headers()["www-authenticate"],
        format!(r#"Bearer, DPoP error="invalid_dpop_proof", algs="{ALGS}""#).as_str()
    );
    let wrong_method = post(key.proof("GET", &url, Some(&token)))
        .await
        .expect("request");
    assert_eq!(wrong_method.status(), 401);
}

#[tokio::test]
async fn plain_bearer_tokens_pass_where_dpop_is_allowed() {
    let token = ENV.issuer.token(json!({ "sub": "bob" }));
    let answer = send(
        http::Method::GET,
        "/allowed",
        Some(&format!("Bearer {token}")),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, "bob bearer");
}

// ── refused: the proof ──────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_proof_is_accepted_once() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let proof = key.proof("GET", &url("/allowed"), Some(&token));
    assert_eq!(dpop_get("/allowed", &token, &proof).await.status, 200);
    dpop_get("/allowed", &token, &proof)
        .await
        .assert_bad_proof();
}

#[tokio::test]
async fn exactly_one_proof_header() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let auth = format!("DPoP {token}");
    send(http::Method::GET, "/allowed", Some(&auth), &[])
        .await
        .assert_bad_proof();
    let a = key.proof("GET", &url("/allowed"), Some(&token));
    let b = key.proof("GET", &url("/allowed"), Some(&token));
    send(http::Method::GET, "/allowed", Some(&auth), &[&a, &b])
        .await
        .assert_bad_proof();
    send(http::Method::GET, "/allowed", Some(&auth), &["not.a.jwt"])
        .await
        .assert_bad_proof();
}

#[tokio::test]
async fn header_refusals_typ_alg_jwk() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let claims = key.claims("GET", &url("/allowed"), Some(&token));

    let mut header = key.header();
    header["typ"] = json!("JWT");
    dpop_get("/allowed", &token, &key.sign(&header, &claims))
        .await
        .assert_bad_proof();

    // ES384 is a fine algorithm, but not on this strategy's list.
    let es384 = self::key(Algorithm::ES384);
    let es384_token = bound_token(&es384);
    let proof = es384.proof("GET", &url("/allowed"), Some(&es384_token));
    dpop_get("/allowed", &es384_token, &proof)
        .await
        .assert_bad_proof();

    let mut header = key.header();
    header["alg"] = json!("HS256");
    dpop_get("/allowed", &token, &key.sign(&header, &claims))
        .await
        .assert_bad_proof();

    let mut header = key.header();
    header["jwk"]["d"] = json!("c2VjcmV0");
    dpop_get("/allowed", &token, &key.sign(&header, &claims))
        .await
        .assert_bad_proof();

    let mut header = key.header();
    header.as_object_mut().expect("object").remove("jwk");
    dpop_get("/allowed", &token, &key.sign(&header, &claims))
        .await
        .assert_bad_proof();

    // The jwk of one key, the signature of another.
    let other = self::key(Algorithm::ES256);
    dpop_get("/allowed", &token, &other.sign(&key.header(), &claims))
        .await
        .assert_bad_proof();
}

#[tokio::test]
async fn claim_refusals_htm_htu_iat_ath_jti() {
    let key = key(Algorithm::EdDSA);
    let token = bound_token(&key);
    let htu = url("/allowed");
    let with = |change: &dyn Fn(&mut Value)| {
        let mut claims = key.claims("GET", &htu, Some(&token));
        change(&mut claims);
        key.sign(&key.header(), &claims)
    };
    let cases: Vec<(&str, String)> = vec![
        ("htm", with(&|c| c["htm"] = json!("POST"))),
        ("htu path", with(&|c| c["htu"] = json!(url("/other")))),
        (
            "htu origin",
            with(&|c| c["htu"] = json!("http://elsewhere.test/allowed")),
        ),
        ("htu not a URI", with(&|c| c["htu"] = json!("/allowed"))),
        ("iat too old", with(&|c| c["iat"] = json!(now() - 301))),
        ("iat ahead", with(&|c| c["iat"] = json!(now() + 60))),
        ("iat string", with(&|c| c["iat"] = json!(now().to_string()))),
        (
            "ath missing",
            with(&|c| {
                c.as_object_mut().expect("object").remove("ath");
            }),
        ),
        ("ath other token", with(&|c| c["ath"] = json!("AAAA"))),
        (
            "jti missing",
            with(&|c| {
                c.as_object_mut().expect("object").remove("jti");
            }),
        ),
    ];
    for (case, proof) in cases {
        let answer = dpop_get("/allowed", &token, &proof).await;
        assert_eq!(answer.status, 401, "{case}: {answer:?}");
        answer.assert_bad_proof();
    }
    // The same claims, fresh, pass: the refusals above were the changes.
    assert_eq!(
        dpop_get("/allowed", &token, &with(&|_| {})).await.status,
        200
    );
}

#[tokio::test]
async fn a_proof_for_another_method_is_refused_on_post_too() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let auth = format!("DPoP {token}");
    let proof = key.proof("GET", &url("/allowed"), Some(&token));
    send(http::Method::POST, "/allowed", Some(&auth), &[&proof])
        .await
        .assert_bad_proof();
    let proof = key.proof("POST", &url("/allowed"), Some(&token));
    let answer = send(http::Method::POST, "/allowed", Some(&auth), &[&proof]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

// ── refused: the binding ────────────────────────────────────────────────────────────

#[tokio::test]
async fn the_proof_key_must_be_the_tokens() {
    let bound_to = key(Algorithm::ES256);
    let token = bound_token(&bound_to);
    let thief = key(Algorithm::ES256);
    let proof = thief.proof("GET", &url("/allowed"), Some(&token));
    dpop_get("/allowed", &token, &proof)
        .await
        .assert_refused(&format!(
            r#"Bearer, DPoP error="invalid_token", algs="{ALGS}""#
        ));
    // A token bound to no key, sent with a proof.
    let unbound = ENV.issuer.token(json!({ "sub": "ada" }));
    let proof = thief.proof("GET", &url("/allowed"), Some(&unbound));
    dpop_get("/allowed", &unbound, &proof)
        .await
        .assert_refused(&format!(
            r#"Bearer, DPoP error="invalid_token", algs="{ALGS}""#
        ));
}

#[tokio::test]
async fn a_bound_token_is_refused_as_bearer() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let answer = send(
        http::Method::GET,
        "/allowed",
        Some(&format!("Bearer {token}")),
        &[],
    )
    .await;
    answer.assert_refused(&format!(
        r#"Bearer error="invalid_token", DPoP algs="{ALGS}""#
    ));
}

/// Tokens whose `cnf` this server cannot check: a certificate thumbprint (RFC 8705),
/// another confirmation member beside `jkt`, or a `cnf` that is not an object.
fn unverifiable_tokens(key: &DpopKey) -> Vec<(&'static str, String)> {
    let jkt = key.thumbprint();
    let x5t = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
    [
        ("x5t#S256", json!({ "x5t#S256": x5t })),
        ("jkt and x5t#S256", json!({ "jkt": jkt, "x5t#S256": x5t })),
        (
            "jkt and jwk",
            json!({ "jkt": jkt, "jwk": key.public_jwk() }),
        ),
        ("jkt not a string", json!({ "jkt": 7 })),
        ("empty object", json!({})),
        ("a string", json!(jkt)),
        ("an array", json!([jkt])),
    ]
    .into_iter()
    .map(|(case, cnf)| (case, ENV.issuer.token(json!({ "sub": "eve", "cnf": cnf }))))
    .collect()
}

#[tokio::test]
async fn a_token_with_a_cnf_the_strategy_cannot_check_is_refused_as_bearer() {
    let key = key(Algorithm::ES256);
    for (case, token) in unverifiable_tokens(&key) {
        let bearer = format!("Bearer {token}");
        // A strategy without DPoP.
        let answer = send(http::Method::GET, "/plain", Some(&bearer), &[]).await;
        answer.assert_refused(r#"Bearer error="invalid_token""#);
        let json: Value = serde_json::from_str(&answer.body).expect("JSON body");
        assert_eq!(
            json["error"]["message"], "Invalid token: jwt cnf not supported",
            "{case}"
        );
        // A strategy with DPoP allowed.
        let answer = send(http::Method::GET, "/allowed", Some(&bearer), &[]).await;
        answer.assert_refused(&format!(
            r#"Bearer error="invalid_token", DPoP algs="{ALGS}""#
        ));
    }
    // The same claims without `cnf` pass: the refusals above were the binding.
    let token = ENV.issuer.token(json!({ "sub": "eve" }));
    let answer = send(
        http::Method::GET,
        "/plain",
        Some(&format!("Bearer {token}")),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test]
async fn a_dpop_bound_token_is_refused_as_bearer_where_dpop_is_off() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let answer = send(
        http::Method::GET,
        "/plain",
        Some(&format!("Bearer {token}")),
        &[],
    )
    .await;
    answer.assert_refused(r#"Bearer error="invalid_token""#);
    // The same refusal from `verify_token`, with its own reason code.
    let strategy = JwtStrategy::builder()
        .issuer(ENV.issuer.issuer())
        .build()
        .expect("strategy");
    let err = strategy.verify_token(&token).await.expect_err("refused");
    assert_eq!(err.reason(), "unsupported_confirmation");
    assert_eq!(err.status(), 401);
    // A second presentation is refused as well (the verified-token cache keeps `cnf`).
    let cached = JwtStrategy::builder()
        .issuer(ENV.issuer.issuer())
        .token_cache(jwt_guard::cache::TokenCacheConfig::default())
        .build()
        .expect("strategy");
    for _ in 0..2 {
        let err = cached.verify_token(&token).await.expect_err("refused");
        assert_eq!(err.reason(), "unsupported_confirmation");
    }
}

#[tokio::test]
async fn the_dangerous_opt_out_accepts_unverified_bindings_but_not_dpop_ones() {
    let key = key(Algorithm::ES256);
    let builder = || {
        JwtStrategy::builder()
            .issuer(ENV.issuer.issuer())
            .dangerous_accept_unverified_cnf()
    };
    let without_dpop = builder().build().expect("strategy");
    let with_dpop = builder()
        .dpop(DpopConfig::allowed().external_origin(EXTERNAL))
        .build()
        .expect("strategy");
    for (case, token) in unverifiable_tokens(&key) {
        let principal = without_dpop.verify_token(&token).await;
        assert_eq!(principal.expect(case).subject(), Some("eve"), "{case}");
    }
    let bound = bound_token(&key);
    assert!(without_dpop.verify_token(&bound).await.is_ok());
    // DPoP can check `jkt`: a strategy with DPoP still refuses it as bearer.
    let err = with_dpop.verify_token(&bound).await.expect_err("refused");
    assert_eq!(err.reason(), "dpop_bound_token_as_bearer");
}

#[tokio::test]
async fn a_token_with_a_cnf_dpop_cannot_check_is_refused_with_its_proof() {
    let key = key(Algorithm::ES256);
    for (case, token) in unverifiable_tokens(&key) {
        let proof = key.proof("GET", &url("/allowed"), Some(&token));
        let answer = dpop_get("/allowed", &token, &proof).await;
        assert_eq!(answer.status, 401, "{case}: {answer:?}");
        answer.assert_refused(&format!(
            r#"Bearer, DPoP error="invalid_token", algs="{ALGS}""#
        ));
    }
}

#[tokio::test]
async fn with_dpop_required_bearer_tokens_are_refused() {
    let token = ENV.issuer.token(json!({ "sub": "bob" }));
    let answer = send(
        http::Method::GET,
        "/required",
        Some(&format!("Bearer {token}")),
        &[],
    )
    .await;
    answer.assert_refused(&format!(r#"DPoP error="invalid_token", algs="{ALGS}""#));
    let answer = send(http::Method::GET, "/required", None, &[]).await;
    answer.assert_refused(&format!(r#"DPoP algs="{ALGS}""#));
}

#[tokio::test]
async fn missing_credentials_offer_both_challenges() {
    let answer = send(http::Method::GET, "/allowed", None, &[]).await;
    answer.assert_refused(&format!(r#"Bearer, DPoP algs="{ALGS}""#));
}

#[tokio::test]
async fn insufficient_scope_is_a_403_on_the_dpop_challenge() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let proof = key.proof("GET", &url("/scoped"), Some(&token));
    let answer = dpop_get("/scoped", &token, &proof).await;
    assert_eq!(answer.status, 403, "{answer:?}");
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            format!(
                r#"Bearer, DPoP error="insufficient_scope", scope="orders:read", algs="{ALGS}""#
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn a_function_with_headers_only_cannot_check_proofs() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    // A handler's own `HeaderMap` gets the hidden guard, which sees method and target.
    let proof = key.proof("GET", &url("/headers"), Some(&token));
    let answer = dpop_get("/headers", &token, &proof).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // `&HeaderMap` alone: no method, no target, so no proof can be checked: a 500.
    let proof = key.proof("GET", &url("/headers-by-ref"), Some(&token));
    let answer = dpop_get("/headers-by-ref", &token, &proof).await;
    assert_eq!(answer.status, 500, "{answer:?}");
}

// ── the replay store ────────────────────────────────────────────────────────────────

/// The Prometheus recorder of this test binary, installed once.
fn metrics() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .expect("recorder")
    })
}

#[tokio::test]
async fn a_full_replay_store_refuses_new_proofs_and_never_forgets_a_used_one() {
    let metrics = metrics();
    let victim = key(Algorithm::ES256);
    let token = bound_token(&victim);
    let used = victim.proof("GET", &url("/small"), Some(&token));
    assert_eq!(dpop_get("/small", &token, &used).await.status, 200);
    // Someone with a bound token of their own sends 20 fresh proofs to a store of 16,
    // each twice (the second a replay, which made a cache keep it over older entries).
    // 15 fill the store, the next ones are refused without evicting anything.
    let attacker = key(Algorithm::ES256);
    let own = bound_token(&attacker);
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let proof = attacker.proof("GET", &url("/small"), Some(&own));
        let mut pair = [0; 2];
        for status in &mut pair {
            let answer = dpop_get("/small", &own, &proof).await;
            if answer.status == 503 {
                // Until the oldest proof expires: max_age (300 s) + leeway (5 s), about.
                let retry: u64 = answer
                    .header("retry-after")
                    .and_then(|r| r.parse().ok())
                    .expect("Retry-After");
                assert!((300..=305).contains(&retry), "{answer:?}");
                assert_eq!(answer.challenge, None, "{answer:?}");
            }
            *status = answer.status;
        }
        statuses.push(pair);
    }
    let mut expected = vec![[200, 401]; 15];
    expected.extend([[503, 503]; 5]);
    assert_eq!(statuses, expected);
    // The used proof is still remembered: refused as a replay.
    dpop_get("/small", &token, &used).await.assert_bad_proof();
    let rendered = metrics.render();
    assert!(
        rendered
            .contains(r#"jwt_guard_dpop_replay_store_full_total{strategy="dpop-small-store"} 10"#),
        "{rendered}"
    );
    assert!(
        rendered.contains(r#"reason="replay_store_full""#),
        "{rendered}"
    );
}

// ── server nonces ───────────────────────────────────────────────────────────────────

#[tokio::test]
async fn nonces_are_handed_out_then_required() {
    let key = key(Algorithm::ES256);
    let token = bound_token(&key);
    let proof = key.proof("GET", &url("/nonce"), Some(&token));
    let first = dpop_get("/nonce", &token, &proof).await;
    first.assert_refused(&format!(
        r#"Bearer, DPoP error="use_dpop_nonce", algs="{ALGS}""#
    ));
    let nonce = first.header("dpop-nonce").expect("DPoP-Nonce on the 401");
    let proof = key.proof_with_nonce("GET", &url("/nonce"), Some(&token), &nonce);
    let answer = dpop_get("/nonce", &token, &proof).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let forged = key.proof_with_nonce(
        "GET",
        &url("/nonce"),
        Some(&token),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    );
    let answer = dpop_get("/nonce", &token, &forged).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("dpop-nonce"), Some(nonce));
}
