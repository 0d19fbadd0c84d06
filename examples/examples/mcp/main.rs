//! An MCP server (streamable HTTP) as an OAuth 2.1 resource server, the profile of the MCP
//! authorization specification: `POST /mcp` behind `#[authenticate("mcp", scopes =
//! ["mcp:tools"])]`, its RFC 9728 metadata at `/.well-known/oauth-protected-resource/mcp`,
//! tokens whose `aud` names the resource URI. An embedded issuer starts on 127.0.0.1 and a
//! token is printed, with curl lines and the MCP Inspector command to try.
//!
//! ```text
//! cargo run --example mcp
//! ```

use std::process::ExitCode;

use jwt_guard::Registry;
use jwt_guard::testkit::Issuer;
use serde_json::json;

mod app;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
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
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let base = format!("http://{addr}");

    let embedded = Issuer::start().await.map_err(|e| e.to_string())?;
    let resource = app::resource(&base).map_err(|e| e.to_string())?;
    let strategy = app::strategy(embedded.issuer(), &resource).map_err(|e| e.to_string())?;
    jwt_guard::register("mcp", strategy).map_err(|e| e.to_string())?;
    let router = app::router(&resource);
    let audit = Registry::global()
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");

    let token = embedded.token(json!({
        "sub": "mcp-user", "aud": resource.resource(), "scope": app::SCOPE,
    }));
    let unscoped = embedded.token(json!({
        "sub": "mcp-user", "aud": resource.resource(), "scope": "profile",
    }));
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}"#;
    let mcp = resource.resource();
    println!("jwt-guard MCP example listening on {base}");
    println!();
    println!("Token (aud {mcp}, scope {}):", app::SCOPE);
    println!("  {token}");
    println!();
    println!("Try:");
    println!("  # no token: 401 naming the metadata document and the scope");
    println!("  curl -i -X POST {mcp} -H 'Content-Type: application/json' -d '{init}'");
    println!("  curl -s {}", resource.metadata_url());
    println!(
        "  curl -i -X POST {mcp} -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \
         -H 'Accept: application/json, text/event-stream' -d '{init}'"
    );
    println!("  # a token without {}: 403 insufficient_scope", app::SCOPE);
    println!(
        "  curl -i -X POST {mcp} -H 'Authorization: Bearer {unscoped}' -H 'Content-Type: application/json' -d '{init}'"
    );
    println!(
        "  # the MCP Inspector: transport Streamable HTTP, URL {mcp}, the token above as Bearer"
    );
    println!("  npx @modelcontextprotocol/inspector");
    axum::serve(listener, router)
        .await
        .map_err(|e| e.to_string())
}
