// `crate = ".."`: every runtime path goes through the given one.
#[authenticate("jwt", crate = "::platform::auth")]
async fn renamed(who: auth::Principal) -> String {
    who.strategy().to_owned()
}
