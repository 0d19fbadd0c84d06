//! The fully-specified `Ed25519` (RFC 9864) beside the polymorphic `EdDSA`, and the opt-in
//! `ES256K` (RFC 8812), against a real JWK Set server on 127.0.0.1 (the testkit issuer)
//! behind a real axum app, with tokens really signed: by the testkit (aws-lc) and by an
//! independent signer, node's own crypto (OpenSSL, `tests/node-signers/sign.mjs`); and
//! DPoP proofs with both (Ed25519 in the default proof algorithms, ES256K only listed).
//!
//! A key is used with exactly one algorithm (RFC 8725bis): a JWK whose `alg` is
//! `Ed25519` verifies `Ed25519` tokens only, one whose `alg` is `EdDSA` only `EdDSA`; an
//! Ed25519 JWK without `alg` serves either, as far as the strategy's allow-list goes.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jwt_guard::dpop::DpopConfig;
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::{Algorithm, JwtStrategy, Principal, Strategy, authenticate};
use jwt_guard_tests::client::{Answer, bearer};
use jwt_guard_tests::server;
use serde_json::{Value, json};

/// An app whose one route authenticates with `strategy`, served on 127.0.0.1; its base URL.
async fn serve(strategy: JwtStrategy) -> String {
    async fn handler(
        State(strategy): State<Arc<JwtStrategy>>,
        headers: http::HeaderMap,
    ) -> Response {
        match strategy.authenticate(&headers).await {
            Ok(principal) => principal
                .subject()
                .unwrap_or("anonymous")
                .to_owned()
                .into_response(),
            Err(err) => err.into_response(),
        }
    }
    let app = Router::new()
        .route("/", get(handler))
        .with_state(Arc::new(strategy));
    format!("http://{}", server::serve(app).await)
}

fn strategy(issuer: &Issuer, algorithms: &[Algorithm]) -> JwtStrategy {
    let mut builder = JwtStrategy::builder().issuer(issuer.issuer());
    if !algorithms.is_empty() {
        builder = builder.algorithms(algorithms.iter().copied());
    }
    builder.build().expect("strategy")
}

/// `token` signed by the key `kid` with the header's `alg` replaced by `alg`.
fn with_alg(issuer: &Issuer, kid: &str, alg: &str, sub: &str) -> String {
    let header = json!({ "alg": alg, "typ": "JWT", "kid": kid });
    issuer.sign_with(kid, &header, &issuer.claims(json!({ "sub": sub })))
}

fn assert_refused(answer: &Answer, reason: &str, what: &str) {
    assert_eq!(answer.status, 401, "{what}: {answer:?}");
    assert_eq!(
        answer.message(),
        format!("Invalid token: {reason}"),
        "{what}: {answer:?}"
    );
    assert_eq!(
        answer.challenge.as_deref(),
        Some("Bearer error=\"invalid_token\""),
        "{what}"
    );
}

#[tokio::test]
async fn each_ed25519_key_verifies_the_algorithm_its_jwk_names_and_no_other() {
    let issuer = Issuer::start().await.expect("issuer");
    let fully_specified = issuer.add_key(Algorithm::Ed25519).expect("Ed25519 key");
    let polymorphic = issuer.add_key(Algorithm::EdDSA).expect("EdDSA key");
    let jwks = issuer.jwks();
    let algs_of = |kid: &str| {
        jwks["keys"]
            .as_array()
            .and_then(|keys| keys.iter().find(|k| k["kid"] == kid))
            .map(|k| k["alg"].clone())
    };
    assert_eq!(algs_of(&fully_specified), Some(json!("Ed25519")));
    assert_eq!(algs_of(&polymorphic), Some(json!("EdDSA")));

    let both = serve(strategy(&issuer, &[Algorithm::EdDSA, Algorithm::Ed25519])).await;
    let new = issuer.token_with(&fully_specified, json!({ "sub": "new" }));
    let old = issuer.token_with(&polymorphic, json!({ "sub": "old" }));
    bearer(&both, "/", &new).await.assert_ok("new");
    bearer(&both, "/", &old).await.assert_ok("old");

    // The same keys and signatures, the header naming the other algorithm: refused.
    let crossed = [
        (&fully_specified, "EdDSA", "an Ed25519 key used for EdDSA"),
        (&polymorphic, "Ed25519", "an EdDSA key used for Ed25519"),
    ];
    for (kid, alg, what) in crossed {
        let token = with_alg(&issuer, kid, alg, "crossed");
        let answer = bearer(&both, "/", &token).await;
        assert_refused(&answer, "no signing key matches the token", what);
    }

    // Each allow-list alone: the other name is refused before any key is looked up.
    let only_new = serve(strategy(&issuer, &[Algorithm::Ed25519])).await;
    bearer(&only_new, "/", &new).await.assert_ok("new");
    assert_refused(
        &bearer(&only_new, "/", &old).await,
        "invalid algorithm",
        "EdDSA not allowed",
    );
    let only_old = serve(strategy(&issuer, &[Algorithm::EdDSA])).await;
    bearer(&only_old, "/", &old).await.assert_ok("old");
    assert_refused(
        &bearer(&only_old, "/", &new).await,
        "invalid algorithm",
        "Ed25519 not allowed",
    );
}

