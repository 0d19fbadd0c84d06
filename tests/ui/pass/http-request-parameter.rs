// `http::Request<B>`, axum's `Request` and `request::Parts` are header sources too.
#![deny(warnings)]

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use http::request::Parts;
use http::{HeaderMap, Method};
use jwt_guard::{Error, Principal, authenticate};

// Outside any framework: the caller passes the request.
#[authenticate("jwt")]
async fn plain(request: http::Request<String>, who: Principal) -> String {
    format!("{} for {}", request.body(), who.strategy())
}

#[authenticate("jwt")]
async fn borrowed(request: &http::Request<Vec<u8>>) -> usize {
    request.body().len()
}

// axum's `Request` (its body is not `Sync`): the handler future must still be `Send`.
#[authenticate("jwt")]
async fn axum_request(request: Request) -> String {
    request.uri().to_string()
}

#[authenticate("jwt")]
async fn parts(parts: Parts) -> String {
    parts.method.to_string()
}

// A destructured parameter gets a hidden name and is bound again after the guard.
#[authenticate("jwt")]
async fn destructured(Parts { method, uri, .. }: Parts, headers: HeaderMap) -> String {
    format!("{method} {uri} {}", headers.len())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new()
        .route("/request", get(axum_request))
        .route("/parts", get(parts))
        .route("/destructured", get(destructured));

    // Nothing is registered under "jwt" here: the guard fails closed, with a 500.
    let request = http::Request::builder()
        .method(Method::GET)
        .body(String::from("hi"))
        .unwrap();
    let result: Result<String, Error> = plain(request).await;
    assert_eq!(result.unwrap_err().status(), 500);
    let request = http::Request::new(vec![1, 2, 3]);
    assert!(borrowed(&request).await.is_err());
}
