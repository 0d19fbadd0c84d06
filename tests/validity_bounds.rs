//! Issue 18 items 12 and 16: settings that widen a token's validity are bounded, and a
//! configuration mistake names the field that made it, in code and in config files.

use std::time::Duration;

use jwt_guard::config::ConfigFile;
use jwt_guard::dpop::DpopConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{ConfigError, JwtStrategy};
use serde_json::json;

/// 4294967295 days: what `leeway = "4294967295d"` parses to.
const HUGE: Duration = Duration::from_secs(4_294_967_295 * 86_400);

/// The largest leeway: 10 minutes (`jwt_guard::verify::MAX_LEEWAY`).
const MOST: Duration = Duration::from_secs(600);

fn build_file(text: &str) -> Result<(), String> {
    ConfigFile::from_toml_str(text)
        .and_then(|file| file.build_all().map(|_| ()))
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn leeway_is_bounded_in_code_and_in_config_files() {
    let issuer = Issuer::offline("https://issuer.example").expect("keys");
    let pinned = || {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .jwks_json(issuer.jwks().to_string().as_bytes())
    };
    for over in [MOST + Duration::from_nanos(1), HUGE, Duration::MAX] {
        let e = pinned().leeway(over).build().expect_err("refused");
        assert!(
            matches!(
                e,
                ConfigError::InvalidOption {
                    option: "leeway",
                    ..
                }
            ),
            "{over:?}: {e}"
        );
    }
    // At most 10 minutes: a token from 1970 stays expired.
    let strategy = pinned().leeway(MOST).build().expect("the largest leeway");
    let from_1970 = issuer.token(json!({ "exp": 1 }));
    let err = strategy
        .verify_token(&from_1970)
        .await
        .expect_err("expired");
    assert_eq!(err.status(), 401);
    assert_eq!(err.body_text(), "Invalid token: jwt expired", "{err:?}");

    let file = |leeway: &str| {
        format!("[strategies.jwt]\nissuer = \"https://issuer.example\"\nleeway = \"{leeway}\"")
    };
    let e = build_file(&file("4294967295d")).expect_err("refused");
    assert!(e.starts_with(r#"strategy "jwt", field "leeway""#), "{e}");
    assert!(build_file(&file("10m")).is_ok());
}

#[test]
fn dpop_proof_ages_are_bounded() {
    for dpop in [
        DpopConfig::allowed().leeway(Duration::from_secs(601)),
        DpopConfig::allowed().leeway(Duration::MAX),
        DpopConfig::allowed().max_age(Duration::from_secs(3601)),
        DpopConfig::allowed().max_age(HUGE),
    ] {
        let e = JwtStrategy::builder()
            .issuer("https://issuer.example")
            .dpop(dpop)
            .build()
            .expect_err("refused");
        assert!(matches!(e, ConfigError::InvalidDpop { .. }), "{e}");
    }
    assert!(
        JwtStrategy::builder()
            .issuer("https://issuer.example")
            .dpop(
                DpopConfig::allowed()
                    .external_origin("https://api.example")
                    .leeway(MOST)
                    .max_age(Duration::from_secs(3600))
            )
            .build()
            .is_ok()
    );
}

/// Cargo sets `CARGO_PKG_NAME` for a test process: "jwt-guard-tests", 15 bytes, a secret
/// too short for HS256.
#[test]
fn a_short_hmac_secret_env_is_an_error_of_its_field() {
    let text = "[strategies.hs]\nissuer = \"https://issuer.example\"\nalgorithms = [\"HS256\"]\n\
                hmac_secret_env = \"CARGO_PKG_NAME\"";
    let e = build_file(text).expect_err("refused");
    assert!(e.contains(r#"field "hmac_secret_env""#), "{e}");
    assert!(!e.contains("pem_keys"), "{e}");
    assert!(!e.contains("jwt-guard-tests"), "the secret is quoted: {e}");
}