#[tokio::test]
async fn an_ed25519_jwk_without_alg_serves_either_name_the_strategy_allows() {
    let issuer = Issuer::start().await.expect("issuer");
    let kid = issuer.add_key(Algorithm::Ed25519).expect("Ed25519 key");
    // The key set as published, the `alg` of the Ed25519 key taken out.
    let mut jwks = issuer.jwks();
    for key in jwks["keys"].as_array_mut().expect("keys") {
        if key["kid"] == kid.as_str()
            && let Value::Object(members) = key
        {
            members.remove("alg");
        }
    }
    issuer.control(|c| c.body = Some(jwks.to_string()));
    let new = with_alg(&issuer, &kid, "Ed25519", "new");
    let old = with_alg(&issuer, &kid, "EdDSA", "old");

    let both = serve(strategy(&issuer, &[Algorithm::EdDSA, Algorithm::Ed25519])).await;
    bearer(&both, "/", &new).await.assert_ok("new");
    bearer(&both, "/", &old).await.assert_ok("old");
    let only_new = serve(strategy(&issuer, &[Algorithm::Ed25519])).await;
    bearer(&only_new, "/", &new).await.assert_ok("new");
    assert_refused(
        &bearer(&only_new, "/", &old).await,
        "invalid algorithm",
        "EdDSA not allowed",
    );
    // A signature over other claims never verifies, whatever the name.
    let (head, _) = new.rsplit_once('.').expect("compact");
    let (_, other_sig) = old.rsplit_once('.').expect("compact");
    assert_refused(
        &bearer(&both, "/", &format!("{head}.{other_sig}")).await,
        "invalid signature",
        "another token's signature",
    );
}

