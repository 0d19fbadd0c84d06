//! Items used only by code that `#[authenticate]` generates. Not public API: they may
//! change in any release.

use std::borrow::Cow;

use http::HeaderMap;
use serde::de::DeserializeOwned;

pub use crate::audit::{GuardedHandler, Site};
pub use crate::authz::Requirement;
pub use crate::error::Error;
pub use crate::principal::{Claims, Principal};
pub use crate::registry::authenticate;
pub use inventory;

/// Not public API. Where a handler's request headers come from.
#[diagnostic::on_unimplemented(
    message = "`#[authenticate]` cannot read request headers from `{Self}`",
    label = "expected `http::HeaderMap`, `http::Request<B>` or `http::request::Parts`"
)]
pub trait HeaderSource {
    /// Not public API. Borrowed for `http` types; built for frameworks on other versions
    /// of `http` (actix-web).
    fn header_map(&self) -> Cow<'_, HeaderMap>;
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
}

impl HeaderSource for http::request::Parts {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        Cow::Borrowed(&self.headers)
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        (**self).header_map()
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &mut T {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        (**self).header_map()
    }
}

/// Not public API. The request headers, taken by a hidden parameter that
/// `#[authenticate]` adds to handlers that have no headers of their own.
#[derive(Debug)]
pub struct Headers(pub HeaderMap);

impl HeaderSource for Headers {
    fn header_map(&self) -> Cow<'_, HeaderMap> {
        Cow::Borrowed(&self.0)
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

/// Not public API. Authenticates with the site's strategies (first success wins), then
/// checks its scopes and roles.
pub async fn guard(site: &'static GuardedHandler, headers: &HeaderMap) -> Result<Principal, Error> {
    let principal = crate::registry::authenticate_any(site.strategies(), headers).await?;
    crate::authz::authorize(&principal, site.scopes(), site.roles())?;
    Ok(principal)
}

/// Not public API. Like [`guard`], for `optional`: `Ok(None)` when no strategy found
/// credentials of its kind; refused credentials are still an error.
pub async fn guard_optional(
    site: &'static GuardedHandler,
    headers: &HeaderMap,
) -> Result<Option<Principal>, Error> {
    match crate::registry::authenticate_any(site.strategies(), headers).await {
        Ok(principal) => {
            crate::authz::authorize(&principal, site.scopes(), site.roles())?;
            Ok(Some(principal))
        }
        Err(err) if err.is_missing_credentials() => Ok(None),
        Err(err) => Err(err),
    }
}
