//! OpenAPI documents that know which operations are protected: the security schemes,
//! each protected operation's security requirement with its scopes, and its 401/403/503
//! responses, taken from the [audit](crate::audit) of `#[authenticate]` sites.
//!
//! - `utoipa` (feature `utoipa`): `utoipa::JwtSecurity`, a `utoipa::Modify`.
//! - `aide` (feature `aide`): the attribute's handlers work in aide's `ApiRouter`, each
//!   documenting itself; `aide::security_schemes` adds the schemes.
//!
//! An operation is matched to its site through the function itself, not its name: the
//! attribute links each free function to the `__path_<fn>` that `#[utoipa::path]`
//! defines beside it in the same module (in either order of the two attributes), and
//! the modifier finds the operation by that description's path, method and operation
//! id. Two handlers of the same name in different modules stay apart.
//!
//! What every protected operation gets, for each strategy `S` of its site (tried in
//! order, so they are alternatives):
//!
//! - a security requirement `{ "S": [scopes…] }` — the scopes are those of the site's
//!   `scopes = …` (every value named, whether all or any are required); an `optional`
//!   site also gets `{}` (anonymous access allowed);
//! - a security scheme `S` in the components, unless the document already has one of
//!   that name: HTTP bearer (format JWT) for a strategy that reads the `Authorization`
//!   header, `apiKey` `in: header` or `in: cookie` with the `name` for one that reads a
//!   named header or cookie ([`TokenSource`](crate::TokenSource)) — known when the
//!   strategy is registered in the global registry before the document is built (an
//!   unregistered one is described as HTTP bearer);
//! - the responses `401` (with the `WWW-Authenticate` challenge), `403` when the site
//!   requires scopes or roles, and `503` (signing keys unavailable), unless the
//!   operation documents them already;
//! - for a site with a step-up requirement (`acr = ..`, `max_age = ..`; RFC 9470), the
//!   extension `x-jwt-guard-step-up: { "acr_values": [..], "max_age": 300 }` (each member
//!   only when required; `max_age` in seconds), and a `401` description that names
//!   `insufficient_user_authentication`.

#[cfg(feature = "aide")]
#[cfg_attr(docsrs, doc(cfg(feature = "aide")))]
pub mod aide;
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub mod utoipa;

use crate::audit::GuardedHandler;

