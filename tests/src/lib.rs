//! Test-only crate: see `ui.rs` and the end-to-end suites beside it.
