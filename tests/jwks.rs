//! The key engine against a real JWK Set server on 127.0.0.1 whose behaviour each test
//! controls and whose requests it counts (the testkit issuer), behind a real axum app.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jwt_guard::Algorithm;
use jwt_guard::jwks::JwksConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, Strategy};
use jwt_guard_tests::rng::Rng;
use jwt_guard_tests::server;
use serde_json::json;

/// An app whose one route authenticates with `strategy` (through the `Strategy` trait,
/// as the registry does), served on 127.0.0.1.
async fn serve(strategy: JwtStrategy) -> String {
    async fn handler(
        State(strategy): State<Arc<JwtStrategy>>,
        headers: http::HeaderMap,
    ) -> Response {
        match strategy.authenticate(&headers).await {
            Ok(principal) => principal
                .subject()
                .unwrap_or("anonymous")
                .to_owned()
                .into_response(),
            Err(err) => err.into_response(),
        }
    }
    let app = Router::new()
        .route("/", get(handler))
        .with_state(Arc::new(strategy));
    format!("http://{}/", server::serve(app).await)
}

fn strategy(issuer: &Issuer, config: JwksConfig) -> JwtStrategy {
    JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_config(config)
        .build()
        .expect("strategy")
}

struct Reply {
    status: u16,
    retry_after: Option<String>,
    body: String,
}

async fn get_with(client: &reqwest::Client, url: &str, token: &str) -> Reply {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    Reply {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap_or("").to_owned()),
        body: response.text().await.expect("body"),
    }
}

