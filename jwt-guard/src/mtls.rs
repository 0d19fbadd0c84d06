//! Certificate-bound access tokens (RFC 8705 §3): a token whose `cnf` holds `x5t#S256`
//! is accepted only from a client that presents the certificate with that thumbprint.
//!
//! Opt-in per strategy with
//! [`JwtStrategyBuilder::mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens):
//! [`MtlsConfig::allowed`] (certificate-bound and plain bearer tokens) or
//! [`MtlsConfig::required`] (every token must be bound to the client's certificate).
//! Without it, a certificate-bound token is refused as
//! [`TokenError::UnsupportedConfirmation`](crate::TokenError::UnsupportedConfirmation):
//! a binding that is not checked is not accepted.
//!
//! The certificate comes from the connection: the integration puts a
//! [`ClientCertificate`] in the [`RequestInfo`](crate::RequestInfo) from the request's
//! extensions (the `mtls` feature's `axum::tls::TlsListener` does it for axum and the
//! tower layer; `actix` and `tonic` read their own TLS connection), its thumbprint
//! computed once per connection. Behind a TLS-terminating proxy, the proxy forwards the
//! certificate in the RFC 9440 `Client-Cert` header, read only when the strategy names
//! the proxy as trusted ([`MtlsConfig::trust_client_cert_header`]); otherwise the header
//! is never used and cannot satisfy a binding.
//!
//! The rule (one place, the strategy's confirmation check):
//!
//! | token's `cnf` | certificate of the request | answer |
//! |---|---|---|
//! | `x5t#S256` = its thumbprint | present | accepted; [`Principal::certificate_thumbprint`](crate::Principal::certificate_thumbprint) |
//! | `x5t#S256` | another one | 401 `invalid_token`, reason `certificate_mismatch` |
//! | `x5t#S256` | none | 401 `invalid_token`, reason `certificate_missing` |
//! | none | any | accepted (as Spring Security does), or with [`MtlsConfig::required`] 401 `invalid_token`, reason `certificate_binding_required` |
//!
//! With DPoP on the same strategy, a `DPoP` request is checked DPoP first (as Auth0
//! does): the proof, then the token and its certificate binding, then the proof key
//! against `cnf.jkt`. A token bound to both (`jkt` and `x5t#S256`) needs both; one bound
//! to a certificate only is not a DPoP token (`dpop_token_not_bound`).

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::HeaderMap;

/// The RFC 9440 header a TLS-terminating proxy forwards the client certificate in.
pub const CLIENT_CERT_HEADER: &str = "client-cert";

/// The largest `Client-Cert` value read: 16 KiB (a certificate of a few kilobytes, in
/// base64). A longer one is malformed.
pub const MAX_CLIENT_CERT_HEADER_BYTES: usize = 16 * 1024;

/// The SHA-256 thumbprint of a DER certificate: what `cnf.x5t#S256` names.
pub(crate) type Thumbprint = [u8; 32];

/// The client certificate of a connection (its DER encoding) and its SHA-256 thumbprint,
/// computed once when the value is made — once per connection by the TLS listeners.
///
/// Cheap to clone (the DER is shared). An integration puts it in the request's
/// extensions; a custom server can too:
///
/// ```
/// # let der: Vec<u8> = vec![0x30, 0x00];
/// let cert = jwt_guard::mtls::ClientCertificate::from_der(der);
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(cert);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    der: Arc<[u8]>,
    thumbprint: Thumbprint,
}

impl ClientCertificate {
    /// The certificate of these DER bytes (the leaf the client presented), hashed now.
    pub fn from_der(der: impl Into<Arc<[u8]>>) -> Self {
        let der = der.into();
        Self {
            thumbprint: sha256(&der),
            der,
        }
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The SHA-256 thumbprint of the DER encoding.
    pub fn thumbprint(&self) -> &[u8; 32] {
        &self.thumbprint
    }

    /// The thumbprint in base64url without padding: the `x5t#S256` of a token bound to
    /// this certificate (RFC 8705 §3.1).
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.thumbprint)
    }
}

impl fmt::Debug for ClientCertificate {
    /// The thumbprint only: never the certificate.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t#S256", &self.x5t_s256())
            .finish_non_exhaustive()
    }
}

/// Certificate-bound tokens (RFC 8705) for a strategy:
/// [`JwtStrategyBuilder::mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens).
///
/// ```
/// # fn main() -> Result<(), jwt_guard::ConfigError> {
/// use jwt_guard::mtls::MtlsConfig;
///
/// let strategy = jwt_guard::JwtStrategy::builder()
///     .issuer("https://issuer.example")
///     .mtls_bound_tokens(MtlsConfig::allowed())
///     .build()?;
/// # let _ = strategy;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct MtlsConfig {
    required: bool,
    trust_client_cert_header: bool,
}

