//! The arguments of `#[authenticate(...)]`: strategy names, then options.
//!
//! ```text
//! #[authenticate("jwt")]
//! #[authenticate("jwt", "api-key")]
//! #[authenticate("jwt", scopes = ["orders:read"], roles = any("admin", "ops"))]
//! #[authenticate("jwt", optional)]
//! #[authenticate("jwt", crate = "::my_app::jwt_guard")]
//! #[authenticate(skip)]
//! ```

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Path, Token, bracketed, parenthesized};

/// The options accepted after the strategy names, in the order the docs list them.
const OPTIONS: &[&str] = &["scopes", "roles", "optional", "skip", "crate"];

/// Option keywords, peeked and parsed like `syn::custom_keyword!` tokens.
mod kw {
    pub(super) use syn::token::Crate;

    syn::custom_keyword!(scopes);
    syn::custom_keyword!(roles);
    syn::custom_keyword!(optional);
    syn::custom_keyword!(skip);
    syn::custom_keyword!(all);
    syn::custom_keyword!(any);
}

/// Parsed `#[authenticate(...)]` arguments.
pub(crate) struct Args {
    /// The names the strategies are registered under, in the order they are tried.
    /// Empty only for `skip`.
    pub(crate) strategies: Vec<LitStr>,
    /// `crate = "path"`: where the runtime crate is, when it is renamed or re-exported.
    pub(crate) krate: Option<Path>,
    /// `scopes = ...`: scopes the token must grant.
    pub(crate) scopes: Option<Requirement>,
    /// `roles = ...`: roles the caller must have.
    pub(crate) roles: Option<Requirement>,
    /// `optional`: a request without credentials runs with no principal.
    pub(crate) optional: Option<kw::optional>,
    /// `skip`: exempts a method from the attribute of its impl block.
    pub(crate) skip: Option<kw::skip>,
    /// True for the stand-in arguments of [`Args::fallback`]: what the real ones said
    /// is unknown, so nothing is checked against them.
    pub(crate) fallback: bool,
}

/// A scope or role requirement as written: `"a"`, `["a", "b"]`, `all(..)`, `any(..)`.
#[derive(Clone)]
pub(crate) enum Requirement {
    One(LitStr),
    All(Vec<Requirement>),
    Any(Vec<Requirement>),
}

/// Which option a requirement belongs to, for its checks and messages.
#[derive(Clone, Copy)]
enum Subject {
    Scope,
    Role,
}

impl Args {
    /// Stand-in arguments for expanding the function when the real ones are invalid, so
    /// that one mistake in the attribute does not also break every use of the function.
    pub(crate) fn fallback() -> Self {
        Self {
            strategies: vec![LitStr::new("", Span::call_site())],
            krate: None,
            scopes: None,
            roles: None,
            optional: None,
            skip: None,
            fallback: true,
        }
    }

