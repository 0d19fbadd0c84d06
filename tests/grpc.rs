//! gRPC end to end on 127.0.0.1: a tonic server behind `GrpcAuthLayer` (a per-method
//! policy for `Delete`), called by tonic's client and by an independent one — Python's
//! `grpcio`, run as a subprocess. Refusals are gRPC statuses with the `www-authenticate`
//! challenge as metadata; the method reads the principal from the request's extensions.
//!
//! The Python client is installed by `tests/grpc-interop/setup.sh` into
//! `target/grpc-interop/venv`. Without it the interop test says so and passes locally;
//! with `CI=true` it fails instead.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::LazyLock;

use jwt_guard::authz::Requirement::One;
use jwt_guard::policy::Policy;
use jwt_guard::testkit::Issuer;
use jwt_guard::tonic::GrpcAuthLayer;
use jwt_guard::{JwtStrategy, Principal};
use serde_json::{Value, json};
use tonic::{Code, Request, Response, Status};

#[allow(unreachable_pub, clippy::unwrap_used, reason = "generated code")]
mod proto {
    tonic::include_proto!("orders.v1");
}
use jwt_guard_tests::runtime;
use proto::orders_client::OrdersClient;
use proto::orders_server::{Orders, OrdersServer};
use proto::{GetRequest, Order};

struct Service;

#[tonic::async_trait]
impl Orders for Service {
    async fn get(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        reply(request)
    }

    async fn delete(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        reply(request)
    }
}

/// The order, owned by the caller the layer authenticated.
fn reply(request: Request<GetRequest>) -> Result<Response<Order>, Status> {
    let owner = request
        .extensions()
        .get::<Principal>()
        .ok_or_else(|| Status::internal("no principal"))?
        .subject()
        .unwrap_or("-")
        .to_owned();
    Ok(Response::new(Order {
        id: request.into_inner().id,
        owner,
    }))
}

struct Env {
    issuer: Issuer,
    /// Behind the orders policies.
    addr: SocketAddr,
    /// Behind a policy whose key server is down.
    down: SocketAddr,
    down_issuer: Issuer,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn serve(layer: GrpcAuthLayer) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tokio::spawn(
        tonic::transport::Server::builder()
            .layer(layer)
            .add_service(OrdersServer::new(Service))
            .serve_with_incoming(incoming),
    );
    addr
}

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let down_issuer = Issuer::start().await.expect("issuer");
    down_issuer.control(|c| c.status = Some(500));
    let strategy = |issuer: &Issuer| {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .build()
            .expect("strategy")
    };
    jwt_guard::register("grpc-jwt", strategy(&issuer)).expect("register");
    jwt_guard::register("grpc-down", strategy(&down_issuer)).expect("register");
    let read = Policy::builder("grpc orders.v1.Orders", ["grpc-jwt"])
        .scopes(One("orders:read"))
        .build()
        .expect("policy");
    let write = Policy::builder("grpc orders.v1.Orders/Delete", ["grpc-jwt"])
        .scopes(One("orders:write"))
        .build()
        .expect("policy");
    let down = Policy::builder("grpc down", ["grpc-down"])
        .build()
        .expect("policy");
    let addr = serve(GrpcAuthLayer::new(read).method("/orders.v1.Orders/Delete", write)).await;
    let down = serve(GrpcAuthLayer::new(down)).await;
    jwt_guard::Registry::global()
        .audit()
        .expect("every strategy is registered");
    Env {
        issuer,
        addr,
        down,
        down_issuer,
    }
}

async fn call(
    addr: SocketAddr,
    method: &str,
    authorization: Option<&str>,
) -> Result<Order, Status> {
    let mut client = OrdersClient::connect(format!("http://{addr}"))
        .await
        .expect("connect");
    let mut request = Request::new(GetRequest { id: "7".into() });
    if let Some(value) = authorization {
        request
            .metadata_mut()
            .insert("authorization", value.parse().expect("metadata"));
    }
    let response = match method {
        "Get" => client.get(request).await,
        _ => client.delete(request).await,
    };
    response.map(Response::into_inner)
}

fn challenge(status: &Status) -> Option<&str> {
    status
        .metadata()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn tonic_client_statuses_and_challenges() {
    let env = &*ENV;
    let bearer = |claims: Value| format!("Bearer {}", env.issuer.token(claims));
    let read = bearer(json!({ "sub": "ada", "scope": "orders:read" }));

    let order = call(env.addr, "Get", Some(&read)).await.expect("ok");
    assert_eq!((order.id.as_str(), order.owner.as_str()), ("7", "ada"));

    let missing = call(env.addr, "Get", None).await.unwrap_err();
    assert_eq!(missing.code(), Code::Unauthenticated);
    assert_eq!(missing.message(), "Authorization header is missing");
    // The 401 names the scope the method requires.
    assert_eq!(challenge(&missing), Some("Bearer scope=\"orders:read\""));

    let bad = call(env.addr, "Get", Some("Bearer not.a.jwt"))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::Unauthenticated);
    assert_eq!(bad.message(), "Invalid token: jwt malformed");
    assert_eq!(
        challenge(&bad),
        Some("Bearer error=\"invalid_token\", scope=\"orders:read\"")
    );

    let profile = bearer(json!({ "sub": "ada", "scope": "profile" }));
    let denied = call(env.addr, "Get", Some(&profile)).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert_eq!(denied.message(), "Insufficient scope");
    assert_eq!(
        challenge(&denied),
        Some("Bearer error=\"insufficient_scope\", scope=\"orders:read\"")
    );

    // Delete has a policy of its own: read is not enough, write alone is.
    let denied = call(env.addr, "Delete", Some(&read)).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert_eq!(
        challenge(&denied),
        Some("Bearer error=\"insufficient_scope\", scope=\"orders:write\"")
    );
    let write = bearer(json!({ "sub": "bob", "scope": "orders:write" }));
    assert_eq!(
        call(env.addr, "Delete", Some(&write))
            .await
            .expect("ok")
            .owner,
        "bob"
    );
    assert_eq!(
        call(env.addr, "Get", Some(&write))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );
}

