//! Expansion after: the [`Plan`] of [`check`](crate::check) into tokens. This step
//! cannot fail and finds no mistakes (the check found them all): a function is guarded
//! by [`function`], an impl block by [`impl_block`]; the parameters are rewritten by
//! [`params`], the audit's static is built by [`site`]. The plan's errors follow the item.
//!
//! What the expansion looks like is described by the snapshots in
//! `jwt-guard-macros/tests/expand/`, one per case.

mod function;
mod impl_block;
mod params;
mod site;

use proc_macro2::{Group, Span, TokenStream, TokenTree};

use crate::plan::Plan;

/// Expands a checked item. Never fails and never panics: the errors follow the item.
pub(crate) fn expand(plan: Plan) -> TokenStream {
    match plan {
        Plan::AsWritten { item, errors } => errors.after(item),
        Plan::Function { plan, errors } => errors.after(function::expand(*plan)),
        Plan::Impl { plan, errors } => errors.after(impl_block::expand(*plan)),
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

/// Check, then expand: what the attribute does, for the tests.
#[cfg(test)]
fn authenticate(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(crate::check::check(args, item))
}

#[cfg(test)]
mod tests {
    use super::authenticate;

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
    fn tonic_services_are_left_alone_with_one_error() {
        let item = "async fn get(&self, r: Request<G>) -> Result<Response<O>, Status> { todo!() }";
        for args in [r#""jwt""#, r#""jwt", nope"#] {
            let out = expand(args, item);
            assert!(out.starts_with("async fn get (& self"), "{out}");
            assert_eq!(out.matches("compile_error").count(), 1, "{out}");
            assert!(out.contains("jwt_guard::tonic::GrpcAuthLayer"), "{out}");
        }
        let out = expand(
            r#""jwt""#,
            &format!("#[tonic::async_trait] impl Orders for S {{ {item} }}"),
        );
        assert!(
            out.starts_with("# [tonic :: async_trait] impl Orders for S"),
            "{out}"
        );
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
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
