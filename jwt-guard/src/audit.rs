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
use std::sync::LazyLock;

use crate::authz::Requirement;
use crate::config_error::ConfigError;
use crate::policy::Policy;

/// One `#[authenticate]` site: a handler, the strategies it accepts and what it requires.
#[derive(Debug, Clone, Copy)]
pub struct GuardedHandler {
    #[cfg_attr(not(any(feature = "axum", feature = "actix-web")), allow(dead_code))]
    id: u64,
    handler: &'static str,
    file: &'static str,
    line: u32,
    column: u32,
    strategies: &'static [&'static str],
    scopes: Option<Requirement>,
    roles: Option<Requirement>,
    optional: bool,
    form: HandlerForm,
}

/// Where a site reads the request, and so which [`Registry`](crate::Registry) it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HandlerForm {
    /// The hidden guard extractor (axum, actix-web): the registry the request carries,
    /// else the global one.
    Extractor,
    /// Its own `http::Request`, `http::request::Parts` or `HttpRequest`: the registry
    /// the request carries, else the global one.
    Request,
    /// Its own `&HeaderMap` (or a method's `HeaderMap`): there is no request to carry a
    /// registry, so always the global one.
    HeaderMap,
    /// `#[authenticate(skip)]`: not authenticated.
    Skipped,
}

impl HandlerForm {
    /// True when the site can use a registry the request carries; false for
    /// [`HeaderMap`](Self::HeaderMap), which always uses [`Registry::global`](crate::Registry::global).
    pub fn uses_request_registry(self) -> bool {
        matches!(self, Self::Extractor | Self::Request)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Extractor => "via extractor",
            Self::Request => "via its request",
            Self::HeaderMap => "via its HeaderMap: GLOBAL registry",
            Self::Skipped => "skip",
        }
    }
}

impl GuardedHandler {
    /// Not public API: the code `#[authenticate]` generates builds these.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        handler: &'static str,
        file: &'static str,
        line: u32,
        column: u32,
        strategies: &'static [&'static str],
        scopes: Option<Requirement>,
        roles: Option<Requirement>,
        optional: bool,
        form: HandlerForm,
    ) -> Self {
        Self {
            id: site_id(handler, file, line, column),
            handler,
            file,
            line,
            column,
            strategies,
            scopes,
            roles,
            optional,
            form,
        }
    }

    /// The handler's path: `module::function`, or `module::Type::method` in an impl block.
    pub fn handler(&self) -> &'static str {
        self.handler
    }

    /// The source file of the attribute.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line of the function in [`file`](Self::file).
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The column of the function's name on its [`line`](Self::line).
    pub fn column(&self) -> u32 {
        self.column
    }

    fn location(&self) -> (&'static str, &'static str, u32, u32) {
        (self.handler, self.file, self.line, self.column)
    }

    /// The strategy names, in the order they are tried. Empty for a skipped method.
    pub fn strategies(&self) -> &'static [&'static str] {
        self.strategies
    }

    /// The `scopes = ...` requirement.
    pub fn scopes(&self) -> Option<&Requirement> {
        self.scopes.as_ref()
    }

    /// The `roles = ...` requirement.
    pub fn roles(&self) -> Option<&Requirement> {
        self.roles.as_ref()
    }

    /// True for `optional`: a request without credentials runs without a principal.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// What a request must pass, for [`guard::check`](crate::guard).
    pub(crate) fn rules(&self) -> crate::guard::Rules<'_, &'static str> {
        crate::guard::Rules {
            strategies: self.strategies,
            scopes: self.scopes.as_ref(),
            roles: self.roles.as_ref(),
            optional: self.optional,
        }
    }

    /// True for a method marked `#[authenticate(skip)]` in an authenticated impl block: it
    /// is listed so that the exemption is visible, and is not authenticated.
    pub fn is_skipped(&self) -> bool {
        self.form == HandlerForm::Skipped
    }

    /// Where the handler reads the request, and so which registry it uses.
    pub fn form(&self) -> HandlerForm {
        self.form
    }
}

