//! A tower [`Layer`](https://docs.rs/tower-layer/0.3/tower_layer/trait.Layer.html) that protects a whole router or service with a [`Policy`]: axum's
//! `Router::layer` / `route_layer` (nested routers too), hyper, or any tower service over
//! `http::Request<B>`.
//!
//! Each request runs the policy's strategies in order, then its scopes and roles — the
//! code `#[authenticate]` runs. A refusal is answered by the layer, exactly as the
//! attribute answers it ([`render::response`](crate::render::response): status,
//! `WWW-Authenticate`, `Retry-After`, the renderer's body), and the inner service is not
//! called. On success the request goes on with the [`Principal`] in its extensions
//! (`Extension<Principal>`, `request.extensions().get::<Principal>()`), and the axum
//! extractors `Principal`, `Option<Principal>` and `Claims<T>` read it. A handler under
//! the layer with `#[authenticate(..)]` of the same strategies does not verify the token
//! again; it checks only its own scopes and roles.
//!
//! The registry is the policy's own ([`PolicyBuilder::registry`](crate::policy::PolicyBuilder::registry)),
//! else the request's (an `axum::Extension(registry)` layer outside this one), else
//! [`Registry::global`].
//!
//! ```
//! use axum::{Router, routing::get};
//! use jwt_guard::Principal;
//! use jwt_guard::authz::Requirement::One;
//! use jwt_guard::tower::AuthLayer;
//! use jwt_guard::Policy;
//!
//! async fn me(who: Principal) -> String {
//!     who.subject().unwrap_or("-").to_owned()
//! }
//!
//! # fn main() -> Result<(), jwt_guard::ConfigError> {
//! let api = Policy::builder("api router", ["jwt"]).scopes(One("api")).build()?;
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route_layer(AuthLayer::new(api));
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::policy::Policy;
use crate::registry::Registry;
use crate::request::RequestInfo;

#[cfg(doc)]
use crate::principal::Principal;

/// Protects the services it wraps with a [`Policy`]. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct AuthLayer {
    policy: Policy,
}

impl AuthLayer {
    /// A layer enforcing `policy`; the audit of the policy's registry (its own, else the
    /// global one) lists it from now on.
    pub fn new(policy: Policy) -> Self {
        policy.serve();
        Self { policy }
    }

    /// The policy it enforces.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The service of [`AuthLayer`]: `inner`, behind the policy.
#[derive(Debug, Clone)]
pub struct AuthService<S> {
    inner: S,
    policy: Policy,
}

/// The future of [`AuthService`] (and of the gRPC service).
pub(crate) type ResponseFuture<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

impl<S, B, ResBody> Service<Request<B>> for AuthService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: From<Vec<u8>> + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was polled ready is the one called.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let policy = self.policy.clone();
        Box::pin(guarded(policy, request, inner, |err| {
            crate::render::response(err).map(ResBody::from)
        }))
    }
}

/// Checks `request` against `policy`; on success calls `inner` with the principal in the
/// extensions, else answers with `refuse(error)`.
pub(crate) async fn guarded<S, B, R>(
    policy: Policy,
    mut request: Request<B>,
    mut inner: S,
    refuse: impl FnOnce(&crate::Error) -> R,
) -> Result<R, S::Error>
where
    S: Service<Request<B>, Response = R>,
{
    let checked = crate::guard::layer(
        &policy,
        RequestInfo::new(request.headers(), request.method(), request.uri())
            .with_client_certificate(super::client_certificate(request.extensions())),
        request.extensions().get::<Registry>(),
    )
    .await;
    match checked {
        Ok(authenticated) => {
            if let Some(principal) = &authenticated.principal {
                request.extensions_mut().insert(principal.clone());
            }
            request.extensions_mut().insert(authenticated);
            inner.call(request).await
        }
        Err(err) => {
            tracing::debug!(
                policy = policy.name(),
                status = err.status().as_u16(),
                error = %err,
                "request refused by the layer"
            );
            Ok(refuse(&err))
        }
    }
}