    /// The path of the runtime crate: `crate = "..."`, or `::jwt_guard`.
    pub(crate) fn krate(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path),
            None => quote!(::jwt_guard),
        }
    }

    /// Parses one option into `self`.
    fn parse_option(&mut self, input: ParseStream<'_>) -> syn::Result<()> {
        if input.peek(kw::Crate) {
            let key: kw::Crate = input.parse()?;
            if self.krate.is_some() {
                return Err(specified_twice(key.span, "crate"));
            }
            input.parse::<Token![=]>()?;
            self.krate = Some(parse_crate_path(input)?);
            return Ok(());
        }
        if input.peek(kw::scopes) {
            let key: kw::scopes = input.parse()?;
            if self.scopes.is_some() {
                return Err(specified_twice(key.span, "scopes"));
            }
            input.parse::<Token![=]>()?;
            self.scopes = Some(Requirement::parse_in(input, Subject::Scope)?);
            return Ok(());
        }
        if input.peek(kw::roles) {
            let key: kw::roles = input.parse()?;
            if self.roles.is_some() {
                return Err(specified_twice(key.span, "roles"));
            }
            input.parse::<Token![=]>()?;
            self.roles = Some(Requirement::parse_in(input, Subject::Role)?);
            return Ok(());
        }
        if input.peek(kw::optional) {
            let key: kw::optional = input.parse()?;
            if self.optional.is_some() {
                return Err(specified_twice(key.span, "optional"));
            }
            if input.peek(Token![=]) {
                return Err(syn::Error::new(
                    key.span,
                    "`optional` takes no value: write `#[authenticate(\"jwt\", optional)]`",
                ));
            }
            self.optional = Some(key);
            return Ok(());
        }
        if input.peek(kw::skip) {
            let key: kw::skip = input.parse()?;
            return Err(skip_not_alone(key.span));
        }
        // Not an option we know: name it in the error when it looks like one.
        if input.peek(Ident::peek_any) {
            let key = input.call(Ident::parse_any)?;
            let hint = match closest(&key.to_string()) {
                Some(option) => format!("; did you mean `{option}`?"),
                None => String::new(),
            };
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown option `{key}`; the valid options are {}{hint}",
                    list(OPTIONS)
                ),
            ));
        }
        if input.peek(LitStr) {
            let name: LitStr = input.parse()?;
            return Err(syn::Error::new(
                name.span(),
                "strategy names come first: move this name before the options",
            ));
        }
        Err(input.error(format!(
            "expected an option; the valid options are {}",
            list(OPTIONS)
        )))
    }

    /// Checks that hold between options.
    fn check(&self) -> syn::Result<()> {
        if let Some(optional) = &self.optional
            && (self.scopes.is_some() || self.roles.is_some())
        {
            return Err(syn::Error::new(
                optional.span,
                "`optional` cannot be combined with `scopes` or `roles`: a request without \
                 credentials has neither. Drop `optional`, or take `Option<Principal>` and \
                 check `principal.has_scope(..)` in the body",
            ));
        }
        Ok(())
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Self {
            strategies: Vec::new(),
            krate: None,
            scopes: None,
            roles: None,
            optional: None,
            skip: None,
            fallback: false,
        };
        // `skip` stands alone.
        if input.peek(kw::skip) && !input.peek2(Token![=]) {
            args.skip = Some(input.parse()?);
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
            if !input.is_empty() {
                return Err(skip_not_alone(input.span()));
            }
            return Ok(args);
        }
        args.strategies.push(parse_strategy_name(input)?);
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let options_started = args.krate.is_some()
                || args.scopes.is_some()
                || args.roles.is_some()
                || args.optional.is_some();
            if input.peek(LitStr) && !options_started {
                let name = parse_strategy_name(input)?;
                if args.strategies.iter().any(|n| n.value() == name.value()) {
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "strategy \"{}\" is listed more than once; each strategy is \
                             tried once, in order",
                            name.value()
                        ),
                    ));
                }
                args.strategies.push(name);
                continue;
            }
            args.parse_option(input)?;
        }
        args.check()?;
        Ok(args)
    }
}

