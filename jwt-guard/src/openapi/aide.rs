//! aide 0.15: `#[authenticate]` handlers in aide's `ApiRouter`, documented.
//!
//! The attribute's hidden guard parameter is an [`OperationInput`](https://docs.rs/aide/0.15/aide/operation/trait.OperationInput.html) that knows its site:
//! it adds the operation's security requirement (each strategy, with the site's scopes;
//! `{}` too when `optional`) and the 401, 403 (with scopes or roles) and 503 responses.
//! [`Error`] is an [`OperationOutput`](https://docs.rs/aide/0.15/aide/operation/trait.OperationOutput.html) (401 and 503, for handlers that read their own
//! headers). [`security_schemes`] adds a bearer scheme per strategy to the document.
//!
//! ```
//! use aide::axum::{ApiRouter, routing::get};
//! use aide::openapi::OpenApi;
//! use jwt_guard::authenticate;
//!
//! #[authenticate("jwt", scopes = "orders:read")]
//! async fn orders() -> String {
//!     "[]".to_owned()
//! }
//!
//! let mut api = OpenApi::default();
//! let _router: axum::Router = ApiRouter::new()
//!     .api_route("/orders", get(orders))
//!     .finish_api(&mut api);
//! jwt_guard::openapi::aide::security_schemes(&mut api);
//! let json = serde_json::to_value(&api).unwrap();
//! assert_eq!(json["paths"]["/orders"]["get"]["security"][0]["jwt"][0], "orders:read");
//! assert!(json["paths"]["/orders"]["get"]["responses"]["403"].is_object());
//! ```

use aide::generate::GenContext;
use aide::openapi::{
    ApiKeyLocation, Components, OpenApi, Operation, ReferenceOr, Response, SecurityRequirement,
    SecurityScheme,
};
use aide::{OperationInput, OperationOutput};

use super::{
    api_key_of, responses, scheme_description, scopes_of, step_up_extension, unauthorized,
};
use crate::audit::GuardedHandler;
use crate::error::Error;
use crate::principal::{Claims, Principal};
use crate::private::Guard;

impl<const SITE: u64> OperationInput for Guard<SITE> {
    fn operation_input(_ctx: &mut GenContext, operation: &mut Operation) {
        if let Some(site) = crate::site::site(SITE) {
            add_security(operation, site);
        }
    }

    fn inferred_early_responses(
        _ctx: &mut GenContext,
        _operation: &mut Operation,
    ) -> Vec<(Option<u16>, Response)> {
        let site = crate::site::site(SITE);
        let refusals = site.is_some_and(|site| site.scopes().is_some() || site.roles().is_some());
        let mut out = vec![
            (
                Some(401),
                response(site.map_or(responses::UNAUTHORIZED, unauthorized)),
            ),
            (Some(503), response(responses::UNAVAILABLE)),
        ];
        if refusals {
            out.insert(1, (Some(403), response(responses::FORBIDDEN)));
        }
        out
    }
}

/// Under a layer: the layer's policy is not known per route, so no security
/// requirement; the 401 and 503 the layer (or this extractor) answers.
impl OperationInput for Principal {
    fn inferred_early_responses(
        _ctx: &mut GenContext,
        _operation: &mut Operation,
    ) -> Vec<(Option<u16>, Response)> {
        vec![
            (Some(401), response(responses::UNAUTHORIZED)),
            (Some(503), response(responses::UNAVAILABLE)),
        ]
    }
}

/// As for [`Principal`], plus the 401 of claims that do not deserialize into `T`.
impl<T> OperationInput for Claims<T> {
    fn inferred_early_responses(
        ctx: &mut GenContext,
        operation: &mut Operation,
    ) -> Vec<(Option<u16>, Response)> {
        Principal::inferred_early_responses(ctx, operation)
    }
}

impl OperationOutput for Error {
    type Inner = ();

    fn inferred_responses(
        _ctx: &mut GenContext,
        _operation: &mut Operation,
    ) -> Vec<(Option<u16>, Response)> {
        vec![
            (Some(401), response(responses::UNAUTHORIZED)),
            (Some(503), response(responses::UNAVAILABLE)),
        ]
    }
}

/// Adds a security scheme for every strategy that an `#[authenticate]` site names,
/// unless the document has one of that name: HTTP bearer (format JWT), or `apiKey` in a
/// header or cookie for a strategy of the global registry that reads a named header or
/// cookie ([`TokenSource`](crate::TokenSource)). Call it on the document after
/// `ApiRouter::finish_api`, with the strategies registered.
pub fn security_schemes(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Components::default);
    let audit = crate::audit::Audit::every_site();
    for site in audit.handlers().iter().filter(|s| !s.is_skipped()) {
        for strategy in site.strategies() {
            components
                .security_schemes
                .entry((*strategy).to_owned())
                .or_insert_with(|| {
                    let api_key = api_key_of(strategy);
                    let description = Some(scheme_description(strategy, api_key.as_ref()));
                    ReferenceOr::Item(match api_key {
                        None => SecurityScheme::Http {
                            scheme: "bearer".to_owned(),
                            bearer_format: Some("JWT".to_owned()),
                            description,
                            extensions: Default::default(),
                        },
                        Some((header, name)) => SecurityScheme::ApiKey {
                            location: if header {
                                ApiKeyLocation::Header
                            } else {
                                ApiKeyLocation::Cookie
                            },
                            name,
                            description,
                            extensions: Default::default(),
                        },
                    })
                });
        }
    }
}

fn add_security(operation: &mut Operation, site: &GuardedHandler) {
    let scopes = scopes_of(site);
    for strategy in site.strategies() {
        let mut requirement = SecurityRequirement::new();
        requirement.insert((*strategy).to_owned(), scopes.clone());
        if !operation.security.contains(&requirement) {
            operation.security.push(requirement);
        }
    }
    let anonymous = SecurityRequirement::new();
    if site.is_optional() && !operation.security.contains(&anonymous) {
        operation.security.push(anonymous);
    }
    if let Some((name, value)) = step_up_extension(site) {
        operation.extensions.entry(name).or_insert(value);
    }
}

fn response(description: &str) -> Response {
    Response {
        description: description.to_owned(),
        ..Response::default()
    }
}
