//! Why a DPoP request was refused. A leaf: the error table of [`crate::Error`] reads it.

use std::fmt;

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

impl DpopError {
    /// A short fixed code for metrics labels and log fields (see `Error::reason`).
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Self::MissingProof => "dpop_missing_proof",
            Self::MultipleProofs => "dpop_multiple_proofs",
            Self::MalformedAuthorization => "dpop_malformed_authorization",
            Self::MalformedProof => "dpop_malformed_proof",
            Self::ProofTooLarge => "dpop_proof_too_large",
            Self::InvalidType => "dpop_invalid_type",
            Self::AlgorithmNotAllowed => "dpop_algorithm_not_allowed",
            Self::InvalidKey => "dpop_invalid_key",
            Self::InvalidSignature => "dpop_invalid_signature",
            Self::MissingClaim(_) => "dpop_missing_claim",
            Self::InvalidClaim(_) => "dpop_invalid_claim",
            Self::MethodMismatch => "dpop_method_mismatch",
            Self::UriMismatch => "dpop_uri_mismatch",
            Self::Stale => "dpop_stale",
            Self::IssuedInFuture => "dpop_issued_in_future",
            Self::Replayed => "dpop_replayed",
            Self::AccessTokenHashMismatch => "dpop_ath_mismatch",
            Self::UseNonce(_) => "dpop_use_nonce",
            Self::KeyMismatch => "dpop_key_mismatch",
            Self::TokenNotBound => "dpop_token_not_bound",
            Self::BoundTokenAsBearer => "dpop_bound_token_as_bearer",
            Self::DpopRequired => "dpop_required",
        }
    }

    /// The `error` code of the challenge.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::UseNonce(_) => "use_dpop_nonce",
            Self::MalformedAuthorization => "invalid_request",
            Self::KeyMismatch
            | Self::TokenNotBound
            | Self::BoundTokenAsBearer
            | Self::DpopRequired => "invalid_token",
            _ => "invalid_dpop_proof",
        }
    }

    /// True when the error goes on the `DPoP` challenge (false: on `Bearer`).
    pub(crate) fn on_dpop_challenge(&self) -> bool {
        !matches!(self, Self::BoundTokenAsBearer)
    }

    /// What the client is told.
    pub(crate) fn public_message(&self) -> &'static str {
        match self {
            Self::UseNonce(_) => "DPoP nonce required",
            Self::KeyMismatch => "DPoP proof key does not match the token",
            Self::TokenNotBound => "Token is not bound to a DPoP key",
            Self::BoundTokenAsBearer => "DPoP-bound token used as a bearer token",
            Self::DpopRequired => "DPoP required",
            Self::MalformedAuthorization => "Authorization header value has too many parts.",
            _ => "Invalid DPoP proof",
        }
    }
}

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingProof => f.write_str("the dpop proof header is missing"),
            Self::MultipleProofs => f.write_str("more than one dpop proof header"),
            Self::MalformedAuthorization => f.write_str("malformed dpop authorization header"),
            Self::MalformedProof => f.write_str("the proof is malformed"),
            Self::ProofTooLarge => f.write_str("the proof is too large"),
            Self::InvalidType => f.write_str("the proof's typ is not dpop+jwt"),
            Self::AlgorithmNotAllowed => f.write_str("the proof's alg is not allowed"),
            Self::InvalidKey => f.write_str("the proof's jwk is not a usable public key"),
            Self::InvalidSignature => f.write_str("the proof's signature does not verify"),
            Self::MissingClaim(claim) => write!(f, "the proof has no {claim}"),
            Self::InvalidClaim(claim) => write!(f, "the proof's {claim} is invalid"),
            Self::MethodMismatch => f.write_str("htm is not the request method"),
            Self::UriMismatch => f.write_str("htu is not the request uri"),
            Self::Stale => f.write_str("the proof's iat is too old"),
            Self::IssuedInFuture => f.write_str("the proof's iat is in the future"),
            Self::Replayed => f.write_str("the proof's jti was used before"),
            Self::AccessTokenHashMismatch => f.write_str("ath is not the access token's hash"),
            Self::UseNonce(_) => f.write_str("a fresh server nonce is required"),
            Self::KeyMismatch => f.write_str("the proof key is not the token's cnf.jkt"),
            Self::TokenNotBound => f.write_str("the token has no cnf.jkt"),
            Self::BoundTokenAsBearer => f.write_str("a dpop-bound token was sent as bearer"),
            Self::DpopRequired => f.write_str("dpop is required and a bearer token was sent"),
        }
    }
}

impl std::error::Error for DpopError {}