impl Requirement {
    /// `"a"`, `[..]`, `all(..)` or `any(..)`: the value of `scopes =` or `roles =`, and
    /// each item of a list.
    fn parse_in(input: ParseStream<'_>, subject: Subject) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let value: LitStr = input.parse()?;
            subject.check(&value)?;
            return Ok(Self::One(value));
        }
        if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            let list = Self::parse_list(&content, subject, bracket.span.join())?;
            return Ok(Self::All(list));
        }
        if (input.peek(kw::all) || input.peek(kw::any)) && input.peek2(syn::token::Paren) {
            let any = input.peek(kw::any);
            let keyword = input.call(Ident::parse_any)?;
            let content;
            parenthesized!(content in input);
            let list = Self::parse_list(&content, subject, keyword.span())?;
            return Ok(if any {
                Self::Any(list)
            } else {
                Self::All(list)
            });
        }
        if input.peek(Ident::peek_any) && input.peek2(syn::token::Paren) {
            let keyword = input.call(Ident::parse_any)?;
            return Err(syn::Error::new(
                keyword.span(),
                format!(
                    "unknown combinator `{keyword}(..)`: the combinators are `all(..)` and \
                     `any(..)`, e.g. `{}`",
                    subject.example()
                ),
            ));
        }
        let what = subject.noun();
        Err(input.error(format!(
            "expected a {what} (a string literal), a list `[..]` (all of them), `all(..)` or \
             `any(..)`, e.g. `{}`",
            subject.example()
        )))
    }

    fn parse_list(
        content: ParseStream<'_>,
        subject: Subject,
        span: Span,
    ) -> syn::Result<Vec<Self>> {
        let mut items = Punctuated::<Self, Token![,]>::new();
        while !content.is_empty() {
            items.push_value(Self::parse_in(content, subject)?);
            if content.is_empty() {
                break;
            }
            items.push_punct(content.parse()?);
        }
        if items.is_empty() {
            let what = subject.noun();
            return Err(syn::Error::new(
                span,
                format!(
                    "empty {what} list: it would require nothing; list at least one {what}, \
                     or remove `{}`",
                    subject.option()
                ),
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for item in &items {
            if let Self::One(value) = item {
                if seen.contains(&value.value()) {
                    return Err(syn::Error::new(
                        value.span(),
                        format!("{} \"{}\" is listed twice", subject.noun(), value.value()),
                    ));
                }
                seen.push(value.value());
            }
        }
        Ok(items.into_iter().collect())
    }
}

impl Subject {
    fn noun(self) -> &'static str {
        match self {
            Self::Scope => "scope",
            Self::Role => "role",
        }
    }

    fn option(self) -> &'static str {
        match self {
            Self::Scope => "scopes",
            Self::Role => "roles",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::Scope => "scopes = [\"orders:read\"]",
            Self::Role => "roles = any(\"admin\", \"ops\")",
        }
    }

    /// A scope is an RFC 6749 §3.3 scope token; a role is any non-empty string.
    fn check(self, value: &LitStr) -> syn::Result<()> {
        let text = value.value();
        if text.is_empty() {
            return Err(syn::Error::new(
                value.span(),
                format!("a {} must not be empty", self.noun()),
            ));
        }
        let is_scope_token =
            |b: u8| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b);
        if matches!(self, Self::Scope) && !text.bytes().all(is_scope_token) {
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
}

/// A leading strategy name: a non-empty string literal.
fn parse_strategy_name(input: ParseStream<'_>) -> syn::Result<LitStr> {
    const EXPECTED: &str = "expected a strategy name, e.g. `#[authenticate(\"jwt\")]`";
    if input.is_empty() {
        // `#[authenticate]` or `#[authenticate()]`: the attribute itself is the culprit.
        return Err(syn::Error::new(Span::call_site(), EXPECTED));
    }
    if input.peek(LitStr) {
        let name: LitStr = input.parse()?;
        if name.value().is_empty() {
            return Err(syn::Error::new(
                name.span(),
                "the strategy name must not be empty; write the name the strategy is \
                 registered under, e.g. `#[authenticate(\"jwt\")]`",
            ));
        }
        return Ok(name);
    }
    // An option in first place: the name is missing, not misspelled.
    if input.peek(Ident::peek_any) && input.peek2(Token![=]) {
        return Err(input.error(EXPECTED));
    }
    if input.peek(kw::optional) {
        return Err(input.error(EXPECTED));
    }
    if input.peek(Ident::peek_any) {
        let ident = input.call(Ident::parse_any)?;
        return Err(syn::Error::new(
            ident.span(),
            format!("the strategy name must be a string literal: `#[authenticate(\"{ident}\")]`"),
        ));
    }
    if input.peek(syn::Lit) {
        let lit: syn::Lit = input.parse()?;
        return Err(syn::Error::new(
            lit.span(),
            "the strategy name must be a string literal, e.g. `#[authenticate(\"jwt\")]`",
        ));
    }
    Err(input.error(EXPECTED))
}

/// The value of `crate = "..."`: a path in a string literal, as serde and tokio take it,
/// or the bare path (what rustc suggests when the quoted one does not resolve).
fn parse_crate_path(input: ParseStream<'_>) -> syn::Result<Path> {
    const EXPECTED: &str = "expected the path of the jwt-guard crate, \
                            e.g. `crate = \"::my_app::jwt_guard\"`";
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        // Spanned on the literal, so the path resolves where the user wrote it.
        return lit
            .parse_with(Path::parse_mod_style)
            .map_err(|_| syn::Error::new(lit.span(), EXPECTED));
    }
    if input.peek(Token![::]) || input.peek(Ident::peek_any) {
        return input.call(Path::parse_mod_style);
    }
    Err(input.error(EXPECTED))
}

fn specified_twice(span: Span, option: &str) -> syn::Error {
    syn::Error::new(span, format!("`{option}` specified more than once"))
}

fn skip_not_alone(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "`skip` cannot be combined with strategies or options: a skipped method is not \
         authenticated at all; write `#[authenticate(skip)]` alone",
    )
}

