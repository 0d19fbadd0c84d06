//! The arguments of `#[authenticate(...)]`: a strategy name, then `key = value` options.
//!
//! ```text
//! #[authenticate("jwt")]
//! #[authenticate("jwt", crate = "::my_app::jwt_guard")]
//! ```

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Path, Token};

/// The options accepted after the strategy name, in the order the docs list them.
const OPTIONS: &[&str] = &["crate"];

/// Option keywords, peeked and parsed like `syn::custom_keyword!` tokens.
///
/// `crate` is a Rust keyword, so syn already has a token for it. Options without one
/// (`scopes`, `roles`, `optional`, `skip`) get a `syn::custom_keyword!` here, a branch in
/// [`Args::parse_option`] and an entry in `OPTIONS`.
mod kw {
    pub(super) use syn::token::Crate;
}

/// Parsed `#[authenticate(...)]` arguments.
pub(crate) struct Args {
    /// The name the strategy is registered under.
    pub(crate) strategy: LitStr,
    /// `crate = "path"`: where the runtime crate is, when it is renamed or re-exported.
    pub(crate) krate: Option<Path>,
}

impl Args {
    /// Stand-in arguments for expanding the function when the real ones are invalid, so
    /// that one mistake in the attribute does not also break every use of the function.
    pub(crate) fn fallback() -> Self {
        Self {
            strategy: LitStr::new("", Span::call_site()),
            krate: None,
        }
    }

    /// The path of the runtime crate: `crate = "..."`, or `::jwt_guard`.
    pub(crate) fn krate(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path),
            None => quote!(::jwt_guard),
        }
    }

    /// Parses one `key = value` option into `self`.
    fn parse_option(&mut self, input: ParseStream<'_>) -> syn::Result<()> {
        if input.peek(kw::Crate) {
            let key: kw::Crate = input.parse()?;
            if self.krate.is_some() {
                return Err(syn::Error::new(
                    key.span,
                    "`crate` specified more than once",
                ));
            }
            input.parse::<Token![=]>()?;
            self.krate = Some(parse_crate_path(input)?);
            return Ok(());
        }
        // Not an option we know: name it in the error when it looks like one.
        if input.peek(Ident::peek_any) {
            let key = input.call(Ident::parse_any)?;
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown option `{key}`; the valid options are {}",
                    list(OPTIONS)
                ),
            ));
        }
        let message = if input.peek(LitStr) {
            "only one strategy name is supported"
        } else {
            "expected an option"
        };
        Err(input.error(format!(
            "{message}; the valid options are {}",
            list(OPTIONS)
        )))
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Self {
            strategy: parse_strategy_name(input)?,
            krate: None,
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            args.parse_option(input)?;
        }
        Ok(args)
    }
}

/// The leading strategy name: a non-empty string literal.
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
            Ok(args) => panic!("`{src}` parsed as `{}`", args.strategy.value()),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn strategy_name_alone() {
        let args = parse(r#""jwt""#).unwrap();
        assert_eq!(args.strategy.value(), "jwt");
        assert!(args.krate.is_none());
        assert_eq!(args.krate().to_string(), ":: jwt_guard");
    }

    #[test]
    fn trailing_comma_is_accepted() {
        assert_eq!(parse(r#""jwt","#).unwrap().strategy.value(), "jwt");
        let args = parse(r#""jwt", crate = "guard_rt","#).unwrap();
        assert_eq!(args.krate().to_string(), "guard_rt");
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
    fn missing_name() {
        let expected = "expected a strategy name, e.g. `#[authenticate(\"jwt\")]`";
        assert_eq!(error(""), expected);
        assert_eq!(error(r#"crate = "x""#), expected);
        assert_eq!(error(r#"scopes = ["read"]"#), expected);
        assert_eq!(error(", crate"), expected);
    }

    #[test]
    fn empty_name() {
        assert!(error(r#""""#).starts_with("the strategy name must not be empty"));
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
    fn unknown_option() {
        assert_eq!(
            error(r#""jwt", scopes = ["read"]"#),
            "unknown option `scopes`; the valid options are `crate`"
        );
        assert_eq!(
            error(r#""jwt", optional"#),
            "unknown option `optional`; the valid options are `crate`"
        );
        assert_eq!(
            error(r#""jwt", "basic""#),
            "only one strategy name is supported; the valid options are `crate`"
        );
        assert_eq!(
            error(r#""jwt", 1"#),
            "expected an option; the valid options are `crate`"
        );
    }

    #[test]
    fn repeated_option() {
        assert_eq!(
            error(r#""jwt", crate = "a", crate = "b""#),
            "`crate` specified more than once"
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
    fn lists_options_readably() {
        assert_eq!(list(&["crate"]), "`crate`");
        assert_eq!(list(&["crate", "skip"]), "`crate` and `skip`");
        assert_eq!(
            list(&["crate", "scopes", "skip"]),
            "`crate`, `scopes` and `skip`"
        );
    }
}
