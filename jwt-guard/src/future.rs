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

/// An outcome that is either known without waiting (a token-cache hit, a refusal before
/// any key is needed) or still being worked out (boxed). The built-in strategy returns
/// it so that a cache hit builds no future at all: nothing to allocate, nothing to move
/// through the layers of futures above it (the registry's, the span's). `.await` it, or
/// look at it first.
pub(crate) enum Pending<'a, T> {
    /// Decided.
    Ready(T),
    /// Still running.
    Running(BoxFuture<'a, T>),
}

impl<'a, T> std::future::IntoFuture for Pending<'a, T> {
    type Output = T;
    type IntoFuture = futures_util::future::Either<std::future::Ready<T>, BoxFuture<'a, T>>;

    fn into_future(self) -> Self::IntoFuture {
        match self {
            Self::Ready(value) => futures_util::future::Either::Left(std::future::ready(value)),
            Self::Running(future) => futures_util::future::Either::Right(future),
        }
    }
}
