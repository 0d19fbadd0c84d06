//! A strategy from environment variables: the example server's `ISSUER`, `JWKS_URI`,
//! `AUDIENCE` and `ALGORITHMS`.

use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;

use super::forms::{OneOrMany, StrategyConfig};

impl StrategyConfig {
    /// The strategy the example server's variables describe: `ISSUER` (several issuers
    /// comma-separated), `JWKS_URI`, `AUDIENCE` (comma-separated) and `ALGORITHMS`
    /// (comma-separated). `env` looks a variable up. `None` without `ISSUER`.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let list = |name: &str| -> Vec<String> {
            env(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let issuers = list("ISSUER");
        if issuers.is_empty() {
            return Ok(None);
        }
        let algorithms = list("ALGORITHMS")
            .iter()
            .map(|name| {
                name.parse::<Algorithm>()
                    .map_err(|_| ConfigError::InvalidConfig {
                        strategy: String::new(),
                        field: "ALGORITHMS".into(),
                        reason: format!("unknown algorithm {name:?} (use e.g. RS256,ES256)"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Self {
            issuer: OneOrMany::Many(issuers),
            jwks_uri: env("JWKS_URI").filter(|v| !v.is_empty()),
            audience: OneOrMany::Many(list("AUDIENCE")),
            algorithms: (!algorithms.is_empty()).then_some(algorithms),
            ..Self::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(StrategyConfig::from_env(env(&[])).unwrap().is_none());
        let c = StrategyConfig::from_env(env(&[
            ("ISSUER", "https://accounts.google.com, accounts.google.com"),
            ("ALGORITHMS", "RS256,ES512"),
            ("AUDIENCE", "a,b"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            c.issuer.values(),
            ["https://accounts.google.com", "accounts.google.com"]
        );
        assert_eq!(c.algorithms, Some(vec![Algorithm::RS256, Algorithm::ES512]));
        assert_eq!(c.audience.values(), ["a", "b"]);
        assert!(
            StrategyConfig::from_env(env(&[("ISSUER", "https://i"), ("ALGORITHMS", "none")]))
                .is_err()
        );
    }
}
