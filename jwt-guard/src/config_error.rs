//! Start-up errors: a strategy that cannot be built, a registration that is refused, an
//! audit that finds a strategy missing. Apart from [`Error`](crate::Error), which is what
//! stops a request.

use std::fmt;

/// A mistake in the configuration, found at start-up.
///
/// Returned by [`JwtStrategyBuilder::build`](crate::JwtStrategyBuilder::build),
/// [`Registry::register`](crate::Registry::register), [`Registry::audit`](crate::Registry::audit)
/// and the parsers of pinned keys and claim paths. Refuse to start on one: its `Display`
/// says what to change.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// No issuer was configured: [`issuer`](crate::JwtStrategyBuilder::issuer) is required.
    MissingIssuer,
    /// The issuer is empty, or not a URL where one is needed (to find its keys).
    InvalidIssuer {
        /// The issuer as given.
        issuer: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The algorithm allow-list is empty.
    NoAlgorithms,
    /// HMAC (`HS*`) and public-key algorithms in one allow-list, which invites key
    /// confusion.
    MixedAlgorithms,
    /// `HS*` algorithms are allowed but no secret is pinned: fetched key sets never hold
    /// secrets.
    HmacWithoutSecret,
    /// Two key sources were chosen for one strategy (a JWKS URL, discovery, pinned keys).
    ConflictingKeySources {
        /// The source chosen first.
        first: &'static str,
        /// The source chosen next.
        second: &'static str,
    },
    /// A pinned key cannot be used.
    InvalidKey {
        /// Which key: its `kid`, or its place among the pinned keys.
        key: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A URL does not parse, or has a scheme other than https and http.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A key URL uses plain http to a host that is not loopback.
    InsecureUrl {
        /// The URL.
        url: String,
    },
    /// The HTTP client of the key engine could not be built.
    HttpClient(Box<dyn std::error::Error + Send + Sync>),
    /// A claim path is empty or has an empty segment.
    InvalidClaimPath {
        /// The path as given.
        path: String,
    },
    /// Two options of a strategy do not go together, or one is out of range.
    InvalidOption {
        /// The builder method (and configuration field) concerned.
        option: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A configuration file or value does not describe a strategy; names the strategy and
    /// the field.
    InvalidConfig {
        /// The strategy's name in the file (its table), or `""` for the file as a whole.
        strategy: String,
        /// The field, as written in the file (`""` when the error is not about one field).
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A strategy name is empty.
    EmptyStrategyName,
    /// A [`Policy`](crate::policy::Policy) names no strategy: it would refuse every
    /// request.
    NoStrategies {
        /// The policy's name.
        policy: String,
    },
    /// A strategy is registered under this name already; the first registration stays.
    DuplicateStrategy {
        /// The name.
        name: String,
    },
    /// The DPoP settings of a strategy are unusable
    /// ([`DpopConfig`](crate::dpop::DpopConfig)).
    InvalidDpop {
        /// What is wrong.
        reason: String,
    },
    /// Handlers under `#[authenticate]` name strategies that are not registered.
    UnregisteredStrategies {
        /// The unregistered names, sorted.
        strategies: Vec<String>,
        /// The handlers that name them, sorted.
        handlers: Vec<String>,
    },
    /// [`Registry::audit`](crate::Registry::audit) of a registry that serves modules of
    /// its own found handlers there that read their own `&HeaderMap`: they authenticate
    /// with the global registry, not this one.
    HandlersReadGlobalRegistry {
        /// The handlers, sorted.
        handlers: Vec<String>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingIssuer => f.write_str("an issuer is required"),
            Self::InvalidIssuer { issuer, reason } => {
                write!(f, "invalid issuer {issuer:?}: {reason}")
            }
            Self::NoAlgorithms => f.write_str("the algorithm allow-list must not be empty"),
            Self::MixedAlgorithms => f.write_str(
                "mixing HMAC (HS*) and public-key algorithms in one allow-list invites key \
                 confusion; use two strategies",
            ),
            Self::HmacWithoutSecret => f.write_str(
                "HS* algorithms need a pinned secret (hmac_secret); fetched key sets never \
                 hold secrets",
            ),
            Self::ConflictingKeySources { first, second } => write!(
                f,
                "a strategy has one key source: {first} was chosen, then {second}"
            ),
            Self::InvalidKey { key, reason } => write!(f, "pinned key {key}: {reason}"),
            Self::InvalidUrl { url, reason } => write!(f, "invalid URL {url:?}: {reason}"),
            Self::InsecureUrl { url } => write!(
                f,
                "{url} uses plain http; key URLs must be https (loopback addresses excepted) \
                 unless allowed with JwksConfig::dangerous_allow_http"
            ),
            Self::HttpClient(_) => f.write_str("cannot build the HTTP client of the key engine"),
            Self::InvalidClaimPath { path } => {
                write!(
                    f,
                    "the claim path {path:?} is empty or has an empty segment"
                )
            }
            Self::InvalidOption { option, reason } => write!(f, "{option}: {reason}"),
            Self::InvalidConfig {
                strategy,
                field,
                reason,
            } => match (strategy.is_empty(), field.is_empty()) {
                (true, true) => write!(f, "invalid configuration: {reason}"),
                (true, false) => write!(f, "field {field:?}: {reason}"),
                (false, true) => write!(f, "strategy {strategy:?}: {reason}"),
                (false, false) => write!(f, "strategy {strategy:?}, field {field:?}: {reason}"),
            },
            Self::EmptyStrategyName => f.write_str("a strategy name must not be empty"),
            Self::NoStrategies { policy } => {
                write!(f, "the policy {policy:?} names no authentication strategy")
            }
            Self::DuplicateStrategy { name } => {
                write!(
                    f,
                    "authentication strategy \"{name}\" is registered already"
                )
            }
            Self::InvalidDpop { reason } => write!(f, "invalid DPoP settings: {reason}"),
            Self::UnregisteredStrategies {
                strategies,
                handlers,
            } => write!(
                f,
                "authentication strategies used by #[authenticate] but not registered: {} \
                 (used by {})",
                quoted(strategies, "and"),
                handlers.join(", ")
            ),
            Self::HandlersReadGlobalRegistry { handlers } => write!(
                f,
                "handlers served by this registry read their own &HeaderMap and so \
                 authenticate with the global registry: {}; take `http::request::Parts` or \
                 `http::Request<B>` (which carry the request's registry) instead",
                handlers.join(", ")
            ),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::HttpClient(source) => Some(&**source),
            _ => None,
        }
    }
}

/// `"a"`, `"a" and "b"`, `"a", "b" and "c"` (or another conjunction).
pub(crate) fn quoted(names: &[String], conjunction: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unregistered_strategies_name_every_one() {
        let err = ConfigError::UnregisteredStrategies {
            strategies: vec!["api-key".into(), "basic".into()],
            handlers: vec!["app::a".into(), "app::b".into()],
        };
        assert_eq!(
            err.to_string(),
            "authentication strategies used by #[authenticate] but not registered: \
             \"api-key\" and \"basic\" (used by app::a, app::b)"
        );
    }

    #[test]
    fn source_is_kept() {
        let err = ConfigError::HttpClient("tls backend".into());
        let source = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("tls backend"));
        assert!(std::error::Error::source(&ConfigError::MissingIssuer).is_none());
    }
}
