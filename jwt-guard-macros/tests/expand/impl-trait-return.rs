// `impl Trait` in the return type is erased to `_` in the body's annotation, so the rest
// of the type (`Result<_, StatusCode>`) still types `?` and `return` in the body.
#[authenticate("jwt")]
async fn question_mark(body: String) -> Result<impl IntoResponse, StatusCode> {
    let n: u32 = body.parse().map_err(|_| StatusCode::BAD_REQUEST)?;
    Ok(format!("{n}"))
}