impl fmt::Display for GuardedHandler {
    /// `module::handler  "jwt" | "api-key"  scopes all("a")  roles any("b")  optional`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.handler)?;
        if self.is_skipped() {
            return f.write_str("  skip (not authenticated)");
        }
        f.write_str("  ")?;
        for (i, name) in self.strategies.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{name:?}")?;
        }
        if let Some(scopes) = &self.scopes {
            write!(f, "  scopes {scopes}")?;
        }
        if let Some(roles) = &self.roles {
            write!(f, "  roles {roles}")?;
        }
        if self.optional {
            f.write_str("  optional")?;
        }
        write!(f, "  {}", self.form.describe())
    }
}

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
    pub(crate) fn against(is_registered: impl Fn(&str) -> bool, scope: &Scope<'_>) -> Self {
        let handlers: Vec<&'static GuardedHandler> = sites()
            .iter()
            .copied()
            .filter(|site| (scope.serves)(site))
            .collect();
        let layers: Vec<Policy> = crate::policy::built()
            .into_iter()
            .filter(|layer| (scope.serves_layer)(layer))
            .collect();
        let global_only = if scope.own {
            handlers
                .iter()
                .filter(|site| site.form == HandlerForm::HeaderMap)
                .map(|site| site.handler)
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
            for name in handler.strategies {
                if !is_registered(name) {
                    note(name, handler.handler.to_owned());
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
        Self {
            registry: scope.label.clone(),
            handlers,
            layers,
            unregistered,
            global_only,
        }
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
        Self::against(|_| true, &scope)
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
        self.handlers.iter().copied().find(|h| h.handler == handler)
    }

    /// Every layer policy built before the audit, sorted by name: which router or
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
        Ok(())
    }
}

/// Every site, sorted and without repeats: a macro that copies a handler's body (axum's
/// `#[debug_handler]` does) registers the same site more than once.
fn sites() -> &'static [&'static GuardedHandler] {
    static SITES: LazyLock<Vec<&'static GuardedHandler>> = LazyLock::new(|| {
        let mut handlers: Vec<&'static GuardedHandler> = inventory::iter::<Site>
            .into_iter()
            .map(|site| site.0)
            .collect();
        handlers.sort_by_key(|h| h.location());
        handlers.dedup_by_key(|h| h.location());
        handlers
    });
    &SITES
}

/// The site whose [`site_id`] is `id`; `None` if there is none, or if two different
/// sites share the id (a 64-bit hash collision: refused rather than guessed).
#[cfg(any(feature = "axum", feature = "actix-web", test))]
pub(crate) fn site(id: u64) -> Option<&'static GuardedHandler> {
    type ById = std::collections::HashMap<u64, Option<&'static GuardedHandler>>;
    static BY_ID: LazyLock<ById> = LazyLock::new(|| {
        let mut map = ById::new();
        for &handler in sites() {
            map.entry(handler.id)
                .and_modify(|seen| {
                    tracing::error!(
                        handler = handler.handler,
                        "two #[authenticate] sites share an id; both fail closed"
                    );
                    *seen = None;
                })
                .or_insert(Some(handler));
        }
        map
    });
    BY_ID.get(&id).copied().flatten()
}

/// The id of a site: FNV-1a over its path, file, line and column. The attribute puts
/// the same computation in the type of its hidden extractor, which finds its site by it.
#[doc(hidden)]
pub const fn site_id(handler: &str, file: &str, line: u32, column: u32) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    const fn eat(mut hash: u64, bytes: &[u8]) -> u64 {
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u64;
            hash = hash.wrapping_mul(PRIME);
            i += 1;
        }
        // A separator no UTF-8 text contains, so ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash.wrapping_mul(PRIME)
    }
    let mut hash = 0xcbf2_9ce4_8422_2325;
    hash = eat(hash, handler.as_bytes());
    hash = eat(hash, file.as_bytes());
    hash = eat(hash, &line.to_le_bytes());
    eat(hash, &column.to_le_bytes())
}

/// Not public API: the registration of one site, submitted by the attribute.
#[doc(hidden)]
#[derive(Debug)]
pub struct Site(pub &'static GuardedHandler);

inventory::collect!(Site);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::Requirement::{All, One};

    static LISTED: GuardedHandler = GuardedHandler::__new(
        "app::orders",
        "src/app.rs",
        12,
        5,
        &["audit-unit-jwt", "audit-unit-key"],
        Some(All(&[One("orders:read")])),
        None,
        true,
        HandlerForm::Extractor,
    );
    inventory::submit! { Site(&LISTED) }
    // The same site again, as a macro copying a handler's body would register it.
    static COPY: GuardedHandler = LISTED;
    inventory::submit! { Site(&COPY) }

    #[test]
    fn sites_are_listed_once_and_checked() {
        let everything = Scope {
            label: "global".into(),
            serves: &|_| true,
            serves_layer: &|_| true,
            own: false,
        };
        let audit = Audit::against(|name| name == "audit-unit-jwt", &everything);
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
