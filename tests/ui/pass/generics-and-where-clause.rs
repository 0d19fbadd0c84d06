// Generic parameters, where clauses and lifetimes are kept as written.
#![deny(warnings)]

use std::fmt::Debug;

use axum::routing::post;
use axum::{Json, Router};
use http::HeaderMap;
use jwt_guard::authenticate;
use serde::Deserialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Deserialize)]
struct Params {
    name: String,
}

#[authenticate("jwt")]
async fn echo<T>(Json(body): Json<T>) -> String
where
    T: Debug + DeserializeOwned + Send + 'static,
{
    format!("{body:?}")
}

#[authenticate("jwt")]
async fn header<'h, K>(headers: &'h HeaderMap, key: &K) -> Option<&'h str>
where
    K: AsRef<str> + ?Sized,
{
    headers
        .get(key.as_ref())
        .and_then(|value| value.to_str().ok())
}

#[authenticate("jwt")]
async fn first<const N: usize, T: Copy + Default>(_headers: HeaderMap, items: [T; N]) -> T {
    items.first().copied().unwrap_or_default()
}

fn main() {
    let _app: Router = Router::new().route("/echo", post(echo::<Params>));
    let _ = header::<str>;
    let _ = first::<3, u8>;
    let _ = Params {
        name: String::new(),
    }
    .name;
}
