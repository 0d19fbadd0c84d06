// `optional`: the guard's principal is an `Option`; each injected parameter is an
// `Option` of its kind, `None` for a request without credentials.
#[authenticate("jwt", optional)]
async fn greet(who: Option<Principal>, claims: Option<Claims<Caller>>) -> String {
    match (who, claims) {
        (Some(who), Some(claims)) => format!("hello {} of {}", who.strategy(), claims.tenant),
        _ => "hello stranger".to_owned(),
    }
}
