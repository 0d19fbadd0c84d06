// Several strategies, tried in order: a strategy without credentials of its kind passes
// to the next; one that refuses credentials ends the chain; when all pass, the error
// names them.
#![deny(warnings)]

use axum::Router;
use axum::routing::get;
use http::{HeaderMap, HeaderValue};
use jwt_guard::{BoxFuture, Error, ErrorKind, Principal, Strategy, authenticate};

/// Accepts `x-<name>: ok`, refuses any other value, and has no credentials otherwise.
struct Header(&'static str);

impl Strategy for Header {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            match headers.get(format!("x-{}", self.0)) {
                None => Err(Error::new(ErrorKind::MissingAuthorization)),
                Some(value) if value == "ok" => Ok(Principal::new(Default::default())),
                Some(_) => Err(Error::unauthorized(format!("bad {}", self.0))),
            }
        })
    }
}

#[authenticate("first", "second")]
async fn either(_headers: &HeaderMap, who: Principal) -> String {
    who.strategy().to_owned()
}

#[authenticate("first", "second", crate = "::jwt_guard")]
async fn route() -> &'static str {
    "ok"
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_static(value));
    }
    map
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new().route("/", get(route));
    jwt_guard::register("first", Header("first")).unwrap();
    jwt_guard::register("second", Header("second")).unwrap();

    let ok = |pairs| async move { either(&headers(pairs)).await };
    assert_eq!(ok(&[("x-first", "ok")]).await.unwrap(), "first");
    // The first finds nothing of its kind: the second decides.
    assert_eq!(ok(&[("x-second", "ok")]).await.unwrap(), "second");
    // The first succeeds: the second is not asked.
    assert_eq!(ok(&[("x-first", "ok"), ("x-second", "no")]).await.unwrap(), "first");
    // The first refuses: the chain ends there.
    let refused = ok(&[("x-first", "no"), ("x-second", "ok")]).await.unwrap_err();
    assert_eq!(refused.body_text(), "bad first");
    // Nobody found credentials: a 401 naming both.
    let none = ok(&[]).await.unwrap_err();
    assert_eq!(none.status(), 401);
    assert!(none.is_missing_credentials());
    assert_eq!(none.body_text(), r#"No credentials: expected "first" or "second""#);
}
