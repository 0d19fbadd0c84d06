//! axum: [`Error`] as a response, and the hidden headers extractor used by
//! `#[authenticate]`.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::HeaderValue;
use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::request::Parts;

use crate::error::Error;
use crate::private::Headers;

impl IntoResponse for Error {
    /// The status from [`Error::status`], `WWW-Authenticate` on 401/403, `Retry-After` on
    /// 503, and the JSON body of [`Error::body_json`].
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.body_json()).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(challenge) = self.www_authenticate() {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(secs) = self.retry_after() {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Headers {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Headers(parts.headers.clone()))
    }
}
