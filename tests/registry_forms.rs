//! Every handler form uses the registry of the request it serves (issue 18, items 3
//! and 4): on one router carrying its own registry, the hidden-guard, `HeaderMap`,
//! `Parts` and `Request` handlers accept the router registry's issuer and refuse the
//! global registry's; and the audit of a registry covers the modules it serves.

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use http::HeaderMap;
use http::request::Parts;
use jwt_guard::audit::HandlerForm;
use jwt_guard::testkit::Issuer;
use jwt_guard::{ConfigError, JwtStrategy, Registry};
use serde_json::json;

mod app_a {
    use super::*;
    use jwt_guard::authenticate;

    #[authenticate("forms-jwt")]
    pub(crate) async fn plain() -> &'static str {
        "plain"
    }

    #[authenticate("forms-jwt")]
    pub(crate) async fn header_map(headers: HeaderMap) -> String {
        format!("header_map {}", headers.len())
    }

    #[authenticate("forms-jwt")]
    pub(crate) async fn parts(parts: Parts) -> String {
        format!("parts {}", parts.uri)
    }

    #[authenticate("forms-jwt")]
    pub(crate) async fn request(request: Request) -> String {
        format!("request {}", request.uri())
    }
}

mod app_b {
    use jwt_guard::authenticate;

    #[authenticate("app-b")]
    pub(crate) async fn only() -> &'static str {
        "b"
    }

    pub(crate) mod by_ref {
        use jwt_guard::authenticate;

        /// Has no request to carry a registry: the audit of a registry serving this
        /// module says so.
        #[authenticate("app-b")]
        pub(crate) async fn helper(headers: &http::HeaderMap) -> usize {
            headers.len()
        }
    }
}

fn strategy(issuer: &Issuer) -> JwtStrategy {
    JwtStrategy::builder()
        .issuer(issuer.issuer())
        .build()
        .expect("strategy")
}

#[tokio::test]
async fn every_form_uses_the_registry_of_its_router() {
    let global_issuer = Issuer::start().await.expect("issuer");
    let router_issuer = Issuer::start().await.expect("issuer");
    jwt_guard::register("forms-jwt", strategy(&global_issuer)).expect("register");
    let own = Registry::new();
    own.register("forms-jwt", strategy(&router_issuer))
        .expect("register");

    let app = Router::new()
        .route("/plain", get(app_a::plain))
        .route("/header-map", get(app_a::header_map))
        .route("/parts", get(app_a::parts))
        .route("/request", get(app_a::request))
        .layer(axum::Extension(own));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::new();
    let routers = router_issuer.token(json!({ "sub": "router" }));
    let globals = global_issuer.token(json!({ "sub": "global" }));
    for path in ["/plain", "/header-map", "/parts", "/request"] {
        let status = |token: String| {
            let client = client.clone();
            async move {
                client
                    .get(format!("http://{addr}{path}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .expect("request")
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(
            status(routers.clone()).await,
            200,
            "{path}: the router registry's token"
        );
        assert_eq!(
            status(globals.clone()).await,
            401,
            "{path}: the global registry's token on a router with its own registry"
        );
    }
    server.abort();
}

#[test]
fn two_apps_with_their_own_registries_both_pass_their_audit() {
    let _ = (
        app_a::plain,
        app_a::header_map,
        app_a::parts,
        app_a::request,
        app_b::only,
        app_b::by_ref::helper,
    );
    let issuer = Issuer::offline("https://forms.example").expect("issuer");
    let a = Registry::new();
    a.serve_module("registry_forms::app_a");
    a.register("forms-jwt", strategy(&issuer))
        .expect("register");
    let b = Registry::new();
    b.serve_module("registry_forms::app_b");
    b.register("app-b", strategy(&issuer)).expect("register");

    let audit_a = a.audit().expect("app a's audit passes");
    assert_eq!(audit_a.registry(), "registry_forms::app_a");
    assert_eq!(audit_a.handlers().len(), 4, "{audit_a}");
    assert!(
        audit_a
            .handlers()
            .iter()
            .all(|h| h.handler().starts_with("registry_forms::app_a::")),
        "{audit_a}"
    );
    assert!(
        audit_a
            .to_string()
            .contains("registry_forms::app_a::parts  \"forms-jwt\"  via its request")
    );
    // Each site's form: a handler's own `HeaderMap` gets the hidden guard beside it.
    let form = |name: &str| {
        audit_a
            .handler(&format!("registry_forms::app_a::{name}"))
            .map(|site| site.form())
    };
    assert_eq!(form("plain"), Some(HandlerForm::Extractor));
    assert_eq!(form("header_map"), Some(HandlerForm::Extractor));
    assert_eq!(form("parts"), Some(HandlerForm::Request));
    assert_eq!(form("request"), Some(HandlerForm::Request));

    // App b serves a handler that reads its own &HeaderMap: it would use the global
    // registry, and the audit says so.
    let err = b.audit().unwrap_err();
    let ConfigError::HandlersReadGlobalRegistry { handlers } = &err else {
        panic!("{err}");
    };
    assert_eq!(handlers, &["registry_forms::app_b::by_ref::helper"]);
    let report = b.audit_report();
    assert_eq!(
        report
            .handler("registry_forms::app_b::by_ref::helper")
            .map(|h| h.form()),
        Some(HandlerForm::HeaderMap)
    );
    assert!(report.unregistered().is_empty(), "{report}");

    // The global registry leaves both apps' sites to their registries.
    let global = Registry::global().audit_report();
    assert_eq!(global.handlers().len(), 0, "{global}");
    assert_eq!(global.registry(), "global");
}
