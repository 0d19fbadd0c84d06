//! Operating jwt-guard: spans and levels (captured by a real `tracing` subscriber), the
//! metrics as a Prometheus exporter renders them and a client scrapes them over HTTP, and
//! the readiness handlers of axum and actix-web — against a 127.0.0.1 testkit issuer.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::routing::get;
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, Registry, authenticate};
use jwt_guard_tests::server::serve;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::{Value, json};
use tracing::Instrument as _;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

// ── a subscriber that keeps every span and event ────────────────────────────────────

#[derive(Debug, Clone, Default)]
struct SpanRec {
    name: String,
    parent: Option<String>,
    fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
struct EventRec {
    level: tracing::Level,
    /// The [`Seq`] of the span the event is in, if any.
    span: Option<u64>,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Captured {
    spans: BTreeMap<u64, SpanRec>,
    events: Vec<EventRec>,
}

static CAPTURED: Mutex<Option<Captured>> = Mutex::new(None);

fn captured<R>(f: impl FnOnce(&mut Captured) -> R) -> R {
    let mut guard = CAPTURED.lock().unwrap_or_else(PoisonError::into_inner);
    f(guard.get_or_insert_with(Captured::default))
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

struct Capture;

/// A span's number in creation order: span ids are reused once a span closes.
struct Seq(u64);

fn next_seq() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let seq = next_seq();
        let mut rec = SpanRec {
            name: attrs.metadata().name().to_owned(),
            parent: span.parent().map(|p| p.name().to_owned()),
            fields: BTreeMap::new(),
        };
        attrs.record(&mut Fields(&mut rec.fields));
        span.extensions_mut().insert(Seq(seq));
        captured(|c| c.spans.insert(seq, rec));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(seq) = ctx
            .span(id)
            .and_then(|s| s.extensions().get::<Seq>().map(|q| q.0))
        else {
            return;
        };
        captured(|c| {
            if let Some(rec) = c.spans.get_mut(&seq) {
                values.record(&mut Fields(&mut rec.fields));
            }
        });
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let rec = EventRec {
            level: *event.metadata().level(),
            span: ctx
                .event_span(event)
                .and_then(|s| s.extensions().get::<Seq>().map(|q| q.0)),
            fields,
        };
        captured(|c| c.events.push(rec));
    }
}

/// The subscriber and the Prometheus recorder, installed once for the binary.
fn init() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(Capture);
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        let handle = PrometheusBuilder::new()
            .install_recorder()
            .expect("the only recorder");
        jwt_guard::metrics::describe();
        handle
    })
}

// ── the app under test ───────────────────────────────────────────────────────────────

#[authenticate("tel-spans")]
async fn spans_protected() -> &'static str {
    "granted"
}

#[authenticate("tel-metrics", scopes = "orders:read")]
async fn metrics_protected() -> &'static str {
    "granted"
}

/// The request's span, as `tower_http::trace` would open it.
async fn request_span(request: Request, next: Next) -> axum::response::Response {
    let span = tracing::info_span!("http_request", path = %request.uri().path());
    next.run(request).instrument(span).await
}

async fn get_status(client: &reqwest::Client, url: &str, token: Option<&str>) -> u16 {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request").status().as_u16()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn strategy_for(issuer: &Issuer) -> JwtStrategy {
    JwtStrategy::builder()
        .issuer(issuer.issuer())
        .token_cache(Default::default())
        .build()
        .expect("strategy")
}

