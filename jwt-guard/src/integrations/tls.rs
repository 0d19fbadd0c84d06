//! Mutual TLS for axum (feature `mtls`): a [`Listener`](axum::serve::Listener) serving
//! over rustls, and the connect info that carries each connection's client certificate
//! to the attribute and the tower layer.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use axum::{Router, routing::get};
//! use jwt_guard::axum::tls::{TlsConnectInfo, TlsListener, rustls};
//!
//! # async fn run(config: rustls::ServerConfig) -> std::io::Result<()> {
//! // `config` asks for client certificates: `WebPkiClientVerifier::builder(roots)`,
//! // with `.allow_unauthenticated()` where clients without one may still call.
//! let listener = TlsListener::bind("127.0.0.1:8443", Arc::new(config)).await?;
//! let app = Router::new().route("/", get(|| async { "ok" }));
//! axum::serve(listener, app.into_make_service_with_connect_info::<TlsConnectInfo>()).await
//! # }
//! ```
//!
//! Each TLS handshake runs in a task of its own, under a
//! [timeout](TlsListener::handshake_timeout) and at most
//! [`MAX_PENDING_HANDSHAKES`] at once, so a slow client holds up no other connection.
//! The client certificate is hashed once per connection, when axum asks for its
//! [`TlsConnectInfo`]; every request on it carries a clone.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::mtls::ClientCertificate;

/// The rustls crate this listener is built on: build its `ServerConfig` with it.
pub use tokio_rustls::rustls;

/// How long a TLS handshake may take by default: 10 seconds.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many TLS handshakes may run at once; further connections wait in the kernel's
/// accept queue until one ends.
pub const MAX_PENDING_HANDSHAKES: usize = 1024;

/// A TCP listener that serves TLS with a rustls configuration: hand it to `axum::serve`,
/// with [`TlsConnectInfo`] as the connect info when certificate-bound tokens are checked.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: JoinSet<Option<(TlsStream<TcpStream>, SocketAddr)>>,
    handshake_timeout: Duration,
}

impl TlsListener {
    /// Serves TLS on a bound TCP listener. `config` must ask for client certificates
    /// (a client certificate verifier) for the binding to be checked.
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> Self {
        Self {
            tcp,
            acceptor: TlsAcceptor::from(config),
            handshakes: JoinSet::new(),
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    /// Binds `addr` and serves TLS on it.
    pub async fn bind(
        addr: impl ToSocketAddrs,
        config: Arc<rustls::ServerConfig>,
    ) -> io::Result<Self> {
        Ok(Self::new(TcpListener::bind(addr).await?, config))
    }

    /// How long a TLS handshake may take before the connection is dropped. Defaults to
    /// [`DEFAULT_HANDSHAKE_TIMEOUT`].
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }
}

impl std::fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListener")
            .field("local_addr", &self.tcp.local_addr().ok())
            .field("pending_handshakes", &self.handshakes.len())
            .field("handshake_timeout", &self.handshake_timeout)
            .finish_non_exhaustive()
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                accepted = self.tcp.accept(), if self.handshakes.len() < MAX_PENDING_HANDSHAKES => {
                    match accepted {
                        Ok((tcp, addr)) => {
                            let acceptor = self.acceptor.clone();
                            let timeout = self.handshake_timeout;
                            self.handshakes.spawn(handshake(acceptor, tcp, addr, timeout));
                        }
                        Err(err) => accept_error(err).await,
                    }
                }
                Some(done) = self.handshakes.join_next(), if !self.handshakes.is_empty() => {
                    if let Ok(Some(connection)) = done {
                        return connection;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// One TLS handshake, under its timeout; a failure is logged and the connection dropped.
async fn handshake(
    acceptor: TlsAcceptor,
    tcp: TcpStream,
    addr: SocketAddr,
    timeout: Duration,
) -> Option<(TlsStream<TcpStream>, SocketAddr)> {
    match tokio::time::timeout(timeout, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => Some((tls, addr)),
        Ok(Err(err)) => {
            tracing::debug!(%addr, error = %err, "tls handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%addr, "tls handshake timed out");
            None
        }
    }
}

/// As axum's own listener: a connection error is the client's; anything else (out of
/// file descriptors) is logged and retried after a second.
async fn accept_error(err: io::Error) {
    if matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %err, "accept error");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// What a TLS connection tells each of its requests: the peer's address and the client
/// certificate it presented (the leaf, hashed once per connection). Serve with
/// `into_make_service_with_connect_info::<TlsConnectInfo>()`: the `#[authenticate]`
/// extractor and the tower layer read it from the request's extensions, as
/// `axum::extract::ConnectInfo<TlsConnectInfo>` does for a handler.
#[derive(Debug, Clone)]
pub struct TlsConnectInfo {
    remote_addr: SocketAddr,
    client_certificate: Option<ClientCertificate>,
}

impl TlsConnectInfo {
    /// The peer's address.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote_addr
    }

    /// The client certificate the peer presented, if any.
    pub fn client_certificate(&self) -> Option<&ClientCertificate> {
        self.client_certificate.as_ref()
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for TlsConnectInfo {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        let (_, connection) = stream.io().get_ref();
        let client_certificate = connection
            .peer_certificates()
            .and_then(<[_]>::first)
            .map(|der| ClientCertificate::from_der(der.as_ref()));
        Self {
            remote_addr: *stream.remote_addr(),
            client_certificate,
        }
    }
}
