//! Validate: [`Args`] as written into the [`FinalConfig`] the expansion follows, as
//! tokio-macros' `Configuration` → `build()` → `FinalConfig`. Every misuse is a spanned
//! error, and all of them are reported, not only the first.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

use crate::args::{Arg, Args, EXPECTED_NAME, Requirement, Subject};

/// What the attribute does to the function.
#[derive(Clone, Copy)]
pub(crate) enum Mode {
    /// The body runs only for an authenticated request.
    Required,
    /// A request without credentials runs the body with no principal.
    Optional,
    /// `#[authenticate(skip)]`: a method of an authenticated impl block left alone; the
    /// span is the `skip` keyword's.
    Skip(Span),
}

/// The validated arguments.
#[derive(Clone)]
pub(crate) struct FinalConfig {
    /// The path of the runtime crate: `crate = ..`, or `::jwt_guard`.
    pub(crate) krate: TokenStream,
    /// The strategy names, in the order they are tried. Empty only for `skip`.
    pub(crate) strategies: Vec<LitStr>,
    pub(crate) scopes: Option<Requirement>,
    pub(crate) roles: Option<Requirement>,
    /// `acr = ..` and `max_age = ..`.
    pub(crate) step_up: Option<StepUp>,
    pub(crate) mode: Mode,
    /// True for the stand-in of [`FinalConfig::fallback`]: what the real arguments said
    /// is unknown, so nothing is checked against them.
    pub(crate) fallback: bool,
}

/// `acr = ..` and `max_age = ..` (RFC 9470 step-up), validated.
#[derive(Clone)]
pub(crate) struct StepUp {
    /// The acceptable `acr` values: one, or those of `any(..)`. Empty: any `acr`.
    pub(crate) acr: Vec<LitStr>,
    /// Whole seconds, at least 1.
    pub(crate) max_age: Option<u64>,
}

impl FinalConfig {
    /// Stand-in arguments for expanding the function when the real ones are invalid, so
    /// that one mistake in the attribute does not also break every use of the function.
    pub(crate) fn fallback() -> Self {
        Self {
            krate: quote!(::jwt_guard),
            strategies: vec![LitStr::new("", Span::call_site())],
            scopes: None,
            roles: None,
            step_up: None,
            mode: Mode::Required,
            fallback: true,
        }
    }

    /// Parses and validates the attribute's tokens.
    pub(crate) fn from_tokens(tokens: TokenStream) -> syn::Result<Self> {
        syn::parse2::<Args>(tokens)?.build()
    }
}

