//! The start-up audit: every `#[authenticate]` site and every layer
//! [`Policy`], and the strategies they need.
//!
//! Each use of the attribute puts a [`GuardedHandler`] in a `static` and registers it
//! with `inventory` at link time, so the list is complete before `main` runs, whether
//! or not a handler was ever called or routed. [`Registry::audit`](crate::Registry::audit) reads it and checks it
//! against a registry: a strategy a handler names but nobody registered is found at
//! start-up, not by the first request that fails.

use std::collections::BTreeMap;
use std::fmt;

use crate::config_error::ConfigError;
use crate::policy::Policy;
use crate::registry::{Registry, in_module};
use crate::resource_metadata::ProtectedResourceBuilder;
#[cfg(test)]
use crate::site::site;
use crate::site::sites;
pub use crate::site::{GuardedHandler, HandlerForm, Site, site_id};
use crate::token_source::TokenSource;

/// What [`Registry::audit`](crate::Registry::audit) found: the `#[authenticate]` sites
/// and layer [`Policy`]s the registry serves, and the strategies they name that the
/// registry lacks.
#[derive(Debug, Clone)]
pub struct Audit {
    /// Which registry: `global`, or the modules a registry serves.
    registry: String,
    handlers: Vec<&'static GuardedHandler>,
    layers: Vec<Policy>,
    /// Strategy → the handlers and layers (`layer "name"`) that use it.
    unregistered: BTreeMap<String, Vec<String>>,
    /// Handlers this registry serves that read the global registry instead.
    global_only: Vec<&'static str>,
    /// Where each registered built-in strategy used by a site or layer reads its token.
    sources: BTreeMap<String, TokenSource>,
}

/// Which sites and layers an audit covers.
pub(crate) struct Scope<'a> {
    /// `global`, or the modules served.
    pub(crate) label: String,
    /// Is a site (by handler path) served?
    pub(crate) serves: &'a dyn Fn(&GuardedHandler) -> bool,
    /// Is a layer policy served?
    pub(crate) serves_layer: &'a dyn Fn(&Policy) -> bool,
    /// True for a registry that is not the global one: its sites must read the request's
    /// registry.
    pub(crate) own: bool,
}

impl Audit {
    /// Collects the sites and the policies in `scope` and checks their strategies with
    /// `is_registered` (a policy with a registry of its own is checked against that).
    /// `source_of` says where a registered built-in strategy reads its token.
    pub(crate) fn against(
        is_registered: impl Fn(&str) -> bool,
        source_of: impl Fn(&str) -> Option<TokenSource>,
        scope: &Scope<'_>,
        layers: Vec<Policy>,
    ) -> Self {
        let handlers: Vec<&'static GuardedHandler> = sites()
            .iter()
            .copied()
            .filter(|site| (scope.serves)(site))
            .collect();
        let layers: Vec<Policy> = layers
            .into_iter()
            .filter(|layer| (scope.serves_layer)(layer))
            .collect();
        let global_only = if scope.own {
            handlers
                .iter()
                .filter(|site| site.form() == HandlerForm::HeaderMap)
                .map(|site| site.handler())
                .collect()
        } else {
            Vec::new()
        };
        let mut unregistered: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut note = |name: &str, user: String| {
            let users = unregistered.entry(name.to_owned()).or_default();
            if !users.contains(&user) {
                users.push(user);
            }
        };
        for handler in &handlers {
            for name in handler.strategies() {
                if !is_registered(name) {
                    note(name, handler.handler().to_owned());
                }
            }
        }
        for layer in &layers {
            for name in layer.strategies() {
                let registered = match layer.registry() {
                    Some(own) => own.contains(name),
                    None => is_registered(name),
                };
                if !registered {
                    note(name, format!("layer {:?}", layer.name()));
                }
            }
        }
        let mut sources = BTreeMap::new();
        let used = handlers
            .iter()
            .flat_map(|h| h.strategies().iter().copied())
            .chain(
                layers
                    .iter()
                    .flat_map(|l| l.strategies().iter().map(|s| &**s)),
            );
        for name in used {
            if !sources.contains_key(name)
                && let Some(source) = source_of(name)
            {
                sources.insert(name.to_owned(), source);
            }
        }
        Self {
            registry: scope.label.clone(),
            handlers,
            layers,
            unregistered,
            global_only,
            sources,
        }
    }

    /// Where the strategy `name` reads its token, when it is a registered built-in
    /// strategy ([`JwtStrategy`](crate::JwtStrategy)) that a site or layer uses: the
    /// `Authorization` header, a named header or a named cookie
    /// ([`TokenSource`]).
    pub fn token_source(&self, name: &str) -> Option<&TokenSource> {
        self.sources.get(name)
    }

