//! actix-web: [`AuthMiddleware`], which protects an `App` or a `scope` with a
//! [`Policy`] (`.wrap(AuthMiddleware::new(policy))`), and [`Principal`],
//! `Option<Principal>` and [`Claims<T>`] as extractors downstream of it.
//!
//! The middleware runs the policy's strategies in order, then its scopes and roles — the
//! code `#[authenticate]` runs — and answers a refusal exactly as the attribute does
//! (status, `WWW-Authenticate`, `Retry-After`, the renderer's body) without calling the
//! service. On success the principal is in the request's extensions. A handler under it
//! with `#[authenticate(..)]` of the same strategies does not verify the token again.
//! The registry is the policy's own, else `App::app_data(registry)`, else the global one.
//!
//! `Principal` and `Claims<T>` used where no middleware ran are a 500 naming the
//! mistake, logged. `Option<Principal>` is actix-web's own `Option<T>` extractor, which
//! turns every error into `None` — that mistake included (a handler then runs as for an
//! anonymous caller; prefer `Principal` where a caller is required).
//!
//! ```
//! use actix_web::{App, web};
//! use jwt_guard::Principal;
//! use jwt_guard::actix::AuthMiddleware;
//! use jwt_guard::Policy;
//!
//! async fn me(who: Principal) -> String {
//!     who.subject().unwrap_or("-").to_owned()
//! }
//!
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! let api = Policy::builder("actix api scope", ["jwt"]).build()?;
//! let app = App::new().service(
//!     web::scope("/api")
//!         .wrap(AuthMiddleware::new(api))
//!         .route("/me", web::get().to(me)),
//! );
//! # let _ = app;
//! # Ok(()) }
//! ```
//!
//! actix-web 4 is built on `http` 0.2 while jwt-guard reads `http` 1 headers: the headers
//! are copied once per request.

use std::borrow::Cow;
use std::future::{Ready, ready};
use std::rc::Rc;

use futures_util::future::LocalBoxFuture;

use actix_web::HttpMessage as _;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode as ActixStatus;
use actix_web::http::header::{
    HeaderMap as ActixHeaderMap, HeaderName as ActixHeaderName, HeaderValue as ActixHeaderValue,
};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::guard::Authenticated;
use crate::mtls::ClientCertificate;
use crate::policy::Policy;
use crate::principal::{Claims, Principal};
use crate::private::{Guard, HeaderSource};
use crate::registry::Registry;
use crate::request::RequestInfo;

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
        let (method, uri) = method_and_uri(req.method(), req.uri());
        let registry = req.app_data::<Registry>().cloned();
        let layer = req.extensions().get::<Authenticated>().cloned();
        let certificate = client_certificate(req);
        Box::pin(async move {
            Guard::extract(
                request_info(&headers, method.as_ref(), uri.as_ref())
                    .with_client_certificate(certificate.as_ref()),
                registry.as_ref(),
                layer.as_ref(),
            )
            .await
        })
    }
}

/// Protects an `App` or a `scope` with a [`Policy`]. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct AuthMiddleware {
    policy: Policy,
}

impl AuthMiddleware {
    /// Middleware enforcing `policy`; the audit of the policy's registry (its own, else
    /// the global one) lists it from now on.
    pub fn new(policy: Policy) -> Self {
        policy.serve();
        Self { policy }
    }
}

impl<S, B> Transform<S, ServiceRequest> for AuthMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = AuthMiddlewareService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AuthMiddlewareService {
            service: Rc::new(service),
            policy: self.policy.clone(),
        }))
    }
}

/// The service of [`AuthMiddleware`].
#[derive(Debug)]
pub struct AuthMiddlewareService<S> {
    service: Rc<S>,
    policy: Policy,
}

impl<S, B> Service<ServiceRequest> for AuthMiddlewareService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let policy = self.policy.clone();
        let headers = to_http(request.headers());
        let (method, uri) = method_and_uri(request.method(), request.uri());
        let registry = request.app_data::<Registry>().cloned();
        let certificate = client_certificate(request.request());
        Box::pin(async move {
            let info = request_info(&headers, method.as_ref(), uri.as_ref())
                .with_client_certificate(certificate.as_ref());
            match crate::guard::layer(&policy, info, registry.as_ref()).await {
                Ok(authenticated) => {
                    if let Some(principal) = &authenticated.principal {
                        request.extensions_mut().insert(principal.clone());
                    }
                    request.extensions_mut().insert(authenticated);
                    service
                        .call(request)
                        .await
                        .map(ServiceResponse::map_into_left_body)
                }
                Err(err) => {
                    tracing::debug!(
                        policy = policy.name(),
                        status = err.status().as_u16(),
                        error = %err,
                        "request refused by the middleware"
                    );
                    let response = err.error_response();
                    Ok(request.into_response(response).map_into_right_body())
                }
            }
        })
    }
}

