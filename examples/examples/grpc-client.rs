//! A tonic client for the gRPC example: nothing to install beside Rust. It calls
//! `orders.v1.Orders/<method>` on the server with the token given, and prints the order
//! or the status, with the `www-authenticate` challenge the server sent.
//!
//! ```text
//! cargo run --example grpc                      # prints the line to paste, e.g.
//! cargo run --example grpc-client -- http://127.0.0.1:50051 <token> Get 7
//! cargo run --example grpc-client -- http://127.0.0.1:50051 - Get 7   # no token
//! ```

use std::process::ExitCode;

#[allow(unreachable_pub, clippy::unwrap_used, reason = "generated code")]
mod proto {
    tonic::include_proto!("orders.v1");
}
use proto::GetRequest;
use proto::orders_client::OrdersClient;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, token, rest @ ..] = args.as_slice() else {
        eprintln!("usage: grpc-client <http://host:port> <token or -> [Get|Delete] [id]");
        return ExitCode::FAILURE;
    };
    let method = rest.first().map_or("Get", String::as_str);
    let id = rest.get(1).map_or("7", String::as_str).to_owned();
    match call(addr, token, method, id).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(line) => {
            println!("{line}");
            ExitCode::FAILURE
        }
    }
}

async fn call(addr: &str, token: &str, method: &str, id: String) -> Result<String, String> {
    let mut client = OrdersClient::connect(addr.to_owned())
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let mut request = tonic::Request::new(GetRequest { id });
    if token != "-" {
        let value = format!("Bearer {token}")
            .parse()
            .map_err(|_| "the token is not a valid header value".to_owned())?;
        request.metadata_mut().insert("authorization", value);
    }
    let reply = match method {
        "Get" => client.get(request).await,
        "Delete" => client.delete(request).await,
        other => return Err(format!("unknown method {other:?}: Get or Delete")),
    };
    match reply {
        Ok(order) => {
            let order = order.into_inner();
            Ok(format!("OK order {} owned by {}", order.id, order.owner))
        }
        Err(status) => {
            let challenge = status
                .metadata()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .map(|v| format!(" (www-authenticate: {v})"))
                .unwrap_or_default();
            Err(format!(
                "{:?}: {}{challenge}",
                status.code(),
                status.message()
            ))
        }
    }
}
