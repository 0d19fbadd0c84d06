//! The parameters of a guarded function, sorted: the one that carries the request headers
//! (or the hidden guard extractor added in its place), and those bound from the principal
//! (`Principal`, `Claims<T>`, or `Option<..>` of them with `optional`).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, Pat, PatIdent, PatType, Signature, Token, Type};

use super::respan;
use super::site::{self, Form};
use crate::plan::{Errors, Target};
use crate::ty::{last_segment, peel, single_type_argument, type_name};

/// The hidden first parameter, the guard extractor, when the function has no headers.
pub(crate) const GUARD: &str = "__jwt_guard";
/// The hidden name of a header-source parameter whose pattern is not a plain identifier.
const SOURCE: &str = "__jwt_guard_source";
/// The principal inside `Some(..)`, for `optional`.
const SOME: &str = "__jwt_guard_some";

/// The parameters, sorted into what the guard uses and what it removes.
pub(crate) struct Params {
    /// The parameter the headers are read from; `None` means the hidden guard was added.
    source: Option<Source>,
    /// Parameters removed from the signature and bound from the principal.
    pub(crate) injected: Vec<Injected>,
    /// The names of the parameters that carry the request (the header source, a
    /// `HeaderMap` kept beside the hidden guard, the hidden guard itself): never recorded
    /// by `#[tracing::instrument]`, whose span would show the bearer token.
    pub(crate) secret: Vec<Ident>,
}

/// True for `HeaderMap` by value (not a reference): an axum extractor, which the hidden
/// guard can stand beside.
fn is_owned_header_map(ty: &Type) -> bool {
    let ty = match ty {
        Type::Group(group) => &*group.elem,
        Type::Paren(paren) => &*paren.elem,
        _ => ty,
    };
    matches!(ty, Type::Path(_)) && last_segment(ty).is_some_and(|s| s.ident == "HeaderMap")
}

/// A parameter that carries the request headers.
struct Source {
    /// The name the parameter has in the expanded signature.
    ident: Ident,
    /// Its type, where a type error about reading headers from it belongs.
    ty: Type,
    /// The user's pattern, when it was not a plain identifier and got a hidden name.
    pattern: Option<Pat>,
}

/// A parameter filled from the authenticated principal.
pub(crate) struct Injected {
    kind: InjectedKind,
    /// Declared as `Option<..>` (for `optional`).
    in_option: bool,
    /// The type inside `Option<..>`, or the declared type.
    inner: Type,
    attrs: Vec<Attribute>,
    pat: Pat,
    ty: Type,
}

/// What an injected parameter receives.
#[derive(Clone)]
pub(crate) enum InjectedKind {
    /// `Principal`, built through `FromPrincipal`.
    Principal,
    /// `Claims<T>`, deserialized through `__private::claims::<T>`.
    Claims(Box<Type>),
}

impl InjectedKind {
    /// The kind of parameter of type `ty`, if it is one the guard fills, and whether it is
    /// wrapped in `Option`.
    pub(crate) fn of(ty: &Type) -> Option<(Self, bool)> {
        let segment = last_segment(ty)?;
        match segment.ident.to_string().as_str() {
            "Principal" if segment.arguments.is_none() => Some((Self::Principal, false)),
            "Claims" => Some((
                Self::Claims(Box::new(single_type_argument(segment)?.clone())),
                false,
            )),
            "Option" => {
                let (kind, nested) = Self::of(single_type_argument(segment)?)?;
                (!nested).then_some((kind, true))
            }
            _ => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Principal => "Principal",
            Self::Claims(_) => "Claims<T>",
        }
    }

    fn same_as(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (Self::Principal, Self::Principal) | (Self::Claims(_), Self::Claims(_))
        )
    }
}

/// True for `HeaderMap`, `Request<..>`, `request::Parts`, actix-web's `HttpRequest`, or a
/// reference to one: types that carry the request headers, matched by the last path
/// segment.
pub(crate) fn is_header_source(ty: &Type) -> bool {
    let Type::Path(path) = peel(ty) else {
        return false;
    };
    if path.qself.is_some() {
        return false;
    }
    let segments = &path.path.segments;
    let Some(last) = segments.last() else {
        return false;
    };
    let parent = segments.len().checked_sub(2).map(|i| &segments[i].ident);
    match last.ident.to_string().as_str() {
        "HeaderMap" | "Request" | "HttpRequest" => true,
        // `http::response::Parts` has headers too, but not the request's.
        "Parts" => parent.is_none_or(|parent| parent != "response"),
        _ => false,
    }
}

