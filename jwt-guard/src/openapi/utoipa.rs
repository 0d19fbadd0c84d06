//! utoipa 5: [`JwtSecurity`], a [`Modify`](https://docs.rs/utoipa/5/utoipa/trait.Modify.html) that documents every `#[authenticate]`
//! handler described by `#[utoipa::path]` (see [the module above](super) for what it adds).
//!
//! ```
//! use jwt_guard::authenticate;
//! use jwt_guard::openapi::utoipa::JwtSecurity;
//! use utoipa::OpenApi;
//!
//! #[authenticate("jwt", scopes = "orders:read")]
//! #[utoipa::path(get, path = "/orders", responses((status = 200, description = "the orders")))]
//! async fn orders() -> &'static str {
//!     "[]"
//! }
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(orders), modifiers(&JwtSecurity))]
//! struct Api;
//!
//! let doc = Api::openapi();
//! let json = serde_json::to_value(&doc).unwrap();
//! assert_eq!(json["paths"]["/orders"]["get"]["security"][0]["jwt"][0], "orders:read");
//! assert!(json["paths"]["/orders"]["get"]["responses"]["401"].is_object());
//! assert_eq!(json["components"]["securitySchemes"]["jwt"]["scheme"], "bearer");
//! ```

use std::marker::PhantomData;

use utoipa::Modify;
use utoipa::openapi::path::{HttpMethod, Operation, PathItem};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ComponentsBuilder, HeaderBuilder, OpenApi, RefOr, ResponseBuilder};

use super::{
    api_key_of, responses, scheme_description, scopes_of, step_up_extension, unauthorized,
};
use crate::audit::GuardedHandler;

/// Adds the bearer security schemes, and each protected operation's security
/// requirement and 401/403/503 responses, from the `#[authenticate]` sites.
///
/// Use it as `#[openapi(modifiers(&JwtSecurity))]`, or call
/// `JwtSecurity.modify(&mut doc)` on a document built otherwise (utoipa-axum's
/// `OpenApiRouter::split_for_parts`).
#[derive(Debug, Clone, Copy, Default)]
pub struct JwtSecurity;

impl Modify for JwtSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut linked: Vec<&'static GuardedHandler> = Vec::new();
        for registered in inventory::iter::<UtoipaSite> {
            let site = registered.site;
            if site.is_skipped() {
                continue;
            }
            let Some(link) = (registered.probe)() else {
                continue;
            };
            linked.push(site);
            // The path as described, else (utoipa-axum's `nest` and `context_path` put a
            // prefix before it) as a suffix.
            let documented = link.document(openapi, site, |path| *path == link.path)
                || link.document(openapi, site, |path| path.ends_with(&link.path));
            if documented {
                add_schemes(openapi, site);
            }
        }
        by_function_name(openapi, &linked);
    }
}

/// The sites without a link (`#[utoipa::path]` above `#[authenticate]`): matched by
/// operation id = function name, only when no other site has a function of that name.
/// An ambiguous name is logged and its operations are left undocumented rather than
/// guessed.
fn by_function_name(openapi: &mut OpenApi, linked: &[&'static GuardedHandler]) {
    let audit = crate::audit::Audit::every_site();
    let sites = audit.handlers();
    let name = |site: &GuardedHandler| site.handler().rsplit("::").next().unwrap_or_default();
    for &site in sites {
        if site.is_skipped() || linked.iter().any(|l| std::ptr::eq(*l, site)) {
            continue;
        }
        let fn_name = name(site);
        let namesakes = sites.iter().filter(|s| name(s) == fn_name).count();
        let mut documented = false;
        for item in openapi.paths.paths.values_mut() {
            for method in METHODS {
                let Some(operation) = operation_mut(item, method) else {
                    continue;
                };
                if operation.operation_id.as_deref() != Some(fn_name) {
                    continue;
                }
                if namesakes > 1 {
                    tracing::warn!(
                        handler = site.handler(),
                        "OpenAPI: several #[authenticate] handlers are named {fn_name:?}; put                          #[authenticate] above #[utoipa::path] to link each to its operation"
                    );
                    continue;
                }
                protect(operation, site);
                documented = true;
            }
        }
        if documented {
            add_schemes(openapi, site);
        }
    }
}

const METHODS: &[HttpMethod] = &[
    HttpMethod::Get,
    HttpMethod::Post,
    HttpMethod::Put,
    HttpMethod::Delete,
    HttpMethod::Options,
    HttpMethod::Head,
    HttpMethod::Patch,
    HttpMethod::Trace,
];

/// The security requirement and the responses of one protected operation.
fn protect(operation: &mut Operation, site: &GuardedHandler) {
    let scopes = scopes_of(site);
    let security = operation.security.get_or_insert_with(Vec::new);
    for strategy in site.strategies() {
        let requirement = SecurityRequirement::new(*strategy, scopes.iter().cloned());
        if !security.contains(&requirement) {
            security.push(requirement);
        }
    }
    if site.is_optional() && !security.contains(&SecurityRequirement::default()) {
        security.push(SecurityRequirement::default());
    }
    if let Some((name, value)) = step_up_extension(site) {
        operation
            .extensions
            .get_or_insert_with(Default::default)
            .entry(name)
            .or_insert(value);
    }
    let responses = &mut operation.responses.responses;
    let challenge = HeaderBuilder::new()
        .schema(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String))
        .description(Some(
            "The Bearer challenge: `error=` and, on a 403, `scope=`.",
        ))
        .build();
    responses.entry("401".to_owned()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description(unauthorized(site))
                .header("WWW-Authenticate", challenge.clone())
                .build(),
        )
    });
    if site.scopes().is_some() || site.roles().is_some() {
        responses.entry("403".to_owned()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(responses::FORBIDDEN)
                    .header("WWW-Authenticate", challenge)
                    .build(),
            )
        });
    }
    responses.entry("503".to_owned()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description(responses::UNAVAILABLE)
                .build(),
        )
    });
}

