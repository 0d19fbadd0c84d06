//! The configuration module's tests: errors (key, place, did you mean, our words), every
//! key reaching the builder, the 0.2 names, DPoP and resource metadata from a file.

use std::time::Duration;

use super::diagnose::{self, Form};
use super::forms::OLD_NAMES;
use super::*;

fn err(text: &str) -> String {
    ConfigFile::from_toml_str(text)
        .and_then(|f| f.build_all().map(|_| ()))
        .expect_err("refused")
        .to_string()
}

#[test]
fn every_error_names_the_strategy_and_the_field() {
    let cases = [
        (
            "[strategies.a]\nissuer = \"https://i\"\nleeway = \"soon\"",
            r#"strategy "a", field "leeway": "soon" is not a duration"#,
        ),
        (
            "[strategies.a]\nissuer = \"https://i\"\nisuer = \"x\"",
            r#"strategy "a", field "isuer": unknown key; did you mean "issuer"? (line 3, column 1)"#,
        ),
        (
            "[strategies.a]\nissuer = \"https://i\"\njwks = { timeout = \"x\" }",
            r#"strategy "a", field "jwks.timeout": "x" is not a duration"#,
        ),
        (
            "[strategies.b]\nissuer = \"https://i\"\nalgorithms = [\"none\"]",
            r#"strategy "b", field "algorithms": unknown algorithm "none""#,
        ),
        (
            "[strategies.c]\naudience = \"x\"",
            r#"strategy "c", field "issuer": an issuer is required"#,
        ),
        (
            "[strategies.d]\nissuer = \"https://l/{tenantid}/v2.0\"",
            r#"strategy "d", field "issuer""#,
        ),
        (
            "[strategies.e]\nissuer = \"https://i\"\njwks_uri = \"http://keys.example/k\"",
            r#"strategy "e", field "jwks_uri""#,
        ),
        (
            "[strategies.f]\nissuer = \"https://i\"\naccess_token_profile = true",
            r#"strategy "f", field "access_token_profile""#,
        ),
        (
            "[strategies.l]\nissuer = \"https://i\"\nleeway = \"4294967295d\"",
            r#"strategy "l", field "leeway": leeway: "#,
        ),
        (
            "[strategies.l]\nissuer = \"https://i\"\nleeway = \"10m1s\"",
            r#"strategy "l", field "leeway""#,
        ),
        (
            "[strategies.t]\nissuer = \"https://l/{tenant}\"\ntenants = [\"a\"]\n\
             new_tenant_budget = { count = 0, per = \"1m\" }",
            r#"strategy "t", field "new_tenant_budget""#,
        ),
        (
            "[strategies.t]\nissuer = \"https://i\"\nnew_tenant_budget = { count = 5 }",
            r#"strategy "t", field "new_tenant_budget": missing key "per""#,
        ),
        // Cargo sets CARGO_PKG_NAME for a test process: "jwt-guard", 9 bytes.
        (
            "[strategies.h]\nissuer = \"https://i\"\nalgorithms = [\"HS256\"]\n\
             hmac_secret_env = \"CARGO_PKG_NAME\"",
            r#"strategy "h", field "hmac_secret_env""#,
        ),
        (
            "[strategies.h]\nissuer = \"https://i\"\nalgorithms = [\"HS256\"]\n\
             hmac_secret = { env = \"CARGO_PKG_NAME\" }",
            r#"strategy "h", field "hmac_secret""#,
        ),
        (
            "[other]\nx = 1",
            "invalid configuration: no [strategies.NAME] table",
        ),
        ("[strategies.a", "invalid configuration"),
    ];
    for (text, expected) in cases {
        let e = err(text);
        assert!(e.starts_with(expected), "{text}\n→ {e}");
        assert!(!e.contains("jwt-guard"), "the secret is quoted: {e}");
    }
    // The largest leeway builds.
    let most = "[strategies.l]\nissuer = \"https://i\"\nleeway = \"10m\"";
    assert!(
        ConfigFile::from_toml_str(most)
            .and_then(|f| f.build_all())
            .is_ok()
    );
}