/// The option `unknown` is most likely a misspelling of, if any.
fn closest(unknown: &str) -> Option<&'static str> {
    let unknown = unknown.to_ascii_lowercase();
    let aliases = [
        ("scope", "scopes"),
        ("scp", "scopes"),
        ("role", "roles"),
        ("allowed_roles", "roles"),
        ("allowedroles", "roles"),
        ("anonymous", "optional"),
    ];
    if let Some((_, option)) = aliases.iter().find(|(alias, _)| *alias == unknown) {
        return Some(option);
    }
    OPTIONS
        .iter()
        .copied()
        .map(|option| (distance(&unknown, option), option))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, option)| option)
}

/// Levenshtein distance, for short option names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`".
fn list(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|option| format!("`{option}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> syn::Result<Args> {
        syn::parse_str(src)
    }

    fn error(src: &str) -> String {
        match parse(src) {
            Ok(args) => panic!("`{src}` parsed ({} strategies)", args.strategies.len()),
            Err(err) => err.to_string(),
        }
    }

    fn names(args: &Args) -> Vec<String> {
        args.strategies.iter().map(LitStr::value).collect()
    }

    /// A requirement back as text: `"a"`, `all("a", any("b"))`.
    fn show(requirement: &Requirement) -> String {
        match requirement {
            Requirement::One(value) => format!("{:?}", value.value()),
            Requirement::All(list) | Requirement::Any(list) => {
                let name = if matches!(requirement, Requirement::All(_)) {
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
        let args = parse(r#""jwt""#).unwrap();
        assert_eq!(names(&args), ["jwt"]);
        assert!(args.krate.is_none() && args.scopes.is_none() && args.optional.is_none());
        assert_eq!(args.krate().to_string(), ":: jwt_guard");
    }

    #[test]
    fn several_strategies_in_order() {
        let args = parse(r#""jwt", "api-key", "basic", optional"#).unwrap();
        assert_eq!(names(&args), ["jwt", "api-key", "basic"]);
        assert!(args.optional.is_some());
    }

    #[test]
    fn trailing_comma_is_accepted() {
        assert_eq!(names(&parse(r#""jwt","#).unwrap()), ["jwt"]);
        let args = parse(r#""jwt", crate = "guard_rt","#).unwrap();
        assert_eq!(args.krate().to_string(), "guard_rt");
        assert!(parse("skip,").unwrap().skip.is_some());
    }

    #[test]
    fn crate_option_takes_a_path() {
        let args = parse(r#""jwt", crate = "::my_app::reexports::jwt_guard""#).unwrap();
        assert_eq!(
            args.krate().to_string(),
            ":: my_app :: reexports :: jwt_guard"
        );
    }

    #[test]
    fn requirements() {
        let args = parse(
            r#""jwt", scopes = ["orders:read", "orders:write"], roles = any("admin", all("ops", "eu"))"#,
        )
        .unwrap();
        assert_eq!(
            show(args.scopes.as_ref().unwrap()),
            r#"all("orders:read", "orders:write")"#
        );
        assert_eq!(
            show(args.roles.as_ref().unwrap()),
            r#"any("admin", all("ops", "eu"))"#
        );
        let args = parse(r#""jwt", roles = "admin", scopes = all("a",)"#).unwrap();
        assert_eq!(show(args.roles.as_ref().unwrap()), r#""admin""#);
        assert_eq!(show(args.scopes.as_ref().unwrap()), r#"all("a")"#);
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
            error(r#""jwt", scopes = none("a")"#),
            "unknown combinator `none(..)`: the combinators are `all(..)` and `any(..)`, e.g. \
             `scopes = [\"orders:read\"]`"
        );
        assert!(
            error(r#""jwt", roles = [admin]"#).starts_with("expected a role (a string literal)")
        );
        assert!(error(r#""jwt", roles = 1"#).starts_with("expected a role"));
    }

    #[test]
    fn missing_name() {
        let expected = "expected a strategy name, e.g. `#[authenticate(\"jwt\")]`";
        assert_eq!(error(""), expected);
        assert_eq!(error(r#"crate = "x""#), expected);
        assert_eq!(error(r#"scopes = ["read"]"#), expected);
        assert_eq!(error("optional"), expected);
        assert_eq!(error(", crate"), expected);
    }

    #[test]
    fn empty_name() {
        assert!(error(r#""""#).starts_with("the strategy name must not be empty"));
        assert!(error(r#""jwt", """#).starts_with("the strategy name must not be empty"));
    }

    #[test]
    fn name_that_is_not_a_string() {
        assert_eq!(
            error("jwt"),
            "the strategy name must be a string literal: `#[authenticate(\"jwt\")]`"
        );
        assert_eq!(
            error("42"),
            "the strategy name must be a string literal, e.g. `#[authenticate(\"jwt\")]`"
        );
        assert!(error("b\"jwt\"").starts_with("the strategy name must be a string literal"));
    }

    #[test]
    fn repeated_strategy() {
        assert_eq!(
            error(r#""jwt", "api-key", "jwt""#),
            "strategy \"jwt\" is listed more than once; each strategy is tried once, in order"
        );
    }

    #[test]
    fn unknown_option() {
        assert_eq!(
            error(r#""jwt", scope = ["read"]"#),
            "unknown option `scope`; the valid options are `scopes`, `roles`, `optional`, \
             `skip` and `crate`; did you mean `scopes`?"
        );
        assert!(error(r#""jwt", allowed_roles = "x""#).ends_with("did you mean `roles`?"));
        assert!(error(r#""jwt", optinal"#).ends_with("did you mean `optional`?"));
        assert!(error(r#""jwt", nope = 1"#).ends_with("`skip` and `crate`"));
        assert_eq!(
            error(r#""jwt", optional, "basic""#),
            "strategy names come first: move this name before the options"
        );
        assert!(error(r#""jwt", 1"#).starts_with("expected an option; the valid options are"));
    }

    #[test]
    fn repeated_option() {
        assert_eq!(
            error(r#""jwt", crate = "a", crate = "b""#),
            "`crate` specified more than once"
        );
        assert_eq!(
            error(r#""jwt", optional, optional"#),
            "`optional` specified more than once"
        );
        assert_eq!(
            error(r#""jwt", scopes = "a", scopes = "b""#),
            "`scopes` specified more than once"
        );
        assert_eq!(
            error(r#""jwt", optional = true"#),
            "`optional` takes no value: write `#[authenticate(\"jwt\", optional)]`"
        );
    }

    #[test]
    fn skip_stands_alone() {
        let args = parse("skip").unwrap();
        assert!(args.skip.is_some() && args.strategies.is_empty());
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
        assert!(
            parse(r#""jwt", "key", optional"#)
                .unwrap()
                .optional
                .is_some()
        );
    }

    #[test]
    fn crate_path_may_be_bare() {
        let args = parse(r#""jwt", crate = ::my_app::jwt_guard"#).unwrap();
        assert_eq!(args.krate().to_string(), ":: my_app :: jwt_guard");
        assert_eq!(
            parse(r#""jwt", crate = guard_rt"#)
                .unwrap()
                .krate()
                .to_string(),
            "guard_rt"
        );
    }

    #[test]
    fn bad_crate_value() {
        let expected = "expected the path of the jwt-guard crate, \
                        e.g. `crate = \"::my_app::jwt_guard\"`";
        assert_eq!(error(r#""jwt", crate = 1"#), expected);
        assert_eq!(error(r#""jwt", crate = "not a path""#), expected);
        assert_eq!(error(r#""jwt", crate = """#), expected);
        assert_eq!(error(r#""jwt", crate = "a::<T>""#), expected);
        assert_eq!(error(r#""jwt", crate"#), "expected `=`");
    }

    #[test]
    fn missing_comma() {
        assert_eq!(error(r#""jwt" crate = "x""#), "expected `,`");
    }

    #[test]
    fn crate_path_may_be_relative() {
        assert_eq!(
            parse(r#""jwt", crate = "crate::auth""#)
                .unwrap()
                .krate()
                .to_string(),
            "crate :: auth"
        );
    }

    #[test]
    fn near_misses() {
        assert_eq!(distance("scopes", "scopes"), 0);
        assert_eq!(distance("scoeps", "scopes"), 2);
        assert_eq!(closest("Scope"), Some("scopes"));
        assert_eq!(closest("skp"), Some("skip"));
        assert_eq!(closest("create"), Some("crate"));
        assert_eq!(closest("audience"), None);
    }

    #[test]
    fn lists_options_readably() {
        assert_eq!(list(&["crate"]), "`crate`");
        assert_eq!(list(&["crate", "skip"]), "`crate` and `skip`");
        assert_eq!(
            list(&["crate", "scopes", "skip"]),
            "`crate`, `scopes` and `skip`"
        );
    }
}
