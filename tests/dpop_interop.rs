//! jwt-guard against independent client code: proofs made by npm's `dpop` (panva), challenges
//! parsed and RFC 9728 metadata discovered from a 401 by npm's `oauth4webapi`, against a
//! real axum server on 127.0.0.1.
//!
//! The clients are installed by `tests/dpop-interop/setup.sh` (run by `.ci/run`) under
//! `target/dpop-interop/`. Without them (or without `node`) the tests say so and pass
//! locally; with `CI=true` they fail instead.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use jwt_guard::dpop::DpopConfig;
use jwt_guard::resource_metadata::ProtectedResource;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Algorithm, JwtStrategy, Principal, authenticate};
use jwt_guard_tests::runtime;
use serde_json::{Value, json};

#[authenticate("interop")]
async fn me(principal: Principal) -> String {
    principal.dpop_thumbprint().unwrap_or("bearer").to_owned()
}

#[authenticate("interop-nonce")]
async fn nonce_me(principal: Principal) -> String {
    principal.dpop_thumbprint().unwrap_or("bearer").to_owned()
}

struct Env {
    issuer: Issuer,
    base: String,
    resource: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

const ALGS: [Algorithm; 4] = [
    Algorithm::ES256,
    Algorithm::PS256,
    Algorithm::RS256,
    Algorithm::Ed25519,
];

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let resource_id = format!("{base}/api");
    let resource = ProtectedResource::builder(&resource_id)
        .scopes(["orders:read"])
        .build()
        .expect("resource");
    let strategy = |dpop: DpopConfig| {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .dpop(dpop)
            .protected_resource(&resource)
            .build()
            .expect("strategy")
    };
    let dpop = || {
        DpopConfig::allowed()
            .algorithms(ALGS)
            .external_origin(&base)
    };
    jwt_guard::register("interop", strategy(dpop())).expect("register");
    let with_nonce = dpop().require_nonce(
        b"interop nonce secret, 32 bytes or more",
        Duration::from_secs(60),
    );
    jwt_guard::register("interop-nonce", strategy(with_nonce)).expect("register");
    let app = Router::new()
        .route("/api/me", get(me))
        .route("/api/nonce/me", get(nonce_me))
        .merge(resource.router());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Env {
        issuer,
        base,
        resource: resource_id,
    }
}

/// `client.mjs` with its npm packages, installed by `tests/dpop-interop/setup.sh` on
/// first use (under `target/`). Never skips: without node or the npm registry the suite
/// fails, saying how to install them.
fn client() -> PathBuf {
    let dir = jwt_guard_tests::install("dpop-interop");
    for package in ["dpop", "oauth4webapi"] {
        assert!(
            dir.join("node_modules").join(package).is_dir(),
            "npm's {package} is not installed in {}: run tests/dpop-interop/setup.sh",
            dir.display()
        );
    }
    dir.join("client.mjs")
}

