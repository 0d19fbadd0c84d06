//! actix-web: [`Error`] as a response, the hidden extractor of `#[authenticate]` (with
//! the registry of `App::app_data(registry)`, or the global one), and `HttpRequest` as a
//! header source.
//!
//! actix-web 4 is built on `http` 0.2 while jwt-guard reads `http` 1 headers: the headers
//! are copied once per request.

use std::borrow::Cow;

use futures_util::future::LocalBoxFuture;

use actix_web::dev::Payload;
use actix_web::http::StatusCode as ActixStatus;
use actix_web::http::header::{
    HeaderMap as ActixHeaderMap, HeaderName as ActixHeaderName, HeaderValue as ActixHeaderValue,
};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::private::{Guard, HeaderSource};
use crate::registry::Registry;

impl ResponseError for Error {
    fn status_code(&self) -> ActixStatus {
        ActixStatus::from_u16(self.status().as_u16()).unwrap_or(ActixStatus::INTERNAL_SERVER_ERROR)
    }

    /// [`render::response`](crate::render::response), as for axum: the same status,
    /// `WWW-Authenticate`, `Retry-After` and body.
    fn error_response(&self) -> HttpResponse {
        let response = crate::render::response(self);
        let mut builder = HttpResponse::build(self.status_code());
        for (name, value) in response.headers() {
            let name = ActixHeaderName::from_bytes(name.as_str().as_bytes());
            let value = ActixHeaderValue::from_bytes(value.as_bytes());
            if let (Ok(name), Ok(value)) = (name, value) {
                builder.append_header((name, value));
            }
        }
        builder.body(response.into_body())
    }
}

impl<const SITE: u64> FromRequest for Guard<SITE> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    /// Runs the site's strategies and requirements. actix-web polls a handler's
    /// extractors in order, so a refusal that needs no key fetch is answered before the
    /// next extractor is polled.
    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let headers = to_http(req.headers());
        let registry = req.app_data::<Registry>().cloned();
        Box::pin(async move { Guard::extract(&headers, registry.as_ref()).await })
    }
}

impl HeaderSource for HttpRequest {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        Cow::Owned(to_http(self.headers()))
    }

    fn registry(&self) -> Option<&Registry> {
        self.app_data::<Registry>()
    }
}

impl HeaderSource for ActixHeaderMap {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        Cow::Owned(to_http(self))
    }
}

/// The headers as an `http` 1 map, every value kept (repeats included).
fn to_http(headers: &ActixHeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let converted_name = HeaderName::from_bytes(name.as_str().as_bytes());
        let converted_value = HeaderValue::from_bytes(value.as_bytes());
        match (converted_name, converted_value) {
            (Ok(name), Ok(value)) => {
                out.append(name, value);
            }
            // Both `http` versions accept the same bytes, so this does not happen; if it
            // did, an `Authorization` header must not vanish (a repeat would go unseen):
            // keep it as a value the bearer reader refuses.
            _ if name.as_str().eq_ignore_ascii_case(AUTHORIZATION.as_str()) => {
                if let Ok(refused) = HeaderValue::from_bytes(&[0x80]) {
                    out.append(AUTHORIZATION, refused);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn headers_are_copied_with_repeats() {
        let request = TestRequest::default()
            .append_header(("authorization", "Bearer a"))
            .append_header(("authorization", "Bearer b"))
            .append_header(("x-other", "1"))
            .to_http_request();
        let headers = request.header_map();
        assert_eq!(headers.get_all(AUTHORIZATION).iter().count(), 2);
        assert_eq!(headers["x-other"], "1");
    }

    #[test]
    fn error_response_keeps_status_and_challenge() {
        let error = Error::new(crate::ErrorKind::MissingAuthorization);
        let response = error.error_response();
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(
            response.headers().get("www-authenticate").unwrap(),
            "Bearer"
        );
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/json"
        );
    }
}
