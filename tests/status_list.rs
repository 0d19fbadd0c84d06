//! Token Status Lists (draft-ietf-oauth-status-list) end to end: lists built by an
//! implementation we did not write (npm's `@sd-jwt/jwt-status-list`, run by
//! `tests/status-list/lists.mjs`), signed as Status List Tokens with the test issuer's key,
//! served by a real HTTP server on 127.0.0.1 that counts its fetches; tokens sent with
//! reqwest to a real axum app under `#[authenticate]`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jwt_guard::status_list::StatusListConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, TokenCacheConfig, authenticate};
use jwt_guard_tests::client::{Answer, bearer};
use jwt_guard_tests::runtime;
use serde_json::{Value, json};

/// What the list server answers for one list.
#[derive(Clone)]
struct Served {
    status: u16,
    body: String,
    delay: Duration,
    /// A `Cache-Control` header to send.
    cache_control: Option<&'static str>,
}

#[derive(Clone, Default)]
struct Lists {
    served: Arc<Mutex<HashMap<String, Served>>>,
    fetches: Arc<Mutex<HashMap<String, usize>>>,
}

impl Lists {
    fn set(&self, name: &str, served: Served) {
        self.served
            .lock()
            .expect("lock")
            .insert(name.to_owned(), served);
    }

    fn fetches(&self, name: &str) -> usize {
        self.fetches
            .lock()
            .expect("lock")
            .get(name)
            .copied()
            .unwrap_or(0)
    }
}

async fn list(State(lists): State<Lists>, Path(name): Path<String>) -> Response {
    *lists
        .fetches
        .lock()
        .expect("test data")
        .entry(name.clone())
        .or_default() += 1;
    let served = lists.served.lock().expect("lock").get(&name).cloned();
    let Some(served) = served else {
        return http::StatusCode::NOT_FOUND.into_response();
    };
    tokio::time::sleep(served.delay).await;
    let status = http::StatusCode::from_u16(served.status).expect("test data");
    let mut response = (
        status,
        [("content-type", "application/statuslist+jwt")],
        served.body,
    )
        .into_response();
    if let Some(value) = served.cache_control {
        response
            .headers_mut()
            .insert("cache-control", http::HeaderValue::from_static(value));
    }
    response
}

macro_rules! handlers {
    ($($name:ident => $strategy:literal),* $(,)?) => {
        $(
            #[authenticate($strategy)]
            async fn $name() -> &'static str {
                "ok"
            }
        )*
        fn routes() -> Router {
            Router::new()$(.route(concat!("/", $strategy), get($name)))*
        }
    };
}

handlers! {
    check => "sl-check",
    required => "sl-required",
    small => "sl-small",
    open => "sl-open",
    same_origin => "sl-same-origin",
    ttl => "sl-ttl",
    headers => "sl-headers",
    cached => "sl-cached",
}

struct Env {
    issuer: Issuer,
    app: String,
    lists: Lists,
    /// The list server's origin.
    origin: String,
    strategies: HashMap<&'static str, JwtStrategy>,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let lists = Lists::default();
    let list_addr = jwt_guard_tests::server::serve(
        Router::new()
            .route("/lists/{name}", get(list))
            .with_state(lists.clone()),
    )
    .await;
    let origin = format!("http://{list_addr}");
    let build = |config: StatusListConfig, cache: bool| {
        let mut builder = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .status_list(config);
        if cache {
            builder = builder.token_cache(TokenCacheConfig::default());
        }
        builder.build().expect("strategy")
    };
    let allowed = || StatusListConfig::check().allow_origin(&origin);
    let mut small = allowed();
    small.max_list_bytes = 1024;
    let mut strategies = HashMap::new();
    strategies.insert("sl-check", build(allowed(), false));
    strategies.insert(
        "sl-required",
        build(StatusListConfig::required().allow_origin(&origin), false),
    );
    strategies.insert("sl-small", build(small, false));
    strategies.insert(
        "sl-open",
        build(allowed().dangerous_accept_unavailable(), false),
    );
    strategies.insert("sl-same-origin", build(StatusListConfig::check(), false));
    strategies.insert("sl-ttl", build(allowed(), false));
    strategies.insert("sl-headers", build(allowed(), false));
    strategies.insert("sl-cached", build(allowed(), true));
    for (name, strategy) in &strategies {
        jwt_guard::register(name, strategy.clone()).expect("register");
    }
    let app = jwt_guard_tests::server::serve(routes()).await;
    Env {
        issuer,
        app: format!("http://{app}"),
        lists,
        origin,
        strategies,
    }
}

