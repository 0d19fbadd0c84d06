//! The `#[authenticate]` sites: each use of the attribute puts a [`GuardedHandler`] in a
//! `static` and registers it with `inventory` at link time. The guard finds a site by
//! its id on each request; the [audit](crate::audit) lists them at start-up.

use std::fmt;
use std::sync::LazyLock;

use crate::authz::{Requirement, StepUp};

/// One `#[authenticate]` site: a handler, the strategies it accepts and what it requires.
#[derive(Debug, Clone)]
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
    step_up: Option<StepUp>,
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
        step_up: Option<StepUp>,
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
            step_up,
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

    /// The `acr = ...` and `max_age = ...` requirement (RFC 9470 step-up).
    pub fn step_up(&self) -> Option<&StepUp> {
        self.step_up.as_ref()
    }

    /// True for `optional`: a request without credentials runs without a principal.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// What a request must pass, for [`guard::check`](crate::guard).
    pub(crate) fn rules(&self) -> crate::authz::Rules<'_, &'static str> {
        crate::authz::Rules {
            strategies: self.strategies,
            scopes: self.scopes.as_ref(),
            roles: self.roles.as_ref(),
            step_up: self.step_up.as_ref(),
            optional: self.optional,
            scope_rule: None,
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
        write!(f, "  {}  {}", self.rules(), self.form.describe())
    }
}

/// Every site, sorted and without repeats: a macro that copies a handler's body (axum's
/// `#[debug_handler]` does) registers the same site more than once.
pub(crate) fn sites() -> &'static [&'static GuardedHandler] {
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
