//! An authenticated impl block, checked item by item: every `async fn` is guarded with
//! the block's arguments, a method's own `#[authenticate(..)]` replaces them,
//! `#[authenticate(skip)]` exempts a method (and registers it as skipped for the audit).
//! Sync methods fail closed: each gets an assertion that its return type is not a future,
//! or must be marked `skip` when the assertion could not decide (a return type that names
//! a generic parameter, `Self` of a generic block, an associated type or `impl Trait`).
//! A macro call in the block is refused: the attribute cannot see the methods it will
//! expand to.

use proc_macro2::{Delimiter, Group};
use quote::{ToTokens, quote};
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, GenericParam, Generics, ImplItem, ImplItemFn, ItemImpl, Meta, ReturnType, Type,
    TypePath,
};

use super::function;
use crate::args::Args;
use crate::config::{FinalConfig, Mode};
use crate::plan::{Entry, Errors, Function, GuardedImpl, Target};
use crate::ty::{contains_impl_trait, mentions_future, type_name};

/// Checks an authenticated impl block: what is done with each of its items.
pub(crate) fn check(block: ItemImpl, config: &FinalConfig, errors: &mut Errors) -> GuardedImpl {
    let self_name = type_name(&block.self_ty);
    let entries = block
        .items
        .iter()
        .map(|item| entry(item, &self_name, &block.generics, config, errors))
        .collect();
    GuardedImpl {
        block,
        krate: config.krate.clone(),
        entries,
    }
}

/// What is done with one item of the block.
fn entry(
    item: &ImplItem,
    self_name: &str,
    block_generics: &Generics,
    config: &FinalConfig,
    errors: &mut Errors,
) -> Entry {
    let method = match item {
        ImplItem::Fn(method) => method,
        ImplItem::Macro(call) => {
            // Its methods do not exist yet: they would be handlers left unguarded
            // and missing from the audit. Refused, unless marked `skip`.
            return match MethodAttribute::of(&call.attrs) {
                MethodAttribute::Skip(index) => Entry::RemoveAttribute(index),
                _ => {
                    errors.push(syn::Error::new_spanned(
                        &call.mac.path,
                        format!(
                            "a macro call inside an impl block with `#[authenticate]` is refused: \
                             the attribute cannot see the methods `{}!` expands to, which would \
                             be left unguarded; move the call to an impl block of its own, put \
                             `#[authenticate(..)]` on the methods inside the macro, or mark the \
                             call `#[authenticate(skip)]` if it defines no handler",
                            type_name_of_path(&call.mac.path)
                        ),
                    ));
                    Entry::Keep
                }
            };
        }
        ImplItem::Verbatim(tokens) => {
            errors.push(syn::Error::new_spanned(
                tokens,
                "an impl block with `#[authenticate]` holds an item the attribute cannot \
                 read; it would be left unguarded: move it to an impl block of its own",
            ));
            return Entry::Keep;
        }
        _ => return Entry::Keep,
    };
    let target = Target {
        name: format!("{self_name}::{}", method.sig.ident),
        in_impl: true,
    };
    let (own, attrs) = match MethodAttribute::of(&method.attrs) {
        MethodAttribute::Skip(index) => {
            return Entry::Skipped {
                attr: index,
                target,
            };
        }
        MethodAttribute::Own(index, own) => {
            let mut attrs = method.attrs.clone();
            attrs.remove(index);
            (Some((index, own)), attrs)
        }
        // Left in place: it expands on its own and reports its error.
        MethodAttribute::Unreadable => return Entry::Keep,
        MethodAttribute::None => (None, method.attrs.clone()),
    };
    if method.sig.asyncness.is_none() && own.is_none() {
        return sync_method(method, block_generics, errors);
    }
    let mut body = Group::new(Delimiter::Brace, {
        let stmts = &method.block.stmts;
        quote!(#(#stmts)*)
    });
    body.set_span(method.block.brace_token.span.join());
    let func = Function {
        attrs,
        vis: method.vis.clone(),
        sig: method.sig.clone(),
        body,
    };
    let config = own.as_ref().map_or(config, |(_, own)| &**own);
    match function::check(func, config, target, errors) {
        Ok(plan) => Entry::Guarded(Box::new(plan)),
        Err(err) => {
            errors.push(err);
            match own {
                Some((index, _)) => Entry::RemoveAttribute(index),
                None => Entry::Keep,
            }
        }
    }
}

/// A sync method of an authenticated block is not a handler, unless it returns a future:
/// then it would be a handler left unguarded, and missing from the audit. A return type
/// that can be named gets an assertion that it is not a future; an `impl Trait` cannot be
/// named in one, so it is judged by its text, and anything but an obvious non-future is
/// an error asking for `#[authenticate(skip)]`.
fn sync_method(method: &ImplItemFn, block_generics: &Generics, errors: &mut Errors) -> Entry {
    let ReturnType::Type(_, ty) = &method.sig.output else {
        return Entry::Keep;
    };
    if matches!(**ty, Type::Never(_)) {
        return Entry::Keep;
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
        return Entry::Keep;
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
        return Entry::Keep;
    }
    Entry::NotAFuture((**ty).clone())
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
