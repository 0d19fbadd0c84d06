//! The boxed future of the crate's object-safe traits ([`Strategy`](crate::Strategy),
//! [`ReplayStore`](crate::dpop::ReplayStore)): a leaf, so that a trait low in the crate
//! can name it without importing the strategies.

use std::future::Future;
use std::pin::Pin;

/// The boxed future a [`Strategy`](crate::Strategy) or a
/// [`ReplayStore`](crate::dpop::ReplayStore) returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
