//! The start-up audit: every `#[authenticate]` site of this binary is listed with its
//! strategies and requirements; `audit()` fails naming each strategy used but not
//! registered, and passes once all are.

use jwt_guard::testkit::Issuer;
use jwt_guard::{ConfigError, JwtStrategy, Principal, authenticate};

#[authenticate("audit-jwt", "audit-key", scopes = ["orders:read"])]
async fn orders() -> &'static str {
    "orders"
}

#[authenticate("audit-jwt", optional)]
async fn maybe(who: Option<Principal>) -> bool {
    who.is_some()
}

struct Admin;

#[authenticate("audit-jwt", roles = any("admin", "ops"))]
impl Admin {
    async fn purge() {}

    #[authenticate(skip)]
    async fn health() -> &'static str {
        "ok"
    }
}

#[tokio::test]
async fn unregistered_strategies_fail_the_audit_until_registered() {
    // Never called, never routed: listed all the same.
    let _ = (orders, maybe, Admin::purge, Admin::health);

    let err = jwt_guard::Registry::global().audit().unwrap_err();
    let ConfigError::UnregisteredStrategies {
        strategies,
        handlers,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(strategies, &["audit-jwt", "audit-key"]);
    assert_eq!(
        handlers,
        &["audit::Admin::purge", "audit::maybe", "audit::orders"]
    );

    let issuer = Issuer::start().await.expect("issuer");
    let jwt = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    jwt_guard::register("audit-jwt", jwt).expect("register");
    let err = jwt_guard::Registry::global().audit().unwrap_err();
    assert_eq!(
        err.to_string(),
        "authentication strategies used by #[authenticate] but not registered: \
         \"audit-key\" (used by audit::orders)"
    );

    let key = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy");
    jwt_guard::register("audit-key", key).expect("register");
    let audit = jwt_guard::Registry::global()
        .audit()
        .expect("everything is registered");
    assert!(audit.unregistered().is_empty());
    assert_eq!(
        audit.to_string(),
        "4 handlers under #[authenticate] (registry: global):\n\
         \x20 audit::Admin::health  skip (not authenticated)\n\
         \x20 audit::Admin::purge  \"audit-jwt\"  roles any(\"admin\", \"ops\")  via extractor\n\
         \x20 audit::maybe  \"audit-jwt\"  optional  via extractor\n\
         \x20 audit::orders  \"audit-jwt\" | \"audit-key\"  scopes all(\"orders:read\")  via extractor\n"
    );
    let orders = audit.handler("audit::orders").expect("listed");
    assert_eq!(orders.strategies(), ["audit-jwt", "audit-key"]);
    assert!(orders.file().ends_with("audit.rs"));
    assert_eq!(orders.line(), 9);
    assert!(
        audit
            .handler("audit::Admin::health")
            .expect("listed")
            .is_skipped()
    );
}
