// A destructured `Parts` parameter gets a hidden name for the guard and is bound again
// with the user's pattern afterwards.
#[authenticate("jwt")]
async fn destructured(Parts { method, uri, .. }: Parts, request: http::Request<String>) -> String {
    format!("{method} {uri} {}", request.body())
}
