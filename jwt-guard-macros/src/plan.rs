//! What the check step hands the expander: the item sorted into what is to be done with
//! it, with the errors found so far. [`check`](crate::check) builds a [`Plan`];
//! [`expand`](crate::expand) turns it into tokens and cannot fail.

use proc_macro2::{Group, TokenStream};
use syn::{Attribute, ItemImpl, Signature, Type, Visibility};

use crate::config::FinalConfig;

/// The item under the attribute, checked.
pub(crate) enum Plan {
    /// Emitted as written, followed by the errors: an item the attribute does not apply
    /// to, or must leave alone (a tonic service, `skip` out of place).
    AsWritten { item: TokenStream, errors: Errors },
    /// A function to guard.
    Function {
        plan: Box<GuardedFn>,
        errors: Errors,
    },
    /// An impl block whose methods are guarded.
    Impl {
        plan: Box<GuardedImpl>,
        errors: Errors,
    },
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

/// What the attribute is on, for the audit and for messages.
pub(crate) struct Target {
    /// `function`, or `Type::method` in an impl block.
    pub(crate) name: String,
    /// True for a method expanded by the attribute of its impl block.
    pub(crate) in_impl: bool,
}

impl Target {
    /// A function (or method) under its own attribute.
    pub(crate) fn function(sig: &Signature) -> Self {
        Self {
            name: sig.ident.to_string(),
            in_impl: false,
        }
    }
}

/// Errors gathered while checking, emitted after the item as
/// `compile_error!`s; several are combined, as `syn::Error::combine` does.
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

/// A function to guard, checked: its parameters classified, `async` restored if it was
/// missing (the error is reported), `optional` decided.
pub(crate) struct GuardedFn {
    pub(crate) func: Function,
    pub(crate) config: FinalConfig,
    pub(crate) target: Target,
    /// With `optional` (or, under stand-in arguments, with `Option<..>` parameters).
    pub(crate) optional: bool,
    /// One per parameter of `func.sig`, in order.
    pub(crate) roles: Vec<Role>,
}

/// What the guard does with a parameter.
pub(crate) enum Role {
    /// Kept as written. `carries_headers`: its type carries the request headers (a
    /// handler's own `HeaderMap` beside the hidden guard), so `#[instrument]` skips it.
    Kept { carries_headers: bool },
    /// The parameter the guard reads the headers from.
    Source,
    /// Removed from the signature and bound from the principal; `in_option` for
    /// `Option<..>` (with `optional`).
    Injected { kind: InjectedKind, in_option: bool },
}

/// What an injected parameter receives.
#[derive(Clone)]
pub(crate) enum InjectedKind {
    /// `Principal`, built through `FromPrincipal`.
    Principal,
    /// `Claims<T>`, deserialized through `__private::claims::<T>`.
    Claims(Box<Type>),
}

/// An impl block to guard, checked: what is done with each item.
pub(crate) struct GuardedImpl {
    pub(crate) block: ItemImpl,
    /// The path of the runtime crate, for the sites of skipped methods and the assertions.
    pub(crate) krate: TokenStream,
    /// One per item of `block`, in order.
    pub(crate) entries: Vec<Entry>,
}

/// What is done with one item of a guarded impl block.
pub(crate) enum Entry {
    /// Left as it is: not a method, a method without a return type to check, or one whose
    /// mistake is reported.
    Keep,
    /// The `#[authenticate(..)]` at this index removed: a skipped macro call, or a method
    /// whose own attribute was read but which cannot be guarded.
    RemoveAttribute(usize),
    /// `#[authenticate(skip)]` (at `attr`): removed, and the method registered as skipped.
    Skipped { attr: usize, target: Target },
    /// A sync method: the assertion that its return type is not a future.
    NotAFuture(Type),
    /// Guarded, with the block's arguments or its own.
    Guarded(Box<GuardedFn>),
}