impl Args {
    /// Validates the arguments; the error holds every misuse found.
    pub(crate) fn build(self) -> syn::Result<FinalConfig> {
        let mut errors: Option<syn::Error> = None;
        let mut push = |error: syn::Error| match &mut errors {
            Some(errors) => errors.combine(error),
            None => errors = Some(error),
        };

        let mut strategies: Vec<LitStr> = Vec::new();
        let mut krate = None;
        let mut scopes = None;
        let mut roles = None;
        let mut acr: Option<Vec<LitStr>> = None;
        let mut max_age: Option<Option<u64>> = None;
        let mut optional = None;
        let mut skip = None;
        let mut options_started = false;
        let mut seen_options: HashSet<&'static str> = HashSet::new();

        // `skip` stands alone: report the first thing next to it, and nothing else.
        if let Some(index) = self
            .items
            .iter()
            .position(|arg| matches!(arg, Arg::Skip(_)))
            && self.items.len() > 1
        {
            let culprit = if index == 0 { 1 } else { index };
            return Err(skip_not_alone(self.items[culprit].span()));
        }

        if !self
            .items
            .iter()
            .any(|arg| matches!(arg, Arg::Strategy(_) | Arg::Skip(_)))
        {
            // `#[authenticate]`, or an option in first place: the name is missing.
            let span = self.items.first().map_or_else(Span::call_site, Arg::span);
            push(syn::Error::new(span, EXPECTED_NAME));
        }

        for arg in &self.items {
            if let Some(option) = arg.option()
                && !seen_options.insert(option)
            {
                push(syn::Error::new(
                    arg.span(),
                    format!("`{option}` specified more than once"),
                ));
                continue;
            }
            match arg {
                Arg::Strategy(name) => {
                    if options_started {
                        push(syn::Error::new(
                            name.span(),
                            "strategy names come first: move this name before the options",
                        ));
                    } else if name.value().is_empty() {
                        push(syn::Error::new(
                            name.span(),
                            "the strategy name must not be empty; write the name the strategy \
                             is registered under, e.g. `#[authenticate(\"jwt\")]`",
                        ));
                    } else if strategies.iter().any(|n| n.value() == name.value()) {
                        push(syn::Error::new(
                            name.span(),
                            format!(
                                "strategy \"{}\" is listed more than once; each strategy is \
                                 tried once, in order",
                                name.value()
                            ),
                        ));
                    } else {
                        strategies.push(name.clone());
                    }
                    continue;
                }
                Arg::Skip(span) => skip = Some(*span),
                Arg::Crate { path, .. } => krate = Some(path),
                Arg::Scopes { value, .. } => {
                    check_requirement(value, Subject::Scope, &mut push);
                    scopes = Some(value.clone());
                }
                Arg::Roles { value, .. } => {
                    check_requirement(value, Subject::Role, &mut push);
                    roles = Some(value.clone());
                }
                Arg::Acr { value, .. } => acr = Some(check_acr(value, &mut push)),
                Arg::MaxAge { value, .. } => max_age = Some(check_max_age(value, &mut push)),
                Arg::Optional(span) => optional = Some(*span),
            }
            options_started = true;
        }

        if let Some(optional) = optional
            && (scopes.is_some() || roles.is_some())
        {
            push(syn::Error::new(
                optional,
                "`optional` cannot be combined with `scopes` or `roles`: a request without \
                 credentials has neither. Drop `optional`, or take `Option<Principal>` and \
                 check `principal.has_scope(..)` in the body",
            ));
        }

        if let Some(optional) = optional
            && (acr.is_some() || max_age.is_some())
        {
            push(syn::Error::new(
                optional,
                "`optional` cannot be combined with `acr` or `max_age`: a request without \
                 credentials has no authentication to step up. Drop `optional`, or take \
                 `Option<Principal>` and read its `acr` and `auth_time` claims in the body",
            ));
        }

        if let Some(errors) = errors {
            return Err(errors);
        }
        let step_up = (acr.is_some() || max_age.is_some()).then(|| StepUp {
            acr: acr.unwrap_or_default(),
            max_age: max_age.flatten(),
        });
        let mode = match (skip, optional) {
            (Some(skip), _) => Mode::Skip(skip),
            (None, Some(_)) => Mode::Optional,
            (None, None) => Mode::Required,
        };
        Ok(FinalConfig {
            krate: match krate {
                Some(path) => quote!(#path),
                None => quote!(::jwt_guard),
            },
            strategies,
            scopes,
            roles,
            step_up,
            mode,
            fallback: false,
        })
    }
}

fn skip_not_alone(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "`skip` cannot be combined with strategies or options: a skipped method is not \
         authenticated at all; write `#[authenticate(skip)]` alone",
    )
}

