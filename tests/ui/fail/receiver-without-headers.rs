use jwt_guard::{Principal, authenticate};

struct Inbox;

impl Inbox {
    #[authenticate("jwt")]
    async fn unread(&self, who: Principal) -> usize {
        who.claims().len()
    }
}

fn main() {
    let _ = Inbox;
}
