//! The error that stops a request, with one table per error enum from each error to its
//! HTTP status, challenge, reason code, client message and log text.
//!
//! The response reveals the status, the RFC 6750 `error=` code and a short, non-sensitive
//! message; details (URLs, key ids, upstream errors) go to the logs. Start-up mistakes are
//! a [`ConfigError`](crate::ConfigError), not this.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::challenge::{Challenge, ChallengeParams, ErrorCode, Scheme};
use crate::config_error::quoted;
use crate::dpop::error::DpopError;

mod token;

pub use token::TokenError;

/// Why a request was refused: the error every request-time operation of jwt-guard returns.
///
/// It is two pointers wide (the kind, and what the refusing side adds, if anything: the
/// challenge parameters of its strategy, the renderer of its registry); look at [`Error::kind`] for what went wrong and at
/// [`Error::status`] for the HTTP status it maps to.
pub struct Error(Box<ErrorKind>, Option<Box<Context>>);

/// What an error carries beside its kind.
#[derive(Default)]
struct Context {
    challenge: Option<ChallengeContext>,
    /// The scopes the refused route requires, for the `scope` of a 401's challenge
    /// (RFC 6750 §3; MCP authorization): what a client should ask its authorization
    /// server for. A 403 for insufficient scope names its own.
    route_scope: Option<Box<[String]>>,
    /// The renderer of the registry that refused the request, when it is not the default
    /// one: a `render::Installed`, type-erased because rendering sits above the error.
    renderer: Option<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
}

/// The challenge parameters of the refusing strategy, and the scheme of the request.
#[derive(Debug)]
struct ChallengeContext {
    params: std::sync::Arc<ChallengeParams>,
    scheme: Scheme,
}

/// What went wrong, grouped by origin.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    // ── the request's credentials (401) ─────────────────────────────────────────────
    /// No `Authorization` header (LoopBack's "Authorization header is missing").
    MissingAuthorization,
    /// The `Authorization` header does not use the `Bearer` scheme.
    NotBearer,
    /// The `Authorization` value has more than the scheme and one token.
    TooManyParts,
    /// The request carries more than one `Authorization` header.
    DuplicateAuthorization,
    /// The `Authorization` header is over the configured size cap.
    HeaderTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// The `Authorization` header holds bytes that are not visible ASCII.
    InvalidHeaderEncoding,
    /// No token in the strategy's named header or cookie (its
    /// [`TokenSource`](crate::TokenSource)); a missing credential, like
    /// [`MissingAuthorization`](Self::MissingAuthorization) for the `Authorization` header.
    MissingToken {
        /// Where the strategy reads its token.
        source: crate::TokenSource,
    },
    /// The request carries a token in more than one place (RFC 6750 §2: "MUST NOT use
    /// more than one method"): the strategy's header or cookie and an `Authorization`
    /// token, a repeated named header or cookie, or an `access_token` query parameter
    /// beside a token. A 400 `invalid_request`.
    MultipleCredentials,
    /// The token was read but is not acceptable.
    InvalidToken(TokenError),
    /// A custom strategy refused the credentials; the message is shown to the client.
    Unauthorized(String),
    /// A handler accepts several strategies and none of them found credentials of its
    /// kind (each answered [`Error::is_missing_credentials`]).
    NoCredentials {
        /// The strategies tried, in order.
        expected: Vec<String>,
    },
    /// A DPoP request (RFC 9449) was refused: the proof, or its binding to the token.
    Dpop(DpopError),
    /// The token is valid, but the user's authentication behind it is not strong or
    /// recent enough for the handler (`acr = ..`, `max_age = ..`; RFC 9470). The
    /// challenge (`insufficient_user_authentication`) names the whole requirement, so that
    /// one new authentication meets it.
    InsufficientUserAuthentication {
        /// The acceptable `acr` values, for `acr_values` (empty when any `acr` is
        /// accepted). Values with a space, `"` or `\` are left out of the challenge.
        acr_values: Vec<String>,
        /// The longest time since the user authenticated, in seconds, for `max_age`.
        max_age: Option<u64>,
        /// True when the token's `acr` is missing or not one of `acr_values`; false when
        /// only its `auth_time` is missing or too old.
        acr_failed: bool,
    },
    /// The `Client-Cert` header (RFC 9440) of a trusted proxy is not one well-formed
    /// value ([`MtlsConfig::trust_client_cert_header`](crate::mtls::MtlsConfig::trust_client_cert_header)).
    MalformedClientCert,

    // ── authorization (403) ─────────────────────────────────────────────────────────
    /// The credentials are valid but do not grant access.
    Forbidden(String),
    /// The token lacks scopes the handler requires (`scopes = ...`).
    InsufficientScope {
        /// The scopes of the requirement, for the `scope` attribute of the challenge
        /// (RFC 6750 §3). Values that are not RFC 6749 scope tokens are left out of it.
        required: Vec<String>,
    },
    /// The caller lacks roles the handler requires (`roles = ...`).
    InsufficientRole,

    // ── our own side (5xx) ──────────────────────────────────────────────────────────
    /// A handler names a strategy that is not registered in the registry in use. The
    /// name (at most 64 characters when the registry makes this error) is for logs; the
    /// response body does not show it.
    UnknownStrategy(String),
    /// The service is wired wrongly for this request: the text (fixed, written by
    /// jwt-guard) names the mistake in the response; the details are logged.
    Misconfigured(&'static str),
    /// No usable signing keys: the key server is unreachable and nothing usable is cached.
    KeysUnavailable {
        /// How long the client should wait before retrying.
        retry_after: Duration,
        /// What failed, for logs and start-up errors; not shown to clients.
        detail: String,
    },
    /// The DPoP replay store (e.g. Redis) did not answer in time or failed: the proof
    /// cannot be checked for reuse, so the request is refused.
    ReplayStoreUnavailable {
        /// How long the client should wait before retrying.
        retry_after: Duration,
        /// What failed, for logs; not shown to clients.
        detail: String,
    },
    /// The DPoP replay store holds as many unexpired proofs as it may: the new proof is
    /// refused rather than a live entry forgotten (a forgotten proof could be replayed).
    ReplayStoreFull {
        /// How long the client should wait before retrying.
        retry_after: Duration,
        /// The store's account, for logs; not shown to clients.
        detail: String,
    },
    /// The token references a Token Status List that cannot be had (its server failed,
    /// or it answered with a list that does not verify) and none is held: the token's
    /// status is unknown, so the request is refused
    /// ([`status_list`](crate::status_list)).
    StatusListUnavailable {
        /// How long the client should wait before retrying.
        retry_after: Duration,
        /// What failed, for logs; not shown to clients.
        detail: String,
    },
    /// The token introspection endpoint (RFC 7662) could not answer: unreachable, too
    /// slow, or its answer was not an introspection response (a status other than 200,
    /// not JSON, no boolean `active`). The token is neither accepted nor declared
    /// invalid: the client may retry.
    IntrospectionUnavailable {
        /// How long the client should wait before retrying.
        retry_after: Duration,
        /// What failed, for logs; not shown to clients (never the token).
        detail: String,
    },
}