/// `lists.mjs` with its npm package, installed by `tests/status-list/setup.sh` on first
/// use (under `target/`). Never skips: without node or the npm registry the suite fails,
/// saying how to install them.
fn script() -> PathBuf {
    let dir = jwt_guard_tests::install("status-list");
    assert!(
        dir.join("node_modules/@sd-jwt/jwt-status-list").is_dir(),
        "@sd-jwt/jwt-status-list is not installed in {}: run tests/status-list/setup.sh",
        dir.display()
    );
    dir.join("lists.mjs")
}

/// One list to build: `bits`, `size` statuses, the non-zero ones, and claims or header
/// members to add or change.
struct Spec {
    name: &'static str,
    bits: u8,
    size: usize,
    statuses: Value,
    claims: Value,
    header: Value,
}

fn spec(name: &'static str, bits: u8, size: usize, statuses: Value) -> Spec {
    Spec {
        name,
        bits,
        size,
        statuses,
        claims: json!({}),
        header: json!({}),
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("test data")
        .as_secs()
}

/// The URI of list `name`.
fn uri(name: &str) -> String {
    format!("{}/lists/{name}", ENV.origin)
}

/// Builds the lists with npm's implementation (one node run), signs each Status List
/// Token with the issuer's key, and serves them.
fn publish(specs: Vec<Spec>) {
    let input: Vec<Value> = specs
        .iter()
        .map(|s| {
            let mut claims = json!({ "sub": uri(s.name), "iat": now(), "ttl": 300 });
            // `null` removes a claim.
            for (k, v) in s.claims.as_object().expect("test data") {
                match v {
                    Value::Null => {
                        claims.as_object_mut().expect("object").remove(k);
                    }
                    v => claims[k] = v.clone(),
                }
            }
            json!({ "bits": s.bits, "size": s.size, "statuses": s.statuses, "claims": claims })
        })
        .collect();
    let output = std::process::Command::new("node")
        .arg(script())
        .arg(Value::Array(input).to_string())
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "lists.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let built: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON from lists.mjs");
    for (spec, built) in specs.iter().zip(built) {
        // npm's own decoder reads back what it encoded.
        for pair in built["check"].as_array().expect("test data") {
            assert_eq!(pair[1], spec.statuses[pair[0].to_string()], "{}", spec.name);
        }
        let mut header = built["header"].clone();
        header["kid"] = json!(ENV.issuer.kid());
        for (k, v) in spec.header.as_object().expect("test data") {
            header[k] = v.clone();
        }
        let body = ENV.issuer.sign(&header, &built["payload"]);
        ENV.lists.set(
            spec.name,
            Served {
                status: 200,
                body,
                delay: Duration::ZERO,
                cache_control: None,
            },
        );
    }
}

/// A token referencing index `idx` of list `name`.
fn token(name: &str, idx: u64) -> String {
    ENV.issuer.token(json!({
        "sub": "ada",
        "status": { "status_list": { "idx": idx, "uri": uri(name) } },
    }))
}

async fn call(strategy: &str, token: &str) -> Answer {
    bearer(&ENV.app, &format!("/{strategy}"), token).await
}

async fn fetches_reach(name: &str, count: usize) {
    for _ in 0..200 {
        if ENV.lists.fetches(name) >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "list {name}: {} fetches, expected {count}",
        ENV.lists.fetches(name)
    );
}

#[tokio::test]
async fn valid_revoked_suspended_and_other_statuses() {
    publish(vec![
        spec("one-bit", 1, 64, json!({ "5": 1 })),
        spec("two-bits", 2, 64, json!({ "1": 2, "2": 3, "3": 1 })),
    ]);
    call("sl-check", &token("one-bit", 3)).await.assert_ok("ok");
    call("sl-check", &token("one-bit", 5))
        .await
        .assert_invalid_token("token revoked");
    call("sl-check", &token("two-bits", 0))
        .await
        .assert_ok("ok");
    call("sl-check", &token("two-bits", 1))
        .await
        .assert_invalid_token("token suspended");
    call("sl-check", &token("two-bits", 2))
        .await
        .assert_invalid_token("token status not accepted");
    call("sl-check", &token("two-bits", 3))
        .await
        .assert_invalid_token("token revoked");
    // One fetch per list, however many tokens read it.
    assert_eq!(
        (ENV.lists.fetches("one-bit"), ENV.lists.fetches("two-bits")),
        (1, 1)
    );
    // A token without a status passes in mode check.
    call("sl-check", &ENV.issuer.token(json!({ "sub": "ada" })))
        .await
        .assert_ok("ok");
}

