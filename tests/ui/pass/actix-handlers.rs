// The same attribute on actix-web handlers: the hidden extractor, `HttpRequest` as the
// header source, `impl Responder` returns.
#![deny(warnings)]

use actix_web::web::{self, Json, Path};
use actix_web::{App, HttpRequest, HttpResponse, Responder};
use jwt_guard::{Claims, Principal, authenticate};

#[derive(serde::Deserialize)]
struct Mine {
    sub: String,
}

#[authenticate("jwt")]
async fn hello() -> &'static str {
    "hello"
}

#[authenticate("jwt", scopes = ["orders:read"])]
async fn order(path: Path<u32>, claims: Claims<Mine>) -> impl Responder {
    HttpResponse::Ok().body(format!("{} for {}", path.into_inner(), claims.sub))
}

#[authenticate("jwt")]
async fn with_request(request: HttpRequest, who: Principal) -> String {
    format!("{} {}", request.path(), who.strategy())
}

#[authenticate("jwt", optional)]
async fn maybe(who: Option<Principal>) -> Json<bool> {
    Json(who.is_some())
}

struct Api;

#[authenticate("jwt")]
impl Api {
    async fn list() -> &'static str {
        "list"
    }

    #[authenticate(skip)]
    async fn health() -> &'static str {
        "ok"
    }
}

fn main() {
    let _app = App::new()
        .route("/", web::get().to(hello))
        .route("/orders/{id}", web::get().to(order))
        .route("/request", web::get().to(with_request))
        .route("/maybe", web::get().to(maybe))
        .route("/list", web::get().to(Api::list))
        .route("/health", web::get().to(Api::health));
}