    /// Every site and layer of the program, whichever registry serves it, with no
    /// strategy checked (for the OpenAPI descriptions).
    #[cfg_attr(not(any(feature = "aide", feature = "utoipa")), allow(dead_code))]
    pub(crate) fn every_site() -> Self {
        let scope = Scope {
            label: "every registry".to_owned(),
            serves: &|_| true,
            serves_layer: &|_| true,
            own: false,
        };
        Self::against(
            |_| true,
            |name| Registry::global().token_source(name),
            &scope,
            crate::policy::served_by(Registry::global()),
        )
    }

    /// Which registry was audited: `global`, or the modules a registry serves.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// Handlers the audited registry serves that read their own `&HeaderMap`, and so
    /// authenticate with the global registry instead of this one: an error of
    /// [`Registry::audit`](crate::Registry::audit).
    pub fn reading_the_global_registry(&self) -> &[&'static str] {
        &self.global_only
    }

    /// Every site, sorted by handler path.
    pub fn handlers(&self) -> &[&'static GuardedHandler] {
        &self.handlers
    }

    /// The site of `handler` (its full path, as [`GuardedHandler::handler`]), if any.
    pub fn handler(&self, handler: &str) -> Option<&'static GuardedHandler> {
        self.handlers
            .iter()
            .copied()
            .find(|h| h.handler() == handler)
    }

    /// Every layer policy served with the audited registry before the audit, sorted by
    /// name: which router or
    /// service ([`Policy::name`]), its strategies and requirements.
    pub fn layers(&self) -> &[Policy] {
        &self.layers
    }

    /// The layer policy named `name`, if one was built.
    pub fn layer(&self, name: &str) -> Option<&Policy> {
        self.layers.iter().find(|p| p.name() == name)
    }

    /// Strategy names used by some site or layer but not registered, sorted.
    pub fn unregistered(&self) -> Vec<&str> {
        self.unregistered.keys().map(String::as_str).collect()
    }

    pub(crate) fn into_result(self) -> Result<Self, ConfigError> {
        if !self.global_only.is_empty() {
            for handler in &self.global_only {
                tracing::error!(
                    handler,
                    registry = %self.registry,
                    "a handler served by this registry reads its own &HeaderMap and so \
                     authenticates with the global registry"
                );
            }
            return Err(ConfigError::HandlersReadGlobalRegistry {
                handlers: self.global_only.iter().map(|h| (*h).to_owned()).collect(),
            });
        }
        if self.unregistered.is_empty() {
            return Ok(self);
        }
        let mut handlers: Vec<String> = Vec::new();
        for (name, users) in &self.unregistered {
            for user in users {
                tracing::error!(
                    strategy = name,
                    handler = user,
                    "a handler or layer names an authentication strategy that is not registered"
                );
                if !handlers.iter().any(|h| h == user) {
                    handlers.push(user.clone());
                }
            }
        }
        handlers.sort();
        Err(ConfigError::UnregisteredStrategies {
            strategies: self.unregistered.keys().cloned().collect(),
            handlers,
        })
    }
}

impl fmt::Display for Audit {
    /// One line per site, then one per layer (when there are any), then the
    /// unregistered strategies, if any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.handlers.len();
        writeln!(
            f,
            "{n} handler{} under #[authenticate] (registry: {}):",
            if n == 1 { "" } else { "s" },
            self.registry
        )?;
        for handler in &self.handlers {
            writeln!(f, "  {handler}")?;
        }
        if !self.layers.is_empty() {
            let n = self.layers.len();
            writeln!(f, "{n} layer{}:", if n == 1 { "" } else { "s" })?;
            for layer in &self.layers {
                writeln!(f, "  {layer}")?;
            }
        }
        for (name, users) in &self.unregistered {
            writeln!(
                f,
                "  strategy {name:?} is NOT registered (used by {})",
                users.join(", ")
            )?;
        }
        for handler in &self.global_only {
            writeln!(
                f,
                "  {handler} reads its own &HeaderMap: it uses the GLOBAL registry, not this one"
            )?;
        }
        // The default (the Authorization header) goes without saying.
        for (name, source) in &self.sources {
            if !source.is_authorization() {
                writeln!(f, "  strategy {name:?} reads its token from the {source}")?;
            }
        }
        Ok(())
    }
}

/// The audit of a registry: here, not in registry.rs, so that the registry sits below
/// the sites, layers and policies it audits.
impl Registry {
    /// Lists every `#[authenticate]` site linked into the program and checks that each
    /// strategy it names is registered here.
    ///
    /// Call it at start-up, after registering the strategies, and refuse to start on an
    /// error: [`ConfigError::UnregisteredStrategies`](crate::ConfigError::UnregisteredStrategies) names every unregistered strategy
    /// and the handlers that use it. `Display` of the [`Audit`] prints one line per
    /// handler, with its strategies and requirements.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// // … jwt_guard::register(..) for every strategy …
    /// let audit = jwt_guard::Registry::global().audit()?; // refuse to start on an error
    /// print!("{audit}");
    /// # Ok(()) }
    /// ```
    pub fn audit(&self) -> Result<Audit, ConfigError> {
        self.audit_report().into_result()
    }

