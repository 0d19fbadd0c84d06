//! Framework integrations, each behind its feature. Everything else in the crate uses
//! `http` types only. The public ones are re-exported at the crate root under their
//! public names (`axum`, `actix`, `tower`, `tonic`).

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "tonic")]
pub mod grpc;
#[cfg(feature = "mtls")]
pub mod tls;
#[cfg(feature = "tower")]
pub mod tower;

/// The client certificate of the request's connection, where its server put one in the
/// extensions: a [`ClientCertificate`](crate::mtls::ClientCertificate) itself, or (feature
/// `mtls`) the axum connect info of [`tls::TlsListener`].
#[cfg(any(feature = "axum", feature = "tower"))]
pub(crate) fn client_certificate(
    extensions: &http::Extensions,
) -> Option<&crate::mtls::ClientCertificate> {
    if let Some(cert) = extensions.get::<crate::mtls::ClientCertificate>() {
        return Some(cert);
    }
    #[cfg(feature = "mtls")]
    if let Some(info) = extensions.get::<::axum::extract::ConnectInfo<tls::TlsConnectInfo>>() {
        return info.0.client_certificate();
    }
    None
}
