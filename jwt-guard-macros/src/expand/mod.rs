//! The `#[authenticate]` transform. The item is parsed once and dispatched: a function
//! to [`function`], an impl block to [`impl_block`]; the parameters are sorted by
//! [`params`], the audit's static is built by [`site`].
//!
//! What the expansion looks like is described by the snapshots in
//! `jwt-guard-macros/tests/expand/`, one per case.

mod function;
mod impl_block;
mod params;
mod site;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Attribute, Item, ItemFn, ItemImpl, Signature, Token, Visibility};

use crate::check;
use crate::config::{FinalConfig, Mode};

/// Entry point: expands `#[authenticate(args)] item`.
///
/// Never fails and never panics: a mistake becomes a `compile_error!` next to the item.
/// When the function can still be expanded (bad arguments, a missing `async`, a body that
/// does not parse yet) it is, so that its callers and its route do not report errors of
/// their own, and the hidden extractor does not vanish while the body is being typed.
pub(crate) fn authenticate(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let config = FinalConfig::from_tokens(args).unwrap_or_else(|err| {
        errors.push(err);
        FinalConfig::fallback()
    });
    let input = Input::parse(item.clone());
    // Checked before anything is rewritten: an item the attribute must leave alone is
    // emitted as it is, with the one error that says what to use instead.
    let tonic = match &input {
        Input::Fn(func) | Input::Speculative(func) => check::is_tonic_method(&func.sig),
        Input::Impl(block) => check::is_tonic_impl(block),
        Input::Other(_) => false,
    };
    if tonic {
        errors = Errors::default();
        errors.push(check::tonic_service_error());
        return errors.after(item);
    }
    match input {
        Input::Fn(func) => {
            if let Mode::Skip(skip) = config.mode {
                errors.push(syn::Error::new(
                    skip,
                    "`#[authenticate(skip)]` exempts a method of an impl block that has \
                     `#[authenticate(..)]`; here there is none, so it would do nothing: \
                     remove it",
                ));
                return errors.after(item);
            }
            let target = Target::function(&func.sig);
            match function::expand(func, &config, &target, &mut errors) {
                Ok(expanded) => errors.after(expanded),
                Err(err) => {
                    errors.push(err);
                    errors.after(item)
                }
            }
        }
        // The body does not parse: the signature is rewritten as usual and the body kept
        // as it is, so rustc reports where it stops parsing, inside the guarded function.
        Input::Speculative(func) => {
            if matches!(config.mode, Mode::Skip(_)) {
                return errors.after(item);
            }
            let target = Target::function(&func.sig);
            match function::expand(func, &config, &target, &mut errors) {
                Ok(expanded) => errors.after(expanded),
                Err(err) => {
                    errors.push(err);
                    errors.after(item)
                }
            }
        }
        Input::Impl(block) => {
            if let Mode::Skip(skip) = config.mode {
                errors.push(syn::Error::new(
                    skip,
                    "`skip` goes on a method inside an impl block, not on the block itself",
                ));
                return errors.after(item);
            }
            let expanded = impl_block::expand(*block, &config, &mut errors);
            errors.after(expanded)
        }
        Input::Other(err) => {
            errors.push(err);
            errors.after(item)
        }
    }
}

/// The item under the attribute, parsed once.
enum Input {
    Fn(Function),
    /// A function whose body does not parse (yet): signature parsed, body kept verbatim.
    Speculative(Function),
    Impl(Box<ItemImpl>),
    /// Anything else: the error says what the attribute can be applied to.
    Other(syn::Error),
}

impl Input {
    fn parse(item: TokenStream) -> Self {
        match syn::parse2::<Item>(item.clone()) {
            Ok(Item::Fn(func)) => Self::Fn(Function::from(func)),
            Ok(Item::Impl(block)) => Self::Impl(Box::new(block)),
            Ok(_) => Self::Other(not_a_function(item, None)),
            Err(err) => match syn::parse2::<Function>(item.clone()) {
                Ok(func) => Self::Speculative(func),
                Err(_) => Self::Other(not_a_function(item, Some(err))),
            },
        }
    }
}

