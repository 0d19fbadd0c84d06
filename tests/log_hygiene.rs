//! No token, signature or key material in the logs, at any level.
//!
//! One test installs a `tracing` subscriber at TRACE (with `log` records bridged in) that
//! writes into a buffer, drives every failure path of the guard: each 401 reason, the 500
//! of an unknown strategy, JWK Set failures against a 127.0.0.1 testkit issuer answering
//! 500, garbage, key material in the wrong place, or too slowly, and a round trip through
//! a real axum server. It then looks for the material in the buffer: each token, its
//! signature and payload segments, the JWKs' `n`, `x` and `y`, the PEM body and the HMAC
//! secret, as any 20-character run of them.

use std::collections::HashSet;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::HeaderMap;
use http::header::AUTHORIZATION;
use jwt_guard::Algorithm;
use jwt_guard::jwks::JwksConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{ErrorKind, JwtStrategy, TokenError, authenticate};
use serde_json::{Value, json};

use jwt_guard_tests::{LogCapture as Capture, captured_logs as logs};

const HMAC_SECRET: &[u8; 32] = b"log-hygiene-hmac-secret-32-bytes";

/// The shortest run of secret characters that counts as a leak.
const WINDOW: usize = 20;

#[authenticate("lh-remote")]
async fn protected() -> &'static str {
    "granted"
}

#[authenticate("lh-never-registered")]
async fn misconfigured() -> &'static str {
    "unreachable"
}

// `#[tracing::instrument]` records every parameter with `Debug`: the guard's hidden one
// must show nothing of the request. Both orders.
#[tracing::instrument(level = "trace")]
#[authenticate("lh-remote")]
async fn instrumented_outside(who: jwt_guard::Principal) -> String {
    tracing::trace!("instrumented_outside body ran");
    who.subject().unwrap_or("-").to_owned()
}

#[authenticate("lh-remote")]
#[tracing::instrument(level = "trace")]
async fn instrumented_hidden() -> String {
    tracing::trace!("instrumented_hidden body ran");
    "hidden".to_owned()
}

// The handler forms that carry the request themselves (issue 18, item 13). Below
// `#[authenticate]`, `#[instrument]` is seen by the attribute, which skips the header
// source and the hidden guard; above it, it has expanded before the attribute runs, and
// the `skip(..)` the docs tell is written by hand.
#[authenticate("lh-remote")]
#[tracing::instrument(level = "trace")]
async fn instrumented_headermap(headers: HeaderMap) -> String {
    tracing::trace!("instrumented_headermap body ran");
    headers.len().to_string()
}

#[authenticate("lh-remote")]
#[tracing::instrument(level = "trace", fields(form = "request"), skip())]
async fn instrumented_request(request: axum::extract::Request) -> String {
    tracing::trace!("instrumented_request body ran");
    request.uri().to_string()
}

#[authenticate("lh-remote")]
#[tracing::instrument(level = "trace")]
async fn instrumented_parts(parts: http::request::Parts) -> String {
    tracing::trace!("instrumented_parts body ran");
    parts.uri.to_string()
}

#[tracing::instrument(level = "trace", skip(headers))]
#[authenticate("lh-remote")]
async fn instrumented_headermap_outside(headers: HeaderMap) -> String {
    tracing::trace!("instrumented_headermap_outside body ran");
    headers.len().to_string()
}

#[tracing::instrument(level = "trace", skip(request))]
#[authenticate("lh-remote")]
async fn instrumented_request_outside(request: axum::extract::Request) -> String {
    tracing::trace!("instrumented_request_outside body ran");
    request.uri().to_string()
}

/// Called by a handler: its own `&HeaderMap`, instrumented below the attribute.
#[authenticate("lh-remote")]
#[tracing::instrument(level = "trace")]
async fn instrumented_by_ref(headers: &HeaderMap) -> String {
    tracing::trace!("instrumented_by_ref body ran");
    headers.len().to_string()
}

async fn calls_by_ref(headers: HeaderMap) -> Result<String, jwt_guard::Error> {
    instrumented_by_ref(&headers).await
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn hs256(header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, HMAC_SECRET);
    let mac = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac))
}

