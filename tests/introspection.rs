//! Opaque tokens (RFC 7662) against a real authorization server we did not write: npm's
//! `oidc-provider` (panva), installed by `tests/oidc-provider/setup.sh` (run by `.ci/run`
//! and here through `jwt_guard_tests::install`), one server per test on 127.0.0.1. Tokens
//! come from its token endpoint (client credentials), are revoked at its revocation
//! endpoint, and are introspected by `IntrospectionStrategy` with each client
//! authentication; the server logs one line per introspection, which the tests count.
//! Answers the server would never give (garbage, a slow endpoint, a `cnf`) come from a
//! small axum endpoint of our own, over real HTTP too.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use axum::Router;
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jwt_guard::{
    Algorithm, IntrospectionCacheConfig, IntrospectionStrategy, JwtStrategy, Principal, Registry,
    authenticate,
};
use jwt_guard_tests::client::{bearer, get as get_with};
use jwt_guard_tests::server::serve;
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt as _;

/// The authorization server: a node process, killed when dropped.
struct AuthServer {
    issuer: String,
    /// Introspection requests it logged.
    introspections: Arc<AtomicUsize>,
    child: tokio::process::Child,
}

const APP: (&str, &str) = ("app", "app-secret-0123456789");
const RS_BASIC: (&str, &str) = ("rs-basic", "rs-basic-secret-0123456789");
const RS_POST: (&str, &str) = ("rs-post", "rs-post-secret-0123456789");

impl AuthServer {
    /// Starts `server.mjs` on a free port; `rs_jwk` is the public key of the `rs-jwt`
    /// client.
    async fn start(rs_jwk: Option<&Value>) -> Self {
        let dir = jwt_guard_tests::install("oidc-provider");
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            probe.local_addr().expect("addr").port()
        };
        let mut command = tokio::process::Command::new("node");
        command
            .arg(dir.join("server.mjs"))
            .arg(port.to_string())
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(jwk) = rs_jwk {
            command.env("PKJWT_JWK", jwk.to_string());
        }
        let mut child = command.spawn().expect("node runs server.mjs");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("read") {
                if let Some(issuer) = line.strip_prefix("listening ") {
                    return issuer.to_owned();
                }
            }
            panic!("oidc-provider exited before listening");
        })
        .await
        .expect("oidc-provider listens within 30 s");
        let introspections = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&introspections);
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("introspect ") {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Self {
            issuer,
            introspections,
            child,
        }
    }

    fn endpoint(&self) -> String {
        format!("{}/token/introspection", self.issuer)
    }

    /// An access token for `app` by client credentials: opaque, or a JWT for `resource`.
    async fn token(&self, scope: &str, resource: Option<&str>) -> String {
        let mut body = format!("grant_type=client_credentials&scope={}", enc(scope));
        if let Some(resource) = resource {
            body.push_str(&format!("&resource={}", enc(resource)));
        }
        let answer: Value = form_post(&format!("{}/token", self.issuer), APP, body)
            .await
            .json()
            .await
            .expect("token response");
        answer["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token: {answer}"))
            .to_owned()
    }

    /// An opaque access token for `app` bound to `key` (DPoP, RFC 9449).
    async fn dpop_token(&self, key: &jwt_guard::testkit::DpopKey) -> String {
        let url = format!("{}/token", self.issuer);
        let answer: Value = reqwest::Client::new()
            .post(&url)
            .basic_auth(APP.0, Some(APP.1))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("dpop", key.proof("POST", &url, None))
            .body("grant_type=client_credentials&scope=api%3Aread")
            .send()
            .await
            .expect("authorization server answers")
            .json()
            .await
            .expect("token response");
        assert_eq!(answer["token_type"], "DPoP", "{answer}");
        answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    async fn revoke(&self, token: &str) {
        let response = form_post(
            &format!("{}/token/revocation", self.issuer),
            APP,
            format!("token={}", enc(token)),
        )
        .await;
        assert_eq!(response.status(), 200, "revocation");
    }

    /// The introspections counted once the server's log has caught up.
    async fn introspections(&self) -> usize {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.introspections.load(Ordering::SeqCst)
    }

    async fn stop(&mut self) {
        self.child.kill().await.expect("kill");
    }
}

