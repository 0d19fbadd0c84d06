//! Expansion snapshots: the one description of what `#[authenticate]` generates.
//!
//! Each `tests/expand/<case>.rs` holds one item under `#[authenticate(..)]`; the test
//! expands it and compares the code, formatted by prettyplease, with
//! `tests/expand/snapshots/<case>.snap`. A mismatch fails. After a deliberate change,
//! review and accept the new expansions:
//!
//! ```text
//! INSTA_UPDATE=always cargo test -p jwt-guard-macros expansion_snapshots   # or cargo insta review
//! git diff jwt-guard-macros/tests/expand/snapshots
//! ```
//!
//! With `CI=true` insta never writes snapshots: a missing or different one is a failure.
//!
//! This file is a unit test of the macro crate (`expand` includes it), since a
//! proc-macro crate exports nothing else an integration test could call.

use std::path::Path;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use super::authenticate;

/// Splits `#[authenticate(args)] item` into `args` and `item`.
fn split(source: &str, case: &str) -> (TokenStream, TokenStream) {
    let tokens: TokenStream = source
        .parse()
        .unwrap_or_else(|err| panic!("{case}: does not lex: {err}"));
    let mut tokens = tokens.into_iter();
    let (Some(TokenTree::Punct(pound)), Some(TokenTree::Group(attr))) =
        (tokens.next(), tokens.next())
    else {
        panic!("{case}: must start with `#[authenticate(..)]`");
    };
    assert_eq!(pound.as_char(), '#', "{case}");
    assert_eq!(attr.delimiter(), Delimiter::Bracket, "{case}");
    let args = match attr.stream().into_iter().last() {
        Some(TokenTree::Group(args)) if args.delimiter() == Delimiter::Parenthesis => args.stream(),
        _ => TokenStream::new(),
    };
    (args, tokens.collect())
}

/// The expansion as a reader wants it: formatted by prettyplease, or, when it does not
/// parse (a body that does not parse yet), the raw tokens.
fn show(expanded: TokenStream) -> String {
    match syn::parse2::<syn::File>(expanded.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(err) => format!("// does not parse ({err}); the tokens as they are:\n{expanded}\n"),
    }
}

#[test]
fn expansion_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 13,
        "expected the expansion cases in {}",
        dir.display()
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for path in &cases {
            let case = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .unwrap_or_default()
                .to_owned();
            let source = std::fs::read_to_string(path).unwrap_or_default();
            let (args, item) = split(&source, &case);
            let mut settings = insta::Settings::clone_current();
            settings.set_input_file(path);
            settings.set_description(format!("#[authenticate] on tests/expand/{case}.rs"));
            settings.bind(|| insta::assert_snapshot!(case, show(authenticate(args, item))));
        }
    });
}