/// The base64 body of a PEM public key without its first 44 characters, the DER header
/// that every RSA-2048 SubjectPublicKeyInfo shares (not a secret, and it would match any
/// other key's), and without the exponent's last 8.
fn pem_key_bits(pem: &str) -> String {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    body.get(44..body.len().saturating_sub(8))
        .unwrap_or_default()
        .to_owned()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// How the broken key server answers, set through [`Issuer::control`].
type Answer = Box<dyn Fn(&mut jwt_guard::testkit::Control)>;

/// What must never be logged, gathered as the test goes.
#[derive(Default)]
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn add(&mut self, what: impl Into<String>, secret: impl Into<String>) {
        let secret = secret.into();
        if secret.len() >= WINDOW {
            self.0.push((what.into(), secret));
        }
    }

    /// A token, its payload and its signature segment.
    fn token(&mut self, what: &str, token: &str) {
        self.add(format!("{what} token"), token);
        let mut parts = token.split('.');
        let _header = parts.next();
        if let Some(payload) = parts.next() {
            self.add(format!("{what} payload"), payload);
        }
        if let Some(signature) = parts.next() {
            self.add(format!("{what} signature"), signature);
        }
    }

    /// The key material of a JWK Set: `n`, `x`, `y`, `k`.
    fn jwks(&mut self, what: &str, jwks: &Value) {
        for key in jwks["keys"].as_array().into_iter().flatten() {
            for member in ["n", "x", "y", "k"] {
                if let Some(value) = key[member].as_str() {
                    self.add(format!("{what} {member}"), value);
                }
            }
        }
    }
}

/// Records one request's outcome through the registry (which logs every failure).
async fn attempt(
    outcomes: &mut Vec<String>,
    strategy: &str,
    authorization: &[&[u8]],
) -> Option<ErrorKind> {
    let mut headers = HeaderMap::new();
    for value in authorization {
        if let Ok(value) = http::HeaderValue::from_bytes(value) {
            headers.append(AUTHORIZATION, value);
        }
    }
    match jwt_guard::Registry::global()
        .authenticate(&[strategy], &headers)
        .await
    {
        Ok(_) => {
            outcomes.push(format!("{strategy}: ok"));
            None
        }
        Err(e) => {
            outcomes.push(format!("{strategy}: {} {e}", e.status().as_u16()));
            Some(e.into_kind())
        }
    }
}

fn bearer(token: &str) -> Vec<u8> {
    format!("Bearer {token}").into_bytes()
}

#[test]
fn no_secret_reaches_the_logs() {
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
    let (secrets, outcomes) = runtime.block_on(drive());
    let logs = logs();
    if let Some(path) = std::env::var_os("LOG_HYGIENE_DUMP") {
        std::fs::write(path, &logs).expect("dump");
    }

    // The capture works and saw the failure paths (else this test proves nothing).
    for expected in [
        "authentication failed",
        "JWK Set fetch failed",
        "is not registered",
        "jwt expired",
        "invalid signature",
        "JWK skipped",
        "instrumented_outside body ran",
        "instrumented_hidden body ran",
        "instrumented_outside{",
        "instrumented_hidden:",
        "instrumented_headermap body ran",
        "instrumented_request body ran",
        "instrumented_parts body ran",
        "instrumented_headermap_outside body ran",
        "instrumented_request_outside body ran",
        "instrumented_by_ref body ran",
        "instrumented_headermap:",
        "instrumented_request{form=\"request\"",
        "instrumented_parts:",
        "instrumented_by_ref:",
    ] {
        assert!(logs.contains(expected), "no {expected:?} in the logs");
    }
    // The hidden parameter is skipped, not shown.
    assert!(
        !logs.contains("__jwt_guard"),
        "a span shows the hidden guard: {}",
        logs.lines()
            .find(|line| line.contains("__jwt_guard"))
            .unwrap_or_default()
    );
    assert!(logs.contains("TRACE"), "no TRACE events captured");

    let windows: HashSet<&str> = (0..logs.len().saturating_sub(WINDOW - 1))
        .filter_map(|i| logs.get(i..i + WINDOW))
        .collect();
    let mut leaks = Vec::new();
    for (what, secret) in &secrets.0 {
        let leaked: HashSet<&str> = (0..=secret.len() - WINDOW)
            .filter_map(|i| secret.get(i..i + WINDOW))
            .filter(|w| windows.contains(w))
            .collect();
        for line in logs.lines() {
            if leaked.iter().any(|w| line.contains(w)) {
                leaks.push(format!("{what}: {line:.400}"));
            }
        }
    }
    println!(
        "log hygiene: {} bytes of logs, {} secrets, {} attempts: {outcomes:#?}",
        logs.len(),
        secrets.0.len(),
        outcomes.len()
    );
    assert!(
        leaks.is_empty(),
        "key material in the logs:\n{}",
        leaks.join("\n")
    );
}