/// One row of the table of [`ErrorKind`]: every fact a response, a log line and a metric
/// give of an error.
struct Facts<'a> {
    /// The HTTP status: 401, 403, 400 for credentials in two places, or a 5xx for a
    /// failure of our own side.
    status: StatusCode,
    /// The `WWW-Authenticate` challenge and its `error` code (none on a 5xx).
    challenge: Challenge<'a>,
    /// The reason code of [`Error::reason`]: snake_case, one per row.
    reason: &'static str,
    /// The message the client is shown: LoopBack's for 401s, a generic phrase for 5xx.
    message: fmt::Arguments<'a>,
    /// The text for logs, with the details a client is not shown: the [`Display`] of
    /// the error, in lower-case phrases.
    ///
    /// [`Display`]: fmt::Display
    log: fmt::Arguments<'a>,
}

impl Error {
    /// Creates an error of the given kind.
    pub fn new(kind: ErrorKind) -> Self {
        Self(Box::new(kind), None)
    }

    /// The same error, answered with the challenges of a strategy (DPoP,
    /// `resource_metadata`); a context set earlier stays.
    pub(crate) fn with_challenge(
        mut self,
        params: &std::sync::Arc<ChallengeParams>,
        scheme: Scheme,
    ) -> Self {
        let context = self.1.get_or_insert_with(Box::default);
        if context.challenge.is_none() {
            context.challenge = Some(ChallengeContext {
                params: std::sync::Arc::clone(params),
                scheme,
            });
        }
        self
    }

    /// The same error, its challenge naming the scopes its route requires (`scope="…"`,
    /// RFC 6750 §3) unless the error names its own; set earlier, it stays.
    pub(crate) fn with_route_scope(mut self, required: Vec<String>) -> Self {
        if required.is_empty() {
            return self;
        }
        let context = self.1.get_or_insert_with(Box::default);
        if context.route_scope.is_none() {
            context.route_scope = Some(required.into_boxed_slice());
        }
        self
    }

    /// The same error, rendered by `renderer` (a registry's); a renderer set earlier
    /// stays.
    pub(crate) fn with_renderer(
        mut self,
        renderer: std::sync::Arc<dyn std::any::Any + Send + Sync>,
    ) -> Self {
        let context = self.1.get_or_insert_with(Box::default);
        if context.renderer.is_none() {
            context.renderer = Some(renderer);
        }
        self
    }

    /// The renderer this error is answered with, if not the default one.
    pub(crate) fn renderer(&self) -> Option<&(dyn std::any::Any + Send + Sync)> {
        self.1.as_ref()?.renderer.as_deref()
    }

    /// A 401 for custom strategies; `message` is shown to the client as is.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized(message.into()))
    }

    /// A 403 for custom strategies; `message` is shown to the client as is.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden(message.into()))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// True when the request simply carried no credentials of the strategy's kind.
    ///
    /// `#[authenticate("a", "b")]` passes such requests on to the next strategy, and
    /// `#[authenticate("a", optional)]` runs the handler without a principal.
    pub fn is_missing_credentials(&self) -> bool {
        // The errors answered with a challenge without an error code (RFC 6750 §3.1).
        self.0
            .facts(|facts| matches!(facts.challenge, Challenge::Bare))
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        self.0.facts(|facts| facts.status)
    }

    /// A short, fixed code for why the request was refused, for metrics labels and log
    /// fields: snake_case, from a closed set (one per [`ErrorKind`], and one per
    /// [`TokenError`] for a refused token), never anything taken from the request.
    ///
    /// ```
    /// use jwt_guard::{Error, TokenError};
    /// assert_eq!(Error::from(TokenError::Expired).reason(), "expired");
    /// assert_eq!(Error::unauthorized("custom text").reason(), "unauthorized");
    /// ```
    pub fn reason(&self) -> &'static str {
        self.0.facts(|facts| facts.reason)
    }

    /// The `WWW-Authenticate` value for a 401 or 403 (RFC 6750 §3), if any.
    ///
    /// No `error` code when credentials are missing (§3.1), `invalid_request` for a
    /// malformed `Authorization` header, `invalid_token` for a refused token,
    /// `insufficient_scope` on a 403 — with `scope="…"` naming the required scopes when
    /// scopes were the reason. A 401 of a route that requires scopes names them too
    /// (`scope="…"` beside the error, as the MCP authorization specification asks), so
    /// that a client knows what to request; `any(..)` lists every alternative, as the 403.
    ///
    /// A strategy that accepts DPoP (RFC 9449) adds its `DPoP algs="…"` challenge (the
    /// only one when DPoP is required), and one with protected resource metadata
    /// (RFC 9728) adds `resource_metadata="…"` to each challenge.
    pub fn www_authenticate(&self) -> Option<Cow<'static, str>> {
        let (code, scope, on_dpop) = self.0.facts(|facts| match facts.challenge {
            Challenge::None => None,
            Challenge::Bare => Some((None, None, false)),
            Challenge::Bearer(code) => Some((Some(code.as_str()), None, false)),
            Challenge::Dpop(code) => Some((Some(code.as_str()), None, true)),
            Challenge::Scope(required) => {
                let code = ErrorCode::InsufficientScope.as_str();
                Some((Some(code), Some(scope_value(required)), false))
            }
            Challenge::StepUp { .. } => Some((
                Some(ErrorCode::InsufficientUserAuthentication.as_str()),
                None,
                false,
            )),
        })?;
        let route_scope = self.1.as_ref().and_then(|c| c.route_scope.as_deref());
        let scope = scope.or_else(|| route_scope.map(scope_value));
        let step_up = self.0.facts(|facts| match facts.challenge {
            Challenge::StepUp {
                description,
                acr_values,
                max_age,
            } => Some(step_up_params(description, acr_values, max_age)),
            _ => None,
        });
        if let Some(context) = self.1.as_ref().and_then(|c| c.challenge.as_ref()) {
            let value = context.params.render(
                context.scheme,
                code,
                scope.as_deref(),
                step_up.as_deref(),
                on_dpop,
            );
            return Some(Cow::Owned(value));
        }
        let scheme = if on_dpop { "DPoP" } else { "Bearer" };
        Some(match (code, scope, step_up) {
            (None, None, _) => Cow::Borrowed(scheme),
            (None, Some(scope), _) => Cow::Owned(format!("{scheme} scope=\"{scope}\"")),
            (Some(code), None, None) => Cow::Owned(format!("{scheme} error=\"{code}\"")),
            (Some(code), Some(scope), Some(step_up)) => Cow::Owned(format!(
                "{scheme} error=\"{code}\", scope=\"{scope}\", {step_up}"
            )),
            (Some(code), Some(scope), None) => {
                Cow::Owned(format!("{scheme} error=\"{code}\", scope=\"{scope}\""))
            }
            (Some(code), None, Some(step_up)) => {
                Cow::Owned(format!("{scheme} error=\"{code}\", {step_up}"))
            }
        })
    }

    /// The fresh server nonce for a `DPoP-Nonce` header (RFC 9449 §8), on a 401 that
    /// asks the client to use it.
    pub fn dpop_nonce(&self) -> Option<&str> {
        match &*self.0 {
            ErrorKind::Dpop(DpopError::UseNonce(nonce)) => Some(nonce),
            _ => None,
        }
    }

    /// Seconds for a `Retry-After` header, on a 503.
    pub fn retry_after(&self) -> Option<u64> {
        match &*self.0 {
            ErrorKind::KeysUnavailable { retry_after, .. }
            | ErrorKind::ReplayStoreUnavailable { retry_after, .. }
            | ErrorKind::ReplayStoreFull { retry_after, .. }
            | ErrorKind::StatusListUnavailable { retry_after, .. }
            | ErrorKind::IntrospectionUnavailable { retry_after, .. } => {
                Some(retry_after.as_secs().max(1))
            }
            _ => None,
        }
    }

    /// The message shown to the client: LoopBack's texts for 401s, a generic phrase for
    /// server faults (the details are in the logs).
    pub fn body_text(&self) -> String {
        self.0.facts(|facts| fmt::format(facts.message))
    }

    /// The response body in LoopBack's shape:
    /// `{"error":{"statusCode":401,"name":"UnauthorizedError","message":"…"}}`.
    pub fn body_json(&self) -> String {
        let (status, message) = self
            .0
            .facts(|facts| (facts.status, fmt::format(facts.message)));
        let name = match status {
            StatusCode::BAD_REQUEST => "BadRequestError",
            StatusCode::UNAUTHORIZED => "UnauthorizedError",
            StatusCode::FORBIDDEN => "ForbiddenError",
            StatusCode::SERVICE_UNAVAILABLE => "ServiceUnavailableError",
            _ => "InternalServerError",
        };
        // Built by hand to keep LoopBack's member order; the message is JSON-escaped.
        let message = serde_json::Value::String(message);
        format!(
            r#"{{"error":{{"statusCode":{},"name":"{name}","message":{message}}}}}"#,
            status.as_u16()
        )
    }
}

