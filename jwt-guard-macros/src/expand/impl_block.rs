//! An authenticated impl block: every `async fn` is guarded with the block's arguments,
//! a method's own `#[authenticate(..)]` replaces them, `#[authenticate(skip)]` exempts a
//! method (and registers it as skipped for the audit). A sync method that returns a
//! future is an error.

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::{ToTokens, quote};
use syn::{Attribute, ImplItem, ImplItemFn, Item, ItemImpl, Meta, ReturnType, Stmt};

use super::{Errors, Function, Target, function, site};
use crate::args::Args;
use crate::config::{FinalConfig, Mode};
use crate::ty::{mentions_future, type_name};

pub(crate) fn expand(
    mut block: ItemImpl,
    config: &FinalConfig,
    errors: &mut Errors,
) -> TokenStream {
    let self_name = type_name(&block.self_ty);
    let krate = &config.krate;
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
                let register = site::register(krate, &target, &method.sig.ident, None);
                method
                    .block
                    .stmts
                    .insert(0, Stmt::Item(Item::Verbatim(register)));
                continue;
            }
            MethodAttribute::Own(index, own) => {
                method.attrs.remove(index);
                Some(own)
            }
            // Left in place: it expands on its own and reports its error.
            MethodAttribute::Unreadable => continue,
            MethodAttribute::None => None,
        };
        if method.sig.asyncness.is_none() && own.is_none() {
            fail_closed(method, krate, errors);
            continue;
        }
        let mut body = Group::new(Delimiter::Brace, {
            let stmts = &method.block.stmts;
            quote!(#(#stmts)*)
        });
        body.set_span(method.block.brace_token.span.join());
        let func = Function {
            attrs: method.attrs.clone(),
            vis: method.vis.clone(),
            sig: method.sig.clone(),
            body,
        };
        match function::expand(func, own.as_deref().unwrap_or(config), &target, errors) {
            Ok(expanded) => *item = ImplItem::Verbatim(expanded),
            Err(err) => errors.push(err),
        }
    }
    block.into_token_stream()
}

/// A sync method of an authenticated block is not a handler, unless it returns a future:
/// then it would be a handler left unguarded, and missing from the audit.
fn fail_closed(method: &mut ImplItemFn, _krate: &TokenStream, errors: &mut Errors) {
    let ReturnType::Type(_, ty) = &method.sig.output else {
        return;
    };
    let name = &method.sig.ident;
    if mentions_future(ty.to_token_stream()) {
        errors.push(syn::Error::new(
            method.sig.fn_token.span,
            format!(
                "`{name}` returns a future but is not `async`: the `#[authenticate]` of the \
                 impl block protects `async fn` methods; make it an `async fn`, or mark it \
                 `#[authenticate(skip)]`"
            ),
        ));
    }
}

/// How a method in an authenticated impl block is marked.
enum MethodAttribute {
    /// No `#[authenticate]`: the block's applies.
    None,
    /// `#[authenticate(skip)]`, at this index of the attributes.
    Skip(usize),
    /// Its own `#[authenticate(..)]`, at this index, which replaces the block's.
    Own(usize, Box<FinalConfig>),
    /// An `#[authenticate]` that is not valid: left to expand on its own and report its
    /// error.
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
        let Meta::List(_) = &attr.meta else {
            return Self::Unreadable;
        };
        match attr.parse_args::<Args>().and_then(Args::build) {
            Ok(config) if matches!(config.mode, Mode::Skip(_)) => Self::Skip(index),
            Ok(config) => Self::Own(index, Box::new(config)),
            Err(_) => Self::Unreadable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::authenticate;

    fn expand_str(args: &str, item: &str) -> String {
        authenticate(args.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    #[test]
    fn sync_methods_returning_futures_are_errors() {
        let out = expand_str(
            r#""jwt""#,
            "impl A { fn f(&self) -> impl Future<Output = ()> { async {} } fn new() -> Self { A } }",
        );
        assert!(
            out.contains("`f` returns a future but is not `async`"),
            "{out}"
        );
        assert!(out.contains("fn new () -> Self { A }"), "{out}");
    }

    #[test]
    fn a_method_with_self_needs_headers() {
        let out = expand_str(r#""jwt""#, "impl A { async fn f(&self) {} }");
        assert!(
            out.contains("or, if it is not a handler, mark it `#[authenticate(skip)]`"),
            "{out}"
        );
    }
}
