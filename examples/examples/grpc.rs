//! A tonic gRPC server protected by `GrpcAuthLayer`: `orders.v1.Orders/Get` needs the
//! `orders:read` scope, `Delete` needs `orders:write` (a per-method policy). The method
//! reads the caller from the request's extensions. An embedded issuer starts on
//! 127.0.0.1 and a ready command is printed.
//!
//! ```text
//! cargo run --example grpc
//! ```

use std::process::ExitCode;

use jwt_guard::Policy;
use jwt_guard::authz::Requirement::One;
use jwt_guard::testkit::Issuer;
use jwt_guard::tonic::GrpcAuthLayer;
use jwt_guard::{JwtStrategy, Principal, Registry};
use serde_json::json;
use tonic::{Request, Response, Status};

#[allow(unreachable_pub, clippy::unwrap_used, reason = "generated code")]
mod proto {
    tonic::include_proto!("orders.v1");
}
use proto::orders_server::{Orders, OrdersServer};
use proto::{GetRequest, Order};

struct OrdersService;

#[tonic::async_trait]
impl Orders for OrdersService {
    async fn get(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        reply(request)
    }

    async fn delete(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        reply(request)
    }
}

fn reply(request: Request<GetRequest>) -> Result<Response<Order>, Status> {
    // Put there by the layer; it never calls the method without one.
    let caller = request
        .extensions()
        .get::<Principal>()
        .ok_or_else(|| Status::internal("no principal"))?;
    let owner = caller.subject().unwrap_or("-").to_owned();
    Ok(Response::new(Order {
        id: request.into_inner().id,
        owner,
    }))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let embedded = Issuer::start().await.map_err(|e| e.to_string())?;
    let strategy = JwtStrategy::builder()
        .issuer(embedded.issuer())
        .build()
        .map_err(|e| e.to_string())?;
    jwt_guard::register("jwt", strategy).map_err(|e| e.to_string())?;

    let read = Policy::builder("grpc orders.v1.Orders", ["jwt"])
        .scopes(One("orders:read"))
        .build()
        .map_err(|e| e.to_string())?;
    let write = Policy::builder("grpc orders.v1.Orders/Delete", ["jwt"])
        .scopes(One("orders:write"))
        .build()
        .map_err(|e| e.to_string())?;
    let layer = GrpcAuthLayer::new(read).method("/orders.v1.Orders/Delete", write);
    let audit = Registry::global()
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(50051);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("jwt-guard gRPC example listening on {addr}");
    let token = embedded.token(json!({ "sub": "demo-user", "scope": "orders:read" }));
    println!();
    println!("Try (grpcurl; UNAUTHENTICATED without the -H, PERMISSION_DENIED for Delete):");
    println!(
        "  grpcurl -plaintext -import-path examples/proto -proto orders.proto \
         -H 'authorization: Bearer {token}' -d '{{\"id\":\"7\"}}' {addr} orders.v1.Orders/Get"
    );
    println!("Or the tonic client beside this example (nothing to install):");
    println!("  cargo run --example grpc-client -- http://{addr} {token} Get 7");
    println!("  cargo run --example grpc-client -- http://{addr} - Get 7");
    println!("  cargo run --example grpc-client -- http://{addr} {token} Delete 7");
    println!("Or the Python client of the tests (tests/grpc-interop/setup.sh installs it):");
    println!(
        "  echo '[{{\"name\":\"get\",\"method\":\"Get\",\"id\":\"7\",\"authorization\":\"Bearer {token}\"}}]' \
         | target/grpc-interop/venv/bin/python tests/grpc-interop/client.py {addr}"
    );
    tonic::transport::Server::builder()
        .layer(layer)
        .add_service(OrdersServer::new(OrdersService))
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener))
        .await
        .map_err(|e| e.to_string())
}