#[tokio::test]
async fn keys_unavailable_is_unavailable() {
    let env = &*ENV;
    let token = env.down_issuer.token(json!({ "sub": "ada" }));
    let status = call(env.down, "Get", Some(&format!("Bearer {token}")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert_eq!(status.message(), "signing keys are unavailable");
    assert_eq!(challenge(&status), None);
}

#[tokio::test]
async fn the_audit_lists_the_grpc_policies() {
    LazyLock::force(&ENV);
    let audit = jwt_guard::Registry::global().audit().expect("registered");
    let delete = audit.layer("grpc orders.v1.Orders/Delete").expect("listed");
    assert_eq!(delete.scopes(), Some(&One("orders:write")));
}

// ── the independent client ────────────────────────────────────────────────────────

/// The venv's Python with `grpcio` (`JWT_GUARD_GRPC_PYTHON`, or the one
/// `tests/grpc-interop/setup.sh` installs on first use). Never skips: a missing client
/// fails the test, saying how to install it.
fn python() -> PathBuf {
    let python = std::env::var_os("JWT_GUARD_GRPC_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| jwt_guard_tests::install("grpc-interop").join("venv/bin/python"));
    let probe = std::process::Command::new(&python)
        .args(["-c", "import grpc"])
        .output();
    match probe {
        Ok(out) if out.status.success() => python,
        Ok(out) => panic!(
            "{} cannot import grpc: {}; run tests/grpc-interop/setup.sh",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(err) => panic!(
            "{}: {err}; run tests/grpc-interop/setup.sh",
            python.display()
        ),
    }
}

#[tokio::test]
async fn an_independent_python_grpc_client() {
    let python = python();
    let env = &*ENV;
    let bearer = |claims: Value| format!("Bearer {}", env.issuer.token(claims));
    let cases = json!([
        { "name": "ok", "method": "Get", "id": "41",
          "authorization": bearer(json!({ "sub": "py", "scope": "orders:read" })) },
        { "name": "none", "method": "Get", "id": "41", "authorization": null },
        { "name": "bad", "method": "Get", "id": "41", "authorization": "Bearer not.a.jwt" },
        { "name": "expired", "method": "Get", "id": "41",
          "authorization": bearer(json!({ "scope": "orders:read", "exp": 1 })) },
        { "name": "scope", "method": "Get", "id": "41",
          "authorization": bearer(json!({ "sub": "py", "scope": "profile" })) },
        { "name": "delete", "method": "Delete", "id": "41",
          "authorization": bearer(json!({ "sub": "py", "scope": "orders:read" })) },
    ]);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("grpc-interop/client.py");
    let addr = env.addr.to_string();
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut child = std::process::Command::new(python)
            .arg(script)
            .arg(addr)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn the client");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(cases.to_string().as_bytes())
            .expect("write the cases");
        child.wait_with_output().expect("client")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the client failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("json line"))
        .collect();
    let by_name = |name: &str| {
        results
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no result for {name}: {stdout}"))
    };
    assert_eq!(by_name("ok")["code"], "OK");
    assert_eq!(by_name("ok")["order"], json!({ "id": "41", "owner": "py" }));
    let expect = |name: &str, code: &str, details: &str, challenge: &str| {
        let got = by_name(name);
        assert_eq!(
            (&got["code"], &got["details"], &got["www_authenticate"]),
            (&json!(code), &json!(details), &json!(challenge)),
            "{name}: {got}"
        );
    };
    expect(
        "none",
        "UNAUTHENTICATED",
        "Authorization header is missing",
        "Bearer scope=\"orders:read\"",
    );
    expect(
        "bad",
        "UNAUTHENTICATED",
        "Invalid token: jwt malformed",
        "Bearer error=\"invalid_token\", scope=\"orders:read\"",
    );
    expect(
        "expired",
        "UNAUTHENTICATED",
        "Invalid token: jwt expired",
        "Bearer error=\"invalid_token\", scope=\"orders:read\"",
    );
    expect(
        "scope",
        "PERMISSION_DENIED",
        "Insufficient scope",
        "Bearer error=\"insufficient_scope\", scope=\"orders:read\"",
    );
    expect(
        "delete",
        "PERMISSION_DENIED",
        "Insufficient scope",
        "Bearer error=\"insufficient_scope\", scope=\"orders:write\"",
    );
}
