//! gRPC (tonic): the [tower layer](mod@crate::tower) with gRPC refusals, and requirements per
//! method.
//!
//! `tonic::transport::Server::builder().layer(GrpcAuthLayer::new(policy))` checks every
//! call against `policy` — or against the policy of its method, set with
//! [`GrpcAuthLayer::method`] by gRPC path (`/package.Service/Method`). A refusal is a
//! trailers-only gRPC response (HTTP 200, `content-type: application/grpc`) with:
//!
//! | HTTP status of the refusal | `grpc-status` |
//! |---|---|
//! | 401 | `UNAUTHENTICATED` (16) |
//! | 403 | `PERMISSION_DENIED` (7) |
//! | 503 (keys unavailable) | `UNAVAILABLE` (14) |
//! | other 5xx | `INTERNAL` (13) |
//!
//! plus `grpc-message` (the same text as the HTTP body's message, percent-encoded) and
//! the `www-authenticate` challenge as a metadata entry, as on HTTP. On success the
//! [`Principal`](crate::Principal) is in the request's extensions, which tonic hands to
//! the method: `request.extensions().get::<jwt_guard::Principal>()`.
//!
//! Nothing here depends on tonic itself, so any tonic release on `http` 1 works — except
//! the `tonic-mtls` feature: with it, a server using tonic's own TLS
//! (`Server::builder().tls_config(..)`, client certificates asked for with
//! `client_ca_root`) hands the layer each call's client certificate (tonic 0.14's
//! `TlsConnectInfo::peer_certs`, the leaf hashed per call), and strategies with
//! [`mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens) check
//! certificate-bound tokens against it. Any server may also put a
//! [`ClientCertificate`](crate::mtls::ClientCertificate) in the request's extensions.
//!
//! ```
//! use jwt_guard::authz::Requirement::One;
//! use jwt_guard::tonic::GrpcAuthLayer;
//! use jwt_guard::Policy;
//!
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! let read = Policy::builder("orders grpc", ["jwt"]).scopes(One("orders:read")).build()?;
//! let write = Policy::builder("orders grpc: Delete", ["jwt"]).scopes(One("orders:write")).build()?;
//! let layer = GrpcAuthLayer::new(read).method("/orders.v1.Orders/Delete", write);
//! // tonic::transport::Server::builder().layer(layer).add_service(..)
//! # let _ = layer;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use super::tower::{ResponseFuture, guarded};
use crate::error::Error;
use crate::policy::Policy;

/// Protects a gRPC server with a [`Policy`], per method if needed. See the
/// [module docs](self).
#[derive(Debug, Clone)]
pub struct GrpcAuthLayer {
    policies: Arc<Policies>,
}

#[derive(Debug, Clone)]
struct Policies {
    default: Policy,
    methods: HashMap<Box<str>, Policy>,
}

impl Policies {
    fn for_path(&self, path: &str) -> &Policy {
        self.methods.get(path).unwrap_or(&self.default)
    }
}

impl GrpcAuthLayer {
    /// Every method is checked against `policy`, unless [`method`](Self::method) says
    /// otherwise.
    pub fn new(policy: Policy) -> Self {
        policy.serve();
        Self {
            policies: Arc::new(Policies {
                default: policy,
                methods: HashMap::new(),
            }),
        }
    }

    /// The method at gRPC path `path` (`/package.Service/Method`) is checked against
    /// `policy` instead. Paths are matched exactly.
    pub fn method(mut self, path: impl Into<String>, policy: Policy) -> Self {
        policy.serve();
        let policies = Arc::make_mut(&mut self.policies);
        policies.methods.insert(path.into().into(), policy);
        self
    }
}

impl<S> Layer<S> for GrpcAuthLayer {
    type Service = GrpcAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcAuthService {
            inner,
            policies: Arc::clone(&self.policies),
        }
    }
}

/// The service of [`GrpcAuthLayer`].
#[derive(Debug, Clone)]
pub struct GrpcAuthService<S> {
    inner: S,
    policies: Arc<Policies>,
}

impl<S, B, ResBody> Service<Request<B>> for GrpcAuthService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: Default + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        #[cfg(feature = "tonic-mtls")]
        let request = with_tonic_client_certificate(request);
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let policy = self.policies.for_path(request.uri().path()).clone();
        Box::pin(guarded(policy, request, inner, refusal))
    }
}

/// The request, with the client certificate of tonic's TLS connection as a
/// [`ClientCertificate`](crate::mtls::ClientCertificate) extension (unless one is there).
#[cfg(feature = "tonic-mtls")]
fn with_tonic_client_certificate<B>(mut request: Request<B>) -> Request<B> {
    use ::tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
    if request
        .extensions()
        .get::<crate::mtls::ClientCertificate>()
        .is_some()
    {
        return request;
    }
    let certs = request
        .extensions()
        .get::<TlsConnectInfo<TcpConnectInfo>>()
        .and_then(TlsConnectInfo::peer_certs);
    if let Some(der) = certs.as_deref().and_then(|certs| certs.first()) {
        let cert = crate::mtls::ClientCertificate::from_der(der.as_ref());
        request.extensions_mut().insert(cert);
    }
    request
}

/// The gRPC status code of a refusal.
fn grpc_status(status: StatusCode) -> u8 {
    match status {
        StatusCode::BAD_REQUEST => 3,
        StatusCode::UNAUTHORIZED => 16,
        StatusCode::FORBIDDEN => 7,
        StatusCode::SERVICE_UNAVAILABLE => 14,
        _ => 13,
    }
}

/// A trailers-only gRPC response for `error`.
fn refusal<ResBody: Default>(error: &Error) -> Response<ResBody> {
    let mut response = Response::new(ResBody::default());
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert(
        "grpc-status",
        HeaderValue::from(u16::from(grpc_status(error.status()))),
    );
    if let Ok(message) = HeaderValue::from_str(&percent_encode(&error.body_text())) {
        headers.insert("grpc-message", message);
    }
    if let Some(challenge) = error.www_authenticate()
        && let Ok(value) = HeaderValue::from_str(&challenge)
    {
        headers.insert(WWW_AUTHENTICATE, value);
    }
    if let Some(secs) = error.retry_after() {
        headers.insert("retry-after", HeaderValue::from(secs));
    }
    response
}

/// `grpc-message` encoding: bytes outside printable ASCII, and `%`, as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..=0x7e).contains(&byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn refusals_map_to_grpc_statuses() {
        let missing = refusal::<()>(&Error::new(ErrorKind::MissingAuthorization));
        assert_eq!(missing.status(), 200);
        assert_eq!(missing.headers()["grpc-status"], "16");
        assert_eq!(
            missing.headers()["grpc-message"],
            "Authorization header is missing"
        );
        assert_eq!(missing.headers()["www-authenticate"], "Bearer");
        assert_eq!(missing.headers()["content-type"], "application/grpc");
        let scope = refusal::<()>(&Error::new(ErrorKind::InsufficientScope {
            required: vec!["a".into()],
        }));
        assert_eq!(scope.headers()["grpc-status"], "7");
        let keys = refusal::<()>(&Error::new(ErrorKind::KeysUnavailable {
            retry_after: std::time::Duration::from_secs(3),
            detail: "down".into(),
        }));
        assert_eq!(keys.headers()["grpc-status"], "14");
        assert!(!keys.headers().contains_key("www-authenticate"));
        let unknown = refusal::<()>(&Error::new(ErrorKind::UnknownStrategy("x".into())));
        assert_eq!(unknown.headers()["grpc-status"], "13");
        assert_eq!(percent_encode("50% é"), "50%25 %C3%A9");
    }
}
