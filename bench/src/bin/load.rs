//! The load benchmark's own servers and its gRPC load client (`bench/load.sh` runs them;
//! wrk drives the HTTP targets, this binary the gRPC ones, as wrk speaks no HTTP/2).
//!
//! ```text
//! load layer PORT ISSUER [cache]       axum: GET /protected behind jwt_guard::tower::AuthLayer
//! load introspection PORT              the same route, an IntrospectionStrategy (cache on)
//! load status PORT                     the same route, a JwtStrategy checking a status list
//! load grpc PORT ISSUER [open|cache]   tonic: orders.v1.Orders behind GrpcAuthLayer (or none)
//! load grpc-client ADDR TOKEN SECONDS CONNECTIONS STREAMS
//! ```
//!
//! Every server binds 127.0.0.1 only and takes its keys from ISSUER's JWKS (the example
//! server's embedded issuer), so that all targets check the same token with the same key.
//! The client opens CONNECTIONS HTTP/2 connections with STREAMS requests in flight on each,
//! calls `Get` for SECONDS, checks every answer (status OK and the order's owner), and
//! prints one line: `requests ok failed req/s p50_us p99_us`.
//!
//! `introspection` serves an RFC 7662 endpoint of its own on 127.0.0.1 (client_secret_basic,
//! answering `active: true` for one opaque token) and guards the route with an
//! `IntrospectionStrategy` with its result cache on: wrk sends that one token, so the route
//! measures the cache-hit path. `status` starts a testkit issuer of its own (its key set on
//! 127.0.0.1), serves a Status List Token signed with that issuer's key on 127.0.0.1, and
//! guards the route with a `JwtStrategy` like `layer cache`'s plus
//! `status_list(StatusListConfig::check())`: the token it mints points at an index of the
//! list. Both print `token: TOKEN` (the one to send) once they listen.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jwt_guard::TokenCacheConfig;
use jwt_guard::status_list::StatusListConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::tonic::GrpcAuthLayer;
use jwt_guard::tower::AuthLayer;
use jwt_guard::{IntrospectionCacheConfig, IntrospectionStrategy, Policy, Strategy};
use jwt_guard::{JwtStrategy, Principal, Registry};
use tonic::{Request, Response, Status};

