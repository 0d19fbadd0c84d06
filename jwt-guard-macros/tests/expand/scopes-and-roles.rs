// Requirements become constant `Requirement` trees in the site's static.
#[authenticate("jwt", scopes = ["orders:read", "orders:write"], roles = any("admin", all("ops", "eu")))]
async fn manage() {}
