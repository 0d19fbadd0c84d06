//! Issue 18 item 14: attacker-influenced strings (a strategy name taken from the request,
//! a `kid`) are cut to 64 characters in the logs and never echoed in a response body
//! (tenants are 128 characters at most before they are logged, cut to 64 too). One test installs a `tracing` subscriber at TRACE writing into a buffer, drives
//! each path with 5 000-character values against a 127.0.0.1 testkit issuer, and reads
//! the buffer.

use http::HeaderMap;
use http::header::AUTHORIZATION;
use jwt_guard::jwks::JwksConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{JwtStrategy, Registry};
use serde_json::json;

use jwt_guard_tests::{LogCapture as Capture, captured_logs as logs};

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    text.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

const LONG: usize = 5000;

#[test]
fn attacker_strings_are_bounded_in_logs_and_never_echoed() {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(|| Capture)
        .with_ansi(false)
        .try_init()
        .expect("the only subscriber of this binary");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(drive());
    let logs = logs();
    // The capture works and saw each path (else this test proves nothing).
    for expected in ["not registered", "JWK skipped"] {
        assert!(logs.contains(expected), "no {expected:?} in the logs");
    }
    for (c, what) in [('n', "strategy name"), ('k', "kid")] {
        let run = longest_run(&logs, c);
        assert!(run <= 64, "a {what} of {run} characters reached the logs");
        assert!(run >= 32, "the {what} is not in the logs at all ({run})");
    }
    let longest_line = logs.lines().map(str::len).max().unwrap_or(0);
    assert!(longest_line < 1024, "a log line of {longest_line} bytes");
}

async fn drive() {
    let issuer = Issuer::start().await.expect("issuer");
    let registry = Registry::new();
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    registry.register("jwt", strategy).expect("registered");
    let mut headers = HeaderMap::new();
    let bearer = format!("Bearer {}", issuer.token(json!({ "sub": "ada" })));
    headers.insert(AUTHORIZATION, bearer.parse().expect("header"));

    // A strategy name from the request (the example server's `GET /as/{name}`).
    let name = "n".repeat(LONG);
    let err = registry
        .authenticate(&[name.as_str()], &headers)
        .await
        .expect_err("not registered");
    assert_eq!(err.status(), 500);
    for body in [err.body_text(), err.body_json()] {
        assert!(!body.contains("nnnn"), "echoed: {body}");
    }
    assert!(err.to_string().len() < 200, "{err}");

    // A fetched key set naming an unusable key with a 5 000-character kid.
    let mut keys = issuer.jwks()["keys"].as_array().expect("keys").clone();
    keys.insert(0, json!({ "kty": "XYZ", "kid": "k".repeat(LONG) }));
    issuer.control(|c| c.body = Some(json!({ "keys": keys }).to_string()));
    let fetched = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_config(JwksConfig::default())
        .build()
        .expect("strategy");
    fetched
        .verify_token(&issuer.token(json!({ "sub": "ada" })))
        .await
        .expect("the good key still verifies");

    // The set changes: a usable key with a 5 000-character kid joins it ("JWK Set
    // changed" names the added kids), fetched again for a token naming an unknown kid.
    let mut long = issuer.jwks()["keys"][0].clone();
    long["kid"] = json!("k".repeat(LONG));
    keys.push(long);
    issuer.control(|c| c.body = Some(json!({ "keys": keys }).to_string()));
    let claims = issuer.claims(json!({ "sub": "ada" }));
    let unknown = issuer.sign(&json!({ "alg": "RS256", "kid": "not-yet-seen" }), &claims);
    let _ = fetched.verify_token(&unknown).await;
}
