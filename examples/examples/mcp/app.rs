//! The MCP server of the `mcp` example, shared with `tests/mcp_interop.rs`: an MCP
//! streamable-HTTP endpoint (`POST /mcp`, JSON responses, no sessions, no server-sent
//! events) behind `#[authenticate]`, and its RFC 9728 metadata document.
//!
//! The MCP authorization specification (2025-06-18, 2025-11-25) makes this server an
//! OAuth 2.1 resource server: a 401 names the metadata document
//! (`resource_metadata="…"`) and the scope the endpoint needs; tokens must name the
//! canonical resource URI in `aud` (RFC 8707); a token without the scope is a 403
//! `insufficient_scope`. jwt-guard does all of that; this file is the MCP part only.

use axum::Router;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderMap, StatusCode, header};
use jwt_guard::authz::ScopeRule;
use jwt_guard::resource_metadata::ProtectedResource;
use jwt_guard::{ConfigError, JwtStrategy, Principal, authenticate};
use serde_json::{Value, json};

/// The scope every MCP request needs. Under the wildcard rule a token granted `mcp:*`
/// has it too.
pub(crate) const SCOPE: &str = "mcp:tools";

/// The MCP revisions this server speaks, newest first.
const PROTOCOL_VERSIONS: [&str; 3] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/// The protected resource `BASE/mcp` (its canonical URI is the audience tokens must name).
pub(crate) fn resource(base: &str) -> Result<ProtectedResource, ConfigError> {
    ProtectedResource::builder(format!("{base}/mcp"))
        .name("jwt-guard MCP example")
        .scopes([SCOPE])
        .build()
}

/// The strategy of `/mcp`: tokens of `issuer` naming `resource` in `aud`, scopes compared
/// under the wildcard rule (`mcp:*` covers `mcp:tools`).
pub(crate) fn strategy(
    issuer: &str,
    resource: &ProtectedResource,
) -> Result<JwtStrategy, ConfigError> {
    JwtStrategy::builder()
        .issuer(issuer)
        .protected_resource(resource)
        .scope_rule(ScopeRule::wildcard())
        .build()
}

/// `POST /mcp` and the metadata document (`/.well-known/oauth-protected-resource/mcp`).
/// Register [`strategy`] as `"mcp"` first.
pub(crate) fn router(resource: &ProtectedResource) -> Router {
    Router::new()
        .route("/mcp", post(mcp))
        .merge(resource.router())
}

/// One JSON-RPC message per request (MCP 2025-06-18 dropped batches). Requests are
/// answered with a JSON body, notifications and responses with 202.
#[authenticate("mcp", scopes = ["mcp:tools"])]
async fn mcp(principal: Principal, headers: HeaderMap, body: Bytes) -> Response {
    // DNS rebinding (MCP transports, "Security Warning"): only local pages may call.
    if let Some(origin) = headers.get(header::ORIGIN)
        && !is_local_origin(origin.as_bytes())
    {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    // After initialization the client names the negotiated revision; an unknown one is a
    // 400 (MCP transports, "Protocol Version Header").
    if let Some(version) = headers.get("mcp-protocol-version")
        && !PROTOCOL_VERSIONS
            .iter()
            .any(|v| v.as_bytes() == version.as_bytes())
    {
        let message = "unsupported MCP-Protocol-Version";
        return reply(StatusCode::BAD_REQUEST, error(Value::Null, -32600, message));
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return reply(
            StatusCode::BAD_REQUEST,
            error(Value::Null, -32700, "parse error"),
        );
    };
    let (Some(method), id) = (message["method"].as_str(), message.get("id").cloned()) else {
        // A response or anything else without a method: nothing to answer.
        return StatusCode::ACCEPTED.into_response();
    };
    let Some(id) = id else {
        // A notification (`notifications/initialized`, …): accepted, no answer.
        return StatusCode::ACCEPTED.into_response();
    };
    let params = &message["params"];
    let result = match method {
        "initialize" => {
            let asked = params["protocolVersion"].as_str().unwrap_or_default();
            let version = PROTOCOL_VERSIONS
                .into_iter()
                .find(|v| *v == asked)
                .unwrap_or(PROTOCOL_VERSIONS[0]);
            json!({
                "protocolVersion": version,
                "capabilities": { "tools": { "listChanged": false } },
                "serverInfo": { "name": "jwt-guard-mcp-example", "version": env!("CARGO_PKG_VERSION") },
            })
        }
        "ping" => json!({}),
        "tools/list" => json!({ "tools": [{
            "name": "whoami",
            "description": "Who the server thinks you are: the token's subject and scopes.",
            "inputSchema": { "type": "object", "properties": {
                "greeting": { "type": "string", "description": "Said back to you." }
            } },
        }] }),
        "tools/call" if params["name"] == "whoami" => {
            let greeting = params["arguments"]["greeting"].as_str().unwrap_or("hello");
            let text = format!(
                "{greeting}, {}; scopes: {}",
                principal.subject().unwrap_or("anonymous"),
                principal.scopes().join(" ")
            );
            json!({ "content": [{ "type": "text", "text": text }], "isError": false })
        }
        "tools/call" => return reply(StatusCode::OK, error(id, -32602, "unknown tool")),
        _ => return reply(StatusCode::OK, error(id, -32601, "method not found")),
    };
    reply(
        StatusCode::OK,
        json!({ "jsonrpc": "2.0", "id": id, "result": result }),
    )
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `http(s)://localhost[:port]` or `http(s)://127.0.0.1[:port]`.
fn is_local_origin(origin: &[u8]) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    let Some(host) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let host = host.rsplit_once(':').map_or(host, |(host, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            host
        } else {
            ""
        }
    });
    matches!(host, "localhost" | "127.0.0.1")
}
