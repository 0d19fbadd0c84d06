//! One guarded function: the hidden guard extractor first (or the guard run on the
//! function's own headers), the injected bindings, the body in an `async move` block, and
//! the return type wrapped in `Result<_, Error>`.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{AttrStyle, Attribute, Ident, ReturnType, Signature, Token, Type};

use super::params::Params;
use super::site;
use crate::plan::{Function, GuardedFn};
use crate::ty::erase_impl_trait;

/// The principal returned by the guard.
const PRINCIPAL: &str = "__jwt_guard_principal";
/// The value of the original body.
const RET: &str = "__jwt_guard_ret";

/// Expands one checked function.
pub(crate) fn expand(plan: GuardedFn) -> TokenStream {
    let GuardedFn {
        func,
        config,
        target,
        optional,
        roles,
    } = plan;
    let Function {
        attrs,
        vis,
        mut sig,
        body,
    } = func;
    let config = &config;
    let target = &target;
    let krate = &config.krate;
    let params = Params::take(&mut sig, krate, &roles, target);
    let annotation = rewrite_output(&mut sig, krate);

    let site = site::ident();
    let register = site::register(krate, target, &sig.ident, Some((config, params.form())));
    // Only beside a visible `#[utoipa::path]`: its items need the module level, which a
    // function without one might not be at (an associated fn under its own attribute).
    let (openapi_items, openapi_site) = if !target.in_impl && site::has_utoipa_path(&attrs) {
        site::openapi(krate, &sig.ident)
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let guard = params.guard_expr(&site, krate, optional);
    let principal = Ident::new(PRINCIPAL, Span::mixed_site());
    let authenticate = if params.injected.is_empty() {
        quote!(let _ = #guard;)
    } else {
        quote!(let #principal = #guard;)
    };
    let rebind = params.rebind_source();
    let bindings = params.bind_injected(&principal, krate, optional);

    let ret = Ident::new(RET, Span::mixed_site());
    let (mut outer, inner) = split_attributes(attrs);
    skip_in_instrument(&mut outer, &params.secret);
    let brace = body.span();
    let run = quote_spanned!(brace=> async move #body.await);

    let statements = quote! {
        #(#inner)*
        #register
        #openapi_site
        #authenticate
        #rebind
        #(#bindings)*
        let #ret: #annotation = #run;
        ::core::result::Result::Ok(#ret)
    };
    // The new body takes the braces of the old one: rustc reports some lints (dead
    // code) only on items whose whole span comes from the user's tokens.
    let mut new_body = Group::new(Delimiter::Brace, statements);
    new_body.set_span(brace);
    quote! {
        #(#outer)*
        #vis #sig #new_body
        #openapi_items
    }
}

/// Replaces `-> R` with `-> Result<R, Error>` (`()` for no return type), and returns the
/// annotation for the body's value: `R` with any `impl Trait` erased to `_`, so that
/// `return` and `?` in the body keep their types.
fn rewrite_output(sig: &mut Signature, krate: &TokenStream) -> Type {
    let (arrow, ty) = match &sig.output {
        ReturnType::Default => {
            let span = sig.paren_token.span.close();
            (Token![->](span), Type::Verbatim(quote_spanned!(span=> ())))
        }
        ReturnType::Type(arrow, ty) => (*arrow, (**ty).clone()),
    };
    let annotation = erase_impl_trait(&ty);
    let wrapped = quote!(::core::result::Result<#ty, #krate::__private::Error>);
    sig.output = ReturnType::Type(arrow, Box::new(Type::Verbatim(wrapped)));
    annotation
}

/// `#[instrument]` (or `#[tracing::instrument]`) below `#[authenticate]` records every
/// parameter in its span; the header source and the hidden guard carry the bearer token
/// (or the principal), so they are added to its `skip(..)` (nothing to do with
/// `skip_all`). An `#[instrument]` *above* `#[authenticate]` has expanded already: the
/// attribute cannot see it, and the docs say which `skip(..)` to write there.
fn skip_in_instrument(attrs: &mut [Attribute], secret: &[Ident]) {
    use proc_macro2::TokenTree;
    use syn::Meta;
    if secret.is_empty() {
        return;
    }
    for attr in attrs.iter_mut() {
        let is_instrument = attr
            .path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "instrument");
        if !is_instrument {
            continue;
        }
        let span = attr
            .path()
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let args = match &attr.meta {
            Meta::Path(_) => TokenStream::new(),
            Meta::List(list) => list.tokens.clone(),
            Meta::NameValue(_) => continue,
        };
        let tokens: Vec<TokenTree> = args.into_iter().collect();
        let is_ident = |token: &TokenTree, name: &str| matches!(token, TokenTree::Ident(ident) if ident == name);
        // Top-level arguments only: `skip_all`, or `skip(..)` followed by its group.
        let mut depth_zero_starts = vec![0];
        for (i, token) in tokens.iter().enumerate() {
            if matches!(token, TokenTree::Punct(p) if p.as_char() == ',') {
                depth_zero_starts.push(i + 1);
            }
        }
        if depth_zero_starts
            .iter()
            .any(|&i| tokens.get(i).is_some_and(|t| is_ident(t, "skip_all")))
        {
            continue;
        }
        let names: Vec<TokenStream> = secret
            .iter()
            .map(|ident| {
                let mut ident = ident.clone();
                ident.set_span(span);
                quote!(#ident)
            })
            .collect();
        let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len() + 4);
        let mut merged = false;
        let mut i = 0;
        while i < tokens.len() {
            let at_start = depth_zero_starts.contains(&i);
            if !merged
                && at_start
                && is_ident(&tokens[i], "skip")
                && let Some(TokenTree::Group(group)) = tokens.get(i + 1)
            {
                let inner = group.stream();
                let sep = if inner.is_empty() {
                    quote!()
                } else {
                    quote!(,)
                };
                let mut new = Group::new(group.delimiter(), quote!(#inner #sep #(#names),*));
                new.set_span(group.span());
                out.push(tokens[i].clone());
                out.push(TokenTree::Group(new));
                merged = true;
                i += 2;
                continue;
            }
            out.push(tokens[i].clone());
            i += 1;
        }
        let mut args: TokenStream = out.into_iter().collect();
        if !merged {
            let sep = if args.is_empty() { quote!() } else { quote!(,) };
            args = quote!(#args #sep skip(#(#names),*));
        }
        let path = attr.path().clone();
        attr.meta = syn::parse_quote_spanned!(span=> #path(#args));
    }
}

/// Outer attributes stay on the function; inner ones (`#![allow(..)]` at the top of the
/// body) move to the top of the new body, which covers the old one.
fn split_attributes(attrs: Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, AttrStyle::Outer))
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;
    use syn::ItemFn;

    use super::super::authenticate;

    /// The expansion, parsed back: the function (the items after it link it to an
    /// OpenAPI description).
    fn expand_fn(args: &str, item: &str) -> ItemFn {
        let tokens = authenticate(args.parse().unwrap(), item.parse().unwrap());
        assert!(!tokens.to_string().contains("compile_error"), "{tokens}");
        let file: syn::File = syn::parse2(tokens).unwrap();
        file.items
            .into_iter()
            .find_map(|item| match item {
                syn::Item::Fn(func) => Some(func),
                _ => None,
            })
            .expect("a function")
    }

    fn expand_str(args: &str, item: &str) -> String {
        authenticate(args.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    fn inputs(func: &ItemFn) -> Vec<String> {
        func.sig
            .inputs
            .iter()
            .map(|arg| arg.to_token_stream().to_string())
            .collect()
    }

    // The full expansions are the snapshots of `tests/expand.rs`; these check the
    // properties a snapshot review could miss.

    #[test]
    fn the_guard_comes_first_and_injected_parameters_go() {
        let func = expand_fn(
            r#""jwt""#,
            "pub async fn secure(Path(id): Path<u32>, who: Principal) -> Json<Value> { todo!() }",
        );
        let inputs = inputs(&func);
        assert_eq!(inputs.len(), 2);
        assert!(
            inputs[0].starts_with("__jwt_guard : :: jwt_guard :: __private :: Guard <"),
            "{inputs:?}"
        );
        assert_eq!(inputs[1], "Path (id) : Path < u32 >");
        assert_eq!(
            func.sig.output.to_token_stream().to_string(),
            "-> :: core :: result :: Result < Json < Value > , :: jwt_guard :: __private :: Error >"
        );
    }

    #[test]
    fn own_headers_get_no_hidden_parameter() {
        for (item, expected) in [
            (
                "async fn f(headers: &HeaderMap) {}",
                vec!["headers : & HeaderMap"],
            ),
            (
                "async fn m(&self, h: &http::HeaderMap) -> u8 { 1 }",
                vec!["& self", "h : & http :: HeaderMap"],
            ),
            (
                "async fn f(Wrapper(_): Request) {}",
                vec!["__jwt_guard_source : Request"],
            ),
        ] {
            assert_eq!(inputs(&expand_fn(r#""jwt""#, item)), expected, "{item}");
        }
    }

    #[test]
    fn generics_and_inner_attributes_are_kept() {
        let func = expand_fn(
            r#""jwt", crate = "rt""#,
            "pub(crate) async fn f<T: Send>(x: T) -> impl Sized where T: Sync { #![allow(unused)] x }",
        );
        assert_eq!(
            func.sig.generics.to_token_stream().to_string(),
            "< T : Send >"
        );
        assert!(func.sig.generics.where_clause.is_some());
        assert!(inputs(&func)[0].starts_with("__jwt_guard : rt :: __private :: Guard"));
        assert!(
            func.attrs
                .iter()
                .any(|a| matches!(a.style, syn::AttrStyle::Inner(_)))
        );
        let body = func.block.to_token_stream().to_string();
        assert!(
            body.contains("let __jwt_guard_ret : _ = async move"),
            "{body}"
        );
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
    fn mistakes_that_keep_the_function_expanded() {
        let out = expand_str(r#""jwt""#, "fn f() {}");
        assert!(out.contains("the `async` keyword is missing"), "{out}");
        assert!(out.contains("async fn f"), "{out}");

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
}
