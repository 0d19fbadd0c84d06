//! The JWS signature algorithms jwt-guard verifies (RFC 7518 §3, RFC 8037, RFC 8812,
//! RFC 9864).

use std::fmt;
use std::str::FromStr;

/// A JWS signature algorithm, named as in the token header's `alg`.
///
/// `none` does not exist here: an unsigned token can never be allowed.
///
/// `EdDSA` and `Ed25519` verify the same signatures (Ed25519, RFC 8032); `Ed25519` is the
/// fully-specified name of RFC 9864, which deprecates the polymorphic `EdDSA`. They stay
/// two algorithms: a key is used with exactly one algorithm (RFC 8725bis), so a JWK whose
/// `alg` is `Ed25519` verifies only tokens whose `alg` is `Ed25519`, one whose `alg` is
/// `EdDSA` only `EdDSA`; an Ed25519 JWK without `alg` serves either, as the strategy's
/// allow-list permits.
///
/// `ES256K` (ECDSA on secp256k1, RFC 8812) is opt-in: it is never in a default list and
/// is verified only when the strategy (or DPoP) lists it.
///
/// ```
/// use jwt_guard::Algorithm;
///
/// assert_eq!("ES256".parse::<Algorithm>(), Ok(Algorithm::ES256));
/// assert_eq!(Algorithm::RS256.to_string(), "RS256");
/// assert!("none".parse::<Algorithm>().is_err());
/// assert!("rs256".parse::<Algorithm>().is_err(), "names are case-sensitive");
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
    /// EdDSA (Ed25519), the polymorphic name RFC 9864 deprecates; see also
    /// [`Ed25519`](Self::Ed25519).
    EdDSA,
    /// Ed25519 (RFC 8032), the fully-specified name of RFC 9864.
    Ed25519,
    /// ECDSA on secp256k1 with SHA-256 (RFC 8812). Opt-in: never in a default list.
    ES256K,
}

impl Algorithm {
    /// Every algorithm jwt-guard can verify (not a default allow-list: a strategy
    /// verifies RS256 unless told otherwise). It grows when an algorithm is added:
    /// 15 since 0.3 (`Ed25519`, `ES256K`); use `Algorithm::ALL.len()`, not the number.
    pub const ALL: [Algorithm; 15] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::EdDSA,
        Algorithm::Ed25519,
        Algorithm::ES256K,
    ];

    /// The name used in the `alg` header.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::ES256K => "ES256K",
        }
    }

    /// True for the HMAC algorithms (`HS*`), which verify with a shared secret.
    pub const fn is_hmac(self) -> bool {
        matches!(self, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an [`Algorithm`] name that jwt-guard does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAlgorithm(());

impl fmt::Display for UnknownAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown or unsupported signature algorithm")
    }
}

impl std::error::Error for UnknownAlgorithm {}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// Exact, case-sensitive names, as RFC 7515 §4.1.1 requires.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|alg| alg.as_str() == name)
            .ok_or(UnknownAlgorithm(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            let json = serde_json::to_string(&alg).unwrap();
            assert_eq!(json, format!("\"{alg}\""));
            assert_eq!(serde_json::from_str::<Algorithm>(&json).unwrap(), alg);
        }
        for bad in [
            "", "none", "None", "HS1", "ES521", "rs256", " RS256", "ed25519", "Ed448", "es256k",
            "ES256k",
        ] {
            assert!(bad.parse::<Algorithm>().is_err(), "{bad:?}");
        }
        assert_eq!(
            Algorithm::ALL.iter().filter(|a| a.is_hmac()).count(),
            3,
            "HS256, HS384, HS512"
        );
    }
}
