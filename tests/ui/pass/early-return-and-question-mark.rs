// `return` and `?` in the body keep their meaning: they leave the body with the
// declared return type, inside the `Ok` of the guard.
#![deny(warnings)]

use std::num::ParseIntError;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use http::{HeaderMap, HeaderValue};
use jwt_guard::{BoxFuture, Error, Principal, Strategy, authenticate};

#[authenticate("jwt")]
async fn handler(Path(raw): Path<String>) -> Result<String, StatusCode> {
    if raw.is_empty() {
        return Err(StatusCode::BAD_REQUEST);
    }
    let n: u32 = raw.parse().map_err(|_| StatusCode::UNPROCESSABLE_ENTITY)?;
    Ok(format!("{n}"))
}

#[authenticate("test")]
async fn parse(headers: &HeaderMap, input: &str) -> Result<u32, ParseIntError> {
    let _ = headers;
    if input == "zero" {
        return Ok(0);
    }
    let n: u32 = input.parse()?;
    Ok(n * 2)
}

#[authenticate("test")]
async fn early(_headers: &HeaderMap, stop: bool) -> &'static str {
    if stop {
        return "stopped";
    }
    "went on"
}

struct Accept;

impl Strategy for Accept {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            match headers.get("x-test") {
                Some(_) => Ok(Principal::new(Default::default())),
                None => Err(Error::unauthorized("no")),
            }
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new().route("/{raw}", get(handler));

    jwt_guard::register("test", Accept).unwrap();
    let mut headers = HeaderMap::new();
    assert!(parse(&headers, "21").await.is_err());

    headers.insert("x-test", HeaderValue::from_static("1"));
    assert_eq!(parse(&headers, "21").await.unwrap(), Ok(42));
    assert_eq!(parse(&headers, "zero").await.unwrap(), Ok(0));
    assert!(parse(&headers, "x").await.unwrap().is_err());
    assert_eq!(early(&headers, true).await.unwrap(), "stopped");
    assert_eq!(early(&headers, false).await.unwrap(), "went on");
}