async fn form_post(url: &str, (id, secret): (&str, &str), body: String) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("authorization server answers")
}

/// Form encoding of the few characters our values hold.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn basic(server: &AuthServer) -> jwt_guard::IntrospectionStrategyBuilder {
    IntrospectionStrategy::builder()
        .issuer(&server.issuer)
        .endpoint(server.endpoint())
        .client_secret_basic(RS_BASIC.0, RS_BASIC.1)
}

// ── the attribute, on an axum app ────────────────────────────────────────────────────

#[authenticate("op-basic", scopes = ["api:read"])]
async fn read(principal: Principal) -> String {
    format!(
        "{} {}",
        principal
            .claim("client_id")
            .and_then(Value::as_str)
            .unwrap_or("-"),
        principal.scopes().join(",")
    )
}

#[authenticate("op-basic", scopes = ["api:admin"])]
async fn admin() -> &'static str {
    "admin"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opaque_token_from_the_server_is_accepted_and_its_scopes_apply() {
    let server = AuthServer::start(None).await;
    jwt_guard::register("op-basic", basic(&server).build().expect("build")).expect("register");
    let app = Router::new()
        .route("/read", get(read))
        .route("/admin", get(admin));
    let base = format!("http://{}", serve(app).await);
    let token = server.token("api:read", None).await;
    assert!(
        !token.contains('.'),
        "oidc-provider issues opaque tokens: {token}"
    );

    bearer(&base, "/read", &token)
        .await
        .assert_ok("app api:read");
    bearer(&base, "/read", &token)
        .await
        .assert_ok("app api:read");
    assert_eq!(
        server.introspections().await,
        1,
        "the second request is a cache hit"
    );
    let refused = bearer(&base, "/admin", &token).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    let unknown = bearer(&base, "/read", "not-a-token-the-server-issued").await;
    // The route needs `api:read`: its 401s name it (the MCP profile), as for JWTs.
    unknown.assert_401(
        "Invalid token: token is not active",
        "Bearer error=\"invalid_token\", scope=\"api:read\"",
    );
    assert_eq!(server.introspections().await, 2);
    let missing = get_with(&base, "/read", &[]).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.challenge.as_deref(),
        Some("Bearer scope=\"api:read\"")
    );
}

#[tokio::test]
async fn a_revoked_token_is_refused_once_its_cache_entry_ends() {
    let server = AuthServer::start(None).await;
    let strategy = basic(&server).build().expect("build");
    let token = server.token("api:read", None).await;
    strategy.introspect_token(&token).await.expect("active");
    server.revoke(&token).await;
    // Within max_ttl (60 s) the cached answer stands: the documented revocation latency.
    strategy
        .introspect_token(&token)
        .await
        .expect("still cached");
    assert_eq!(server.introspections().await, 1);
    jwt_guard::testkit::advance_introspection_clock(&strategy, Duration::from_secs(61));
    let err = strategy
        .introspect_token(&token)
        .await
        .expect_err("revoked");
    assert_eq!(err.reason(), "inactive");
    assert_eq!(err.status(), 401);
    // The refusal is cached briefly (negative_ttl), then asked again.
    strategy
        .introspect_token(&token)
        .await
        .expect_err("revoked");
    assert_eq!(server.introspections().await, 2);
    jwt_guard::testkit::advance_introspection_clock(&strategy, Duration::from_secs(6));
    strategy
        .introspect_token(&token)
        .await
        .expect_err("revoked");
    assert_eq!(server.introspections().await, 3);
}

#[authenticate("op-down")]
async fn down() -> &'static str {
    "reached"
}

