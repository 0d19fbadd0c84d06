//! Why a DPoP request was refused, with one table of the facts of each refusal. A leaf
//! (it reads only the challenge codes): the error table of [`crate::Error`] reads it.

use std::fmt;

use crate::challenge::{Challenge, ErrorCode};

/// Why a DPoP request (RFC 9449) was refused: [`ErrorKind::Dpop`](crate::ErrorKind::Dpop).
///
/// Proof problems answer `error="invalid_dpop_proof"` on the `DPoP` challenge; a missing
/// or stale server nonce `error="use_dpop_nonce"` with a `DPoP-Nonce` header; a token
/// whose binding does not fit `error="invalid_token"`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopError {
    /// `Authorization: DPoP` without a `DPoP` proof header.
    MissingProof,
    /// More than one `DPoP` header.
    MultipleProofs,
    /// The `Authorization: DPoP` value is not the scheme and one token.
    MalformedAuthorization,
    /// The proof is not a compact JWS with JSON header and claims.
    MalformedProof,
    /// The proof is over the size cap.
    ProofTooLarge,
    /// The proof's `typ` is not `dpop+jwt`.
    InvalidType,
    /// The proof's `alg` is not on the strategy's DPoP allow-list (or is symmetric).
    AlgorithmNotAllowed,
    /// The proof's `jwk` is missing, holds private members, or is not a usable public key
    /// for its `alg`.
    InvalidKey,
    /// The proof's signature does not verify with its `jwk`.
    InvalidSignature,
    /// A required proof claim is absent.
    MissingClaim(&'static str),
    /// A proof claim has the wrong type or form.
    InvalidClaim(&'static str),
    /// `htm` is not the request method.
    MethodMismatch,
    /// `htu` is not the request URI (without query and fragment, after normalisation).
    UriMismatch,
    /// `iat` is older than the proof window.
    Stale,
    /// `iat` is further in the future than the leeway.
    IssuedInFuture,
    /// The proof's `jti` was seen before within the window.
    Replayed,
    /// `ath` is not the hash of the access token.
    AccessTokenHashMismatch,
    /// The server requires a nonce and the proof has none, or a stale one; the value is
    /// the nonce to use, sent as `DPoP-Nonce`.
    UseNonce(String),
    /// The proof key's thumbprint is not the token's `cnf.jkt`.
    KeyMismatch,
    /// A DPoP request with a token that is not bound to a key (no `cnf.jkt`).
    TokenNotBound,
    /// A DPoP-bound token (with `cnf.jkt`) presented as a bearer token.
    BoundTokenAsBearer,
    /// The strategy requires DPoP and the request presented a bearer token.
    DpopRequired,
}

/// One row of the table of [`DpopError`]. Every DPoP refusal is a 401.
pub(crate) struct DpopFacts<'a> {
    /// The challenge that carries the error (`DPoP`, or `Bearer` for a bound token sent
    /// as a bearer token), with its `error` code.
    pub(crate) challenge: Challenge<'static>,
    /// The reason code of [`Error::reason`](crate::Error::reason): `dpop_…`.
    pub(crate) reason: &'static str,
    /// What the client is told.
    pub(crate) message: &'static str,
    /// The text for log: the [`Display`](fmt::Display) of the error.
    pub(crate) log: fmt::Arguments<'a>,
}

