//! Several issuers in one strategy and tenant patterns, end to end against real key
//! servers on 127.0.0.1: each token goes to its issuer's keys alone, an `iss` not
//! accepted costs no fetch, and a flood of random `iss` values costs no fetch and bounded
//! memory (engines held).

use std::time::Duration;

use http::HeaderMap;
use http::header::AUTHORIZATION;
use jwt_guard::testkit::{Issuer, IssuerOptions};
use jwt_guard::{ConfigError, Error, ErrorKind, JwtStrategy, Principal, Strategy, TokenError};
use serde_json::json;

use jwt_guard_tests::rng::Rng;

async fn verify(strategy: &JwtStrategy, token: &str) -> Result<Principal, Error> {
    let mut headers = HeaderMap::new();
    let value = format!("Bearer {token}").parse().expect("header value");
    headers.insert(AUTHORIZATION, value);
    strategy.authenticate(&headers).await
}

#[track_caller]
fn assert_refused(result: Result<Principal, Error>, expected: TokenError) {
    match result {
        Err(err) => {
            assert_eq!(err.status(), 401, "{err}");
            match err.kind() {
                ErrorKind::InvalidToken(e) => assert_eq!(*e, expected, "{err}"),
                other => panic!("expected {expected:?}, got {other:?}"),
            }
        }
        Ok(p) => panic!("accepted: {:?}", p.claims()),
    }
}

/// Entra ID's multi-tenant shape: one issuer per tenant, keys per tenant.
async fn entra() -> Issuer {
    Issuer::start_with(
        IssuerOptions::new()
            .issuer_path("/{tenant}/v2.0")
            .jwks_path("/{tenant}/discovery/v2.0/keys"),
    )
    .await
    .expect("issuer")
}

