//! Type helpers: last path segment, references peeled, `impl Trait` found and erased, a
//! type as readable text.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{GenericArgument, PathArguments, PathSegment, Type, TypeImplTrait};

/// The last segment of a plain path type, seen through parentheses and invisible groups.
pub(crate) fn last_segment(ty: &Type) -> Option<&PathSegment> {
    match ty {
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    }
}

/// `ty` without references, parentheses and invisible groups (types from `macro_rules!`).
pub(crate) fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Reference(reference) => peel(&reference.elem),
        Type::Group(group) => peel(&group.elem),
        Type::Paren(paren) => peel(&paren.elem),
        _ => ty,
    }
}

/// The one type argument of `Name<T>`.
pub(crate) fn single_type_argument(segment: &PathSegment) -> Option<&Type> {
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

/// True when `ty` mentions `impl Trait` anywhere.
pub(crate) fn contains_impl_trait(ty: &Type) -> bool {
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

/// `ty` with every `impl Trait` replaced by `_`, as tracing-attributes'
/// `erase_impl_trait`: a `let` cannot name an opaque type, but the rest of the type
/// (`Result<_, StatusCode>`) still guides inference of the body.
pub(crate) fn erase_impl_trait(ty: &Type) -> Type {
    struct Eraser;
    impl VisitMut for Eraser {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(impl_trait) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: syn::Token![_](syn::spanned::Spanned::span(impl_trait)),
                });
                return;
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut ty = ty.clone();
    Eraser.visit_type_mut(&mut ty);
    ty
}

/// True when any identifier of `tokens` ends with `Future` (`impl Future`,
/// `BoxFuture<..>`, `Pin<Box<dyn Future ..>>`): the textual rule for return types that
/// cannot be named in a type assertion.
pub(crate) fn mentions_future(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident.to_string().ends_with("Future"),
        proc_macro2::TokenTree::Group(group) => mentions_future(group.stream()),
        _ => false,
    })
}

/// A type as text without token spacing: `Orders`, `Repo<'a, T>`, `crate::api::Orders`.
pub(crate) fn type_name(ty: &Type) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        syn::parse_str(src).unwrap()
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
    fn impl_trait_anywhere_in_the_type() {
        assert!(contains_impl_trait(&ty("impl IntoResponse")));
        assert!(contains_impl_trait(&ty("Result<impl IntoResponse, E>")));
        assert!(!contains_impl_trait(&ty("Box<dyn Fn() -> u8>")));
    }

    #[test]
    fn impl_trait_is_erased_to_an_inference_hole() {
        let erased = |src: &str| type_name(&erase_impl_trait(&ty(src)));
        assert_eq!(erased("impl IntoResponse"), "_");
        assert_eq!(
            erased("Result<impl IntoResponse, StatusCode>"),
            "Result<_, StatusCode>"
        );
        assert_eq!(
            erased("(impl Iterator<Item = impl Display>, u8)"),
            "(_, u8)"
        );
        assert_eq!(erased("Vec<u8>"), "Vec<u8>");
    }

    #[test]
    fn futures_by_name() {
        let mentions = |src: &str| mentions_future(ty(src).to_token_stream());
        assert!(mentions("impl Future<Output = u8>"));
        assert!(mentions("BoxFuture<'static, u8>"));
        assert!(mentions("Pin<Box<dyn std::future::Future<Output = ()>>>"));
        assert!(!mentions("Self"));
        assert!(!mentions("impl Iterator<Item = u8>"));
    }

    #[test]
    fn last_segment_and_peel() {
        let name = |src: &str| last_segment(&ty(src)).map(|s| s.ident.to_string());
        assert_eq!(name("a::b::C<D>").as_deref(), Some("C"));
        assert_eq!(name("(C)").as_deref(), Some("C"));
        assert_eq!(name("&C"), None);
        assert_eq!(name("<T as Trait>::C"), None);
        assert_eq!(type_name(peel(&ty("&mut (&C)"))), "C");
    }
}