impl DpopError {
    /// The one table of DPoP refusals: every fact of each error, in one row, handed to
    /// `read`. The table of [`crate::Error`] reads it for
    /// [`ErrorKind::Dpop`](crate::ErrorKind::Dpop).
    pub(crate) fn facts<R>(&self, read: impl FnOnce(DpopFacts<'_>) -> R) -> R {
        use ErrorCode::{InvalidDpopProof, InvalidRequest, InvalidToken, UseDpopNonce};
        const PROOF: Challenge<'static> = Challenge::Dpop(InvalidDpopProof);
        const INVALID_PROOF: &str = "Invalid DPoP proof";
        match self {
            Self::MissingProof => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_missing_proof",
                message: INVALID_PROOF,
                log: format_args!("the dpop proof header is missing"),
            }),
            Self::MultipleProofs => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_multiple_proofs",
                message: INVALID_PROOF,
                log: format_args!("more than one dpop proof header"),
            }),
            Self::MalformedAuthorization => read(DpopFacts {
                challenge: Challenge::Dpop(InvalidRequest),
                reason: "dpop_malformed_authorization",
                message: "Authorization header value has too many parts.",
                log: format_args!("malformed dpop authorization header"),
            }),
            Self::MalformedProof => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_malformed_proof",
                message: INVALID_PROOF,
                log: format_args!("the proof is malformed"),
            }),
            Self::ProofTooLarge => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_proof_too_large",
                message: INVALID_PROOF,
                log: format_args!("the proof is too large"),
            }),
            Self::InvalidType => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_invalid_type",
                message: INVALID_PROOF,
                log: format_args!("the proof's typ is not dpop+jwt"),
            }),
            Self::AlgorithmNotAllowed => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_algorithm_not_allowed",
                message: INVALID_PROOF,
                log: format_args!("the proof's alg is not allowed"),
            }),
            Self::InvalidKey => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_invalid_key",
                message: INVALID_PROOF,
                log: format_args!("the proof's jwk is not a usable public key"),
            }),
            Self::InvalidSignature => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_invalid_signature",
                message: INVALID_PROOF,
                log: format_args!("the proof's signature does not verify"),
            }),
            Self::MissingClaim(claim) => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_missing_claim",
                message: INVALID_PROOF,
                log: format_args!("the proof has no {claim}"),
            }),
            Self::InvalidClaim(claim) => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_invalid_claim",
                message: INVALID_PROOF,
                log: format_args!("the proof's {claim} is invalid"),
            }),
            Self::MethodMismatch => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_method_mismatch",
                message: INVALID_PROOF,
                log: format_args!("htm is not the request method"),
            }),
            Self::UriMismatch => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_uri_mismatch",
                message: INVALID_PROOF,
                log: format_args!("htu is not the request uri"),
            }),
            Self::Stale => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_stale",
                message: INVALID_PROOF,
                log: format_args!("the proof's iat is too old"),
            }),
            Self::IssuedInFuture => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_issued_in_future",
                message: INVALID_PROOF,
                log: format_args!("the proof's iat is in the future"),
            }),
            Self::Replayed => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_replayed",
                message: INVALID_PROOF,
                log: format_args!("the proof's jti was used before"),
            }),
            Self::AccessTokenHashMismatch => read(DpopFacts {
                challenge: PROOF,
                reason: "dpop_ath_mismatch",
                message: INVALID_PROOF,
                log: format_args!("ath is not the access token's hash"),
            }),
            Self::UseNonce(_) => read(DpopFacts {
                challenge: Challenge::Dpop(UseDpopNonce),
                reason: "dpop_use_nonce",
                message: "DPoP nonce required",
                log: format_args!("a fresh server nonce is required"),
            }),
            Self::KeyMismatch => read(DpopFacts {
                challenge: Challenge::Dpop(InvalidToken),
                reason: "dpop_key_mismatch",
                message: "DPoP proof key does not match the token",
                log: format_args!("the proof key is not the token's cnf.jkt"),
            }),
            Self::TokenNotBound => read(DpopFacts {
                challenge: Challenge::Dpop(InvalidToken),
                reason: "dpop_token_not_bound",
                message: "Token is not bound to a DPoP key",
                log: format_args!("the token has no cnf.jkt"),
            }),
            Self::BoundTokenAsBearer => read(DpopFacts {
                challenge: Challenge::Bearer(InvalidToken),
                reason: "dpop_bound_token_as_bearer",
                message: "DPoP-bound token used as a bearer token",
                log: format_args!("a dpop-bound token was sent as bearer"),
            }),
            Self::DpopRequired => read(DpopFacts {
                challenge: Challenge::Dpop(InvalidToken),
                reason: "dpop_required",
                message: "DPoP required",
                log: format_args!("dpop is required and a bearer token was sent"),
            }),
        }
    }
}

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.facts(|facts| f.write_fmt(facts.log))
    }
}

impl std::error::Error for DpopError {}
