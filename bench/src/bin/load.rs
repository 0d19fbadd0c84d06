//! The load benchmark's own servers and its gRPC load client (`bench/load.sh` runs them;
//! wrk drives the HTTP targets, this binary the gRPC ones, as wrk speaks no HTTP/2).
//!
//! ```text
//! load layer PORT ISSUER [cache]       axum: GET /protected behind jwt_guard::tower::AuthLayer
//! load grpc PORT ISSUER [open|cache]   tonic: orders.v1.Orders behind GrpcAuthLayer (or none)
//! load grpc-client ADDR TOKEN SECONDS CONNECTIONS STREAMS
//! ```
//!
//! Every server binds 127.0.0.1 only and takes its keys from ISSUER's JWKS (the example
//! server's embedded issuer), so that all targets check the same token with the same key.
//! The client opens CONNECTIONS HTTP/2 connections with STREAMS requests in flight on each,
//! calls `Get` for SECONDS, checks every answer (status OK and the order's owner), and
//! prints one line: `requests ok failed req/s p50_us p99_us`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use jwt_guard::Policy;
use jwt_guard::TokenCacheConfig;
use jwt_guard::tonic::GrpcAuthLayer;
use jwt_guard::tower::AuthLayer;
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
    let registry = Registry::new();
    registry
        .register("jwt", strategy(issuer, rest == ["cache"]).await?)
        .map_err(|e| e.to_string())?;
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
    axum::serve(listen(port(port_arg)?).await?, app)
        .await
        .map_err(|e| e.to_string())
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