    /// Like [`audit`](Self::audit), but never fails: the [`Audit`] lists the strategies
    /// this registry lacks in [`Audit::unregistered`].
    pub fn audit_report(&self) -> Audit {
        let (modules, claimed) = self.audit_modules();
        let is_global = self.same_as(Registry::global());
        let claimed: Vec<Box<str>> = if is_global { claimed } else { Vec::new() };
        let serves = |site: &GuardedHandler| {
            if modules.is_empty() {
                // The global registry, or one that named no modules: every site not
                // claimed by another registry (nothing passes the audit unseen).
                !claimed.iter().any(|m| in_module(site.handler(), m))
            } else {
                modules.iter().any(|m| in_module(site.handler(), m))
            }
        };
        let serves_layer = |policy: &Policy| match policy.registry() {
            Some(own) => own.same_as(self) || modules.is_empty(),
            None => is_global || modules.is_empty(),
        };
        let label = if modules.is_empty() {
            if is_global {
                "global"
            } else {
                "its own, every site (no modules named)"
            }
            .to_owned()
        } else {
            modules.join(", ")
        };
        let scope = Scope {
            label,
            serves: &serves,
            serves_layer: &serves_layer,
            own: !is_global && !modules.is_empty(),
        };
        // The layers served with this registry; a registry that names no modules audits
        // every layer it can see, the global registry's too.
        let mut layers = crate::policy::served_by(self);
        if modules.is_empty() && !is_global {
            layers.extend(crate::policy::served_by(Registry::global()));
        }
        Audit::against(
            |name| self.contains(name),
            |name| self.token_source(name),
            &scope,
            layers,
        )
    }
}

/// Scopes for the RFC 9728 document, read from the audit.
impl ProtectedResourceBuilder {
    /// Adds every scope that an `#[authenticate]` site or a layer policy of `audit`
    /// requires ([`Registry::audit_report`](crate::Registry::audit_report)).
    pub fn scopes_from_audit(self, audit: &Audit) -> Self {
        let mut found: Vec<String> = Vec::new();
        let requirements = audit
            .handlers()
            .iter()
            .filter_map(|handler| handler.scopes())
            .chain(audit.layers().iter().filter_map(Policy::scopes));
        for requirement in requirements {
            found.extend(requirement.values().into_iter().map(str::to_owned));
        }
        self.scopes(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::Requirement::{All, One};

    const ORDERS: GuardedHandler = GuardedHandler::__new(
        "app::orders",
        "src/app.rs",
        12,
        5,
        &["audit-unit-jwt", "audit-unit-key"],
        Some(All(&[One("orders:read")])),
        None,
        None,
        true,
        HandlerForm::Extractor,
    );
    static LISTED: GuardedHandler = ORDERS;
    inventory::submit! { Site(&LISTED) }
    // The same site again, as a macro copying a handler's body would register it.
    static COPY: GuardedHandler = ORDERS;
    inventory::submit! { Site(&COPY) }

    #[test]
    fn sites_are_listed_once_and_checked() {
        let everything = Scope {
            label: "global".into(),
            serves: &|_| true,
            serves_layer: &|_| true,
            own: false,
        };
        let audit = Audit::against(
            |name| name == "audit-unit-jwt",
            |_| None,
            &everything,
            Vec::new(),
        );
        assert_eq!(
            audit
                .handlers()
                .iter()
                .filter(|h| h.handler() == "app::orders")
                .count(),
            1
        );
        assert_eq!(
            site(site_id("app::orders", "src/app.rs", 12, 5)).map(GuardedHandler::handler),
            Some("app::orders")
        );
        assert!(site(site_id("app::orders", "src/app.rs", 12, 6)).is_none());
        let site = audit.handler("app::orders").expect("listed");
        assert_eq!(site.strategies(), ["audit-unit-jwt", "audit-unit-key"]);
        assert_eq!(
            site.to_string(),
            r#"app::orders  "audit-unit-jwt" | "audit-unit-key"  scopes all("orders:read")  optional  via extractor"#
        );
        assert!(audit.unregistered().contains(&"audit-unit-key"));
        let err = audit.into_result().unwrap_err();
        assert!(err.to_string().contains("\"audit-unit-key\""), "{err}");
        assert!(err.to_string().contains("app::orders"), "{err}");
    }
}