async fn drive() -> (Secrets, Vec<String>) {
    let mut secrets = Secrets::default();
    let mut outcomes = Vec::new();
    let out = &mut outcomes;

    // ── a healthy issuer, fetched over 127.0.0.1 ────────────────────────────────────
    let issuer = Issuer::start().await.expect("issuer");
    let second_rsa = issuer.add_key(Algorithm::RS256).expect("key");
    let es = issuer.add_key(Algorithm::ES256).expect("key");
    secrets.jwks("issuer", &issuer.jwks());
    let pem = issuer.public_key_pem(&issuer.kid());
    secrets.add("PEM body", pem_key_bits(&pem));
    secrets.add("HMAC secret", String::from_utf8_lossy(HMAC_SECRET));
    secrets.add(
        "HMAC secret (base64url)",
        URL_SAFE_NO_PAD.encode(HMAC_SECRET),
    );
    secrets.add("HMAC secret (base64)", STANDARD.encode(HMAC_SECRET));

    let remote = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .audience("api")
        .algorithms([Algorithm::RS256, Algorithm::ES256])
        .build()
        .expect("strategy");
    jwt_guard::register("lh-remote", remote).expect("register");
    let pinned = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .rsa_pem(pem.as_bytes(), None)
        .build()
        .expect("strategy");
    jwt_guard::register("lh-pem", pinned).expect("register");
    let hmac = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .hmac_secret(HMAC_SECRET, None)
        .algorithms([Algorithm::HS256])
        .build()
        .expect("strategy");
    jwt_guard::register("lh-hmac", hmac).expect("register");

    let good = issuer.token(json!({ "sub": "ada", "aud": "api" }));
    secrets.token("good", &good);
    assert!(attempt(out, "lh-remote", &[&bearer(&good)]).await.is_none());

    // ── every 401 of the header layer ───────────────────────────────────────────────
    let mut header_cases: Vec<Vec<Vec<u8>>> = vec![
        vec![],
        vec![format!("Basic {good}").into_bytes()],
        vec![format!("Bearer {good} {good}").into_bytes()],
        vec![bearer(&good), bearer(&good)],
        vec![format!("Bearer {good}{}", "A".repeat(17000)).into_bytes()],
        vec![format!("Bearer {good}\t").into_bytes()],
        vec![format!("Bearer {good}\u{e9}").into_bytes()],
    ];
    for case in &mut header_cases {
        let values: Vec<&[u8]> = case.iter().map(Vec::as_slice).collect();
        attempt(out, "lh-remote", &values).await;
    }

    // ── every 401 of the token layer ────────────────────────────────────────────────
    let t = now();
    let iss = issuer.issuer().to_owned();
    let claims = |extra: Value| {
        let mut c = json!({ "iss": iss, "sub": "ada", "aud": "api", "iat": t, "exp": t + 600 });
        if let (Some(c), Value::Object(extra)) = (c.as_object_mut(), extra) {
            for (k, v) in extra {
                if v.is_null() {
                    c.remove(&k);
                } else {
                    c.insert(k, v);
                }
            }
        }
        c
    };
    let rs = |kid: &str| json!({ "alg": "RS256", "kid": kid });
    let kid = issuer.kid();
    let mut tampered_signature = issuer.token(json!({ "aud": "api" }));
    tampered_signature.replace_range(tampered_signature.len() - 5.., "AAAAA");
    let mut tampered_payload = issuer.token(json!({ "aud": "api", "role": "user" }));
    let at = tampered_payload.find('.').unwrap_or(0) + 6;
    let flipped = if &tampered_payload[at..=at] == "A" {
        "B"
    } else {
        "A"
    };
    tampered_payload.replace_range(at..=at, flipped);
    let long_header = format!(
        "{}.{}.c2ln",
        b64(&json!({ "alg": "RS256", "pad": "x".repeat(2000) })),
        b64(&claims(json!({})))
    );
    let token_cases: Vec<(TokenError, String)> = vec![
        (TokenError::Malformed, good.replacen('.', "", 1)),
        (TokenError::Malformed, format!("{good}.{good}")),
        (TokenError::TooLarge, long_header),
        (
            TokenError::Malformed,
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none" })),
                b64(&claims(json!({})))
            ),
        ),
        (
            TokenError::AlgorithmNotAllowed,
            format!(
                "{}.{}.c2ln",
                b64(&json!({ "alg": "none" })),
                b64(&claims(json!({})))
            ),
        ),
        (
            TokenError::AlgorithmNotAllowed,
            hs256(&json!({ "alg": "HS256", "kid": kid }), &claims(json!({}))),
        ),
        (
            TokenError::AlgorithmNotAllowed,
            issuer.sign(&json!({ "alg": "PS256", "kid": kid }), &claims(json!({}))),
        ),
        (
            TokenError::CriticalHeader,
            issuer.sign(
                &json!({ "alg": "RS256", "kid": kid, "crit": ["exp"] }),
                &claims(json!({})),
            ),
        ),
        (
            TokenError::UnknownKey,
            issuer.sign(&rs("no-such-key"), &claims(json!({}))),
        ),
        (
            TokenError::AmbiguousKey,
            issuer.sign(&json!({ "alg": "RS256" }), &claims(json!({}))),
        ),
        (TokenError::InvalidSignature, tampered_signature),
        // The unverified payload is read for `iss` before any key lookup (one issuer is
        // routed as several are): a payload that no longer decodes is malformed first.
        (TokenError::Malformed, tampered_payload),
        (
            TokenError::InvalidSignature,
            issuer.sign_with(&second_rsa, &rs(&kid), &claims(json!({}))),
        ),
        (
            TokenError::Expired,
            issuer.sign(&rs(&kid), &claims(json!({ "exp": t - 10 }))),
        ),
        (
            TokenError::NotYetValid,
            issuer.sign(&rs(&kid), &claims(json!({ "nbf": t + 600 }))),
        ),
        (
            TokenError::MissingClaim("exp"),
            issuer.sign(&rs(&kid), &claims(json!({ "exp": null }))),
        ),
        (
            TokenError::InvalidClaim("exp"),
            issuer.sign(&rs(&kid), &claims(json!({ "exp": format!("{}", t + 600) }))),
        ),
        (
            TokenError::InvalidClaim("nbf"),
            issuer.sign(&rs(&kid), &claims(json!({ "nbf": [1] }))),
        ),
        (
            TokenError::InvalidIssuer,
            issuer.sign(&rs(&kid), &claims(json!({ "iss": format!("{iss}/") }))),
        ),
        (
            TokenError::InvalidAudience,
            issuer.sign(&rs(&kid), &claims(json!({ "aud": "other" }))),
        ),
        (
            TokenError::InvalidAudience,
            issuer.token_with(&es, claims(json!({ "aud": ["x", "y"] }))),
        ),
    ];
    for (reason, token) in &token_cases {
        secrets.token(&format!("{reason:?}"), token);
        let got = attempt(out, "lh-remote", &[&bearer(token)]).await;
        assert!(
            matches!(&got, Some(ErrorKind::InvalidToken(r)) if r == reason),
            "{reason:?}: got {got:?}"
        );
    }

    // Key confusion against a pinned PEM and tokens against the HMAC strategy.
    let confusion = {
        let input = format!(
            "{}.{}",
            b64(&json!({ "alg": "HS256" })),
            b64(&claims(json!({})))
        );
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, pem.as_bytes());
        let mac = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac))
    };
    secrets.token("key confusion", &confusion);
    attempt(out, "lh-pem", &[&bearer(&confusion)]).await;
    attempt(out, "lh-pem", &[&bearer(&good)]).await;
    let hmac_good = hs256(&json!({ "alg": "HS256" }), &claims(json!({})));
    secrets.token("hmac good", &hmac_good);
    assert!(
        attempt(out, "lh-hmac", &[&bearer(&hmac_good)])
            .await
            .is_none()
    );
    let hmac_expired = hs256(&json!({ "alg": "HS256" }), &claims(json!({ "exp": t - 1 })));
    secrets.token("hmac expired", &hmac_expired);
    attempt(out, "lh-hmac", &[&bearer(&hmac_expired)]).await;
    let mut hmac_bad = hmac_good.clone();
    hmac_bad.replace_range(hmac_bad.len() - 4.., "AAAA");
    secrets.token("hmac bad", &hmac_bad);
    attempt(out, "lh-hmac", &[&bearer(&hmac_bad)]).await;

    // ── the 500 of an unknown strategy ──────────────────────────────────────────────
    let got = attempt(out, "lh-never-registered", &[&bearer(&good)]).await;
    assert!(matches!(got, Some(ErrorKind::UnknownStrategy(_))));

    // ── key-set failures: a second issuer answering badly ───────────────────────────
    let broken = Issuer::start().await.expect("issuer");
    secrets.jwks("broken issuer", &broken.jwks());
    let n = broken.jwks()["keys"][0]["n"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let broken_pem = broken.public_key_pem(&broken.kid());
    secrets.add("broken PEM body", pem_key_bits(&broken_pem));
    let broken_token = broken.token(json!({ "sub": "ada" }));
    secrets.token("broken issuer", &broken_token);
    let real_jwks = broken.jwks();
    let mut small_key = real_jwks.clone();
    small_key["keys"][0]["n"] = json!(n[..200]);
    let answers: Vec<(&str, Answer)> = vec![
        ("status 500", Box::new(|c| c.status = Some(500))),
        ("status 404", Box::new(|c| c.status = Some(404))),
        (
            "not json",
            Box::new(|c| c.body = Some("<html>oops</html>".into())),
        ),
        (
            "pem body",
            Box::new({
                let pem = broken_pem.clone();
                move |c| c.body = Some(pem.clone())
            }),
        ),
        (
            "pem as a json string",
            Box::new({
                let pem = broken_pem.clone();
                move |c| c.body = Some(Value::from(pem.clone()).to_string())
            }),
        ),
        (
            "keys is n",
            Box::new({
                let n = n.clone();
                move |c| c.body = Some(json!({ "keys": n }).to_string())
            }),
        ),
        (
            "kty is n",
            Box::new({
                let n = n.clone();
                move |c| {
                    c.body =
                        Some(json!({ "keys": [{ "kty": n, "n": n, "e": "AQAB" }] }).to_string())
                }
            }),
        ),
        (
            "e is an object",
            Box::new({
                let n = n.clone();
                move |c| {
                    c.body = Some(
                        json!({ "keys": [{ "kty": "RSA", "n": n, "e": { "n": n } }] }).to_string(),
                    )
                }
            }),
        ),
        (
            "n is a number",
            Box::new({
                let n = n.clone();
                move |c| {
                    c.body = Some(
                        json!({ "keys": [{ "kty": "RSA", "kid": "k", "n": 12345, "e": n }] })
                            .to_string(),
                    )
                }
            }),
        ),
        (
            "small modulus",
            Box::new(move |c| c.body = Some(small_key.to_string())),
        ),
        (
            "alg is n",
            Box::new({
                let mut jwks = real_jwks.clone();
                jwks["keys"][0]["alg"] = json!(n);
                move |c| c.body = Some(jwks.to_string())
            }),
        ),
        (
            "use is n",
            Box::new({
                let mut jwks = real_jwks.clone();
                jwks["keys"][0]["use"] = json!(n);
                move |c| c.body = Some(jwks.to_string())
            }),
        ),
        (
            "x5c is n",
            Box::new({
                let mut jwks = real_jwks.clone();
                jwks["keys"][0]["x5c"] = json!(n);
                move |c| c.body = Some(jwks.to_string())
            }),
        ),
        (
            "key_ops is n",
            Box::new({
                let mut jwks = real_jwks.clone();
                jwks["keys"][0]["key_ops"] = json!(n);
                move |c| c.body = Some(jwks.to_string())
            }),
        ),
        (
            "crv is n",
            Box::new({
                let n = n.clone();
                move |c| {
                    c.body = Some(
                        json!({ "keys": [{ "kty": "EC", "crv": n, "x": n, "y": n }] }).to_string(),
                    )
                }
            }),
        ),
        (
            "truncated",
            Box::new({
                let text = real_jwks.to_string();
                move |c| c.body = Some(text[..text.len() / 2].to_owned())
            }),
        ),
        (
            "too slow",
            Box::new(|c| c.delay = Some(Duration::from_millis(800))),
        ),
    ];
    for (index, (what, answer)) in answers.iter().enumerate() {
        broken.control(|c| {
            *c = jwt_guard::testkit::Control::default();
            answer(c);
        });
        let mut config = JwksConfig::default();
        config.timeout = Duration::from_millis(300);
        let strategy = JwtStrategy::builder()
            .issuer(broken.issuer())
            .jwks_config(config)
            .build()
            .expect("strategy");
        if let Some(client) = strategy.jwks() {
            let _ = client.warm_up().await;
        }
        let name = format!("lh-broken-{index}");
        jwt_guard::register(&name, strategy).expect("register");
        let got = attempt(out, &name, &[&bearer(&broken_token)]).await;
        assert!(
            got.is_some(),
            "{what}: the broken key set let a request through"
        );
    }
    broken.control(|c| *c = jwt_guard::testkit::Control::default());

    // ── a round trip through a real server, framework logs included ─────────────────
    let app = Router::new()
        .route("/protected", get(protected))
        .route("/misconfigured", get(misconfigured))
        .route("/instrumented/outside", get(instrumented_outside))
        .route("/instrumented/hidden", get(instrumented_hidden))
        .route("/instrumented/headermap", get(instrumented_headermap))
        .route("/instrumented/request", get(instrumented_request))
        .route("/instrumented/parts", get(instrumented_parts))
        .route(
            "/instrumented/headermap-outside",
            get(instrumented_headermap_outside),
        )
        .route(
            "/instrumented/request-outside",
            get(instrumented_request_outside),
        )
        .route("/instrumented/by-ref", get(calls_by_ref));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();
    for (path, token) in [
        ("/protected", good.as_str()),
        ("/protected", token_cases[10].1.as_str()),
        ("/protected", token_cases[13].1.as_str()),
        ("/misconfigured", good.as_str()),
        ("/instrumented/outside", good.as_str()),
        ("/instrumented/outside", token_cases[10].1.as_str()),
        ("/instrumented/hidden", good.as_str()),
        ("/instrumented/headermap", good.as_str()),
        ("/instrumented/headermap", token_cases[10].1.as_str()),
        ("/instrumented/request", good.as_str()),
        ("/instrumented/parts", good.as_str()),
        ("/instrumented/headermap-outside", good.as_str()),
        ("/instrumented/request-outside", good.as_str()),
        ("/instrumented/by-ref", good.as_str()),
    ] {
        let response = client
            .get(format!("http://{addr}{path}"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .expect("request");
        out.push(format!("http {path}: {}", response.status()));
        let body = response.text().await.unwrap_or_default();
        assert!(!body.contains(token), "a response echoed the token");
    }
    server.abort();
    drop(issuer);
    drop(broken);
    (secrets, outcomes)
}
