//! axum: the [layer](AuthLayer) (with the `tower` feature), the [readiness] handler and
//! the [metadata route](resource_metadata), each named as the actix-web integration names
//! its own; [`Error`] as a response; the hidden extractor of `#[authenticate]`, which
//! authenticates with the registry the request carries (an `axum::Extension(registry)`
//! layer) or the global one; and [`Principal`], `Option<Principal>` and [`Claims<T>`] as
//! extractors downstream of a [layer](mod@crate::tower).

use axum::body::Body;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::guard::Authenticated;
use crate::principal::{Claims, Principal};
use crate::private::Guard;
use crate::registry::Registry;
use crate::request::RequestInfo;

/// The layer protecting a whole axum router with a [`Policy`](crate::Policy) (feature
/// `tower`): axum's layers are tower layers.
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use crate::integrations::tower::{AuthLayer, AuthService};

/// Mutual TLS for axum: `TlsListener` and `TlsConnectInfo` (feature `mtls`).
#[cfg(feature = "mtls")]
#[cfg_attr(docsrs, doc(cfg(feature = "mtls")))]
pub use crate::integrations::tls;

/// An axum router serving the protected resource metadata document (RFC 9728) of
/// `resource` at its [`paths`](crate::resource_metadata::ProtectedResource::paths), with
/// CORS: the same as [`ProtectedResource::router`](crate::resource_metadata::ProtectedResource::router),
/// named as the actix-web integration names it.
///
/// ```
/// # fn main() -> Result<(), jwt_guard::ConfigError> {
/// use jwt_guard::resource_metadata::ProtectedResource;
///
/// let resource = ProtectedResource::builder("https://api.example/orders").build()?;
/// let app: axum::Router = axum::Router::new().merge(jwt_guard::axum::resource_metadata(&resource));
/// # Ok(()) }
/// ```
pub fn resource_metadata<S: Clone + Send + Sync + 'static>(
    resource: &crate::resource_metadata::ProtectedResource,
) -> axum::Router<S> {
    resource.router()
}

impl IntoResponse for Error {
    /// [`render::response`](crate::render::response): the status from [`Error::status`],
    /// `WWW-Authenticate` on 401/403, `Retry-After` on 503, and the body of the current
    /// [renderer](crate::render) (LoopBack's JSON by default).
    fn into_response(self) -> Response {
        crate::render::response(&self).map(Body::from)
    }
}

impl crate::resource_metadata::ProtectedResource {
    /// An axum router serving the metadata document (`application/json`) at
    /// [`paths`](Self::paths), with CORS for browser-based clients
    /// ([`CORS_HEADERS`](crate::resource_metadata::CORS_HEADERS); an `OPTIONS` preflight
    /// is answered `204`): merge it into the app, outside any auth layer.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// let resource = jwt_guard::resource_metadata::ProtectedResource::builder("https://api.example")
    ///     .build()?;
    /// let app: axum::Router = axum::Router::new().merge(resource.router());
    /// # Ok(()) }
    /// ```
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        use crate::resource_metadata::{CORS_HEADERS, CORS_PREFLIGHT_HEADERS};
        let mut router = axum::Router::new();
        for path in self.paths() {
            let resource = self.clone();
            let document = axum::routing::get(move || {
                let resource = resource.clone();
                async move {
                    let [(cors, any)] = CORS_HEADERS;
                    (
                        [
                            (http::header::CONTENT_TYPE.as_str(), "application/json"),
                            (cors, any),
                        ],
                        resource.document().to_string(),
                    )
                }
            });
            let preflight = document
                .options(|| async { (http::StatusCode::NO_CONTENT, CORS_PREFLIGHT_HEADERS) });
            router = router.route(&path, preflight);
        }
        router
    }
}

impl<S: Send + Sync, const SITE: u64> FromRequestParts<S> for Guard<SITE> {
    type Rejection = Error;

    /// Runs the site's strategies and requirements; a refusal is the response, and no
    /// later extractor runs. Under a layer of the same strategies, the layer's principal.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Guard::extract(
            RequestInfo::new(&parts.headers, &parts.method, &parts.uri)
                .with_client_certificate(super::client_certificate(&parts.extensions)),
            parts.extensions.get::<Registry>(),
            parts.extensions.get::<Authenticated>(),
        )
        .await
    }
}

/// What the layer left, or the logged 500 naming the mistake.
fn layer_of<'a>(parts: &'a Parts, extractor: &'static str) -> Result<&'a Authenticated, Error> {
    parts
        .extensions
        .get::<Authenticated>()
        .ok_or_else(|| crate::guard::no_layer(extractor))
}

/// The principal a [layer](mod@crate::tower) authenticated. Where no layer ran: a 500
/// naming the mistake, logged. Under an optional layer, a request without credentials
/// is a 401 (use `Option<Principal>`).
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        layer_of(parts, "Principal")?.required()
    }
}

/// `None` under an optional layer for a request without credentials. Where no layer
/// ran: a 500 naming the mistake, as for `Principal`.
impl<S: Send + Sync> OptionalFromRequestParts<S> for Principal {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(layer_of(parts, "Option<Principal>")?.principal.clone())
    }
}

/// The layer's principal's claims as `T`; claims that do not fit are a 401, as under the
/// attribute.
impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Claims<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Claims::from_principal(&layer_of(parts, "Claims<T>")?.required()?)
    }
}

/// `None` under an optional layer for a request without credentials.
impl<S: Send + Sync, T: DeserializeOwned> OptionalFromRequestParts<S> for Claims<T> {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match &layer_of(parts, "Option<Claims<T>>")?.principal {
            Some(principal) => Claims::from_principal(principal).map(Some),
            None => Ok(None),
        }
    }
}

impl axum::response::IntoResponse for crate::readiness::Readiness {
    /// `200` when ready, else `503`, with [`crate::readiness::Readiness::to_json`] as the body.
    fn into_response(self) -> axum::response::Response {
        let mut response = axum::response::Response::new(axum::body::Body::from(self.to_json()));
        *response.status_mut() = self.status_code();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(crate::readiness::JSON),
        );
        response
    }
}

/// An axum handler answering `200` or `503` with the [`crate::readiness::Readiness`] of the registry the
/// request carries (an `axum::Extension(registry)` layer), else of the global one.
///
/// ```
/// use axum::{Router, routing::get};
/// let app: Router = Router::new().route("/ready", get(jwt_guard::axum::readiness));
/// ```
pub async fn readiness(registry: Option<axum::Extension<Registry>>) -> crate::readiness::Readiness {
    match registry {
        Some(axum::Extension(registry)) => crate::readiness::Readiness::check(&registry),
        None => crate::readiness::Readiness::check(Registry::global()),
    }
}
