//! The `#[authenticate]` transform: the parsed function (or impl block) in, the guarded
//! function out.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    AttrStyle, Attribute, Block, FnArg, GenericArgument, Ident, ImplItem, Item, ItemFn, ItemImpl,
    Meta, Pat, PatIdent, PatType, PathArguments, ReturnType, Signature, Stmt, Token, Type,
    TypeImplTrait, Visibility,
};

use crate::args::{Args, Requirement};

/// The hidden first parameter, the guard extractor, when the function has no headers.
const GUARD: &str = "__jwt_guard";
/// The hidden name of a header-source parameter whose pattern is not a plain identifier.
const SOURCE: &str = "__jwt_guard_source";
/// The principal returned by the strategy.
const PRINCIPAL: &str = "__jwt_guard_principal";
/// The principal inside `Some(..)`, for `optional`.
const SOME: &str = "__jwt_guard_some";
/// The value of the original body.
const RET: &str = "__jwt_guard_ret";
/// The static description of the site, registered for the audit.
const SITE: &str = "__JWT_GUARD_SITE";

/// Entry point: expands `#[authenticate(args)] item`.
///
/// Never fails: a mistake becomes a `compile_error!` next to the item. When the function
/// can still be expanded (bad arguments, a missing `async`) it is, so that its callers
/// and its route do not report errors of their own.
pub(crate) fn authenticate(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = syn::parse2::<Args>(args).unwrap_or_else(|err| {
        errors.push(err);
        Args::fallback()
    });
    if let Ok(func) = syn::parse2::<ItemFn>(item.clone()) {
        if let Some(skip) = &args.skip {
            errors.push(syn::Error::new(
                skip.span,
                "`#[authenticate(skip)]` exempts a method of an impl block that has \
                 `#[authenticate(..)]`; here there is none, so it would do nothing: remove it",
            ));
            return errors.after(item);
        }
        let target = Target {
            name: func.sig.ident.to_string(),
            in_impl: false,
        };
        return match expand_fn(func, &args, &target, &mut errors) {
            Ok(expanded) => errors.after(expanded),
            Err(err) => {
                errors.push(err);
                errors.after(item)
            }
        };
    }
    if let Ok(block) = syn::parse2::<ItemImpl>(item.clone()) {
        if let Some(skip) = &args.skip {
            errors.push(syn::Error::new(
                skip.span,
                "`skip` goes on a method inside an impl block, not on the block itself",
            ));
            return errors.after(item);
        }
        let expanded = expand_impl(block, &args, &mut errors);
        return errors.after(expanded);
    }
    let err = syn::parse2::<ItemFn>(item.clone())
        .err()
        .unwrap_or_else(|| syn::Error::new(Span::call_site(), "unreachable"));
    errors.push(not_a_function(item.clone(), err));
    errors.after(item)
}

/// What the attribute is on, for the audit and for messages.
struct Target {
    /// `function`, or `Type::method` in an impl block.
    name: String,
    /// True for a method expanded by the attribute of its impl block.
    in_impl: bool,
}

