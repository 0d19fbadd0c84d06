// `#[tracing::instrument]` composes with `#[authenticate]` in either order: above, it
// instruments the function as written (the principal is a parameter it can record);
// below, it instruments the guarded function (the hidden guard is skipped by name).
#![deny(warnings)]

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use jwt_guard::{Principal, authenticate};

#[tracing::instrument]
#[authenticate("jwt")]
async fn above(Path(id): Path<u32>, who: Principal) -> String {
    tracing::info!("seen");
    format!("{id} {}", who.strategy())
}

#[authenticate("jwt")]
#[tracing::instrument(skip_all, fields(id))]
async fn below(Path(id): Path<u32>, who: Principal) -> String {
    tracing::Span::current().record("id", id);
    format!("{id} {}", who.strategy())
}

#[tracing::instrument(level = "debug", ret)]
#[authenticate("jwt")]
async fn plain() -> &'static str {
    "ok"
}

fn main() {
    let _app: Router = Router::new()
        .route("/above/{id}", get(above))
        .route("/below/{id}", get(below))
        .route("/plain", get(plain));
}
