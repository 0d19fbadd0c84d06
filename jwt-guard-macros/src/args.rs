//! Parse only: the tokens of `#[authenticate(...)]` into [`Args`], what was written, in
//! order and with spans. Whether it makes sense is [`config`](crate::config)'s business.
//!
//! ```text
//! #[authenticate("jwt")]
//! #[authenticate("jwt", "api-key")]
//! #[authenticate("jwt", scopes = ["orders:read"], roles = any("admin", "ops"))]
//! #[authenticate("jwt", acr = any("urn:example:mfa", "urn:example:hwk"), max_age = "5m")]
//! #[authenticate("jwt", optional)]
//! #[authenticate("jwt", crate = "::my_app::jwt_guard")]
//! #[authenticate(skip)]
//! ```

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Path, Token, bracketed, parenthesized};

/// The options accepted after the strategy names, in the order the docs list them.
pub(crate) const OPTIONS: &[&str] = &[
    "scopes", "roles", "acr", "max_age", "optional", "skip", "crate",
];

/// The error for a missing strategy name.
pub(crate) const EXPECTED_NAME: &str = "expected a strategy name, e.g. `#[authenticate(\"jwt\")]`";

/// Option keywords, peeked and parsed like `syn::custom_keyword!` tokens.
mod kw {
    pub(super) use syn::token::Crate;

    syn::custom_keyword!(scopes);
    syn::custom_keyword!(roles);
    syn::custom_keyword!(acr);
    syn::custom_keyword!(max_age);
    syn::custom_keyword!(optional);
    syn::custom_keyword!(skip);
    syn::custom_keyword!(all);
    syn::custom_keyword!(any);
}

/// `#[authenticate(...)]` as written: its comma-separated items, in order.
pub(crate) struct Args {
    pub(crate) items: Vec<Arg>,
}

/// One item of the attribute, with the span of its key (or of the literal).
pub(crate) enum Arg {
    /// `"jwt"`: a strategy name.
    Strategy(LitStr),
    /// `crate = "path"` or `crate = path`.
    Crate { key: Span, path: Path },
    /// `scopes = ..`.
    Scopes { key: Span, value: Requirement },
    /// `roles = ..`.
    Roles { key: Span, value: Requirement },
    /// `acr = ..`: written like a requirement; [`config`](crate::config) accepts one
    /// value or `any(..)`.
    Acr { key: Span, value: Requirement },
    /// `max_age = ..`: a literal; [`config`](crate::config) wants a duration string.
    MaxAge { key: Span, value: syn::Lit },
    /// `optional`.
    Optional(Span),
    /// `skip`.
    Skip(Span),
}

/// A scope or role requirement as written: `"a"`, `["a", "b"]`, `all(..)`, `any(..)`.
/// `span` is the brackets or the combinator's name, where an empty list is reported.
#[derive(Clone)]
pub(crate) enum Requirement {
    One(LitStr),
    All { span: Span, list: Vec<Requirement> },
    Any { span: Span, list: Vec<Requirement> },
}

impl Arg {
    /// Where the item is: its key, or the strategy name.
    pub(crate) fn span(&self) -> Span {
        match self {
            Self::Strategy(name) => name.span(),
            Self::Crate { key, .. }
            | Self::Scopes { key, .. }
            | Self::Roles { key, .. }
            | Self::Acr { key, .. }
            | Self::MaxAge { key, .. }
            | Self::Optional(key)
            | Self::Skip(key) => *key,
        }
    }

