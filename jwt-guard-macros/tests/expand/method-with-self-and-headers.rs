// A method with `self` reads the headers from its own parameter.
#[authenticate("jwt", roles = "admin")]
async fn purge(&self, headers: &http::HeaderMap, who: Principal) -> usize {
    self.purge_for(who.subject(), headers.len())
}