#[tokio::test]
async fn the_server_stopped_is_a_503_with_retry_after_never_an_accept() {
    let mut server = AuthServer::start(None).await;
    jwt_guard::register(
        "op-down",
        basic(&server)
            .timeout(Duration::from_secs(2))
            .build()
            .expect("build"),
    )
    .expect("register");
    let base = format!(
        "http://{}",
        serve(Router::new().route("/down", get(down))).await
    );
    let token = server.token("api:read", None).await;
    server.stop().await;
    let answer = bearer(&base, "/down", &token).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.header("retry-after").as_deref(), Some("5"));
    assert_eq!(answer.message(), "token introspection is unavailable");
    assert!(!answer.body.contains(&token));
}

#[tokio::test]
async fn client_authentication_post_and_private_key_jwt_and_discovery() {
    // The resource server's key for private_key_jwt: P-256, PKCS#8.
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).expect("pair");
    let point = pair.public_key().as_ref();
    let jwk = json!({
        "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "rs-1",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    });
    let pem = pem("PRIVATE KEY", pkcs8.as_ref());
    let server = AuthServer::start(Some(&jwk)).await;
    let token = server.token("api:read api:write", None).await;

    let post = IntrospectionStrategy::builder()
        .issuer(&server.issuer)
        .discover()
        .client_secret_post(RS_POST.0, RS_POST.1)
        .build()
        .expect("build");
    let principal = post.introspect_token(&token).await.expect("post");
    assert_eq!(principal.scopes(), ["api:read", "api:write"]);

    let jwt = IntrospectionStrategy::builder()
        .issuer(&server.issuer)
        .endpoint(server.endpoint())
        .private_key_jwt("rs-jwt", pem.as_bytes(), Algorithm::ES256, Some("rs-1"))
        .build()
        .expect("build");
    let principal = jwt.introspect_token(&token).await.expect("private_key_jwt");
    assert_eq!(principal.claim("client_id"), Some(&json!("app")));

    // A wrong secret: the server refuses the call (401), which is no answer: 503.
    let wrong = IntrospectionStrategy::builder()
        .issuer(&server.issuer)
        .endpoint(server.endpoint())
        .client_secret_basic(RS_BASIC.0, "wrong")
        .build()
        .expect("build");
    let err = wrong
        .introspect_token(&token)
        .await
        .expect_err("unauthenticated");
    assert_eq!(err.status(), 503);
    assert_eq!(err.retry_after(), Some(5));

    // JWT answers (RFC 9701), verified with the server's keys found by discovery.
    let signed = basic(&server).jwt_response(true).build().expect("build");
    let principal = signed.introspect_token(&token).await.expect("JWT answer");
    assert_eq!(principal.claim("iss"), Some(&json!(server.issuer)));
    assert_eq!(server.introspections().await, 4);
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_with_one_token_make_one_call() {
    let server = AuthServer::start(None).await;
    let strategy = basic(&server).build().expect("build");
    let token = server.token("api:read", None).await;
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let strategy = strategy.clone();
            let token = token.clone();
            tokio::spawn(async move { strategy.introspect_token(&token).await.is_ok() })
        })
        .collect();
    for call in calls {
        assert!(call.await.expect("task"));
    }
    assert_eq!(server.introspections().await, 1);
    assert_eq!(strategy.cached_results(), 1);
}

#[tokio::test]
async fn a_dpop_bound_token_is_refused_by_the_one_confirmation_rule() {
    let server = AuthServer::start(None).await;
    let key = jwt_guard::testkit::DpopKey::generate(Algorithm::ES256).expect("key");
    let token = server.dpop_token(&key).await;
    // The server's answer carries cnf.jkt: a binding this strategy does not verify.
    let strict = basic(&server).build().expect("build");
    let err = strict.introspect_token(&token).await.expect_err("bound");
    assert_eq!(
        (err.status().as_u16(), err.reason()),
        (401, "unsupported_confirmation")
    );
    let lax = basic(&server)
        .dangerous_accept_unverified_cnf()
        .build()
        .expect("build");
    lax.introspect_token(&token)
        .await
        .expect("accepted knowingly");
}

