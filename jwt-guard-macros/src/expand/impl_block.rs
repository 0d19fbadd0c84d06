//! An authenticated impl block: every `async fn` is guarded with the block's arguments,
//! a method's own `#[authenticate(..)]` replaces them, `#[authenticate(skip)]` exempts a
//! method (and registers it as skipped for the audit). Sync methods fail closed: each
//! gets an assertion that its return type is not a future, or must be marked `skip`
//! when the assertion could not decide (a return type that names a generic parameter,
//! `Self` of a generic block, an associated type or `impl Trait`). A macro call in the
//! block is refused: the attribute cannot see the methods it will expand to.

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, GenericParam, Generics, ImplItem, ImplItemFn, Item, ItemImpl, Meta, ReturnType,
    Stmt, Type, TypePath,
};

use super::{function, respan, site};
use crate::args::Args;
use crate::check;
use crate::config::{FinalConfig, Mode};
use crate::plan::{Errors, Function, Target};
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
    let block_generics = block.generics.clone();
    for item in &mut block.items {
        let method = match item {
            ImplItem::Fn(method) => method,
            ImplItem::Macro(call) => {
                // Its methods do not exist yet: they would be handlers left unguarded
                // and missing from the audit. Refused, unless marked `skip`.
                match MethodAttribute::of(&call.attrs) {
                    MethodAttribute::Skip(index) => {
                        call.attrs.remove(index);
                    }
                    _ => errors.push(syn::Error::new_spanned(
                        &call.mac.path,
                        format!(
                            "a macro call inside an impl block with `#[authenticate]` is refused: \
                             the attribute cannot see the methods `{}!` expands to, which would \
                             be left unguarded; move the call to an impl block of its own, put \
                             `#[authenticate(..)]` on the methods inside the macro, or mark the \
                             call `#[authenticate(skip)]` if it defines no handler",
                            type_name_of_path(&call.mac.path)
                        ),
                    )),
                }
                continue;
            }
            ImplItem::Verbatim(tokens) => {
                errors.push(syn::Error::new_spanned(
                    &*tokens,
                    "an impl block with `#[authenticate]` holds an item the attribute cannot \
                     read; it would be left unguarded: move it to an impl block of its own",
                ));
                continue;
            }
            _ => continue,
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
            fail_closed(method, &block_generics, krate, errors);
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
        match check::function::check(func, own.as_deref().unwrap_or(config), target, errors) {
            Ok(plan) => *item = ImplItem::Verbatim(function::expand(plan)),
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
fn fail_closed(
    method: &mut ImplItemFn,
    block_generics: &Generics,
    krate: &TokenStream,
    errors: &mut Errors,
) {
    let ReturnType::Type(_, ty) = &method.sig.output else {
        return;
    };
    if matches!(**ty, Type::Never(_)) {
        return;
    }
    let name = &method.sig.ident;
    if let Some(what) = undecidable(ty, block_generics, &method.sig.generics) {
        errors.push(syn::Error::new_spanned(
            ty,
            format!(
                "`{name}` is not `async` and its return type mentions {what}, so the \
                 `#[authenticate]` of the impl block cannot check that it is not a future \
                 (a router may instantiate it with one): mark it `#[authenticate(skip)]` if it \
                 is not a handler, make it an `async fn`, or name a concrete return type"
            ),
        ));
        return;
    }
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

/// What in `ty` keeps the not-a-future assertion from deciding, if anything: a type or
/// const parameter of the block or of the method (the assertion would be checked on the
/// parameter, not on the type a router instantiates it with), `Self` of a block with such
/// parameters, or an associated type (`Self::X`, `T::X`, `<A as B>::X`). `impl Trait`
/// is handled by the caller.
fn undecidable(ty: &Type, block: &Generics, method: &Generics) -> Option<String> {
    fn params(generics: &Generics) -> impl Iterator<Item = String> + '_ {
        generics.params.iter().filter_map(|param| match param {
            GenericParam::Type(t) => Some(t.ident.to_string()),
            GenericParam::Const(c) => Some(c.ident.to_string()),
            GenericParam::Lifetime(_) => None,
        })
    }
    struct Finder {
        params: Vec<String>,
        generic_self: bool,
        found: Option<String>,
    }
    impl VisitMut for Finder {
        fn visit_type_path_mut(&mut self, path: &mut TypePath) {
            if self.found.is_some() {
                return;
            }
            if path.qself.is_some() {
                self.found = Some("an associated type".to_owned());
                return;
            }
            let segments = &path.path.segments;
            if let Some(first) = segments.first() {
                let first_name = first.ident.to_string();
                if path.path.leading_colon.is_none()
                    && segments.len() > 1
                    && (first_name == "Self" || self.params.contains(&first_name))
                {
                    self.found = Some(format!(
                        "an associated type (`{}`)",
                        type_name(&Type::Path(path.clone()))
                    ));
                    return;
                }
                if path.path.leading_colon.is_none() && segments.len() == 1 {
                    if self.params.contains(&first_name) {
                        self.found = Some(format!("the generic parameter `{first_name}`"));
                        return;
                    }
                    if first_name == "Self" && self.generic_self {
                        self.found = Some("`Self` of a generic impl block".to_owned());
                        return;
                    }
                }
            }
            syn::visit_mut::visit_type_path_mut(self, path);
        }

        fn visit_expr_path_mut(&mut self, path: &mut syn::ExprPath) {
            // A const argument (`Wrapper<N>`) parses as a type path or an expression.
            if let Some(ident) = path.path.get_ident()
                && self.params.contains(&ident.to_string())
                && self.found.is_none()
            {
                self.found = Some(format!("the generic parameter `{ident}`"));
            }
        }
    }
    let block_params: Vec<String> = params(block).collect();
    let generic_self = !block_params.is_empty();
    let mut finder = Finder {
        params: block_params.into_iter().chain(params(method)).collect(),
        generic_self,
        found: None,
    };
    finder.visit_type_mut(&mut ty.clone());
    finder.found
}

/// `handlers` for `handlers!`, `my::handlers` for `my::handlers!`.
fn type_name_of_path(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
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
    fn macro_calls_are_refused_unless_skipped() {
        let out = expand_str(r#""jwt""#, "impl A { handlers!(a, b); async fn c() {} }");
        assert!(
            out.contains("the attribute cannot see the methods `handlers!` expands to"),
            "{out}"
        );
        let out = expand_str(
            r#""jwt""#,
            "impl A { #[authenticate(skip)] consts!(); async fn c() {} }",
        );
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("consts ! ()"), "{out}");
        assert!(!out.contains("authenticate (skip)"), "{out}");
    }

    #[test]
    fn generic_sync_methods_must_be_skipped() {
        for (item, what) in [
            (
                "impl<F: Default> Gen<F> { fn sneaky() -> F { F::default() } }",
                "the generic parameter `F`",
            ),
            (
                "impl<F> Gen<F> { fn make() -> Self { todo!() } }",
                "`Self` of a generic impl block",
            ),
            (
                "impl A { fn f<T: Default>() -> Wrap<T> { todo!() } }",
                "the generic parameter `T`",
            ),
            (
                "impl A { fn f() -> Self::Out { todo!() } }",
                "an associated type (`Self::Out`)",
            ),
            (
                "impl A { fn f() -> <B as Tr>::Out { todo!() } }",
                "an associated type",
            ),
            (
                "impl<const N: usize> A<N> { fn f() -> Arr<N> { todo!() } }",
                "the generic parameter `N`",
            ),
        ] {
            let out = expand_str(r#""jwt""#, item);
            assert!(
                out.contains(&format!("its return type mentions {what}")),
                "{item}: {out}"
            );
        }
        // Decidable: concrete types, `Self` of a non-generic block, lifetimes.
        for item in [
            "impl A { fn new() -> Self { A } }",
            "impl<'a> R<'a> { fn get(&self) -> &'a str { \"\" } }",
            "impl<F> Gen<F> { fn n() -> ::std::vec::Vec<u8> { vec![] } }",
        ] {
            let out = expand_str(r#""jwt""#, item);
            assert!(!out.contains("compile_error"), "{item}: {out}");
            assert!(out.contains("SyncMethodMustNot"), "{item}: {out}");
        }
        // Skipped: allowed.
        let out = expand_str(
            r#""jwt""#,
            "impl<F: Default> Gen<F> { #[authenticate(skip)] fn sneaky() -> F { F::default() } }",
        );
        assert!(!out.contains("compile_error"), "{out}");
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