impl Params {
    /// Removes the injected parameters from `sig` and adds the hidden guard extractor,
    /// first, when no parameter carries the headers.
    pub(crate) fn take(
        sig: &mut Signature,
        krate: &TokenStream,
        optional: bool,
        check_optional: bool,
        target: &Target,
        errors: &mut Errors,
    ) -> syn::Result<Self> {
        let mut receiver = None;
        let mut source = None;
        let mut secret = Vec::new();
        let mut injected: Vec<Injected> = Vec::new();
        let mut kept = Punctuated::<FnArg, Token![,]>::new();
        for arg in std::mem::take(&mut sig.inputs) {
            let mut typed = match arg {
                FnArg::Receiver(recv) => {
                    receiver = Some(recv.to_token_stream());
                    kept.push(FnArg::Receiver(recv));
                    continue;
                }
                FnArg::Typed(typed) => typed,
            };
            if let Some((kind, in_option)) = InjectedKind::of(&typed.ty) {
                if injected.iter().any(|seen| seen.kind.same_as(&kind)) {
                    let advice = match kind {
                        InjectedKind::Principal => "clone the first one in the body instead",
                        InjectedKind::Claims(_) => {
                            "put every claim the handler needs in one type instead"
                        }
                    };
                    errors.push(syn::Error::new_spanned(
                        &typed,
                        format!(
                            "only one parameter can receive the authenticated `{}`; {advice}",
                            kind.name()
                        ),
                    ));
                }
                let inner = if in_option {
                    last_segment(&typed.ty)
                        .and_then(single_type_argument)
                        .cloned()
                        .unwrap_or_else(|| (*typed.ty).clone())
                } else {
                    (*typed.ty).clone()
                };
                if check_optional {
                    check_option(&typed.ty, &inner, in_option, optional, errors);
                }
                let PatType { attrs, pat, ty, .. } = typed;
                injected.push(Injected {
                    kind,
                    in_option,
                    inner,
                    attrs,
                    pat: *pat,
                    ty: *ty,
                });
                continue;
            }
            if is_header_source(&typed.ty)
                && let Some(ident) = plain_ident(&typed.pat)
            {
                secret.push(ident);
            }
            // A handler's own `HeaderMap` carries no registry: the hidden guard is added
            // beside it and authenticates with the request's registry (a method is not a
            // handler, and has no request to take it from).
            let owned_map = receiver.is_none() && is_owned_header_map(&typed.ty);
            if source.is_none() && !owned_map && is_header_source(&typed.ty) {
                let ty = (*typed.ty).clone();
                source = Some(match plain_ident(&typed.pat) {
                    Some(ident) => Source {
                        ident,
                        ty,
                        pattern: None,
                    },
                    None => {
                        let ident = Ident::new(SOURCE, Span::mixed_site());
                        secret.push(ident.clone());
                        let pattern = std::mem::replace(&mut *typed.pat, ident_pat(ident.clone()));
                        Source {
                            ident,
                            ty,
                            pattern: Some(pattern),
                        }
                    }
                });
            }
            kept.push(FnArg::Typed(typed));
        }

        if source.is_none() {
            if let Some(receiver) = receiver {
                let skip = if target.in_impl {
                    "; or, if it is not a handler, mark it `#[authenticate(skip)]`"
                } else {
                    ""
                };
                return Err(syn::Error::new_spanned(
                    receiver,
                    format!(
                        "#[authenticate] on a method needs the request headers: add a parameter \
                         of type `&HeaderMap` (or `&http::Request<B>`), e.g. \
                         `headers: &http::HeaderMap`{skip}"
                    ),
                ));
            }
            let hidden = Ident::new(GUARD, Span::mixed_site());
            secret.push(hidden.clone());
            let id = site::site_id(krate, target, &sig.ident);
            let ty = Type::Verbatim(quote!(#krate::__private::Guard<{ #id }>));
            kept.insert(
                0,
                FnArg::Typed(PatType {
                    attrs: Vec::new(),
                    pat: Box::new(ident_pat(hidden)),
                    colon_token: Token![:](Span::call_site()),
                    ty: Box::new(ty),
                }),
            );
        }
        sig.inputs = kept;
        Ok(Self {
            source,
            injected,
            secret,
        })
    }

    /// Where the guard reads the request.
    pub(crate) fn form(&self) -> Form {
        match &self.source {
            None => Form::Extractor,
            Some(source)
                if last_segment(peel(&source.ty)).is_some_and(|s| s.ident == "HeaderMap") =>
            {
                Form::Headers
            }
            Some(_) => Form::Request,
        }
    }

    /// The principal (an `Option` with `optional`): taken from the hidden guard, which
    /// authenticated the request when it was extracted, or, for a function that carries
    /// its own headers, by running the guard on them now.
    pub(crate) fn guard_expr(
        &self,
        site: &Ident,
        krate: &TokenStream,
        optional: bool,
    ) -> TokenStream {
        match &self.source {
            // Spanned on the parameter's type: a type named like a header source that is
            // not one (a `Request` of another crate) is reported there.
            Some(Source { ident, ty, .. }) => {
                let span = ty.span();
                let krate = respan(krate, span);
                // Shown at the type, resolved as the parameter's own name.
                let mut ident = ident.clone();
                ident.set_span(span.resolved_at(ident.span()));
                let source = quote_spanned! {span=>
                    #krate::__private::HeaderSource::header_map(&#ident)
                };
                let registry = quote_spanned! {span=>
                    #krate::__private::HeaderSource::registry(&#ident)
                };
                let guard = if optional {
                    quote!(guard_optional)
                } else {
                    quote!(guard)
                };
                quote!(#krate::__private::#guard(&#site, &*#source, #registry).await?)
            }
            None => {
                let hidden = Ident::new(GUARD, Span::mixed_site());
                if optional {
                    quote!(#krate::__private::Guard::optional(#hidden))
                } else {
                    quote!(#krate::__private::Guard::principal(#hidden)?)
                }
            }
        }
    }

    /// `let <user pattern> = __jwt_guard_source;`, when the header source was renamed.
    pub(crate) fn rebind_source(&self) -> Option<TokenStream> {
        let Source {
            ident,
            pattern: Some(pattern),
            ..
        } = self.source.as_ref()?
        else {
            return None;
        };
        Some(quote!(let #pattern = #ident;))
    }

    /// `let <pat>: <ty> = <build>(principal)?;` for each injected parameter, spanned on
    /// its type (or on the `T` of `Claims<T>`) so a type that cannot be built is reported
    /// there. With `optional`, `<build>` runs inside `match principal { Some(..) .. }`.
    pub(crate) fn bind_injected(
        &self,
        principal: &Ident,
        krate: &TokenStream,
        optional: bool,
    ) -> Vec<TokenStream> {
        let several = self.injected.len() > 1;
        let some = Ident::new(SOME, Span::mixed_site());
        self.injected
            .iter()
            .map(|injected| {
                let Injected {
                    kind,
                    in_option,
                    inner,
                    attrs,
                    pat,
                    ty,
                } = injected;
                let value = if several {
                    quote!(::core::clone::Clone::clone(&#principal))
                } else {
                    quote!(#principal)
                };
                let build = match kind {
                    InjectedKind::Principal => {
                        let krate = respan(krate, inner.span());
                        quote_spanned! {inner.span()=>
                            <#inner as #krate::__private::FromPrincipal>::from_principal
                        }
                    }
                    InjectedKind::Claims(claims) => {
                        let krate = respan(krate, claims.span());
                        quote_spanned! {claims.span()=>
                            #krate::__private::claims::<#claims>
                        }
                    }
                };
                let some_value = quote!(::core::option::Option::Some);
                let none = quote!(::core::option::Option::None);
                let init = match (optional, *in_option) {
                    (false, false) => quote!(#build(#value)?),
                    (true, true) => quote! {
                        match #value {
                            #some_value(#some) => #some_value(#build(#some)?),
                            #none => #none,
                        }
                    },
                    // Mismatches, reported by `check_option`: bind something that type
                    // checks, so that the one error is the only one.
                    (false, true) => quote!(#some_value(#build(#value)?)),
                    (true, false) => quote! {
                        match #value {
                            #some_value(#some) => #build(#some)?,
                            #none => ::core::unreachable!(),
                        }
                    },
                };
                quote!(#(#attrs)* let #pat: #ty = #init;)
            })
            .collect()
    }
}

/// With `optional` an injected parameter must be an `Option`, and only then.
fn check_option(ty: &Type, inner: &Type, in_option: bool, optional: bool, errors: &mut Errors) {
    let inner = type_name(inner);
    if optional && !in_option {
        errors.push(syn::Error::new_spanned(
            ty,
            format!(
                "with `optional`, a request without credentials runs with no principal: \
                 take `Option<{inner}>`"
            ),
        ));
    } else if !optional && in_option {
        errors.push(syn::Error::new_spanned(
            ty,
            format!(
                "`Option<{inner}>` is for `#[authenticate(.., optional)]`: without `optional` \
                 the body runs only for authenticated requests; take `{inner}`, or add \
                 `optional` to the attribute"
            ),
        ));
    }
}

/// The identifier of a pattern that is only a binding (`headers`, `mut headers`).
fn plain_ident(pat: &Pat) -> Option<Ident> {
    match pat {
        Pat::Ident(PatIdent {
            by_ref: None,
            subpat: None,
            ident,
            ..
        }) => Some(ident.clone()),
        _ => None,
    }
}

fn ident_pat(ident: Ident) -> Pat {
    Pat::Ident(PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: None,
        ident,
        subpat: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        syn::parse_str(src).unwrap()
    }

    #[test]
    fn header_sources_by_last_segment() {
        for src in [
            "HeaderMap",
            "&HeaderMap",
            "&mut http::HeaderMap",
            "::http::header::HeaderMap<HeaderValue>",
            "Request",
            "http::Request<B>",
            "&axum::extract::Request",
            "Parts",
            "&http::request::Parts",
            "(&HeaderMap)",
            "actix_web::HttpRequest",
        ] {
            assert!(is_header_source(&ty(src)), "{src}");
        }
        for src in [
            "Headers",
            "http::response::Parts",
            "Vec<HeaderMap>",
            "<T as Trait>::HeaderMap",
            "Option<Request>",
            "impl HeaderSource",
        ] {
            assert!(!is_header_source(&ty(src)), "{src}");
        }
    }

    /// `InjectedKind::of` as text: `Principal`, `Claims<Mine>`, `Option<..>`.
    fn injected(src: &str) -> Option<String> {
        let (kind, in_option) = InjectedKind::of(&ty(src))?;
        let name = match kind {
            InjectedKind::Principal => "Principal".to_owned(),
            InjectedKind::Claims(t) => format!("Claims<{}>", type_name(&t)),
        };
        Some(if in_option {
            format!("Option<{name}>")
        } else {
            name
        })
    }

    #[test]
    fn injected_by_last_segment() {
        assert_eq!(injected("Principal").as_deref(), Some("Principal"));
        assert_eq!(
            injected("jwt_guard::Principal").as_deref(),
            Some("Principal")
        );
        assert_eq!(injected("&Principal"), None);
        assert_eq!(injected("Principal<T>"), None);
        assert_eq!(
            injected("Option<Principal>").as_deref(),
            Some("Option<Principal>")
        );
        assert_eq!(
            injected("jwt_guard::Claims<my::Claims>").as_deref(),
            Some("Claims<my::Claims>")
        );
        assert_eq!(
            injected("::core::option::Option<Claims<Vec<u8>>>").as_deref(),
            Some("Option<Claims<Vec<u8>>>")
        );
        assert_eq!(injected("Claims"), None);
        assert_eq!(injected("Claims<A, B>"), None);
        assert_eq!(injected("Option<Option<Principal>>"), None);
        assert_eq!(injected("Option<String>"), None);
        assert_eq!(injected("Vec<Principal>"), None);
    }
}