/// Serves the protected resource metadata document (RFC 9728) at its
/// [`paths`](crate::resource_metadata::ProtectedResource::paths), for `App::configure`,
/// with CORS for browser-based clients
/// ([`CORS_HEADERS`](crate::resource_metadata::CORS_HEADERS); an `OPTIONS` preflight is
/// answered `204`):
///
/// ```
/// # fn main() -> Result<(), jwt_guard::ConfigError> {
/// use jwt_guard::resource_metadata::ProtectedResource;
///
/// let resource = ProtectedResource::builder("https://api.example/orders").build()?;
/// let app = actix_web::App::new().configure(jwt_guard::actix::resource_metadata(&resource));
/// # let _ = app;
/// # Ok(()) }
/// ```
pub fn resource_metadata(
    resource: &crate::resource_metadata::ProtectedResource,
) -> impl FnOnce(&mut actix_web::web::ServiceConfig) + use<> {
    use crate::resource_metadata::{CORS_HEADERS, CORS_PREFLIGHT_HEADERS};
    let resource = resource.clone();
    move |config| {
        for path in resource.paths() {
            let resource = resource.clone();
            config.route(
                &path,
                actix_web::web::get().to(move || {
                    let document = resource.document().to_string();
                    async move {
                        let mut response = HttpResponse::Ok();
                        response.content_type("application/json");
                        for header in CORS_HEADERS {
                            response.insert_header(header);
                        }
                        response.body(document)
                    }
                }),
            );
            config.route(
                &path,
                actix_web::web::method(actix_web::http::Method::OPTIONS).to(|| async {
                    let mut response = HttpResponse::NoContent();
                    for header in CORS_PREFLIGHT_HEADERS {
                        response.insert_header(header);
                    }
                    response.finish()
                }),
            );
        }
    }
}

/// What the middleware left, or the logged 500 naming the mistake.
fn layer_of(req: &HttpRequest, extractor: &'static str) -> Result<Authenticated, Error> {
    req.extensions()
        .get::<Authenticated>()
        .cloned()
        .ok_or_else(|| crate::guard::no_layer(extractor))
}

/// The principal [`AuthMiddleware`] authenticated; a 500 naming the mistake where none
/// ran, a 401 under an optional one for a request without credentials.
impl FromRequest for Principal {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(layer_of(req, "Principal").and_then(|layer| layer.required()))
    }
}

/// The middleware's principal's claims as `T`; claims that do not fit are a 401.
impl<T: DeserializeOwned> FromRequest for Claims<T> {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            layer_of(req, "Claims<T>")
                .and_then(|layer| layer.required())
                .and_then(|principal| Claims::from_principal(&principal)),
        )
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

/// The client certificate of the request's connection: what
/// [`client_certificate_on_connect`] (or an `on_connect` of the application's own) left
/// in the connection data, else a [`ClientCertificate`] in the request's extensions.
fn client_certificate(req: &HttpRequest) -> Option<ClientCertificate> {
    req.conn_data::<ClientCertificate>()
        .cloned()
        .or_else(|| req.extensions().get::<ClientCertificate>().cloned())
}

/// For `HttpServer::on_connect` (feature `actix-mtls`): keeps the client certificate of
/// a connection accepted by actix-web's rustls 0.23 listener (`bind_rustls_0_23`,
/// `listen_rustls_0_23`), hashed once per connection, for the attribute and
/// [`AuthMiddleware`] to check certificate-bound tokens ([`mtls`](crate::mtls)).
///
/// ```no_run
/// use actix_web::{App, HttpServer};
///
/// # fn run(config: actix_tls::accept::rustls_0_23::reexports::ServerConfig) -> std::io::Result<()> {
/// // `config` asks for client certificates (a client certificate verifier).
/// let server = HttpServer::new(App::new)
///     .on_connect(jwt_guard::actix::client_certificate_on_connect)
///     .bind_rustls_0_23("127.0.0.1:8443", config)?;
/// # let _ = server; Ok(()) }
/// ```
#[cfg(feature = "actix-mtls")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix-mtls")))]
pub fn client_certificate_on_connect(
    connection: &dyn std::any::Any,
    data: &mut actix_web::dev::Extensions,
) {
    use actix_tls::accept::rustls_0_23::TlsStream;
    let Some(tls) = connection.downcast_ref::<TlsStream<actix_web::rt::net::TcpStream>>() else {
        return;
    };
    let (_, session) = tls.get_ref();
    if let Some(der) = session.peer_certificates().and_then(<[_]>::first) {
        data.insert(ClientCertificate::from_der(der.as_ref()));
    }
}

/// The method and URI as `http` 1 types (actix-web is on `http` 0.2), for DPoP.
fn method_and_uri(
    method: &actix_web::http::Method,
    uri: &actix_web::http::Uri,
) -> (Option<http::Method>, Option<http::Uri>) {
    (
        http::Method::from_bytes(method.as_str().as_bytes()).ok(),
        http::Uri::try_from(uri.to_string()).ok(),
    )
}

fn request_info<'a>(
    headers: &'a HeaderMap,
    method: Option<&'a http::Method>,
    uri: Option<&'a http::Uri>,
) -> RequestInfo<'a> {
    match (method, uri) {
        (Some(method), Some(uri)) => RequestInfo::new(headers, method, uri),
        _ => RequestInfo::from_headers(headers),
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

impl actix_web::Responder for crate::readiness::Readiness {
    type Body = actix_web::body::BoxBody;

    /// `200` when ready, else `503`, with [`crate::readiness::Readiness::to_json`] as the body.
    fn respond_to(self, _req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        let status = actix_web::http::StatusCode::from_u16(self.status_code().as_u16())
            .unwrap_or(actix_web::http::StatusCode::SERVICE_UNAVAILABLE);
        actix_web::HttpResponse::build(status)
            .content_type(crate::readiness::JSON)
            .body(self.to_json())
    }
}

/// An actix-web handler answering `200` or `503` with the [`crate::readiness::Readiness`] of the
/// registry in the app's data (`App::app_data(registry)`), else of the global one.
///
/// ```
/// use actix_web::{App, web};
/// let app = App::new().route("/ready", web::get().to(jwt_guard::actix::readiness));
/// ```
pub async fn readiness(req: actix_web::HttpRequest) -> crate::readiness::Readiness {
    match req.app_data::<Registry>() {
        Some(registry) => crate::readiness::Readiness::check(registry),
        None => crate::readiness::Readiness::check(Registry::global()),
    }
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
