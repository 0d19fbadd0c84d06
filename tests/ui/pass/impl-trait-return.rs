// `impl Trait` return types: the body's value is not annotated (a `let` cannot name it).
#![deny(warnings)]

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use jwt_guard::authenticate;

#[authenticate("jwt")]
async fn opaque() -> impl IntoResponse {
    (StatusCode::CREATED, "created")
}

#[authenticate("jwt")]
async fn nested() -> Result<impl IntoResponse, StatusCode> {
    Ok::<_, StatusCode>("fine")
}

// `?` still converts errors: the error type is known from the signature.
#[authenticate("jwt")]
async fn question_mark(body: String) -> Result<impl IntoResponse, StatusCode> {
    let n: u32 = body.parse().map_err(|_| StatusCode::BAD_REQUEST)?;
    if n == 0 {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(format!("{n}"))
}

#[authenticate("jwt")]
async fn iterator(headers: http::HeaderMap) -> impl Iterator<Item = String> {
    headers
        .into_iter()
        .filter_map(|(name, _)| name)
        .map(|name| name.to_string())
}

fn main() {
    let _app: Router = Router::new()
        .route("/", get(opaque))
        .route("/nested", get(nested))
        .route("/question-mark", axum::routing::post(question_mark));
    let _ = iterator;
}
