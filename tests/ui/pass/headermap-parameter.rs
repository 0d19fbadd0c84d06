// A `HeaderMap` parameter is the header source: no hidden parameter is added, so the
// function can be called directly.
#![deny(warnings)]

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use http::{HeaderMap, HeaderValue};
use jwt_guard::{BoxFuture, Error, Principal, Strategy, authenticate};

static BODY_RAN: AtomicUsize = AtomicUsize::new(0);

#[authenticate("header-test")]
async fn by_reference(headers: &HeaderMap, who: Principal) -> String {
    BODY_RAN.fetch_add(1, Ordering::SeqCst);
    format!("{} via {} headers", who.strategy(), headers.len())
}

#[authenticate("header-test")]
async fn by_mut_reference(headers: &mut http::HeaderMap) {
    headers.insert("x-seen", HeaderValue::from_static("1"));
}

// By value, as an axum extractor; a wildcard pattern is fine too.
#[authenticate("header-test")]
async fn by_value(mut headers: HeaderMap) -> String {
    headers.remove("authorization");
    format!("{}", headers.len())
}

#[authenticate("header-test")]
async fn wildcard(_: HeaderMap) -> &'static str {
    "ok"
}

/// Accepts requests that carry `x-test: ok`.
struct TestHeader;

impl Strategy for TestHeader {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            match headers.get("x-test") {
                Some(value) if value == "ok" => Ok(Principal::new(Default::default())),
                _ => Err(Error::unauthorized("no")),
            }
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new()
        .route("/value", get(by_value))
        .route("/wildcard", get(wildcard));

    jwt_guard::register("header-test", TestHeader).unwrap();
    let mut headers = HeaderMap::new();

    let refused: Result<String, Error> = by_reference(&headers).await;
    assert_eq!(refused.unwrap_err().status(), 401);
    assert_eq!(
        BODY_RAN.load(Ordering::SeqCst),
        0,
        "the body ran without credentials"
    );

    headers.insert("x-test", HeaderValue::from_static("ok"));
    assert_eq!(
        by_reference(&headers).await.unwrap(),
        "header-test via 1 headers"
    );
    assert_eq!(BODY_RAN.load(Ordering::SeqCst), 1);

    by_mut_reference(&mut headers).await.unwrap();
    assert!(headers.contains_key("x-seen"));
}
