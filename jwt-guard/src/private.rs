//! Items used only by code that `#[authenticate]` generates. Not public API: they may
//! change in any release.

use std::borrow::Cow;
use std::fmt;

use http::HeaderMap;
use serde::de::DeserializeOwned;

pub use crate::authz::{Requirement, StepUp};
pub use crate::error::Error;
use crate::error::ErrorKind;
pub use crate::principal::{Claims, Principal};
use crate::registry::Registry;
pub use crate::site::{GuardedHandler, HandlerForm, Site, site_id};
pub use inventory;

pub use crate::__jwt_guard_openapi_site as openapi_site;
#[cfg(feature = "utoipa")]
pub use crate::openapi::utoipa::{
    IsUtoipaPath, NotUtoipaPath, UtoipaLink, UtoipaProbe, UtoipaSite,
};

/// Not public API. Where a handler's request headers (and its registry) come from.
#[diagnostic::on_unimplemented(
    message = "`#[authenticate]` cannot read request headers from `{Self}`",
    label = "expected `http::HeaderMap`, `http::Request<B>` or `http::request::Parts`"
)]
pub trait HeaderSource {
    /// Not public API. Borrowed for `http` types; built for frameworks on other versions
    /// of `http` (actix-web).
    fn header_map(&self) -> Cow<'_, HeaderMap>;

    /// Not public API. The registry the request carries, if any.
    fn registry(&self) -> Option<&Registry> {
        None
    }
}

impl HeaderSource for HeaderMap {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        Cow::Borrowed(self)
    }
}

impl<B> HeaderSource for http::Request<B> {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        Cow::Borrowed(self.headers())
    }

    fn registry(&self) -> Option<&Registry> {
        self.extensions().get()
    }
}

impl HeaderSource for http::request::Parts {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        Cow::Borrowed(&self.headers)
    }

    fn registry(&self) -> Option<&Registry> {
        self.extensions.get()
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        (**self).header_map()
    }

    fn registry(&self) -> Option<&Registry> {
        (**self).registry()
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &mut T {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        (**self).header_map()
    }

    fn registry(&self) -> Option<&Registry> {
        (**self).registry()
    }
}

/// Not public API. The hidden first parameter `#[authenticate]` adds to a handler that
/// has no headers of its own: extracting it *is* the authentication, so it runs before
/// every other extractor and before the body is read. `SITE` is the site's
/// [`site_id`].
///
/// Its `Debug` shows the principal's strategy and claim names, never a header or token.
pub struct Guard<const SITE: u64>(Option<Principal>);

impl<const SITE: u64> Guard<SITE> {
    /// Not public API. Authenticates the request of these headers for site `SITE`.
    #[cfg(any(feature = "axum", feature = "actix-web"))]
    /// Under a layer (`layer`), its principal is reused when the strategies match.
    #[cfg(any(feature = "axum", feature = "actix-web"))]
    pub(crate) async fn extract(
        request: crate::request::RequestInfo<'_>,
        registry: Option<&Registry>,
        layer: Option<&crate::guard::Authenticated>,
    ) -> Result<Self, Error> {
        crate::guard::check_id(SITE, request, registry, layer)
            .await
            .map(Self)
    }

    /// Not public API. The principal of a site without `optional`.
    pub fn principal(self) -> Result<Principal, Error> {
        self.0.ok_or_else(|| {
            Error::new(ErrorKind::Misconfigured(
                "an optional #[authenticate] site was read as a required one",
            ))
        })
    }

    /// Not public API. The principal of an `optional` site.
    pub fn optional(self) -> Option<Principal> {
        self.0
    }
}

impl<const SITE: u64> fmt::Debug for Guard<SITE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Guard").field(&self.0).finish()
    }
}

/// Not public API. Builds a handler parameter from the authenticated principal.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be built from the authenticated principal",
    label = "`#[authenticate]` binds parameters of type `jwt_guard::Principal`"
)]
pub trait FromPrincipal: Sized {
    /// Not public API.
    fn from_principal(principal: Principal) -> Result<Self, Error>;
}

impl FromPrincipal for Principal {
    fn from_principal(principal: Principal) -> Result<Self, Error> {
        Ok(principal)
    }
}

/// Not public API. The `T` of a `Claims<T>` parameter: deserializable from the claims.
#[diagnostic::on_unimplemented(
    message = "the claims type `{Self}` does not implement `serde::Deserialize`",
    label = "`Claims<T>` deserializes the verified claims into `T`",
    note = "add `#[derive(serde::Deserialize)]` to `{Self}`"
)]
pub trait ClaimsType: DeserializeOwned {}

impl<T: DeserializeOwned> ClaimsType for T {}

/// Not public API. Builds a `Claims<T>` parameter; the attribute spans the call on `T`,
/// so a `T` that is not `Deserialize` is reported there.
pub fn claims<T: ClaimsType>(principal: Principal) -> Result<Claims<T>, Error> {
    Claims::from_principal(&principal)
}

/// Not public API. For handlers that carry their own headers: authenticates with the
/// site's strategies (first success wins), then checks its scopes and roles.
pub async fn guard(
    site: &'static GuardedHandler,
    headers: &HeaderMap,
    registry: Option<&Registry>,
) -> Result<Principal, Error> {
    let registry = registry.unwrap_or_else(|| Registry::global());
    let request = crate::request::RequestInfo::from_headers(headers);
    let principal = crate::guard::check(site.rules(), request, registry).await?;
    Guard::<0>(principal).principal()
}

/// Not public API. Like [`guard`], for `optional`: `Ok(None)` when no strategy found
/// credentials of its kind; refused credentials are still an error.
pub async fn guard_optional(
    site: &'static GuardedHandler,
    headers: &HeaderMap,
    registry: Option<&Registry>,
) -> Result<Option<Principal>, Error> {
    let registry = registry.unwrap_or_else(|| Registry::global());
    let request = crate::request::RequestInfo::from_headers(headers);
    crate::guard::check(site.rules(), request, registry).await
}

/// Not public API. The fail-closed check on the sync methods of an authenticated impl
/// block: `#[authenticate]` puts `let _ = <R as SyncMethodMustNotReturnAFutureMarkItAsyncOrSkip<_>>::check;`
/// at the top of each, `R` its return type. Both impls below apply exactly when `R` is a
/// future, and then the `_` is ambiguous: a compile error on `R` that names this trait,
/// telling the fix (make the method `async fn`, or mark it `#[authenticate(skip)]`).
/// Any other `R` picks the first impl, and the statement does nothing.
pub trait SyncMethodMustNotReturnAFutureMarkItAsyncOrSkip<Verdict: ?Sized> {
    /// Not public API.
    fn check() {}
}

/// Not public API. The verdict for a return type that is not a future.
#[derive(Debug)]
pub struct NotAFuture;

/// Not public API. The verdict for a return type that is a future.
#[derive(Debug)]
pub struct IsAFuture;

impl<T: ?Sized> SyncMethodMustNotReturnAFutureMarkItAsyncOrSkip<NotAFuture> for T {}

impl<T: ?Sized + std::future::Future> SyncMethodMustNotReturnAFutureMarkItAsyncOrSkip<IsAFuture>
    for T
{
}