/// Empty lists, repeated items, and values that cannot be a scope or a role.
fn check_requirement(
    requirement: &Requirement,
    subject: Subject,
    push: &mut impl FnMut(syn::Error),
) {
    let (span, list) = match requirement {
        Requirement::One(value) => {
            if let Err(err) = check_value(value, subject) {
                push(err);
            }
            return;
        }
        Requirement::All { span, list } | Requirement::Any { span, list } => (*span, list),
    };
    if list.is_empty() {
        let what = subject.noun();
        push(syn::Error::new(
            span,
            format!(
                "empty {what} list: it would require nothing; list at least one {what}, or \
                 remove `{}`",
                subject.option()
            ),
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for item in list {
        if let Requirement::One(value) = item {
            if seen.contains(&value.value()) {
                push(syn::Error::new(
                    value.span(),
                    format!("{} \"{}\" is listed twice", subject.noun(), value.value()),
                ));
                continue;
            }
            seen.push(value.value());
        }
        check_requirement(item, subject, push);
    }
}

/// The values of `acr = ..`: one string, or `any(..)` of strings. An acr is one value
/// per token, so `all(..)` (and `[..]`, which means all) of several could never hold.
fn check_acr(requirement: &Requirement, push: &mut impl FnMut(syn::Error)) -> Vec<LitStr> {
    let list = match requirement {
        Requirement::One(value) => {
            if let Err(err) = check_value(value, Subject::Acr) {
                push(err);
            }
            return vec![value.clone()];
        }
        Requirement::All { span, .. } => {
            push(syn::Error::new(
                *span,
                "a token carries one acr value, so it cannot meet all of several: write \
                 `acr = any(..)` to accept any one of them, or `acr = \"..\"` for one",
            ));
            return Vec::new();
        }
        Requirement::Any { span, list } => {
            if list.is_empty() {
                push(syn::Error::new(
                    *span,
                    "empty acr list: it would accept no token; list at least one acr value, \
                     or remove `acr`",
                ));
            }
            list
        }
    };
    let mut values: Vec<LitStr> = Vec::new();
    for item in list {
        match item {
            Requirement::One(value) => {
                if values.iter().any(|v| v.value() == value.value()) {
                    push(syn::Error::new(
                        value.span(),
                        format!("acr value \"{}\" is listed twice", value.value()),
                    ));
                    continue;
                }
                if let Err(err) = check_value(value, Subject::Acr) {
                    push(err);
                }
                values.push(value.clone());
            }
            Requirement::All { span, .. } | Requirement::Any { span, .. } => {
                push(syn::Error::new(
                    *span,
                    "list the acr values directly: \
                     `acr = any(\"urn:example:mfa\", \"urn:example:hwk\")`",
                ));
            }
        }
    }
    values
}

/// The seconds of `max_age = "5m"`: a duration string in the humane form of
/// configuration files (`ms`, `s`, `m`, `h`, `d`), whole seconds, not zero.
fn check_max_age(value: &syn::Lit, push: &mut impl FnMut(syn::Error)) -> Option<u64> {
    let text = match value {
        syn::Lit::Str(text) => text,
        syn::Lit::Int(secs) => {
            push(syn::Error::new(
                secs.span(),
                format!(
                    "write the duration as a string with its unit: `max_age = \"{}s\"`",
                    secs.base10_digits()
                ),
            ));
            return None;
        }
        other => {
            push(syn::Error::new(
                other.span(),
                "expected a duration string, e.g. `max_age = \"5m\"` (units: s, m, h, d)",
            ));
            return None;
        }
    };
    let written = text.value();
    let result = match parse_millis(&written) {
        Err(Malformed) => Err(format!(
            "{written:?} is not a duration: write e.g. \"30s\", \"5m\" or \"1h30m\" (units: \
             ms, s, m, h, d)"
        )),
        Ok(None) => Err(format!("{written:?} is too long a duration")),
        Ok(Some(0)) => Err(format!(
            "max_age = {written:?} would refuse every token: give the longest time since \
             the user authenticated, e.g. \"5m\""
        )),
        Ok(Some(ms)) if ms % 1000 != 0 => Err(format!(
            "{written:?} is not a whole number of seconds (the challenge's max_age is in \
             seconds): write e.g. \"{}s\"",
            ms.div_ceil(1000)
        )),
        Ok(Some(ms)) => Ok(ms / 1000),
    };
    result
        .map_err(|message| push(syn::Error::new(text.span(), message)))
        .ok()
}

/// Text that is not a duration.
struct Malformed;

/// `"1h30m"` in milliseconds, as the runtime's `config::humane::parse` reads it:
/// numbers each followed by `ms`, `s`, `m` (or `min`), `h` or `d`. `Ok(None)` when the sum
/// overflows.
fn parse_millis(text: &str) -> Result<Option<u64>, Malformed> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(Malformed);
    }
    let mut total: Option<u64> = Some(0);
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or(Malformed)?;
        if digits == 0 {
            return Err(Malformed);
        }
        let value: Option<u64> = rest[..digits].parse().ok();
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit: u64 = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(Malformed),
        };
        let part = value.and_then(|v| v.checked_mul(unit));
        total = total.zip(part).and_then(|(t, p)| t.checked_add(p));
        rest = rest[unit_len..].trim_start();
    }
    Ok(total)
}

