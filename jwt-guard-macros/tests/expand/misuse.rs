// A misuse: the errors follow the item, which is still expanded with stand-in arguments
// so that its route and callers report nothing more.
#[authenticate("jwt", "jwt", optional, scopes = [])]
async fn hello(who: Option<Principal>) -> &'static str {
    "hello"
}