/// The security requirement scopes of a site: every value of its `scopes = …`.
#[cfg_attr(not(any(feature = "utoipa", feature = "aide")), allow(dead_code))]
pub(crate) fn scopes_of(site: &GuardedHandler) -> Vec<String> {
    site.scopes()
        .map(|r| r.values().into_iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// How the strategy `name` of the global registry takes its token, for its security
/// scheme: `None` for the `Authorization` header (HTTP bearer) or a strategy not
/// registered there; else `(true, header name)` or `(false, cookie name)`.
#[cfg_attr(not(any(feature = "utoipa", feature = "aide")), allow(dead_code))]
pub(crate) fn api_key_of(strategy: &str) -> Option<(bool, String)> {
    let source = crate::Registry::global().token_source(strategy)?;
    if let Some(header) = source.header_name() {
        return Some((true, header.to_owned()));
    }
    source
        .cookie_name()
        .map(|cookie| (false, cookie.to_owned()))
}

/// The description of the security scheme of `strategy`.
#[cfg_attr(not(any(feature = "utoipa", feature = "aide")), allow(dead_code))]
pub(crate) fn scheme_description(strategy: &str, api_key: Option<&(bool, String)>) -> String {
    match api_key {
        None => format!("A bearer token verified by the jwt-guard strategy \"{strategy}\"."),
        Some((true, name)) => format!(
            "A JWT in the {name} header, verified by the jwt-guard strategy \"{strategy}\"."
        ),
        Some((false, name)) => format!(
            "A JWT in the {name} cookie, verified by the jwt-guard strategy \"{strategy}\"."
        ),
    }
}

/// The `x-jwt-guard-step-up` extension of a site with a step-up requirement:
/// `{ "acr_values": [..], "max_age": 300 }`, each member only when required.
#[cfg_attr(not(any(feature = "utoipa", feature = "aide")), allow(dead_code))]
pub(crate) fn step_up_extension(site: &GuardedHandler) -> Option<(String, serde_json::Value)> {
    let step_up = site.step_up()?;
    let mut value = serde_json::Map::new();
    let acr = step_up.acr_values();
    if !acr.is_empty() {
        value.insert("acr_values".into(), acr.into());
    }
    if let Some(max_age) = step_up.max_age() {
        value.insert("max_age".into(), max_age.as_secs().into());
    }
    Some((STEP_UP_EXTENSION.to_owned(), value.into()))
}

/// The name of the step-up extension.
#[cfg_attr(not(any(feature = "utoipa", feature = "aide")), allow(dead_code))]
pub(crate) const STEP_UP_EXTENSION: &str = "x-jwt-guard-step-up";

/// The description of the 401 of `site`.
#[cfg_attr(not(any(feature = "utoipa", feature = "aide")), allow(dead_code))]
pub(crate) fn unauthorized(site: &GuardedHandler) -> &'static str {
    match site.step_up() {
        Some(_) => responses::UNAUTHORIZED_STEP_UP,
        None => responses::UNAUTHORIZED,
    }
}

/// The descriptions of the responses added to protected operations.
#[cfg_attr(not(any(feature = "utoipa", feature = "aide")), allow(dead_code))]
pub(crate) mod responses {
    pub(crate) const UNAUTHORIZED: &str = "Unauthorized: credentials missing or refused (the \
        `WWW-Authenticate` header says why, RFC 6750).";
    pub(crate) const UNAUTHORIZED_STEP_UP: &str = "Unauthorized: credentials missing or \
        refused (the `WWW-Authenticate` header says why, RFC 6750), or the user's \
        authentication is not strong or recent enough: `insufficient_user_authentication` \
        with the `acr_values` and `max_age` to authenticate again with (RFC 9470; see \
        `x-jwt-guard-step-up`).";
    pub(crate) const FORBIDDEN: &str = "Forbidden: the credentials lack a required scope or role.";
    pub(crate) const UNAVAILABLE: &str =
        "Service unavailable: the signing keys cannot be fetched; retry after `Retry-After`.";
}

/// Not public API: what `#[authenticate]` registers next to a free function when
/// jwt-guard has an OpenAPI integration. Expands to nothing otherwise.
#[doc(hidden)]
#[macro_export]
#[cfg(not(feature = "utoipa"))]
macro_rules! __jwt_guard_openapi_site {
    ($path:ident, $site:ident) => {};
}

/// Not public API: registers the link between the site `$site` and the `__path_<fn>`
/// named `$path` (utoipa's, or the attribute's stand-in, which links nothing).
#[doc(hidden)]
#[macro_export]
#[cfg(feature = "utoipa")]
macro_rules! __jwt_guard_openapi_site {
    ($path:ident, $site:ident) => {
        $crate::__private::inventory::submit! {
            $crate::__private::UtoipaSite::__new(&$site, {
                fn __jwt_guard_probe() -> ::core::option::Option<$crate::__private::UtoipaLink> {
                    #[allow(unused_imports)]
                    use $crate::__private::{IsUtoipaPath as _, NotUtoipaPath as _};
                    (&&$crate::__private::UtoipaProbe::<$path>::new()).__jwt_guard_link()
                }
                __jwt_guard_probe
            })
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::StepUp;
    use crate::site::HandlerForm;

    fn site(step_up: Option<StepUp>) -> GuardedHandler {
        GuardedHandler::__new(
            "app::pay",
            "src/app.rs",
            1,
            1,
            &["jwt"],
            None,
            None,
            step_up,
            false,
            HandlerForm::Extractor,
        )
    }

    #[test]
    fn the_step_up_extension_names_what_is_required() {
        let both = site(Some(StepUp::__new(&["urn:a", "urn:b"], 300)));
        assert_eq!(
            step_up_extension(&both),
            Some((
                STEP_UP_EXTENSION.to_owned(),
                serde_json::json!({ "acr_values": ["urn:a", "urn:b"], "max_age": 300 })
            ))
        );
        assert_eq!(unauthorized(&both), responses::UNAUTHORIZED_STEP_UP);
        let age = site(Some(StepUp::__new(&[], 60)));
        assert_eq!(
            step_up_extension(&age).map(|(_, v)| v),
            Some(serde_json::json!({ "max_age": 60 }))
        );
        let plain = site(None);
        assert_eq!(step_up_extension(&plain), None);
        assert_eq!(unauthorized(&plain), responses::UNAUTHORIZED);
    }
}