/// Runs `node client.mjs <args>` and parses the JSON it prints.
async fn node(script: &PathBuf, args: &[&str]) -> Value {
    let output = tokio::process::Command::new("node")
        .arg(script)
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

/// A key pair from npm's `dpop`, saved for the `request` command.
async fn keygen(script: &PathBuf, alg: &str) -> (Value, PathBuf) {
    let key = node(script, &["keygen", alg]).await;
    let file = std::env::temp_dir().join(format!(
        "jwt-guard-dpop-{alg}-{}-{}.json",
        std::process::id(),
        key["jkt"].as_str().expect("jkt")
    ));
    std::fs::write(&file, key.to_string()).expect("write key");
    (key, file)
}

#[tokio::test]
async fn proofs_made_by_npm_dpop_and_oauth4webapi_are_accepted() {
    let script = client();
    let url = format!("{}/api/me", ENV.base);
    let metadata = format!("{}/.well-known/oauth-protected-resource/api", ENV.base);
    // npm `dpop` signs an Ed25519 proof with the header `alg` "Ed25519" (RFC 9864).
    for alg in ["ES256", "PS256", "RS256", "Ed25519"] {
        let (key, file) = keygen(&script, alg).await;
        let file_arg = file.to_str().expect("path").to_owned();
        let jkt = key["jkt"].as_str().expect("jkt");
        // Two implementations of RFC 7638 agree.
        let Value::Object(public) = &key["publicJwk"] else {
            panic!("publicJwk")
        };
        assert_eq!(
            jwt_guard::dpop::jwk_thumbprint(public).as_deref(),
            Some(jkt),
            "{alg}"
        );
        let token = ENV
            .issuer
            .token(json!({ "sub": "npm", "aud": ENV.resource, "cnf": { "jkt": jkt } }));
        for implementation in ["dpop", "oauth4webapi"] {
            let args = [
                "request",
                implementation,
                alg,
                &file_arg,
                "GET",
                &url,
                &token,
            ];
            let answer = node(&script, &args).await;
            assert_eq!(answer["status"], 200, "{implementation} {alg}: {answer}");
            assert_eq!(answer["body"], jkt, "{implementation} {alg}");
            assert_eq!(answer["retried"], false);
            if implementation == "dpop" {
                assert_eq!(answer["proofAlg"], alg, "the proof's header alg");
            }
        }

        // A token bound to another key: refused, and oauth4webapi reads both challenges.
        let other = ENV.issuer.token(json!({
            "sub": "npm", "aud": ENV.resource, "cnf": { "jkt": "another-key-thumbprint" }
        }));
        let args = [
            "request",
            "oauth4webapi",
            alg,
            &file_arg,
            "GET",
            &url,
            &other,
        ];
        let answer = node(&script, &args).await;
        let _ = std::fs::remove_file(&file);
        assert_eq!(answer["status"], 401, "{alg}: {answer}");
        assert_eq!(
            answer["challenges"],
            json!([
                { "scheme": "bearer", "parameters": { "resource_metadata": metadata } },
                { "scheme": "dpop", "parameters": {
                    "error": "invalid_token", "algs": "ES256 PS256 RS256 Ed25519",
                    "resource_metadata": metadata,
                } },
            ]),
            "{alg}"
        );
    }
}

#[tokio::test]
async fn npm_clients_follow_the_server_nonce() {
    let script = client();
    let (key, file) = keygen(&script, "ES256").await;
    let jkt = key["jkt"].as_str().expect("jkt");
    let token = ENV
        .issuer
        .token(json!({ "sub": "npm", "aud": ENV.resource, "cnf": { "jkt": jkt } }));
    let url = format!("{}/api/nonce/me", ENV.base);
    let file_arg = file.to_str().expect("path").to_owned();
    for implementation in ["dpop", "oauth4webapi"] {
        let args = [
            "request",
            implementation,
            "ES256",
            &file_arg,
            "GET",
            &url,
            &token,
        ];
        let answer = node(&script, &args).await;
        assert_eq!(
            answer["retried"], true,
            "{implementation}: the first proof had no nonce: {answer}"
        );
        assert_eq!(answer["status"], 200, "{implementation}: {answer}");
        assert_eq!(answer["body"], jkt);
    }
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn oauth4webapi_discovers_the_metadata_from_a_401() {
    let script = client();
    let url = format!("{}/api/me", ENV.base);
    let found = node(&script, &["discover", &url, &ENV.resource]).await;
    let metadata = &found["metadata"];
    assert_eq!(metadata["resource"], ENV.resource, "{found}");
    assert_eq!(
        metadata["authorization_servers"],
        json!([ENV.issuer.issuer()])
    );
    assert_eq!(metadata["scopes_supported"], json!(["orders:read"]));
    assert_eq!(metadata["bearer_methods_supported"], json!(["header"]));
    assert_eq!(
        metadata["dpop_signing_alg_values_supported"],
        json!(["ES256", "PS256", "RS256", "Ed25519"])
    );
    assert_eq!(metadata["dpop_bound_access_tokens_required"], false);
    // oauth4webapi's own well-known URL for the resource finds the same document.
    assert_eq!(found["viaResource"], *metadata);
}
