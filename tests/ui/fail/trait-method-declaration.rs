use http::HeaderMap;
use jwt_guard::authenticate;

trait Api {
    #[authenticate("jwt")]
    async fn hello(&self, headers: &HeaderMap) -> String;
}

fn main() {}
