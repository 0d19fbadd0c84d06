// The body does not parse (the user is typing): the signature is still rewritten, with
// the hidden guard, and the body kept as written for rustc to report. The snapshot is
// the raw tokens, since the output does not parse either.
#[authenticate("jwt")]
async fn typing(who: Principal) -> String {
    let name = who.
}
