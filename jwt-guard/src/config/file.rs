//! Several named strategies from one TOML file: parsing with places (line and column),
//! unknown keys with "did you mean", and building the strategies with the resource
//! metadata they share.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::config_error::ConfigError;
use crate::policy::Policy;
use crate::registry::Registry;
use crate::resource_metadata::ProtectedResource;
use crate::strategy::JwtStrategy;

use super::diagnose::{self, Form};
use super::forms::{OLD_NAMES, ProtectedResourceSettings, StrategyConfig};
use super::policy::PolicySettings;

/// Several named strategies, from one TOML file: a `[strategies.NAME]` table each; and
/// the layer policies that use them, a `[policies.NAME]` table each ([`PolicySettings`]:
/// `strategies`, `scopes`, `roles`, `acr`, `max_age`, `optional`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConfigFile {
    /// The strategies by name, sorted.
    pub strategies: BTreeMap<String, StrategyConfig>,
    /// The layer policies by name, sorted: build one with [`policy`](Self::policy).
    pub policies: BTreeMap<String, PolicySettings>,
    /// Where each strategy's keys are (`""`: its table), for errors found when building.
    places: BTreeMap<String, BTreeMap<String, (usize, usize)>>,
}

/// What a [`ConfigFile`] builds: its strategies, and the resource metadata
/// (`protected_resource`) they guard, one [`ProtectedResource`] per resource identifier,
/// to serve with [`ProtectedResource::router`](crate::resource_metadata::ProtectedResource)
/// or actix's `resource_metadata`.
#[derive(Debug)]
#[non_exhaustive]
pub struct BuiltConfig {
    /// The strategies by name, sorted.
    pub strategies: Vec<(String, JwtStrategy)>,
    /// The resources, in the order strategies first name them.
    pub protected_resources: Vec<ProtectedResource>,
}

impl ConfigFile {
    /// Reads a TOML file; see [`from_toml_str`](Self::from_toml_str).
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| whole(format!("cannot read {}: {e}", path.display())))?;
        Self::from_toml_str(&text)
    }

    /// Parses TOML text. A mistake names the strategy, the key (a dotted path for a key
    /// of a sub-table), and where it is (line and column); an unknown key comes with the
    /// known key closest to it.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let root = DeTable::parse(text).map_err(|e| {
            whole(format!(
                "{}{}",
                diagnose::ours(e.message()),
                diagnose::at(text, e.span())
            ))
        })?;
        let root = root.get_ref();
        let Some((_, strategies)) = root.iter().find(|(key, _)| key.get_ref() == "strategies")
        else {
            let near = root
                .keys()
                .find(|key| diagnose::hint(key.get_ref(), &["strategies"]).starts_with("did"))
                .map(|key| {
                    format!(
                        " (\"{}\"{} is not \"strategies\")",
                        key.get_ref(),
                        diagnose::at(text, Some(key.span()))
                    )
                })
                .unwrap_or_default();
            return Err(whole(format!("no [strategies.NAME] table{near}")));
        };
        if let Some((key, _)) = root
            .iter()
            .find(|(key, _)| !["strategies", "policies"].contains(&key.get_ref().as_ref()))
        {
            return Err(ConfigError::InvalidConfig {
                strategy: String::new(),
                field: key.get_ref().to_string(),
                reason: format!(
                    "unknown key; {}{}",
                    diagnose::hint(key.get_ref(), &["strategies", "policies"]),
                    diagnose::at(text, Some(key.span()))
                ),
            });
        }
        let DeValue::Table(strategies) = strategies.get_ref() else {
            return Err(whole(format!(
                "`strategies` must be a table of tables, as in [strategies.NAME]{}",
                diagnose::at(text, Some(strategies.span()))
            )));
        };
        let mut file = ConfigFile::default();
        for (name, value) in strategies {
            let name_text = name.get_ref().to_string();
            let mut places = BTreeMap::new();
            places.insert(
                String::new(),
                diagnose::line_column(text, name.span().start),
            );
            let DeValue::Table(fields) = value.get_ref() else {
                return Err(ConfigError::InvalidConfig {
                    strategy: name_text,
                    field: String::new(),
                    reason: format!("must be a table{}", diagnose::at(text, Some(value.span()))),
                });
            };
            for (key, _) in fields {
                let place = diagnose::line_column(text, key.span().start);
                places.insert(key.get_ref().to_string(), place);
            }
            if let Some(unknown) = diagnose::unknown_key(fields, Form::Strategy, "") {
                return Err(ConfigError::InvalidConfig {
                    strategy: name_text,
                    field: unknown.path,
                    reason: format!(
                        "unknown key; {}{}",
                        unknown.hint,
                        diagnose::at(text, Some(unknown.span))
                    ),
                });
            }
            let config = StrategyConfig::deserialize(ValueDeserializer::from(value.clone()))
                .map_err(|e| {
                    let field = e
                        .span()
                        .and_then(|span| diagnose::path_at(fields, span.start, ""))
                        .unwrap_or_default();
                    ConfigError::InvalidConfig {
                        strategy: name_text.clone(),
                        field,
                        reason: format!(
                            "{}{}",
                            diagnose::ours(e.message()),
                            diagnose::at(text, e.span())
                        ),
                    }
                })?;
            file.places.insert(name_text.clone(), places);
            file.strategies.insert(name_text, config);
        }
        if let Some((_, policies)) = root.iter().find(|(key, _)| key.get_ref() == "policies") {
            file.policies = policies_of(text, policies.get_ref(), policies.span())?;
        }
        Ok(file)
    }

    /// The layer policy `[policies.NAME]`, built: a mistake names the policy.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// let file = jwt_guard::config::ConfigFile::from_toml_str(r#"
    ///     [strategies.jwt]
    ///     issuer = "https://issuer.example"
    ///
    ///     [policies.payments]
    ///     strategies = "jwt"
    ///     acr = ["urn:example:mfa", "urn:example:hwk"]
    ///     max_age = "5m"
    /// "#)?;
    /// let payments = file.policy("payments")?;
    /// assert_eq!(
    ///     payments.to_string(),
    ///     r#"payments  "jwt"  acr any("urn:example:mfa", "urn:example:hwk")  max_age 5m"#
    /// );
    /// # Ok(()) }
    /// ```
    pub fn policy(&self, name: &str) -> Result<Policy, ConfigError> {
        let path = format!("policies.{name}");
        let Some(settings) = self.policies.get(name) else {
            return Err(field(&path, "no such policy in the file".into()));
        };
        settings
            .build(name)
            .map_err(|e| field(&path, e.to_string()))
    }

    /// Builds every strategy, by name, and the resource metadata they guard: strategies
    /// naming one `resource` share its [`ProtectedResource`] (and must describe it
    /// alike). The first error names its strategy.
    pub fn build(&self) -> Result<BuiltConfig, ConfigError> {
        let mut resources: Vec<(&ProtectedResourceSettings, ProtectedResource)> = Vec::new();
        let mut strategies = Vec::with_capacity(self.strategies.len());
        for (name, config) in &self.strategies {
            let resource = match &config.protected_resource {
                None => None,
                Some(settings) => {
                    match resources
                        .iter()
                        .find(|(s, _)| s.resource == settings.resource)
                    {
                        Some((same, resource)) if *same == settings => Some(resource.clone()),
                        Some(_) => {
                            let reason = format!(
                                "{:?} is described differently by another strategy; \
                                 describe it alike in each",
                                settings.resource
                            );
                            return Err(self.named(name, field("protected_resource", reason)));
                        }
                        None => {
                            let resource = settings.build().map_err(|e| self.named(name, e))?;
                            resources.push((settings, resource.clone()));
                            Some(resource)
                        }
                    }
                }
            };
            let strategy = config
                .build_for(resource.as_ref())
                .map_err(|e| self.named(name, e))?;
            strategies.push((name.clone(), strategy));
        }
        Ok(BuiltConfig {
            strategies,
            protected_resources: resources.into_iter().map(|(_, r)| r).collect(),
        })
    }

    /// Builds every strategy, by name; the first error names its strategy. See
    /// [`build`](Self::build) for the resource metadata.
    pub fn build_all(&self) -> Result<Vec<(String, JwtStrategy)>, ConfigError> {
        self.build().map(|built| built.strategies)
    }

    /// Builds every strategy and registers each under its name; returns the resource
    /// metadata they guard, to serve.
    pub fn register_all(&self, registry: &Registry) -> Result<Vec<ProtectedResource>, ConfigError> {
        let built = self.build()?;
        for (name, strategy) in built.strategies {
            registry.register(&name, strategy)?;
        }
        Ok(built.protected_resources)
    }

    /// The error with the strategy's name filled in, and the place of its key.
    fn named(&self, name: &str, error: ConfigError) -> ConfigError {
        let ConfigError::InvalidConfig { field, reason, .. } = error else {
            return ConfigError::InvalidConfig {
                strategy: name.to_owned(),
                field: String::new(),
                reason: error.to_string(),
            };
        };
        let top = field.split(['.', '[']).next().unwrap_or_default();
        let places = self.places.get(name);
        let place = places.and_then(|places| {
            places.get(top).or_else(|| {
                OLD_NAMES
                    .iter()
                    .filter(|(_, new)| *new == top)
                    .find_map(|(old, _)| places.get(*old))
            })
        });
        let reason = match place {
            Some((line, column)) => format!("{reason} (line {line}, column {column})"),
            None => reason,
        };
        ConfigError::InvalidConfig {
            strategy: name.to_owned(),
            field,
            reason,
        }
    }
}

