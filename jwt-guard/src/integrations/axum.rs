//! axum: [`Error`] as a response, and the hidden extractor of `#[authenticate]`, which
//! authenticates with the registry the request carries (an `axum::Extension(registry)`
//! layer) or the global one.

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::error::Error;
use crate::private::Guard;
use crate::registry::Registry;

impl IntoResponse for Error {
    /// [`render::response`](crate::render::response): the status from [`Error::status`],
    /// `WWW-Authenticate` on 401/403, `Retry-After` on 503, and the body of the current
    /// [renderer](crate::render) (LoopBack's JSON by default).
    fn into_response(self) -> Response {
        crate::render::response(&self).map(Body::from)
    }
}

impl<S: Send + Sync, const SITE: u64> FromRequestParts<S> for Guard<SITE> {
    type Rejection = Error;

    /// Runs the site's strategies and requirements; a refusal is the response, and no
    /// later extractor runs.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Guard::extract(&parts.headers, parts.extensions.get::<Registry>()).await
    }
}
