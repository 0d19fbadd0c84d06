// An impl block: `list` is guarded with the block's arguments; `health` is skipped and
// registered as such for the audit; `purge` has its own attribute; the sync methods
// `new` and `count` get the assertion that their return type is not a future, and the
// unit-returning `reset` needs none.
#[authenticate("jwt")]
impl Orders {
    pub async fn list() -> &'static str {
        "list"
    }

    #[authenticate(skip)]
    pub async fn health() -> &'static str {
        "ok"
    }

    #[jwt_guard::authenticate("jwt", roles = "admin")]
    async fn purge(&self, headers: &HeaderMap) {}

    fn new() -> Self {
        Orders
    }

    fn count(&self) -> usize {
        0
    }

    fn reset(&mut self) {}
}