    /// The option's name, `None` for a strategy name.
    pub(crate) fn option(&self) -> Option<&'static str> {
        match self {
            Self::Strategy(_) => None,
            Self::Crate { .. } => Some("crate"),
            Self::Scopes { .. } => Some("scopes"),
            Self::Roles { .. } => Some("roles"),
            Self::Acr { .. } => Some("acr"),
            Self::MaxAge { .. } => Some("max_age"),
            Self::Optional(_) => Some("optional"),
            Self::Skip(_) => Some("skip"),
        }
    }

    /// One item. `first` is true for the first one, where a strategy name is expected and
    /// the errors say so.
    fn parse(input: ParseStream<'_>, first: bool) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return Ok(Self::Strategy(input.parse()?));
        }
        if input.peek(kw::skip) && !input.peek2(Token![=]) {
            return Ok(Self::Skip(input.parse::<kw::skip>()?.span));
        }
        if input.peek(kw::optional) {
            let key: kw::optional = input.parse()?;
            if input.peek(Token![=]) {
                return Err(syn::Error::new(
                    key.span,
                    "`optional` takes no value: write `#[authenticate(\"jwt\", optional)]`",
                ));
            }
            return Ok(Self::Optional(key.span));
        }
        if input.peek(kw::Crate) {
            let key: kw::Crate = input.parse()?;
            input.parse::<Token![=]>()?;
            let path = parse_crate_path(input)?;
            return Ok(Self::Crate {
                key: key.span,
                path,
            });
        }
        if input.peek(kw::scopes) {
            let key: kw::scopes = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = Requirement::parse_in(input, Subject::Scope)?;
            return Ok(Self::Scopes {
                key: key.span,
                value,
            });
        }
        if input.peek(kw::roles) {
            let key: kw::roles = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = Requirement::parse_in(input, Subject::Role)?;
            return Ok(Self::Roles {
                key: key.span,
                value,
            });
        }
        if input.peek(kw::acr) {
            let key: kw::acr = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = Requirement::parse_in(input, Subject::Acr)?;
            return Ok(Self::Acr {
                key: key.span,
                value,
            });
        }
        if input.peek(kw::max_age) {
            let key: kw::max_age = input.parse()?;
            input.parse::<Token![=]>()?;
            if !input.peek(syn::Lit) {
                return Err(input.error(
                    "expected a duration string, e.g. `max_age = \"5m\"` (units: s, m, h, d)",
                ));
            }
            return Ok(Self::MaxAge {
                key: key.span,
                value: input.parse()?,
            });
        }
        if first {
            return Err(not_a_strategy_name(input));
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
        Err(input.error(format!(
            "expected an option; the valid options are {}",
            list(OPTIONS)
        )))
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(Arg::parse(input, items.is_empty())?);
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(Self { items })
    }
}

/// Which option a requirement belongs to, for its messages.
#[derive(Clone, Copy)]
pub(crate) enum Subject {
    Scope,
    Role,
    Acr,
}

impl Subject {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Self::Scope => "scope",
            Self::Role => "role",
            Self::Acr => "acr value",
        }
    }

    pub(crate) fn option(self) -> &'static str {
        match self {
            Self::Scope => "scopes",
            Self::Role => "roles",
            Self::Acr => "acr",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::Scope => "scopes = [\"orders:read\"]",
            Self::Role => "roles = any(\"admin\", \"ops\")",
            Self::Acr => "acr = any(\"urn:example:mfa\", \"urn:example:hwk\")",
        }
    }
}

