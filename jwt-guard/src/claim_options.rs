//! What the JWT strategy and the introspection strategy accept alike: the audiences, the
//! clock leeway, where scopes and roles are read, the cap on the token, and whether a
//! sender-constrained token may go unchecked. Both builders keep these in one
//! [`ClaimOptions`] and check them with one [`ClaimOptions::check`], so a strategy of
//! either kind refuses the same mistakes with the same words and the same defaults.

use std::time::Duration;

use crate::claims::ClaimPaths;
use crate::config_error::ConfigError;
use crate::extract::DEFAULT_MAX_HEADER_BYTES;
use crate::verify::MAX_LEEWAY;

/// The options both builders share, as set (nothing checked yet).
#[derive(Debug, Default)]
pub(crate) struct ClaimOptions {
    audiences: Option<Vec<String>>,
    leeway: Duration,
    scopes_claims: Option<Vec<String>>,
    roles_claims: Option<Vec<String>>,
    max_header_bytes: Option<usize>,
    accept_unverified_cnf: bool,
}

/// [`ClaimOptions`] checked, with their defaults filled in.
#[derive(Debug)]
pub(crate) struct CheckedClaimOptions {
    /// `None`: `aud` is not checked.
    pub(crate) audiences: Option<Vec<String>>,
    /// In seconds, at most [`MAX_LEEWAY`].
    pub(crate) leeway: f64,
    pub(crate) claim_paths: ClaimPaths,
    pub(crate) max_header_bytes: usize,
    pub(crate) accept_unverified_cnf: bool,
}

impl ClaimOptions {
    /// One more accepted audience.
    pub(crate) fn add_audience(&mut self, audience: String) {
        self.audiences.get_or_insert_with(Vec::new).push(audience);
    }

    pub(crate) fn has_audience(&self) -> bool {
        self.audiences.is_some()
    }

    pub(crate) fn set_leeway(&mut self, leeway: Duration) {
        self.leeway = leeway;
    }

    /// The first path replaces the defaults; each further one is added.
    pub(crate) fn add_scopes_claim(&mut self, path: String) {
        self.scopes_claims.get_or_insert_with(Vec::new).push(path);
    }

    /// The first path replaces the default; each further one is added.
    pub(crate) fn add_roles_claim(&mut self, path: String) {
        self.roles_claims.get_or_insert_with(Vec::new).push(path);
    }

    pub(crate) fn set_max_header_bytes(&mut self, bytes: usize) {
        self.max_header_bytes = Some(bytes);
    }

    pub(crate) fn accept_unverified_cnf(&mut self) {
        self.accept_unverified_cnf = true;
    }

    /// The leeway is clock skew, not token lifetime (at most [`MAX_LEEWAY`]); the claim
    /// paths parse; the header cap defaults to [`DEFAULT_MAX_HEADER_BYTES`].
    pub(crate) fn check(self) -> Result<CheckedClaimOptions, ConfigError> {
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::InvalidOption {
                option: "leeway",
                reason: format!(
                    "{:?} is over the maximum of {:?} (clock skew, not token lifetime)",
                    self.leeway, MAX_LEEWAY
                ),
            });
        }
        let mut claim_paths = ClaimPaths::default();
        if let Some(paths) = self.scopes_claims {
            claim_paths = claim_paths.with_scopes(paths)?;
        }
        if let Some(paths) = self.roles_claims {
            claim_paths = claim_paths.with_roles(paths)?;
        }
        Ok(CheckedClaimOptions {
            audiences: self.audiences,
            leeway: self.leeway.as_secs_f64(),
            claim_paths,
            max_header_bytes: self.max_header_bytes.unwrap_or(DEFAULT_MAX_HEADER_BYTES),
            accept_unverified_cnf: self.accept_unverified_cnf,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let checked = ClaimOptions::default().check().unwrap();
        assert_eq!(checked.audiences, None);
        assert_eq!(checked.leeway, 0.0);
        assert_eq!(checked.max_header_bytes, DEFAULT_MAX_HEADER_BYTES);
        assert!(!checked.accept_unverified_cnf);
        assert_eq!(checked.claim_paths, ClaimPaths::default());
    }

    #[test]
    fn leeway_is_bounded_to_the_nanosecond() {
        let mut at_most = ClaimOptions::default();
        at_most.set_leeway(MAX_LEEWAY);
        assert_eq!(at_most.check().unwrap().leeway, MAX_LEEWAY.as_secs_f64());

        let mut over = ClaimOptions::default();
        over.set_leeway(MAX_LEEWAY + Duration::from_nanos(1));
        match over.check() {
            Err(ConfigError::InvalidOption { option, reason }) => {
                assert_eq!(option, "leeway");
                assert!(reason.contains("clock skew"), "{reason}");
            }
            other => panic!("expected a leeway error, got {other:?}"),
        }
    }

    #[test]
    fn paths_and_audiences_accumulate_and_bad_paths_fail() {
        let mut options = ClaimOptions::default();
        assert!(!options.has_audience());
        options.add_audience("a".into());
        options.add_audience("b".into());
        assert!(options.has_audience());
        options.add_scopes_claim("scope".into());
        options.add_scopes_claim("permissions".into());
        options.add_roles_claim("realm_access.roles".into());
        let checked = options.check().unwrap();
        assert_eq!(checked.audiences, Some(vec!["a".into(), "b".into()]));
        let expected = ClaimPaths::default()
            .with_scopes(["scope", "permissions"])
            .unwrap()
            .with_roles(["realm_access.roles"])
            .unwrap();
        assert_eq!(checked.claim_paths, expected);

        let mut bad = ClaimOptions::default();
        bad.add_roles_claim("realm_access..roles".into());
        assert!(bad.check().is_err());
    }
}
