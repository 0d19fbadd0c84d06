// Every form of requirement: a list (all), `all(..)`, `any(..)`, a single string, nested.
#![deny(warnings)]

use axum::Router;
use axum::routing::get;
use http::HeaderMap;
use jwt_guard::{BoxFuture, Error, Principal, Strategy, authenticate};

#[authenticate("claims", scopes = ["orders:read", "orders:write"])]
async fn list_form(_h: &HeaderMap) {}

#[authenticate("claims", scopes = any("orders:read", "admin:all"))]
async fn any_form(_h: &HeaderMap) {}

#[authenticate("claims", scopes = "orders:read", roles = "admin")]
async fn single(_h: &HeaderMap) {}

#[authenticate("claims", roles = any("admin", all("ops", "eu")), scopes = all("orders:read",))]
async fn nested(_h: &HeaderMap, who: Principal) -> Vec<String> {
    who.roles().into_iter().map(str::to_owned).collect()
}

#[authenticate("claims", scopes = ["orders:read"])]
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
    let status = |r: Result<(), Error>| r.err().map_or(200, |e| e.status().as_u16());

    let both = with(serde_json::json!({ "scope": "orders:read orders:write" }));
    let read = with(serde_json::json!({ "scp": ["orders:read"] }));
    assert_eq!(status(list_form(&both).await), 200);
    assert_eq!(status(list_form(&read).await), 403);
    let err = list_form(&read).await.unwrap_err();
    assert_eq!(
        err.www_authenticate().as_deref(),
        Some(r#"Bearer error="insufficient_scope", scope="orders:read orders:write""#)
    );
    assert_eq!(status(any_form(&read).await), 200);
    assert_eq!(status(single(&read).await), 403, "no roles");
    let admin = with(serde_json::json!({ "scope": "orders:read", "roles": ["admin"] }));
    assert_eq!(status(single(&admin).await), 200);
    let ops_eu = with(serde_json::json!({ "scope": "orders:read", "roles": ["ops", "eu"] }));
    assert_eq!(nested(&ops_eu).await.unwrap(), ["ops", "eu"]);
    let ops = with(serde_json::json!({ "scope": "orders:read", "roles": ["ops"] }));
    let err = nested(&ops).await.unwrap_err();
    assert_eq!((err.status().as_u16(), err.body_text().as_str()), (403, "Insufficient role"));
    // Authentication still comes first: 401, not 403.
    assert_eq!(status(single(&HeaderMap::new()).await), 401);
}
