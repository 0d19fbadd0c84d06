// Several strategies, tried in order, listed in the site.
#[authenticate("jwt", "api-key", "basic")]
async fn either() -> &'static str {
    "ok"
}