/// A scope is an RFC 6749 §3.3 scope token, and so is an acr value (they are
/// space-separated in a challenge); a role is any non-empty string.
fn check_value(value: &LitStr, subject: Subject) -> syn::Result<()> {
    let text = value.value();
    if text.is_empty() {
        return Err(syn::Error::new(
            value.span(),
            match subject {
                Subject::Acr => "an acr value must not be empty".to_owned(),
                _ => format!("a {} must not be empty", subject.noun()),
            },
        ));
    }
    let is_scope_token =
        |b: u8| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b);
    if matches!(subject, Subject::Acr) && !text.bytes().all(is_scope_token) {
        return Err(syn::Error::new(
            value.span(),
            format!(
                "\"{}\" is not an acr value: visible ASCII without spaces, `\"` or `\\` (the \
                 values are space-separated in the challenge's acr_values)",
                text.escape_default()
            ),
        ));
    }
    if matches!(subject, Subject::Scope) && !text.bytes().all(is_scope_token) {
        let hint = if text.contains(' ') {
            format!(
                "; for several scopes write a list: `[{}]`",
                text.split_whitespace()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        return Err(syn::Error::new(
            value.span(),
            format!(
                "\"{}\" is not a scope: a scope is visible ASCII without spaces, `\"` or `\\` \
                 (RFC 6749 §3.3){hint}",
                text.escape_default()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(src: &str) -> syn::Result<FinalConfig> {
        FinalConfig::from_tokens(src.parse().unwrap())
    }

    fn config(src: &str) -> FinalConfig {
        build(src).unwrap_or_else(|err| panic!("`{src}`: {err}"))
    }

    /// Every message, in order.
    fn errors(src: &str) -> Vec<String> {
        match build(src) {
            Ok(_) => panic!("`{src}` is valid"),
            Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn error(src: &str) -> String {
        let all = errors(src);
        assert_eq!(all.len(), 1, "{all:?}");
        all.into_iter().next().unwrap_or_default()
    }

    fn names(config: &FinalConfig) -> Vec<String> {
        config.strategies.iter().map(LitStr::value).collect()
    }

    /// A requirement back as text: `"a"`, `all("a", any("b"))`.
    fn show(requirement: &Requirement) -> String {
        match requirement {
            Requirement::One(value) => format!("{:?}", value.value()),
            Requirement::All { list, .. } | Requirement::Any { list, .. } => {
                let name = if matches!(requirement, Requirement::All { .. }) {
                    "all"
                } else {
                    "any"
                };
                let items: Vec<String> = list.iter().map(show).collect();
                format!("{name}({})", items.join(", "))
            }
        }
    }

    #[test]
    fn strategy_name_alone() {
        let config = config(r#""jwt""#);
        assert_eq!(names(&config), ["jwt"]);
        assert!(matches!(config.mode, Mode::Required));
        assert!(config.scopes.is_none() && config.roles.is_none() && !config.fallback);
        assert_eq!(config.krate.to_string(), ":: jwt_guard");
    }

    #[test]
    fn several_strategies_in_order() {
        let config = config(r#""jwt", "api-key", "basic", optional"#);
        assert_eq!(names(&config), ["jwt", "api-key", "basic"]);
        assert!(matches!(config.mode, Mode::Optional));
    }

    #[test]
    fn trailing_comma_and_crate_paths() {
        assert_eq!(names(&config(r#""jwt","#)), ["jwt"]);
        for (src, path) in [
            (r#""jwt", crate = "guard_rt","#, "guard_rt"),
            (
                r#""jwt", crate = "::my_app::reexports::jwt_guard""#,
                ":: my_app :: reexports :: jwt_guard",
            ),
            (
                r#""jwt", crate = ::my_app::jwt_guard"#,
                ":: my_app :: jwt_guard",
            ),
            (r#""jwt", crate = "crate::auth""#, "crate :: auth"),
        ] {
            assert_eq!(config(src).krate.to_string(), path, "{src}");
        }
        assert!(matches!(config("skip,").mode, Mode::Skip(_)));
    }

    #[test]
    fn requirements() {
        let config = config(
            r#""jwt", scopes = ["orders:read", "orders:write"], roles = any("admin", all("ops", "eu"))"#,
        );
        assert_eq!(
            show(config.scopes.as_ref().unwrap()),
            r#"all("orders:read", "orders:write")"#
        );
        assert_eq!(
            show(config.roles.as_ref().unwrap()),
            r#"any("admin", all("ops", "eu"))"#
        );
    }

    #[test]
    fn bad_requirements() {
        assert_eq!(
            error(r#""jwt", scopes = []"#),
            "empty scope list: it would require nothing; list at least one scope, or remove `scopes`"
        );
        assert_eq!(
            error(r#""jwt", roles = any()"#),
            "empty role list: it would require nothing; list at least one role, or remove `roles`"
        );
        assert_eq!(
            error(r#""jwt", scopes = ["a", "a"]"#),
            r#"scope "a" is listed twice"#
        );
        assert_eq!(
            error(r#""jwt", scopes = ["orders read"]"#),
            r#""orders read" is not a scope: a scope is visible ASCII without spaces, `"` or `\` (RFC 6749 §3.3); for several scopes write a list: `["orders", "read"]`"#
        );
        assert_eq!(error(r#""jwt", roles = [""]"#), "a role must not be empty");
        assert_eq!(
            error(r#""jwt", roles = any(all())"#).split(':').next(),
            Some("empty role list")
        );
    }

    #[test]
    fn step_up() {
        let both = config(r#""jwt", acr = any("urn:a", "urn:b"), max_age = "1h 30m""#);
        let step_up = both.step_up.as_ref().unwrap();
        let acr: Vec<String> = step_up.acr.iter().map(LitStr::value).collect();
        assert_eq!(acr, ["urn:a", "urn:b"]);
        assert_eq!(step_up.max_age, Some(5400));
        let one = config(r#""jwt", acr = "urn:a""#).step_up.unwrap();
        assert_eq!((one.acr.len(), one.max_age), (1, None));
        let age = config(r#""jwt", max_age = "2s""#).step_up.unwrap();
        assert_eq!((age.acr.len(), age.max_age), (0, Some(2)));
        assert!(config(r#""jwt""#).step_up.is_none());
    }

    #[test]
    fn bad_step_up() {
        assert!(error(r#""jwt", acr = all("a", "b")"#).starts_with("a token carries one acr"));
        assert!(error(r#""jwt", acr = ["a"]"#).starts_with("a token carries one acr"));
        assert!(error(r#""jwt", acr = any()"#).starts_with("empty acr list"));
        assert!(error(r#""jwt", acr = any(any("a"))"#).starts_with("list the acr values"));
        assert_eq!(
            error(r#""jwt", acr = any("a", "a")"#),
            r#"acr value "a" is listed twice"#
        );
        assert!(error(r#""jwt", acr = "urn a""#).starts_with(r#""urn a" is not an acr value"#));
        assert_eq!(
            error(r#""jwt", acr = """#),
            "an acr value must not be empty"
        );
        assert_eq!(
            error(r#""jwt", max_age = "5x""#),
            r#""5x" is not a duration: write e.g. "30s", "5m" or "1h30m" (units: ms, s, m, h, d)"#
        );
        assert!(error(r#""jwt", max_age = "0s""#).contains("would refuse every token"));
        assert!(error(r#""jwt", max_age = "0m 0s""#).contains("would refuse every token"));
        assert_eq!(
            error(r#""jwt", max_age = "99999999999999999d""#),
            r#""99999999999999999d" is too long a duration"#
        );
        assert_eq!(
            error(r#""jwt", max_age = "99999999999999999999s""#),
            r#""99999999999999999999s" is too long a duration"#
        );
        assert!(error(r#""jwt", max_age = "1500ms""#).ends_with(r#"write e.g. "2s""#));
        assert_eq!(
            error(r#""jwt", max_age = 300"#),
            r#"write the duration as a string with its unit: `max_age = "300s"`"#
        );
        assert!(error(r#""jwt", max_age = true"#).starts_with("expected a duration string"));
        assert!(
            error(r#""jwt", optional, acr = "a""#)
                .starts_with("`optional` cannot be combined with `acr` or `max_age`")
        );
        assert_eq!(
            error(r#""jwt", max_age = "1m", max_age = "2m""#),
            "`max_age` specified more than once"
        );
    }

    #[test]
    fn missing_name() {
        assert_eq!(error(""), EXPECTED_NAME);
        assert_eq!(error(r#"crate = "x""#), EXPECTED_NAME);
        assert_eq!(error(r#"scopes = ["read"]"#), EXPECTED_NAME);
        assert_eq!(error("optional"), EXPECTED_NAME);
    }

    #[test]
    fn names_first_not_empty_not_twice() {
        assert!(error(r#""""#).starts_with("the strategy name must not be empty"));
        assert!(error(r#""jwt", """#).starts_with("the strategy name must not be empty"));
        assert_eq!(
            error(r#""jwt", "api-key", "jwt""#),
            "strategy \"jwt\" is listed more than once; each strategy is tried once, in order"
        );
        assert_eq!(
            error(r#""jwt", optional, "basic""#),
            "strategy names come first: move this name before the options"
        );
    }

    #[test]
    fn repeated_option() {
        for option in [
            r#"crate = "a""#,
            "optional",
            r#"scopes = "a""#,
            r#"roles = "a""#,
        ] {
            let name = option.split(' ').next().unwrap_or_default();
            assert_eq!(
                error(&format!(r#""jwt", {option}, {option}"#)),
                format!("`{name}` specified more than once")
            );
        }
    }

    #[test]
    fn skip_stands_alone() {
        assert!(matches!(config("skip").mode, Mode::Skip(_)));
        assert!(config("skip").strategies.is_empty());
        let expected = "`skip` cannot be combined with strategies or options: a skipped method \
                        is not authenticated at all; write `#[authenticate(skip)]` alone";
        assert_eq!(error("skip, optional"), expected);
        assert_eq!(error(r#""jwt", skip"#), expected);
        assert_eq!(error(r#"skip, "jwt""#), expected);
    }

    #[test]
    fn optional_without_requirements() {
        assert!(
            error(r#""jwt", optional, scopes = ["a"]"#)
                .starts_with("`optional` cannot be combined with `scopes` or `roles`")
        );
    }

    #[test]
    fn every_misuse_is_reported() {
        assert_eq!(
            errors(r#""jwt", "jwt", scopes = [], optional, optional"#),
            [
                "strategy \"jwt\" is listed more than once; each strategy is tried once, in order",
                "empty scope list: it would require nothing; list at least one scope, or remove `scopes`",
                "`optional` specified more than once",
                "`optional` cannot be combined with `scopes` or `roles`: a request without \
                 credentials has neither. Drop `optional`, or take `Option<Principal>` and \
                 check `principal.has_scope(..)` in the body",
            ]
        );
    }
}
