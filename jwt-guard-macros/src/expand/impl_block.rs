//! An authenticated impl block: every `async fn` is guarded with the block's arguments,
//! a method's own `#[authenticate(..)]` replaces them, `#[authenticate(skip)]` exempts a
//! method (and registers it as skipped for the audit). Sync methods fail closed: each
//! gets an assertion that its return type is not a future, or must be marked `skip`.

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, ImplItem, ImplItemFn, Item, ItemImpl, Meta, ReturnType, Stmt, Type};

use super::{Errors, Function, Target, function, respan, site};
use crate::args::Args;
use crate::config::{FinalConfig, Mode};
use crate::ty::{contains_impl_trait, mentions_future, type_name};

/// The runtime trait of the fail-closed assertion: `<R as ..<_>>::check` is ambiguous,
/// and so a compile error that names the trait, exactly when `R` is a future.
const NOT_A_FUTURE: &str = "SyncMethodMustNotReturnAFutureMarkItAsyncOrSkip";

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
/// then it would be a handler left unguarded, and missing from the audit. A return type
/// that can be named gets an assertion, spanned on it, that it is not a future; an
/// `impl Trait` cannot be named in one, so it is judged by its text, and anything but an
/// obvious non-future is an error asking for `#[authenticate(skip)]`.
fn fail_closed(method: &mut ImplItemFn, krate: &TokenStream, errors: &mut Errors) {
    let ReturnType::Type(_, ty) = &method.sig.output else {
        return;
    };
    if matches!(**ty, Type::Never(_)) {
        return;
    }
    let name = &method.sig.ident;
    if contains_impl_trait(ty) {
        if mentions_future(ty.to_token_stream()) {
            errors.push(syn::Error::new(
                method.sig.fn_token.span,
                format!(
                    "`{name}` returns a future but is not `async`: the `#[authenticate]` of the \
                     impl block protects `async fn` methods; make it an `async fn`, or mark it \
                     `#[authenticate(skip)]`"
                ),
            ));
        } else {
            errors.push(syn::Error::new_spanned(
                ty,
                format!(
                    "`{name}` is not `async` and returns an `impl Trait`, which the \
                     `#[authenticate]` of the impl block cannot check is not a future: mark it \
                     `#[authenticate(skip)]` if it is not a handler, or make it an `async fn`"
                ),
            ));
        }
        return;
    }
    let span = ty.span();
    let krate = respan(krate, span);
    let check = syn::Ident::new(NOT_A_FUTURE, span);
    let assertion = quote_spanned! {span=>
        let _ = <#ty as #krate::__private::#check<_>>::check;
    };
    method
        .block
        .stmts
        .insert(0, Stmt::Item(Item::Verbatim(assertion)));
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
    fn sync_methods_fail_closed() {
        let out = expand_str(
            r#""jwt""#,
            "impl A { fn f(&self) -> impl Future<Output = ()> { async {} } }",
        );
        assert!(
            out.contains("`f` returns a future but is not `async`"),
            "{out}"
        );
        let out = expand_str(
            r#""jwt""#,
            "impl A { fn f(&self) -> impl Iterator<Item = u8> { 0..1 } }",
        );
        assert!(
            out.contains("`f` is not `async` and returns an `impl Trait`"),
            "{out}"
        );
        let out = expand_str(
            r#""jwt""#,
            "impl A { fn f() -> H { h() } fn g() {} fn n() -> ! { loop {} } }",
        );
        assert!(!out.contains("compile_error"), "{out}");
        assert_eq!(
            out.matches("SyncMethodMustNotReturnAFutureMarkItAsyncOrSkip")
                .count(),
            1,
            "{out}"
        );
        assert!(
            out.contains("let _ = < H as :: jwt_guard :: __private"),
            "{out}"
        );
        // Skipped: no assertion, registered as skipped.
        let out = expand_str(
            r#""jwt""#,
            "impl A { #[authenticate(skip)] fn f() -> H { h() } }",
        );
        assert!(!out.contains("SyncMethodMustNot"), "{out}");
        assert!(out.contains("__JWT_GUARD_SITE"), "{out}");
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