// Input:
//
//     #[authenticate("jwt", "api-key", scopes = ["orders:read"])]
//     pub async fn secure(Path(id): Path<u32>, who: Principal, c: Claims<Mine>) -> Json<Value> {
//         body
//     }
//
// Output:
//
//     pub async fn secure(
//         __jwt_guard_headers: ::jwt_guard::__private::Headers,
//         Path(id): Path<u32>,
//     ) -> ::core::result::Result<Json<Value>, ::jwt_guard::__private::Error> {
//         static __JWT_GUARD_SITE: ::jwt_guard::__private::GuardedHandler =
//             ::jwt_guard::__private::GuardedHandler::__new(
//                 ::core::concat!(::core::module_path!(), "::", "secure"),
//                 ::core::file!(), ::core::line!(),
//                 &["jwt", "api-key"],
//                 Some(Requirement::All(&[Requirement::One("orders:read")])), None,
//                 false, false,
//             );
//         ::jwt_guard::__private::inventory::submit! {
//             ::jwt_guard::__private::Site(&__JWT_GUARD_SITE)
//         }
//         let __jwt_guard_principal = ::jwt_guard::__private::guard(
//             &__JWT_GUARD_SITE,
//             &*::jwt_guard::__private::HeaderSource::header_map(&__jwt_guard_headers),
//         )
//         .await?;
//         let who: Principal = <Principal as ::jwt_guard::__private::FromPrincipal>
//             ::from_principal(Clone::clone(&__jwt_guard_principal))?;
//         let c: Claims<Mine> = ::jwt_guard::__private::claims::<Mine>(
//             Clone::clone(&__jwt_guard_principal))?;
//         let __jwt_guard_ret: Json<Value> = async move { body }.await;
//         ::core::result::Result::Ok(__jwt_guard_ret)
//     }
//
// Without injected parameters the principal is bound to `_`. With `optional` the guard is
// `guard_optional`, the principal an `Option<Principal>`, and each injected parameter (an
// `Option<Principal>` or `Option<Claims<T>>`) is `match`ed out of it. When a parameter
// already carries the headers (`HeaderMap`, `Request<B>`, `Parts`, actix's `HttpRequest`,
// or a reference to one) no hidden parameter is added and the guard reads that one; if
// its pattern is not a plain name, the parameter becomes `__jwt_guard_source` and the
// guard is followed by `let <pattern> = __jwt_guard_source;`.
//
// The strategy reads a `&HeaderMap`, not the parameter itself, so the future stays `Send`
// for bodies that are not `Sync` (axum's `Request`). The `async move` block keeps
// `return` and `?` in the body meaning what they meant; the annotation on
// `__jwt_guard_ret` gives them their type, and is left out when the return type has an
// `impl Trait`, which cannot be written in a `let`.
fn expand_fn(
    func: ItemFn,
    args: &Args,
    target: &Target,
    errors: &mut Errors,
) -> syn::Result<TokenStream> {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = func;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "the `async` keyword is missing from the function declaration",
        ));
        sig.asyncness = Some(Token![async](sig.fn_token.span));
    }

    let krate = args.krate();
    // With stand-in arguments, follow the parameters: the attribute's error is enough.
    let optional = if args.fallback {
        sig.inputs.iter().any(|arg| {
            matches!(arg, FnArg::Typed(typed)
                if InjectedKind::of(&typed.ty).is_some_and(|(_, in_option)| in_option))
        })
    } else {
        args.optional.is_some()
    };
    let params = Params::take(&mut sig, &krate, optional, !args.fallback, target, errors)?;
    let output = rewrite_output(&mut sig, &krate);

    let site = Ident::new(SITE, Span::mixed_site());
    let register = register_site(&site, &krate, target, &sig.ident, Some(args));
    let guard = params.guard_expr(&site, &krate, optional);
    let principal = Ident::new(PRINCIPAL, Span::mixed_site());
    let authenticate = if params.injected.is_empty() {
        quote!(let _ = #guard;)
    } else {
        quote!(let #principal = #guard;)
    };
    let rebind = params.rebind_source();
    let bindings = params.bind_injected(&principal, &krate, optional);

    let ret = Ident::new(RET, Span::mixed_site());
    let annotation = output.annotation();
    let (outer, inner) = split_attributes(attrs);
    let body = run_body(&block);

    let statements = quote! {
        #(#inner)*
        #register
        #authenticate
        #rebind
        #(#bindings)*
        let #ret #annotation = #body;
        ::core::result::Result::Ok(#ret)
    };
    // The new body takes the braces of the old one: rustc reports some lints (dead
    // code) only on items whose whole span comes from the user's tokens.
    let mut new_body = Group::new(Delimiter::Brace, statements);
    new_body.set_span(block.brace_token.span.join());
    Ok(quote! {
        #(#outer)*
        #vis #sig #new_body
    })
}

// Input:
//
//     #[authenticate("jwt")]
//     impl Orders {
//         pub async fn list() -> Json<Vec<Order>> { .. }
//         #[authenticate(skip)]
//         pub async fn health() -> &'static str { "ok" }
//         #[authenticate("jwt", roles = "admin")]
//         pub async fn purge() { .. }
//         pub fn new() -> Self { .. }
//     }
//
// Output: the impl block with `list` expanded as if it had `#[authenticate("jwt")]`;
// `health` without the `skip` attribute, its body starting with the registration of a
// skipped site (so the audit shows the exemption); `purge` expanded with its own
// arguments instead of the block's; `new` untouched: only async methods are handlers. A
// method that is not async but returns a future is an error, not a silent hole.
fn expand_impl(mut block: ItemImpl, args: &Args, errors: &mut Errors) -> TokenStream {
    let self_name = type_name(&block.self_ty);
    let krate = args.krate();
    for item in &mut block.items {
        let ImplItem::Fn(method) = item else {
            continue;
        };
        let target = Target {
            name: format!("{self_name}::{}", method.sig.ident),
            in_impl: true,
        };
        let own = match MethodAttribute::of(&method.attrs) {
            MethodAttribute::Skip(index) => {
                method.attrs.remove(index);
                if method.sig.asyncness.is_some() {
                    let site = Ident::new(SITE, Span::mixed_site());
                    let register = register_site(&site, &krate, &target, &method.sig.ident, None);
                    method
                        .block
                        .stmts
                        .insert(0, Stmt::Item(Item::Verbatim(register)));
                }
                continue;
            }
            MethodAttribute::Own(index, own) => {
                method.attrs.remove(index);
                Some(own)
            }
            MethodAttribute::Unreadable => continue,
            MethodAttribute::None => None,
        };
        if method.sig.asyncness.is_none() && own.is_none() {
            if returns_future(&method.sig.output) {
                errors.push(syn::Error::new(
                    method.sig.fn_token.span,
                    format!(
                        "`{}` returns a future but is not `async`: the `#[authenticate]` of the \
                         impl block protects `async fn` methods; make it an `async fn`, or \
                         mark it `#[authenticate(skip)]`",
                        method.sig.ident
                    ),
                ));
            }
            continue;
        }
        let func = ItemFn {
            attrs: method.attrs.clone(),
            vis: method.vis.clone(),
            sig: method.sig.clone(),
            block: Box::new(method.block.clone()),
        };
        match expand_fn(func, own.as_deref().unwrap_or(args), &target, errors) {
            Ok(expanded) => *item = ImplItem::Verbatim(expanded),
            Err(err) => errors.push(err),
        }
    }
    block.into_token_stream()
}

/// How a method in an authenticated impl block is marked.
enum MethodAttribute {
    /// No `#[authenticate]`: the block's applies.
    None,
    /// `#[authenticate(skip)]`, at this index of the attributes.
    Skip(usize),
    /// Its own `#[authenticate(..)]`, at this index, which replaces the block's.
    Own(usize, Box<Args>),
    /// An `#[authenticate]` that does not parse: left to expand on its own and report
    /// its error.
    Unreadable,
}

impl MethodAttribute {
    fn of(attrs: &[Attribute]) -> Self {
        let Some((index, attr)) = attrs.iter().enumerate().find(|(_, attr)| {
            attr.path()
                .segments
                .last()
                .is_some_and(|segment| segment.ident == "authenticate")
        }) else {
            return Self::None;
        };
        match &attr.meta {
            Meta::List(_) => match attr.parse_args::<Args>() {
                Ok(args) if args.skip.is_some() => Self::Skip(index),
                Ok(args) => Self::Own(index, Box::new(args)),
                Err(_) => Self::Unreadable,
            },
            _ => Self::Unreadable,
        }
    }
}

/// The `static` describing the site and its `inventory` registration. `args` is `None`
/// for a method skipped in an authenticated impl block.
fn register_site(
    site: &Ident,
    krate: &TokenStream,
    target: &Target,
    fn_name: &Ident,
    args: Option<&Args>,
) -> TokenStream {
    let name = &target.name;
    let (file, line, column) = location(fn_name);
    let none = quote!(::core::option::Option::None);
    let (strategies, scopes, roles, optional, skip) = match args {
        Some(args) => {
            let requirement = |r: &Option<Requirement>| match r {
                Some(r) => {
                    let tree = requirement_tokens(r, krate);
                    quote!(::core::option::Option::Some(#tree))
                }
                None => none.clone(),
            };
            (
                args.strategies.clone(),
                requirement(&args.scopes),
                requirement(&args.roles),
                args.optional.is_some(),
                false,
            )
        }
        None => (Vec::new(), none.clone(), none.clone(), false, true),
    };
    quote! {
        static #site: #krate::__private::GuardedHandler = #krate::__private::GuardedHandler::__new(
            ::core::concat!(::core::module_path!(), "::", #name),
            #file,
            #line,
            #column,
            &[#(#strategies),*],
            #scopes,
            #roles,
            #optional,
            #skip,
        );
        #krate::__private::inventory::submit! {
            #krate::__private::Site(&#site)
        }
    }
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

/// The site's id, as `GuardedHandler::__new` computes it: a constant expression for the
/// type of the hidden guard, which finds its site by it.
fn site_id_expr(krate: &TokenStream, target: &Target, fn_name: &Ident) -> TokenStream {
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

/// `Requirement::All(&[Requirement::One("a"), ..])`, a constant expression.
fn requirement_tokens(requirement: &Requirement, krate: &TokenStream) -> TokenStream {
    let path = quote!(#krate::__private::Requirement);
    match requirement {
        Requirement::One(value) => quote!(#path::One(#value)),
        Requirement::All(list) => {
            let items = list.iter().map(|r| requirement_tokens(r, krate));
            quote!(#path::All(&[#(#items),*]))
        }
        Requirement::Any(list) => {
            let items = list.iter().map(|r| requirement_tokens(r, krate));
            quote!(#path::Any(&[#(#items),*]))
        }
    }
}

/// The parameters, sorted into what the guard uses and what it removes.
struct Params {
    /// The parameter the headers are read from; `None` means the hidden one was added.
    source: Option<Source>,
    /// Parameters removed from the signature and bound from the principal.
    injected: Vec<Injected>,
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
struct Injected {
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
enum InjectedKind {
    /// `Principal`, built through `FromPrincipal`.
    Principal,
    /// `Claims<T>`, deserialized through `__private::claims::<T>`.
    Claims(Box<Type>),
}

impl InjectedKind {
    /// The kind of parameter of type `ty`, if it is one the guard fills, and whether it is
    /// wrapped in `Option`.
    fn of(ty: &Type) -> Option<(Self, bool)> {
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

impl Params {
    /// Removes the injected parameters from `sig` and adds the hidden headers parameter
    /// when no parameter carries the headers.
    fn take(
        sig: &mut Signature,
        krate: &TokenStream,
        optional: bool,
        check_optional: bool,
        target: &Target,
        errors: &mut Errors,
    ) -> syn::Result<Self> {
        let mut receiver = None;
        let mut source = None;
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
            if source.is_none() && is_header_source(&typed.ty) {
                let ty = (*typed.ty).clone();
                source = Some(match plain_ident(&typed.pat) {
                    Some(ident) => Source {
                        ident,
                        ty,
                        pattern: None,
                    },
                    None => {
                        let ident = Ident::new(SOURCE, Span::mixed_site());
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
            let id = site_id_expr(krate, target, &sig.ident);
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
        Ok(Self { source, injected })
    }

    /// The principal (an `Option` with `optional`): taken from the hidden guard, which
    /// authenticated the request when it was extracted, or, for a function that carries
    /// its own headers, by running the guard on them now.
    fn guard_expr(&self, site: &Ident, krate: &TokenStream, optional: bool) -> TokenStream {
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
    fn rebind_source(&self) -> Option<TokenStream> {
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
    fn bind_injected(
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

/// The one type argument of `Name<T>`.
fn single_type_argument(segment: &syn::PathSegment) -> Option<&Type> {
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    let mut types = arguments.args.iter().filter_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    let first = types.next()?;
    (arguments.args.len() == 1).then_some(first)
}

/// A type as text without token spacing: `Orders`, `Repo<'a, T>`, `crate::api::Orders`.
fn type_name(ty: &Type) -> String {
    let text = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {
                let before = out.chars().last().is_some_and(is_word);
                let after = chars.peek().copied().is_some_and(is_word);
                if before && after {
                    out.push(' ');
                }
            }
            ',' => {
                while chars.peek() == Some(&' ') {
                    chars.next();
                }
                if !matches!(chars.peek(), Some('>' | ')' | ']') | None) {
                    out.push_str(", ");
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\''
}

/// True when the return type names a future (`impl Future`, `BoxFuture<..>`,
/// `Pin<Box<dyn Future ..>>`).
fn returns_future(output: &ReturnType) -> bool {
    fn mentions(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => ident.to_string().ends_with("Future"),
            TokenTree::Group(group) => mentions(group.stream()),
            _ => false,
        })
    }
    match output {
        ReturnType::Default => false,
        ReturnType::Type(_, ty) => mentions(ty.to_token_stream()),
    }
}

/// The declared return type, before it was wrapped in `Result`.
struct Output {
    ty: TokenStream,
    has_impl_trait: bool,
}

impl Output {
    /// `: R`, or nothing when `R` has an `impl Trait` that a `let` cannot name.
    fn annotation(&self) -> Option<TokenStream> {
        let ty = &self.ty;
        (!self.has_impl_trait).then(|| quote!(: #ty))
    }
}

/// Replaces `-> R` with `-> Result<R, Error>` (`()` for no return type).
fn rewrite_output(sig: &mut Signature, krate: &TokenStream) -> Output {
    let (arrow, output) = match &sig.output {
        ReturnType::Default => {
            let span = sig.paren_token.span.close();
            (
                Token![->](span),
                Output {
                    ty: quote_spanned!(span=> ()),
                    has_impl_trait: false,
                },
            )
        }
        ReturnType::Type(arrow, ty) => {
            let has_impl_trait = contains_impl_trait(ty);
            (
                *arrow,
                Output {
                    ty: ty.to_token_stream(),
                    has_impl_trait,
                },
            )
        }
    };
    let ty = &output.ty;
    let wrapped = quote!(::core::result::Result<#ty, #krate::__private::Error>);
    sig.output = ReturnType::Type(arrow, Box::new(Type::Verbatim(wrapped)));
    output
}

/// `async move { body }.await`.
fn run_body(block: &Block) -> TokenStream {
    let span = block.brace_token.span.join();
    quote_spanned!(span=> async move #block.await)
}

/// Outer attributes stay on the function; inner ones (`#![allow(..)]` at the top of the
/// body) move to the top of the new body, which covers the old one.
fn split_attributes(attrs: Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, AttrStyle::Outer))
}

/// True for `HeaderMap`, `Request<..>`, `request::Parts`, actix-web's `HttpRequest`, or a
/// reference to one: types that carry the request headers, matched by the last path
/// segment.
fn is_header_source(ty: &Type) -> bool {
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

/// The last segment of a plain path type, seen through references and parentheses.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    }
}

/// `ty` without references, parentheses and invisible groups (types from `macro_rules!`).
fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Reference(reference) => peel(&reference.elem),
        Type::Group(group) => peel(&group.elem),
        Type::Paren(paren) => peel(&paren.elem),
        _ => ty,
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

/// True when `ty` mentions `impl Trait` anywhere.
fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl VisitMut for Finder {
        fn visit_type_impl_trait_mut(&mut self, _: &mut TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type_mut(&mut ty.clone());
    finder.0
}

/// `tokens` with every span set to `span`, for a path that must be reported where the
/// user's type is. Paths resolve the same with the user's span as with the call site.
fn respan(tokens: &TokenStream, span: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut inner = Group::new(group.delimiter(), respan(&group.stream(), span));
                inner.set_span(span);
                token = TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// The error for an item that is not a function with a body.
fn not_a_function(item: TokenStream, parse_error: syn::Error) -> syn::Error {
    let classify = |input: ParseStream<'_>| -> syn::Result<syn::Error> {
        input.call(Attribute::parse_outer)?;
        input.parse::<Visibility>()?;
        let ahead = input.fork();
        let error = match ahead.parse::<Signature>() {
            Ok(_) if ahead.peek(Token![;]) => syn::Error::new(
                ahead.span(),
                "#[authenticate] needs the function body: put it on the method in the \
                 `impl` block, not on the declaration in the trait",
            ),
            // A function whose body syn cannot read: its own error says where.
            Ok(_) => parse_error,
            Err(_) => syn::Error::new(
                input.span(),
                "#[authenticate] can only be applied to async functions, methods and impl blocks",
            ),
        };
        input.parse::<TokenStream>()?;
        Ok(error)
    };
    classify.parse2(item).unwrap_or_else(|err| err)
}

/// Errors gathered while expanding, emitted after the item as `compile_error!`s.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// `tokens` followed by the errors, as tokio's `token_stream_with_error`.
    fn after(self, mut tokens: TokenStream) -> TokenStream {
        if let Some(errors) = self.0 {
            tokens.extend(errors.into_compile_error());
        }
        tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        syn::parse_str(src).unwrap()
    }

    fn expand_str(args: &str, item: &str) -> String {
        authenticate(args.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    /// The expansion, parsed back as a function.
    fn expand_fn(args: &str, item: &str) -> ItemFn {
        let tokens = authenticate(args.parse().unwrap(), item.parse().unwrap());
        assert!(!tokens.to_string().contains("compile_error"), "{tokens}");
        syn::parse2(tokens).unwrap()
    }

    fn inputs(func: &ItemFn) -> Vec<String> {
        func.sig
            .inputs
            .iter()
            .map(|arg| arg.to_token_stream().to_string())
            .collect()
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

    #[test]
    fn type_names_read_like_source() {
        assert_eq!(type_name(&ty("Orders")), "Orders");
        assert_eq!(
            type_name(&ty("crate :: api :: Repo < 'a , T , >")),
            "crate::api::Repo<'a, T>"
        );
        assert_eq!(type_name(&ty("(A, B)")), "(A, B)");
        assert_eq!(type_name(&ty("dyn Trait")), "dyn Trait");
    }

    #[test]
    fn futures_in_return_types() {
        let output = |src: &str| -> ReturnType { syn::parse_str(src).unwrap() };
        assert!(returns_future(&output("-> impl Future<Output = u8>")));
        assert!(returns_future(&output("-> BoxFuture<'static, u8>")));
        assert!(returns_future(&output(
            "-> Pin<Box<dyn std::future::Future<Output = ()>>>"
        )));
        assert!(!returns_future(&output("-> Self")));
        assert!(!returns_future(&output("")));
    }

    #[test]
    fn impl_trait_anywhere_in_the_return_type() {
        assert!(contains_impl_trait(&ty("impl IntoResponse")));
        assert!(contains_impl_trait(&ty("Result<impl IntoResponse, E>")));
        assert!(!contains_impl_trait(&ty("Box<dyn Fn() -> u8>")));
    }

    #[test]
    fn adds_hidden_headers_and_removes_the_principal() {
        let func = expand_fn(
            r#""jwt""#,
            "pub async fn secure(Path(id): Path<u32>, who: Principal) -> Json<Value> { todo!() }",
        );
        assert_eq!(
            inputs(&func),
            [
                "__jwt_guard_headers : :: jwt_guard :: __private :: Headers",
                "Path (id) : Path < u32 >"
            ]
        );
        assert_eq!(
            func.sig.output.to_token_stream().to_string(),
            "-> :: core :: result :: Result < Json < Value > , :: jwt_guard :: __private :: Error >"
        );
        assert!(func.sig.asyncness.is_some());
        let body = func.block.to_token_stream().to_string();
        assert!(
            body.contains(
                "let __jwt_guard_principal = :: jwt_guard :: __private :: guard (& __JWT_GUARD_SITE , & * :: jwt_guard :: __private :: HeaderSource :: header_map (& __jwt_guard_headers)) . await ?"
            ),
            "{body}"
        );
        assert!(
            body.contains("static __JWT_GUARD_SITE : :: jwt_guard :: __private :: GuardedHandler = :: jwt_guard :: __private :: GuardedHandler :: __new (:: core :: concat ! (:: core :: module_path ! () , \"::\" , \"secure\") , :: core :: file ! () , :: core :: line ! () , & [\"jwt\"] , :: core :: option :: Option :: None , :: core :: option :: Option :: None , false , false ,) ;"),
            "{body}"
        );
        assert!(
            body.contains(
                "inventory :: submit ! { :: jwt_guard :: __private :: Site (& __JWT_GUARD_SITE) }"
            ),
            "{body}"
        );
        assert!(body.contains("let who : Principal = < Principal as :: jwt_guard :: __private :: FromPrincipal > :: from_principal (__jwt_guard_principal) ?"), "{body}");
        assert!(
            body.contains("let __jwt_guard_ret : Json < Value > = async move"),
            "{body}"
        );
    }

    #[test]
    fn reads_a_header_parameter_in_place() {
        let func = expand_fn(r#""jwt""#, "async fn f(headers: &HeaderMap) {}");
        assert_eq!(inputs(&func), ["headers : & HeaderMap"]);
        let body = func.block.to_token_stream().to_string();
        assert!(body.contains("header_map (& headers)"), "{body}");
        assert!(body.contains("let _ ="), "{body}");
        assert!(body.contains("let __jwt_guard_ret : () ="), "{body}");
    }

    #[test]
    fn renames_a_destructured_header_parameter() {
        let func = expand_fn(r#""jwt""#, "async fn f(Wrapper(_): Request) {}");
        assert_eq!(inputs(&func), ["__jwt_guard_source : Request"]);
        let body = func.block.to_token_stream().to_string();
        assert!(
            body.contains("let Wrapper (_) = __jwt_guard_source ;"),
            "{body}"
        );
    }

    #[test]
    fn hidden_parameter_goes_after_no_receiver_and_keeps_generics() {
        let func = expand_fn(
            r#""jwt", crate = "rt""#,
            "pub(crate) async fn f<T: Send>(x: T) -> impl Sized where T: Sync { x }",
        );
        assert_eq!(
            inputs(&func),
            ["__jwt_guard_headers : rt :: __private :: Headers", "x : T"]
        );
        assert_eq!(
            func.sig.generics.to_token_stream().to_string(),
            "< T : Send >"
        );
        assert!(func.sig.generics.where_clause.is_some());
        let body = func.block.to_token_stream().to_string();
        assert!(body.contains("let __jwt_guard_ret = async move"), "{body}");
    }

    #[test]
    fn method_reads_its_header_parameter() {
        let func = expand_fn(
            r#""jwt""#,
            "async fn m(&self, h: &http::HeaderMap) -> u8 { 1 }",
        );
        assert_eq!(inputs(&func), ["& self", "h : & http :: HeaderMap"]);
    }

    #[test]
    fn inner_attributes_move_into_the_new_body() {
        let func = expand_fn(
            r#""jwt""#,
            "/// doc\n#[inline] async fn f() { #![allow(unused)] }",
        );
        assert_eq!(func.attrs.len(), 3);
        assert_eq!(
            func.attrs
                .iter()
                .filter(|a| matches!(a.style, AttrStyle::Inner(_)))
                .count(),
            1
        );
    }

    #[test]
    fn strategies_and_requirements_go_to_the_site() {
        let func = expand_fn(
            r#""jwt", "api-key", scopes = ["a", "b"], roles = any("x", all("y"))"#,
            "async fn f() {}",
        );
        let body = func.block.to_token_stream().to_string();
        assert!(body.contains(r#"& ["jwt" , "api-key"]"#), "{body}");
        assert!(
            body.contains(r#":: core :: option :: Option :: Some (:: jwt_guard :: __private :: Requirement :: All (& [:: jwt_guard :: __private :: Requirement :: One ("a") , :: jwt_guard :: __private :: Requirement :: One ("b")])) , :: core :: option :: Option :: Some (:: jwt_guard :: __private :: Requirement :: Any (& [:: jwt_guard :: __private :: Requirement :: One ("x") , :: jwt_guard :: __private :: Requirement :: All (& [:: jwt_guard :: __private :: Requirement :: One ("y")])])) , false , false"#),
            "{body}"
        );
    }

    #[test]
    fn claims_and_optional_bindings() {
        let func = expand_fn(r#""jwt""#, "async fn f(c: Claims<Mine>, p: Principal) {}");
        let body = func.block.to_token_stream().to_string();
        assert!(body.contains("let c : Claims < Mine > = :: jwt_guard :: __private :: claims :: < Mine > (:: core :: clone :: Clone :: clone (& __jwt_guard_principal)) ?"), "{body}");

        let func = expand_fn(
            r#""jwt", optional"#,
            "async fn f(c: Option<Claims<Mine>>) {}",
        );
        let body = func.block.to_token_stream().to_string();
        assert!(
            body.contains(":: jwt_guard :: __private :: guard_optional (& __JWT_GUARD_SITE"),
            "{body}"
        );
        assert!(body.contains("let c : Option < Claims < Mine > > = match __jwt_guard_principal { :: core :: option :: Option :: Some (__jwt_guard_some) => :: core :: option :: Option :: Some (:: jwt_guard :: __private :: claims :: < Mine > (__jwt_guard_some) ?) , :: core :: option :: Option :: None => :: core :: option :: Option :: None , }"), "{body}");
        assert!(body.contains(", true , false ,) ;"), "{body}");
    }

    #[test]
    fn optional_needs_option_parameters() {
        let out = expand_str(r#""jwt", optional"#, "async fn f(p: Principal) {}");
        assert!(out.contains("with `optional`, a request without credentials runs with no principal: take `Option<Principal>`"), "{out}");
        let out = expand_str(r#""jwt""#, "async fn f(p: Option<Claims<Mine>>) {}");
        assert!(
            out.contains("`Option<Claims<Mine>>` is for `#[authenticate(.., optional)]`"),
            "{out}"
        );
    }

    #[test]
    fn impl_block_protects_async_methods() {
        let out = authenticate(
            r#""jwt""#.parse().unwrap(),
            r#"impl Orders {
                async fn list() -> u8 { 1 }
                #[authenticate(skip)]
                async fn health() -> u8 { 2 }
                #[jwt_guard::authenticate("jwt", roles = "admin")]
                async fn purge() {}
                fn new() -> Self { Orders }
            }"#
            .parse()
            .unwrap(),
        );
        let block: ItemImpl = syn::parse2(out.clone()).unwrap();
        let text = out.to_string();
        assert!(!text.contains("compile_error"), "{text}");
        assert_eq!(block.items.len(), 4);
        // `list` is guarded and named after its type.
        assert!(text.contains(r#""Orders::list""#), "{text}");
        assert!(
            text.contains("async fn list (__jwt_guard_headers"),
            "{text}"
        );
        // `health` keeps its signature, loses the attribute, registers as skipped.
        assert!(
            text.contains("async fn health () -> u8 { static __JWT_GUARD_SITE"),
            "{text}"
        );
        assert!(text.contains(r#""Orders::health""#), "{text}");
        assert!(text.contains(", & [] , :: core :: option :: Option :: None , :: core :: option :: Option :: None , false , true ,"), "{text}");
        assert!(!text.contains("skip"), "{text}");
        // `purge` has its own arguments, `new` is left alone.
        assert!(text.contains(r#""Orders::purge""#), "{text}");
        assert!(
            text.contains(r#"Some (:: jwt_guard :: __private :: Requirement :: One ("admin"))"#),
            "{text}"
        );
        assert!(!text.contains("# [jwt_guard :: authenticate"), "{text}");
        assert!(text.contains("fn new () -> Self { Orders }"), "{text}");
    }

    #[test]
    fn impl_block_errors() {
        let out = expand_str(
            r#""jwt""#,
            "impl A { fn f(&self) -> impl Future<Output = ()> { async {} } }",
        );
        assert!(
            out.contains("`f` returns a future but is not `async`"),
            "{out}"
        );
        let out = expand_str(r#""jwt""#, "impl A { async fn f(&self) {} }");
        assert!(
            out.contains("or, if it is not a handler, mark it `#[authenticate(skip)]`"),
            "{out}"
        );
        let out = expand_str("skip", "impl A {}");
        assert!(
            out.contains("`skip` goes on a method inside an impl block"),
            "{out}"
        );
        let out = expand_str("skip", "async fn f() {}");
        assert!(
            out.contains("here there is none, so it would do nothing"),
            "{out}"
        );
        assert!(out.starts_with("async fn f () { }"), "{out}");
    }

    #[test]
    fn errors_keep_the_item() {
        let out = expand_str(r#""jwt""#, "fn f() {}");
        assert!(out.contains("the `async` keyword is missing"), "{out}");
        assert!(out.contains("async fn f"), "{out}");

        let out = expand_str(r#""jwt""#, "struct S;");
        assert!(out.starts_with("struct S ;"), "{out}");
        assert!(
            out.contains("can only be applied to async functions, methods and impl blocks"),
            "{out}"
        );

        let out = expand_str(r#""jwt""#, "async fn m(&self);");
        assert!(out.contains("needs the function body"), "{out}");

        let out = expand_str(r#""jwt""#, "async fn m(&self) {}");
        assert!(out.starts_with("async fn m (& self) { }"), "{out}");
        assert!(
            out.contains("add a parameter of type `&HeaderMap`"),
            "{out}"
        );

        let out = expand_str(r#""jwt""#, "async fn f(a: Principal, b: Principal) {}");
        assert!(
            out.contains("only one parameter can receive the authenticated `Principal`"),
            "{out}"
        );
        assert!(
            out.contains("Clone :: clone (& __jwt_guard_principal)"),
            "{out}"
        );
    }

    #[test]
    fn bad_arguments_still_expand_the_function() {
        let out = expand_str("", "async fn f(who: Principal) {}");
        assert!(out.contains("expected a strategy name"), "{out}");
        assert!(out.contains("__jwt_guard_headers"), "{out}");
        assert!(out.contains(r#"& [""]"#), "{out}");
        let out = expand_str(r#""jwt", nope = 1"#, "async fn f() {}");
        assert!(out.contains("unknown option `nope`"), "{out}");
    }
}
