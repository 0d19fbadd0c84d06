// Methods read the headers from a parameter; associated functions are like free ones.
#![deny(warnings)]

use axum::routing::get;
use axum::{Json, Router};
use http::HeaderMap;
use jwt_guard::{Principal, authenticate};

struct Api {
    name: String,
}

impl Api {
    #[authenticate("jwt")]
    async fn greet(&self, headers: &HeaderMap, who: Principal) -> String {
        format!(
            "{} greets {} ({} headers)",
            self.name,
            who.strategy(),
            headers.len()
        )
    }

    // The returned borrow of `self` keeps its elided lifetime.
    #[authenticate("jwt")]
    async fn name(&self, _headers: &HeaderMap) -> &str {
        &self.name
    }

    #[authenticate("jwt")]
    async fn rename(&mut self, request: &http::Request<()>) {
        self.name = request.uri().to_string();
    }

    #[authenticate("jwt")]
    async fn into_name(self, headers: HeaderMap) -> String {
        let _ = headers;
        self.name
    }

    // An associated function, used as a route.
    #[authenticate("jwt")]
    pub async fn list() -> Json<Vec<u32>> {
        Json(vec![1, 2, 3])
    }

    #[authenticate("jwt")]
    async fn count(who: Principal) -> String {
        who.claims().len().to_string()
    }
}

trait Greeter {
    async fn hello(&self, headers: &HeaderMap) -> Result<String, jwt_guard::Error>;
}

// In a trait impl, the signature must already match the expanded one.
impl Greeter for Api {
    #[authenticate("jwt")]
    async fn hello(&self, headers: &HeaderMap) -> String {
        format!("hello from {} ({})", self.name, headers.len())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new()
        .route("/", get(Api::list))
        .route("/count", get(Api::count));

    let mut api = Api {
        name: "api".to_owned(),
    };
    let headers = HeaderMap::new();
    assert!(api.greet(&headers).await.is_err());
    assert!(api.name(&headers).await.is_err());
    assert!(api.rename(&http::Request::new(())).await.is_err());
    assert!(api.hello(&headers).await.is_err());
    assert!(api.into_name(headers).await.is_err());
}