/// A scheme per strategy of `site` (HTTP bearer, or `apiKey` for a named header or
/// cookie), unless the document names one already.
fn add_schemes(openapi: &mut OpenApi, site: &GuardedHandler) {
    let components = openapi
        .components
        .get_or_insert_with(|| ComponentsBuilder::new().build());
    for strategy in site.strategies() {
        components
            .security_schemes
            .entry((*strategy).to_owned())
            .or_insert_with(|| {
                let api_key = api_key_of(strategy);
                let description = scheme_description(strategy, api_key.as_ref());
                match api_key {
                    None => SecurityScheme::Http(
                        HttpBuilder::new()
                            .scheme(HttpAuthScheme::Bearer)
                            .bearer_format("JWT")
                            .description(Some(description))
                            .build(),
                    ),
                    Some((true, name)) => SecurityScheme::ApiKey(ApiKey::Header(
                        ApiKeyValue::with_description(name, description),
                    )),
                    Some((false, name)) => SecurityScheme::ApiKey(ApiKey::Cookie(
                        ApiKeyValue::with_description(name, description),
                    )),
                }
            });
    }
}

fn operation_mut<'a>(item: &'a mut PathItem, method: &HttpMethod) -> Option<&'a mut Operation> {
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        HttpMethod::Options => item.options.as_mut(),
        HttpMethod::Head => item.head.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Trace => item.trace.as_mut(),
    }
}

// ── what the attribute links (not public API) ──────────────────────────────────────

/// Not public API: the operation a site's function is described by.
#[doc(hidden)]
pub struct UtoipaLink {
    path: String,
    methods: Vec<HttpMethod>,
    operation_id: Option<String>,
}

impl std::fmt::Debug for UtoipaLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UtoipaLink")
            .field("path", &self.path)
            .field("methods", &self.methods.len())
            .field("operation_id", &self.operation_id)
            .finish()
    }
}

impl UtoipaLink {
    /// Protects the operations of the paths that `matches` accepts with the link's
    /// methods and operation id; true when there was one.
    fn document(
        &self,
        openapi: &mut OpenApi,
        site: &GuardedHandler,
        matches: impl Fn(&String) -> bool,
    ) -> bool {
        let mut documented = false;
        for (_, item) in openapi.paths.paths.iter_mut().filter(|(p, _)| matches(p)) {
            for method in &self.methods {
                if let Some(operation) = operation_mut(item, method)
                    && operation.operation_id == self.operation_id
                {
                    protect(operation, site);
                    documented = true;
                }
            }
        }
        documented
    }
}

/// Not public API: a site and the probe of its `__path_<fn>`.
#[doc(hidden)]
#[derive(Debug)]
pub struct UtoipaSite {
    site: &'static GuardedHandler,
    probe: fn() -> Option<UtoipaLink>,
}

impl UtoipaSite {
    /// Not public API.
    #[doc(hidden)]
    pub const fn __new(site: &'static GuardedHandler, probe: fn() -> Option<UtoipaLink>) -> Self {
        Self { site, probe }
    }
}

inventory::collect!(UtoipaSite);

/// Not public API: `(&&UtoipaProbe::<T>::new()).__jwt_guard_link()` is the link when `T`
/// implements `utoipa::Path` ([`IsUtoipaPath`]), else `None` ([`NotUtoipaPath`]).
#[doc(hidden)]
#[derive(Debug)]
pub struct UtoipaProbe<T>(PhantomData<T>);

impl<T> UtoipaProbe<T> {
    /// Not public API.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

/// Not public API: the probe of a `utoipa::Path`.
#[doc(hidden)]
pub trait IsUtoipaPath {
    /// Not public API.
    fn __jwt_guard_link(&self) -> Option<UtoipaLink>;
}

impl<T: utoipa::Path> IsUtoipaPath for &UtoipaProbe<T> {
    fn __jwt_guard_link(&self) -> Option<UtoipaLink> {
        Some(UtoipaLink {
            path: T::path(),
            methods: T::methods(),
            operation_id: T::operation().operation_id,
        })
    }
}

/// Not public API: the probe of anything else (the attribute's stand-in).
#[doc(hidden)]
pub trait NotUtoipaPath {
    /// Not public API.
    fn __jwt_guard_link(&self) -> Option<UtoipaLink> {
        None
    }
}

impl<T> NotUtoipaPath for UtoipaProbe<T> {}
