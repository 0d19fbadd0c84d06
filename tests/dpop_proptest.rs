//! Property tests of the DPoP checks, in process (pinned keys, the in-memory replay
//! store: no I/O): random proof headers never authenticate and never panic, and a proof
//! validly signed over random claims is accepted only when every claim is the right one.

use std::sync::LazyLock;

use futures_util::FutureExt as _;
use http::{HeaderMap, Method, Uri};
use jwt_guard::dpop::DpopConfig;
use jwt_guard::testkit::{DpopKey, Issuer};
use jwt_guard::{Algorithm, ErrorKind, JwtStrategy, Registry, RequestInfo};
use proptest::prelude::*;
use serde_json::{Value, json};

const ORIGIN: &str = "https://api.prop.test";
const HTU: &str = "https://api.prop.test/orders";

struct Env {
    registry: Registry,
    key: DpopKey,
    token: String,
}

static ENV: LazyLock<Env> = LazyLock::new(|| {
    let issuer = Issuer::offline("https://issuer.prop.test").expect("issuer");
    let key = DpopKey::generate(Algorithm::ES256).expect("key");
    let strategy = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .jwks_json(issuer.jwks().to_string().as_bytes())
        .dpop(DpopConfig::allowed().external_origin(ORIGIN))
        .build()
        .expect("strategy");
    let registry = Registry::new();
    registry.register("dpop", strategy).expect("register");
    let token = issuer.token(json!({ "sub": "prop", "cnf": key.cnf() }));
    Env {
        registry,
        key,
        token,
    }
});

/// Authenticates `GET /orders` with the bound token and this proof header value.
fn check(proof: &str) -> Result<(), jwt_guard::Error> {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("DPoP {}", ENV.token).parse().expect("header"),
    );
    let Ok(value) = proof.parse() else {
        return Err(ErrorKind::MissingAuthorization.into());
    };
    headers.insert("dpop", value);
    let uri: Uri = "/orders?page=1".parse().expect("uri");
    ENV.registry
        .authenticate_request(&["dpop"], RequestInfo::new(&headers, &Method::GET, &uri))
        .now_or_never()
        .expect("no I/O with pinned keys and the in-memory store")
        .map(|_| ())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("GET")),
        Just(json!(HTU)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A claim value: mostly the right one, sometimes anything.
fn claim(right: Value) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        6 => Just(Some(right)),
        1 => Just(None),
        2 => json_value().prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_proof_headers_never_authenticate(proof in "[ -~]{0,400}") {
        prop_assert!(check(&proof).is_err());
    }

    #[test]
    fn unsigned_proofs_with_a_real_key_never_authenticate(claims in json_value(), sig in "[A-Za-z0-9_-]{0,100}") {
        use base64::Engine as _;
        let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let proof = format!("{}.{}.{sig}", b64(&ENV.key.header()), b64(&claims));
        prop_assert!(check(&proof).is_err());
    }

    /// Validly signed, claims drawn at random around the right ones: accepted only when
    /// each is exactly right (and then only once).
    #[test]
    fn signed_proofs_pass_only_with_the_right_claims(
        htm in claim(json!("GET")),
        htu in claim(json!(HTU)),
        iat_offset in prop_oneof![4 => Just(0i64), 1 => -1000i64..1000],
        ath in claim(Value::Null),
        jti in claim(Value::Null),
    ) {
        // A second may tick between minting and checking: stay clear of the window's edges.
        prop_assume!(!matches!(iat_offset, -302..=-298 | 3..=7));
        let key = &ENV.key;
        let right = key.claims("GET", HTU, Some(&ENV.token));
        let mut claims = serde_json::Map::new();
        let mut take = |name: &str, value: Option<Value>| {
            if let Some(value) = value {
                // `Null` stands for the right value of `ath` and `jti`.
                let value = if value.is_null() { right[name].clone() } else { value };
                claims.insert(name.to_owned(), value);
            }
        };
        take("htm", htm);
        take("htu", htu);
        take("ath", ath);
        take("jti", jti);
        let iat = right["iat"].as_i64().unwrap_or(0) + iat_offset;
        claims.insert("iat".into(), json!(iat));
        let claims = Value::Object(claims);
        let proof = key.sign(&key.header(), &claims);
        let result = check(&proof);
        let all_right = claims["htm"] == "GET"
            && claims["htu"] == HTU
            && claims["ath"] == right["ath"]
            && claims["jti"].as_str().is_some_and(|j| !j.is_empty() && j.len() <= 256)
            && (-300..=5).contains(&iat_offset);
        // (Offsets next to the edges were left out above.)
        prop_assert_eq!(result.is_ok(), all_right, "{} -> {:?}", claims, result.err());
        if all_right {
            prop_assert!(check(&proof).is_err(), "replayed");
        }
    }
}
