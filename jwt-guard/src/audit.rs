//! The start-up audit: every `#[authenticate]` site, and the strategies they need.
//!
//! Each use of the attribute puts a [`GuardedHandler`] in a `static` and registers it
//! with [`inventory`] at link time, so the list is complete before `main` runs, whether
//! or not a handler was ever called or routed. [`audit`] reads it and checks it against
//! the [registry](crate::register): a strategy a handler names but nobody registered is
//! found at start-up, not by the first request that fails.

use std::collections::BTreeMap;
use std::fmt;

use crate::authz::Requirement;
use crate::error::{Error, ErrorKind};

/// One `#[authenticate]` site: a handler, the strategies it accepts and what it requires.
#[derive(Debug, Clone, Copy)]
pub struct GuardedHandler {
    handler: &'static str,
    file: &'static str,
    line: u32,
    strategies: &'static [&'static str],
    scopes: Option<Requirement>,
    roles: Option<Requirement>,
    optional: bool,
    skip: bool,
}

impl GuardedHandler {
    /// Not public API: the code `#[authenticate]` generates builds these.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        handler: &'static str,
        file: &'static str,
        line: u32,
        strategies: &'static [&'static str],
        scopes: Option<Requirement>,
        roles: Option<Requirement>,
        optional: bool,
        skip: bool,
    ) -> Self {
        Self {
            handler,
            file,
            line,
            strategies,
            scopes,
            roles,
            optional,
            skip,
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

    /// True for a method marked `#[authenticate(skip)]` in an authenticated impl block: it
    /// is listed so that the exemption is visible, and is not authenticated.
    pub fn is_skipped(&self) -> bool {
        self.skip
    }
}

impl fmt::Display for GuardedHandler {
    /// `module::handler  "jwt" | "api-key"  scopes all("a")  roles any("b")  optional`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.handler)?;
        if self.skip {
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
        Ok(())
    }
}

/// What [`audit`] found: every `#[authenticate]` site linked into the program.
#[derive(Debug, Clone)]
pub struct Audit {
    handlers: Vec<&'static GuardedHandler>,
    unregistered: BTreeMap<&'static str, Vec<&'static str>>,
}

impl Audit {
    /// Collects the sites and checks their strategies against the registry now.
    /// Unlike [`audit`], never fails: look at [`unregistered`](Self::unregistered).
    pub fn current() -> Self {
        let mut handlers: Vec<&'static GuardedHandler> = inventory::iter::<Site>
            .into_iter()
            .map(|site| site.0)
            .collect();
        handlers.sort_by_key(|h| (h.handler, h.file, h.line));
        let mut unregistered: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
        for handler in &handlers {
            for name in handler.strategies {
                if !crate::registry::is_registered(name) {
                    unregistered.entry(name).or_default().push(handler.handler);
                }
            }
        }
        Self {
            handlers,
            unregistered,
        }
    }

    /// Every site, sorted by handler path.
    pub fn handlers(&self) -> &[&'static GuardedHandler] {
        &self.handlers
    }

    /// The site of `handler` (its full path, as [`GuardedHandler::handler`]), if any.
    pub fn handler(&self, handler: &str) -> Option<&'static GuardedHandler> {
        self.handlers.iter().copied().find(|h| h.handler == handler)
    }

    /// Strategy names used by some site but not registered, sorted.
    pub fn unregistered(&self) -> Vec<&'static str> {
        self.unregistered.keys().copied().collect()
    }

    fn into_result(self) -> Result<Self, Error> {
        if self.unregistered.is_empty() {
            return Ok(self);
        }
        let mut handlers: Vec<String> = Vec::new();
        for (name, users) in &self.unregistered {
            for user in users {
                tracing::error!(
                    strategy = name,
                    handler = user,
                    "a handler names an authentication strategy that is not registered"
                );
                if !handlers.iter().any(|h| h == user) {
                    handlers.push((*user).to_owned());
                }
            }
        }
        handlers.sort();
        Err(Error::new(ErrorKind::UnregisteredStrategies {
            strategies: self.unregistered().into_iter().map(str::to_owned).collect(),
            handlers,
        }))
    }
}

impl fmt::Display for Audit {
    /// One line per site, then the unregistered strategies, if any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.handlers.len();
        writeln!(
            f,
            "{n} handler{} under #[authenticate]:",
            if n == 1 { "" } else { "s" }
        )?;
        for handler in &self.handlers {
            writeln!(f, "  {handler}")?;
        }
        for (name, users) in &self.unregistered {
            writeln!(
                f,
                "  strategy {name:?} is NOT registered (used by {})",
                users.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Lists every `#[authenticate]` site and checks that each strategy it names is
/// registered.
///
/// Call it at start-up, after registering the strategies, and refuse to start on an
/// error: the error ([`ErrorKind::UnregisteredStrategies`]) names every unregistered
/// strategy and the handlers that use it. `Display` of the [`Audit`] prints one line per
/// handler, with its strategies and requirements.
///
/// ```no_run
/// # fn main() -> Result<(), jwt_guard::Error> {
/// // … jwt_guard::register(..) for every strategy …
/// let audit = jwt_guard::audit()?; // refuse to start on an error
/// print!("{audit}");
/// # Ok(()) }
/// ```
pub fn audit() -> Result<Audit, Error> {
    Audit::current().into_result()
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
        &["audit-unit-jwt", "audit-unit-key"],
        Some(All(&[One("orders:read")])),
        None,
        true,
        false,
    );
    inventory::submit! { Site(&LISTED) }

    #[test]
    fn sites_are_listed_and_checked() {
        let audit = Audit::current();
        let site = audit.handler("app::orders").expect("listed");
        assert_eq!(site.strategies(), ["audit-unit-jwt", "audit-unit-key"]);
        assert_eq!(
            site.to_string(),
            r#"app::orders  "audit-unit-jwt" | "audit-unit-key"  scopes all("orders:read")  optional"#
        );
        assert!(audit.unregistered().contains(&"audit-unit-key"));
        let err = audit.into_result().unwrap_err();
        assert!(err.to_string().contains("\"audit-unit-key\""), "{err}");
        assert!(err.to_string().contains("app::orders"), "{err}");
    }
}
