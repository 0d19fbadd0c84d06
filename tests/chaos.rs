//! Chaos: for a bounded time (`JWT_GUARD_CHAOS_SECS`, default 20 s), a randomized
//! schedule of rotations, 500s, timeouts, slow bodies, garbage and recoveries at a real
//! key server on 127.0.0.1, with concurrent requests to a cached and an uncached
//! strategy throughout. Checked all along:
//!
//! - a token whose key left the set is refused once a set without it is in place (a
//!   fetch answered before the retirement may still land within one fetch timeout);
//! - after the key server recovers, each engine fetches successfully within the failure
//!   backoff plus one max age and one fetch timeout (the refresh waits for the set to be
//!   due) — a liveness bound, with slack for a loaded machine;
//! - no request waits longer than the fetch timeout (plus slack);
//! - memory stays bounded: the token cache within its bounds, the process's live heap
//!   under a fixed ceiling.
//!
//! The seed is printed; `JWT_GUARD_CHAOS_SEED` replays a schedule (the timing still varies).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use jwt_guard::cache::TokenCacheConfig;
use jwt_guard::jwks::JwksConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Algorithm, JwtStrategy};
use serde_json::json;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const TIMEOUT: Duration = Duration::from_millis(500);
const BACKOFF: Duration = Duration::from_millis(200);
const MAX_AGE: Duration = Duration::from_secs(1);
const SLACK: Duration = Duration::from_secs(2);
const MAX_ENTRIES: usize = 200;
const MAX_BYTES: u64 = 256 * 1024;
/// The live heap of the whole test process may not grow past this.
const HEAP_CEILING: i64 = 64 * 1024 * 1024;

fn live_heap() -> i64 {
    let stats = GLOBAL.stats();
    stats.bytes_allocated as i64 - stats.bytes_deallocated as i64
}

type Fault = fn(&mut jwt_guard::testkit::Control);

use jwt_guard_tests::rng::Rng;

/// What the workers share with the schedule.
#[derive(Default)]
struct World {
    /// Tokens by kid.
    tokens: Vec<(String, String)>,
    /// When each retired kid left the served set (never published again).
    retired: HashMap<String, Instant>,
}

