// Step-up (RFC 9470): `acr = "one"`, `acr = any(..)`, `max_age = "…"`, alone or together,
// checked before the scopes: a 401 `insufficient_user_authentication`, not a 403.
#![deny(warnings)]

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use http::HeaderMap;
use jwt_guard::{BoxFuture, Error, Principal, Strategy, authenticate};

#[authenticate("claims", acr = "urn:example:mfa")]
async fn one(_h: &HeaderMap) {}

#[authenticate("claims", acr = any("urn:example:mfa", "urn:example:hwk"), max_age = "5m")]
async fn both(_h: &HeaderMap) {}

#[authenticate("claims", max_age = "1h30m", scopes = "payments:write")]
async fn recent_and_scoped(_h: &HeaderMap) {}

#[authenticate("claims", acr = any("urn:example:mfa",), max_age = "10s")]
async fn route() {}

/// A strategy whose principal has the claims found in the `x-claims` header (JSON).
struct FromHeader;

impl Strategy for FromHeader {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            let raw = headers.get("x-claims").ok_or_else(|| Error::unauthorized("none"))?;
            let claims = serde_json::from_slice(raw.as_bytes()).map_err(|_| Error::unauthorized("bad"))?;
            Ok(Principal::new(claims))
        })
    }
}

fn with(claims: serde_json::Value) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-claims", claims.to_string().parse().unwrap());
    headers
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new().route("/", get(route));
    jwt_guard::register("claims", FromHeader).unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let challenge = |r: Result<(), Error>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("{} {}", e.status().as_u16(), e.www_authenticate().unwrap_or_default()),
    };

    assert_eq!(challenge(one(&with(serde_json::json!({ "acr": "urn:example:mfa" }))).await), "ok");
    assert_eq!(
        challenge(one(&with(serde_json::json!({ "acr": "urn:example:pwd" }))).await),
        r#"401 Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:example:mfa""#
    );
    let fresh_hwk = with(serde_json::json!({ "acr": "urn:example:hwk", "auth_time": now }));
    assert_eq!(challenge(both(&fresh_hwk).await), "ok");
    let old_hwk = with(serde_json::json!({ "acr": "urn:example:hwk", "auth_time": now - 301 }));
    assert_eq!(
        challenge(both(&old_hwk).await),
        r#"401 Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", acr_values="urn:example:mfa urn:example:hwk", max_age=300"#
    );
    // Step-up first: an old authentication without the scope is a 401, a recent one a 403.
    let old = with(serde_json::json!({ "auth_time": now - 5401 }));
    assert!(challenge(recent_and_scoped(&old).await).starts_with("401 "));
    let recent = with(serde_json::json!({ "auth_time": now - 60 }));
    assert!(challenge(recent_and_scoped(&recent).await).starts_with("403 "));
    let scoped = with(serde_json::json!({ "auth_time": now, "scope": "payments:write" }));
    assert_eq!(challenge(recent_and_scoped(&scoped).await), "ok");
    let audit = jwt_guard::Registry::global().audit_report();
    let site = audit.handler(&format!("{}::both", module_path!())).unwrap();
    assert_eq!(site.step_up().unwrap().max_age(), Some(std::time::Duration::from_secs(300)));
    let line = site.to_string();
    assert!(line.contains(r#"acr any("urn:example:mfa", "urn:example:hwk")  max_age 5m"#), "{line}");
}