#[tokio::test]
async fn every_width_of_status() {
    publish(vec![
        spec("w1", 1, 16, json!({ "9": 1 })),
        spec("w2", 2, 16, json!({ "9": 2 })),
        spec("w4", 4, 16, json!({ "9": 1, "10": 2 })),
        spec("w8", 8, 300, json!({ "9": 2, "299": 1 })),
    ]);
    for name in ["w1", "w2", "w4", "w8"] {
        call("sl-check", &token(name, 8)).await.assert_ok("ok");
        call("sl-check", &token(name, 10 + u64::from(name == "w4")))
            .await
            .assert_ok("ok");
    }
    call("sl-check", &token("w1", 9))
        .await
        .assert_invalid_token("token revoked");
    call("sl-check", &token("w2", 9))
        .await
        .assert_invalid_token("token suspended");
    call("sl-check", &token("w4", 9))
        .await
        .assert_invalid_token("token revoked");
    call("sl-check", &token("w4", 10))
        .await
        .assert_invalid_token("token suspended");
    call("sl-check", &token("w8", 9))
        .await
        .assert_invalid_token("token suspended");
    call("sl-check", &token("w8", 299))
        .await
        .assert_invalid_token("token revoked");
}

#[tokio::test]
async fn an_index_past_the_list_is_refused() {
    // 64 one-bit statuses: 8 bytes.
    publish(vec![spec("short", 1, 64, json!({}))]);
    call("sl-check", &token("short", 63)).await.assert_ok("ok");
    for idx in [64, 1 << 40] {
        call("sl-check", &token("short", idx))
            .await
            .assert_invalid_token("invalid status value");
    }
}

/// A list that does not verify is not used: the token's status is unknown, 503.
async fn assert_unavailable(answer: &Answer) {
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.message(), "the token status list is unavailable");
    assert!(answer.header("retry-after").is_some());
    assert_eq!(answer.challenge, None);
}

#[tokio::test]
async fn lists_that_fail_their_checks_are_not_used() {
    let mut wrong_sub = spec("wrong-sub", 1, 16, json!({}));
    wrong_sub.claims = json!({ "sub": uri("another-list") });
    let mut wrong_typ = spec("wrong-typ", 1, 16, json!({}));
    wrong_typ.header = json!({ "typ": "JWT" });
    let mut expired = spec("expired", 1, 16, json!({}));
    expired.claims = json!({ "exp": now() - 10 });
    let mut foreign_iss = spec("foreign-iss", 1, 16, json!({}));
    foreign_iss.claims = json!({ "iss": "https://another.example" });
    publish(vec![wrong_sub, wrong_typ, expired, foreign_iss]);
    for name in ["wrong-sub", "wrong-typ", "expired", "foreign-iss"] {
        assert_unavailable(&call("sl-check", &token(name, 0)).await).await;
        assert_eq!(ENV.lists.fetches(name), 1, "{name}");
        // Within the backoff, no second fetch.
        assert_unavailable(&call("sl-check", &token(name, 1)).await).await;
        assert_eq!(ENV.lists.fetches(name), 1, "{name}");
    }
    // A list signed by a key the issuer does not publish.
    let kid = ENV
        .issuer
        .add_unpublished_key(jwt_guard::Algorithm::RS256)
        .expect("test data");
    publish(vec![spec("unsigned", 1, 16, json!({}))]);
    let served = ENV
        .lists
        .served
        .lock()
        .expect("test data")
        .get("unsigned")
        .cloned()
        .expect("test data");
    let (header, payload) = {
        let mut parts = served.body.split('.');
        (
            parts.next().expect("test data").to_owned(),
            parts.next().expect("test data").to_owned(),
        )
    };
    use base64::Engine as _;
    let decode = |s: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .expect("test data"),
        )
        .expect("test data")
    };
    let mut header = decode(&header);
    header["kid"] = json!(kid);
    let body = ENV.issuer.sign_with(&kid, &header, &decode(&payload));
    ENV.lists.set("unsigned", Served { body, ..served });
    assert_unavailable(&call("sl-check", &token("unsigned", 0)).await).await;
}

