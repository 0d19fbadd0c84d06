//! The Redis replay store against a real `redis-server` on 127.0.0.1: two server
//! processes sharing one Redis refuse each other's used proofs, and Redis down, refusing
//! connections or never answering fails closed with a 503 and `Retry-After`; a Redis that
//! may evict keys is refused, and a full one refuses new proofs but forgets no used one.
//!
//! Needs `redis-server` on the PATH (Debian package `redis-server`; `.ci/run` installs
//! it). Without it the tests say so and pass locally; with `CI=true` they fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use jwt_guard::dpop::{DpopConfig, RedisReplayStore};
use jwt_guard::policy::Policy;
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::tower::AuthLayer;
use jwt_guard::{Algorithm, JwtStrategy, Principal, Registry};
use jwt_guard_tests::client::{Answer, answer};
use jwt_guard_tests::{runtime, server};
use serde_json::json;

/// The origin both replicas stand behind (a load balancer's).
const ORIGIN: &str = "https://api.example.test";
const REPLICA_ENV: &str = "JWT_GUARD_DPOP_REPLICA";

// ── redis-server ────────────────────────────────────────────────────────────────────

/// A `redis-server` child on a free 127.0.0.1 port, killed on drop.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Debian's `redis-server`, installed by `tests/redis/setup.sh` on first use when it
    /// is missing (root and apt-get); without it the suite fails, saying how to install it.
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`start`](Self::start) with more `redis-server` arguments.
    fn start_with(args: &[&str]) -> Self {
        if which("redis-server").is_none() {
            jwt_guard_tests::install("redis");
        }
        let binary = which("redis-server").expect(
            "redis-server is not on PATH after tests/redis/setup.sh: apt-get install redis-server",
        );
        let port = free_port();
        let child = Command::new(binary)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let server = Self { child, port };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("redis-server did not listen on 127.0.0.1:{port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Runs one command (RESP on a socket) and returns the raw reply.
    fn command(&self, args: &[&str]) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream.write_all(request.as_bytes()).expect("send");
        let mut reply = [0u8; 512];
        let n = stream.read(&mut reply).expect("reply");
        String::from_utf8_lossy(&reply[..n]).into_owned()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn which(binary: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(binary))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

// ── the service ─────────────────────────────────────────────────────────────────────

async fn me(principal: Principal) -> String {
    principal.dpop_thumbprint().unwrap_or("bearer").to_owned()
}

/// A DPoP-required app whose replay store is Redis at `redis_url`, on a free port.
async fn serve(issuer: &str, jwks_uri: &str, redis_url: &str) -> SocketAddr {
    let store = RedisReplayStore::new(redis_url)
        .expect("store")
        .timeout(Duration::from_secs(1))
        .retry_after(Duration::from_secs(2));
    let strategy = JwtStrategy::builder()
        .issuer(issuer)
        .jwks_uri(jwks_uri)
        .dpop(
            DpopConfig::required()
                .algorithms([Algorithm::ES256])
                .external_origin(ORIGIN)
                .replay_store(store),
        )
        .build()
        .expect("strategy");
    let registry = Registry::new();
    registry.register("redis-dpop", strategy).expect("register");
    let policy = Policy::builder("redis dpop", ["redis-dpop"])
        .registry(registry)
        .build()
        .expect("policy");
    let app = Router::new()
        .route("/me", get(me))
        .layer(AuthLayer::new(policy));
    server::serve(app).await
}

/// The entry point of a replica process: this test binary run again with
/// `JWT_GUARD_DPOP_REPLICA=<issuer> <jwks uri> <redis url>`, which serves until killed and
/// prints its address. In an ordinary run this test only checks that it is not a replica.
#[test]
fn replica_process() {
    let Ok(spec) = std::env::var(REPLICA_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.split(' ').collect();
    let [issuer, jwks_uri, redis_url] = parts[..] else {
        panic!("{REPLICA_ENV} needs three values");
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let addr = serve(issuer, jwks_uri, redis_url).await;
        println!("REPLICA LISTENING {addr}");
        std::future::pending::<()>().await;
    });
}

/// A replica process, killed on drop.
struct Replica {
    child: Child,
    addr: String,
}

impl Replica {
    fn start(issuer: &Issuer, redis: &RedisServer) -> Self {
        let spec = format!("{} {} {}", issuer.issuer(), issuer.jwks_uri(), redis.url());
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "replica_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(REPLICA_ENV, spec)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a replica");
        let stdout = child.stdout.take().expect("stdout");
        let addr = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            // libtest prints `test replica_process ... ` first, on the same line.
            .find_map(|line| {
                line.split_once("REPLICA LISTENING ")
                    .map(|(_, addr)| addr.trim().to_owned())
            })
            .expect("the replica did not start");
        Self {
            child,
            addr: format!("http://{addr}"),
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static ISSUER: LazyLock<Issuer> =
    LazyLock::new(|| runtime::on_own_runtime(|| async { Issuer::start().await.expect("issuer") }));

async fn call(base: &str, token: &str, proof: &str) -> Answer {
    let request = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
        .get(format!("{base}/me"))
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof);
    answer(request).await
}

fn bound(key: &DpopKey) -> String {
    ISSUER.token(json!({ "sub": "ada", "cnf": key.cnf() }))
}

fn proof(key: &DpopKey, token: &str) -> String {
    key.proof("GET", &format!("{ORIGIN}/me"), Some(token))
}

// ── the tests ───────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_proof_accepted_by_one_process_is_refused_by_the_other() {
    let redis = RedisServer::start();
    let (a, b) = (
        Replica::start(&ISSUER, &redis),
        Replica::start(&ISSUER, &redis),
    );
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let token = bound(&key);
    let used = proof(&key, &token);
    assert_eq!(call(&a.addr, &token, &used).await.status, 200);
    let replayed = call(&b.addr, &token, &used).await;
    assert_eq!(replayed.status, 401);
    assert_eq!(
        replayed.challenge.as_deref(),
        Some(r#"DPoP error="invalid_dpop_proof", algs="ES256""#)
    );
    assert_eq!(call(&a.addr, &token, &used).await.status, 401);
    // A fresh proof passes on either.
    assert_eq!(
        call(&b.addr, &token, &proof(&key, &token)).await.status,
        200
    );

    // The same proof raced to both processes at once: exactly one acceptance.
    let racing = proof(&key, &token);
    let calls = (0..8).map(|i| {
        let base = if i % 2 == 0 { &a.addr } else { &b.addr };
        call(base, &token, &racing)
    });
    let statuses: Vec<u16> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|a| a.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn redis_going_down_fails_closed() {
    let mut redis = RedisServer::start();
    let addr = serve(ISSUER.issuer(), &ISSUER.jwks_uri(), &redis.url()).await;
    let base = format!("http://{addr}");
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let token = bound(&key);
    assert_eq!(call(&base, &token, &proof(&key, &token)).await.status, 200);
    redis.kill();
    for _ in 0..3 {
        let answer = call(&base, &token, &proof(&key, &token)).await;
        assert_eq!(answer.status, 503);
        assert_eq!(answer.header("retry-after").as_deref(), Some("2"));
        assert_eq!(answer.challenge, None);
    }
}

#[tokio::test]
async fn nothing_listening_fails_closed() {
    let port = free_port();
    let addr = serve(
        ISSUER.issuer(),
        &ISSUER.jwks_uri(),
        &format!("redis://127.0.0.1:{port}/"),
    )
    .await;
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let token = bound(&key);
    let answer = call(&format!("http://{addr}"), &token, &proof(&key, &token)).await;
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("retry-after").as_deref(), Some("2"));
}

#[tokio::test]
async fn a_redis_that_never_answers_fails_closed_after_the_timeout() {
    // Accepts connections and reads, never writes a byte.
    let silent = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let silent_addr = silent.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let addr = serve(
        ISSUER.issuer(),
        &ISSUER.jwks_uri(),
        &format!("redis://{silent_addr}/"),
    )
    .await;
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let token = bound(&key);
    for _ in 0..2 {
        let answer = call(&format!("http://{addr}"), &token, &proof(&key, &token)).await;
        assert_eq!(answer.status, 503);
        assert_eq!(answer.header("retry-after").as_deref(), Some("2"));
    }
}

#[tokio::test]
async fn a_redis_that_may_evict_proofs_is_refused() {
    let redis = RedisServer::start_with(&["--maxmemory-policy", "allkeys-lru"]);
    let addr = serve(ISSUER.issuer(), &ISSUER.jwks_uri(), &redis.url()).await;
    let base = format!("http://{addr}");
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let token = bound(&key);
    // An LRU Redis may forget a used proof before its window ends: never trusted.
    for _ in 0..2 {
        let answer = call(&base, &token, &proof(&key, &token)).await;
        assert_eq!(answer.status, 503);
        assert_eq!(answer.header("retry-after").as_deref(), Some("2"));
        assert_eq!(answer.challenge, None);
    }
}

#[tokio::test]
async fn a_full_redis_refuses_new_proofs_and_still_refuses_used_ones() {
    let redis = RedisServer::start();
    let addr = serve(ISSUER.issuer(), &ISSUER.jwks_uri(), &redis.url()).await;
    let base = format!("http://{addr}");
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let token = bound(&key);
    let used = proof(&key, &token);
    assert_eq!(call(&base, &token, &used).await.status, 200);
    // Redis at its maxmemory (noeviction): every write is an OOM error.
    assert_eq!(
        redis.command(&["CONFIG", "SET", "maxmemory", "1"]),
        "+OK\r\n"
    );
    for _ in 0..3 {
        let answer = call(&base, &token, &proof(&key, &token)).await;
        assert_eq!(answer.status, 503);
        assert_eq!(answer.header("retry-after").as_deref(), Some("2"));
    }
    // The used proof is still known: a replay, not a "try again".
    let replayed = call(&base, &token, &used).await;
    assert_eq!(replayed.status, 401);
    assert_eq!(
        replayed.challenge.as_deref(),
        Some(r#"DPoP error="invalid_dpop_proof", algs="ES256""#)
    );
    // Room again: new proofs pass, the used one stays refused.
    assert_eq!(
        redis.command(&["CONFIG", "SET", "maxmemory", "0"]),
        "+OK\r\n"
    );
    assert_eq!(call(&base, &token, &proof(&key, &token)).await.status, 200);
    assert_eq!(call(&base, &token, &used).await.status, 401);
}
