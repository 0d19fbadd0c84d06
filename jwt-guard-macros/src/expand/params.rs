//! The parameters of a guarded function, sorted: the one that carries the request headers
//! (or the hidden guard extractor added in its place), and those bound from the principal
//! (`Principal`, `Claims<T>`, or `Option<..>` of them with `optional`).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, Pat, PatIdent, PatType, Signature, Token, Type};

use super::respan;
use super::site::{self, Form};
use crate::plan::{InjectedKind, Role, Target};
use crate::ty::{last_segment, peel, single_type_argument};

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

impl Params {
    /// Removes the injected parameters from `sig`, gives a header source with a pattern a
    /// hidden name, and adds the hidden guard extractor, first, when no parameter carries
    /// the headers. `roles` are the check's, one per parameter.
    pub(crate) fn take(
        sig: &mut Signature,
        krate: &TokenStream,
        roles: &[Role],
        target: &Target,
    ) -> Self {
        let mut source = None;
        let mut secret = Vec::new();
        let mut injected: Vec<Injected> = Vec::new();
        let mut kept = Punctuated::<FnArg, Token![,]>::new();
        for (arg, role) in std::mem::take(&mut sig.inputs).into_iter().zip(roles) {
            let mut typed = match arg {
                FnArg::Receiver(recv) => {
                    kept.push(FnArg::Receiver(recv));
                    continue;
                }
                FnArg::Typed(typed) => typed,
            };
            let carries_headers = match role {
                Role::Injected { kind, in_option } => {
                    let inner = if *in_option {
                        last_segment(&typed.ty)
                            .and_then(single_type_argument)
                            .cloned()
                            .unwrap_or_else(|| (*typed.ty).clone())
                    } else {
                        (*typed.ty).clone()
                    };
                    let PatType { attrs, pat, ty, .. } = typed;
                    injected.push(Injected {
                        kind: kind.clone(),
                        in_option: *in_option,
                        inner,
                        attrs,
                        pat: *pat,
                        ty: *ty,
                    });
                    continue;
                }
                Role::Source => true,
                Role::Kept { carries_headers } => *carries_headers,
            };
            if carries_headers && let Some(ident) = plain_ident(&typed.pat) {
                secret.push(ident);
            }
            if matches!(role, Role::Source) {
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

        // No header source: the hidden guard (a method without one was refused by the
        // check).
        if source.is_none() {
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
        Self {
            source,
            injected,
            secret,
        }
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
                    // Mismatches, reported by the check: bind something that type
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