// ── answers the server would not give: our own endpoint ─────────────────────────────

/// An endpoint answering what the test sets, after a delay, counting calls.
#[derive(Clone)]
struct Fake {
    answer: Arc<Mutex<(u16, String, Duration)>>,
    calls: Arc<AtomicUsize>,
}

impl Fake {
    async fn start() -> (Self, String) {
        let fake = Fake {
            answer: Arc::new(Mutex::new((200, String::new(), Duration::ZERO))),
            calls: Arc::new(AtomicUsize::new(0)),
        };
        let state = fake.clone();
        let app = Router::new().route(
            "/introspect",
            post(move || {
                let state = state.clone();
                async move {
                    state.calls.fetch_add(1, Ordering::SeqCst);
                    let (status, body, delay) = state.answer.lock().expect("lock").clone();
                    tokio::time::sleep(delay).await;
                    (
                        http::StatusCode::from_u16(status).expect("status"),
                        [("content-type", "application/json")],
                        body,
                    )
                }
            }),
        );
        let addr: SocketAddr = serve(app).await;
        (fake, format!("http://{addr}"))
    }

    fn set(&self, status: u16, body: &str, delay: Duration) {
        *self.answer.lock().expect("lock") = (status, body.to_owned(), delay);
    }
}

fn against(base: &str) -> IntrospectionStrategy {
    let mut cache = IntrospectionCacheConfig::default();
    cache.negative_ttl = Duration::ZERO;
    IntrospectionStrategy::builder()
        .issuer("https://as.example")
        .endpoint(format!("{base}/introspect"))
        .client_secret_basic("rs", "secret")
        .timeout(Duration::from_millis(500))
        .cache(cache)
        .build()
        .expect("build")
}

