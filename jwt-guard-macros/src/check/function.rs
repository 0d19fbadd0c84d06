//! One function, checked before it is guarded: `async`, `optional` against the
//! parameters, and the parameters classified by [`params`](super::params).

use syn::{FnArg, Token};

use super::params::classify;
use crate::config::{FinalConfig, Mode};
use crate::plan::{Errors, Function, GuardedFn, InjectedKind, Target};

/// Checks one function. A mistake that leaves it expandable (a missing `async`, an
/// injected parameter of the wrong shape) is pushed to `errors`; one that does not is the
/// `Err`, and the function is emitted as it was.
pub(crate) fn check(
    mut func: Function,
    config: &FinalConfig,
    target: Target,
    errors: &mut Errors,
) -> syn::Result<GuardedFn> {
    let sig = &mut func.sig;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "the `async` keyword is missing from the function declaration",
        ));
        sig.asyncness = Some(Token![async](sig.fn_token.span));
    }
    // With stand-in arguments, follow the parameters: the attribute's error is enough.
    let optional = if config.fallback {
        sig.inputs.iter().any(|arg| {
            matches!(arg, FnArg::Typed(typed)
                if InjectedKind::of(&typed.ty).is_some_and(|(_, in_option)| in_option))
        })
    } else {
        matches!(config.mode, Mode::Optional)
    };
    let roles = classify(sig, optional, !config.fallback, &target, errors)?;
    Ok(GuardedFn {
        func,
        config: config.clone(),
        target,
        optional,
        roles,
    })
}
