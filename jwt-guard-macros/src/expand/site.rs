//! The site: a `static GuardedHandler` describing the guarded function, registered with
//! `inventory` for the audit, and its id, which the hidden guard's type carries.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::args::Requirement;
use crate::config::{FinalConfig, Mode, StepUp};
use crate::plan::Target;

/// Where a site's guard reads the request, and so which registry it uses: the audit
/// shows it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Form {
    /// The hidden guard extractor: the request's registry.
    Extractor,
    /// Its own `Request`, `Parts` or `HttpRequest`: the request's registry.
    Request,
    /// Its own `&HeaderMap` (or a method's `HeaderMap`): no request, so the global
    /// registry.
    Headers,
}

impl Form {
    /// The variant of the runtime's `__private::Form`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Self::Extractor => "Extractor",
            Self::Request => "Request",
            Self::Headers => "HeaderMap",
        }
    }
}

/// The static description of the site, registered for the audit.
pub(crate) const SITE: &str = "__JWT_GUARD_SITE";

/// The name of the site's static, hygienic.
pub(crate) fn ident() -> Ident {
    Ident::new(SITE, Span::mixed_site())
}

/// The `static` describing the site and its `inventory` registration. `config` is `None`
/// for a method skipped in an authenticated impl block.
pub(crate) fn register(
    krate: &TokenStream,
    target: &Target,
    fn_name: &Ident,
    config: Option<(&FinalConfig, Form)>,
) -> TokenStream {
    let site = ident();
    let name = &target.name;
    let (file, line, column) = location(fn_name);
    let none = quote!(::core::option::Option::None);
    let requirement = |r: &Option<Requirement>| match r {
        Some(r) => {
            let tree = requirement_tokens(r, krate);
            quote!(::core::option::Option::Some(#tree))
        }
        None => none.clone(),
    };
    let (strategies, scopes, roles, step_up, optional, form) = match config {
        Some((config, form)) => (
            config.strategies.clone(),
            requirement(&config.scopes),
            requirement(&config.roles),
            step_up_tokens(config.step_up.as_ref(), krate),
            matches!(config.mode, Mode::Optional),
            form.variant(),
        ),
        None => (
            Vec::new(),
            none.clone(),
            none.clone(),
            none.clone(),
            false,
            "Skipped",
        ),
    };
    let form = Ident::new(form, Span::call_site());
    quote! {
        static #site: #krate::__private::GuardedHandler = #krate::__private::GuardedHandler::__new(
            ::core::concat!(::core::module_path!(), "::", #name),
            #file,
            #line,
            #column,
            &[#(#strategies),*],
            #scopes,
            #roles,
            #step_up,
            #optional,
            #krate::__private::HandlerForm::#form,
        );
        #krate::__private::inventory::submit! {
            #krate::__private::Site(&#site)
        }
    }
}

/// The site's id, as `GuardedHandler::__new` computes it: a constant expression for the
/// type of the hidden guard, which finds its site by it.
pub(crate) fn site_id(krate: &TokenStream, target: &Target, fn_name: &Ident) -> TokenStream {
    let name = &target.name;
    let (file, line, column) = location(fn_name);
    quote! {
        #krate::__private::site_id(
            ::core::concat!(::core::module_path!(), "::", #name),
            #file,
            #line,
            #column,
        )
    }
}

/// True when the function carries `#[utoipa::path(..)]` (or `#[path(..)]`, imported).
pub(crate) fn has_utoipa_path(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let segments: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        matches!(
            segments.iter().map(String::as_str).collect::<Vec<_>>()[..],
            ["utoipa", "path"] | ["path"]
        )
    })
}

/// The link to an OpenAPI operation of the same function, when `#[utoipa::path]` stands
/// below `#[authenticate]`: utoipa names its description `__path_<fn>` in the function's
/// module. Beside the function, a glob import of a stand-in of that name, which an
/// explicit `__path_<fn>` (utoipa's) shadows; in the body, the site's registration for
/// the OpenAPI modifier, which keeps only a `__path_<fn>` that implements
/// `utoipa::Path` (and expands to nothing without jwt-guard's `utoipa` feature).
///
/// Returns (the module-level items, the statement for the body).
pub(crate) fn openapi(krate: &TokenStream, fn_name: &Ident) -> (TokenStream, TokenStream) {
    use quote::format_ident;
    use syn::ext::IdentExt as _;
    let name = fn_name.unraw();
    let path = format_ident!("__path_{}", name);
    let module = format_ident!("__jwt_guard_openapi_{}", name);
    let site = ident();
    let items = quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, non_camel_case_types, dead_code, unreachable_pub)]
        mod #module {
            pub struct #path;
        }
        #[allow(unused_imports)]
        use #module::*;
    };
    let statement = quote! {
        #krate::__private::openapi_site!(#path, #site);
    };
    (items, statement)
}

/// `file!()`, `line!()` and `column!()` spanned on the function's name: where it is.
fn location(fn_name: &Ident) -> (TokenStream, TokenStream, TokenStream) {
    let span = fn_name.span();
    (
        quote_spanned!(span=> ::core::file!()),
        quote_spanned!(span=> ::core::line!()),
        quote_spanned!(span=> ::core::column!()),
    )
}

/// `Requirement::All(&[Requirement::One("a"), ..])`, a constant expression.
fn requirement_tokens(requirement: &Requirement, krate: &TokenStream) -> TokenStream {
    let path = quote!(#krate::__private::Requirement);
    match requirement {
        Requirement::One(value) => quote!(#path::One(#value)),
        Requirement::All { list, .. } => {
            let items = list.iter().map(|r| requirement_tokens(r, krate));
            quote!(#path::All(&[#(#items),*]))
        }
        Requirement::Any { list, .. } => {
            let items = list.iter().map(|r| requirement_tokens(r, krate));
            quote!(#path::Any(&[#(#items),*]))
        }
    }
}

/// `Some(StepUp::__new(&["urn:a", ..], 300))` (0: no `max_age`), a constant expression.
fn step_up_tokens(step_up: Option<&StepUp>, krate: &TokenStream) -> TokenStream {
    match step_up {
        Some(StepUp { acr, max_age }) => {
            let max_age = max_age.unwrap_or(0);
            quote!(::core::option::Option::Some(
                #krate::__private::StepUp::__new(&[#(#acr),*], #max_age)
            ))
        }
        None => quote!(::core::option::Option::None),
    }
}
