//! The ready-made readiness handlers: [`Readiness`] as a `200`/`503` JSON response.

use crate::readiness::Readiness;
#[cfg(any(feature = "axum", feature = "actix-web"))]
use crate::registry::Registry;

/// `Content-Type` of the verdict.
#[cfg(any(feature = "axum", feature = "actix-web"))]
const JSON: &str = "application/json";

#[cfg(feature = "axum")]
impl axum::response::IntoResponse for Readiness {
    /// `200` when ready, else `503`, with [`Readiness::to_json`] as the body.
    fn into_response(self) -> axum::response::Response {
        let mut response = axum::response::Response::new(axum::body::Body::from(self.to_json()));
        *response.status_mut() = self.status_code();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(JSON),
        );
        response
    }
}

/// An axum handler answering `200` or `503` with the [`Readiness`] of the registry the
/// request carries (an `axum::Extension(registry)` layer), else of the global one.
///
/// ```
/// use axum::{Router, routing::get};
/// let app: Router = Router::new().route("/ready", get(jwt_guard::readiness::axum_handler));
/// ```
#[cfg(feature = "axum")]
pub async fn axum_handler(registry: Option<axum::Extension<Registry>>) -> Readiness {
    match registry {
        Some(axum::Extension(registry)) => Readiness::check(&registry),
        None => Readiness::check(Registry::global()),
    }
}

#[cfg(feature = "actix-web")]
impl actix_web::Responder for Readiness {
    type Body = actix_web::body::BoxBody;

    /// `200` when ready, else `503`, with [`Readiness::to_json`] as the body.
    fn respond_to(self, _req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        let status = actix_web::http::StatusCode::from_u16(self.status_code().as_u16())
            .unwrap_or(actix_web::http::StatusCode::SERVICE_UNAVAILABLE);
        actix_web::HttpResponse::build(status)
            .content_type(JSON)
            .body(self.to_json())
    }
}

/// An actix-web handler answering `200` or `503` with the [`Readiness`] of the
/// registry in the app's data (`App::app_data(registry)`), else of the global one.
///
/// ```
/// use actix_web::{App, web};
/// let app = App::new().route("/ready", web::get().to(jwt_guard::readiness::actix_handler));
/// ```
#[cfg(feature = "actix-web")]
pub async fn actix_handler(req: actix_web::HttpRequest) -> Readiness {
    match req.app_data::<Registry>() {
        Some(registry) => Readiness::check(registry),
        None => Readiness::check(Registry::global()),
    }
}
