//! What a strategy sees of a request: its headers and, where the integration knows them,
//! its method and URI (DPoP proofs are bound to both) and the client certificate of its
//! connection (certificate-bound tokens).

use http::{HeaderMap, Method, Uri};

use crate::mtls::ClientCertificate;

/// The parts of a request a [`Strategy`](crate::Strategy) may read.
///
/// The axum extractor of `#[authenticate]`, the tower layer and the actix-web middleware
/// fill in the method and URI; a handler that hands its own `HeaderMap` to the attribute
/// provides headers only, and a DPoP proof cannot be checked there (it is refused with a
/// 500 naming the mistake). The same integrations add the client certificate of the
/// connection, when the request's extensions hold one (see [`mtls`](crate::mtls)).
#[derive(Debug, Clone, Copy)]
pub struct RequestInfo<'a> {
    headers: &'a HeaderMap,
    method: Option<&'a Method>,
    uri: Option<&'a Uri>,
    client_certificate: Option<&'a ClientCertificate>,
}

impl<'a> RequestInfo<'a> {
    /// A request of which only the headers are known.
    pub fn from_headers(headers: &'a HeaderMap) -> Self {
        Self {
            headers,
            method: None,
            uri: None,
            client_certificate: None,
        }
    }

    /// A request with its method and URI (the request target as received: origin form
    /// `/path?query`, or absolute).
    pub fn new(headers: &'a HeaderMap, method: &'a Method, uri: &'a Uri) -> Self {
        Self {
            headers,
            method: Some(method),
            uri: Some(uri),
            client_certificate: None,
        }
    }

    /// The request headers.
    pub fn headers(&self) -> &'a HeaderMap {
        self.headers
    }

    /// The request method, when the integration knows it.
    pub fn method(&self) -> Option<&'a Method> {
        self.method
    }

    /// The request URI, when the integration knows it.
    pub fn uri(&self) -> Option<&'a Uri> {
        self.uri
    }

    /// The same request, made over a connection whose client presented `certificate`
    /// (mutual TLS), or `None` for none.
    pub fn with_client_certificate(mut self, certificate: Option<&'a ClientCertificate>) -> Self {
        self.client_certificate = certificate;
        self
    }

    /// The client certificate of the connection, when the integration knows one.
    pub fn client_certificate(&self) -> Option<&'a ClientCertificate> {
        self.client_certificate
    }
}
