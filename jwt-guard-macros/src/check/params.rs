//! The parameters of a guarded function, classified: the one the headers are read from,
//! those bound from the principal (`Principal`, `Claims<T>`, or `Option<..>` of them with
//! `optional`), the rest kept. Misuse (two of a kind, `Option` without `optional` and the
//! reverse, a method without the headers) is reported here, before any rewriting.

use quote::ToTokens;
use syn::{FnArg, Signature, Type};

use crate::plan::{Errors, InjectedKind, Role, Target};
use crate::ty::{last_segment, peel, single_type_argument, type_name};

/// The role of each parameter of `sig`, in order. `Err` when the function cannot be
/// guarded (a method without the request headers); the other mistakes are pushed to
/// `errors` and leave it expandable.
pub(crate) fn classify(
    sig: &Signature,
    optional: bool,
    check_optional: bool,
    target: &Target,
    errors: &mut Errors,
) -> syn::Result<Vec<Role>> {
    let mut receiver = None;
    let mut source = false;
    let mut injected: Vec<InjectedKind> = Vec::new();
    let mut roles = Vec::with_capacity(sig.inputs.len());
    for arg in &sig.inputs {
        let typed = match arg {
            FnArg::Receiver(recv) => {
                receiver = Some(recv.to_token_stream());
                roles.push(Role::Kept {
                    carries_headers: false,
                });
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        if let Some((kind, in_option)) = InjectedKind::of(&typed.ty) {
            if injected.iter().any(|seen| seen.same_as(&kind)) {
                let advice = match kind {
                    InjectedKind::Principal => "clone the first one in the body instead",
                    InjectedKind::Claims(_) => {
                        "put every claim the handler needs in one type instead"
                    }
                };
                errors.push(syn::Error::new_spanned(
                    typed,
                    format!(
                        "only one parameter can receive the authenticated `{}`; {advice}",
                        kind.name()
                    ),
                ));
            }
            if check_optional {
                let inner = if in_option {
                    last_segment(&typed.ty)
                        .and_then(single_type_argument)
                        .unwrap_or(&typed.ty)
                } else {
                    &typed.ty
                };
                check_option(&typed.ty, inner, in_option, optional, errors);
            }
            injected.push(kind.clone());
            roles.push(Role::Injected { kind, in_option });
            continue;
        }
        let carries_headers = is_header_source(&typed.ty);
        // A handler's own `HeaderMap` carries no registry: the hidden guard is added
        // beside it and authenticates with the request's registry (a method is not a
        // handler, and has no request to take it from).
        let owned_map = receiver.is_none() && is_owned_header_map(&typed.ty);
        if !source && !owned_map && carries_headers {
            source = true;
            roles.push(Role::Source);
        } else {
            roles.push(Role::Kept { carries_headers });
        }
    }
    if !source && let Some(receiver) = receiver {
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
    Ok(roles)
}

/// True for `HeaderMap` by value (not a reference): an axum extractor, which the hidden
/// guard can stand beside.
fn is_owned_header_map(ty: &Type) -> bool {
    let ty = match ty {
        Type::Group(group) => &*group.elem,
        Type::Paren(paren) => &*paren.elem,
        _ => ty,
    };
    matches!(ty, Type::Path(_)) && last_segment(ty).is_some_and(|s| s.ident == "HeaderMap")
}

impl InjectedKind {
    /// The kind of parameter of type `ty`, if it is one the guard fills, and whether it is
    /// wrapped in `Option`.
    pub(crate) fn of(ty: &Type) -> Option<(Self, bool)> {
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

/// True for `HeaderMap`, `Request<..>`, `request::Parts`, actix-web's `HttpRequest`, or a
/// reference to one: types that carry the request headers, matched by the last path
/// segment.
pub(crate) fn is_header_source(ty: &Type) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        syn::parse_str(src).unwrap()
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
            "actix_web::HttpRequest",
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
}
