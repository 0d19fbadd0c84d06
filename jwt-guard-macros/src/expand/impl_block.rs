//! An authenticated impl block, as checked by `check::impl_block`: guarded methods
//! expanded, `skip` attributes removed (a skipped method registered as skipped for the
//! audit), and the not-a-future assertion added to sync methods.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote_spanned};
use syn::spanned::Spanned;
use syn::{ImplItem, Item, Stmt};

use super::{function, respan, site};
use crate::plan::{Entry, GuardedImpl};

/// The runtime trait of the fail-closed assertion: `<R as ..<_>>::check` is ambiguous,
/// and so a compile error that names the trait, exactly when `R` is a future.
const NOT_A_FUTURE: &str = "SyncMethodMustNotReturnAFutureMarkItAsyncOrSkip";

pub(crate) fn expand(plan: GuardedImpl) -> TokenStream {
    let GuardedImpl {
        mut block,
        krate,
        entries,
    } = plan;
    for (item, entry) in block.items.iter_mut().zip(entries) {
        match (entry, &mut *item) {
            (Entry::Keep, _) => {}
            (Entry::RemoveAttribute(index), ImplItem::Macro(call)) => {
                call.attrs.remove(index);
            }
            (Entry::RemoveAttribute(index), ImplItem::Fn(method)) => {
                method.attrs.remove(index);
            }
            (Entry::Skipped { attr, target }, ImplItem::Fn(method)) => {
                method.attrs.remove(attr);
                let register = site::register(&krate, &target, &method.sig.ident, None);
                method
                    .block
                    .stmts
                    .insert(0, Stmt::Item(Item::Verbatim(register)));
            }
            (Entry::NotAFuture(ty), ImplItem::Fn(method)) => {
                let span = ty.span();
                let krate = respan(&krate, span);
                let check = syn::Ident::new(NOT_A_FUTURE, span);
                let assertion = quote_spanned! {span=>
                    let _ = <#ty as #krate::__private::#check<_>>::check;
                };
                method
                    .block
                    .stmts
                    .insert(0, Stmt::Item(Item::Verbatim(assertion)));
            }
            (Entry::Guarded(plan), _) => *item = ImplItem::Verbatim(function::expand(*plan)),
            // The check gives an item only entries that fit it.
            _ => {}
        }
    }
    block.into_token_stream()
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
