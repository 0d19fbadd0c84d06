//! Serving an app under test on 127.0.0.1.

use std::net::SocketAddr;

/// Serves `app` on a free port of 127.0.0.1, in a task of the current runtime, and
/// returns its address.
///
/// # Panics
///
/// When no port can be bound.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}
