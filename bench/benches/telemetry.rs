//! What the spans and metrics of issue 14 cost per request: the guard path (registry →
//! RS256 strategy with pinned keys → principal), timed without any recorder or
//! subscriber (A) against the same call with a Prometheus recorder
//! (metrics-exporter-prometheus) and/or a `tracing` fmt subscriber at INFO or DEBUG
//! writing to a sink (B). The recorder is installed as the global one, as a service
//! does (A and the rows without it run under the no-op recorder set for the thread);
//! one row also has a Prometheus recorder set for the thread only
//! (`metrics::with_local_recorder`, as tests do: the keys prebuilt, no cached handles).
//! Alternating batches (ABAB…, the order flipped every pair), one ratio per pair; the
//! median and quartiles are reported.
//!
//! `cargo bench -p jwt-guard-bench --features telemetry --bench telemetry` (add `-- --quick` for a short
//! run). Prints Markdown rows for BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use http::HeaderMap;
use jwt_guard::TokenCacheConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Algorithm, JwtStrategy, Registry};
use jwt_guard_bench::{Pairs, interleave};
use metrics_exporter_prometheus::PrometheusBuilder;
use serde_json::json;
use tracing_subscriber::layer::SubscriberExt as _;

fn headers(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    headers
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (pairs, target) = if quick {
        (11, Duration::from_millis(5))
    } else {
        (101, Duration::from_millis(20))
    };
    let issuer = Issuer::offline("https://bench.issuer.test").expect("issuer");
    let jwks = issuer.jwks().to_string();
    let registry = Registry::new();
    let strategy = |cache: bool| {
        let mut builder = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .algorithms([Algorithm::RS256])
            .jwks_json(jwks.as_bytes());
        if cache {
            builder = builder.token_cache(TokenCacheConfig::default());
        }
        builder.build().expect("strategy")
    };
    registry.register("rs", strategy(false)).expect("register");
    registry
        .register("rs-cached", strategy(true))
        .expect("register");
    // The global recorder (a service's), and one set per thread (a test's).
    metrics::set_global_recorder(PrometheusBuilder::new().build_recorder())
        .expect("first global recorder");
    let local = PrometheusBuilder::new().build_recorder();
    let none = metrics::NoopRecorder;
    // An operator's subscriber: fmt to a sink, at INFO (the authentication span is
    // DEBUG: off) and at DEBUG (on).
    let fmt_at = |level| {
        tracing::Dispatch::new(
            tracing_subscriber::fmt()
                .with_max_level(level)
                .with_writer(std::io::sink)
                .finish(),
        )
    };
    let info = fmt_at(tracing::Level::INFO);
    let debug = fmt_at(tracing::Level::DEBUG);

    println!(
        "| B (A: the same call, no recorder or subscriber) | A per op | B per op | B / A: median | p25 – p75 | B − A (median) |"
    );
    println!("|---|---|---|---|---|---|");
    let token = issuer.token(json!({ "sub": "bench-user", "scope": "orders:read" }));
    let headers = headers(&token);
    for (name, label) in [
        ("rs", "RS256 verification (guard path)"),
        ("rs-cached", "token-cache hit (guard path)"),
    ] {
        let call = || {
            registry
                .authenticate(&[name], &headers)
                .now_or_never()
                .expect("no wait once keys are pinned")
                .expect("verified")
        };
        // B measures something: the span is created and the counter moves.
        let spans = SpanCount::default();
        let seen = std::sync::Arc::clone(&spans.0);
        let counting = tracing_subscriber::registry().with(spans);
        tracing::subscriber::with_default(counting, || black_box(call()));
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::Relaxed),
            1,
            "one jwt_guard.authenticate span per call"
        );
        let start = Instant::now();
        black_box(call());
        let one = start.elapsed().max(Duration::from_nanos(100));
        let batch = (target.as_nanos() / one.as_nanos()).clamp(10, 200_000) as usize;
        let mut bare = |n: usize| {
            metrics::with_local_recorder(&none, || {
                for _ in 0..n {
                    black_box(call());
                }
            })
        };
        let cases: [(&str, Rec, Option<&tracing::Dispatch>); 6] = [
            ("Prometheus recorder", Rec::Global, None),
            ("Prometheus recorder for the thread only", Rec::Local, None),
            ("fmt subscriber at INFO (span off)", Rec::None, Some(&info)),
            ("fmt subscriber at DEBUG (span on)", Rec::None, Some(&debug)),
            ("recorder + fmt at INFO", Rec::Global, Some(&info)),
            ("recorder + fmt at DEBUG", Rec::Global, Some(&debug)),
        ];
        for (what, rec, subscriber) in cases {
            let run = |n: usize| {
                for _ in 0..n {
                    black_box(call());
                }
            };
            let mut observed = |n: usize| {
                let traced = || match subscriber {
                    Some(dispatch) => tracing::dispatcher::with_default(dispatch, || run(n)),
                    None => run(n),
                };
                match rec {
                    Rec::Global => traced(),
                    Rec::Local => metrics::with_local_recorder(&local, traced),
                    Rec::None => metrics::with_local_recorder(&none, traced),
                }
            };
            let result = interleave(pairs, batch, true, &mut bare, &mut observed);
            row(&format!("{label}: B {what}"), &result);
        }
    }
}

/// Which recorder side B runs under.
#[derive(Clone, Copy)]
enum Rec {
    /// The global Prometheus recorder.
    Global,
    /// A Prometheus recorder set for the thread.
    Local,
    /// The no-op recorder set for the thread (as with none installed).
    None,
}

/// Counts the `jwt_guard.authenticate` spans created.
#[derive(Default)]
struct SpanCount(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SpanCount {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _id: &tracing::span::Id,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if attrs.metadata().name() == "jwt_guard.authenticate" {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// One Markdown row: A is always the same call with no recorder and no subscriber.
fn row(label: &str, result: &Pairs) {
    println!("| {label} | {} |", result.cells());
}
