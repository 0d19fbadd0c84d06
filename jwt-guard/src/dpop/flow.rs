//! The DPoP flow of one request: a `DPoP` token with its proof, or a bearer token when
//! allowed; the proof checked, the token verified and bound, the proof recorded once.

use std::sync::Arc;

use aws_lc_rs::digest;
use http::HeaderMap;
use http::header::AUTHORIZATION;

use crate::challenge::{ChallengeParams, Scheme};
use crate::error::{Error, ErrorKind};
use crate::principal::Principal;
use crate::request::RequestInfo;

use super::error::DpopError;
use super::proof;
use super::settings::{Dpop, DpopMode};

/// How a token was presented: what its `cnf` must be (the strategy's confirmation check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presented {
    /// `Authorization: Bearer`: no proof of possession comes with it.
    Bearer,
    /// `Authorization: DPoP` with a proof the DPoP code checks.
    Dpop,
}

/// How DPoP verifies the access token a request presents: the strategy hands itself in
/// as this, so that DPoP sits below the strategies and imports none of them.
pub(crate) trait VerifyToken: Sync {
    /// Verifies `token` presented as `presented` (its `cnf` checked for that).
    fn verify<'a>(
        &'a self,
        token: &'a str,
        presented: Presented,
    ) -> impl Future<Output = Result<Principal, Error>> + Send + 'a;

    /// The strategy's registered name, for metrics.
    fn label(&self) -> Option<&Arc<str>>;
}

/// Authenticates a request for a strategy with DPoP: a `DPoP` request with its proof,
/// else a bearer token (refused when DPoP is required or the token is bound).
pub(crate) async fn authenticate(
    dpop: &Dpop,
    strategy: &impl VerifyToken,
    request: RequestInfo<'_>,
    max_header_bytes: usize,
    now: f64,
    challenge: &Arc<ChallengeParams>,
) -> Result<Principal, Error> {
    let headers = request.headers();
    let presented = dpop_token(headers, max_header_bytes)
        .map_err(|e| Error::new(ErrorKind::Dpop(e)).with_challenge(challenge, Scheme::Dpop))?;
    let Some(token) = presented else {
        return bearer(dpop, strategy, headers, max_header_bytes)
            .await
            .map_err(|e| e.with_challenge(challenge, Scheme::Bearer));
    };
    proven(dpop, strategy, request, token, now)
        .await
        .map_err(|e| e.with_challenge(challenge, Scheme::Dpop))
}

async fn bearer(
    dpop: &Dpop,
    strategy: &impl VerifyToken,
    headers: &HeaderMap,
    max_header_bytes: usize,
) -> Result<Principal, Error> {
    let token = crate::extract::bearer_token(headers, max_header_bytes)?;
    if dpop.mode == DpopMode::Required {
        return Err(ErrorKind::Dpop(DpopError::DpopRequired).into());
    }
    // Refuses a `cnf.jkt` token (and any other `cnf`, unless the strategy accepts them).
    let principal = strategy.verify(token, Presented::Bearer).await?;
    // With `dangerous_accept_unverified_cnf`, a `jkt` beside other members still counts.
    if bound_key(&principal).is_some() {
        return Err(ErrorKind::Dpop(DpopError::BoundTokenAsBearer).into());
    }
    Ok(principal)
}

