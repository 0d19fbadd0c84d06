//! The one rule for `cnf` (RFC 7800), shared by every strategy that reads one: the JWT
//! strategy (from the token) and introspection (from the authorization server's answer).

use crate::dpop::{DpopError, Presented};
use crate::error::{Error, ErrorKind, TokenError};
use crate::mtls::{MtlsConfig, Thumbprint};
use crate::verify::Confirmation;

/// The rule for `cnf` (RFC 7800), the one place it is decided: a token bound to a key
/// is accepted only where that binding is verified.
///
/// 1. With [`mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens), the
///    certificate binding first (RFC 8705): a `cnf.x5t#S256` (alone, or beside `jkt`)
///    must be `cert`, the thumbprint of the request's client certificate
///    ([`TokenError::CertificateMismatch`], [`TokenError::CertificateMissing`]); a
///    token without one is refused when the binding is
///    [required](crate::mtls::MtlsConfig::required). Verifiable here, so never waved
///    through by the opt-out below. The rest of `cnf` then goes to step 2. Without the
///    option, `x5t#S256` is a binding this strategy does not check.
/// 2. Through DPoP a `cnf` of `jkt` (the DPoP code then compares it with the proof
///    key); as a bearer token no `cnf`. A DPoP-bound token sent as bearer to a
///    strategy with DPoP is [`DpopError::BoundTokenAsBearer`]; every other binding
///    that is not verified is [`TokenError::UnsupportedConfirmation`], unless the
///    strategy was built with
///    [`dangerous_accept_unverified_cnf`](crate::JwtStrategyBuilder::dangerous_accept_unverified_cnf).
///
/// `Ok(Some(thumbprint))`: the token was bound to the client certificate, and is.
///
/// `cert`: the thumbprint of the request's client certificate; `mtls`: the strategy's
/// certificate binding settings; `dpop`: whether it accepts DPoP; `accept_unverified`:
/// its `dangerous_accept_unverified_cnf`.
pub(crate) fn confirmation(
    cnf: Confirmation,
    presented: Presented,
    cert: Option<Thumbprint>,
    mtls: Option<&MtlsConfig>,
    dpop: bool,
    accept_unverified: bool,
) -> Result<Option<Thumbprint>, Error> {
    let mut bound = None;
    let rest = match (&mtls, cnf) {
        (Some(_), Confirmation::X5tS256(expected) | Confirmation::JktX5tS256(expected)) => {
            match cert {
                Some(cert) if cert == expected => bound = Some(expected),
                Some(_) => {
                    tracing::debug!("token refused: bound to another client certificate");
                    return Err(TokenError::CertificateMismatch.into());
                }
                None => {
                    tracing::debug!(
                        "token refused: bound to a client certificate and none was presented"
                    );
                    return Err(TokenError::CertificateMissing.into());
                }
            }
            match cnf {
                Confirmation::JktX5tS256(_) => Confirmation::Jkt,
                _ => Confirmation::Absent,
            }
        }
        (Some(mtls), _) if mtls.is_required() => {
            return Err(TokenError::CertificateBindingRequired.into());
        }
        (_, Confirmation::X5tS256(_) | Confirmation::JktX5tS256(_)) => Confirmation::Other,
        (_, cnf) => cnf,
    };
    let refusal = match (presented, rest) {
        (Presented::Bearer, Confirmation::Absent) | (Presented::Dpop, Confirmation::Jkt) => {
            return Ok(bound);
        }
        (Presented::Dpop, Confirmation::Absent) => {
            return Err(ErrorKind::Dpop(DpopError::TokenNotBound).into());
        }
        // Verifiable here, and not verified: a stolen DPoP token stays useless, whatever
        // the opt-out.
        (Presented::Bearer, Confirmation::Jkt) if dpop => {
            return Err(ErrorKind::Dpop(DpopError::BoundTokenAsBearer).into());
        }
        (Presented::Bearer, Confirmation::Jkt | Confirmation::Other)
        | (Presented::Dpop, Confirmation::Other) => TokenError::UnsupportedConfirmation,
        // Mapped to `Other` above.
        (_, Confirmation::X5tS256(_) | Confirmation::JktX5tS256(_)) => {
            TokenError::UnsupportedConfirmation
        }
    };
    if accept_unverified {
        return Ok(bound);
    }
    tracing::debug!(
        ?cnf,
        ?presented,
        "token refused: its cnf binding is not verified by this strategy"
    );
    Err(refusal.into())
}
