//! The one rule for `cnf` (RFC 7800), shared by every strategy that reads one: the JWT
//! strategy (from the token) and introspection (from the authorization server's answer).

use crate::dpop::{DpopError, Presented};
use crate::error::{Error, ErrorKind, TokenError};
use crate::verify::Confirmation;

/// A token bound to a key is accepted only where that binding is verified. Through DPoP
/// a `cnf` of `jkt` alone (the DPoP code then compares it with the proof key); as a
/// bearer token no `cnf`. A DPoP-bound token sent as bearer to a strategy with DPoP
/// (`dpop`) is [`DpopError::BoundTokenAsBearer`]; every other binding that is not
/// verified is [`TokenError::UnsupportedConfirmation`], unless the strategy was built
/// with a `dangerous_accept_unverified_cnf` (`accept_unverified`).
pub(crate) fn confirmation(
    cnf: Confirmation,
    presented: Presented,
    dpop: bool,
    accept_unverified: bool,
) -> Result<(), Error> {
    let refusal = match (presented, cnf) {
        (Presented::Bearer, Confirmation::Absent) | (Presented::Dpop, Confirmation::Jkt) => {
            return Ok(());
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
    };
    if accept_unverified {
        return Ok(());
    }
    tracing::debug!(
        ?cnf,
        ?presented,
        "token refused: its cnf binding is not verified by this strategy"
    );
    Err(refusal.into())
}
