//! axum: [`Error`] as a response, and the hidden headers extractor used by
//! `#[authenticate]`.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::error::Error;
use crate::private::Headers;

impl IntoResponse for Error {
    /// [`render::response`](crate::render::response): the status from [`Error::status`],
    /// `WWW-Authenticate` on 401/403, `Retry-After` on 503, and the body of the current
    /// [renderer](crate::render) (LoopBack's JSON by default).
    fn into_response(self) -> Response {
        crate::render::response(&self).map(Body::from)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Headers {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Headers(parts.headers.clone()))
    }
}