#[test]
fn unknown_keys_get_a_did_you_mean_and_a_place() {
    let cases = [
        // A key of a sub-table, inline.
        (
            "[strategies.a]\nissuer = \"https://i\"\njwks_config = { timout = \"3s\" }",
            r#"strategy "a", field "jwks_config.timout": unknown key; did you mean "timeout"? (line 3, column 17)"#,
        ),
        // A key of a sub-table with its own header.
        (
            "[strategies.a]\nissuer = \"https://i\"\n\n[strategies.a.dpop]\nmax_ag = \"1m\"",
            r#"strategy "a", field "dpop.max_ag": unknown key; did you mean "max_age"? (line 5, column 1)"#,
        ),
        // In a list of tables.
        (
            "[strategies.a]\nissuer = \"https://i\"\nrsa_pem = [{ file = \"a\" }, { fle = \"b\" }]",
            r#"strategy "a", field "rsa_pem[1].fle": unknown key; did you mean "file"? (line 3, column 30)"#,
        ),
        (
            "[strategies.a]\nissuer = \"https://i\"\n[strategies.a.dpop]\nrequire_nonce = { secret = { envv = \"X\" }, rotate_every = \"1m\" }",
            r#"strategy "a", field "dpop.require_nonce.secret.envv": unknown key; did you mean "env"?"#,
        ),
        (
            "[strategies.a]\nissuer = \"https://i\"\n[strategies.a.protected_resource]\nresource = \"https://api\"\nscope = [\"a\"]",
            r#"strategy "a", field "protected_resource.scope": unknown key; did you mean "scopes"?"#,
        ),
        // 0.2 names are read, never suggested.
        (
            "[strategies.a]\nissuer = \"https://i\"\nroles_claimz = [\"r\"]",
            r#"strategy "a", field "roles_claimz": unknown key; did you mean "roles_claim"?"#,
        ),
        // Nothing close: the known keys.
        (
            "[strategies.a]\nissuer = \"https://i\"\ntoken_cache = { colour = 1 }",
            r#"strategy "a", field "token_cache.colour": unknown key; expected one of: max_entries, max_bytes, max_age, max_token_bytes (line 3, column 17)"#,
        ),
        // The first in the file, not the first in sorted order.
        (
            "[strategies.a]\nzzissuer = \"https://i\"\naudiance = \"x\"",
            r#"strategy "a", field "zzissuer": unknown key"#,
        ),
        (
            "strategy = 1\n[strategies.a]\nissuer = \"https://i\"",
            r#"field "strategy": unknown key; did you mean "strategies"? (line 1, column 1)"#,
        ),
        (
            "[strategy.a]\nissuer = \"https://i\"",
            r#"invalid configuration: no [strategies.NAME] table ("strategy" (line 1, column 2) is not "strategies")"#,
        ),
    ];
    for (text, expected) in cases {
        let e = err(text);
        assert!(
            e.starts_with(expected),
            "{text}\n→ {e}\nexpected {expected}"
        );
    }
}