#[tokio::test]
async fn es256k_is_verified_only_when_listed() {
    let issuer = Issuer::start().await.expect("issuer");
    let kid = issuer.add_key(Algorithm::ES256K).expect("ES256K key");
    let jwk = issuer.jwks()["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid.as_str()).cloned())
        .expect("published");
    assert_eq!(
        (&jwk["kty"], &jwk["crv"]),
        (&json!("EC"), &json!("secp256k1"))
    );
    let token = issuer.token_with(&kid, json!({ "sub": "k1" }));

    // The default allow-list (RS256) and one of every other ECDSA algorithm refuse it.
    let default = serve(strategy(&issuer, &[])).await;
    assert_refused(
        &bearer(&default, "/", &token).await,
        "invalid algorithm",
        "default",
    );
    let p256 = serve(strategy(&issuer, &[Algorithm::ES256, Algorithm::ES384])).await;
    assert_refused(
        &bearer(&p256, "/", &token).await,
        "invalid algorithm",
        "ES256",
    );

    let listed = serve(strategy(&issuer, &[Algorithm::ES256, Algorithm::ES256K])).await;
    bearer(&listed, "/", &token).await.assert_ok("k1");
    // The secp256k1 key's signature under the header `ES256`: the key does not fit.
    let as_p256 = with_alg(&issuer, &kid, "ES256", "p256");
    assert_refused(
        &bearer(&listed, "/", &as_p256).await,
        "no signing key matches the token",
        "secp256k1 key for ES256",
    );
    // A flipped bit in the signature.
    let (head, sig) = token.rsplit_once('.').expect("compact");
    let mut bad = sig.to_owned().into_bytes();
    bad[10] = if bad[10] == b'A' { b'B' } else { b'A' };
    let bad = format!("{head}.{}", String::from_utf8(bad).expect("ascii"));
    assert_refused(
        &bearer(&listed, "/", &bad).await,
        "invalid signature",
        "flipped signature",
    );
}

/// Runs node's own crypto on `claims`: a fresh key pair for `alg`, its public JWK (`alg`
/// `jwk_alg`, or none for "-") and a token. The script is installed by
/// `tests/node-signers/setup.sh`, which fails saying how when node is missing.
async fn node_signed(alg: &str, claims: &Value, jwk_alg: &str) -> (Value, String) {
    let script = jwt_guard_tests::install("node-signers").join("sign.mjs");
    let output = tokio::process::Command::new("node")
        .arg(&script)
        .args([alg, &claims.to_string(), jwk_alg])
        .output()
        .await
        .unwrap_or_else(|err| panic!("node sign.mjs: {err} (tests/node-signers/setup.sh)"));
    assert!(
        output.status.success(),
        "node sign.mjs {alg}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Value = serde_json::from_slice(&output.stdout).expect("JSON from sign.mjs");
    let token = out["token"].as_str().expect("token").to_owned();
    (out["jwk"].clone(), token)
}

#[tokio::test]
async fn tokens_signed_by_node_crypto_verify() {
    let issuer = Issuer::start().await.expect("issuer");
    let claims = issuer.claims(json!({ "sub": "node" }));
    let (k1_jwk, k1_token) = node_signed("ES256K", &claims, "ES256K").await;
    let (ed_jwk, ed_token) = node_signed("Ed25519", &claims, "Ed25519").await;
    let (bare_jwk, bare_token) = node_signed("Ed25519", &claims, "-").await;
    assert_eq!(k1_jwk["crv"], "secp256k1");
    assert_eq!(bare_jwk.get("alg"), None);
    // The issuer's key set, with node's keys added.
    let mut jwks = issuer.jwks();
    let keys = jwks["keys"].as_array_mut().expect("keys");
    keys.extend([k1_jwk, ed_jwk, bare_jwk]);
    issuer.control(|c| c.body = Some(jwks.to_string()));

    let all = [Algorithm::ES256K, Algorithm::Ed25519];
    let app = serve(strategy(&issuer, &all)).await;
    for (token, what) in [
        (&k1_token, "ES256K"),
        (&ed_token, "Ed25519"),
        (&bare_token, "Ed25519 key without alg"),
    ] {
        let answer = bearer(&app, "/", token).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (200, "node"),
            "{what}: {answer:?}"
        );
    }
    // Without ES256K listed, node's secp256k1 token is refused.
    let without = serve(strategy(&issuer, &[Algorithm::Ed25519])).await;
    assert_refused(
        &bearer(&without, "/", &k1_token).await,
        "invalid algorithm",
        "ES256K not listed",
    );
}

#[authenticate("alg-dpop-k1")]
async fn dpop_k1(who: Principal) -> String {
    who.dpop_thumbprint().unwrap_or("bearer").to_owned()
}

#[authenticate("alg-dpop-default")]
async fn dpop_default(who: Principal) -> String {
    who.dpop_thumbprint().unwrap_or("bearer").to_owned()
}

#[tokio::test]
async fn dpop_proofs_take_ed25519_by_default_and_es256k_when_listed() {
    let issuer = Issuer::start().await.expect("issuer");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let strategy = |dpop: DpopConfig| {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .dpop(dpop.external_origin(&base))
            .build()
            .expect("strategy")
    };
    let listed = DpopConfig::allowed().algorithms([Algorithm::ES256K, Algorithm::Ed25519]);
    jwt_guard::register("alg-dpop-k1", strategy(listed)).expect("register");
    jwt_guard::register("alg-dpop-default", strategy(DpopConfig::allowed())).expect("register");
    let app = Router::new()
        .route("/k1", get(dpop_k1))
        .route("/default", get(dpop_default));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let send = |path: &str, key: &DpopKey| {
        let token = issuer.token(json!({ "sub": "ada", "cnf": key.cnf() }));
        let url = format!("{base}{path}");
        let proof = key.proof("GET", &url, Some(&token));
        let request = reqwest::Client::new()
            .get(url)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof);
        jwt_guard_tests::client::answer(request)
    };
    let k1 = DpopKey::generate(Algorithm::ES256K).expect("ES256K key");
    let ed = DpopKey::generate(Algorithm::Ed25519).expect("Ed25519 key");
    assert_eq!(k1.public_jwk()["crv"], "secp256k1");
    for key in [&k1, &ed] {
        send("/k1", key).await.assert_ok(key.thumbprint());
    }
    // The defaults: Ed25519 in, ES256K out.
    send("/default", &ed).await.assert_ok(ed.thumbprint());
    let refused = send("/default", &k1).await;
    assert_eq!(refused.status, 401, "{refused:?}");
    let challenge = refused.challenge.as_deref().unwrap_or_default();
    assert!(
        challenge.contains("invalid_dpop_proof") && challenge.contains("Ed25519"),
        "{challenge}"
    );
    assert!(!challenge.contains("ES256K"), "{challenge}");
}
