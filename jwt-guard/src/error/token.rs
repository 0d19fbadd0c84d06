//! [`TokenError`]: why a token was refused, and its one table (reason code and text).

use std::fmt;

/// Why a bearer token was refused. Displayed after "Invalid token: ".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a compact JWS: wrong number of segments, bad base64url, bad JSON.
    Malformed,
    /// The token or one of its parts is over the size cap.
    TooLarge,
    /// The header's `alg` is missing, unknown, `none`, or not in the allow-list.
    AlgorithmNotAllowed,
    /// The header names a critical extension (`crit`), which jwt-guard does not implement.
    CriticalHeader,
    /// No key in the key set matches the token's `kid` and `alg`.
    UnknownKey,
    /// The token has no `kid` and more than one key could verify it.
    AmbiguousKey,
    /// The signature does not verify.
    InvalidSignature,
    /// `exp` is in the past.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A registered claim has the wrong JSON type or value.
    InvalidClaim(&'static str),
    /// `iss` does not equal the configured issuer.
    InvalidIssuer,
    /// `aud` does not contain a configured audience.
    InvalidAudience,
    /// The token is bound to a key (`cnf`, RFC 7800) in a way this strategy does not
    /// verify: a certificate (`x5t#S256`, RFC 8705) where the strategy has no
    /// [`mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens), any other
    /// confirmation member, a
    /// `cnf` that is not an object, or a DPoP key (`jkt`) where DPoP is off. Such a token
    /// is only good with its proof of possession, so it is not accepted as a bearer
    /// token (unless [`dangerous_accept_unverified_cnf`](crate::JwtStrategyBuilder::dangerous_accept_unverified_cnf)).
    UnsupportedConfirmation,
    /// The token is bound to a client certificate (`cnf.x5t#S256`, RFC 8705) and the
    /// request presented none (no certificate on the connection, or, behind a trusted
    /// proxy, no `Client-Cert` header).
    CertificateMissing,
    /// The token is bound to a client certificate other than the one the request
    /// presented.
    CertificateMismatch,
    /// The strategy requires certificate-bound tokens
    /// ([`MtlsConfig::required`](crate::mtls::MtlsConfig::required)) and the token has no
    /// `cnf.x5t#S256`.
    CertificateBindingRequired,
    /// Its status list says 0x01 (INVALID): the issuer revoked it
    /// ([`status_list`](crate::status_list)).
    Revoked,
    /// Its status list says 0x02 (SUSPENDED) ([`status_list`](crate::status_list)).
    Suspended,
    /// Its status list gives a status other than VALID, INVALID or SUSPENDED that the
    /// strategy does not accept
    /// ([`accept_status`](crate::status_list::StatusListConfig::accept_status)).
    StatusNotAccepted,
    /// The authorization server's introspection endpoint (RFC 7662) answered
    /// `"active": false`: the token is unknown, expired, revoked, or not for us.
    Inactive,
}

/// One row of the table of [`TokenError`]. Every refused token is a 401 with
/// `error="invalid_token"` (the row of [`ErrorKind::InvalidToken`]).
struct TokenFacts<'a> {
    /// The reason code of [`Error::reason`].
    reason: &'static str,
    /// The short reason, after "Invalid token: " for the client: the [`Display`] of the
    /// error.
    ///
    /// [`Display`]: fmt::Display
    text: fmt::Arguments<'a>,
}

impl TokenError {
    /// The one table of refused tokens: each error's reason code and short reason
    /// (worded like node's `jsonwebtoken` where it has one), handed to `read`.
    fn facts<R>(&self, read: impl FnOnce(TokenFacts<'_>) -> R) -> R {
        match self {
            Self::Malformed => read(TokenFacts {
                reason: "malformed",
                text: format_args!("jwt malformed"),
            }),
            Self::TooLarge => read(TokenFacts {
                reason: "too_large",
                text: format_args!("jwt too large"),
            }),
            Self::AlgorithmNotAllowed => read(TokenFacts {
                reason: "algorithm_not_allowed",
                text: format_args!("invalid algorithm"),
            }),
            Self::CriticalHeader => read(TokenFacts {
                reason: "critical_header",
                text: format_args!("unsupported critical header"),
            }),
            Self::UnknownKey => read(TokenFacts {
                reason: "unknown_key",
                text: format_args!("no signing key matches the token"),
            }),
            Self::AmbiguousKey => read(TokenFacts {
                reason: "ambiguous_key",
                text: format_args!("token has no kid and several keys match"),
            }),
            Self::InvalidSignature => read(TokenFacts {
                reason: "invalid_signature",
                text: format_args!("invalid signature"),
            }),
            Self::Expired => read(TokenFacts {
                reason: "expired",
                text: format_args!("jwt expired"),
            }),
            Self::NotYetValid => read(TokenFacts {
                reason: "not_yet_valid",
                text: format_args!("jwt not active"),
            }),
            Self::MissingClaim(claim) => read(TokenFacts {
                reason: "missing_claim",
                text: format_args!("jwt {claim} is required"),
            }),
            Self::InvalidClaim(claim) => read(TokenFacts {
                reason: "invalid_claim",
                text: format_args!("invalid {claim} value"),
            }),
            Self::InvalidIssuer => read(TokenFacts {
                reason: "invalid_issuer",
                text: format_args!("jwt issuer invalid"),
            }),
            Self::InvalidAudience => read(TokenFacts {
                reason: "invalid_audience",
                text: format_args!("jwt audience invalid"),
            }),
            Self::UnsupportedConfirmation => read(TokenFacts {
                reason: "unsupported_confirmation",
                text: format_args!("jwt cnf not supported"),
            }),
            Self::CertificateMissing => read(TokenFacts {
                reason: "certificate_missing",
                text: format_args!("jwt bound to a client certificate and none was presented"),
            }),
            Self::CertificateMismatch => read(TokenFacts {
                reason: "certificate_mismatch",
                text: format_args!("client certificate does not match the jwt"),
            }),
            Self::CertificateBindingRequired => read(TokenFacts {
                reason: "certificate_binding_required",
                text: format_args!("jwt not bound to a client certificate"),
            }),
            Self::Revoked => read(TokenFacts {
                reason: "revoked",
                text: format_args!("token revoked"),
            }),
            Self::Suspended => read(TokenFacts {
                reason: "suspended",
                text: format_args!("token suspended"),
            }),
            Self::StatusNotAccepted => read(TokenFacts {
                reason: "status_not_accepted",
                text: format_args!("token status not accepted"),
            }),
            Self::Inactive => read(TokenFacts {
                reason: "inactive",
                text: format_args!("token is not active"),
            }),
        }
    }

    /// The reason code of [`Error::reason`] for a refused token.
    pub(super) fn reason(&self) -> &'static str {
        self.facts(|facts| facts.reason)
    }
}

impl fmt::Display for TokenError {
    /// The short reason of the table of [`TokenError`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.facts(|facts| f.write_fmt(facts.text))
    }
}

impl std::error::Error for TokenError {}