#[test]
fn toml_errors_have_a_line_and_a_column() {
    let e = err("[strategies.a]\nissuer = \"https://i\"\nleeway = \n");
    assert!(e.starts_with("invalid configuration: "), "{e}");
    assert!(e.ends_with("(line 3, column 10)"), "{e}");
    let e = err("[strategies.a]\nissuer = \"https://i\"\nissuer = \"again\"");
    assert!(e.contains("(line 3, column 1)"), "{e}");
    // A value of the wrong form: where the value is.
    let e = err("[strategies.a]\nissuer = \"https://i\"\n  leeway = \"soon\"");
    assert!(e.ends_with("(line 3, column 12)"), "{e}");
    // A value in a table with its own header: its dotted path, its place.
    let e = err("[strategies.a]\nissuer = \"https://i\"\n\n[strategies.a.dpop]\nmode = \"both\"");
    assert!(
        e.starts_with(r#"strategy "a", field "dpop.mode": unknown mode "both""#)
            && e.ends_with("(line 5, column 8)"),
        "{e}"
    );
    // An error found when building: where its key is.
    let e = err("[strategies.e]\nissuer = \"https://i\"\njwks_uri = \"http://keys.example/k\"");
    assert!(e.ends_with("(line 3, column 1)"), "{e}");
    assert_eq!(
        diagnose::line_column("ab\ncé\nd", 6),
        (2, 3),
        "columns count characters"
    );
    assert_eq!(diagnose::line_column("", 0), (1, 1));
}

#[test]
fn every_message_is_ours() {
    let strategy = |body: &str| format!("[strategies.a]\nissuer = \"https://i\"\n{body}");
    let cases = [
        (
            "audience = 5",
            r#"field "audience": expected a string or a list of strings, found integer `5`"#,
        ),
        (
            "audience = [\"a\", 5]",
            r#"field "audience": expected each item of the list to be a string, found integer `5`"#,
        ),
        (
            "tenants = { a = 1 }",
            r#"field "tenants": expected a string or a list of strings, found a table"#,
        ),
        (
            "claim_one_of = { token_use = 1 }",
            r#"field "claim_one_of.token_use": expected a string or a list of strings"#,
        ),
        (
            "issuer_with_jwks_uri = { \"https://b\" = 1 }",
            r#"field "issuer_with_jwks_uri.https://b": expected each item of the list to be a string"#,
        ),
        (
            "issuer_with_jwks_uri = [\"x\"]",
            r#"field "issuer_with_jwks_uri": expected a table of strings"#,
        ),
        (
            "leeway = true",
            r#"field "leeway": expected a duration such as "30s""#,
        ),
        ("leeway = -5", r#"field "leeway": -5 is negative"#),
        (
            "algorithms = \"RS256\"",
            r#"field "algorithms": expected a list of algorithm names"#,
        ),
        (
            "algorithms = [\"RS265\"]",
            r#"field "algorithms": unknown algorithm "RS265"; did you mean "RS256"? (known: HS256"#,
        ),
        (
            "jwks_config = 5",
            r#"field "jwks_config": expected a table of key engine settings, found integer `5`"#,
        ),
        (
            "rsa_pem = \"key.pem\"",
            r#"field "rsa_pem": expected a table such as { file = "path" } or { env = "VARIABLE" }, or a list of them"#,
        ),
        (
            "rsa_pem = [\"key.pem\"]",
            r#"field "rsa_pem": expected a table such as { file = "path" }, { env = "VARIABLE" } or { text = "…" }"#,
        ),
        (
            "rsa_pem = { file = \"a\", env = \"B\" }",
            r#"field "rsa_pem": give one of `file`, `env` and `text`, not several"#,
        ),
        (
            "rsa_pem = { kid = \"a\" }",
            r#"field "rsa_pem": say where the key is"#,
        ),
        (
            "rsa_pem = { file = \"/nonexistent/jwt-guard.pem\" }",
            r#"field "rsa_pem": cannot read /nonexistent/jwt-guard.pem"#,
        ),
        (
            "algorithms = [\"HS256\"]\nhmac_secret = { text = \"0123456789abcdef0123456789abcdef\" }",
            r#"field "hmac_secret": a secret is never written in the configuration"#,
        ),
        (
            "jwks_json = { text = '{\"keys\":[]}', kid = \"a\" }",
            r#"field "jwks_json": `kid` is for PEM keys and secrets"#,
        ),
        (
            "new_tenant_budget = { per = \"1m\" }",
            r#"field "new_tenant_budget": missing key "count""#,
        ),
        (
            "discover = \"yes\"",
            r#"field "discover": expected a boolean, found string "yes""#,
        ),
        (
            "dpop = { mode = \"require\" }",
            r#"field "dpop.mode": unknown mode "require"; did you mean "required"?"#,
        ),
        (
            "mtls_bound_tokens = { requird = true }",
            r#"field "mtls_bound_tokens.requird": unknown key; did you mean "required"?"#,
        ),
        (
            "dpop = { mode = 1 }",
            r#"field "dpop.mode": expected "allowed" or "required", found integer `1`"#,
        ),
        (
            "dpop = { replay_store = { capacity = \"big\" } }",
            r#"field "dpop.replay_store.capacity": expected a whole number, 0 or more, found string "big""#,
        ),
        (
            "scope_rule = \"wildcards\"",
            r#"field "scope_rule": unknown scope rule "wildcards"; did you mean "wildcard"?"#,
        ),
        (
            "max_tenants = -1",
            r#"field "max_tenants": expected a whole number, 0 or more, found integer `-1`"#,
        ),
        (
            "dpop = { mode = \"required\" }",
            r#"field "dpop": invalid DPoP settings: no origin"#,
        ),
        (
            "dpop = { external_origins = \"https://api\", require_nonce = { secret = { text = \"s\" }, rotate_every = \"1m\" } }",
            r#"field "dpop.require_nonce.secret": a secret is never written"#,
        ),
        (
            "protected_resource = { name = \"x\" }",
            r#"field "protected_resource": missing key "resource""#,
        ),
        (
            "protected_resource = { resource = \"/orders\" }",
            r#"field "protected_resource.resource": invalid URL "/orders""#,
        ),
    ];
    for (body, expected) in cases {
        let e = err(&strategy(body));
        let expected = format!("strategy \"a\", {expected}");
        assert!(
            e.starts_with(&expected),
            "{body}\n→ {e}\nexpected {expected}"
        );
        for serde in [
            "untagged",
            "did not match",
            "invalid type",
            "map",
            "sequence",
        ] {
            assert!(!e.contains(serde), "{body}: serde's words: {e}");
        }
    }
}

#[test]
fn known_keys_come_from_serde() {
    let strategy = Form::Strategy.known();
    for key in [
        "issuer",
        "dpop",
        "protected_resource",
        "mtls_bound_tokens",
        "dangerous_accept_unverified_cnf",
    ] {
        assert!(strategy.contains(&key), "{key}");
    }
    for (old, new) in OLD_NAMES {
        let tables = [Form::Strategy, Form::Dpop, Form::Resource];
        assert!(
            tables
                .iter()
                .any(|t| t.known().contains(&old) && t.known().contains(&new)),
            "{old} → {new}"
        );
    }
    // Weakening switches only under their dangerous_ names.
    for form in [Form::Strategy, Form::Jwks] {
        for key in form.known() {
            assert!(
                !key.contains("allow_http") || key.starts_with("dangerous_"),
                "{key}"
            );
            assert!(
                !key.contains("unverified") || key.starts_with("dangerous_"),
                "{key}"
            );
        }
    }
}

#[test]
fn every_field_reaches_the_builder() {
    let file = ConfigFile::from_toml_str(
        r#"
        [strategies.full]
        issuer = ["https://a.example", "https://login.example/{tenant}/v2.0"]
        issuer_with_jwks_uri = { "https://b.example" = "https://b.example/keys" }
        jwks_uri = "https://keys.example/jwks"
        algorithms = ["RS256", "ES512"]
        audience = ["api", "api2"]
        leeway = "1m30s"
        require_exp = false
        max_header_bytes = 20000
        limits = { max_payload_bytes = 12000 }
        jwks_config = { timeout = "2s", default_max_age = "5m", max_keys = 10, stale_for = 60 }
        token_cache = { max_entries = 10, max_age = "30s" }
        scopes_claim = ["scope", "permissions"]
        roles_claim = "realm_access.roles"
        tenants = ["t1"]
        tenant_claim = ""
        max_tenants = 4
        new_tenant_budget = { count = 5, per = "10s" }
        require_claim = ["sub"]
        claim_one_of = { token_use = ["access"], client_id = "web" }
        authorized_parties = ["web"]
        access_token_profile = true
        dangerous_accept_unverified_cnf = true
        scope_rule = "wildcard"
        mtls_bound_tokens = { required = true, trust_client_cert_header = true }
        "#,
    )
    .expect("parses");
    let full = &file.strategies["full"];
    assert_eq!(full.scope_rule, Some(ScopeRuleName::Wildcard));
    assert_eq!(
        full.scope_rule.map(ScopeRuleName::rule),
        Some(crate::authz::ScopeRule::wildcard())
    );
    assert_eq!(full.leeway, Some(Duration::from_secs(90)));
    let budget = full.new_tenant_budget.as_ref().expect("budget");
    assert_eq!((budget.count, budget.per), (5, Duration::from_secs(10)));
    let jwks = full.jwks_config.as_ref().expect("jwks");
    assert_eq!(jwks.stale_for, Some(Duration::from_secs(60)));
    assert_eq!(jwks.timeout, Some(Duration::from_secs(2)));
    assert_eq!(full.claim_one_of["client_id"].values(), ["web"]);
    assert!(full.dangerous_accept_unverified_cnf);
    let mtls = full.mtls_bound_tokens.as_ref().expect("mtls").config();
    assert!(mtls.is_required() && mtls.trusts_client_cert_header());
    let built = file.build_all().expect("builds");
    assert_eq!(built.len(), 1);
    let debug = format!("{:?}", built[0].1);
    assert!(debug.contains("https://b.example"), "{debug}");
}

#[test]
fn token_source_reaches_the_builder() {
    let file = ConfigFile::from_toml_str(
        r#"
        [strategies.web]
        issuer = "https://a.example"
        token_source = "cookie:__Host-access_token"
        [strategies.gateway]
        issuer = "https://a.example"
        token_source = "header:X-Access-Token"
        [strategies.api]
        issuer = "https://a.example"
        "#,
    )
    .expect("parses");
    let built: std::collections::HashMap<String, crate::JwtStrategy> =
        file.build_all().expect("builds").into_iter().collect();
    assert_eq!(
        built["web"].token_source(),
        &crate::TokenSource::cookie("__Host-access_token")
    );
    assert_eq!(
        built["gateway"].token_source(),
        &crate::TokenSource::header("X-Access-Token")
    );
    assert!(built["api"].token_source().is_authorization());
    let bad = err("[strategies.q]\nissuer = \"https://i\"\ntoken_source = \"query:access_token\"");
    assert!(
        bad.contains("token_source") && bad.contains("never read"),
        "{bad}"
    );
    let bad = err("[strategies.q]\nissuer = \"https://i\"\ntoken_source = \"cookie:a b\"");
    assert!(
        bad.contains("token_source") && bad.contains("cookie name"),
        "{bad}"
    );
}

#[test]
fn the_0_2_names_are_still_read() {
    let file = ConfigFile::from_toml_str(
        r#"
        [strategies.old]
        issuer = "https://a.example"
        issuer_jwks_uri = { "https://b.example" = "https://b.example/keys" }
        jwks = { timeout = "3s" }
        scopes_claims = ["scope"]
        roles_claims = ["realm_access.roles", "resource_access.shop.roles"]
        require_claims = ["sub"]
        [strategies.old.dpop]
        external_origin = "https://api.example"
        [strategies.old.protected_resource]
        resource = "https://api.example"
        authorization_servers = ["https://other.example"]
        "#,
    )
    .expect("parses");
    let old = &file.strategies["old"];
    assert_eq!(old.issuer_with_jwks_uri.len(), 1);
    assert_eq!(
        old.jwks_config.as_ref().and_then(|j| j.timeout),
        Some(Duration::from_secs(3))
    );
    assert_eq!(old.roles_claim.values().len(), 2);
    assert_eq!(old.require_claim.values(), ["sub"]);
    assert_eq!(
        old.dpop.as_ref().map(|d| d.external_origins.values()),
        Some(vec!["https://api.example"])
    );
    let built = file.build().expect("builds");
    register_in_a_fresh_registry(&built);
    assert_eq!(
        built.protected_resources[0].document()["authorization_servers"],
        serde_json::json!([
            "https://other.example",
            "https://a.example",
            "https://b.example"
        ])
    );
}

#[test]
fn pinned_keys_from_text_env_and_files() {
    let jwk = r#"{"kty":"oct","kid":"b","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}"#;
    let path = std::env::temp_dir().join(format!("jwt-guard-config-{}.json", std::process::id()));
    std::fs::write(
        &path,
        format!(r#"{{"keys":[{jwk}]}}"#).replace("\"b\"", "\"c\""),
    )
    .unwrap();
    let text = format!(
        "[strategies.p]\nissuer = \"https://i\"\nalgorithms = [\"HS256\"]\n\
         jwk_json = {{ text = '{jwk}' }}\njwks_json = [{{ file = {:?} }}]\n",
        path.display().to_string()
    );
    let built = ConfigFile::from_toml_str(&text).and_then(|f| f.build_all());
    std::fs::remove_file(&path).ok();
    let built = built.expect("builds");
    let debug = format!("{:?}", built[0].1);
    assert!(debug.contains("static (2 keys)"), "{debug}");
}

#[test]
fn resources_are_shared_and_described_alike() {
    let two = |second: &str| {
        format!(
            "[strategies.a]\nissuer = \"https://a\"\n\
             protected_resource = {{ resource = \"https://api.example\", name = \"API\" }}\n\
             [strategies.b]\nissuer = \"https://b\"\n\
             protected_resource = {{ resource = \"https://api.example\"{second} }}\n"
        )
    };
    let built = ConfigFile::from_toml_str(&two(", name = \"API\""))
        .and_then(|f| f.build())
        .expect("builds");
    assert_eq!(built.protected_resources.len(), 1);
    register_in_a_fresh_registry(&built);
    assert_eq!(
        built.protected_resources[0].document()["authorization_servers"],
        serde_json::json!(["https://a", "https://b"])
    );
    let e = err(&two(""));
    assert!(
        e.starts_with(r#"strategy "b", field "protected_resource": "https://api.example" is described differently"#),
        "{e}"
    );
    assert!(e.ends_with("(line 6, column 1)"), "{e}");
}

/// DPoP and resource metadata from a file make the strategy the builder makes: same
/// answers to a DPoP request, to a bearer token, to no token; same document.
#[cfg(feature = "testkit")]
#[tokio::test]
async fn dpop_and_resource_metadata_as_the_builder() {
    use http::{HeaderMap, Method, Uri};
    use serde_json::json;

    use crate::algorithm::Algorithm;
    use crate::dpop::DpopConfig;
    use crate::request::RequestInfo;
    use crate::resource_metadata::ProtectedResource;
    use crate::strategy::{JwtStrategy, Strategy};
    use crate::testkit::{DpopKey, Issuer};

    let issuer = Issuer::offline("https://issuer.test").unwrap();
    let jwks = issuer.jwks().to_string();
    let text = format!(
        r#"
        [strategies.api]
        issuer = "https://issuer.test"
        jwks_json = {{ text = '{jwks}' }}

        [strategies.api.dpop]
        mode = "required"
        algorithms = ["ES256"]
        max_age = "2m"
        leeway = "2s"
        external_origins = ["https://api.test"]
        replay_store = {{ capacity = 10 }}

        [strategies.api.protected_resource]
        resource = "https://api.test/orders"
        name = "Orders"
        scopes = ["orders:read"]
        "#
    );
    let built = ConfigFile::from_toml_str(&text)
        .and_then(|f| f.build())
        .expect("builds");
    let (_, from_file) = &built.strategies[0];
    let file_resource = &built.protected_resources[0];

    let resource = ProtectedResource::builder("https://api.test/orders")
        .name("Orders")
        .scopes(["orders:read"])
        .build()
        .unwrap();
    let from_code = JwtStrategy::builder()
        .issuer("https://issuer.test")
        .jwks_json(jwks.as_bytes())
        .dpop(
            DpopConfig::required()
                .algorithms([Algorithm::ES256])
                .max_age(Duration::from_secs(120))
                .leeway(Duration::from_secs(2))
                .external_origin("https://api.test")
                .replay_store(crate::dpop::InMemoryReplayStore::new(10)),
        )
        .protected_resource(&resource)
        .build()
        .unwrap();
    assert_eq!(file_resource.document(), resource.document());

    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let bound =
        issuer.token(json!({ "sub": "ada", "aud": "https://api.test/orders", "cnf": key.cnf() }));
    let plain = issuer.token(json!({ "sub": "ada", "aud": "https://api.test/orders" }));
    let (method, uri) = (Method::GET, Uri::from_static("/orders"));
    let answer = |strategy: &JwtStrategy, headers: HeaderMap| {
        let (method, uri) = (method.clone(), uri.clone());
        let strategy = strategy.clone();
        async move {
            strategy
                .authenticate_request(RequestInfo::new(&headers, &method, &uri))
                .await
                .map(|p| p.dpop_thumbprint().map(str::to_owned))
                .map_err(|e| (e.status(), e.www_authenticate().map(|c| c.into_owned())))
        }
    };
    for strategy in [from_file, &from_code] {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("DPoP {bound}").parse().unwrap());
        let proof = key.proof("GET", "https://api.test/orders", Some(&bound));
        headers.insert("dpop", proof.parse().unwrap());
        assert_eq!(
            answer(strategy, headers).await,
            Ok(Some(key.thumbprint().to_owned()))
        );
    }
    let mut bearer = HeaderMap::new();
    bearer.insert("authorization", format!("Bearer {plain}").parse().unwrap());
    for headers in [bearer, HeaderMap::new()] {
        let file = answer(from_file, headers.clone())
            .await
            .expect_err("refused");
        let code = answer(&from_code, headers).await.expect_err("refused");
        assert_eq!(file, code);
        let challenge = file.1.expect("a challenge");
        assert!(challenge.contains("algs=\"ES256\""), "{challenge}");
        assert!(challenge.contains("resource_metadata="), "{challenge}");
    }
}

/// The module docs' example, every section, parses (building it needs its files and
/// variables).
#[test]
fn the_documented_example_parses() {
    let docs = include_str!("mod.rs");
    let example: String = docs
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .skip_while(|line| *line != "```toml")
        .skip(1)
        .take_while(|line| *line != "```")
        .map(|line| format!("{line}\n"))
        .collect();
    let file = ConfigFile::from_toml_str(&example).expect("the documented example parses");
    let api = &file.strategies["api"];
    let dpop = api.dpop.as_ref().expect("dpop");
    assert_eq!(
        dpop.replay_store.as_ref().map(|s| s.capacity),
        Some(100_000)
    );
    let resource = api.protected_resource.as_ref().expect("resource");
    assert_eq!(resource.resource, "https://api.example/orders");
    assert_eq!(
        file.strategies["partner"].rsa_pem[0].kid.as_deref(),
        Some("r1")
    );
    // Every key of every fixed table appears in the example, 0.2 names aside.
    let forms = [
        Form::Strategy,
        Form::Jwks,
        Form::TokenCache,
        Form::Limits,
        Form::TenantBudget,
        Form::Dpop,
        Form::Nonce,
        Form::ReplayStore,
        Form::Resource,
        Form::Key,
    ];
    for form in forms {
        for key in form.known() {
            let old = OLD_NAMES.iter().any(|(o, _)| o == key);
            let legacy = ["jwks_file", "pem_keys", "hmac_secret_env"].contains(key);
            assert!(
                old || legacy
                    || example.contains(&format!("{key} ="))
                    || example.contains(&format!(".{key}]")),
                "{key} is missing from the documented example"
            );
        }
    }
}

/// Registers every strategy of `built` in a registry of its own: the strategies' issuers
/// join their resources' documents when registered, not when built.
fn register_in_a_fresh_registry(built: &BuiltConfig) {
    let registry = crate::Registry::new();
    for (name, strategy) in &built.strategies {
        registry.register(name, strategy.clone()).expect("register");
    }
}

#[test]
fn policies_are_read_built_and_named_in_errors() {
    const STRATEGY: &str = "[strategies.jwt]\nissuer = \"https://issuer.example\"\n";
    let file = ConfigFile::from_toml_str(&format!(
        "{STRATEGY}\n[policies.payments]\nstrategies = [\"jwt\"]\nscopes = {{ any = [\"pay\", \"admin\"] }}\n\
         acr = \"urn:example:mfa\"\nmax_age = \"1h30m\"\n"
    ))
    .expect("parses");
    assert_eq!(
        file.policy("payments").expect("builds").to_string(),
        r#"payments  "jwt"  scopes any("pay", "admin")  acr "urn:example:mfa"  max_age 1h30m"#
    );
    assert_eq!(
        file.policy("nope").unwrap_err().to_string(),
        r#"field "policies.nope": no such policy in the file"#
    );
    let parse_err = |policy: &str| {
        ConfigFile::from_toml_str(&format!("{STRATEGY}\n[policies.p]\n{policy}\n"))
            .expect_err("refused")
            .to_string()
    };
    let e = parse_err("strategies = \"jwt\"\nmax_age = \"5x\"");
    assert!(
        e.starts_with(r#"field "policies.p.max_age": "5x" is not a duration"#),
        "{e}"
    );
    assert!(e.ends_with("(line 6, column 11)"), "{e}");
    let e = parse_err("strategy = \"jwt\"");
    assert!(e.starts_with(r#"field "policies.p"#), "{e}");
    assert!(e.contains("strategy"), "{e}");
    let built = ConfigFile::from_toml_str(&format!(
        "{STRATEGY}\n[policies.p]\nstrategies = \"jwt\"\nmax_age = \"0s\"\n"
    ))
    .expect("parses")
    .policy("p")
    .unwrap_err()
    .to_string();
    assert!(
        built.starts_with(r#"field "policies.p": max_age: 0s would refuse"#),
        "{built}"
    );
    let e = ConfigFile::from_toml_str(&format!("policies = 1\n{STRATEGY}"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`policies` must be a table of tables"), "{e}");
}

#[test]
fn status_list_settings_reach_the_builder() {
    let file = ConfigFile::from_toml_str(
        r#"
        [strategies.revocable]
        issuer = "https://a.example"
        [strategies.revocable.status_list]
        mode = "required"
        allow_origin = "https://status.a.example"
        max_list_bytes = 4096
        default_ttl = "2m"
        accept_status = [3]
        "#,
    )
    .expect("parses");
    let settings = file.strategies["revocable"]
        .status_list
        .as_ref()
        .expect("status_list");
    assert_eq!(settings.mode, Some(super::StatusListModeName::Required));
    assert_eq!(settings.default_ttl, Some(Duration::from_secs(120)));
    assert_eq!(settings.accept_status, [3]);
    file.build_all().expect("builds");
    // A misspelt key is named, with the one meant.
    let e = ConfigFile::from_toml_str(
        "[strategies.r]\nissuer = \"https://a.example\"\nstatus_list = { mod = \"check\" }\n",
    )
    .expect_err("unknown key")
    .to_string();
    assert!(e.contains("mode"), "{e}");
    // Accepting 0x01 (revoked) is refused at build, naming the option.
    let e = ConfigFile::from_toml_str(
        "[strategies.r]\nissuer = \"https://a.example\"\nstatus_list = { accept_status = [1] }\n",
    )
    .expect("parses")
    .build_all()
    .expect_err("0x01 cannot be accepted")
    .to_string();
    assert!(e.contains("status_list"), "{e}");
}