#[tokio::test]
async fn an_oversized_list_is_refused() {
    // sl-small holds lists of at most 1 KiB decompressed.
    publish(vec![
        spec("big", 8, 2048, json!({})),
        spec("fits", 8, 1024, json!({ "1": 1 })),
    ]);
    assert_unavailable(&call("sl-small", &token("big", 0)).await).await;
    call("sl-small", &token("fits", 0)).await.assert_ok("ok");
    call("sl-small", &token("fits", 1))
        .await
        .assert_invalid_token("token revoked");
    // The same big list is fine under the default cap (1 MiB).
    call("sl-check", &token("big", 0)).await.assert_ok("ok");
}

#[tokio::test]
async fn a_list_server_that_fails_is_a_503_unless_dangerously_accepted() {
    ENV.lists.set(
        "down",
        Served {
            status: 500,
            body: String::new(),
            delay: Duration::ZERO,
            cache_control: None,
        },
    );
    let answer = call("sl-check", &token("down", 0)).await;
    assert_unavailable(&answer).await;
    assert_eq!(answer.header("retry-after").as_deref(), Some("5"));
    // Fail open, only when asked for.
    call("sl-open", &token("down", 0)).await.assert_ok("ok");
    // A list nobody serves (404) is the same.
    assert_unavailable(&call("sl-check", &token("nowhere", 0)).await).await;
}

#[tokio::test]
async fn a_token_cannot_point_the_check_anywhere() {
    publish(vec![spec("elsewhere", 1, 16, json!({}))]);
    // sl-same-origin allows only the issuer's origin: the list server is another port.
    call("sl-same-origin", &token("elsewhere", 0))
        .await
        .assert_invalid_token("invalid status value");
    let foreign = ENV.issuer.token(json!({
        "sub": "ada",
        "status": { "status_list": { "idx": 0, "uri": "http://10.0.0.1/lists/x" } },
    }));
    call("sl-check", &foreign)
        .await
        .assert_invalid_token("invalid status value");
    assert_eq!(ENV.lists.fetches("elsewhere"), 0, "never fetched");
    let malformed = ENV.issuer.token(json!({
        "sub": "ada", "status": { "status_list": { "idx": "0", "uri": uri("elsewhere") } },
    }));
    call("sl-check", &malformed)
        .await
        .assert_invalid_token("invalid status value");
}

#[tokio::test]
async fn required_mode_refuses_a_token_without_status() {
    publish(vec![spec("req", 1, 16, json!({}))]);
    call("sl-required", &ENV.issuer.token(json!({ "sub": "ada" })))
        .await
        .assert_invalid_token("jwt status is required");
    call("sl-required", &token("req", 0)).await.assert_ok("ok");
}

