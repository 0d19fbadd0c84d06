//! Test-only crate: see `ui.rs` and the end-to-end suites beside it. This library is
//! what the suites share (each suite is a test binary of its own and uses it as
//! `jwt_guard_tests::…`):
//!
//! - [`app`]: the `#[authenticate]` app of the axum and actix-web suites and its checks
//!   ([`shared_checks!`]); [`layered`]: the same app behind layers instead;
//! - [`client`]: the one HTTP client helper ([`client::get`], [`client::Answer`]);
//! - [`server::serve`]: an axum app on 127.0.0.1; [`runtime::on_own_runtime`]: a test
//!   environment that outlives each test's runtime;
//! - [`registry::offline`]: a registry of its own with one strategy;
//! - [`raw`]: a raw HTTP/1.1 client; [`rng`]: a seeded PRNG;
//!
//! [`install`]: the suites that talk to clients and servers we did not write (npm, PyPI,
//! Debian's `redis-server`) install them on first use, with the same scripts `.ci/run`
//! calls, so `cargo test --workspace --all-features` runs every suite on a fresh machine.
//! A suite whose helper cannot be had fails, naming the command that installs it: no
//! suite passes by skipping.

pub mod app;
pub mod client;
pub mod layered;
pub mod raw;
pub mod registry;
pub mod rng;
pub mod runtime;
pub mod server;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Runs `tests/<name>/setup.sh` (idempotent; it takes a lock of its own, so parallel test
/// processes wait for one install) once per test process, and returns the folder it
/// installed into under `target/`.
///
/// # Panics
///
/// When the script fails: the message names the script and what it printed, which says
/// what to install by hand (node/npm, python3, or `apt-get install redis-server`).
pub fn install(name: &str) -> PathBuf {
    static DONE: Mutex<Option<HashMap<String, Result<(), String>>>> = Mutex::new(None);
    let mut done = DONE.lock().unwrap_or_else(PoisonError::into_inner);
    let result = done
        .get_or_insert_with(HashMap::new)
        .entry(name.to_owned())
        .or_insert_with(|| run_setup(name))
        .clone();
    if let Err(why) = result {
        panic!(
            "{name}: its helper could not be installed, so the suite cannot run.\n\
             Install it with `bash tests/{name}/setup.sh` (it needs {}).\n{why}",
            needs(name)
        );
    }
    target_dir().join(name)
}

/// What each setup script needs from the machine.
fn needs(name: &str) -> &'static str {
    match name {
        "redis" => "root and apt-get, or Debian's redis-server installed by hand",
        "grpc-interop" | "openapi-validator" => "python3 with venv and pip, and PyPI",
        "node-signers" => "node 18 or later (no npm package)",
        _ => "node and npm, and the npm registry",
    }
}

fn run_setup(name: &str) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(name)
        .join("setup.sh");
    let output = std::process::Command::new("bash")
        .arg(&script)
        .env("JWT_GUARD_TARGET_DIR", target_dir())
        .output()
        .map_err(|err| format!("could not run {}: {err}", script.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        eprint!("{text}");
        Ok(())
    } else {
        Err(format!(
            "{} failed ({}):\n{text}",
            script.display(),
            output.status
        ))
    }
}

/// The workspace's `target/` (or `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Everything a test binary's `tracing` subscriber wrote, for the suites that read their
/// own logs (`log_hygiene`, `log_bounds`): install it with
/// `tracing_subscriber::fmt().with_writer(|| LogCapture)`, read it with [`captured_logs`].
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// A writer that appends to this binary's captured logs.
#[derive(Debug, Clone, Copy)]
pub struct LogCapture;

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What [`LogCapture`] has captured so far in this binary.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
}