/// The `[policies.NAME]` tables: each a [`PolicySettings`]; a mistake names the policy's
/// key (`policies.NAME.key`) and its place.
fn policies_of(
    text: &str,
    policies: &DeValue<'_>,
    span: std::ops::Range<usize>,
) -> Result<BTreeMap<String, PolicySettings>, ConfigError> {
    let DeValue::Table(policies) = policies else {
        return Err(whole(format!(
            "`policies` must be a table of tables, as in [policies.NAME]{}",
            diagnose::at(text, Some(span))
        )));
    };
    let mut out = BTreeMap::new();
    for (name, value) in policies {
        let name = name.get_ref().to_string();
        let DeValue::Table(fields) = value.get_ref() else {
            return Err(field(
                &format!("policies.{name}"),
                format!("must be a table{}", diagnose::at(text, Some(value.span()))),
            ));
        };
        let settings = PolicySettings::deserialize(ValueDeserializer::from(value.clone()))
            .map_err(|e| {
                let key = e
                    .span()
                    .and_then(|span| diagnose::path_at(fields, span.start, ""))
                    .map(|key| format!(".{key}"))
                    .unwrap_or_default();
                field(
                    &format!("policies.{name}{key}"),
                    format!(
                        "{}{}",
                        diagnose::ours(e.message()),
                        diagnose::at(text, e.span())
                    ),
                )
            })?;
        out.insert(name, settings);
    }
    Ok(out)
}

/// An error about the file as a whole.
fn whole(reason: String) -> ConfigError {
    ConfigError::InvalidConfig {
        strategy: String::new(),
        field: String::new(),
        reason,
    }
}

/// An error about one key.
fn field(field: &str, reason: String) -> ConfigError {
    ConfigError::InvalidConfig {
        strategy: String::new(),
        field: field.to_owned(),
        reason,
    }
}
