//! A test environment (servers on 127.0.0.1) that outlives any one test: each
//! `#[tokio::test]` has its own runtime, so the servers run on one of their own.

use std::future::Future;

/// Runs `start` on a new multi-threaded runtime in a thread of its own, returns what it
/// built, and keeps that runtime (and the tasks `start` spawned) alive for the process.
pub fn on_own_runtime<T, Fut>(start: impl FnOnce() -> Fut + Send + 'static) -> T
where
    T: Send + 'static,
    Fut: Future<Output = T>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let env = runtime.block_on(start());
        tx.send(env).expect("send");
        runtime.block_on(std::future::pending::<()>());
    });
    rx.recv().expect("the test environment failed to start")
}