impl Requirement {
    /// `"a"`, `[..]`, `all(..)` or `any(..)`: the value of `scopes =` or `roles =`, and
    /// each item of a list.
    fn parse_in(input: ParseStream<'_>, subject: Subject) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return Ok(Self::One(input.parse()?));
        }
        if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            let list = Self::parse_list(&content, subject)?;
            return Ok(Self::All {
                span: bracket.span.join(),
                list,
            });
        }
        if (input.peek(kw::all) || input.peek(kw::any)) && input.peek2(syn::token::Paren) {
            let any = input.peek(kw::any);
            let keyword = input.call(Ident::parse_any)?;
            let content;
            parenthesized!(content in input);
            let list = Self::parse_list(&content, subject)?;
            let span = keyword.span();
            return Ok(if any {
                Self::Any { span, list }
            } else {
                Self::All { span, list }
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
        if let Subject::Acr = subject {
            return Err(input.error(format!(
                "expected an acr value (a string literal) or `any(..)` of them, e.g. `{}`",
                subject.example()
            )));
        }
        let what = subject.noun();
        Err(input.error(format!(
            "expected a {what} (a string literal), a list `[..]` (all of them), `all(..)` or \
             `any(..)`, e.g. `{}`",
            subject.example()
        )))
    }

    fn parse_list(content: ParseStream<'_>, subject: Subject) -> syn::Result<Vec<Self>> {
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(Self::parse_in(content, subject)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        Ok(items)
    }
}

/// The error for a first item that is not a strategy name (nor an option, which
/// [`config`](crate::config) reports as a missing name).
fn not_a_strategy_name(input: ParseStream<'_>) -> syn::Error {
    // An unknown option in first place: the name is missing, not misspelled.
    if input.peek(Ident::peek_any) && input.peek2(Token![=]) {
        return input.error(EXPECTED_NAME);
    }
    if input.peek(Ident::peek_any) {
        return match input.call(Ident::parse_any) {
            Ok(ident) => syn::Error::new(
                ident.span(),
                format!(
                    "the strategy name must be a string literal: `#[authenticate(\"{ident}\")]`"
                ),
            ),
            Err(err) => err,
        };
    }
    if input.peek(syn::Lit) {
        return match input.parse::<syn::Lit>() {
            Ok(lit) => syn::Error::new(
                lit.span(),
                "the strategy name must be a string literal, e.g. `#[authenticate(\"jwt\")]`",
            ),
            Err(err) => err,
        };
    }
    input.error(EXPECTED_NAME)
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
        ("acr_values", "acr"),
        ("acrs", "acr"),
        ("maxage", "max_age"),
        ("max_auth_age", "max_age"),
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

    fn error(src: &str) -> String {
        match syn::parse_str::<Args>(src) {
            Ok(args) => panic!("`{src}` parsed ({} items)", args.items.len()),
            Err(err) => err.to_string(),
        }
    }

    fn options(src: &str) -> Vec<&'static str> {
        let args: Args = syn::parse_str(src).unwrap();
        args.items
            .iter()
            .map(|arg| arg.option().unwrap_or("name"))
            .collect()
    }

    #[test]
    fn items_in_order_as_written() {
        assert_eq!(
            options(r#""jwt", "api-key", scopes = "a", optional, roles = [], crate = x, skip,"#),
            [
                "name", "name", "scopes", "optional", "roles", "crate", "skip"
            ]
        );
        // Misuse that is well-formed parses: `config` reports it.
        assert_eq!(
            options(r#"optional, "jwt", "jwt""#),
            ["optional", "name", "name"]
        );
        assert!(options("").is_empty());
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(error(r#""jwt" crate = "x""#), "expected `,`");
        assert_eq!(error(r#""jwt", crate"#), "expected `=`");
        assert_eq!(
            error(r#""jwt", optional = true"#),
            "`optional` takes no value: write `#[authenticate(\"jwt\", optional)]`"
        );
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
    fn first_item_must_be_a_name() {
        assert_eq!(error(r#"nope = "x""#), EXPECTED_NAME);
        assert_eq!(error(", crate"), EXPECTED_NAME);
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
    fn unknown_option() {
        assert_eq!(
            error(r#""jwt", scope = ["read"]"#),
            "unknown option `scope`; the valid options are `scopes`, `roles`, `acr`, \
             `max_age`, `optional`, `skip` and `crate`; did you mean `scopes`?"
        );
        assert!(error(r#""jwt", allowed_roles = "x""#).ends_with("did you mean `roles`?"));
        assert!(error(r#""jwt", optinal"#).ends_with("did you mean `optional`?"));
        assert!(error(r#""jwt", nope = 1"#).ends_with("`skip` and `crate`"));
        assert!(error(r#""jwt", 1"#).starts_with("expected an option; the valid options are"));
    }

    #[test]
    fn step_up_options_parse() {
        assert_eq!(
            options(r#""jwt", acr = any("a", "b"), max_age = "5m""#),
            ["name", "acr", "max_age"]
        );
        // A literal of the wrong kind parses: `config` says what to write.
        assert_eq!(options(r#""jwt", max_age = 300"#), ["name", "max_age"]);
        assert_eq!(
            error(r#""jwt", max_age = five"#),
            "expected a duration string, e.g. `max_age = \"5m\"` (units: s, m, h, d)"
        );
        assert!(
            error(r#""jwt", acr = urn"#).starts_with("expected an acr value (a string literal)")
        );
        assert!(error(r#""jwt", acr_values = "a""#).ends_with("did you mean `acr`?"));
        assert!(error(r#""jwt", maxage = "5m""#).ends_with("did you mean `max_age`?"));
    }

    #[test]
    fn bad_crate_value() {
        let expected = "expected the path of the jwt-guard crate, \
                        e.g. `crate = \"::my_app::jwt_guard\"`";
        assert_eq!(error(r#""jwt", crate = 1"#), expected);
        assert_eq!(error(r#""jwt", crate = "not a path""#), expected);
        assert_eq!(error(r#""jwt", crate = """#), expected);
        assert_eq!(error(r#""jwt", crate = "a::<T>""#), expected);
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
