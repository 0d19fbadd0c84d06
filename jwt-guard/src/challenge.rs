//! The `WWW-Authenticate` challenge of a refusal: which challenge carries which `error`
//! code (a column of the error tables), and what a strategy adds to its challenges: the
//! DPoP challenge (RFC 9449 §7.1) and the `resource_metadata` URL (RFC 9728 §5.1). A leaf:
//! the error tables read it, the strategy builds its parameters once.

/// The challenge of a refusal (RFC 6750 §3): a column of the error tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Challenge<'a> {
    /// No challenge: our own side failed (5xx).
    None,
    /// `Bearer`, without an error code: credentials were missing (RFC 6750 §3.1). These
    /// are the errors of [`Error::is_missing_credentials`](crate::Error::is_missing_credentials).
    Bare,
    /// `Bearer error="<code>"`.
    Bearer(ErrorCode),
    /// `DPoP error="<code>"`: the error is on the DPoP challenge.
    Dpop(ErrorCode),
    /// `Bearer error="insufficient_scope", scope="…"`, with the required scopes.
    Scope(&'a [String]),
    /// `Bearer error="insufficient_user_authentication", error_description="…",
    /// acr_values="…", max_age=…` (RFC 9470 §3): the token's authentication is not strong
    /// or recent enough; the parameters say what a new one must meet.
    StepUp {
        /// The `error_description`.
        description: &'static str,
        /// The acceptable `acr` values (none: no `acr_values`).
        acr_values: &'a [String],
        /// The `max_age`, in seconds.
        max_age: Option<u64>,
    },
}

/// The `error` code of a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    /// The request is malformed (RFC 6750 §3.1).
    InvalidRequest,
    /// The access token is refused (RFC 6750 §3.1).
    InvalidToken,
    /// The token does not grant access (RFC 6750 §3.1).
    InsufficientScope,
    /// The DPoP proof is refused (RFC 9449 §7.1).
    InvalidDpopProof,
    /// The DPoP proof must carry the server's nonce (RFC 9449 §8).
    UseDpopNonce,
    /// The token's authentication is not strong or recent enough (RFC 9470 §3).
    InsufficientUserAuthentication,
}

impl ErrorCode {
    /// The code as written in the challenge.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::UseDpopNonce => "use_dpop_nonce",
            Self::InsufficientUserAuthentication => "insufficient_user_authentication",
        }
    }
}

/// Challenge parameters fixed when a strategy is built.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChallengeParams {
    /// DPoP is accepted: its challenge is offered.
    pub(crate) dpop: Option<DpopChallenge>,
    /// The absolute URL of the protected resource metadata document.
    pub(crate) resource_metadata: Option<String>,
}

/// The DPoP challenge of a strategy.
#[derive(Debug, Clone)]
pub(crate) struct DpopChallenge {
    /// Plain bearer tokens are refused: no `Bearer` challenge.
    pub(crate) required: bool,
    /// The `algs` value: the accepted proof algorithms, space-separated.
    pub(crate) algs: String,
}

/// The scheme of the refused request, which decides which challenge carries the `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Bearer,
    Dpop,
}

impl ChallengeParams {
    /// The whole `WWW-Authenticate` value: one challenge per accepted scheme, the error
    /// (`code`, with its `scope` and its `step_up` parameters) on the one of the refused
    /// request.
    pub(crate) fn render(
        &self,
        scheme: Scheme,
        code: Option<&str>,
        scope: Option<&str>,
        step_up: Option<&str>,
        on_dpop: bool,
    ) -> String {
        let bearer = self.dpop.as_ref().is_none_or(|d| !d.required);
        let error_on_dpop = self.dpop.is_some() && (on_dpop || scheme == Scheme::Dpop || !bearer);
        let mut out = String::new();
        let push_error = |params: &mut Vec<String>| {
            if let Some(code) = code {
                params.push(format!("error=\"{code}\""));
            }
            if let Some(scope) = scope {
                params.push(format!("scope=\"{scope}\""));
            }
            if let Some(step_up) = step_up {
                params.push(step_up.to_owned());
            }
        };
        if bearer {
            let mut params = Vec::new();
            if !error_on_dpop {
                push_error(&mut params);
            }
            if let Some(url) = &self.resource_metadata {
                params.push(format!("resource_metadata=\"{url}\""));
            }
            out.push_str("Bearer");
            if !params.is_empty() {
                out.push(' ');
                out.push_str(&params.join(", "));
            }
        }
        if let Some(dpop) = &self.dpop {
            let mut params = Vec::new();
            if error_on_dpop {
                push_error(&mut params);
            }
            params.push(format!("algs=\"{}\"", dpop.algs));
            if let Some(url) = &self.resource_metadata {
                params.push(format!("resource_metadata=\"{url}\""));
            }
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str("DPoP ");
            out.push_str(&params.join(", "));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(required: bool, metadata: bool) -> ChallengeParams {
        ChallengeParams {
            dpop: Some(DpopChallenge {
                required,
                algs: "ES256 EdDSA".into(),
            }),
            resource_metadata: metadata
                .then(|| "https://api.test/.well-known/oauth-protected-resource".into()),
        }
    }

    #[test]
    fn the_error_goes_on_the_scheme_of_the_request() {
        let p = params(false, false);
        assert_eq!(
            p.render(Scheme::Bearer, Some("invalid_token"), None, None, false),
            r#"Bearer error="invalid_token", DPoP algs="ES256 EdDSA""#
        );
        assert_eq!(
            p.render(Scheme::Dpop, Some("invalid_dpop_proof"), None, None, true),
            r#"Bearer, DPoP error="invalid_dpop_proof", algs="ES256 EdDSA""#
        );
        assert_eq!(
            p.render(Scheme::Bearer, None, None, None, false),
            r#"Bearer, DPoP algs="ES256 EdDSA""#
        );
    }

    #[test]
    fn step_up_parameters_follow_the_error() {
        let p = params(false, true);
        let step_up = r#"error_description="More recent authentication is required", max_age=300"#;
        let code = Some(ErrorCode::InsufficientUserAuthentication.as_str());
        assert_eq!(
            p.render(Scheme::Dpop, code, None, Some(step_up), false),
            "Bearer resource_metadata=\"https://api.test/.well-known/oauth-protected-resource\", \
             DPoP error=\"insufficient_user_authentication\", error_description=\"More recent \
             authentication is required\", max_age=300, algs=\"ES256 EdDSA\", \
             resource_metadata=\"https://api.test/.well-known/oauth-protected-resource\""
        );
    }

    #[test]
    fn required_offers_dpop_only_and_metadata_everywhere() {
        let p = params(true, true);
        assert_eq!(
            p.render(Scheme::Bearer, Some("invalid_token"), None, None, false),
            "DPoP error=\"invalid_token\", algs=\"ES256 EdDSA\", \
             resource_metadata=\"https://api.test/.well-known/oauth-protected-resource\""
        );
        let bearer_only = ChallengeParams {
            dpop: None,
            resource_metadata: Some("https://r.test/m".into()),
        };
        assert_eq!(
            bearer_only.render(
                Scheme::Bearer,
                Some("insufficient_scope"),
                Some("a b"),
                None,
                false
            ),
            r#"Bearer error="insufficient_scope", scope="a b", resource_metadata="https://r.test/m""#
        );
    }
}
