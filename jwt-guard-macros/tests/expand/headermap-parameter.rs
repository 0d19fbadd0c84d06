// A `HeaderMap` parameter carries the headers: no hidden parameter, the guard runs first
// thing in the body, on that parameter (spanned on its type).
#[authenticate("jwt")]
async fn by_reference(headers: &HeaderMap, who: Principal) -> String {
    format!("{} via {} headers", who.strategy(), headers.len())
}
