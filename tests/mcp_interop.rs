//! jwt-guard as the OAuth 2.1 resource server of an MCP server (the MCP authorization
//! specification, 2025-06-18 / 2025-11-25), driven by the MCP TypeScript SDK from npm
//! (`@modelcontextprotocol/sdk`, installed by `tests/mcp-interop/setup.sh` under
//! `target/mcp-interop/`): the server is the `mcp` example's app
//! (`examples/examples/mcp/app.rs`), on 127.0.0.1, with a testkit issuer.
//!
//! - without a token, the SDK gets our 401, finds the metadata URL and the scope in
//!   `WWW-Authenticate`, fetches our RFC 9728 document, accepts its `resource` for the
//!   server URL, and asks the authorization server for that scope and resource;
//! - with a good token (in `requestInit` headers), `initialize`, `tools/list` and
//!   `tools/call` work — also for `mcp:*` under the wildcard scope rule, and for an `aud`
//!   written with another case of the scheme (canonical comparison);
//! - with a token lacking the scope, the SDK reads our 403 `insufficient_scope` and asks
//!   for the scope it names (its step-up).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::LazyLock;

use jwt_guard::testkit::Issuer;
use jwt_guard_tests::runtime;
use serde_json::{Value, json};

#[path = "../examples/examples/mcp/app.rs"]
mod app;

struct Env {
    issuer: Issuer,
    /// `http://127.0.0.1:PORT/mcp`: the endpoint and the resource identifier.
    mcp: String,
    metadata_url: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let resource = app::resource(&base).expect("resource");
    let strategy = app::strategy(issuer.issuer(), &resource).expect("strategy");
    jwt_guard::register("mcp", strategy).expect("register");
    let router = app::router(&resource);
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    Env {
        mcp: resource.resource().to_owned(),
        metadata_url: resource.metadata_url().to_owned(),
        issuer,
    }
}

/// `client.mjs` with the SDK, installed on first use. Never skips: without node or the
/// npm registry the suite fails, saying how to install them.
fn client() -> PathBuf {
    let dir = jwt_guard_tests::install("mcp-interop");
    assert!(
        dir.join("node_modules/@modelcontextprotocol/sdk").is_dir(),
        "@modelcontextprotocol/sdk is not installed in {}: run tests/mcp-interop/setup.sh",
        dir.display()
    );
    dir.join("client.mjs")
}

/// Runs `node client.mjs <args>` and parses the JSON it prints.
async fn node(args: &[&str]) -> Value {
    let output = tokio::process::Command::new("node")
        .arg(client())
        .args(args)
        .output()
        .await
        .expect("run node");
    assert!(
        output.status.success(),
        "node {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON from client.mjs")
}

fn token(aud: &str, scope: &str) -> String {
    ENV.issuer
        .token(json!({ "sub": "sdk-user", "aud": aud, "scope": scope }))
}

#[tokio::test]
async fn the_sdk_discovers_the_metadata_and_the_scope_from_our_401() {
    let env = &*ENV;
    let out = node(&["discover", &env.mcp, env.issuer.issuer()]).await;
    assert_eq!(out["status"], 401, "{out}");
    assert_eq!(
        out["wwwAuthenticate"],
        format!(
            "Bearer scope=\"mcp:tools\", resource_metadata=\"{}\"",
            env.metadata_url
        )
    );
    // What the SDK's extractWWWAuthenticateParams reads.
    assert_eq!(out["resourceMetadataUrl"], env.metadata_url.as_str());
    assert_eq!(out["scope"], "mcp:tools");
    assert_eq!(
        out["error"],
        Value::Null,
        "missing credentials: no error code"
    );
    // The document, as discoverOAuthProtectedResourceMetadata validated it.
    let metadata = &out["metadata"];
    assert_eq!(metadata["resource"], env.mcp.as_str());
    assert_eq!(
        metadata["authorization_servers"],
        json!([env.issuer.issuer()])
    );
    assert_eq!(
        metadata["scopes_supported"],
        json!(["mcp:tools", "mcp:*"]),
        "the wildcard rule lists the broader scope"
    );
    assert_eq!(
        out["wellKnownResource"],
        env.mcp.as_str(),
        "the path-suffixed well-known URL"
    );
    assert_eq!(
        out["selectedResource"],
        env.mcp.as_str(),
        "the SDK accepts our resource"
    );
    // The transport's own flow: our 401, our document, then an authorization request
    // for the scope of our challenge and our resource.
    assert_eq!(out["thrown"], "UnauthorizedError", "{out}");
    assert_eq!(
        out["fetched"],
        json!([
            { "url": env.mcp, "method": "POST", "status": 401 },
            { "url": env.metadata_url, "method": "GET", "status": 200 },
        ])
    );
    assert_eq!(
        out["authorization"],
        json!({
            "endpoint": format!("{}/authorize", env.issuer.issuer()),
            "scope": "mcp:tools",
            "resource": env.mcp,
            "client_id": "mcp-interop",
        })
    );
}