#[derive(Default)]
struct Tally {
    verdicts: BTreeMap<(bool, u16), u64>,
    max_wait: Duration,
    violations: Vec<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_at_the_key_server() {
    let secs: u64 = std::env::var("JWT_GUARD_CHAOS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("JWT_GUARD_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("chaos: {secs} s, seed {seed}");
    let issuer = Arc::new(Issuer::start().await.expect("issuer"));
    issuer.control(|c| c.cache_control = Some("max-age=1".into()));
    let mut config = JwksConfig::default();
    config.timeout = TIMEOUT;
    config.failure_backoff = BACKOFF;
    config.min_max_age = MAX_AGE;
    config.unknown_kid_cooldown = Duration::from_millis(300);
    let mut cache = TokenCacheConfig::default();
    cache.max_entries = MAX_ENTRIES;
    cache.max_bytes = MAX_BYTES;
    let build = |cached: bool| {
        let mut b = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .jwks_config(config.clone());
        if cached {
            b = b.token_cache(cache.clone());
        }
        b.build().expect("strategy")
    };
    let strategies = [build(true), build(false)];
    for s in &strategies {
        s.jwks().unwrap().warm_up().await.expect("warm-up");
    }

    let world = Arc::new(Mutex::new(World::default()));
    let first = issuer.kid();
    lock(&world)
        .tokens
        .push((first.clone(), issuer.token(json!({ "sub": "t0" }))));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let heap_start = live_heap();

    // Workers: random tokens, both strategies, all along.
    let mut workers = Vec::new();
    for w in 0..6u64 {
        let (world, tally, stop) = (Arc::clone(&world), Arc::clone(&tally), Arc::clone(&stop));
        let strategies = strategies.clone();
        workers.push(tokio::spawn(async move {
            let mut rng = Rng(seed ^ (w + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            while !stop.load(Ordering::Relaxed) {
                let (kid, token, retired_at) = {
                    let world = lock(&world);
                    let n = world.tokens.len();
                    let pick = if rng.below(10) < 7 {
                        n - 1 - rng.below(n.min(8))
                    } else {
                        rng.below(n)
                    };
                    let (kid, token) = world.tokens[pick].clone();
                    let retired_at = world.retired.get(&kid).copied();
                    (kid, token, retired_at)
                };
                let which = rng.below(2);
                let strategy = &strategies[which];
                let held = strategy.jwks().unwrap().status().kids;
                let started = Instant::now();
                let result = strategy.verify_token(&token).await;
                let waited = started.elapsed();
                {
                let mut tally = lock(&tally);
                tally.max_wait = tally.max_wait.max(waited);
                let status = result.as_ref().map_or_else(|e| e.status().as_u16(), |_| 200);
                *tally.verdicts.entry((which == 0, status)).or_default() += 1;
                if waited > TIMEOUT + SLACK {
                    tally
                        .violations
                        .push(format!("a request waited {waited:?} (cached: {})", which == 0));
                }
                if let Some(at) = retired_at
                    && result.is_ok()
                    && !held.contains(&kid)
                    && started > at + TIMEOUT + Duration::from_millis(200)
                {
                    tally.violations.push(format!(
                        "retired key {kid} accepted {:?} after retirement (cached: {}), set {held:?}",
                        started - at,
                        which == 0
                    ));
                }
                }
                tokio::time::sleep(Duration::from_millis(rng.below(5) as u64)).await;
            }
        }));
    }

    // The schedule at the key server.
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut published = vec![first];
    let mut heap_peak = 0i64;
    let mut actions = BTreeMap::<&str, u32>::new();
    let mut slowest_recovery = Duration::ZERO;
    let mut minted = 1;
    while Instant::now() < deadline {
        let fault: Option<(&str, Fault)> = match rng.below(8) {
            0 => Some(("500", |c| c.status = Some(500))),
            1 => Some(("timeout", |c| c.delay = Some(Duration::from_millis(1500)))),
            2 => Some(("slow body", |c| {
                c.slow_body = Some(Duration::from_millis(40))
            })),
            3 => Some(("garbage", |c| c.body = Some("{\"keys\": [garbage".into()))),
            _ => None,
        };
        match fault {
            Some((name, apply)) => {
                *actions.entry(name).or_default() += 1;
                issuer.control(apply);
                tokio::time::sleep(Duration::from_millis(300 + rng.below(1500) as u64)).await;
                // Recovery: the engines must fetch successfully again, within the bound.
                issuer.control(|c| {
                    *c = Default::default();
                    c.cache_control = Some("max-age=1".into());
                });
                let recovered_at = SystemTime::now();
                let started = Instant::now();
                let bound = BACKOFF + MAX_AGE + TIMEOUT + SLACK;
                loop {
                    let done = strategies.iter().all(|s| {
                        s.jwks()
                            .unwrap()
                            .status()
                            .last_success
                            .is_some_and(|t| t > recovered_at)
                    });
                    if done {
                        break;
                    }
                    if started.elapsed() > bound {
                        lock(&tally).violations.push(format!(
                            "no successful fetch {bound:?} after recovery from {name}: {:?}",
                            strategies
                                .iter()
                                .map(|s| s.jwks().unwrap().status())
                                .collect::<Vec<_>>()
                        ));
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                slowest_recovery = slowest_recovery.max(started.elapsed());
            }
            None => {
                // Rotation: a new key in, and often the oldest out.
                *actions.entry("rotation").or_default() += 1;
                let kid = issuer.add_key(Algorithm::RS256).expect("key");
                published.push(kid.clone());
                {
                    let mut world = lock(&world);
                    for _ in 0..3 {
                        minted += 1;
                        let token = issuer.token_with(&kid, json!({ "sub": format!("t{minted}") }));
                        world.tokens.push((kid.clone(), token));
                    }
                    if published.len() > 2 || rng.below(2) == 0 && published.len() > 1 {
                        let old = published.remove(0);
                        issuer.set_published(&old, false);
                        world.retired.insert(old, Instant::now());
                    }
                    // Keep the pool bounded: the newest tokens and a sample of older ones.
                    if world.tokens.len() > 400 {
                        world.tokens.drain(0..100);
                    }
                }
                tokio::time::sleep(Duration::from_millis(200 + rng.below(800) as u64)).await;
            }
        }
        let cached = &strategies[0];
        if cached.cached_tokens() > MAX_ENTRIES
            || jwt_guard::testkit::cached_weight(cached) > MAX_BYTES
        {
            lock(&tally).violations.push(format!(
                "token cache over its bounds: {} entries, {} bytes",
                cached.cached_tokens(),
                jwt_guard::testkit::cached_weight(cached)
            ));
        }
        heap_peak = heap_peak.max(live_heap() - heap_start);
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.expect("worker");
    }
    heap_peak = heap_peak.max(live_heap() - heap_start);

    let tally = lock(&tally);
    let requests: u64 = tally.verdicts.values().sum();
    let fetches: Vec<_> = strategies
        .iter()
        .map(|s| {
            let st = s.jwks().unwrap().status();
            (st.fetches, st.failures)
        })
        .collect();
    eprintln!(
        "chaos: {secs} s, seed {seed}: {requests} requests, verdicts (cached, status) {:?}; \
         actions {actions:?}; (fetches, failures) cached {:?} uncached {:?}; key server \
         requests {}; max request wait {:?}; slowest recovery {slowest_recovery:?}; \
         live heap growth peak {} KiB; cache {} entries / {} bytes",
        tally.verdicts,
        fetches[0],
        fetches[1],
        issuer.jwks_requests(),
        tally.max_wait,
        heap_peak / 1024,
        strategies[0].cached_tokens(),
        jwt_guard::testkit::cached_weight(&strategies[0]),
    );
    assert!(tally.violations.is_empty(), "{:#?}", tally.violations);
    assert!(
        heap_peak < HEAP_CEILING,
        "live heap grew by {heap_peak} bytes"
    );
    // The schedule really exercised both outcomes.
    assert!(
        tally.verdicts.keys().any(|(_, s)| *s == 200),
        "{:?}",
        tally.verdicts
    );
    assert!(
        tally.verdicts.keys().any(|(_, s)| *s == 401),
        "{:?}",
        tally.verdicts
    );
}
