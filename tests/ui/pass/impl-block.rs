// `#[authenticate]` on an impl block protects every async method, except those marked
// `#[authenticate(skip)]`; a method's own attribute replaces the block's; other methods
// are left alone.
#![deny(warnings)]

use axum::Router;
use axum::routing::get;
use http::HeaderMap;
use jwt_guard::{BoxFuture, Error, Principal, Strategy, authenticate};

struct Orders {
    prefix: String,
}

#[authenticate("impl-test")]
impl Orders {
    fn new() -> Self {
        Orders {
            prefix: "order".to_owned(),
        }
    }

    pub async fn list() -> &'static str {
        "list"
    }

    async fn show(&self, _headers: &HeaderMap, who: Principal) -> String {
        format!("{} for {}", self.prefix, who.strategy())
    }

    #[authenticate(skip)]
    pub async fn health() -> &'static str {
        "healthy"
    }

    #[authenticate(skip)]
    async fn prefix(&self) -> &str {
        &self.prefix
    }

    #[jwt_guard::authenticate("impl-test", roles = "admin")]
    async fn purge(&self, _headers: &HeaderMap) -> &'static str {
        "purged"
    }
}

struct Accept;

impl Strategy for Accept {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            match headers.get("x-ok") {
                Some(_) => Ok(Principal::new(Default::default())),
                None => Err(Error::unauthorized("no")),
            }
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new()
        .route("/", get(Orders::list))
        .route("/health", get(Orders::health));
    jwt_guard::register("impl-test", Accept).unwrap();

    let orders = Orders::new();
    let mut ok = HeaderMap::new();
    ok.insert("x-ok", "1".parse().unwrap());
    assert_eq!(orders.prefix().await, "order");
    assert_eq!(Orders::health().await, "healthy");
    assert_eq!(orders.show(&HeaderMap::new()).await.unwrap_err().status(), 401);
    assert_eq!(orders.show(&ok).await.unwrap(), "order for impl-test");
    assert_eq!(orders.purge(&ok).await.unwrap_err().status(), 403);

    let audit = jwt_guard::Registry::global().audit_report();
    let site = |name: &str| audit.handler(&format!("{}::Orders::{name}", module_path!()));
    assert!(site("health").unwrap().is_skipped());
    assert!(site("prefix").unwrap().is_skipped());
    assert_eq!(site("list").unwrap().strategies(), ["impl-test"]);
    assert_eq!(site("purge").unwrap().roles().unwrap().to_string(), r#""admin""#);
    assert!(site("new").is_none());
    jwt_guard::Registry::global().audit().unwrap();
}