impl ErrorKind {
    /// The one table from error to HTTP status, challenge, reason code, public message
    /// and log text: each kind's row, handed to `read`. Every kind is listed: a new kind
    /// cannot be added without deciding all of them. A refused token or DPoP request
    /// takes its reason and texts from the table of [`TokenError`] or [`DpopError`].
    fn facts<R>(&self, read: impl FnOnce(Facts<'_>) -> R) -> R {
        use Challenge::Bare;
        use ErrorCode::{InsufficientScope, InvalidRequest, InvalidToken};
        const BAD_REQUEST: StatusCode = StatusCode::BAD_REQUEST;
        const UNAUTHORIZED: StatusCode = StatusCode::UNAUTHORIZED;
        const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
        const INTERNAL: StatusCode = StatusCode::INTERNAL_SERVER_ERROR;
        const UNAVAILABLE: StatusCode = StatusCode::SERVICE_UNAVAILABLE;
        match self {
            // ── the request's credentials (401) ─────────────────────────────────────
            Self::MissingAuthorization => read(Facts {
                status: UNAUTHORIZED,
                challenge: Bare,
                reason: "missing_authorization",
                message: format_args!("Authorization header is missing"),
                log: format_args!("authorization header is missing"),
            }),
            Self::NotBearer => read(Facts {
                status: UNAUTHORIZED,
                challenge: Bare,
                reason: "not_bearer",
                message: format_args!("Authorization header is not of type Bearer"),
                log: format_args!("authorization header is not of type bearer"),
            }),
            Self::TooManyParts => read(Facts {
                status: UNAUTHORIZED,
                challenge: Challenge::Bearer(InvalidRequest),
                reason: "too_many_parts",
                message: format_args!("Authorization header value has too many parts."),
                log: format_args!("authorization header value has too many parts"),
            }),
            Self::DuplicateAuthorization => read(Facts {
                status: UNAUTHORIZED,
                challenge: Challenge::Bearer(InvalidRequest),
                reason: "duplicate_authorization",
                message: format_args!("Authorization header is repeated"),
                log: format_args!("authorization header is repeated"),
            }),
            Self::HeaderTooLarge { limit } => read(Facts {
                status: UNAUTHORIZED,
                challenge: Challenge::Bearer(InvalidRequest),
                reason: "header_too_large",
                message: format_args!("Authorization header is too large"),
                log: format_args!("authorization header is over the {limit}-byte cap"),
            }),
            Self::InvalidHeaderEncoding => read(Facts {
                status: UNAUTHORIZED,
                challenge: Challenge::Bearer(InvalidRequest),
                reason: "invalid_header_encoding",
                message: format_args!("Authorization header is not valid text"),
                log: format_args!("authorization header is not visible ascii"),
            }),
            Self::MissingToken { source } => read(Facts {
                status: UNAUTHORIZED,
                challenge: Bare,
                reason: "missing_token",
                message: format_args!("{source} is missing"),
                log: format_args!("no token in the {source}"),
            }),
            Self::MultipleCredentials => read(Facts {
                status: BAD_REQUEST,
                challenge: Challenge::Bearer(InvalidRequest),
                reason: "multiple_credentials",
                message: format_args!("Credentials are sent in more than one place"),
                log: format_args!("token in more than one place (rfc 6750 §2)"),
            }),
            Self::InvalidToken(error) => read(Facts {
                status: UNAUTHORIZED,
                challenge: Challenge::Bearer(InvalidToken),
                reason: error.reason(),
                message: format_args!("Invalid token: {error}"),
                log: format_args!("invalid token: {error}"),
            }),
            Self::Unauthorized(message) => read(Facts {
                status: UNAUTHORIZED,
                challenge: Challenge::Bearer(InvalidToken),
                reason: "unauthorized",
                message: format_args!("{message}"),
                log: format_args!("unauthorized: {message}"),
            }),
            Self::NoCredentials { expected } => {
                let expected =
                    Lazy(|f: &mut fmt::Formatter<'_>| f.write_str(&quoted(expected, "or")));
                read(Facts {
                    status: UNAUTHORIZED,
                    challenge: Bare,
                    reason: "no_credentials",
                    message: format_args!("No credentials: expected {expected}"),
                    log: format_args!("no credentials for {expected}"),
                })
            }
            Self::Dpop(error) => error.facts(|dpop| {
                read(Facts {
                    status: UNAUTHORIZED,
                    challenge: dpop.challenge,
                    reason: dpop.reason,
                    message: format_args!("{}", dpop.message),
                    log: format_args!("dpop: {}", dpop.log),
                })
            }),
            Self::InsufficientUserAuthentication {
                acr_values,
                max_age,
                acr_failed,
            } => {
                // RFC 9470 §3's example texts: the client is shown which part fell short.
                let description = if *acr_failed {
                    "A different authentication level is required"
                } else {
                    "More recent authentication is required"
                };
                let required = Lazy(|f: &mut fmt::Formatter<'_>| {
                    if !acr_values.is_empty() {
                        write!(f, " acr {}", acr_values.join(" "))?;
                    }
                    match max_age {
                        Some(secs) => write!(f, " max_age {secs}s"),
                        None => Ok(()),
                    }
                });
                let failed = if *acr_failed { "acr" } else { "auth_time" };
                read(Facts {
                    status: UNAUTHORIZED,
                    challenge: Challenge::StepUp {
                        description,
                        acr_values,
                        max_age: *max_age,
                    },
                    reason: "insufficient_user_authentication",
                    message: format_args!("{description}"),
                    log: format_args!(
                        "insufficient user authentication: the token's {failed} falls short \
                         of{required}"
                    ),
                })
            }
            Self::MalformedClientCert => read(Facts {
                status: UNAUTHORIZED,
                challenge: Challenge::Bearer(InvalidRequest),
                reason: "malformed_client_cert",
                message: format_args!("Client-Cert header is malformed"),
                log: format_args!("client-cert header is malformed"),
            }),

            // ── authorization (403) ─────────────────────────────────────────────────
            Self::Forbidden(message) => read(Facts {
                status: FORBIDDEN,
                challenge: Challenge::Bearer(InsufficientScope),
                reason: "forbidden",
                message: format_args!("{message}"),
                log: format_args!("forbidden: {message}"),
            }),
            Self::InsufficientScope { required } => {
                let scopes = Lazy(|f: &mut fmt::Formatter<'_>| f.write_str(&required.join(" ")));
                read(Facts {
                    status: FORBIDDEN,
                    challenge: Challenge::Scope(required),
                    reason: "insufficient_scope",
                    message: format_args!("Insufficient scope"),
                    log: format_args!("insufficient scope: requires {scopes}"),
                })
            }
            Self::InsufficientRole => read(Facts {
                status: FORBIDDEN,
                challenge: Challenge::Bearer(InsufficientScope),
                reason: "insufficient_role",
                message: format_args!("Insufficient role"),
                log: format_args!("insufficient role"),
            }),

            // ── our own side (5xx) ──────────────────────────────────────────────────
            // The name is in the logs, not the body: it may come from the request.
            Self::UnknownStrategy(name) => read(Facts {
                status: INTERNAL,
                challenge: Challenge::None,
                reason: "unknown_strategy",
                message: format_args!("authentication strategy is not registered"),
                log: format_args!("authentication strategy \"{name}\" is not registered"),
            }),
            Self::Misconfigured(mistake) => read(Facts {
                status: INTERNAL,
                challenge: Challenge::None,
                reason: "misconfigured",
                message: format_args!("authentication is misconfigured: {mistake}"),
                log: format_args!("misconfigured: {mistake}"),
            }),
            Self::KeysUnavailable { detail, .. } => read(Facts {
                status: UNAVAILABLE,
                challenge: Challenge::None,
                reason: "keys_unavailable",
                message: format_args!("signing keys are unavailable"),
                log: format_args!("signing keys are unavailable: {detail}"),
            }),
            Self::ReplayStoreUnavailable { detail, .. } => read(Facts {
                status: UNAVAILABLE,
                challenge: Challenge::None,
                reason: "replay_store_unavailable",
                message: format_args!("the DPoP replay store is unavailable"),
                log: format_args!("the dpop replay store is unavailable: {detail}"),
            }),
            Self::ReplayStoreFull { detail, .. } => read(Facts {
                status: UNAVAILABLE,
                challenge: Challenge::None,
                reason: "replay_store_full",
                message: format_args!("the DPoP replay store is full"),
                log: format_args!("the dpop replay store is full: {detail}"),
            }),
            Self::StatusListUnavailable { detail, .. } => read(Facts {
                status: UNAVAILABLE,
                challenge: Challenge::None,
                reason: "status_list_unavailable",
                message: format_args!("the token status list is unavailable"),
                log: format_args!("the token status list is unavailable: {detail}"),
            }),
            Self::IntrospectionUnavailable { detail, .. } => read(Facts {
                status: UNAVAILABLE,
                challenge: Challenge::None,
                reason: "introspection_unavailable",
                message: format_args!("token introspection is unavailable"),
                log: format_args!("token introspection is unavailable: {detail}"),
            }),
        }
    }
}

/// Text written by a closure when formatted: a part of a message computed only when the
/// message is.
struct Lazy<F>(F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Lazy<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Error").field(&self.0).finish()
    }
}

impl fmt::Display for Error {
    /// For log: lower-case phrases with the details a client is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.facts(|facts| f.write_fmt(facts.log))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::InvalidToken(reason) => Some(reason),
            ErrorKind::Dpop(reason) => Some(reason),
            _ => None,
        }
    }
}

