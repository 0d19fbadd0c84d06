// A handler's own `HeaderMap`, by value: it carries no registry, so the hidden guard is
// added beside it (and authenticates with the request's registry); the handler keeps its
// headers. `#[instrument]` below the attribute gets the headers and the hidden guard in
// its `skip(..)`.
#[authenticate("jwt")]
#[tracing::instrument(level = "debug", fields(route = "/inbox"))]
async fn inbox(headers: HeaderMap, who: Principal) -> String {
    format!("{} via {} headers", who.strategy(), headers.len())
}
