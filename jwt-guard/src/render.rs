//! How an [`Error`] becomes a response: status and headers decided here, the body by a
//! [`Renderer`] you can choose.
//!
//! The status ([`Error::status`]), `WWW-Authenticate` ([`Error::www_authenticate`]) and
//! `Retry-After` ([`Error::retry_after`]) are always set by [`response`]; a renderer only
//! chooses the body and its `Content-Type`, so it cannot lose them. The axum and
//! actix-web integrations both answer through [`response`].
//!
//! | renderer | `Content-Type` | body |
//! |---|---|---|
//! | [`LoopBack`] (default) | `application/json` | `{"error":{"statusCode":401,"name":"UnauthorizedError","message":"…"}}` |
//! | [`ProblemJson`] | `application/problem+json` | RFC 9457: `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"…"}` |
//! | a closure `Fn(&Error) -> ErrorBody` | yours | yours |
//!
//! The renderer belongs to a [`Registry`](crate::Registry): one that has its own
//! ([`Registry::set_renderer`](crate::Registry::set_renderer)) renders the refusals of the
//! requests it authenticates (the attribute's handlers under a router carrying it, the
//! layers of its policies); every other refusal is rendered by the default, the global
//! registry's ([`set_renderer`]).
//!
//! ```
//! use jwt_guard::render::{self, ErrorBody, ProblemJson};
//!
//! // RFC 9457 problem details:
//! render::set_renderer(ProblemJson);
//!
//! // Or your own body; the status and the challenge stay jwt-guard's:
//! render::set_renderer(|error: &jwt_guard::Error| {
//!     ErrorBody::new("text/plain; charset=utf-8", error.body_text())
//! });
//! # render::set_renderer(render::LoopBack);
//! ```

use std::sync::{Arc, LazyLock};

use arc_swap::ArcSwap;
use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Response};

use crate::error::Error;

/// Chooses the body of error responses. See the [module docs](self).
pub trait Renderer: Send + Sync + 'static {
    /// The body and its content type for `error`.
    fn render(&self, error: &Error) -> ErrorBody;
}

/// A rendered error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// The `Content-Type` of the body.
    pub content_type: HeaderValue,
    /// The body.
    pub body: Vec<u8>,
}

impl ErrorBody {
    /// A body with the given content type.
    pub fn new(content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            content_type: HeaderValue::from_static(content_type),
            body: body.into(),
        }
    }
}

/// The default body, in LoopBack's shape ([`Error::body_json`]), as `application/json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoopBack;

impl Renderer for LoopBack {
    fn render(&self, error: &Error) -> ErrorBody {
        ErrorBody::new("application/json", error.body_json())
    }
}

/// RFC 9457 problem details, as `application/problem+json`:
/// `{"type":"about:blank","title":"Forbidden","status":403,"detail":"Insufficient scope"}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProblemJson;

impl Renderer for ProblemJson {
    fn render(&self, error: &Error) -> ErrorBody {
        let status = error.status();
        let body = serde_json::json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": error.body_text(),
        });
        ErrorBody::new("application/problem+json", body.to_string())
    }
}

impl<F> Renderer for F
where
    F: Fn(&Error) -> ErrorBody + Send + Sync + 'static,
{
    fn render(&self, error: &Error) -> ErrorBody {
        self(error)
    }
}

/// Sets the default renderer from now on: the global registry's, and that of every
/// registry without one of its own ([`Registry::set_renderer`](crate::Registry::set_renderer)).
/// Defaults to [`LoopBack`]. The same as `Registry::global().set_renderer(renderer)`.
pub fn set_renderer(renderer: impl Renderer) {
    RENDERER.store(Arc::new(Box::new(renderer)));
}

/// A renderer a registry installed, as an error carries it.
pub(crate) struct Installed(pub(crate) Box<dyn Renderer>);

/// The body of `error`: by the renderer of the registry that refused it, else by the
/// default one.
pub fn render(error: &Error) -> ErrorBody {
    if let Some(installed) = error
        .renderer()
        .and_then(|any| any.downcast_ref::<Installed>())
    {
        return installed.0.render(error);
    }
    RENDERER.load().render(error)
}

/// The whole response for `error`: status, `WWW-Authenticate` on 401/403, `Retry-After`
/// on 503, and the body of the current renderer with its `Content-Type`.
///
/// For handlers outside axum and actix-web (which call it for you):
///
/// ```
/// # use jwt_guard::ErrorKind;
/// let error = jwt_guard::Error::new(ErrorKind::MissingAuthorization);
/// let response: http::Response<Vec<u8>> = jwt_guard::render::response(&error);
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers()["www-authenticate"], "Bearer");
/// ```
pub fn response(error: &Error) -> Response<Vec<u8>> {
    let ErrorBody { content_type, body } = render(error);
    let mut response = Response::new(body);
    *response.status_mut() = error.status();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, content_type);
    if let Some(challenge) = error.www_authenticate() {
        // Always valid: built from fixed text and RFC 6749 scope tokens.
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(WWW_AUTHENTICATE, value);
        }
    }
    if let Some(secs) = error.retry_after() {
        headers.insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    if let Some(nonce) = error
        .dpop_nonce()
        .and_then(|n| HeaderValue::from_str(n).ok())
    {
        headers.insert(http::HeaderName::from_static("dpop-nonce"), nonce);
    }
    response
}

static RENDERER: LazyLock<ArcSwap<Box<dyn Renderer>>> =
    LazyLock::new(|| ArcSwap::from_pointee(Box::new(LoopBack)));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn scope_error() -> Error {
        Error::new(ErrorKind::InsufficientScope {
            required: vec!["orders:read".into()],
        })
    }

    #[test]
    fn renderers_keep_status_and_challenge() {
        // The process-wide setting is not touched here: unit tests run in parallel.
        let error = scope_error();
        let loopback = LoopBack.render(&error);
        assert_eq!(loopback.content_type, "application/json");
        let json: serde_json::Value = serde_json::from_slice(&loopback.body).unwrap();
        assert_eq!(json["error"]["statusCode"], 403);

        let problem = ProblemJson.render(&error);
        assert_eq!(problem.content_type, "application/problem+json");
        let json: serde_json::Value = serde_json::from_slice(&problem.body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "about:blank", "title": "Forbidden", "status": 403,
                "detail": "Insufficient scope",
            })
        );

        let response = response(&error);
        assert_eq!(response.status(), 403);
        assert_eq!(
            response.headers()[WWW_AUTHENTICATE],
            r#"Bearer error="insufficient_scope", scope="orders:read""#
        );
    }

    #[test]
    fn retry_after_on_503() {
        let error = Error::new(ErrorKind::KeysUnavailable {
            retry_after: std::time::Duration::from_secs(5),
            detail: "down".into(),
        });
        let response = response(&error);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[RETRY_AFTER], "5");
        assert!(!response.headers().contains_key(WWW_AUTHENTICATE));
    }
}
