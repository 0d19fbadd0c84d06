// Every site registers itself before `main`, routed or not; the audit names what is
// missing, and passes once it is registered.
#![deny(warnings)]

use jwt_guard::{ConfigError, JwtStrategy, Registry, authenticate};

#[authenticate("audit-jwt", "audit-key", scopes = ["a:read"])]
async fn guarded() {}

mod nested {
    #[jwt_guard::authenticate("audit-jwt", roles = any("admin", "ops"), crate = "::jwt_guard")]
    pub(crate) async fn deep() {}
}

fn main() {
    let _ = (guarded, nested::deep);
    // The crate's name, as trybuild chose it.
    let krate = module_path!();
    let audit = Registry::global().audit_report();
    let text = audit.to_string();
    assert!(text.contains(&format!(r#"{krate}::guarded  "audit-jwt" | "audit-key"  scopes all("a:read")"#)), "{text}");
    assert!(text.contains(&format!(r#"{krate}::nested::deep  "audit-jwt"  roles any("admin", "ops")"#)), "{text}");
    let site = audit.handler(&format!("{krate}::guarded")).unwrap();
    assert!(site.file().ends_with("audit-lists-sites.rs"));
    assert_eq!(site.line(), 8);

    let err = Registry::global().audit().unwrap_err();
    let ConfigError::UnregisteredStrategies { strategies, handlers } = &err else {
        panic!("{err}");
    };
    assert_eq!(strategies, &["audit-jwt", "audit-key"]);
    assert_eq!(handlers, &[format!("{krate}::guarded"), format!("{krate}::nested::deep")]);

    let strategy = || JwtStrategy::builder().issuer("https://issuer.example").build().unwrap();
    jwt_guard::register("audit-jwt", strategy()).unwrap();
    assert_eq!(
        Registry::global().audit().unwrap_err().to_string(),
        format!("authentication strategies used by #[authenticate] but not registered: \"audit-key\" (used by {krate}::guarded)")
    );
    jwt_guard::register("audit-key", strategy()).unwrap();
    assert_eq!(Registry::global().audit().unwrap().handlers().len(), 2);
}