// ── spans and levels ─────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_span_per_authentication_under_the_request_span() {
    init();
    let issuer = Issuer::start().await.expect("issuer");
    let registry = Registry::new();
    registry
        .register("tel-spans", strategy_for(&issuer))
        .expect("register");
    let app = Router::new()
        .route("/p", get(spans_protected))
        .layer(middleware::from_fn(request_span))
        .layer(axum::Extension(registry.clone()));
    let url = format!("http://{}/p", serve(app).await);
    let client = reqwest::Client::new();

    let good = issuer.token(json!({ "sub": "alice" }));
    let expired = issuer.token(json!({ "sub": "bob", "exp": now() - 60 }));
    let long_kid = "k".repeat(300);
    let unknown_kid = issuer.token_with(&long_kid, json!({ "sub": "carol" }));
    assert_eq!(get_status(&client, &url, Some(&good)).await, 200);
    assert_eq!(get_status(&client, &url, Some(&good)).await, 200); // cache hit
    assert_eq!(get_status(&client, &url, Some(&expired)).await, 401);
    assert_eq!(get_status(&client, &url, None).await, 401);
    assert_eq!(get_status(&client, &url, Some(&unknown_kid)).await, 401);

    // The key server fails: a 503, logged as a warning in the fetch's own span.
    let down = Issuer::start().await.expect("issuer");
    down.control(|c| c.status = Some(500));
    registry
        .register("tel-spans-down", strategy_for(&down))
        .expect("register");
    let headers = {
        let mut h = http::HeaderMap::new();
        let token = down.token(json!({ "sub": "dave" }));
        h.insert(
            http::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        h
    };
    let err = registry
        .authenticate(&["tel-spans-down"], &headers)
        .await
        .expect_err("keys unavailable");
    assert_eq!(err.status(), 503);

    let (spans, events) = captured(|c| (c.spans.clone(), c.events.clone()));
    let mine: Vec<(&u64, &SpanRec)> = spans
        .iter()
        .filter(|(_, s)| {
            s.name == "jwt_guard.authenticate"
                && s.fields.get("strategy").map(String::as_str) == Some("tel-spans")
        })
        .collect();
    assert_eq!(mine.len(), 5, "one span per authentication: {mine:#?}");
    for (_, span) in &mine {
        assert_eq!(span.parent.as_deref(), Some("http_request"), "{span:?}");
        assert!(span.fields.contains_key("duration_us"), "{span:?}");
    }
    let outcomes: Vec<(&str, &str)> = mine
        .iter()
        .map(|(_, s)| {
            (
                s.fields.get("outcome").map_or("-", String::as_str),
                s.fields.get("reason").map_or("-", String::as_str),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("success", "-"),
            ("success", "-"),
            ("refused", "expired"),
            ("no_credentials", "missing_authorization"),
            ("refused", "unknown_key"),
        ]
    );
    assert_eq!(
        mine[0].1.fields.get("alg").map(String::as_str),
        Some("RS256")
    );
    assert_eq!(
        mine[0].1.fields.get("kid"),
        Some(&format!("{:?}", issuer.kid()))
    );
    assert_eq!(
        mine[0].1.fields.get("cache").map(String::as_str),
        Some("miss")
    );
    assert_eq!(
        mine[1].1.fields.get("cache").map(String::as_str),
        Some("hit")
    );
    let cut = mine[4].1.fields.get("kid").expect("kid recorded");
    assert!(
        cut.chars().count() <= jwt_guard::telemetry::MAX_KID_CHARS + 3,
        "kid not bounded: {cut}"
    );
    assert!(cut.contains(&"k".repeat(jwt_guard::telemetry::MAX_KID_CHARS)));

    // Levels: a refused token is DEBUG, never a warning; the key server's failure is.
    let in_mine = |e: &EventRec| e.span.is_some_and(|id| mine.iter().any(|(i, _)| **i == id));
    let refused: Vec<&EventRec> = events
        .iter()
        .filter(|e| {
            in_mine(e)
                && e.fields
                    .get("message")
                    .is_some_and(|m| m == "authentication failed")
        })
        .collect();
    assert_eq!(refused.len(), 2, "{refused:#?}");
    assert!(refused.iter().all(|e| e.level == tracing::Level::DEBUG));
    assert!(
        !events
            .iter()
            .any(|e| in_mine(e) && e.level <= tracing::Level::WARN),
        "a refused token logged as a warning"
    );
    let fetches: Vec<(&u64, &SpanRec)> = spans
        .iter()
        .filter(|(_, s)| s.name == "jwt_guard.jwks_fetch")
        .collect();
    let ok_fetch = fetches
        .iter()
        .find(|(_, s)| s.fields.get("strategy").map(String::as_str) == Some("tel-spans"))
        .expect("the fetch has its own span");
    assert_eq!(
        ok_fetch.1.fields.get("result").map(String::as_str),
        Some("ok")
    );
    let failed = fetches
        .iter()
        .find(|(_, s)| s.fields.get("strategy").map(String::as_str) == Some("tel-spans-down"))
        .expect("the failed fetch has its own span");
    assert_eq!(
        failed.1.fields.get("result").map(String::as_str),
        Some("error")
    );
    assert!(
        events.iter().any(|e| e.span == Some(*failed.0)
            && e.level == tracing::Level::WARN
            && e.fields
                .get("message")
                .is_some_and(|m| m.contains("JWK Set fetch failed"))),
        "the key server's failure is a warning in the fetch span"
    );
    let outage = spans
        .values()
        .find(|s| {
            s.fields.get("strategy").map(String::as_str) == Some("tel-spans-down")
                && s.name == "jwt_guard.authenticate"
        })
        .expect("the 503's span");
    assert_eq!(
        outage.fields.get("outcome").map(String::as_str),
        Some("error")
    );
    assert_eq!(
        outage.fields.get("reason").map(String::as_str),
        Some("keys_unavailable")
    );

    // No token in any span or event field.
    let everything = format!("{spans:?}{events:?}");
    for token in [&good, &expired, &unknown_kid] {
        let signature = token.rsplit('.').next().expect("signature");
        let payload = token.split('.').nth(1).expect("payload");
        assert!(!everything.contains(signature), "a signature was recorded");
        assert!(!everything.contains(payload), "a payload was recorded");
    }
}

// ── metrics, scraped over HTTP ───────────────────────────────────────────────────────

/// The value of one sample line `name{labels} value` whose labels include all of
/// `want`.
fn sample(scrape: &str, name: &str, want: &[(&str, &str)]) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (labels, value) = match rest.strip_prefix('{') {
            Some(rest) => rest.split_once("} ")?,
            None => ("", rest.strip_prefix(' ')?),
        };
        want.iter()
            .all(|(k, v)| labels.contains(&format!("{k}=\"{v}\"")))
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_scraped_over_http_match_the_requests() {
    let handle = init();
    let issuer = Issuer::start().await.expect("issuer");
    let registry = Registry::new();
    // A clone kept only to step the strategy's clock.
    let strategy = strategy_for(&issuer);
    registry
        .register("tel-metrics", strategy.clone())
        .expect("register");
    let scrape_registry = registry.clone();
    let handle = handle.clone();
    let app = Router::new()
        .route("/p", get(metrics_protected))
        .route(
            "/metrics",
            get(move || {
                let handle = handle.clone();
                let registry = scrape_registry.clone();
                async move {
                    jwt_guard::metrics::collect(&registry);
                    handle.render()
                }
            }),
        )
        .layer(axum::Extension(registry.clone()));
    let base = format!("http://{}", serve(app).await);
    let url = format!("{base}/p");
    let client = reqwest::Client::new();

    let reader = issuer.token(json!({ "sub": "alice", "scope": "orders:read" }));
    let other = issuer.token(json!({ "sub": "bob", "scope": "orders:write" }));
    let expired = issuer.token(json!({ "sub": "carol", "exp": now() - 60 }));
    for _ in 0..3 {
        assert_eq!(get_status(&client, &url, Some(&reader)).await, 200);
    }
    assert_eq!(get_status(&client, &url, Some(&other)).await, 403);
    assert_eq!(get_status(&client, &url, Some(&expired)).await, 401);
    assert_eq!(get_status(&client, &url, Some(&expired)).await, 401);
    assert_eq!(get_status(&client, &url, None).await, 401);

    let scrape = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    let s = [("strategy", "tel-metrics")];
    let auth = |outcome: &str, reason: &str| {
        sample(
            &scrape,
            "jwt_guard_authentications_total",
            &[s[0], ("outcome", outcome), ("reason", reason)],
        )
    };
    assert_eq!(
        auth("success", "none"),
        Some(4.0),
        "3 readers + the 403's authentication\n{scrape}"
    );
    assert_eq!(auth("refused", "expired"), Some(2.0), "{scrape}");
    assert_eq!(auth("no_credentials", "missing_authorization"), Some(1.0));
    assert_eq!(
        sample(
            &scrape,
            "jwt_guard_authorization_denied_total",
            &[s[0], ("reason", "insufficient_scope")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &scrape,
            "jwt_guard_authentication_duration_seconds_count",
            &[s[0], ("outcome", "success")]
        ),
        Some(4.0),
        "{scrape}"
    );
    assert_eq!(
        sample(
            &scrape,
            "jwt_guard_jwks_fetches_total",
            &[s[0], ("result", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &scrape,
            "jwt_guard_jwks_fetch_duration_seconds_count",
            &[s[0], ("result", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(sample(&scrape, "jwt_guard_jwks_keys", &s), Some(1.0));
    assert_eq!(sample(&scrape, "jwt_guard_jwks_stale", &s), Some(0.0));
    let due = sample(&scrape, "jwt_guard_jwks_refresh_due_seconds", &s).expect("due");
    assert!(due > 0.0 && due <= 600.0, "due in {due}s");
    // Cache: 2 readers hit; misses are the first reader, the 403's and both expired
    // (refused tokens are never cached).
    let cache = |result| {
        sample(
            &scrape,
            "jwt_guard_token_cache_total",
            &[s[0], ("result", result)],
        )
    };
    assert_eq!(cache("hit"), Some(2.0), "{scrape}");
    assert_eq!(cache("miss"), Some(4.0), "{scrape}");
    // Evictions: a cache of 2 entries, 6 distinct tokens verified; every token is held
    // or was evicted.
    let mut small = jwt_guard::cache::TokenCacheConfig::default();
    small.max_entries = 2;
    let evicting = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .token_cache(small)
        .build()
        .expect("strategy");
    registry
        .register("tel-evict", evicting.clone())
        .expect("register");
    for i in 0..6 {
        let token = issuer.token(json!({ "sub": format!("user-{i}") }));
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        registry
            .authenticate(&["tel-evict"], &headers)
            .await
            .expect("verified");
    }
    let scrape_now = || async {
        client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("scrape")
            .text()
            .await
            .expect("body")
    };
    let later = scrape_now().await;
    let evicted = sample(
        &later,
        "jwt_guard_token_cache_evictions_total",
        &[("strategy", "tel-evict")],
    )
    .expect("evictions counted");
    assert!(evicting.cached_tokens() <= 2);
    assert_eq!(
        evicted as usize + evicting.cached_tokens(),
        6,
        "held + evicted = inserted\n{later}"
    );

    // No label value taken from a token.
    for line in scrape.lines().filter(|l| l.contains("tel-metrics")) {
        assert!(
            !line.contains("alice") && !line.contains(&issuer.kid()),
            "{line}"
        );
    }

    // The key server stops answering; the set goes stale, then unusable.
    issuer.control(|c| c.status = Some(500));
    // The engine, found by name: no clone needed.
    let engine = registry
        .strategy("tel-metrics")
        .expect("registered")
        .key_engines()
        .pop()
        .expect("a key engine");
    // Past the max age (10 min): stale.
    jwt_guard::testkit::advance_clock(&strategy, Duration::from_secs(601));
    assert_eq!(get_status(&client, &url, Some(&reader)).await, 200);
    jwt_guard::testkit::settle(&engine).await;
    let scrape = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    assert_eq!(
        sample(&scrape, "jwt_guard_jwks_stale", &s),
        Some(1.0),
        "{scrape}"
    );
    assert_eq!(
        sample(&scrape, "jwt_guard_jwks_refresh_due_seconds", &s),
        Some(0.0)
    );
    assert!(
        sample(
            &scrape,
            "jwt_guard_jwks_fetches_total",
            &[s[0], ("result", "error")]
        )
        .is_some_and(|n| n >= 1.0),
        "{scrape}"
    );
}

// ── readiness ────────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_handlers_answer_503_then_200() {
    init();
    let issuer = Issuer::start().await.expect("issuer");
    let registry = Registry::new();
    let strategy = strategy_for(&issuer);
    registry
        .register("tel-ready", strategy.clone())
        .expect("register");
    registry
        .register(
            "tel-ready-pinned",
            JwtStrategy::builder()
                .issuer("https://pinned.example")
                .rsa_pem(issuer.public_key_pem(&issuer.kid()).as_bytes(), None)
                .build()
                .expect("pinned"),
        )
        .expect("register");
    let app = Router::new()
        .route("/ready", get(jwt_guard::axum::readiness))
        .layer(axum::Extension(registry.clone()));
    let url = format!("http://{}/ready", serve(app).await);
    let client = reqwest::Client::new();

    let probe = |client: reqwest::Client, url: String| async move {
        let response = client.get(url).send().await.expect("probe");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("json");
        (status, body)
    };
    // Nothing fetched yet: not ready, and the probe starts the fetch.
    let (status, body) = probe(client.clone(), url.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["ready"], false);
    assert!(
        body["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("tel-ready")),
        "{body}"
    );
    let pinned = body["strategies"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == "tel-ready-pinned"))
        .expect("listed");
    assert_eq!(pinned["ready"], true);
    jwt_guard::testkit::settle(strategy.jwks().expect("remote")).await;
    let (status, body) = probe(client.clone(), url.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ready"], true);
    let engine = &body["strategies"][0]["key_engines"][0];
    assert_eq!(engine["keys"], 1, "{body}");
    assert_eq!(engine["stale"], false);
    assert!(
        engine["refresh_due_in_s"]
            .as_u64()
            .is_some_and(|s| s > 0 && s <= 480)
    );
    assert_eq!(issuer.jwks_requests(), 1, "the probe fetched once");

    // The key server fails for longer than stale_for (24 h past the max age): not ready.
    issuer.control(|c| c.status = Some(500));
    jwt_guard::testkit::advance_clock(&strategy, Duration::from_secs(601));
    let (status, body) = probe(client.clone(), url.clone()).await;
    assert_eq!(status, 200, "stale but usable: {body}");
    jwt_guard::testkit::settle(strategy.jwks().expect("remote")).await;
    let (_, body) = probe(client.clone(), url.clone()).await;
    assert_eq!(
        body["strategies"][0]["key_engines"][0]["stale"], true,
        "{body}"
    );
    jwt_guard::testkit::advance_clock(&strategy, Duration::from_secs(24 * 3600));
    let (status, body) = probe(client.clone(), url.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("500")),
        "the reason names the failure: {body}"
    );

    // actix-web's handler, on a server of its own, reads `App::app_data(registry)`.
    let (tx, rx) = std::sync::mpsc::channel();
    let actix_registry = registry.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new()
                    .app_data(actix_registry.clone())
                    .route(
                        "/ready",
                        actix_web::web::get().to(jwt_guard::actix::readiness),
                    )
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .expect("bind");
            let _ = tx.send(server.addrs()[0]);
            let _ = server.run().await;
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(10)).expect("actix up");
    let (status, body) = probe(client.clone(), format!("http://{addr}/ready")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["ready"], false);
    issuer.control(|c| c.status = None);
    strategy
        .jwks()
        .expect("remote")
        .warm_up()
        .await
        .expect("recovered");
    let (status, body) = probe(client, format!("http://{addr}/ready")).await;
    assert_eq!(status, 200, "{body}");
}

// ── the metrics example, run and scraped ─────────────────────────────────────────────

/// The example binary `cargo test --workspace` builds (examples/examples/metrics.rs).
fn metrics_example() -> std::path::PathBuf {
    let path = jwt_guard_tests::target_dir().join("debug/examples/metrics");
    assert!(
        path.is_file(),
        "the metrics example is not built ({}): run the README's test command, \
         `cargo test --workspace --all-features`, which builds it, or \
         `cargo build -p jwt-guard-examples --example metrics`",
        path.display()
    );
    path
}

/// Stops the example when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_example_serves_the_figures_of_its_requests() {
    let binary = metrics_example();
    let mut child = Child(
        std::process::Command::new(binary)
            .env("PORT", "0")
            .env("RUST_LOG", "off")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the example"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    // Its printout: the address, then the curl lines with a token. The pipe is read to
    // its end, so the example never writes into a closed one.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        let mut addr = None;
        let mut sent = false;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on http://").nth(1) {
                addr = Some(rest.trim().to_owned());
            }
            if let Some(rest) = line.split("Bearer ").nth(1)
                && !sent
            {
                let token = rest.split('\'').next().unwrap_or_default().to_owned();
                let _ = tx.send((addr.clone().unwrap_or_default(), token));
                sent = true;
            }
        }
    });
    let (addr, token) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the example printed its address and a token");
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let url = format!("{base}/orders");
    assert_eq!(get_status(&client, &url, Some(&token)).await, 200);
    assert_eq!(get_status(&client, &url, Some(&token)).await, 200);
    assert_eq!(get_status(&client, &url, None).await, 401);
    assert_eq!(get_status(&client, &url, Some("not.a.jwt")).await, 401);
    assert_eq!(
        get_status(&client, &format!("{base}/ready"), None).await,
        200
    );
    let scrape = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    let s = ("strategy", "jwt");
    let auth = |outcome: &str, reason: &str| {
        sample(
            &scrape,
            "jwt_guard_authentications_total",
            &[s, ("outcome", outcome), ("reason", reason)],
        )
    };
    assert_eq!(auth("success", "none"), Some(2.0), "{scrape}");
    assert_eq!(auth("no_credentials", "missing_authorization"), Some(1.0));
    assert_eq!(auth("refused", "malformed"), Some(1.0), "{scrape}");
    assert_eq!(
        sample(
            &scrape,
            "jwt_guard_jwks_fetches_total",
            &[s, ("result", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(sample(&scrape, "jwt_guard_jwks_keys", &[s]), Some(1.0));
    assert_eq!(sample(&scrape, "jwt_guard_jwks_stale", &[s]), Some(0.0));
    // Buckets, as the example configures them.
    assert!(
        scrape.contains("jwt_guard_authentication_duration_seconds_bucket{"),
        "{scrape}"
    );
    assert!(
        scrape.contains("# HELP jwt_guard_authentications_total"),
        "described"
    );
}
