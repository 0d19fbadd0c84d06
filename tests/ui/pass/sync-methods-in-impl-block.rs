// The sync methods of an authenticated impl block are checked not to return a future,
// and ordinary ones compile as written: constructors, getters, generics, elided
// lifetimes, `const fn`, `!`, and a future-returning or generic one marked `skip`.
#![deny(warnings)]

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use axum::routing::get;
use jwt_guard::authenticate;

type H = Pin<Box<dyn Future<Output = String> + Send>>;

struct Api {
    name: String,
    items: Vec<u32>,
}

#[authenticate("jwt")]
impl Api {
    fn new() -> Self {
        Api {
            name: "api".to_owned(),
            items: vec![1, 2],
        }
    }

    const fn limit() -> usize {
        10
    }

    fn count(&self) -> usize {
        self.items.len()
    }

    // Returns a generic parameter: the not-a-future assertion cannot decide for every
    // `T`, so the method says it is not a handler.
    #[authenticate(skip)]
    fn get<T: Clone>(&self, t: T) -> T {
        t.clone()
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn first<'a>(&'a self, fallback: &'a u32) -> &'a u32 {
        self.items.first().unwrap_or(fallback)
    }

    fn named(&self) -> Option<std::borrow::Cow<'_, str>> {
        Some(self.name.as_str().into())
    }

    fn reset(&mut self) {
        self.items.clear();
    }

    #[allow(dead_code)]
    fn never() -> ! {
        panic!("never")
    }

    #[authenticate(skip)]
    fn boxed(&self) -> H {
        let name = self.name.clone();
        Box::pin(async move { name })
    }

    async fn list() -> &'static str {
        "list"
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _app: Router = Router::new().route("/", get(Api::list));
    let mut api = Api::new();
    assert_eq!(Api::limit(), 10);
    assert_eq!(api.count(), 2);
    assert_eq!(api.get(7u8), 7);
    assert_eq!(api.name(), "api");
    assert_eq!(*api.first(&0), 1);
    assert_eq!(api.named().as_deref(), Some("api"));
    assert_eq!(api.boxed().await, "api");
    api.reset();
    assert_eq!(api.count(), 0);

    let audit = jwt_guard::Registry::global().audit_report();
    let site = |name: &str| audit.handler(&format!("{}::Api::{name}", module_path!()));
    assert!(site("boxed").unwrap().is_skipped());
    assert!(site("count").is_none());
}
