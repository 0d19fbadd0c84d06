//! Compile-time behaviour of `#[authenticate]`: what it accepts (`ui/pass`, compiled and
//! run) and how it refuses misuse (`ui/fail`, compared with the reviewed `.stderr`).
//!
//! Regenerate the expected output after a deliberate change, then review the diff:
//!
//! ```text
//! TRYBUILD=overwrite cargo test -p jwt-guard-tests --test ui
//! ```

use std::process::Command;

#[test]
fn ui() {
    // Compiler messages change between releases; the `.stderr` files are reviewed
    // against the stable toolchain only.
    if !stable_rustc() {
        eprintln!("skipping the ui tests: they are checked on the stable toolchain only");
        return;
    }
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}

/// False when `rustc --version` names a pre-release (`1.96.0-nightly`, `-beta.3`, `-dev`).
/// An unreadable version counts as stable: the tests run rather than pass unseen.
fn stable_rustc() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("--version").output() else {
        return true;
    };
    let version = String::from_utf8_lossy(&out.stdout);
    !version
        .split_whitespace()
        .nth(1)
        .is_some_and(|release| release.contains('-'))
}