async fn proven(
    dpop: &Dpop,
    strategy: &impl VerifyToken,
    request: RequestInfo<'_>,
    token: &str,
    now: f64,
) -> Result<Principal, Error> {
    let fail = |e: DpopError| Error::new(ErrorKind::Dpop(e));
    let headers = request.headers();
    let (Some(method), Some(uri)) = (request.method(), request.uri()) else {
        tracing::error!(
            "a DPoP request reached a handler that gives #[authenticate] its headers only: \
             the proof cannot be checked without the method and URI"
        );
        return Err(Error::new(ErrorKind::Misconfigured(
            "DPoP needs the request method and URI",
        )));
    };
    let mut proofs = headers.get_all("dpop").iter();
    let proof = proofs.next().ok_or(fail(DpopError::MissingProof))?;
    if proofs.next().is_some() {
        return Err(fail(DpopError::MultipleProofs));
    }
    let proof = proof
        .to_str()
        .map_err(|_| fail(DpopError::MalformedProof))?;
    let path = proof::request_path(uri.path()).ok_or_else(|| {
        tracing::debug!("a DPoP request with a dot segment in its target refused");
        fail(DpopError::UriMismatch)
    })?;
    let expected = proof::Expected {
        method: method.as_str(),
        origins: &dpop.origins,
        path: &path,
        access_token: token,
        now,
        max_age: dpop.max_age,
        leeway: dpop.leeway,
        algorithms: &dpop.algorithms,
        nonces: dpop.nonces.as_ref(),
        keys: &dpop.keys,
    };
    let checked = proof::check(proof, &expected).map_err(fail)?;
    // Refuses a token without `cnf`, or with one other than `jkt` alone.
    let principal = strategy.verify(token, Presented::Dpop).await?;
    match bound_key(&principal) {
        None => return Err(fail(DpopError::TokenNotBound)),
        Some(jkt) if jkt != checked.jkt => return Err(fail(DpopError::KeyMismatch)),
        Some(_) => {}
    }
    let mut id_input = Vec::with_capacity(checked.jkt.len() + 1 + checked.jti.len());
    id_input.extend_from_slice(checked.jkt.as_bytes());
    id_input.push(0);
    id_input.extend_from_slice(checked.jti.as_bytes());
    let mut id = [0u8; 32];
    id.copy_from_slice(digest::digest(&digest::SHA256, &id_input).as_ref());
    match dpop.store.check_and_record(&id, dpop.ttl).await {
        Ok(true) => Ok(principal.with_dpop_thumbprint(checked.jkt)),
        Ok(false) => Err(fail(DpopError::Replayed)),
        Err(err) if err.is_full() => {
            tracing::warn!(
                error = %err,
                "DPoP replay store full: new proof refused, no unexpired one forgotten"
            );
            crate::telemetry::replay_store_full(strategy.label());
            Err(err.into_error())
        }
        Err(err) => {
            tracing::warn!(error = %err, "DPoP replay store unavailable: request refused");
            Err(err.into_error())
        }
    }
}

/// The token of an `Authorization: DPoP <token>` header; `None` for any other value
/// (left to the bearer reader, which reports missing, repeated or oversized headers).
fn dpop_token(headers: &HeaderMap, max_bytes: usize) -> Result<Option<&str>, DpopError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    let is_dpop = bytes.len() > 4 && bytes[..4].eq_ignore_ascii_case(b"dpop") && bytes[4] == b' ';
    if !is_dpop || bytes.len() > max_bytes {
        return Ok(None);
    }
    let token = &bytes[5..];
    if token.is_empty() || !token.iter().all(u8::is_ascii_graphic) {
        return Err(DpopError::MalformedAuthorization);
    }
    std::str::from_utf8(token)
        .map(Some)
        .map_err(|_| DpopError::MalformedAuthorization)
}

/// The token's `cnf.jkt`, if it is bound.
fn bound_key(principal: &Principal) -> Option<&str> {
    principal
        .claim("cnf")
        .and_then(|cnf| cnf.get("jkt"))
        .map(|jkt| jkt.as_str().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_dpop_scheme_is_read_and_anything_else_left_to_the_bearer_reader() {
        let h = headers(&[("authorization", "DPoP abc.def.ghi")]);
        assert_eq!(dpop_token(&h, 8192), Ok(Some("abc.def.ghi")));
        let h = headers(&[("authorization", "dpop abc")]);
        assert_eq!(dpop_token(&h, 8192), Ok(Some("abc")));
        let h = headers(&[("authorization", "DPoP a b")]);
        assert_eq!(dpop_token(&h, 8192), Err(DpopError::MalformedAuthorization));
        for other in [
            headers(&[("authorization", "Bearer abc")]),
            headers(&[("authorization", "DPoP a"), ("authorization", "DPoP b")]),
            headers(&[]),
        ] {
            assert_eq!(dpop_token(&other, 8192), Ok(None));
        }
        let h = headers(&[("authorization", "DPoP abcdefgh")]);
        assert_eq!(
            dpop_token(&h, 8),
            Ok(None),
            "over the cap: the bearer reader says so"
        );
    }
}
