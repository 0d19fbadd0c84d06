//! The [`Strategy`] trait: a named way to authenticate a request.

use std::sync::Arc;

use http::HeaderMap;

use crate::error::Error;
use crate::future::BoxFuture;
use crate::jwks::JwksClient;
use crate::principal::Principal;
use crate::request::RequestInfo;

/// A named way to authenticate a request from its headers.
///
/// Return [`ErrorKind::MissingAuthorization`](crate::ErrorKind::MissingAuthorization) (or
/// [`ErrorKind::NotBearer`](crate::ErrorKind::NotBearer)) when the request carries no
/// credentials of your kind, any other error when it carries bad ones.
///
/// ```
/// use jwt_guard::{BoxFuture, Error, Principal, Strategy};
/// use http::HeaderMap;
///
/// struct ApiKey(&'static str);
///
/// impl Strategy for ApiKey {
///     fn authenticate<'a>(&'a self, headers: &'a HeaderMap) -> BoxFuture<'a, Result<Principal, Error>> {
///         Box::pin(async move {
///             match headers.get("x-api-key") {
///                 Some(key) if key.as_bytes() == self.0.as_bytes() => Ok(Principal::new(Default::default())),
///                 Some(_) => Err(Error::unauthorized("invalid API key")),
///                 None => Err(jwt_guard::ErrorKind::MissingAuthorization.into()),
///             }
///         })
///     }
/// }
/// ```
pub trait Strategy: Send + Sync + 'static {
    /// Authenticates a request from its headers.
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>>;

    /// The key engines this strategy fetches keys with, for readiness
    /// ([`readiness`](crate::readiness)) and metrics. Defaults to none.
    fn key_engines(&self) -> Vec<JwksClient> {
        Vec::new()
    }

    /// Authenticates a request from its headers and, where the integration knows them,
    /// its method and URI (what DPoP proofs are bound to). Defaults to
    /// [`authenticate`](Self::authenticate) on the headers.
    fn authenticate_request<'a>(
        &'a self,
        request: RequestInfo<'a>,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        self.authenticate(request.headers())
    }

    /// The outcome when it is known without waiting (a cached result), asked before
    /// [`authenticate_request`](Self::authenticate_request), which is then not called:
    /// no future is built for it. `None`: await `authenticate_request`. Defaults to
    /// `None`.
    #[doc(hidden)]
    fn authenticate_now(&self, request: RequestInfo<'_>) -> Option<Result<Principal, Error>> {
        let _ = request;
        None
    }

    /// Told by the registry the name the strategy is registered under (for each
    /// registration), for its metrics labels. Defaults to nothing.
    #[doc(hidden)]
    fn registered_as(&self, name: &Arc<str>) {
        let _ = name;
    }
}