#[allow(
    unreachable_pub,
    clippy::unwrap_used,
    missing_debug_implementations,
    reason = "generated code"
)]
mod proto {
    tonic::include_proto!("orders.v1");
}
use proto::orders_client::OrdersClient;
use proto::orders_server::{Orders, OrdersServer};
use proto::{GetRequest, Order};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: no runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = runtime.block_on(async {
        match args.as_slice() {
            ["layer", port, issuer, rest @ ..] => layer(port, issuer, rest).await,
            ["grpc", port, issuer, rest @ ..] => grpc(port, issuer, rest).await,
            ["introspection", port] => introspection(port).await,
            ["status", port] => status(port).await,
            ["grpc-client", addr, token, seconds, connections, streams] => {
                grpc_client(addr, token, seconds, connections, streams).await
            }
            _ => Err("usage: see the header of bench/src/bin/load.rs".to_owned()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn port(port: &str) -> Result<u16, String> {
    port.parse().map_err(|_| format!("not a port: {port}"))
}

/// A strategy like the example server's: RS256, the issuer checked, keys from its JWKS.
async fn strategy(issuer: &str, cache: bool) -> Result<JwtStrategy, String> {
    let mut builder = JwtStrategy::builder().issuer(issuer);
    if cache {
        builder = builder.token_cache(TokenCacheConfig::default());
    }
    let strategy = builder.build().map_err(|e| e.to_string())?;
    if let Some(jwks) = strategy.jwks() {
        jwks.warm_up().await.map_err(|e| e.to_string())?;
    }
    Ok(strategy)
}

async fn listen(port: u16) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))
}

async fn layer(port_arg: &str, issuer: &str, rest: &[&str]) -> Result<(), String> {
    serve_protected(port_arg, strategy(issuer, rest == ["cache"]).await?).await
}

/// GET /protected behind `AuthLayer` with `strategy`, on 127.0.0.1:`port_arg`.
async fn serve_protected(port_arg: &str, strategy: impl Strategy) -> Result<(), String> {
    let registry = Registry::new();
    registry
        .register("jwt", strategy)
        .map_err(|e| e.to_string())?;
    let listener = listen(port(port_arg)?).await?;
    let policy = Policy::builder("bench /protected", ["jwt"])
        .registry(registry)
        .build()
        .map_err(|e| e.to_string())?;
    // The same body as the example server's `/protected`.
    let app = Router::new()
        .route(
            "/protected",
            get(|_caller: Principal| async {
                axum::Json(serde_json::json!({"message": "Access granted"}))
            }),
        )
        .layer(AuthLayer::new(policy));
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The opaque token of the `introspection` target and its client's credentials.
const OPAQUE_TOKEN: &str = "load-opaque-4f1c9a7e2b8d4c6a9e3f5b1d7c2a8e6f";
const CLIENT_ID: &str = "load-bench";
const CLIENT_SECRET: &str = "load-bench-secret";

/// An RFC 7662 endpoint: client_secret_basic checked, `active: true` for [`OPAQUE_TOKEN`]
/// only.
async fn introspect(issuer: String, headers: HeaderMap, body: String) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
    {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let active = body
        .split('&')
        .any(|pair| pair == format!("token={OPAQUE_TOKEN}"));
    let answer = if active {
        serde_json::json!({
            "active": true,
            "scope": "orders:read",
            "client_id": CLIENT_ID,
            "sub": "load",
            "exp": unix_now() + 3600,
            "iss": issuer,
        })
    } else {
        serde_json::json!({"active": false})
    };
    axum::Json(answer).into_response()
}

async fn introspection(port_arg: &str) -> Result<(), String> {
    let endpoint = listen(0).await?;
    let addr = endpoint.local_addr().map_err(|e| e.to_string())?;
    let issuer = format!("http://{addr}");
    let served = issuer.clone();
    let app = Router::new().route(
        "/introspect",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            introspect(served.clone(), headers, body)
        }),
    );
    tokio::spawn(async move { axum::serve(endpoint, app).await });
    let strategy = IntrospectionStrategy::builder()
        .issuer(&issuer)
        .endpoint(format!("{issuer}/introspect"))
        .client_secret_basic(CLIENT_ID, CLIENT_SECRET)
        .cache(IntrospectionCacheConfig::default())
        .build()
        .map_err(|e| e.to_string())?;
    println!("token: {OPAQUE_TOKEN}");
    serve_protected(port_arg, strategy).await
}

/// A Status List Token (bits 1, every status 0 = valid) for `uri`, signed by `issuer`.
fn status_list_token(issuer: &Issuer, uri: &str, entries: usize) -> String {
    let bytes = vec![0u8; entries.div_ceil(8)];
    let header = serde_json::json!({"alg": "RS256", "kid": issuer.kid(), "typ": "statuslist+jwt"});
    let claims = issuer.claims(serde_json::json!({
        "sub": uri,
        "iat": unix_now(),
        "exp": unix_now() + 86_400,
        "ttl": 300,
        "status_list": {"bits": 1, "lst": URL_SAFE_NO_PAD.encode(zlib_stored(&bytes))},
    }));
    issuer.sign(&header, &claims)
}

/// `data` as a ZLIB stream (RFC 1950) of one stored DEFLATE block (RFC 1951): no
/// compression library needed for a list of at most 65535 bytes.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    let data = &data[..usize::from(len)];
    let mut out = vec![0x78, 0x01, 0x01];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

