//! Checks first: the attribute's arguments and the item under it, into a [`Plan`] the
//! expander follows. The arguments are validated by [`config`](crate::config) (every
//! misuse reported, combined); the item is parsed once and classified; an item the
//! attribute must leave alone ([`tonic`] services) is refused before anything is
//! rewritten; a function is checked by [`function`] (its parameters classified by
//! [`params`]), an impl block item by item by [`impl_block`]. Every mistake is found
//! here, several combined as `syn::Error::combine` does, as tokio-macros' `entry.rs`.

mod function;
mod impl_block;
mod params;
mod tonic;

use proc_macro2::{Delimiter, Group, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Attribute, Item, ItemFn, ItemImpl, Signature, Token, Visibility};

use crate::config::{FinalConfig, Mode};
use crate::plan::{Errors, Function, Plan, Target};

/// Checks `#[authenticate(args)] item`. Never fails: a mistake is an error in the plan.
/// When the function can still be expanded (bad arguments, a missing `async`, a body that
/// does not parse yet) the plan says so, so that its callers and its route do not report
/// errors of their own, and the hidden extractor does not vanish while the body is being
/// typed.
pub(crate) fn check(args: TokenStream, item: TokenStream) -> Plan {
    let mut errors = Errors::default();
    let config = FinalConfig::from_tokens(args).unwrap_or_else(|err| {
        errors.push(err);
        FinalConfig::fallback()
    });
    let input = Input::parse(item.clone());
    // An item the attribute must leave alone: as written, with the one error that says
    // what to use instead (and none about the arguments).
    let tonic = match &input {
        Input::Fn(func) | Input::Speculative(func) => tonic::is_tonic_method(&func.sig),
        Input::Impl(block) => tonic::is_tonic_impl(block),
        Input::Other(_) => false,
    };
    if tonic {
        let mut errors = Errors::default();
        errors.push(tonic::tonic_service_error());
        return Plan::AsWritten { item, errors };
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
                return Plan::AsWritten { item, errors };
            }
            let target = Target::function(&func.sig);
            guard_function(func, &config, target, item, errors)
        }
        // The body does not parse: the signature is rewritten as usual and the body kept
        // as it is, so rustc reports where it stops parsing, inside the guarded function.
        Input::Speculative(func) => {
            if matches!(config.mode, Mode::Skip(_)) {
                return Plan::AsWritten { item, errors };
            }
            let target = Target::function(&func.sig);
            guard_function(func, &config, target, item, errors)
        }
        Input::Impl(block) => {
            if let Mode::Skip(skip) = config.mode {
                errors.push(syn::Error::new(
                    skip,
                    "`skip` goes on a method inside an impl block, not on the block itself",
                ));
                return Plan::AsWritten { item, errors };
            }
            let plan = impl_block::check(*block, &config, &mut errors);
            Plan::Impl {
                plan: Box::new(plan),
                errors,
            }
        }
        Input::Other(err) => {
            errors.push(err);
            Plan::AsWritten { item, errors }
        }
    }
}

/// A function under its own attribute: guarded, or as written when it cannot be.
fn guard_function(
    func: Function,
    config: &FinalConfig,
    target: Target,
    item: TokenStream,
    mut errors: Errors,
) -> Plan {
    match function::check(func, config, target, &mut errors) {
        Ok(plan) => Plan::Function {
            plan: Box::new(plan),
            errors,
        },
        Err(err) => {
            errors.push(err);
            Plan::AsWritten { item, errors }
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