#[tokio::test]
async fn concurrent_requests_make_one_fetch() {
    publish(vec![spec("burst", 1, 16, json!({}))]);
    let mut served = ENV
        .lists
        .served
        .lock()
        .expect("test data")
        .get("burst")
        .cloned()
        .expect("test data");
    served.delay = Duration::from_millis(300);
    ENV.lists.set("burst", served);
    let token = token("burst", 0);
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let token = token.clone();
            tokio::spawn(async move { call("sl-check", &token).await })
        })
        .collect();
    // One more request, cancelled while it waits: the others are not wedged.
    let cancelled = tokio::spawn({
        let token = token.clone();
        async move { call("sl-check", &token).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    cancelled.abort();
    for call in calls {
        call.await.expect("test data").assert_ok("ok");
    }
    assert_eq!(ENV.lists.fetches("burst"), 1);
}

#[tokio::test]
async fn one_fetch_per_ttl() {
    let mut list = spec("ttl", 1, 16, json!({}));
    list.claims = json!({ "ttl": 60 });
    publish(vec![list]);
    let token = token("ttl", 0);
    for _ in 0..5 {
        call("sl-ttl", &token).await.assert_ok("ok");
    }
    assert_eq!(ENV.lists.fetches("ttl"), 1);
    let strategy = &ENV.strategies["sl-ttl"];
    jwt_guard::testkit::advance_clock(strategy, Duration::from_secs(30));
    call("sl-ttl", &token).await.assert_ok("ok");
    assert_eq!(ENV.lists.fetches("ttl"), 1, "still fresh");
    jwt_guard::testkit::advance_clock(strategy, Duration::from_secs(31));
    // Past the ttl: answered from the held list, refreshed in the background, once.
    for _ in 0..5 {
        call("sl-ttl", &token).await.assert_ok("ok");
    }
    fetches_reach("ttl", 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    call("sl-ttl", &token).await.assert_ok("ok");
    assert_eq!(ENV.lists.fetches("ttl"), 2);
}

#[tokio::test]
async fn a_cached_token_sees_its_revocation_once_the_list_is_refreshed() {
    let mut list = spec("cached", 1, 16, json!({}));
    list.claims = json!({ "ttl": 30 });
    publish(vec![list]);
    let strategy = &ENV.strategies["sl-cached"];
    let token = token("cached", 7);
    call("sl-cached", &token).await.assert_ok("ok");
    call("sl-cached", &token).await.assert_ok("ok");
    assert_eq!(strategy.cached_tokens(), 1);
    // The issuer revokes index 7; the held list is fresh for 30 s more.
    let mut revoked = spec("cached", 1, 16, json!({ "7": 1 }));
    revoked.claims = json!({ "ttl": 30 });
    publish(vec![revoked]);
    call("sl-cached", &token).await.assert_ok("ok");
    assert_eq!(ENV.lists.fetches("cached"), 1);
    jwt_guard::testkit::advance_clock(strategy, Duration::from_secs(31));
    // The first hit past the ttl starts the refresh; once it is in, hits are refused.
    let _ = call("sl-cached", &token).await;
    fetches_reach("cached", 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    call("sl-cached", &token)
        .await
        .assert_invalid_token("token revoked");
    assert_eq!(strategy.cached_tokens(), 1, "refused on the cache-hit path");
    // Un-suspending works the same way: the list is read on every hit.
    publish(vec![{
        let mut s = spec("cached", 1, 16, json!({}));
        s.claims = json!({ "ttl": 30 });
        s
    }]);
    jwt_guard::testkit::advance_clock(strategy, Duration::from_secs(31));
    let _ = call("sl-cached", &token).await;
    fetches_reach("cached", 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    call("sl-cached", &token).await.assert_ok("ok");
}

/// Sends `Cache-Control: value` with list `name` from now on.
fn cache_control(name: &str, value: &'static str) {
    let mut served = ENV
        .lists
        .served
        .lock()
        .expect("lock")
        .get(name)
        .cloned()
        .expect("published");
    served.cache_control = Some(value);
    ENV.lists.set(name, served);
}

#[tokio::test]
async fn the_lists_ttl_wins_over_http_caching_which_applies_without_it() {
    let strategy = &ENV.strategies["sl-headers"];
    let mut with_ttl = spec("ttl-and-max-age", 1, 16, json!({}));
    with_ttl.claims = json!({ "ttl": 60 });
    let mut without = spec("max-age-only", 1, 16, json!({}));
    without.claims = json!({ "ttl": null });
    publish(vec![with_ttl, without]);
    cache_control("ttl-and-max-age", "max-age=100000");
    cache_control("max-age-only", "public, max-age=20");
    for name in ["ttl-and-max-age", "max-age-only"] {
        call("sl-headers", &token(name, 0)).await.assert_ok("ok");
    }
    // 21 s: only the list without ttl is due (its max-age).
    jwt_guard::testkit::advance_clock(strategy, Duration::from_secs(21));
    for name in ["ttl-and-max-age", "max-age-only"] {
        call("sl-headers", &token(name, 0)).await.assert_ok("ok");
    }
    fetches_reach("max-age-only", 2).await;
    assert_eq!(ENV.lists.fetches("ttl-and-max-age"), 1);
    // 61 s: the ttl of 60 s, not the max-age of 100 000 s, makes the other one due.
    jwt_guard::testkit::advance_clock(strategy, Duration::from_secs(40));
    call("sl-headers", &token("ttl-and-max-age", 0))
        .await
        .assert_ok("ok");
    fetches_reach("ttl-and-max-age", 2).await;
}
