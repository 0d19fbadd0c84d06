//! Items used only by code that `#[authenticate]` generates. Not public API: they may
//! change in any release.

use http::HeaderMap;

pub use crate::error::Error;
pub use crate::principal::Principal;
pub use crate::registry::authenticate;

/// Not public API. Where a handler's request headers come from.
#[diagnostic::on_unimplemented(
    message = "`#[authenticate]` cannot read request headers from `{Self}`",
    label = "expected `http::HeaderMap`, `http::Request<B>` or `http::request::Parts`"
)]
pub trait HeaderSource {
    /// Not public API.
    fn header_map(&self) -> &HeaderMap;
}

impl HeaderSource for HeaderMap {
    fn header_map(&self) -> &HeaderMap {
        self
    }
}

impl<B> HeaderSource for http::Request<B> {
    fn header_map(&self) -> &HeaderMap {
        self.headers()
    }
}

impl HeaderSource for http::request::Parts {
    fn header_map(&self) -> &HeaderMap {
        &self.headers
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header_map(&self) -> &HeaderMap {
        (**self).header_map()
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &mut T {
    fn header_map(&self) -> &HeaderMap {
        (**self).header_map()
    }
}

/// Not public API. The request headers, taken by a hidden parameter that
/// `#[authenticate]` adds to handlers that have no headers of their own.
#[derive(Debug)]
pub struct Headers(pub HeaderMap);

impl HeaderSource for Headers {
    fn header_map(&self) -> &HeaderMap {
        &self.0
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

/// Not public API. Reads the headers and runs the named strategy.
pub async fn guard<S: HeaderSource + ?Sized>(
    name: &'static str,
    source: &S,
) -> Result<Principal, Error> {
    authenticate(name, source.header_map()).await
}