#[tokio::test]
async fn the_sdk_lists_and_calls_tools_with_a_good_token() {
    let env = &*ENV;
    let good = token(&env.mcp, "mcp:tools");
    let out = node(&["call", &env.mcp, &good]).await;
    assert_eq!(out["ok"], true, "{out}");
    assert_eq!(out["server"]["name"], "jwt-guard-mcp-example");
    assert_eq!(out["protocolVersion"], "2025-11-25");
    assert_eq!(out["tools"], json!(["whoami"]));
    assert_eq!(out["text"], "hi, sdk-user; scopes: mcp:tools");
    assert_eq!(out["isError"], false);

    // `mcp:*` covers `mcp:tools` under the app's wildcard rule.
    let wildcard = token(&env.mcp, "profile mcp:*");
    let out = node(&["call", &env.mcp, &wildcard]).await;
    assert_eq!(out["ok"], true, "{out}");
    assert_eq!(out["text"], "hi, sdk-user; scopes: profile mcp:*");

    // The audience compared canonically: the scheme's case and the default port do not
    // matter, the path does.
    let port = env.mcp.trim_start_matches("http://127.0.0.1:");
    let shouted = format!("HTTP://127.0.0.1:{port}");
    let out = node(&["call", &env.mcp, &token(&shouted, "mcp:tools")]).await;
    assert_eq!(out["ok"], true, "{shouted}: {out}");
    for other in [
        format!("{}/", env.mcp),
        env.mcp.replace("/mcp", "/MCP"),
        env.mcp.replace("/mcp", ""),
    ] {
        let out = node(&["call", &env.mcp, &token(&other, "mcp:tools")]).await;
        assert_eq!(
            (&out["ok"], &out["code"]),
            (&json!(false), &json!(401)),
            "{other}: {out}"
        );
    }
}

#[tokio::test]
async fn the_sdk_reads_our_403_and_asks_for_the_scope() {
    let env = &*ENV;
    for scope in ["profile", "mcp:read", "*", "mcp"] {
        let weak = token(&env.mcp, scope);
        let out = node(&["insufficient", &env.mcp, env.issuer.issuer(), &weak]).await;
        assert_eq!(out["plain"]["ok"], false, "{scope}: {out}");
        assert_eq!(out["plain"]["code"], 403, "{scope}: {out}");
        assert_eq!(out["status"], 403);
        assert_eq!(out["error"], "insufficient_scope");
        assert_eq!(out["scope"], "mcp:tools");
        assert_eq!(out["resourceMetadataUrl"], env.metadata_url.as_str());
        // Its step-up: an authorization request for the scope our 403 names.
        assert_eq!(out["thrown"], "UnauthorizedError", "{scope}: {out}");
        assert_eq!(out["authorization"]["scope"], "mcp:tools", "{out}");
        assert_eq!(out["authorization"]["resource"], env.mcp.as_str());
        assert_eq!(out["fetched"][0]["status"], 403, "{out}");
    }
}

/// The example's own transport rules, beside the guard: a foreign `Origin` (DNS
/// rebinding) is a 403, an unknown `MCP-Protocol-Version` a 400; the guard runs first.
#[tokio::test]
async fn the_example_refuses_foreign_origins_and_unknown_revisions() {
    let env = &*ENV;
    let good = token(&env.mcp, "mcp:tools");
    let ping = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" }).to_string();
    let post = |headers: &[(&str, &str)]| {
        let mut request = reqwest::Client::new()
            .post(&env.mcp)
            .header("content-type", "application/json")
            .body(ping.clone());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
    };
    let bearer = format!("Bearer {good}");
    let status = |response: reqwest::Response| response.status().as_u16();
    let ok = post(&[
        ("authorization", &bearer),
        ("origin", "http://localhost:6274"),
    ])
    .send()
    .await
    .expect("request");
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<Value>().await.expect("json"),
        json!({ "jsonrpc": "2.0", "id": 1, "result": {} })
    );
    let foreign = post(&[
        ("authorization", &bearer),
        ("origin", "https://evil.example"),
    ]);
    assert_eq!(status(foreign.send().await.expect("request")), 403);
    let revision = post(&[
        ("authorization", &bearer),
        ("mcp-protocol-version", "1999-01-01"),
    ]);
    assert_eq!(status(revision.send().await.expect("request")), 400);
    // Without a token the guard answers first, whatever the rest.
    let anonymous = post(&[("origin", "https://evil.example")]);
    assert_eq!(status(anonymous.send().await.expect("request")), 401);
}