/// A function to expand: a parsed `fn` item, a method, or a function whose body is kept
/// as raw tokens (tracing-attributes' `MaybeItemFn`).
pub(crate) struct Function {
    /// Outer and inner attributes.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    /// The body, braces included.
    pub(crate) body: Group,
}

impl From<ItemFn> for Function {
    fn from(func: ItemFn) -> Self {
        let stmts = &func.block.stmts;
        let mut body = Group::new(Delimiter::Brace, quote::quote!(#(#stmts)*));
        body.set_span(func.block.brace_token.span.join());
        Self {
            attrs: func.attrs,
            vis: func.vis,
            sig: func.sig,
            body,
        }
    }
}

/// The speculative parse: attributes, visibility, signature, and any `{ .. }`.
impl Parse for Function {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected the function body"));
        }
        Ok(Self {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// What the attribute is on, for the audit and for messages.
pub(crate) struct Target {
    /// `function`, or `Type::method` in an impl block.
    pub(crate) name: String,
    /// True for a method expanded by the attribute of its impl block.
    pub(crate) in_impl: bool,
}

impl Target {
    fn function(sig: &Signature) -> Self {
        Self {
            name: sig.ident.to_string(),
            in_impl: false,
        }
    }
}

/// The error for an item that is not a function with a body. `parse_error` is syn's,
/// when the item did not parse at all.
fn not_a_function(item: TokenStream, parse_error: Option<syn::Error>) -> syn::Error {
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
            Ok(_) if parse_error.is_some() => parse_error
                .clone()
                .unwrap_or_else(|| syn::Error::new(input.span(), "expected the function body")),
            _ => syn::Error::new(
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
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// `tokens` followed by the errors, as tokio's `token_stream_with_error`.
    pub(crate) fn after(self, mut tokens: TokenStream) -> TokenStream {
        if let Some(errors) = self.0 {
            tokens.extend(errors.into_compile_error());
        }
        tokens
    }
}

/// `tokens` with every span set to `span`, for a path that must be reported where the
/// user's type is. Paths resolve the same with the user's span as with the call site.
pub(crate) fn respan(tokens: &TokenStream, span: Span) -> TokenStream {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(args: &str, item: &str) -> String {
        authenticate(args.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    #[test]
    fn errors_keep_the_item() {
        let out = expand(r#""jwt""#, "struct S;");
        assert!(out.starts_with("struct S ;"), "{out}");
        assert!(
            out.contains("can only be applied to async functions, methods and impl blocks"),
            "{out}"
        );
        let out = expand(r#""jwt""#, "async fn m(&self);");
        assert!(out.contains("needs the function body"), "{out}");
        let out = expand("skip", "impl A {}");
        assert!(
            out.contains("`skip` goes on a method inside an impl block"),
            "{out}"
        );
        let out = expand("skip", "async fn f() {}");
        assert!(
            out.contains("here there is none, so it would do nothing"),
            "{out}"
        );
        assert!(out.starts_with("async fn f () { }"), "{out}");
    }

    #[test]
    fn bad_arguments_still_expand_the_function() {
        let out = expand("", "async fn f(who: Principal) {}");
        assert!(out.contains("expected a strategy name"), "{out}");
        assert!(
            out.contains("__jwt_guard : :: jwt_guard :: __private :: Guard"),
            "{out}"
        );
        let out = expand(r#""jwt", nope = 1"#, "async fn f() {}");
        assert!(out.contains("unknown option `nope`"), "{out}");
    }

    #[test]
    fn a_body_that_does_not_parse_keeps_the_hidden_guard() {
        let out = expand(
            r#""jwt""#,
            "async fn f(who: Principal) -> u8 { let x = ; 1 }",
        );
        assert!(out.contains("async fn f (__jwt_guard"), "{out}");
        assert!(out.contains("let x = ;"), "{out}");
    }
}

#[cfg(test)]
#[path = "../../tests/expand.rs"]
mod snapshots;