impl MtlsConfig {
    /// Certificate-bound tokens are checked against the client's certificate, and tokens
    /// without `cnf` are still accepted as bearer tokens (Spring Security's default).
    pub fn allowed() -> Self {
        Self::default()
    }

    /// Every token must be bound to the client's certificate: one without `cnf.x5t#S256`
    /// is refused (`certificate_binding_required`).
    pub fn required() -> Self {
        Self {
            required: true,
            ..Self::default()
        }
    }

    /// Reads the client certificate from the RFC 9440 `Client-Cert` header, set by a
    /// TLS-terminating proxy in front of the service, instead of from the connection
    /// (whose certificate, if any, is the proxy's). **Only** behind a proxy that removes
    /// any `Client-Cert` a client sends and sets its own: otherwise a client could name
    /// any certificate. Off by default: the header is then never used, and a request
    /// carrying it cannot satisfy a binding. A malformed header (not one structured-field
    /// byte sequence `:base64:` of a DER `SEQUENCE`, or repeated, or over
    /// [`MAX_CLIENT_CERT_HEADER_BYTES`]) is a 401 `invalid_request`. Strict on purpose:
    /// the standard alphabet with its `=` padding, as RFC 8941 serializers write it (the
    /// leniency RFC 8941 §4.2.7 allows parsers is not taken: a proxy's value is exact or
    /// refused, never guessed), and no parameters.
    pub fn trust_client_cert_header(mut self) -> Self {
        self.trust_client_cert_header = true;
        self
    }

    /// True for [`required`](Self::required).
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// True with [`trust_client_cert_header`](Self::trust_client_cert_header).
    pub fn trusts_client_cert_header(&self) -> bool {
        self.trust_client_cert_header
    }

    /// The thumbprint of the certificate this request presents, as this configuration
    /// reads it: the trusted header's, else the connection's.
    pub(crate) fn presented(
        &self,
        headers: &HeaderMap,
        connection: Option<&ClientCertificate>,
    ) -> Result<Option<Thumbprint>, MalformedClientCert> {
        if self.trust_client_cert_header {
            return client_cert_header(headers);
        }
        if headers.contains_key(CLIENT_CERT_HEADER) {
            tracing::debug!(
                "a Client-Cert header was ignored: this strategy does not trust a proxy to set it"
            );
        }
        Ok(connection.map(|cert| cert.thumbprint))
    }
}

/// The `Client-Cert` header is not one well-formed RFC 9440 value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MalformedClientCert;

/// The thumbprint of the certificate in the `Client-Cert` header (RFC 9440 §2.2: an RFC
/// 8941 byte sequence, `:` base64 `:`), `None` without the header. Strict: one header
/// line, no parameters, canonical padded base64, a DER `SEQUENCE` filling the bytes.
pub(crate) fn client_cert_header(
    headers: &HeaderMap,
) -> Result<Option<Thumbprint>, MalformedClientCert> {
    let mut values = headers.get_all(CLIENT_CERT_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(MalformedClientCert);
    }
    let bytes = value.as_bytes();
    if bytes.len() > MAX_CLIENT_CERT_HEADER_BYTES {
        return Err(MalformedClientCert);
    }
    // RFC 8941 §4.2: leading and trailing spaces are discarded.
    let start = bytes.iter().position(|b| *b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |i| i + 1);
    let bytes = &bytes[start..end.max(start)];
    let inner = bytes
        .strip_prefix(b":")
        .and_then(|rest| rest.strip_suffix(b":"))
        .ok_or(MalformedClientCert)?;
    let der = STANDARD.decode(inner).map_err(|_| MalformedClientCert)?;
    if !is_der_sequence(&der) {
        return Err(MalformedClientCert);
    }
    Ok(Some(sha256(&der)))
}

/// True when `der` is one DER `SEQUENCE` (a certificate's outer shape) and nothing more.
fn is_der_sequence(der: &[u8]) -> bool {
    let [0x30, first, rest @ ..] = der else {
        return false;
    };
    let (len, body) = match *first {
        n @ 0..=0x7f => (usize::from(n), rest),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            let Some((len_bytes, body)) = rest.split_at_checked(count) else {
                return false;
            };
            // DER: the shortest form, no leading zero byte, long form only from 128.
            if len_bytes[0] == 0 {
                return false;
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return false;
            }
            (len, body)
        }
        _ => return false,
    };
    body.len() == len
}