#[tokio::test]
async fn garbage_answers_are_503_and_refused_answers_401() {
    let (fake, base) = Fake::start().await;
    let strategy = against(&base);
    let cases = [
        (500, r#"{"active":true}"#, "a 500"),
        (200, "<html>hi</html>", "not JSON"),
        (200, r#"{"scope":"a"}"#, "no active"),
        (200, r#"{"active":"true"}"#, "active not a boolean"),
        (
            200,
            r#"{"active":true,"active":false}"#,
            "a repeated member",
        ),
        (200, "[true]", "not an object"),
    ];
    for (i, (status, body, why)) in cases.into_iter().enumerate() {
        fake.set(status, body, Duration::ZERO);
        let err = strategy
            .introspect_token(&format!("garbage-{i}"))
            .await
            .expect_err(why);
        assert_eq!(err.status(), 503, "{why}: {err}");
        assert_eq!(err.reason(), "introspection_unavailable", "{why}");
    }
    fake.set(200, r#"{"active":true}"#, Duration::from_secs(2));
    let err = strategy.introspect_token("slow").await.expect_err("slow");
    assert_eq!(err.status(), 503, "a timeout: {err}");
    assert!(err.to_string().contains("no answer within 500 ms"), "{err}");

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let refused = [
        (json!({"active": true, "exp": now - 10}), "expired"),
        (json!({"active": true, "nbf": now + 600}), "not_yet_valid"),
        (
            json!({"active": true, "iss": "https://other.example"}),
            "invalid_issuer",
        ),
        (json!({"active": true, "exp": "soon"}), "invalid_claim"),
        (
            json!({"active": true, "cnf": {"x5t#S256": "abc"}}),
            "unsupported_confirmation",
        ),
        (
            json!({"active": true, "cnf": {"jkt": "abc"}}),
            "unsupported_confirmation",
        ),
        (json!({"active": false, "scope": "admin"}), "inactive"),
    ];
    for (i, (answer, reason)) in refused.into_iter().enumerate() {
        fake.set(200, &answer.to_string(), Duration::ZERO);
        let err = strategy
            .introspect_token(&format!("refused-{i}"))
            .await
            .expect_err(reason);
        assert_eq!(
            (err.status().as_u16(), err.reason()),
            (401, reason),
            "{answer}"
        );
    }
    fake.set(
        200,
        &json!({"active": true, "iss": "https://as.example", "sub": "u1", "exp": now + 600, "roles": ["admin"]}).to_string(),
        Duration::ZERO,
    );
    let principal = strategy.introspect_token("good").await.expect("active");
    assert_eq!(principal.subject(), Some("u1"));
    assert!(principal.has_role("admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_waiter_stops_neither_the_call_nor_the_others() {
    let (fake, base) = Fake::start().await;
    let strategy = against(&base);
    fake.set(
        200,
        r#"{"active":true,"sub":"u2"}"#,
        Duration::from_millis(300),
    );
    let first = {
        let strategy = strategy.clone();
        tokio::spawn(async move { strategy.introspect_token("shared").await.is_ok() })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = {
        let strategy = strategy.clone();
        tokio::spawn(async move { strategy.introspect_token("shared").await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    first.abort();
    let principal = second
        .await
        .expect("task")
        .expect("the second waiter gets the answer");
    assert_eq!(principal.subject(), Some("u2"));
    assert_eq!(fake.calls.load(Ordering::SeqCst), 1, "one call for both");
    // And the answer was cached although its first waiter went away.
    strategy.introspect_token("shared").await.expect("cached");
    assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
}

// ── chains: a JWS to the JWT strategy, anything else to introspection ────────────────

#[authenticate("chain-jwt", "chain-opaque")]
async fn either(principal: Principal) -> String {
    principal.strategy().to_owned()
}

#[authenticate("chain-jwt")]
async fn jwt_only() -> &'static str {
    "jwt"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_sends_jws_to_the_jwt_strategy_and_other_tokens_to_introspection() {
    let server = AuthServer::start(None).await;
    let jwt = JwtStrategy::builder()
        .issuer(&server.issuer)
        .discover()
        .build()
        .expect("jwt");
    jwt_guard::register("chain-jwt", jwt).expect("register");
    jwt_guard::register("chain-opaque", basic(&server).build().expect("build")).expect("register");
    let app = Router::new()
        .route("/either", get(either))
        .route("/jwt", get(jwt_only));
    let base = format!("http://{}", serve(app).await);

    let opaque = server.token("api:read", None).await;
    let signed = server.token("api:read", Some("urn:jwt-guard:api")).await;
    assert_eq!(signed.split('.').count(), 3, "a JWT access token: {signed}");
    bearer(&base, "/either", &opaque)
        .await
        .assert_ok("chain-opaque");
    bearer(&base, "/either", &signed)
        .await
        .assert_ok("chain-jwt");
    assert_eq!(
        server.introspections().await,
        1,
        "the JWT was not introspected"
    );
    // A JWS-shaped token the JWT strategy refuses is its refusal, not introspection's.
    bearer(&base, "/either", "aaa.bbb.ccc")
        .await
        .assert_invalid_token("jwt malformed");
    // Alone, the JWT strategy still refuses what is not a JWT.
    bearer(&base, "/jwt", &opaque)
        .await
        .assert_invalid_token("jwt malformed");
    assert_eq!(server.introspections().await, 1);

    // The registry's own chain, without the attribute: the same rule.
    let registry = Registry::new();
    registry
        .register("opaque", basic(&server).build().expect("build"))
        .expect("register");
    registry
        .register(
            "jwt",
            JwtStrategy::builder()
                .issuer(&server.issuer)
                .discover()
                .build()
                .expect("jwt"),
        )
        .expect("register");
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {opaque}").parse().expect("header"),
    );
    let principal = registry
        .authenticate(&["jwt", "opaque"], &headers)
        .await
        .expect("opaque through the chain");
    assert_eq!(principal.strategy(), "opaque");
}