fn random_segment(rng: &mut Rng) -> String {
    format!("{:016x}{}", rng.next_u64(), rng.below(10))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_issuer_has_its_own_keys() {
    let a = Issuer::start().await.expect("issuer");
    let b = Issuer::start().await.expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(a.issuer())
        .issuer(b.issuer())
        .build()
        .expect("strategy");
    let who = verify(&strategy, &a.token(json!({ "sub": "from-a" })))
        .await
        .expect("a's token");
    assert_eq!(who.subject(), Some("from-a"));
    let who = verify(&strategy, &b.token(json!({ "sub": "from-b" })))
        .await
        .expect("b's token");
    assert_eq!(who.subject(), Some("from-b"));
    assert_eq!((a.jwks_requests(), b.jwks_requests()), (1, 1));
    assert_eq!(strategy.key_engines().len(), 2);

    // b's key (same kid "key-1") signing a token that names a: a's keys alone are tried.
    let forged = b.token(json!({ "iss": a.issuer(), "sub": "mallory" }));
    assert_refused(
        verify(&strategy, &forged).await,
        TokenError::InvalidSignature,
    );
    // An issuer not on the list: refused before any key is looked up.
    let stranger = b.token(json!({ "iss": "https://stranger.example", "sub": "x" }));
    assert_refused(
        verify(&strategy, &stranger).await,
        TokenError::InvalidIssuer,
    );
    let no_iss = b.sign(
        &json!({ "alg": "RS256", "kid": b.kid() }),
        &json!({ "sub": "x", "exp": 4_000_000_000u64 }),
    );
    assert_refused(verify(&strategy, &no_iss).await, TokenError::InvalidIssuer);
    assert_eq!((a.jwks_requests(), b.jwks_requests()), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_issuer_is_a_plain_401() {
    let a = Issuer::start().await.expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(a.issuer())
        .issuer("https://other.example")
        .build()
        .expect("strategy");
    let token = a.token(json!({ "iss": "https://nobody.example" }));
    let err = verify(&strategy, &token).await.expect_err("refused");
    assert_eq!(err.status(), 401);
    assert_eq!(err.body_text(), "Invalid token: jwt issuer invalid");
    assert_eq!(a.jwks_requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_pattern_routes_and_cross_checks_the_tenant() {
    let idp = entra().await;
    let strategy = JwtStrategy::builder()
        .issuer(idp.issuer())
        .jwks_uri(idp.jwks_uri())
        .tenants(["t-one", "t-two"])
        .build()
        .expect("strategy");
    assert_eq!(strategy.tenant_engines(), 0, "made on first use");
    for tenant in ["t-one", "t-two", "t-one"] {
        let who = verify(&strategy, &idp.token_for(tenant, json!({ "sub": tenant })))
            .await
            .expect("an allowed tenant");
        assert_eq!(who.subject(), Some(tenant));
    }
    assert_eq!(
        idp.jwks_paths(),
        ["/t-one/discovery/v2.0/keys", "/t-two/discovery/v2.0/keys"],
        "one engine per tenant, each at its own key URL"
    );
    assert_eq!(strategy.tenant_engines(), 2);
    assert_eq!(strategy.key_engines().len(), 2);

    // A tenant not on the list: refused, no fetch, no engine.
    let other = idp.token_for("t-three", json!({}));
    assert_refused(verify(&strategy, &other).await, TokenError::InvalidIssuer);
    // The tenant claim must name the issuer's tenant.
    let mixed = idp.token_for("t-one", json!({ "tid": "t-two" }));
    assert_refused(verify(&strategy, &mixed).await, TokenError::InvalidIssuer);
    let no_tid = idp.token(json!({ "iss": idp.issuer_for("t-one") }));
    assert_refused(verify(&strategy, &no_tid).await, TokenError::InvalidIssuer);
    // A tenant that is not one path segment never matches the pattern.
    let nested = idp.token(json!({ "iss": idp.issuer_for("t-one/x"), "tid": "t-one/x" }));
    assert_refused(verify(&strategy, &nested).await, TokenError::InvalidIssuer);
    assert_eq!(idp.jwks_requests(), 2);
    assert_eq!(strategy.tenant_engines(), 2);

    // Without the cross-check, a token without `tid` passes.
    let lax = JwtStrategy::builder()
        .issuer(idp.issuer())
        .jwks_uri(idp.jwks_uri())
        .tenants(["t-one"])
        .tenant_claim(None)
        .build()
        .expect("strategy");
    assert!(verify(&lax, &no_tid).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_keys_by_discovery_from_the_tenants_issuer() {
    let idp = entra().await;
    let strategy = JwtStrategy::builder()
        .issuer(idp.issuer())
        .discover()
        .tenant_predicate(|t| t.starts_with("ok-"))
        .build()
        .expect("strategy");
    for tenant in ["ok-a", "ok-b"] {
        verify(&strategy, &idp.token_for(tenant, json!({})))
            .await
            .expect("an allowed tenant");
    }
    assert_eq!(idp.discovery_requests(), 2);
    assert_eq!(
        idp.jwks_paths(),
        ["/ok-a/discovery/v2.0/keys", "/ok-b/discovery/v2.0/keys"]
    );
    assert_refused(
        verify(&strategy, &idp.token_for("bad-c", json!({}))).await,
        TokenError::InvalidIssuer,
    );
    assert_eq!(idp.discovery_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_random_iss_costs_no_fetch_and_bounded_memory() {
    let idp = entra().await;
    let plain = Issuer::start().await.expect("issuer");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let strategy = JwtStrategy::builder()
        .issuer(plain.issuer())
        .issuer_with_jwks_uri(idp.issuer(), idp.jwks_uri())
        .tenants(["known"])
        .max_tenants(8)
        .build()
        .expect("strategy");
    // Random issuers of every shape: not on the list, or a tenant not allowed.
    for i in 0..500 {
        let seg = random_segment(&mut rng);
        let iss = match i % 3 {
            0 => format!("https://{seg}.example/"),
            1 => idp.issuer_for(&seg),
            _ => format!("{}/{seg}", plain.issuer()),
        };
        let token = idp.token(json!({ "iss": iss, "tid": seg }));
        assert_refused(verify(&strategy, &token).await, TokenError::InvalidIssuer);
    }
    assert_eq!(idp.jwks_requests() + idp.discovery_requests(), 0);
    assert_eq!(plain.jwks_requests(), 0);
    assert_eq!(strategy.tenant_engines(), 0);
    assert_eq!(
        strategy.key_engines().len(),
        1,
        "the plain issuer's, made at build"
    );
    verify(&strategy, &idp.token_for("known", json!({})))
        .await
        .expect("the known tenant");
    assert_eq!(idp.jwks_requests(), 1);

    // Any tenant accepted, keys per tenant: a fetch per new tenant (the IdP's own URL,
    // never the token's), and never more than `max_tenants` engines held.
    let open = JwtStrategy::builder()
        .issuer(idp.issuer())
        .jwks_uri(idp.jwks_uri())
        .tenant_predicate(|_| true)
        .max_tenants(8)
        // Room for this loop's 101 tenants (the budget has its own test).
        .new_tenant_budget(1000, Duration::from_secs(60))
        .build()
        .expect("strategy");
    let before = idp.jwks_requests();
    for _ in 0..100 {
        let tenant = random_segment(&mut rng);
        verify(&open, &idp.token_for(&tenant, json!({})))
            .await
            .expect("any tenant");
        assert!(open.tenant_engines() <= 8, "{}", open.tenant_engines());
        // A tenant in steady use keeps its engine through the flood: one fetch in all.
        verify(&open, &idp.token_for("steady", json!({})))
            .await
            .expect("the steady tenant");
    }
    assert_eq!(idp.jwks_requests() - before, 101);
    let steady = idp
        .jwks_paths()
        .iter()
        .filter(|p| p.starts_with("/steady/"))
        .count();
    assert_eq!(steady, 1, "the steady tenant's engine was evicted");
    assert!(open.key_engines().len() <= 8);
    assert!(open.tenant_engines() >= 1);

    // Any tenant accepted, keys at one URL (Entra ID's common keys): one fetch in all.
    let shared = JwtStrategy::builder()
        .issuer(idp.issuer())
        .jwks_uri(idp.jwks_uri().replace("{tenant}", "common"))
        .tenant_predicate(|_| true)
        .max_tenants(8)
        .build()
        .expect("strategy");
    let before = idp.jwks_requests();
    for _ in 0..100 {
        let tenant = random_segment(&mut rng);
        verify(&shared, &idp.token_for(&tenant, json!({})))
            .await
            .expect("any tenant");
    }
    assert_eq!(idp.jwks_requests() - before, 1);
    assert_eq!(shared.key_engines().len(), 1);
    assert!(shared.tenant_engines() <= 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_hits_stay_on_their_route() {
    let a = Issuer::start().await.expect("issuer");
    let b = Issuer::start().await.expect("issuer");
    let strategy = JwtStrategy::builder()
        .issuer(a.issuer())
        .issuer(b.issuer())
        .token_cache(Default::default())
        .build()
        .expect("strategy");
    let token = b.token(json!({ "sub": "cached" }));
    for _ in 0..3 {
        let who = verify(&strategy, &token).await.expect("b's token");
        assert_eq!(who.subject(), Some("cached"));
    }
    assert_eq!(strategy.cached_tokens(), 1);
    assert_eq!(b.jwks_requests(), 1);
}

#[test]
fn builder_validation() {
    let build = |b: jwt_guard::JwtStrategyBuilder| b.build().expect_err("refused");
    let e = build(JwtStrategy::builder().issuer("https://login.example/{tenantid}/v2.0"));
    assert!(
        matches!(&e, ConfigError::InvalidIssuer { issuer, .. } if issuer.contains("{tenantid}")),
        "{e}"
    );
    let e = build(JwtStrategy::builder().issuer("https://login.example/{tenant}/v2.0"));
    assert!(e.to_string().contains("tenants("), "{e}");
    let e = build(
        JwtStrategy::builder()
            .issuer("https://a.example")
            .jwks_uri("https://a.example/{tenant}/keys"),
    );
    assert!(matches!(e, ConfigError::InvalidUrl { .. }), "{e}");
    let e = build(
        JwtStrategy::builder()
            .issuer("https://a.example")
            .issuer("https://b.example")
            .jwks_uri("https://a.example/{tenant}/keys"),
    );
    assert!(matches!(e, ConfigError::InvalidUrl { .. }), "{e}");
    let e = build(
        JwtStrategy::builder()
            .issuer("https://login.example/{tenant}/v2.0")
            .tenants(["a"])
            .jwks_uri("http://login.example/{tenant}/keys"),
    );
    assert!(matches!(e, ConfigError::InsecureUrl { .. }), "{e}");
    let e = build(
        JwtStrategy::builder()
            .issuer("https://a.example")
            .tenants(["t"]),
    );
    assert!(
        matches!(
            e,
            ConfigError::InvalidOption {
                option: "tenants",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        JwtStrategy::builder()
            .issuer("https://login.example/{tenant}/v2.0")
            .tenants(["a"])
            .jwks_uri("https://login.example/{tenant}/keys")
            .build()
            .is_ok()
    );
}

/// Issue 18 item 9: `.` and `..` as tenants. A URL resolves them, so the key URL built for
/// them would leave the tenant's path (here: reach the key set of the server's own issuer,
/// whose key signed the token). Refused before any fetch, with the key URL per tenant and
/// with LoopBack's rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_segment_tenants_never_reach_another_path() {
    let plain = Issuer::start().await.expect("issuer");
    let origin = format!("http://{}", plain.addr());
    let by_url = JwtStrategy::builder()
        .issuer("https://login.example/{tenant}/v2.0")
        .jwks_uri(format!("{origin}/t/{{tenant}}/.well-known/jwks.json"))
        .tenant_predicate(|t| t.len() <= 40)
        .build()
        .expect("strategy");
    let by_rule = JwtStrategy::builder()
        .issuer(format!("{origin}/t/{{tenant}}"))
        .tenant_predicate(|t| t.len() <= 40)
        .build()
        .expect("strategy");
    for tenant in ["..", "."] {
        let token = plain.token(json!({
            "iss": format!("https://login.example/{tenant}/v2.0"),
            "tid": tenant,
        }));
        assert_refused(verify(&by_url, &token).await, TokenError::InvalidIssuer);
        let token = plain.token(json!({ "iss": format!("{origin}/t/{tenant}"), "tid": tenant }));
        assert_refused(verify(&by_rule, &token).await, TokenError::InvalidIssuer);
    }
    assert_eq!(plain.jwks_requests(), 0, "{:?}", plain.jwks_paths());
    assert_eq!((by_url.tenant_engines(), by_rule.tenant_engines()), (0, 0));
    // A tenant with dots that is not a dot segment is an ordinary tenant.
    let token = plain.token(json!({ "iss": "https://login.example/.../v2.0", "tid": "..." }));
    assert!(verify(&by_url, &token).await.is_err(), "no keys at /t/.../");
    assert_eq!(by_url.tenant_engines(), 1);
}

/// Issue 18 item 10: a tenant predicate (`len() == 36`) and 3 000 forged tokens, each
/// naming a new tenant. Engines for unseen tenants come from the budget (10 per hour
/// here, the known tenant's first among them): 10 fetches in all, the rest a 503 with
/// `Retry-After` and no fetch, and the known tenant keeps working throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_new_tenants_costs_at_most_the_budget_in_fetches() {
    let idp = entra().await;
    let attacker = Issuer::offline("https://attacker.example").expect("keys");
    let mut rng = Rng(0x0018_0010_f100_d000);
    let strategy = JwtStrategy::builder()
        .issuer(idp.issuer())
        .jwks_uri(idp.jwks_uri())
        .tenant_predicate(|t| t.len() == 36)
        .new_tenant_budget(10, Duration::from_secs(3600))
        .build()
        .expect("strategy");
    let known = "00000000-0000-4000-8000-000000000000";
    verify(&strategy, &idp.token_for(known, json!({})))
        .await
        .expect("the known tenant");
    let uuid = |rng: &mut Rng| {
        let hex = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    };
    let (mut refused, mut unavailable) = (0, 0);
    for i in 0..3000 {
        let tenant = uuid(&mut rng);
        assert_eq!(tenant.len(), 36);
        // Signed with the attacker's own key (same kid as the IdP's).
        let forged = attacker.token(json!({ "iss": idp.issuer_for(&tenant), "tid": tenant }));
        let err = verify(&strategy, &forged).await.expect_err("forged");
        match err.status().as_u16() {
            401 => refused += 1,
            503 => {
                assert!(err.retry_after().is_some_and(|s| s >= 1), "{err}");
                unavailable += 1;
            }
            other => panic!("{other}: {err}"),
        }
        if i % 100 == 0 {
            verify(&strategy, &idp.token_for(known, json!({ "sub": i })))
                .await
                .expect("the known tenant, during the flood");
        }
    }
    // The known tenant's engine came from the budget too: 9 left for the flood.
    assert_eq!((refused, unavailable), (9, 2991));
    assert_eq!(
        idp.jwks_requests(),
        10,
        "one fetch per engine, 10 engines in the budget"
    );
    assert_eq!(strategy.tenant_engines(), 10);
}

/// Issue 18 item 11: with one issuer, a token naming another is refused as with several
/// issuers: 401 "jwt issuer invalid" before any key is looked up, so no fetch (and no 503
/// when the key server is down).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_issuer_refuses_a_foreign_iss_before_any_fetch() {
    let ours = Issuer::start().await.expect("issuer");
    let theirs = Issuer::start().await.expect("issuer");
    let remote = JwtStrategy::builder()
        .issuer(ours.issuer())
        .build()
        .expect("strategy");
    let foreign = theirs.token(json!({ "sub": "mallory" }));
    let err = verify(&remote, &foreign).await.expect_err("refused");
    assert_eq!(err.status(), 401, "{err}");
    assert_eq!(err.body_text(), "Invalid token: jwt issuer invalid");
    assert_eq!(ours.jwks_requests(), 0);
    // A key server that is down changes nothing for a foreign token.
    let down = JwtStrategy::builder()
        .issuer("http://127.0.0.1:9/issuer")
        .build()
        .expect("strategy");
    assert_refused(verify(&down, &foreign).await, TokenError::InvalidIssuer);
    // Pinned keys: the same answer, not "no signing key matches the token".
    let pinned = JwtStrategy::builder()
        .issuer(ours.issuer())
        .jwks_json(ours.jwks().to_string().as_bytes())
        .build()
        .expect("strategy");
    assert_refused(verify(&pinned, &foreign).await, TokenError::InvalidIssuer);
    // Our own token still verifies, after one fetch.
    verify(&remote, &ours.token(json!({ "sub": "alice" })))
        .await
        .expect("our token");
    assert_eq!(ours.jwks_requests(), 1);
}

#[test]
fn the_new_tenant_budget_must_allow_something() {
    for (count, per) in [(0, Duration::from_secs(60)), (5, Duration::ZERO)] {
        let e = JwtStrategy::builder()
            .issuer("https://login.example/{tenant}/v2.0")
            .tenant_predicate(|_| true)
            .new_tenant_budget(count, per)
            .build()
            .expect_err("refused");
        assert!(
            matches!(
                e,
                ConfigError::InvalidOption {
                    option: "new_tenant_budget",
                    ..
                }
            ),
            "{e}"
        );
    }
}