/// `x5t#S256` as a token carries it: base64url without padding of 32 bytes.
pub(crate) fn decode_x5t_s256(value: &str) -> Option<Thumbprint> {
    if value.len() != 43 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
    bytes.try_into().ok()
}

/// The thumbprint in base64url without padding, as `[u8; 43]` ASCII.
pub(crate) fn encode_x5t_s256(thumbprint: &Thumbprint) -> [u8; 43] {
    let mut out = [0u8; 43];
    // 32 bytes are 43 characters unpadded: the buffer is exactly large enough.
    let _ = URL_SAFE_NO_PAD.encode_slice(thumbprint, &mut out);
    out
}

fn sha256(bytes: &[u8]) -> Thumbprint {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, bytes).as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(CLIENT_CERT_HEADER, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_client_cert_header_is_read_strictly() {
        // A DER SEQUENCE of three bytes: 30 03 02 01 05.
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let b64 = STANDARD.encode(der);
        let expected = Some(sha256(&der));
        assert_eq!(
            client_cert_header(&header(&[&format!(":{b64}:")])),
            Ok(expected)
        );
        assert_eq!(
            client_cert_header(&header(&[&format!("  :{b64}: ")])),
            Ok(expected)
        );
        assert_eq!(client_cert_header(&HeaderMap::new()), Ok(None));
        let unpadded = b64.trim_end_matches('=');
        let url_safe = STANDARD.encode([0x30, 0x02, 0xfb, 0xff]);
        for bad in [
            b64.clone(),
            format!(":{b64}"),
            format!(":{b64}:;a=1"),
            format!(":{unpadded}:"),
            format!(":{}:", url_safe.replace('+', "-").replace('/', "_")),
            "::".to_owned(),
            format!(":{}:", STANDARD.encode([0x31, 0x00])),
            format!(":{}:", STANDARD.encode([0x30, 0x02, 0x05])),
            format!(":{}:", STANDARD.encode([0x30, 0x81, 0x01, 0x05])),
        ] {
            assert_eq!(
                client_cert_header(&header(&[&bad])),
                Err(MalformedClientCert),
                "{bad}"
            );
        }
        let one = format!(":{b64}:");
        assert_eq!(
            client_cert_header(&header(&[&one, &one])),
            Err(MalformedClientCert)
        );
        let long = format!(":{}:", "A".repeat(MAX_CLIENT_CERT_HEADER_BYTES));
        assert_eq!(
            client_cert_header(&header(&[&long])),
            Err(MalformedClientCert)
        );
    }

    #[test]
    fn long_form_lengths_are_read() {
        let mut der = vec![0x30, 0x81, 0x80];
        der.extend(std::iter::repeat_n(0u8, 0x80));
        assert!(is_der_sequence(&der));
        der.push(0);
        assert!(!is_der_sequence(&der));
        let mut der = vec![0x30, 0x82, 0x01, 0x00];
        der.extend(std::iter::repeat_n(0u8, 0x100));
        assert!(is_der_sequence(&der));
        assert!(!is_der_sequence(&[0x30, 0x82, 0x00, 0x80]));
    }

    #[test]
    fn an_untrusted_header_is_never_used() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let headers = header(&[&format!(":{}:", STANDARD.encode(der))]);
        assert_eq!(MtlsConfig::allowed().presented(&headers, None), Ok(None));
        let connection = ClientCertificate::from_der(vec![0x30, 0x00]);
        assert_eq!(
            MtlsConfig::allowed().presented(&headers, Some(&connection)),
            Ok(Some(*connection.thumbprint()))
        );
        let trusted = MtlsConfig::allowed().trust_client_cert_header();
        assert_eq!(
            trusted.presented(&headers, Some(&connection)),
            Ok(Some(sha256(&der))),
            "behind the proxy, the connection's certificate is the proxy's"
        );
        assert_eq!(
            trusted.presented(&HeaderMap::new(), Some(&connection)),
            Ok(None)
        );
        let garbage = header(&["nope"]);
        assert_eq!(
            MtlsConfig::allowed().presented(&garbage, None),
            Ok(None),
            "untrusted: not even parsed"
        );
    }

    #[test]
    fn x5t_round_trips() {
        let cert = ClientCertificate::from_der(vec![0x30, 0x00]);
        let x5t = cert.x5t_s256();
        assert_eq!(x5t.len(), 43);
        assert_eq!(decode_x5t_s256(&x5t), Some(*cert.thumbprint()));
        assert_eq!(encode_x5t_s256(cert.thumbprint()), x5t.as_bytes());
        assert_eq!(decode_x5t_s256(&format!("{x5t}=")), None);
        assert_eq!(decode_x5t_s256(&x5t[..42]), None);
        assert!(!format!("{cert:?}").contains("der"));
    }
}