async fn wait_until(mut done: impl FnMut() -> bool, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_burst_of_1000_shares_one_fetch() {
    let issuer = Issuer::start().await.unwrap();
    // A slow key server, so that every request arrives while the first fetch is in flight.
    issuer.control(|c| c.delay = Some(Duration::from_millis(300)));
    let url = serve(strategy(&issuer, JwksConfig::default())).await;
    let token = issuer.token(json!({ "sub": "burst" }));
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            get_with(&client, &url, &token).await.status
        }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += usize::from(task.await.unwrap() == 200);
    }
    assert_eq!(ok, 1000);
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_new_key_after_one_refetch_removed_key_after_refresh() {
    let issuer = Issuer::start().await.unwrap();
    let mut config = JwksConfig::default();
    config.min_max_age = Duration::from_secs(1);
    issuer.control(|c| c.cache_control = Some("max-age=1".into()));
    let url = serve(strategy(&issuer, config)).await;
    let client = reqwest::Client::new();
    let old = issuer.token(json!({ "sub": "old" }));
    assert_eq!(get_with(&client, &url, &old).await.status, 200);
    assert_eq!(issuer.jwks_requests(), 1);

    // A newly published key: accepted after exactly one refetch.
    let new_kid = issuer.add_key(Algorithm::RS256).unwrap();
    let new = issuer.token_with(&new_kid, json!({ "sub": "new" }));
    let reply = get_with(&client, &url, &new).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "new"));
    assert_eq!(issuer.jwks_requests(), 2);

    // The old key leaves the set: once the set has been refreshed, it no longer verifies.
    issuer.set_published(&issuer.kid(), false);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // This request finds the set due and starts the background refresh.
    get_with(&client, &url, &new).await;
    assert!(wait_until(|| issuer.jwks_requests() >= 3, Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reply = get_with(&client, &url, &old).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(get_with(&client, &url, &new).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_of_unknown_kids_costs_one_fetch_per_cooldown() {
    let issuer = Issuer::start().await.unwrap();
    // A cooldown longer than the flood lasts on a loaded machine (the default 30 s was
    // seen to expire mid-flood with other builds running).
    let mut config = JwksConfig::default();
    config.unknown_kid_cooldown = Duration::from_secs(300);
    let strategy = strategy(&issuer, config);
    let jwks = strategy.jwks().unwrap().clone();
    let url = serve(strategy).await;
    let client = reqwest::Client::new();
    let valid = issuer.token(json!({ "sub": "known" }));
    assert_eq!(get_with(&client, &url, &valid).await.status, 200);

    let header_for =
        |i: usize| json!({ "alg": "RS256", "kid": format!("random-{i}-{}", i * 7919 % 1000) });
    let mut statuses = std::collections::BTreeMap::new();
    let mut slowest_valid = Duration::ZERO;
    for round in 0..100 {
        let mut tasks = Vec::new();
        for i in 0..100 {
            let token = issuer.sign(&header_for(round * 100 + i), &issuer.claims(json!({})));
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                get_with(&client, &url, &token).await.status
            }));
        }
        // A request with the cached kid in between.
        let started = Instant::now();
        assert_eq!(get_with(&client, &url, &valid).await.status, 200);
        slowest_valid = slowest_valid.max(started.elapsed());
        for task in tasks {
            *statuses.entry(task.await.unwrap()).or_insert(0) += 1;
        }
    }
    assert_eq!(statuses.get(&401), Some(&10_000), "{statuses:?}");
    // The initial fetch plus one refetch for the whole flood (one cooldown).
    assert_eq!(issuer.jwks_requests(), 2);
    assert_eq!(jwks.status().fetches, 2);
    eprintln!(
        "flood: 10000 unknown kids -> {} fetches; slowest cached-kid request {slowest_valid:?}",
        issuer.jwks_requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_kid_never_waits_for_a_refetch() {
    let issuer = Issuer::start().await.unwrap();
    let url = serve(strategy(&issuer, JwksConfig::default())).await;
    let client = reqwest::Client::new();
    let valid = issuer.token(json!({ "sub": "known" }));
    assert_eq!(get_with(&client, &url, &valid).await.status, 200);

    // The key server becomes slow; an unknown kid starts a refetch that takes 1.5 s.
    issuer.control(|c| c.delay = Some(Duration::from_millis(1500)));
    let unknown = issuer.sign(
        &json!({ "alg": "RS256", "kid": "nope" }),
        &issuer.claims(json!({})),
    );
    let pending = {
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move { get_with(&client, &url, &unknown).await.status })
    };
    assert!(wait_until(|| issuer.jwks_requests() == 2, Duration::from_secs(5)).await);
    // While that refetch is in flight, the cached kid is served.
    assert_eq!(get_with(&client, &url, &valid).await.status, 200);
    assert!(
        !pending.is_finished(),
        "the cached-kid request waited for the refetch"
    );
    assert_eq!(pending.await.unwrap(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_server_failures_keep_the_last_good_set() {
    let issuer = Issuer::start().await.unwrap();
    let mut config = JwksConfig::default();
    config.timeout = Duration::from_millis(300);
    config.min_max_age = Duration::from_secs(1);
    config.failure_backoff = Duration::from_millis(10);
    config.unknown_kid_cooldown = Duration::ZERO;
    issuer.control(|c| c.cache_control = Some("max-age=1".into()));
    let strategy = strategy(&issuer, config);
    let jwks = strategy.jwks().unwrap().clone();
    let url = serve(strategy).await;
    let client = reqwest::Client::new();
    let valid = issuer.token(json!({ "sub": "cached" }));
    assert_eq!(get_with(&client, &url, &valid).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await; // the set is now past its max age

    let mut slowest = Duration::ZERO;
    type Failure = fn(&mut jwt_guard::testkit::Control);
    let failures: [(&str, Failure); 3] = [
        ("500", |c| c.status = Some(500)),
        ("timeout", |c| c.delay = Some(Duration::from_secs(3))),
        ("garbage", |c| c.body = Some("<html>not json</html>".into())),
    ];
    for (name, failure) in failures {
        issuer.control(|c| {
            *c = Default::default();
            failure(c);
        });
        let before = jwks.status().failures;
        for _ in 0..3 {
            let started = Instant::now();
            let reply = get_with(&client, &url, &valid).await;
            slowest = slowest.max(started.elapsed());
            assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        }
        // An unknown kid refetches (cooldown 0 here), fails, and is a 401.
        let started = Instant::now();
        let unknown = issuer.sign(
            &json!({ "alg": "RS256", "kid": "nope" }),
            &issuer.claims(json!({})),
        );
        assert_eq!(
            get_with(&client, &url, &unknown).await.status,
            401,
            "{name}"
        );
        slowest = slowest.max(started.elapsed());
        assert!(
            wait_until(|| jwks.status().failures > before, Duration::from_secs(5)).await,
            "{name}: no failure recorded"
        );
        let status = jwks.status();
        assert!(status.stale && status.keys == 1, "{name}: {status:?}");
        tokio::time::sleep(Duration::from_millis(20)).await; // past the failure backoff
    }
    eprintln!("key server down: slowest request {slowest:?} (fetch timeout 300 ms)");
    // Nothing waited on the failing key server beyond the fetch timeout (with slack for a loaded machine).
    assert!(slowest < Duration::from_secs(2), "{slowest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_cached_and_server_down_is_a_503_with_retry_after() {
    let issuer = Issuer::start().await.unwrap();
    issuer.control(|c| c.status = Some(500));
    let url = serve(strategy(&issuer, JwksConfig::default())).await;
    let client = reqwest::Client::new();
    let token = issuer.token(json!({}));
    let reply = get_with(&client, &url, &token).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.retry_after.as_deref(), Some("5"));
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["error"]["name"], "ServiceUnavailableError");
    assert!(
        !reply.body.contains("500"),
        "upstream details leak: {}",
        reply.body
    );
    // Inside the backoff the key server is not asked again.
    assert_eq!(get_with(&client, &url, &token).await.status, 503);
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_period_over_is_a_503() {
    let issuer = Issuer::start().await.unwrap();
    let mut config = JwksConfig::default();
    config.min_max_age = Duration::from_secs(1);
    config.stale_for = Duration::ZERO;
    config.failure_backoff = Duration::from_secs(30);
    issuer.control(|c| c.cache_control = Some("max-age=1".into()));
    let url = serve(strategy(&issuer, config)).await;
    let client = reqwest::Client::new();
    let token = issuer.token(json!({}));
    assert_eq!(get_with(&client, &url, &token).await.status, 200);
    issuer.control(|c| c.status = Some(502));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let reply = get_with(&client, &url, &token).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.retry_after.as_deref(), Some("30"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_is_refused() {
    let issuer = Issuer::start().await.unwrap();
    let mut config = JwksConfig::default();
    config.max_body_bytes = 4096;
    let padding = "x".repeat(100_000);
    let body = json!({ "keys": issuer.jwks()["keys"], "padding": padding }).to_string();
    issuer.control(|c| c.body = Some(body));
    let strategy = strategy(&issuer, config);
    let jwks = strategy.jwks().unwrap().clone();
    let err = jwks.warm_up().await.unwrap_err();
    assert_eq!(err.status(), 503);
    let detail = jwks.status().last_error.unwrap_or_default();
    assert!(detail.contains("4096-byte cap"), "{detail}");
    assert_eq!(jwks.status().keys, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unusable_key_does_not_break_the_set() {
    let issuer = Issuer::start().await.unwrap();
    let ec = issuer.add_key(Algorithm::ES256).unwrap();
    let mut keys = issuer.jwks()["keys"].as_array().unwrap().clone();
    keys.insert(
        0,
        json!({ "kty": "RSA", "kid": "broken", "n": "!!!", "e": "AQAB" }),
    );
    keys.insert(
        1,
        json!({ "kty": "EC", "kid": "enc", "use": "enc", "crv": "P-256", "x": "AA", "y": "AA" }),
    );
    keys.push(json!({ "kty": "oct", "kid": "secret", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA" }));
    issuer.control(|c| c.body = Some(json!({ "keys": keys }).to_string()));
    let s = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .algorithms([Algorithm::RS256, Algorithm::ES256])
        .build()
        .unwrap();
    let jwks = s.jwks().unwrap().clone();
    let url = serve(s).await;
    let client = reqwest::Client::new();
    assert_eq!(
        get_with(&client, &url, &issuer.token(json!({ "sub": "rsa" })))
            .await
            .body,
        "rsa"
    );
    assert_eq!(
        get_with(
            &client,
            &url,
            &issuer.token_with(&ec, json!({ "sub": "ec" }))
        )
        .await
        .body,
        "ec"
    );
    assert_eq!(jwks.status().kids, vec![issuer.kid(), ec]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_control_etag_and_background_refresh() {
    let issuer = Issuer::start().await.unwrap();
    let mut config = JwksConfig::default();
    config.min_max_age = Duration::from_secs(1);
    issuer.control(|c| {
        c.cache_control = Some("public, max-age=2".into());
        c.etag = true;
    });
    let strategy = strategy(&issuer, config);
    let jwks = strategy.jwks().unwrap().clone();
    jwks.warm_up().await.unwrap();
    let url = serve(strategy).await;
    let client = reqwest::Client::new();
    let token = issuer.token(json!({}));
    assert_eq!(get_with(&client, &url, &token).await.status, 200);
    assert_eq!(issuer.jwks_requests(), 1);
    // Past 80 % of max-age=2 but before expiry: a request is served from the cache and
    // starts a background refresh, which the server answers 304.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(get_with(&client, &url, &token).await.status, 200);
    assert!(
        wait_until(|| jwks.status().not_modified == 1, Duration::from_secs(3)).await,
        "{:?}",
        jwks.status()
    );
    let status = jwks.status();
    assert_eq!(
        (status.fetches, status.keys, status.stale),
        (2, 1, false),
        "{status:?}"
    );
    assert_eq!(get_with(&client, &url, &token).await.status, 200);

    // Without Cache-Control the default max age (10 min) holds: no refetch.
    let plain = Issuer::start().await.unwrap();
    let s = JwtStrategy::builder()
        .issuer(plain.issuer())
        .build()
        .unwrap();
    let url = serve(s).await;
    for _ in 0..5 {
        assert_eq!(
            get_with(&client, &url, &plain.token(json!({})))
                .await
                .status,
            200
        );
    }
    assert_eq!(plain.jwks_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_discovery() {
    let issuer = Issuer::start().await.unwrap();
    let s = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .discover()
        .build()
        .unwrap();
    s.jwks().unwrap().warm_up().await.unwrap();
    assert_eq!(
        (issuer.discovery_requests(), issuer.jwks_requests()),
        (1, 1)
    );
    assert_eq!(s.jwks().unwrap().status().url, Some(issuer.jwks_uri()));
    let url = serve(s).await;
    let reply = get_with(
        &reqwest::Client::new(),
        &url,
        &issuer.token(json!({ "sub": "oidc" })),
    )
    .await;
    assert_eq!(reply.body, "oidc");

    // A discovery document naming another issuer is a clear start-up error.
    let liar = Issuer::start().await.unwrap();
    liar.control(|c| c.discovery_issuer = Some("https://evil.example".into()));
    let s = JwtStrategy::builder()
        .issuer(liar.issuer())
        .discover()
        .build()
        .unwrap();
    let err = s.jwks().unwrap().warm_up().await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("does not equal the configured issuer"),
        "{message}"
    );
    assert_eq!(liar.jwks_requests(), 0);
}

#[test]
fn insecure_key_urls_are_refused_at_build() {
    let err = JwtStrategy::builder()
        .issuer("http://issuer.example")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    let err = JwtStrategy::builder()
        .issuer("https://a.example")
        .jwks_uri("http://10.0.0.1/jwks")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    let mut config = JwksConfig::default().dangerous_allow_http();
    config.timeout = Duration::from_secs(1);
    assert!(
        JwtStrategy::builder()
            .issuer("http://issuer.example")
            .jwks_config(config)
            .build()
            .is_ok()
    );
    assert!(
        JwtStrategy::builder()
            .issuer("http://127.0.0.1:9")
            .build()
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_issuers_each_with_its_own_keys() {
    let a = Issuer::start().await.unwrap();
    let b = Issuer::start().await.unwrap();
    let sa = JwtStrategy::builder().issuer(a.issuer()).build().unwrap();
    let sb = JwtStrategy::builder().issuer(b.issuer()).build().unwrap();
    let (ua, ub) = (serve(sa).await, serve(sb).await);
    let client = reqwest::Client::new();
    assert_eq!(
        get_with(&client, &ua, &a.token(json!({}))).await.status,
        200
    );
    assert_eq!(
        get_with(&client, &ub, &b.token(json!({}))).await.status,
        200
    );
    assert_eq!(
        get_with(&client, &ua, &b.token(json!({}))).await.status,
        401
    );
}

// ── the verified-token cache ──────────────────────────────────────────────────────

fn cached_strategy(issuer: &Issuer, config: JwksConfig) -> JwtStrategy {
    JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_config(config)
        .token_cache(jwt_guard::cache::TokenCacheConfig::default())
        .build()
        .expect("strategy")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_never_serves_an_expired_token() {
    let issuer = Issuer::start().await.unwrap();
    let strategy = cached_strategy(&issuer, JwksConfig::default());
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    let token = issuer.token(json!({ "sub": "brief", "exp": exp }));
    assert_eq!(
        strategy.verify_token(&token).await.unwrap().subject(),
        Some("brief")
    );
    assert_eq!(strategy.cached_tokens(), 1);
    assert!(strategy.verify_token(&token).await.is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let err = strategy.verify_token(&token).await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            jwt_guard::ErrorKind::InvalidToken(jwt_guard::TokenError::Expired)
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_never_serves_a_token_whose_key_left_the_set() {
    let issuer = Issuer::start().await.unwrap();
    let mut config = JwksConfig::default();
    config.min_max_age = Duration::from_secs(1);
    issuer.control(|c| c.cache_control = Some("max-age=1".into()));
    let strategy = cached_strategy(&issuer, config);
    let url = serve(strategy.clone()).await;
    let client = reqwest::Client::new();
    let token = issuer.token(json!({ "sub": "rotated" }));
    assert_eq!(get_with(&client, &url, &token).await.status, 200);
    assert_eq!(strategy.cached_tokens(), 1);

    // The key is rotated out; once the set is refreshed, the cached token is refused.
    let new_kid = issuer.add_key(Algorithm::RS256).unwrap();
    issuer.set_published(&issuer.kid(), false);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let other = issuer.token_with(&new_kid, json!({}));
    get_with(&client, &url, &other).await; // triggers the refresh
    assert!(wait_until(|| issuer.jwks_requests() >= 2, Duration::from_secs(5)).await);
    assert!(
        wait_until(
            || strategy.jwks().unwrap().status().kids == vec![new_kid.clone()],
            Duration::from_secs(5)
        )
        .await
    );
    let reply = get_with(&client, &url, &token).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_never_serves_a_token_differing_in_one_byte() {
    let issuer = Issuer::start().await.unwrap();
    let strategy = cached_strategy(&issuer, JwksConfig::default());
    let token = issuer.token(json!({ "sub": "exact" }));
    assert!(strategy.verify_token(&token).await.is_ok());
    assert_eq!(strategy.cached_tokens(), 1);
    // Change each byte in turn (every position, to a different base64url character).
    let bytes = token.as_bytes();
    for i in (0..bytes.len()).filter(|&i| bytes[i] != b'.') {
        let mut forged = bytes.to_vec();
        forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert!(
            strategy.verify_token(&forged).await.is_err(),
            "byte {i} changed and still accepted"
        );
    }
    assert_eq!(strategy.cached_tokens(), 1);
    assert!(strategy.verify_token(&token).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_limited() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A key server that redirects forever (to itself, on 127.0.0.1).
    let hits = Arc::new(AtomicUsize::new(0));
    async fn redirect(
        State(hits): State<Arc<AtomicUsize>>,
        axum::extract::Path(n): axum::extract::Path<u32>,
    ) -> Response {
        hits.fetch_add(1, Ordering::SeqCst);
        axum::response::Redirect::temporary(&format!("/r/{}", n + 1)).into_response()
    }
    let app = Router::new()
        .route("/r/{n}", get(redirect))
        .with_state(Arc::clone(&hits));
    let addr = server::serve(app).await;

    let s = JwtStrategy::builder()
        .issuer("https://issuer.example")
        .jwks_uri(format!("http://{addr}/r/0"))
        .build()
        .unwrap();
    let jwks = s.jwks().unwrap();
    let err = jwks.warm_up().await.unwrap_err();
    assert_eq!(err.status(), 503);
    // The first request and 3 redirects (the default cap), then the client gives up.
    assert_eq!(hits.load(Ordering::SeqCst), 4);
    assert!(
        jwks.status()
            .last_error
            .unwrap_or_default()
            .contains("redirect"),
        "{:?}",
        jwks.status()
    );
}

// ── the key engine under faults (issue 10) ────────────────────────────────────────

/// A runtime of the test's own, standing for a start-up or per-worker runtime.
fn runtime(threads: usize) -> tokio::runtime::Runtime {
    let mut builder = if threads == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder.enable_all().build().expect("runtime")
}

#[test]
fn a_fetch_cancelled_with_its_runtime_never_wedges_the_engine() {
    // The key server runs on a runtime that lives for the whole test.
    let server = runtime(1);
    let issuer = server.block_on(Issuer::start()).unwrap();
    issuer.control(|c| c.delay = Some(Duration::from_secs(3)));
    let mut config = JwksConfig::default();
    config.failure_backoff = Duration::from_millis(200);
    let strategy = strategy(&issuer, config);
    let jwks = strategy.jwks().unwrap().clone();

    // Start-up: warm up under a timeout on a runtime that is then dropped, which cancels
    // the fetch task in flight.
    {
        let startup = runtime(0);
        let warmed = startup.block_on(async {
            tokio::time::timeout(Duration::from_millis(200), jwks.warm_up()).await
        });
        assert!(warmed.is_err(), "the warm-up should have timed out");
    }
    let status = jwks.status();
    assert_eq!((status.fetches, status.failures), (1, 1), "{status:?}");
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("cancelled")),
        "{status:?}"
    );

    // The key server recovers; requests on another runtime get keys once the backoff is over.
    issuer.control(|c| c.delay = None);
    let token = issuer.token(json!({ "sub": "after" }));
    runtime(2).block_on(async {
        let started = Instant::now();
        let principal = loop {
            match strategy.verify_token(&token).await {
                Ok(principal) => break principal,
                Err(err) => {
                    assert_eq!(err.status(), 503, "{err}");
                    assert!(
                        started.elapsed() < Duration::from_secs(10),
                        "wedged: {err}; {:?}",
                        jwks.status()
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        assert_eq!(principal.subject(), Some("after"));
    });
    assert_eq!(issuer.jwks_requests(), 2);
    let status = jwks.status();
    assert_eq!((status.fetches, status.failures), (2, 1), "{status:?}");
    assert_eq!(status.last_error, None);
}

#[test]
fn warmed_on_one_runtime_serves_and_refreshes_on_another() {
    let server = runtime(1);
    let issuer = server.block_on(Issuer::start()).unwrap();
    issuer.control(|c| c.cache_control = Some("max-age=1".into()));
    let mut config = JwksConfig::default();
    config.min_max_age = Duration::from_secs(1);
    let strategy = strategy(&issuer, config);
    let jwks = strategy.jwks().unwrap().clone();
    runtime(0).block_on(jwks.warm_up()).expect("warm-up");
    // That runtime is gone (with the pooled connection's task); serve on another one.
    let token = issuer.token(json!({ "sub": "moved" }));
    runtime(2).block_on(async {
        assert!(strategy.verify_token(&token).await.is_ok());
        tokio::time::sleep(Duration::from_millis(1100)).await;
        // Due: the held set answers and a refresh starts on this runtime.
        assert!(strategy.verify_token(&token).await.is_ok());
        assert!(
            wait_until(|| jwks.status().fetches == 2, Duration::from_secs(5)).await,
            "{:?}",
            jwks.status()
        );
        assert!(
            wait_until(|| issuer.jwks_requests() == 2, Duration::from_secs(5)).await,
            "{:?}",
            jwks.status()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        let status = jwks.status();
        assert_eq!((status.failures, status.stale), (0, false), "{status:?}");
        assert!(strategy.verify_token(&token).await.is_ok());
    });
}

/// Every duration setting through 0, 1 ns, a typical value and `Duration::MAX`, with
/// hostile `Cache-Control` values: no request, no fetch task ever panics.
#[test]
fn no_duration_setting_can_panic_a_request() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let rt = runtime(2);
    let issuer = rt.block_on(Issuer::start()).unwrap();
    let token = issuer.token(json!({ "sub": "d" }));
    let unknown = issuer.sign(
        &json!({ "alg": "RS256", "kid": "nope" }),
        &issuer.claims(json!({})),
    );
    let duration = |typical: u64| {
        prop_oneof![
            Just(Duration::ZERO),
            Just(Duration::from_nanos(1)),
            Just(Duration::from_secs(typical)),
            Just(Duration::MAX),
        ]
    };
    let max_age = prop_oneof![
        Just(None),
        Just(Some("max-age=0".to_owned())),
        Just(Some("max-age=1".to_owned())),
        Just(Some("no-store".to_owned())),
        Just(Some(format!("max-age={}", u64::MAX))),
        Just(Some("max-age=18446744073709551616".to_owned())),
        Just(Some("max-age=-1".to_owned())),
    ];
    let settings = (
        [
            duration(5),
            duration(600),
            duration(30),
            duration(86_400),
            duration(30),
            duration(86_400),
            duration(5),
            duration(300),
        ],
        max_age,
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 160,
        failure_persistence: None,
        ..Config::default()
    });
    let cases = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&settings, |(d, cache_control, cached)| {
            cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            issuer.control(|c| c.cache_control = cache_control.clone());
            let mut config = JwksConfig::default();
            config.timeout = d[0];
            config.default_max_age = d[1];
            config.min_max_age = d[2];
            config.max_max_age = d[3];
            config.unknown_kid_cooldown = d[4];
            config.stale_for = d[5];
            config.failure_backoff = d[6];
            let mut builder = JwtStrategy::builder()
                .issuer(issuer.issuer())
                .jwks_config(config);
            if cached {
                let mut cache = jwt_guard::cache::TokenCacheConfig::default();
                cache.max_age = d[7];
                builder = builder.token_cache(cache);
            }
            let strategy = builder.build().expect("strategy");
            let jwks = strategy.jwks().unwrap().clone();
            rt.block_on(async {
                for _ in 0..3 {
                    // Any verdict will do, as long as it is one: a panic fails the case.
                    let _ = strategy.verify_token(&token).await;
                    let _ = strategy.verify_token(&unknown).await;
                    let _ = jwks.status();
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                // Let a background refresh finish, if one started.
                wait_until(
                    || {
                        jwks.status().fetches == jwks.status().failures + 1
                            || jwks.status().failures > 0
                    },
                    Duration::from_millis(200),
                )
                .await;
            });
            let status = jwks.status();
            let error = status.last_error.clone().unwrap_or_default();
            prop_assert!(
                !error.contains("panicked") && !error.contains("cancelled"),
                "{d:?} {cache_control:?}: {status:?}"
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(cases.into_inner(), 160);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_hits_refresh_a_due_key_set() {
    let issuer = Issuer::start().await.unwrap();
    let mut config = JwksConfig::default();
    config.min_max_age = Duration::from_secs(1);
    issuer.control(|c| c.cache_control = Some("max-age=1".into()));
    let strategy = cached_strategy(&issuer, config);
    let url = serve(strategy.clone()).await;
    let client = reqwest::Client::new();
    let token = issuer.token(json!({ "sub": "revoked" }));
    assert_eq!(get_with(&client, &url, &token).await.status, 200);
    assert_eq!(strategy.cached_tokens(), 1);

    // The key is unpublished; only cache hits follow (no other token, no miss).
    issuer.add_key(Algorithm::RS256).unwrap();
    issuer.set_published(&issuer.kid(), false);
    let started = Instant::now();
    let mut refused_after = None;
    while started.elapsed() < Duration::from_secs(4) {
        if get_with(&client, &url, &token).await.status == 401 {
            refused_after = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        refused_after.is_some(),
        "the revoked key kept validating cached tokens; {} JWKS requests",
        issuer.jwks_requests()
    );
    assert!(issuer.jwks_requests() >= 2);
    eprintln!("revoked key refused {refused_after:?} after unpublishing (max-age 1 s)");
}

// ── keys that can never verify (issue 10) ─────────────────────────────────────────

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The issuer's RSA key with its exponent replaced.
fn rsa_with_exponent(issuer: &Issuer, kid: &str, e: &[u8]) -> serde_json::Value {
    let mut key = issuer.jwks()["keys"][0].clone();
    key["kid"] = json!(kid);
    key["e"] = json!(b64(e));
    key
}

/// Each class of RSA key that can never verify: e = 1, 2, even, 2^64+1, 2048 bits, and
/// a modulus over 8192 bits.
fn useless_rsa_keys(issuer: &Issuer, kid: &str) -> Vec<serde_json::Value> {
    let mut two64 = vec![1u8];
    two64.extend([0u8; 7]);
    two64.push(1);
    let mut big_e = vec![0xffu8; 256];
    big_e[255] = 0xfd;
    let mut big_n = vec![0xc5u8; 8200 / 8 + 1];
    big_n[0] = 0x01;
    let mut huge = issuer.jwks()["keys"][0].clone();
    huge["kid"] = json!(kid);
    huge["n"] = json!(b64(&big_n));
    vec![
        rsa_with_exponent(issuer, kid, &[1]),
        rsa_with_exponent(issuer, kid, &[2]),
        rsa_with_exponent(issuer, kid, &[1, 0, 0]),
        rsa_with_exponent(issuer, kid, &two64),
        rsa_with_exponent(issuer, kid, &big_e),
        huge,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fetched_set_of_useless_keys_is_a_503_and_never_shadows_a_good_key() {
    let issuer = Issuer::start().await.unwrap();
    let kid = issuer.kid();
    let useless = useless_rsa_keys(&issuer, &kid);
    issuer.control(|c| c.body = Some(json!({ "keys": useless }).to_string()));
    let mut config = JwksConfig::default();
    config.failure_backoff = Duration::from_millis(10);
    let strategy = strategy(&issuer, config);
    let jwks = strategy.jwks().unwrap().clone();
    let token = issuer.token(json!({ "sub": "good" }));
    let err = strategy.verify_token(&token).await.unwrap_err();
    assert_eq!(err.status(), 503, "{err}");
    assert_eq!(jwks.status().keys, 0, "{:?}", jwks.status());

    // Listed before the good key with the same kid, they are skipped and do not shadow it.
    let mut keys = useless_rsa_keys(&issuer, &kid);
    keys.push(issuer.jwks()["keys"][0].clone());
    issuer.control(|c| c.body = Some(json!({ "keys": keys }).to_string()));
    tokio::time::sleep(Duration::from_millis(20)).await;
    let principal = strategy
        .verify_token(&token)
        .await
        .expect("the good key verifies");
    assert_eq!(principal.subject(), Some("good"));
    assert_eq!(jwks.status().keys, 1, "{:?}", jwks.status());
}

/// A key set that publishes a signing key's private half (`d`, or an RSA key's primes, as
/// from a key generator's output pasted whole): anyone who read it can sign. Found by the
/// differential test against jose (`tests/jose.rs`), which refuses such a set member.
#[tokio::test]
async fn a_key_set_that_publishes_a_private_key_is_refused() {
    let issuer = Issuer::start().await.unwrap();
    let token = issuer.token(json!({ "sub": "ada" }));
    let good = issuer.jwks()["keys"][0].clone();
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        let mut leaked = good.clone();
        leaked[member] = json!(b64(b"the private half, published"));

        // Fetched: the key is skipped (with a warning), so a set of only it is a 503.
        issuer.control(|c| c.body = Some(json!({ "keys": [leaked.clone()] }).to_string()));
        let strategy = strategy(&issuer, JwksConfig::default());
        let err = strategy.verify_token(&token).await.unwrap_err();
        assert_eq!(err.status(), 503, "{member}: {err}");
        assert_eq!(strategy.jwks().unwrap().status().keys, 0, "{member}");

        // Pinned: a configuration error naming the key.
        let err = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .jwks_json(json!({ "keys": [leaked.clone()] }).to_string().as_bytes())
            .build()
            .expect_err("a pinned private key accepted");
        assert!(
            err.to_string().contains("private key material"),
            "{member}: {err}"
        );
        let err = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .jwk_json(leaked.to_string().as_bytes())
            .build()
            .expect_err("a pinned private JWK accepted");
        assert!(
            err.to_string().contains("private key material"),
            "{member}: {err}"
        );
    }
}

/// The modulus of Wycheproof's `jws_rsa_roca_key` (JWK tcId 7, crypto tcId 46): it has
/// the ROCA fingerprint (CVE-2017-15361).
const ROCA_N: &str = "AanFpofbj7KjD4Lf-N2hVMKR7yewSyXhhbirIMTGpfYEhZ_lnt5UoK98DnKIgArXGTu3MaW_HhFw16HGaTDUHqPrId7fe4r11CqRw09yBFuW79V8sYIwHdzCaWflUI6auImYbVfoN9_nD5n8N8SY9DwXw7mwZM9wREPXoDPgOoIWl6q_MPsp7n0zs3Z5ZaiQWOOzl1S9OhwAfSiiOwz6efnXEaxuTEtPd7BjSx7NaFka8Dx9U7YqXy2RFj1O9PjyaDGuRh7YXsX3iMUSP_wSyHQg_c_qHRtKUsNSGCT7OZg0hzm2KphtjnayKJvC64vAbROBR4Ubg6Bxg9IQVZ-QYyE";

/// The ROCA modulus as a PKCS#1 `RSA PUBLIC KEY` PEM, e = 65537.
fn roca_pem() -> String {
    use base64::Engine as _;
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(ROCA_N)
        .expect("base64url");
    let mut integer = vec![0x02, 0x82];
    let len = n.len() + usize::from(n[0] >= 0x80);
    integer.extend([(len >> 8) as u8, len as u8]);
    if n[0] >= 0x80 {
        integer.push(0);
    }
    integer.extend(&n);
    integer.extend([0x02, 0x03, 0x01, 0x00, 0x01]);
    let mut der = vec![0x30, 0x82, (integer.len() >> 8) as u8, integer.len() as u8];
    der.extend(integer);
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

/// Issue 18 item 15, fetched: a ROCA key is skipped (with a warning) and the rest of the
/// set serves; two keys with one kid are both left out (no first-wins), so a token naming
/// that kid is refused whichever of the two signed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fetched_set_leaves_roca_and_ambiguous_keys_out() {
    let issuer = Issuer::start().await.unwrap();
    let second = issuer.add_key(Algorithm::RS256).unwrap();
    let keys = issuer.jwks()["keys"].as_array().unwrap().clone();
    let roca = json!({ "kty": "RSA", "kid": "roca", "alg": "RS256", "n": ROCA_N, "e": "AQAB" });
    let twin = |mut jwk: serde_json::Value| {
        jwk["kid"] = json!("twin");
        jwk
    };
    let body =
        json!({ "keys": [roca, keys[0].clone(), twin(keys[0].clone()), twin(keys[1].clone())] });
    issuer.control(|c| c.body = Some(body.to_string()));
    let strategy = strategy(&issuer, JwksConfig::default());
    let principal = strategy
        .verify_token(&issuer.token(json!({ "sub": "good" })))
        .await
        .expect("the good key verifies");
    assert_eq!(principal.subject(), Some("good"));
    let status = strategy.jwks().unwrap().status();
    assert_eq!(status.kids, [issuer.kid()], "{status:?}");
    // Signed by either key, a token naming the repeated kid is refused.
    for signer in [issuer.kid(), second] {
        let claims = issuer.claims(json!({ "sub": "twin" }));
        let header = json!({ "alg": "RS256", "kid": "twin" });
        let token = issuer.sign_with(&signer, &header, &claims);
        let err = strategy.verify_token(&token).await.unwrap_err();
        assert_eq!(err.status(), 401, "{err}");
    }
}

/// Issue 18 item 15, pinned: a ROCA key (as a JWK or a PEM), a set mixing an HMAC secret
/// with public keys, and a repeated kid are configuration errors.
#[test]
fn pinned_roca_mixed_and_repeated_kid_keys_are_refused_at_build() {
    let issuer = Issuer::offline("https://issuer.example").unwrap();
    let build = |b: jwt_guard::JwtStrategyBuilder| b.issuer("https://issuer.example").build();
    let roca = json!({ "kty": "RSA", "kid": "roca", "n": ROCA_N, "e": "AQAB" });
    let err = build(JwtStrategy::builder().jwk_json(roca.to_string().as_bytes())).unwrap_err();
    assert!(err.to_string().contains("ROCA"), "{err}");
    let set = json!({ "keys": [issuer.jwks()["keys"][0].clone(), roca] });
    let err = build(JwtStrategy::builder().jwks_json(set.to_string().as_bytes())).unwrap_err();
    assert!(err.to_string().contains("ROCA"), "{err}");
    let err = build(JwtStrategy::builder().rsa_pem(roca_pem().as_bytes(), Some("r"))).unwrap_err();
    assert!(err.to_string().contains("ROCA"), "{err}");
    // The same PEM framing with an ordinary key builds.
    assert!(
        build(
            JwtStrategy::builder().rsa_pem(issuer.public_key_pem(&issuer.kid()).as_bytes(), None)
        )
        .is_ok()
    );

    let secret = json!({ "kty": "oct", "kid": "s", "k": b64(&[7u8; 32]) });
    let mixed = json!({ "keys": [secret.clone(), issuer.jwks()["keys"][0].clone()] });
    let err = build(
        JwtStrategy::builder()
            .algorithms([Algorithm::HS256])
            .jwks_json(mixed.to_string().as_bytes()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("mixes"), "{err}");
    // Mixed across calls too.
    let err = build(
        JwtStrategy::builder()
            .algorithms([Algorithm::HS256])
            .hmac_secret(&[7u8; 32], Some("s"))
            .rsa_pem(issuer.public_key_pem(&issuer.kid()).as_bytes(), Some("r")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("mixes"), "{err}");

    let repeated = json!({ "keys": [secret.clone(), secret] });
    let err = build(
        JwtStrategy::builder()
            .algorithms([Algorithm::HS256])
            .jwks_json(repeated.to_string().as_bytes()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"s\""), "{err}");
    let err = build(
        JwtStrategy::builder()
            .algorithms([Algorithm::HS256])
            .hmac_secret(&[7u8; 32], Some("s"))
            .hmac_secret(&[8u8; 32], Some("s")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"s\""), "{err}");
}

#[test]
fn pinned_keys_that_are_weak_or_useless_are_refused_at_build() {
    let build = |b: jwt_guard::JwtStrategyBuilder| b.issuer("https://issuer.example").build();
    let oct = |kid: &str, len: usize, alg: Option<&str>| {
        let mut jwk = json!({ "kty": "oct", "kid": kid, "k": b64(&vec![7u8; len]) });
        if let Some(alg) = alg {
            jwk["alg"] = json!(alg);
        }
        jwk
    };
    let hs = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];
    // A 1-byte secret as a JWK, alone or in a set.
    for (len, alg) in [
        (1, None),
        (31, None),
        (31, Some("HS256")),
        (47, Some("HS384")),
        (63, Some("HS512")),
    ] {
        let jwk = oct("weak", len, alg);
        let err = build(
            JwtStrategy::builder()
                .algorithms(hs)
                .jwk_json(jwk.to_string().as_bytes()),
        )
        .expect_err("weak oct JWK accepted");
        assert!(err.to_string().contains("weak"), "{len} {alg:?}: {err}");
        let set = json!({ "keys": [oct("fine", 64, None), jwk] });
        let err = build(
            JwtStrategy::builder()
                .algorithms(hs)
                .jwks_json(set.to_string().as_bytes()),
        )
        .expect_err("weak oct JWK in a set accepted");
        assert!(err.to_string().contains("weak"), "{len} {alg:?}: {err}");
    }
    for (len, alg) in [(32, "HS256"), (48, "HS384"), (64, "HS512")] {
        let jwk = oct("ok", len, Some(alg));
        assert!(
            build(
                JwtStrategy::builder()
                    .algorithms(hs)
                    .jwk_json(jwk.to_string().as_bytes())
            )
            .is_ok()
        );
    }
    // hmac_secret: at least the hash size of every HS* algorithm it is to verify.
    for (len, alg, ok) in [
        (32, Algorithm::HS256, true),
        (32, Algorithm::HS384, false),
        (47, Algorithm::HS384, false),
        (48, Algorithm::HS384, true),
        (32, Algorithm::HS512, false),
        (63, Algorithm::HS512, false),
        (64, Algorithm::HS512, true),
    ] {
        let result = build(
            JwtStrategy::builder()
                .algorithms([alg])
                .hmac_secret(&vec![9u8; len], Some("pinned")),
        );
        assert_eq!(
            result.is_ok(),
            ok,
            "{len} bytes for {alg:?}: {:?}",
            result.err()
        );
        if let Err(err) = result {
            assert!(err.to_string().contains("pinned"), "{err}");
        }
    }
    // RSA keys that can never verify, pinned as JWKs: refused, naming the key.
    let rt = runtime(0);
    let issuer = rt.block_on(Issuer::start()).unwrap();
    for (i, key) in useless_rsa_keys(&issuer, "useless").into_iter().enumerate() {
        let err = build(JwtStrategy::builder().jwk_json(key.to_string().as_bytes()))
            .expect_err("useless RSA key accepted");
        assert!(err.to_string().contains("useless"), "class {i}: {err}");
        let set = json!({ "keys": [issuer.jwks()["keys"][0].clone(), key] });
        let err = build(JwtStrategy::builder().jwks_json(set.to_string().as_bytes()))
            .expect_err("useless RSA key in a set accepted");
        assert!(err.to_string().contains("useless"), "class {i}: {err}");
    }
}

// ── the token cache never accepts what a cold verification would refuse (issue 10) ──

/// A verdict, comparable across strategies.
fn verdict(result: Result<jwt_guard::Principal, jwt_guard::Error>) -> String {
    match result {
        Ok(principal) => format!("200 {}", principal.subject().unwrap_or("")),
        Err(err) => format!("{} {err}", err.status()),
    }
}

/// Cache on and cache off, same key server, same schedule of rotations, outages, garbage
/// and clock steps: the same verdict for every request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_on_and_off_give_the_same_verdicts() {
    let seeds: Vec<u64> = match std::env::var("JWT_GUARD_DIFF_SEED") {
        Ok(seed) => vec![seed.parse().expect("seed")],
        Err(_) => vec![0x1234_5678, 0xdead_beef, 42],
    };
    let mut totals = std::collections::BTreeMap::<String, usize>::new();
    for seed in seeds {
        let issuer = Issuer::start().await.unwrap();
        let mut config = JwksConfig::default();
        config.timeout = Duration::from_secs(2);
        config.min_max_age = Duration::from_secs(1);
        config.stale_for = Duration::from_secs(120);
        issuer.control(|c| c.cache_control = Some("max-age=60".into()));
        let with_cache = cached_strategy(&issuer, config.clone());
        let without = strategy(&issuer, config);
        let mut rng = Rng(seed | 1);
        let mut kids = vec![issuer.kid()];
        let mut published = vec![issuer.kid()];
        let mut tokens: Vec<String> = Vec::new();
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        let mut skew = 0u64; // how far the strategies' clocks are ahead
        let mut max_cached = 0;
        for step in 0..400 {
            let action = rng.below(22);
            let what = match action {
                0 => {
                    let kid = issuer.add_key(Algorithm::RS256).unwrap();
                    kids.push(kid.clone());
                    published.push(kid);
                    "rotate in"
                }
                1 if published.len() > 1 => {
                    let kid = published.remove(0);
                    issuer.set_published(&kid, false);
                    "rotate out"
                }
                2 => {
                    issuer.control(|c| c.status = Some(500));
                    "outage"
                }
                3 => {
                    issuer.control(|c| c.body = Some("<html>garbage</html>".into()));
                    "garbage"
                }
                4..=6 => {
                    issuer.control(|c| {
                        c.status = None;
                        c.body = None;
                    });
                    "recovery"
                }
                7 => {
                    let by = [1, 10, 49, 61, 61, 61, 130][rng.below(7)];
                    skew += by;
                    jwt_guard::testkit::advance_clock(&with_cache, Duration::from_secs(by));
                    jwt_guard::testkit::advance_clock(&without, Duration::from_secs(by));
                    "clock step"
                }
                8 => {
                    let kid = if rng.below(5) > 0 {
                        &published[rng.below(published.len())]
                    } else {
                        &kids[rng.below(kids.len())]
                    };
                    let exp = now() + skew + [30, 200, 100_000][rng.below(3)];
                    tokens.push(
                        issuer.token_with(kid, json!({ "sub": format!("t{step}"), "exp": exp })),
                    );
                    "mint"
                }
                _ => "request",
            };
            if what != "request" || tokens.is_empty() {
                continue;
            }
            // Mostly the latest tokens (cache hits), sometimes any.
            let pick = if rng.below(10) < 7 {
                tokens.len() - 1 - rng.below(tokens.len().min(4))
            } else {
                rng.below(tokens.len())
            };
            let token = &tokens[pick];
            let a = verdict(with_cache.verify_token(token).await);
            jwt_guard::testkit::settle(with_cache.jwks().unwrap()).await;
            let b = verdict(without.verify_token(token).await);
            jwt_guard::testkit::settle(without.jwks().unwrap()).await;
            assert_eq!(
                a,
                b,
                "seed {seed}, step {step}: cache on vs off; {:?} / {:?}",
                with_cache.jwks().unwrap().status(),
                without.jwks().unwrap().status()
            );
            max_cached = max_cached.max(with_cache.cached_tokens());
            *totals
                .entry(a.split(' ').next().unwrap_or("").to_owned())
                .or_default() += 1;
        }
        assert!(max_cached > 0, "seed {seed}: the cache was never used");
    }
    eprintln!("differential verdicts: {totals:?}");
    assert!(
        totals.contains_key("200") && totals.contains_key("401"),
        "{totals:?}"
    );
}