async fn status(port_arg: &str) -> Result<(), String> {
    let issuer = Issuer::start()
        .await
        .map_err(|e| format!("cannot start the issuer: {e}"))?;
    let lists = listen(0).await?;
    let origin = format!("http://{}", lists.local_addr().map_err(|e| e.to_string())?);
    let uri = format!("{origin}/statuslists/1");
    let body = status_list_token(&issuer, &uri, 1024);
    let app = Router::new().route(
        "/statuslists/1",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/statuslist+jwt")], body) }
        }),
    );
    tokio::spawn(async move { axum::serve(lists, app).await });
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .token_cache(TokenCacheConfig::default())
        .status_list(StatusListConfig::check().allow_origin(&origin))
        .build()
        .map_err(|e| e.to_string())?;
    if let Some(jwks) = strategy.jwks() {
        jwks.warm_up().await.map_err(|e| e.to_string())?;
    }
    let token = issuer.token(serde_json::json!({
        "sub": "load",
        "status": {"status_list": {"idx": 42, "uri": uri}},
    }));
    println!("token: {token}");
    // `issuer` (its key server) lives as long as the route.
    let served = serve_protected(port_arg, strategy).await;
    drop(issuer);
    served
}

struct OrdersService;

#[tonic::async_trait]
impl Orders for OrdersService {
    async fn get(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        // With the layer, the caller it authenticated; without, an open service.
        let owner = match request.extensions().get::<Principal>() {
            Some(caller) => caller.subject().unwrap_or("-").to_owned(),
            None => "open".to_owned(),
        };
        Ok(Response::new(Order {
            id: request.into_inner().id,
            owner,
        }))
    }

    async fn delete(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        self.get(request).await
    }
}

async fn grpc(port_arg: &str, issuer: &str, rest: &[&str]) -> Result<(), String> {
    let incoming = tonic::transport::server::TcpIncoming::from(listen(port(port_arg)?).await?);
    let service = OrdersServer::new(OrdersService);
    if rest == ["open"] {
        return tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(incoming)
            .await
            .map_err(|e| e.to_string());
    }
    let registry = Registry::new();
    registry
        .register("jwt", strategy(issuer, rest == ["cache"]).await?)
        .map_err(|e| e.to_string())?;
    let policy = Policy::builder("bench grpc orders.v1.Orders", ["jwt"])
        .registry(registry)
        .build()
        .map_err(|e| e.to_string())?;
    tonic::transport::Server::builder()
        .layer(GrpcAuthLayer::new(policy))
        .add_service(service)
        .serve_with_incoming(incoming)
        .await
        .map_err(|e| e.to_string())
}

async fn grpc_client(
    addr: &str,
    token: &str,
    seconds: &str,
    connections: &str,
    streams: &str,
) -> Result<(), String> {
    let seconds: u64 = seconds
        .parse()
        .map_err(|_| "SECONDS: a number".to_owned())?;
    let connections: usize = connections
        .parse()
        .map_err(|_| "CONNECTIONS: a number".to_owned())?;
    let streams: usize = streams
        .parse()
        .map_err(|_| "STREAMS: a number".to_owned())?;
    if !addr.starts_with("127.0.0.1:") && !addr.starts_with("localhost:") {
        return Err(format!("{addr}: only 127.0.0.1 or localhost"));
    }
    let header: tonic::metadata::MetadataValue<_> = format!("Bearer {token}")
        .parse()
        .map_err(|_| "the token is not a header value".to_owned())?;
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| e.to_string())?
            .connect()
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        for _ in 0..streams {
            let mut client = OrdersClient::new(channel.clone());
            let (stop, failed, header) = (Arc::clone(&stop), Arc::clone(&failed), header.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(1 << 16);
                while !stop.load(Ordering::Relaxed) {
                    let mut request = Request::new(GetRequest { id: "7".to_owned() });
                    request
                        .metadata_mut()
                        .insert("authorization", header.clone());
                    let start = Instant::now();
                    match client.get(request).await {
                        Ok(reply) if reply.get_ref().id == "7" => {
                            latencies.push(start.elapsed().as_micros() as u64);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                latencies
            }));
        }
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(|e| e.to_string())?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len().saturating_sub(1)) as f64 * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    let ok = latencies.len() as u64;
    let failed = failed.load(Ordering::Relaxed);
    println!(
        "{} {ok} {failed} {:.0} {} {}",
        ok + failed,
        ok as f64 / elapsed,
        at(0.5),
        at(0.99)
    );
    Ok(())
}