/// The `scope` value of a challenge: the scope tokens of `required`, space-separated.
/// Scope tokens have no `"` or `\` (RFC 6749 §3.3); the attribute checks them at compile
/// time. Anything else is dropped rather than escaped.
fn scope_value(required: &[String]) -> String {
    let scope: Vec<&str> = required
        .iter()
        .map(String::as_str)
        .filter(|s| is_scope_token(s))
        .collect();
    scope.join(" ")
}

/// The parameters of a step-up challenge after its `error` (RFC 9470 §3):
/// `error_description="…", acr_values="a b", max_age=300`. Values that are not
/// NQCHAR tokens (the builders refuse them) are dropped rather than escaped.
fn step_up_params(description: &str, acr_values: &[String], max_age: Option<u64>) -> String {
    let mut out = format!("error_description=\"{description}\"");
    let acr: Vec<&str> = acr_values
        .iter()
        .map(String::as_str)
        .filter(|v| is_scope_token(v))
        .collect();
    if !acr.is_empty() {
        out.push_str(&format!(", acr_values=\"{}\"", acr.join(" ")));
    }
    if let Some(max_age) = max_age {
        out.push_str(&format!(", max_age={max_age}"));
    }
    out
}

/// True for an RFC 6749 §3.3 scope token: visible ASCII except `"` and `\`.
pub(crate) fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

