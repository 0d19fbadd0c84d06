// `optional`: no credentials → the body runs with `None`; bad credentials → 401.
#![deny(warnings)]

use axum::Router;
use axum::routing::get;
use http::HeaderMap;
use jwt_guard::{BoxFuture, Claims, Error, ErrorKind, Principal, Strategy, authenticate};

#[derive(serde::Deserialize)]
struct Mine {
    sub: String,
}

#[authenticate("maybe", optional)]
async fn greet(_h: &HeaderMap, who: Option<Principal>) -> String {
    match who {
        Some(who) => format!("hello {}", who.subject().unwrap_or("?")),
        None => "hello stranger".to_owned(),
    }
}

#[authenticate("maybe", optional)]
async fn typed(_h: &HeaderMap, claims: Option<Claims<Mine>>, who: Option<Principal>) -> String {
    format!("{:?} {}", claims.map(|c| c.0.sub), who.is_some())
}

#[authenticate("maybe", optional)]
async fn route(who: ::core::option::Option<jwt_guard::Principal>) -> String {
    who.map(|p| p.strategy().to_owned()).unwrap_or_default()
}

#[authenticate("maybe", "other", optional)]
async fn chained(_h: &HeaderMap) -> &'static str {
    "ran"
}

struct Maybe;

impl Strategy for Maybe {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            match headers.get("x-sub").map(|v| v.to_str().unwrap_or("")) {
                None => Err(Error::new(ErrorKind::MissingAuthorization)),
                Some("") => Err(Error::unauthorized("empty")),
                Some(sub) => {
                    let serde_json::Value::Object(claims) = serde_json::json!({ "sub": sub }) else {
                        unreachable!()
                    };
                    Ok(Principal::new(claims))
                }
            }
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new().route("/", get(route));
    jwt_guard::register("maybe", Maybe).unwrap();
    jwt_guard::register("other", Maybe).unwrap();
    let none = HeaderMap::new();
    let mut ada = HeaderMap::new();
    ada.insert("x-sub", "ada".parse().unwrap());
    let mut bad = HeaderMap::new();
    bad.insert("x-sub", "".parse().unwrap());

    assert_eq!(greet(&none).await.unwrap(), "hello stranger");
    assert_eq!(greet(&ada).await.unwrap(), "hello ada");
    assert_eq!(greet(&bad).await.unwrap_err().status(), 401);
    assert_eq!(typed(&none).await.unwrap(), "None false");
    assert_eq!(typed(&ada).await.unwrap(), r#"Some("ada") true"#);
    assert_eq!(chained(&none).await.unwrap(), "ran");
}
