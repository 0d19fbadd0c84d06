//! The one entry point of the attribute (and of every integration): the site's
//! strategies in order, then its scope and role requirements. Nothing framework-specific:
//! the integrations hand in the headers and the registry the request carries.

use http::HeaderMap;

use crate::audit::GuardedHandler;
use crate::error::Error;
use crate::principal::Principal;
use crate::registry::Registry;

/// Authenticates a request for `site`, with `registry` or the global one.
///
/// `Ok(None)` only for an `optional` site whose request carried no credentials of any of
/// its strategies' kinds; refused credentials are an error either way.
pub(crate) async fn check(
    site: &GuardedHandler,
    headers: &HeaderMap,
    registry: Option<&Registry>,
) -> Result<Option<Principal>, Error> {
    let registry = registry.unwrap_or_else(|| Registry::global());
    match registry.authenticate(site.strategies(), headers).await {
        Ok(principal) => {
            crate::authz::authorize(&principal, site.scopes(), site.roles())?;
            Ok(Some(principal))
        }
        Err(err) if site.is_optional() && err.is_missing_credentials() => Ok(None),
        Err(err) => Err(err),
    }
}

/// [`check`] for the site with this id (the hidden extractor knows its site by id).
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) async fn check_id(
    id: u64,
    headers: &HeaderMap,
    registry: Option<&Registry>,
) -> Result<Option<Principal>, Error> {
    let Some(site) = crate::audit::site(id) else {
        tracing::error!(
            site = id,
            "an #[authenticate] extractor names a site that is not registered"
        );
        return Err(Error::new(crate::error::ErrorKind::Misconfigured(
            "an #[authenticate] site is missing from the program",
        )));
    };
    check(site, headers, registry).await
}