impl From<TokenError> for Error {
    fn from(reason: TokenError) -> Self {
        Self::new(ErrorKind::InvalidToken(reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_origin() {
        assert_eq!(Error::new(ErrorKind::MissingAuthorization).status(), 401);
        assert_eq!(Error::from(TokenError::Expired).status(), 401);
        assert_eq!(Error::forbidden("no").status(), 403);
        assert_eq!(
            Error::new(ErrorKind::UnknownStrategy("x".into())).status(),
            500
        );
        let outage = ErrorKind::KeysUnavailable {
            retry_after: Duration::from_secs(30),
            detail: "timeout".into(),
        };
        let outage = Error::new(outage);
        assert_eq!(outage.status(), 503);
        assert_eq!(outage.retry_after(), Some(30));
        assert!(!outage.body_text().contains("timeout"));
    }

    #[test]
    fn body_has_loopback_shape() {
        let body: serde_json::Value =
            serde_json::from_str(&Error::from(TokenError::Expired).body_json()).unwrap();
        assert_eq!(body["error"]["statusCode"], 401);
        assert_eq!(body["error"]["name"], "UnauthorizedError");
        assert_eq!(body["error"]["message"], "Invalid token: jwt expired");
    }

    #[test]
    fn missing_credentials_carry_no_error_code() {
        let missing = Error::new(ErrorKind::MissingAuthorization);
        assert_eq!(missing.www_authenticate().as_deref(), Some("Bearer"));
        assert!(missing.is_missing_credentials());
        let bad = Error::from(TokenError::InvalidSignature);
        assert_eq!(
            bad.www_authenticate().as_deref(),
            Some("Bearer error=\"invalid_token\"")
        );
        assert!(!bad.is_missing_credentials());
    }

    #[test]
    fn several_strategies_without_credentials() {
        let none = Error::new(ErrorKind::NoCredentials {
            expected: vec!["jwt".into(), "api-key".into(), "basic".into()],
        });
        assert_eq!(none.status(), 401);
        assert!(none.is_missing_credentials());
        assert_eq!(none.www_authenticate().as_deref(), Some("Bearer"));
        assert_eq!(
            none.body_text(),
            r#"No credentials: expected "jwt", "api-key" or "basic""#
        );
    }

    #[test]
    fn a_401_names_the_scopes_of_its_route() {
        let route = || {
            vec![
                "mcp:tools".to_owned(),
                "bad\"scope".to_owned(),
                "x".to_owned(),
            ]
        };
        let missing = Error::new(ErrorKind::MissingAuthorization).with_route_scope(route());
        assert_eq!(
            missing.www_authenticate().as_deref(),
            Some(r#"Bearer scope="mcp:tools x""#)
        );
        assert!(
            missing.is_missing_credentials(),
            "still a missing-credentials 401"
        );
        let invalid = Error::from(TokenError::Expired).with_route_scope(route());
        assert_eq!(
            invalid.www_authenticate().as_deref(),
            Some(r#"Bearer error="invalid_token", scope="mcp:tools x""#)
        );
        let params = std::sync::Arc::new(ChallengeParams {
            dpop: None,
            resource_metadata: Some(
                "https://r.test/.well-known/oauth-protected-resource/mcp".into(),
            ),
        });
        let with_metadata = Error::from(TokenError::Expired)
            .with_challenge(&params, Scheme::Bearer)
            .with_route_scope(route());
        assert_eq!(
            with_metadata.www_authenticate().as_deref(),
            Some(
                "Bearer error=\"invalid_token\", scope=\"mcp:tools x\", \
                 resource_metadata=\"https://r.test/.well-known/oauth-protected-resource/mcp\""
            )
        );
        // A 403 for scopes names its own; no route scope without a requirement; none on 5xx.
        let forbidden = Error::new(ErrorKind::InsufficientScope {
            required: vec!["orders:read".into()],
        })
        .with_route_scope(route());
        assert_eq!(
            forbidden.www_authenticate().as_deref(),
            Some(r#"Bearer error="insufficient_scope", scope="orders:read""#)
        );
        let bare = Error::new(ErrorKind::MissingAuthorization).with_route_scope(Vec::new());
        assert_eq!(bare.www_authenticate().as_deref(), Some("Bearer"));
        let outage = Error::new(ErrorKind::Misconfigured("x")).with_route_scope(route());
        assert_eq!(outage.www_authenticate(), None);
    }

    #[test]
    fn insufficient_scope_names_the_scopes() {
        let scope = Error::new(ErrorKind::InsufficientScope {
            required: vec!["orders:read".into(), "orders:write".into()],
        });
        assert_eq!(scope.status(), 403);
        assert_eq!(
            scope.www_authenticate().as_deref(),
            Some(r#"Bearer error="insufficient_scope", scope="orders:read orders:write""#)
        );
        assert_eq!(scope.body_text(), "Insufficient scope");
        let hostile = Error::new(ErrorKind::InsufficientScope {
            required: vec!["a\"b".into(), "ok".into()],
        });
        assert_eq!(
            hostile.www_authenticate().as_deref(),
            Some(r#"Bearer error="insufficient_scope", scope="ok""#)
        );
        let role = Error::new(ErrorKind::InsufficientRole);
        assert_eq!(role.status(), 403);
        assert_eq!(
            role.www_authenticate().as_deref(),
            Some(r#"Bearer error="insufficient_scope""#)
        );
        let body: serde_json::Value = serde_json::from_str(&role.body_json()).unwrap();
        assert_eq!(body["error"]["name"], "ForbiddenError");
    }

    /// One error of every kind, every token error and every DPoP error, with data.
    fn every_error() -> Vec<Error> {
        let retry_after = Duration::from_secs(7);
        let mut kinds = vec![
            ErrorKind::MissingAuthorization,
            ErrorKind::NotBearer,
            ErrorKind::TooManyParts,
            ErrorKind::DuplicateAuthorization,
            ErrorKind::HeaderTooLarge { limit: 8192 },
            ErrorKind::InvalidHeaderEncoding,
            ErrorKind::Unauthorized("bad api key".into()),
            ErrorKind::NoCredentials {
                expected: vec!["jwt".into(), "api-key".into()],
            },
            ErrorKind::Forbidden("tenant closed".into()),
            ErrorKind::InsufficientScope {
                required: vec!["orders:read".into(), "a\"b".into()],
            },
            ErrorKind::InsufficientRole,
            ErrorKind::UnknownStrategy("jwt-x".into()),
            ErrorKind::Misconfigured("no registry"),
            ErrorKind::KeysUnavailable {
                retry_after,
                detail: "connect timeout".into(),
            },
            ErrorKind::ReplayStoreUnavailable {
                retry_after,
                detail: "redis down".into(),
            },
            ErrorKind::ReplayStoreFull {
                retry_after,
                detail: "10000 entries".into(),
            },
        ];
        kinds.extend(
            [
                TokenError::Malformed,
                TokenError::TooLarge,
                TokenError::AlgorithmNotAllowed,
                TokenError::CriticalHeader,
                TokenError::UnknownKey,
                TokenError::AmbiguousKey,
                TokenError::InvalidSignature,
                TokenError::Expired,
                TokenError::NotYetValid,
                TokenError::MissingClaim("sub"),
                TokenError::InvalidClaim("exp"),
                TokenError::InvalidIssuer,
                TokenError::InvalidAudience,
                TokenError::UnsupportedConfirmation,
            ]
            .map(ErrorKind::InvalidToken),
        );
        kinds.extend(
            [
                DpopError::MissingProof,
                DpopError::MultipleProofs,
                DpopError::MalformedAuthorization,
                DpopError::MalformedProof,
                DpopError::ProofTooLarge,
                DpopError::InvalidType,
                DpopError::AlgorithmNotAllowed,
                DpopError::InvalidKey,
                DpopError::InvalidSignature,
                DpopError::MissingClaim("jti"),
                DpopError::InvalidClaim("htu"),
                DpopError::MethodMismatch,
                DpopError::UriMismatch,
                DpopError::Stale,
                DpopError::IssuedInFuture,
                DpopError::Replayed,
                DpopError::AccessTokenHashMismatch,
                DpopError::UseNonce("n-1".into()),
                DpopError::KeyMismatch,
                DpopError::TokenNotBound,
                DpopError::BoundTokenAsBearer,
                DpopError::DpopRequired,
            ]
            .map(ErrorKind::Dpop),
        );
        kinds.push(ErrorKind::InsufficientUserAuthentication {
            acr_values: vec!["urn:example:mfa".into(), "a b".into()],
            max_age: Some(300),
            acr_failed: true,
        });
        kinds.push(ErrorKind::MalformedClientCert);
        kinds.extend(
            [
                TokenError::CertificateMissing,
                TokenError::CertificateMismatch,
                TokenError::CertificateBindingRequired,
            ]
            .map(ErrorKind::InvalidToken),
        );
        kinds.extend([
            ErrorKind::MissingToken {
                source: crate::TokenSource::cookie("__Host-at"),
            },
            ErrorKind::MultipleCredentials,
        ]);
        // Token Status Lists.
        kinds.extend([
            ErrorKind::InvalidToken(TokenError::Revoked),
            ErrorKind::InvalidToken(TokenError::Suspended),
            ErrorKind::InvalidToken(TokenError::StatusNotAccepted),
            ErrorKind::StatusListUnavailable {
                retry_after,
                detail: "list server down".into(),
            },
        ]);
        kinds.push(ErrorKind::IntrospectionUnavailable {
            retry_after,
            detail: "http://127.0.0.1:1/introspect: unreachable".into(),
        });
        kinds.push(ErrorKind::InvalidToken(TokenError::Inactive));
        kinds.into_iter().map(Error::new).collect()
    }

    /// Every fact of every error, one line each: status, reason, challenge (alone, then on
    /// a bearer request to a strategy that also accepts DPoP), body, log text.
    fn snapshot(errors: Vec<Error>) -> String {
        let dpop = std::sync::Arc::new(ChallengeParams {
            dpop: Some(crate::challenge::DpopChallenge {
                required: false,
                algs: "ES256".into(),
            }),
            resource_metadata: None,
        });
        errors
            .into_iter()
            .map(|e| {
                let line = format!(
                    "{} {} | {} | {} | {}",
                    e.status().as_u16(),
                    e.reason(),
                    e.www_authenticate().as_deref().unwrap_or("-"),
                    e.body_json(),
                    e,
                );
                let e = e.with_challenge(&dpop, Scheme::Bearer);
                let on_dpop = e.www_authenticate();
                format!("{line} | {}\n", on_dpop.as_deref().unwrap_or("-"))
            })
            .collect()
    }

    /// The position of each variant in [`every_error`]. No wildcard: a new variant does
    /// not compile until it has a place, and `every_row_agrees` fails until it is listed.
    fn place(kind: &ErrorKind) -> usize {
        match kind {
            ErrorKind::MissingAuthorization => 0,
            ErrorKind::NotBearer => 1,
            ErrorKind::TooManyParts => 2,
            ErrorKind::DuplicateAuthorization => 3,
            ErrorKind::HeaderTooLarge { .. } => 4,
            ErrorKind::InvalidHeaderEncoding => 5,
            ErrorKind::Unauthorized(_) => 6,
            ErrorKind::NoCredentials { .. } => 7,
            ErrorKind::Forbidden(_) => 8,
            ErrorKind::InsufficientScope { .. } => 9,
            ErrorKind::InsufficientRole => 10,
            ErrorKind::UnknownStrategy(_) => 11,
            ErrorKind::Misconfigured(_) => 12,
            ErrorKind::KeysUnavailable { .. } => 13,
            ErrorKind::ReplayStoreUnavailable { .. } => 14,
            ErrorKind::ReplayStoreFull { .. } => 15,
            ErrorKind::InvalidToken(token) => match token {
                TokenError::Malformed => 16,
                TokenError::TooLarge => 17,
                TokenError::AlgorithmNotAllowed => 18,
                TokenError::CriticalHeader => 19,
                TokenError::UnknownKey => 20,
                TokenError::AmbiguousKey => 21,
                TokenError::InvalidSignature => 22,
                TokenError::Expired => 23,
                TokenError::NotYetValid => 24,
                TokenError::MissingClaim(_) => 25,
                TokenError::InvalidClaim(_) => 26,
                TokenError::InvalidIssuer => 27,
                TokenError::InvalidAudience => 28,
                TokenError::UnsupportedConfirmation => 29,
                TokenError::CertificateMissing => 54,
                TokenError::CertificateMismatch => 55,
                TokenError::CertificateBindingRequired => 56,
                TokenError::Revoked => 59,
                TokenError::Suspended => 60,
                TokenError::StatusNotAccepted => 61,
                TokenError::Inactive => 64,
            },
            ErrorKind::MalformedClientCert => 53,
            ErrorKind::StatusListUnavailable { .. } => 62,
            ErrorKind::Dpop(dpop) => match dpop {
                DpopError::MissingProof => 30,
                DpopError::MultipleProofs => 31,
                DpopError::MalformedAuthorization => 32,
                DpopError::MalformedProof => 33,
                DpopError::ProofTooLarge => 34,
                DpopError::InvalidType => 35,
                DpopError::AlgorithmNotAllowed => 36,
                DpopError::InvalidKey => 37,
                DpopError::InvalidSignature => 38,
                DpopError::MissingClaim(_) => 39,
                DpopError::InvalidClaim(_) => 40,
                DpopError::MethodMismatch => 41,
                DpopError::UriMismatch => 42,
                DpopError::Stale => 43,
                DpopError::IssuedInFuture => 44,
                DpopError::Replayed => 45,
                DpopError::AccessTokenHashMismatch => 46,
                DpopError::UseNonce(_) => 47,
                DpopError::KeyMismatch => 48,
                DpopError::TokenNotBound => 49,
                DpopError::BoundTokenAsBearer => 50,
                DpopError::DpopRequired => 51,
            },
            ErrorKind::InsufficientUserAuthentication { .. } => 52,
            ErrorKind::MissingToken { .. } => 57,
            ErrorKind::MultipleCredentials => 58,
            ErrorKind::IntrospectionUnavailable { .. } => 63,
        }
    }

    /// The reasons of failures of our own side: 5xx, without a challenge.
    const SERVER_SIDE: &[&str] = &[
        "unknown_strategy",
        "misconfigured",
        "keys_unavailable",
        "replay_store_unavailable",
        "replay_store_full",
        "status_list_unavailable",
        "introspection_unavailable",
    ];

    /// What the row of `error` implies for the rest of its answer.
    fn check_row(error: &Error, facts: &Facts<'_>) {
        let reason = facts.reason;
        let header = error.www_authenticate();
        let header = header.as_deref();
        let snake_case = !reason.is_empty()
            && !reason.starts_with('_')
            && !reason.ends_with('_')
            && !reason.contains("__")
            && reason.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        assert!(snake_case, "{reason}");
        assert_eq!(
            reason.starts_with("dpop_"),
            matches!(error.kind(), ErrorKind::Dpop(_)),
            "{reason}"
        );
        assert_eq!(
            SERVER_SIDE.contains(&reason),
            facts.status.is_server_error(),
            "{reason}"
        );
        let expected_header = match (facts.status.as_u16(), facts.challenge) {
            (401, Challenge::Bare) => Some("Bearer".to_owned()),
            (400 | 401 | 403, Challenge::Bearer(code)) => {
                Some(format!("Bearer error=\"{}\"", code.as_str()))
            }
            (401, Challenge::Dpop(code)) => Some(format!("DPoP error=\"{}\"", code.as_str())),
            (401, Challenge::StepUp { .. }) => header.map(str::to_owned),
            (403, Challenge::Scope(_)) => header.map(str::to_owned),
            (500 | 503, Challenge::None) => None,
            (status, challenge) => panic!("{reason}: {status} with {challenge:?}"),
        };
        assert_eq!(header, expected_header.as_deref(), "{reason}");
        // A 403 is always `insufficient_scope`, and only a 403 is.
        let code = header.and_then(|h| h.split('"').nth(1));
        assert_eq!(
            facts.status == StatusCode::FORBIDDEN,
            code == Some("insufficient_scope"),
            "{reason}"
        );
        assert_eq!(
            error.is_missing_credentials(),
            matches!(facts.challenge, Challenge::Bare),
            "{reason}"
        );
        assert_eq!(
            error.retry_after().is_some(),
            facts.status == StatusCode::SERVICE_UNAVAILABLE,
            "{reason}"
        );
        assert_eq!(
            error.dpop_nonce().is_some(),
            facts.challenge == Challenge::Dpop(ErrorCode::UseDpopNonce),
            "{reason}"
        );
        assert!(!error.body_text().is_empty(), "{reason}");
        assert!(
            error
                .to_string()
                .starts_with(|c: char| c.is_ascii_lowercase()),
            "{reason}"
        );
    }

    #[test]
    fn every_row_agrees() {
        let errors = every_error();
        let places: Vec<usize> = errors.iter().map(|e| place(e.kind())).collect();
        assert_eq!(places, (0..errors.len()).collect::<Vec<_>>());
        let mut reasons = std::collections::HashSet::new();
        for error in &errors {
            error.kind().facts(|facts| check_row(error, &facts));
            assert!(reasons.insert(error.reason()), "{} twice", error.reason());
        }
    }

    /// Every status, reason, challenge, body and log text, pinned byte for byte.
    const FACTS: &str = r##"
401 missing_authorization | Bearer | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Authorization header is missing"}} | authorization header is missing | Bearer, DPoP algs="ES256"
401 not_bearer | Bearer | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Authorization header is not of type Bearer"}} | authorization header is not of type bearer | Bearer, DPoP algs="ES256"
401 too_many_parts | Bearer error="invalid_request" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Authorization header value has too many parts."}} | authorization header value has too many parts | Bearer error="invalid_request", DPoP algs="ES256"
401 duplicate_authorization | Bearer error="invalid_request" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Authorization header is repeated"}} | authorization header is repeated | Bearer error="invalid_request", DPoP algs="ES256"
401 header_too_large | Bearer error="invalid_request" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Authorization header is too large"}} | authorization header is over the 8192-byte cap | Bearer error="invalid_request", DPoP algs="ES256"
401 invalid_header_encoding | Bearer error="invalid_request" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Authorization header is not valid text"}} | authorization header is not visible ascii | Bearer error="invalid_request", DPoP algs="ES256"
401 unauthorized | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"bad api key"}} | unauthorized: bad api key | Bearer error="invalid_token", DPoP algs="ES256"
401 no_credentials | Bearer | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"No credentials: expected \"jwt\" or \"api-key\""}} | no credentials for "jwt" or "api-key" | Bearer, DPoP algs="ES256"
403 forbidden | Bearer error="insufficient_scope" | {"error":{"statusCode":403,"name":"ForbiddenError","message":"tenant closed"}} | forbidden: tenant closed | Bearer error="insufficient_scope", DPoP algs="ES256"
403 insufficient_scope | Bearer error="insufficient_scope", scope="orders:read" | {"error":{"statusCode":403,"name":"ForbiddenError","message":"Insufficient scope"}} | insufficient scope: requires orders:read a"b | Bearer error="insufficient_scope", scope="orders:read", DPoP algs="ES256"
403 insufficient_role | Bearer error="insufficient_scope" | {"error":{"statusCode":403,"name":"ForbiddenError","message":"Insufficient role"}} | insufficient role | Bearer error="insufficient_scope", DPoP algs="ES256"
500 unknown_strategy | - | {"error":{"statusCode":500,"name":"InternalServerError","message":"authentication strategy is not registered"}} | authentication strategy "jwt-x" is not registered | -
500 misconfigured | - | {"error":{"statusCode":500,"name":"InternalServerError","message":"authentication is misconfigured: no registry"}} | misconfigured: no registry | -
503 keys_unavailable | - | {"error":{"statusCode":503,"name":"ServiceUnavailableError","message":"signing keys are unavailable"}} | signing keys are unavailable: connect timeout | -
503 replay_store_unavailable | - | {"error":{"statusCode":503,"name":"ServiceUnavailableError","message":"the DPoP replay store is unavailable"}} | the dpop replay store is unavailable: redis down | -
503 replay_store_full | - | {"error":{"statusCode":503,"name":"ServiceUnavailableError","message":"the DPoP replay store is full"}} | the dpop replay store is full: 10000 entries | -
401 malformed | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt malformed"}} | invalid token: jwt malformed | Bearer error="invalid_token", DPoP algs="ES256"
401 too_large | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt too large"}} | invalid token: jwt too large | Bearer error="invalid_token", DPoP algs="ES256"
401 algorithm_not_allowed | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: invalid algorithm"}} | invalid token: invalid algorithm | Bearer error="invalid_token", DPoP algs="ES256"
401 critical_header | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: unsupported critical header"}} | invalid token: unsupported critical header | Bearer error="invalid_token", DPoP algs="ES256"
401 unknown_key | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: no signing key matches the token"}} | invalid token: no signing key matches the token | Bearer error="invalid_token", DPoP algs="ES256"
401 ambiguous_key | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: token has no kid and several keys match"}} | invalid token: token has no kid and several keys match | Bearer error="invalid_token", DPoP algs="ES256"
401 invalid_signature | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: invalid signature"}} | invalid token: invalid signature | Bearer error="invalid_token", DPoP algs="ES256"
401 expired | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt expired"}} | invalid token: jwt expired | Bearer error="invalid_token", DPoP algs="ES256"
401 not_yet_valid | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt not active"}} | invalid token: jwt not active | Bearer error="invalid_token", DPoP algs="ES256"
401 missing_claim | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt sub is required"}} | invalid token: jwt sub is required | Bearer error="invalid_token", DPoP algs="ES256"
401 invalid_claim | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: invalid exp value"}} | invalid token: invalid exp value | Bearer error="invalid_token", DPoP algs="ES256"
401 invalid_issuer | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt issuer invalid"}} | invalid token: jwt issuer invalid | Bearer error="invalid_token", DPoP algs="ES256"
401 invalid_audience | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt audience invalid"}} | invalid token: jwt audience invalid | Bearer error="invalid_token", DPoP algs="ES256"
401 unsupported_confirmation | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt cnf not supported"}} | invalid token: jwt cnf not supported | Bearer error="invalid_token", DPoP algs="ES256"
401 dpop_missing_proof | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the dpop proof header is missing | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_multiple_proofs | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: more than one dpop proof header | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_malformed_authorization | DPoP error="invalid_request" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Authorization header value has too many parts."}} | dpop: malformed dpop authorization header | Bearer, DPoP error="invalid_request", algs="ES256"
401 dpop_malformed_proof | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof is malformed | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_proof_too_large | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof is too large | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_invalid_type | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's typ is not dpop+jwt | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_algorithm_not_allowed | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's alg is not allowed | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_invalid_key | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's jwk is not a usable public key | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_invalid_signature | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's signature does not verify | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_missing_claim | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof has no jti | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_invalid_claim | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's htu is invalid | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_method_mismatch | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: htm is not the request method | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_uri_mismatch | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: htu is not the request uri | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_stale | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's iat is too old | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_issued_in_future | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's iat is in the future | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_replayed | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: the proof's jti was used before | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_ath_mismatch | DPoP error="invalid_dpop_proof" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid DPoP proof"}} | dpop: ath is not the access token's hash | Bearer, DPoP error="invalid_dpop_proof", algs="ES256"
401 dpop_use_nonce | DPoP error="use_dpop_nonce" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"DPoP nonce required"}} | dpop: a fresh server nonce is required | Bearer, DPoP error="use_dpop_nonce", algs="ES256"
401 dpop_key_mismatch | DPoP error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"DPoP proof key does not match the token"}} | dpop: the proof key is not the token's cnf.jkt | Bearer, DPoP error="invalid_token", algs="ES256"
401 dpop_token_not_bound | DPoP error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Token is not bound to a DPoP key"}} | dpop: the token has no cnf.jkt | Bearer, DPoP error="invalid_token", algs="ES256"
401 dpop_bound_token_as_bearer | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"DPoP-bound token used as a bearer token"}} | dpop: a dpop-bound token was sent as bearer | Bearer error="invalid_token", DPoP algs="ES256"
401 dpop_required | DPoP error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"DPoP required"}} | dpop: dpop is required and a bearer token was sent | Bearer, DPoP error="invalid_token", algs="ES256"
401 insufficient_user_authentication | Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:example:mfa", max_age=300 | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"A different authentication level is required"}} | insufficient user authentication: the token's acr falls short of acr urn:example:mfa a b max_age 300s | Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:example:mfa", max_age=300, DPoP algs="ES256"
401 malformed_client_cert | Bearer error="invalid_request" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Client-Cert header is malformed"}} | client-cert header is malformed | Bearer error="invalid_request", DPoP algs="ES256"
401 certificate_missing | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt bound to a client certificate and none was presented"}} | invalid token: jwt bound to a client certificate and none was presented | Bearer error="invalid_token", DPoP algs="ES256"
401 certificate_mismatch | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: client certificate does not match the jwt"}} | invalid token: client certificate does not match the jwt | Bearer error="invalid_token", DPoP algs="ES256"
401 certificate_binding_required | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: jwt not bound to a client certificate"}} | invalid token: jwt not bound to a client certificate | Bearer error="invalid_token", DPoP algs="ES256"
401 missing_token | Bearer | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"__Host-at cookie is missing"}} | no token in the __Host-at cookie | Bearer, DPoP algs="ES256"
400 multiple_credentials | Bearer error="invalid_request" | {"error":{"statusCode":400,"name":"BadRequestError","message":"Credentials are sent in more than one place"}} | token in more than one place (rfc 6750 §2) | Bearer error="invalid_request", DPoP algs="ES256"
401 revoked | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: token revoked"}} | invalid token: token revoked | Bearer error="invalid_token", DPoP algs="ES256"
401 suspended | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: token suspended"}} | invalid token: token suspended | Bearer error="invalid_token", DPoP algs="ES256"
401 status_not_accepted | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: token status not accepted"}} | invalid token: token status not accepted | Bearer error="invalid_token", DPoP algs="ES256"
503 status_list_unavailable | - | {"error":{"statusCode":503,"name":"ServiceUnavailableError","message":"the token status list is unavailable"}} | the token status list is unavailable: list server down | -
503 introspection_unavailable | - | {"error":{"statusCode":503,"name":"ServiceUnavailableError","message":"token introspection is unavailable"}} | token introspection is unavailable: http://127.0.0.1:1/introspect: unreachable | -
401 inactive | Bearer error="invalid_token" | {"error":{"statusCode":401,"name":"UnauthorizedError","message":"Invalid token: token is not active"}} | invalid token: token is not active | Bearer error="invalid_token", DPoP algs="ES256"
"##;

    #[test]
    fn facts_of_every_error() {
        let facts = snapshot(every_error());
        for (line, (actual, expected)) in facts.lines().zip(FACTS[1..].lines()).enumerate() {
            assert_eq!(actual, expected, "line {}", line + 1);
        }
        assert_eq!(facts, FACTS[1..]);
    }
}
