//! The boxed future of the crate's object-safe traits ([`Strategy`](crate::Strategy),
//! [`ReplayStore`](crate::dpop::ReplayStore)): a leaf, so that a trait low in the crate
//! can name it without importing the strategies.

use std::future::Future;
use std::pin::Pin;

/// The boxed future a [`Strategy`](crate::Strategy) or a
/// [`ReplayStore`](crate::dpop::ReplayStore) returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A piece of work that several waiters share: [`spawn_shared`].
pub(crate) type SharedWork<T> =
    futures_util::future::Shared<BoxFuture<'static, Result<T, std::sync::Arc<str>>>>;

/// Runs `work` on a task of its own when a tokio runtime is there, so that it finishes
/// (and does its bookkeeping) whoever waits for it: a waiter cancelled changes nothing
/// for the others. Without a runtime it runs in place, driven by its waiters. A task
/// that panics or is cancelled (its runtime shutting down) ends in an error naming
/// `what`, never in a wedged wait. The key engine's fetches, the status lists' and the
/// introspection calls are each one such piece of work.
pub(crate) fn spawn_shared<T, F>(what: &'static str, work: F) -> SharedWork<T>
where
    T: Clone + Send + Sync + 'static,
    F: Future<Output = Result<T, std::sync::Arc<str>>> + Send + 'static,
{
    use futures_util::FutureExt as _;

    let future: BoxFuture<'static, Result<T, std::sync::Arc<str>>> =
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let task = runtime.spawn(work);
                Box::pin(async move {
                    task.await.unwrap_or_else(|e| {
                        let how = if e.is_panic() {
                            "panicked"
                        } else {
                            "was cancelled"
                        };
                        Err(std::sync::Arc::from(format!("the {what} task {how}")))
                    })
                })
            }
            Err(_) => Box::pin(work),
        };
    future.shared()
}
