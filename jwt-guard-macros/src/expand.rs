//! The `#[authenticate]` transform: the parsed function in, the guarded function out.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    AttrStyle, Attribute, Block, FnArg, Ident, ItemFn, Pat, PatIdent, PatType, ReturnType,
    Signature, Token, Type, TypeImplTrait, Visibility,
};

use crate::args::Args;

/// The hidden parameter that takes the request headers when the function has none.
const HEADERS: &str = "__jwt_guard_headers";
/// The hidden name of a header-source parameter whose pattern is not a plain identifier.
const SOURCE: &str = "__jwt_guard_source";
/// The principal returned by the strategy.
const PRINCIPAL: &str = "__jwt_guard_principal";
/// The value of the original body.
const RET: &str = "__jwt_guard_ret";

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
    let func = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(err) => {
            errors.push(not_a_function(item.clone(), err));
            return errors.after(item);
        }
    };
    match expand(func, &args, &mut errors) {
        Ok(expanded) => errors.after(expanded),
        Err(err) => {
            errors.push(err);
            errors.after(item)
        }
    }
}

// Input:
//
//     #[authenticate("jwt")]
//     pub async fn secure(Path(id): Path<u32>, who: Principal) -> Json<Value> {
//         body
//     }
//
// Output:
//
//     pub async fn secure(
//         __jwt_guard_headers: ::jwt_guard::__private::Headers,
//         Path(id): Path<u32>,
//     ) -> ::core::result::Result<Json<Value>, ::jwt_guard::__private::Error> {
//         let __jwt_guard_principal = ::jwt_guard::__private::guard(
//             "jwt",
//             ::jwt_guard::__private::HeaderSource::header_map(&__jwt_guard_headers),
//         )
//         .await?;
//         let who: Principal =
//             <Principal as ::jwt_guard::__private::FromPrincipal>::from_principal(
//                 __jwt_guard_principal,
//             )?;
//         let __jwt_guard_ret: Json<Value> = async move { body }.await;
//         ::core::result::Result::Ok(__jwt_guard_ret)
//     }
//
// Without a principal parameter the result is bound to `_`. When a parameter already
// carries the headers (`HeaderMap`, `Request<B>`, `Parts`, or a reference to one) no
// hidden parameter is added and the guard reads that one; if its pattern is not a plain
// name, the parameter becomes `__jwt_guard_source` and the guard is followed by
// `let <pattern> = __jwt_guard_source;`.
//
// The strategy reads a `&HeaderMap`, not the parameter itself, so the future stays `Send`
// for bodies that are not `Sync` (axum's `Request`). The `async move` block keeps
// `return` and `?` in the body meaning what they meant; the annotation on
// `__jwt_guard_ret` gives them their type, and is left out when the return type has an
// `impl Trait`, which cannot be written in a `let`.
fn expand(func: ItemFn, args: &Args, errors: &mut Errors) -> syn::Result<TokenStream> {
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
    let params = Params::take(&mut sig, &krate, errors)?;
    let output = rewrite_output(&mut sig, &krate);

    let strategy = &args.strategy;
    let source = params.source_expr(&krate);
    let guard = quote!(#krate::__private::guard(#strategy, #source).await?);
    let principal = Ident::new(PRINCIPAL, Span::mixed_site());
    let authenticate = if params.injected.is_empty() {
        quote!(let _ = #guard;)
    } else {
        quote!(let #principal = #guard;)
    };
    let rebind = params.rebind_source();
    let bindings = params.bind_injected(&principal, &krate);

    let ret = Ident::new(RET, Span::mixed_site());
    let annotation = output.annotation();
    let (outer, inner) = split_attributes(attrs);
    let body = run_body(&block);

    let statements = quote! {
        #(#inner)*
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
    attrs: Vec<Attribute>,
    pat: Pat,
    ty: Type,
}

/// What an injected parameter receives. Every kind is built through `FromPrincipal`, so a
/// new kind (`Claims<T>`) is a new variant here plus an impl in the runtime.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum InjectedKind {
    Principal,
}

impl InjectedKind {
    /// The kind of parameter of type `ty`, if it is one the guard fills.
    fn of(ty: &Type) -> Option<Self> {
        let segment = last_segment(ty)?;
        match segment.ident.to_string().as_str() {
            "Principal" if segment.arguments.is_none() => Some(Self::Principal),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Principal => "Principal",
        }
    }
}

impl Params {
    /// Removes the injected parameters from `sig` and adds the hidden headers parameter
    /// when no parameter carries the headers.
    fn take(sig: &mut Signature, krate: &TokenStream, errors: &mut Errors) -> syn::Result<Self> {
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
            if let Some(kind) = InjectedKind::of(&typed.ty) {
                if injected.iter().any(|seen| seen.kind == kind) {
                    errors.push(syn::Error::new_spanned(
                        &typed,
                        format!(
                            "only one parameter can receive the authenticated `{}`; \
                             clone the first one in the body instead",
                            kind.name()
                        ),
                    ));
                }
                let PatType { attrs, pat, ty, .. } = typed;
                injected.push(Injected {
                    kind,
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
                return Err(syn::Error::new_spanned(
                    receiver,
                    "#[authenticate] on a method needs the request headers: add a parameter \
                     of type `&HeaderMap` (or `&http::Request<B>`), e.g. \
                     `headers: &http::HeaderMap`",
                ));
            }
            let hidden = Ident::new(HEADERS, Span::mixed_site());
            let ty = Type::Verbatim(quote!(#krate::__private::Headers));
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

    /// The `&HeaderMap` handed to the strategy.
    fn source_expr(&self, krate: &TokenStream) -> TokenStream {
        match &self.source {
            // Spanned on the parameter's type: a type named like a header source that is
            // not one (a `Request` of another crate) is reported there.
            Some(Source { ident, ty, .. }) => {
                let span = ty.span();
                let krate = respan(krate, span);
                // Shown at the type, resolved as the parameter's own name.
                let mut ident = ident.clone();
                ident.set_span(span.resolved_at(ident.span()));
                quote_spanned! {span=>
                    #krate::__private::HeaderSource::header_map(&#ident)
                }
            }
            None => {
                let hidden = Ident::new(HEADERS, Span::mixed_site());
                quote!(#krate::__private::HeaderSource::header_map(&#hidden))
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

    /// `let <pat>: <ty> = <ty as FromPrincipal>::from_principal(principal)?;` for each
    /// injected parameter, spanned on its type so a type that cannot be built is
    /// reported there.
    fn bind_injected(&self, principal: &Ident, krate: &TokenStream) -> Vec<TokenStream> {
        let several = self.injected.len() > 1;
        self.injected
            .iter()
            .map(|Injected { attrs, pat, ty, .. }| {
                let value = if several {
                    quote!(::core::clone::Clone::clone(&#principal))
                } else {
                    quote!(#principal)
                };
                let krate = respan(krate, ty.span());
                let build = quote_spanned! {ty.span()=>
                    <#ty as #krate::__private::FromPrincipal>::from_principal
                };
                quote!(#(#attrs)* let #pat: #ty = #build(#value)?;)
            })
            .collect()
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

/// True for `HeaderMap`, `Request<..>`, `request::Parts`, or a reference to one: types
/// that carry the request headers, matched by the last path segment.
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
        "HeaderMap" | "Request" => true,
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
                "#[authenticate] can only be applied to async functions and methods",
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

    #[test]
    fn injected_by_last_segment_without_generics() {
        assert_eq!(
            InjectedKind::of(&ty("Principal")),
            Some(InjectedKind::Principal)
        );
        assert_eq!(
            InjectedKind::of(&ty("jwt_guard::Principal")),
            Some(InjectedKind::Principal)
        );
        assert_eq!(InjectedKind::of(&ty("&Principal")), None);
        assert_eq!(InjectedKind::of(&ty("Principal<T>")), None);
        assert_eq!(InjectedKind::of(&ty("Option<Principal>")), None);
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
                "let __jwt_guard_principal = :: jwt_guard :: __private :: guard (\"jwt\""
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
    fn errors_keep_the_item() {
        let out = expand_str(r#""jwt""#, "fn f() {}");
        assert!(out.contains("the `async` keyword is missing"), "{out}");
        assert!(out.contains("async fn f"), "{out}");

        let out = expand_str(r#""jwt""#, "struct S;");
        assert!(out.starts_with("struct S ;"), "{out}");
        assert!(
            out.contains("can only be applied to async functions and methods"),
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
        let out = expand_str(r#""jwt", nope = 1"#, "async fn f() {}");
        assert!(out.contains("unknown option `nope`"), "{out}");
    }
}
