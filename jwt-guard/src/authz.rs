//! Authorization: the scopes and roles a handler requires, checked after authentication.
//!
//! `#[authenticate("jwt", scopes = ["orders:read"], roles = any("admin", "ops"))]` turns
//! into two [`Requirement`]s checked by [`authorize`]. A failed check is a 403 with
//! `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750 §3.1); a failed
//! authentication stays a 401.
//!
//! Where the scopes and roles are read is the strategy's decision, carried by the
//! [`Principal`]: see [`ClaimPaths`](crate::claims::ClaimPaths). Whether a granted
//! scope covers a narrower required one (`orders:*` for `orders:read`) is a
//! [`ScopeRule`]: exact match by default, set per strategy
//! ([`JwtStrategyBuilder::scope_rule`](crate::JwtStrategyBuilder::scope_rule)) or per
//! layer policy ([`PolicyBuilder::scope_rule`](crate::PolicyBuilder::scope_rule)).
//!
//! A [`StepUp`] requirement (`acr = ..`, `max_age = ..`; RFC 9470) is checked before
//! them: falling short is a 401 `insufficient_user_authentication`, which the client
//! answers by authenticating again.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::principal::Principal;
pub use crate::step_up::StepUp;

/// What a request must pass: an attribute site's static data
/// ([`GuardedHandler`](crate::audit::GuardedHandler)) or a layer's
/// [`Policy`], both checked by the guard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a, N> {
    pub(crate) strategies: &'a [N],
    pub(crate) scopes: Option<&'a Requirement>,
    pub(crate) roles: Option<&'a Requirement>,
    /// `acr = ..`, `max_age = ..` (RFC 9470), checked before the scopes and roles.
    pub(crate) step_up: Option<&'a StepUp>,
    pub(crate) optional: bool,
    /// A layer policy's own scope rule, over the one the principal's strategy carries.
    pub(crate) scope_rule: Option<&'a ScopeRule>,
}

impl<N: fmt::Debug> fmt::Display for Rules<'_, N> {
    /// `"jwt" | "api-key"  scopes all("a")  roles any("b")  acr "c"  max_age 5m  optional`:
    /// how the audit prints
    /// what an attribute's handler and a layer's policy require, one rule for both.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.strategies.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{name:?}")?;
        }
        if let Some(scopes) = self.scopes {
            write!(f, "  scopes {scopes}")?;
        }
        if let Some(roles) = self.roles {
            write!(f, "  roles {roles}")?;
        }
        if let Some(rule) = self.scope_rule.filter(|rule| !rule.is_exact()) {
            write!(f, "  scope-rule {rule}")?;
        }
        if let Some(step_up) = self.step_up {
            write!(f, "  {step_up}")?;
        }
        if self.optional {
            f.write_str("  optional")?;
        }
        Ok(())
    }
}

/// A requirement on the scopes or the roles of the caller.
///
/// Written in the attribute as a string (`"admin"`), a list (`["a", "b"]`, all of them),
/// `all(...)` or `any(...)`, nested as needed: made of `'static` data, it lives in a
/// `static` the attribute generates, and costs nothing per request.
///
/// Requirements known only at run time (scopes read from a configuration file) are built
/// with [`Requirement::one`], [`Requirement::all`] and [`Requirement::any`], which own
/// their values: no `'static` data, no leak.
///
/// ```
/// use jwt_guard::authz::Requirement;
///
/// let from_config: Vec<String> = vec!["orders:read".into(), "orders:write".into()];
/// let needed = Requirement::all(from_config.into_iter().map(Requirement::one));
/// assert!(needed.is_met_by(&["orders:write", "orders:read"]));
/// assert!(!needed.is_met_by(&["orders:read"]));
/// assert_eq!(needed.to_string(), r#"all("orders:read", "orders:write")"#);
/// ```
///
/// ```
/// use jwt_guard::authz::Requirement::{self, All, Any, One};
///
/// const ADMIN_OR_READER: Requirement =
///     Any(&[One("admin"), All(&[One("orders:read"), One("reports:read")])]);
///
/// assert!(ADMIN_OR_READER.is_met_by(&["admin"]));
/// assert!(ADMIN_OR_READER.is_met_by(&["reports:read", "orders:read"]));
/// assert!(!ADMIN_OR_READER.is_met_by(&["orders:read"]));
/// assert_eq!(ADMIN_OR_READER.to_string(), r#"any("admin", all("orders:read", "reports:read"))"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// This one value.
    One(&'static str),
    /// Every one of these (`[...]` or `all(...)` in the attribute).
    All(&'static [Requirement]),
    /// At least one of these (`any(...)` in the attribute).
    Any(&'static [Requirement]),
    /// A requirement built at run time ([`one`](Self::one), [`all`](Self::all),
    /// [`any`](Self::any)), owning its values.
    Owned(std::sync::Arc<OwnedRequirement>),
}

/// The owned form of a [`Requirement`], built at run time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OwnedRequirement {
    /// This one value.
    One(Box<str>),
    /// Every one of these.
    All(Box<[Requirement]>),
    /// At least one of these.
    Any(Box<[Requirement]>),
}

impl Requirement {
    /// This one value, known at run time.
    pub fn one(value: impl Into<Box<str>>) -> Self {
        Self::Owned(std::sync::Arc::new(OwnedRequirement::One(value.into())))
    }

    /// Every one of `requirements`, known at run time.
    pub fn all(requirements: impl IntoIterator<Item = Requirement>) -> Self {
        Self::Owned(std::sync::Arc::new(OwnedRequirement::All(
            requirements.into_iter().collect(),
        )))
    }

    /// At least one of `requirements`, known at run time.
    pub fn any(requirements: impl IntoIterator<Item = Requirement>) -> Self {
        Self::Owned(std::sync::Arc::new(OwnedRequirement::Any(
            requirements.into_iter().collect(),
        )))
    }

    /// The shape of the requirement, whichever form holds it.
    fn shape(&self) -> Shape<'_> {
        match self {
            Self::One(value) => Shape::One(value),
            Self::All(list) => Shape::All(list),
            Self::Any(list) => Shape::Any(list),
            Self::Owned(owned) => match &**owned {
                OwnedRequirement::One(value) => Shape::One(value),
                OwnedRequirement::All(list) => Shape::All(list),
                OwnedRequirement::Any(list) => Shape::Any(list),
            },
        }
    }

    /// True when the values in `held` satisfy the requirement. Comparison is exact
    /// (case-sensitive), as for OAuth scopes.
    pub fn is_met_by(&self, held: &[&str]) -> bool {
        match self.shape() {
            Shape::One(value) => held.contains(&value),
            Shape::All(all) => all.iter().all(|r| r.is_met_by(held)),
            Shape::Any(any) => any.iter().any(|r| r.is_met_by(held)),
        }
    }

    /// True when the values in `held` satisfy the requirement under `rule`: a required
    /// value is met by an equal held one or, beyond exact match, by one the rule says
    /// covers it (`orders:*` for `orders:read` under [`ScopeRule::wildcard`]). The rule
    /// is chosen once for the whole check; under [`ScopeRule::exact`] this is
    /// [`is_met_by`](Self::is_met_by).
    ///
    /// ```
    /// use jwt_guard::authz::{Requirement, ScopeRule};
    ///
    /// let read = Requirement::One("orders:read");
    /// assert!(read.is_met_under(&["orders:*"], &ScopeRule::wildcard()));
    /// assert!(!read.is_met_under(&["orders:*"], &ScopeRule::exact()));
    /// assert!(!read.is_met_under(&["*"], &ScopeRule::wildcard()), "no bare `*` unless asked");
    /// ```
    pub fn is_met_under(&self, held: &[&str], rule: &ScopeRule) -> bool {
        match &rule.0 {
            Rule::Exact => self.is_met_by(held),
            implication => self.met_where(&|required| {
                held.iter()
                    .any(|granted| *granted == required || implication.covers(granted, required))
            }),
        }
    }

    /// True when the requirement holds, `met` deciding each value.
    fn met_where(&self, met: &dyn Fn(&str) -> bool) -> bool {
        match self.shape() {
            Shape::One(value) => met(value),
            Shape::All(all) => all.iter().all(|r| r.met_where(met)),
            Shape::Any(any) => any.iter().any(|r| r.met_where(met)),
        }
    }

    /// [`values`](Self::values), owned: what a challenge's `scope` names.
    pub(crate) fn values_owned(&self) -> Vec<String> {
        self.values().into_iter().map(str::to_owned).collect()
    }

    /// Every value the requirement mentions, in order, without repeats.
    pub fn values(&self) -> Vec<&str> {
        fn walk<'r>(requirement: &'r Requirement, out: &mut Vec<&'r str>) {
            match requirement.shape() {
                Shape::One(value) => {
                    if !out.contains(&value) {
                        out.push(value);
                    }
                }
                Shape::All(list) | Shape::Any(list) => {
                    list.iter().for_each(|r| walk(r, out));
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

impl fmt::Display for Requirement {
    /// As written in the attribute, with `[...]` shown as `all(...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, list) = match self.shape() {
            Shape::One(value) => return write!(f, "{value:?}"),
            Shape::All(list) => ("all", list),
            Shape::Any(list) => ("any", list),
        };
        write!(f, "{name}(")?;
        for (i, requirement) in list.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{requirement}")?;
        }
        f.write_str(")")
    }
}

/// How a granted scope covers a required one: exact match (the default), a wildcard
/// rule, or your own.
///
/// Set it per strategy ([`JwtStrategyBuilder::scope_rule`](crate::JwtStrategyBuilder::scope_rule):
/// what the attribute and the layers check that strategy's principals with) or per layer
/// policy ([`PolicyBuilder::scope_rule`](crate::PolicyBuilder::scope_rule), over the
/// strategy's). A granted scope equal to the required one always satisfies it; a rule only
/// adds implications.
///
/// - [`exact`](Self::exact): nothing else (RFC 6749 scopes are opaque strings).
/// - [`wildcard`](Self::wildcard): a granted `prefix:*` covers every `prefix:…` (at least
///   one character after the colon: `orders:*` covers `orders:read` and
///   `orders:read:own`, not `orders` nor `orders:`). Nothing else: no `*` in the middle, no
///   other separator, and a bare `*` covers nothing —
///   [`wildcard_with_star`](Self::wildcard_with_star) makes it cover every scope.
/// - [`custom`](Self::custom): a function `(granted, required) -> bool`.
///
/// The metadata document (RFC 9728) of a resource guarded by a strategy with the
/// wildcard rule lists, after each `prefix:…` scope, its `prefix:*` (a bare `*` is never
/// listed; a custom rule adds nothing: its implications cannot be listed).
///
/// ```
/// use jwt_guard::authz::ScopeRule;
///
/// let wildcard = ScopeRule::wildcard();
/// assert!(wildcard.covers("orders:*", "orders:read"));
/// assert!(wildcard.covers("orders:read", "orders:read"));
/// assert!(!wildcard.covers("orders:*", "orders"));
/// assert!(!wildcard.covers("orders:*", "billing:read"));
/// assert!(!wildcard.covers("*", "orders:read"));
/// assert!(ScopeRule::wildcard_with_star().covers("*", "orders:read"));
///
/// // Your own: `write` implies `read` on the same resource.
/// let own = ScopeRule::custom(|granted, required| {
///     required.strip_suffix(":read").is_some_and(|r| granted.strip_suffix(":write") == Some(r))
/// });
/// assert!(own.covers("orders:write", "orders:read"));
/// assert!(!own.covers("orders:read", "orders:write"));
/// ```
#[derive(Clone, Default)]
pub struct ScopeRule(Rule);

#[derive(Clone, Default)]
enum Rule {
    #[default]
    Exact,
    Wildcard {
        star: bool,
    },
    Custom(Arc<Covers>),
}

/// A custom rule: `(granted, required) -> covered`.
type Covers = dyn Fn(&str, &str) -> bool + Send + Sync;

impl ScopeRule {
    /// Exact match only: a required scope is met by an equal granted one. The default.
    pub fn exact() -> Self {
        Self(Rule::Exact)
    }

    /// A granted `prefix:*` covers every `prefix:…`; a bare `*` covers nothing.
    pub fn wildcard() -> Self {
        Self(Rule::Wildcard { star: false })
    }

    /// [`wildcard`](Self::wildcard), and a granted bare `*` covers every scope. Only for
    /// an authorization server that grants `*` on purpose, to callers allowed everything.
    pub fn wildcard_with_star() -> Self {
        Self(Rule::Wildcard { star: true })
    }

    /// Your rule: `covers(granted, required)` says whether a granted scope covers a
    /// required one that it is not equal to (equal ones always do). It runs for each pair
    /// of a required value and a granted one until one covers: keep it cheap, and pure.
    pub fn custom(covers: impl Fn(&str, &str) -> bool + Send + Sync + 'static) -> Self {
        Self(Rule::Custom(Arc::new(covers)))
    }

    /// True for exact match only ([`exact`](Self::exact), the default).
    pub fn is_exact(&self) -> bool {
        matches!(self.0, Rule::Exact)
    }

    /// True when the granted scope covers the required one under this rule.
    pub fn covers(&self, granted: &str, required: &str) -> bool {
        granted == required || self.0.covers(granted, required)
    }

    /// The broader scope the rule lets a client ask for instead of `scope`, for the
    /// metadata document's `scopes_supported`: `prefix:*` for `prefix:…` under the
    /// wildcard rule; never a bare `*`.
    pub(crate) fn broader(&self, scope: &str) -> Option<String> {
        match self.0 {
            Rule::Wildcard { .. } => {
                let (prefix, rest) = scope.split_once(':')?;
                (!prefix.is_empty() && !rest.is_empty() && rest != "*")
                    .then(|| format!("{prefix}:*"))
            }
            Rule::Exact | Rule::Custom(_) => None,
        }
    }
}

impl Rule {
    /// The implication beyond exact match.
    fn covers(&self, granted: &str, required: &str) -> bool {
        match self {
            Self::Exact => false,
            Self::Wildcard { star } => {
                if granted == "*" {
                    return *star;
                }
                granted.strip_suffix('*').is_some_and(|prefix| {
                    // `prefix:*`: a non-empty name, its colon, then the star.
                    prefix.len() > 1
                        && prefix.ends_with(':')
                        && required.len() > prefix.len()
                        && required.starts_with(prefix)
                })
            }
            Self::Custom(covers) => covers(granted, required),
        }
    }
}

impl PartialEq for ScopeRule {
    /// The same rule: both exact, both wildcard alike, or the same custom function.
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Rule::Exact, Rule::Exact) => true,
            (Rule::Wildcard { star: a }, Rule::Wildcard { star: b }) => a == b,
            (Rule::Custom(a), Rule::Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl fmt::Debug for ScopeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Rule::Exact => "ScopeRule::exact",
            Rule::Wildcard { star: false } => "ScopeRule::wildcard",
            Rule::Wildcard { star: true } => "ScopeRule::wildcard_with_star",
            Rule::Custom(_) => "ScopeRule::custom",
        })
    }
}

impl fmt::Display for ScopeRule {
    /// `exact`, `wildcard`, `wildcard+star` or `custom`, as the audit prints a policy's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Rule::Exact => "exact",
            Rule::Wildcard { star: false } => "wildcard",
            Rule::Wildcard { star: true } => "wildcard+star",
            Rule::Custom(_) => "custom",
        })
    }
}

/// The scope rule a principal carries from its strategy. Here, not in principal.rs, so
/// that the principal sits below authorization: it holds the rule type-erased.
impl crate::principal::Principal {
    /// The same principal, its scopes checked under `rule` (a custom strategy's choice;
    /// the built-in strategy sets its [`scope_rule`](crate::JwtStrategyBuilder::scope_rule)).
    pub fn with_scope_rule(self, rule: ScopeRule) -> Self {
        if rule.is_exact() {
            return self.with_scope_rule_erased(None);
        }
        let erased: Arc<dyn Any + Send + Sync> = Arc::new(rule);
        self.with_scope_rule_erased(Some(&erased))
    }

    /// The rule its scopes are checked under: its strategy's, exact by default.
    pub fn scope_rule(&self) -> &ScopeRule {
        static EXACT: ScopeRule = ScopeRule(Rule::Exact);
        self.scope_rule_erased()
            .and_then(|rule| rule.downcast_ref::<ScopeRule>())
            .unwrap_or(&EXACT)
    }
}

/// The type-erased form of a strategy's rule, built once, cloned into its principals;
/// `None` for exact match.
pub(crate) fn erased(rule: &ScopeRule) -> Option<Arc<dyn Any + Send + Sync>> {
    (!rule.is_exact()).then(|| Arc::new(rule.clone()) as Arc<dyn Any + Send + Sync>)
}

/// A requirement seen through either form.
enum Shape<'r> {
    One(&'r str),
    All(&'r [Requirement]),
    Any(&'r [Requirement]),
}

/// Checks the scopes and roles of an authenticated caller.
///
/// This is what `#[authenticate(.., scopes = .., roles = ..)]` runs after the strategy
/// succeeds. Scopes are checked first; a failure is
/// [`ErrorKind::InsufficientScope`] or [`ErrorKind::InsufficientRole`], both 403.
///
/// ```
/// use jwt_guard::Principal;
/// use jwt_guard::authz::Requirement;
///
/// let serde_json::Value::Object(claims) = serde_json::json!({ "scope": "orders:read profile" })
/// else { unreachable!() };
/// let caller = Principal::new(claims);
/// let read = Requirement::All(&[Requirement::One("orders:read")]);
/// let write = Requirement::One("orders:write");
/// assert!(jwt_guard::authz::authorize(&caller, Some(&read), None).is_ok());
/// assert_eq!(jwt_guard::authz::authorize(&caller, Some(&write), None).unwrap_err().status(), 403);
/// ```
///
/// Scopes are compared under the principal's [`ScopeRule`] (its strategy's; exact by
/// default).
pub fn authorize(
    principal: &Principal,
    scopes: Option<&Requirement>,
    roles: Option<&Requirement>,
) -> Result<(), Error> {
    authorize_under(principal, scopes, roles, None)
}

/// [`authorize`], the scopes compared under `rule` when given (a layer policy's), else
/// under the principal's.
pub(crate) fn authorize_under(
    principal: &Principal,
    scopes: Option<&Requirement>,
    roles: Option<&Requirement>,
    rule: Option<&ScopeRule>,
) -> Result<(), Error> {
    if let Some(required) = scopes {
        let held = principal.scopes();
        let rule = rule.unwrap_or_else(|| principal.scope_rule());
        if !required.is_met_under(&held, rule) {
            tracing::debug!(
                strategy = principal.strategy(),
                required = %required,
                "insufficient scope"
            );
            return Err(Error::new(ErrorKind::InsufficientScope {
                required: required.values_owned(),
            }));
        }
    }
    if let Some(required) = roles {
        let held = principal.roles();
        if !required.is_met_by(&held) {
            tracing::debug!(
                strategy = principal.strategy(),
                required = %required,
                "insufficient role"
            );
            return Err(Error::new(ErrorKind::InsufficientRole));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Requirement::{All, Any, One};
    use super::*;

    #[test]
    fn requirements_combine() {
        const R: Requirement = All(&[One("a"), Any(&[One("b"), One("c")])]);
        assert!(R.is_met_by(&["a", "c"]));
        assert!(!R.is_met_by(&["a"]));
        assert!(!R.is_met_by(&["b", "c"]));
        assert!(!R.is_met_by(&["A", "b"]), "case-sensitive");
        assert_eq!(R.values(), ["a", "b", "c"]);
        assert_eq!(R.to_string(), r#"all("a", any("b", "c"))"#);
        assert!(!Any(&[]).is_met_by(&["a"]));
    }

    #[test]
    fn the_wildcard_rule_covers_its_prefix_only() {
        let rule = ScopeRule::wildcard();
        for (granted, required, covered) in [
            ("orders:*", "orders:read", true),
            ("orders:*", "orders:read:own", true),
            ("orders:*", "orders:*", true),
            ("orders:*", "orders:", false),
            ("orders:*", "orders", false),
            ("orders:*", "ordersx:read", false),
            ("orders:*", "billing:read", false),
            ("orders*", "orders:read", false),
            (":*", ":read", false),
            ("*", "orders:read", false),
            ("orders:r*", "orders:read", false),
            ("ORDERS:*", "orders:read", false),
        ] {
            assert_eq!(
                rule.covers(granted, required),
                covered,
                "{granted} {required}"
            );
        }
        assert!(ScopeRule::wildcard_with_star().covers("*", "orders:read"));
        assert!(!ScopeRule::exact().covers("orders:*", "orders:read"));
        assert_eq!(rule.broader("orders:read").as_deref(), Some("orders:*"));
        assert_eq!(rule.broader("orders:*"), None);
        assert_eq!(rule.broader("profile"), None);
        assert_eq!(ScopeRule::exact().broader("orders:read"), None);
    }

    #[test]
    fn requirements_under_a_rule() {
        const R: Requirement = All(&[One("orders:read"), Any(&[One("mcp:tools"), One("admin")])]);
        let wildcard = ScopeRule::wildcard();
        assert!(R.is_met_under(&["orders:*", "mcp:*"], &wildcard));
        assert!(R.is_met_under(&["orders:read", "admin"], &wildcard));
        assert!(!R.is_met_under(&["orders:*"], &wildcard));
        assert!(!R.is_met_under(&["orders:*", "mcp:*"], &ScopeRule::exact()));
        for held in [&["orders:read", "admin"][..], &["orders:read"], &[]] {
            assert_eq!(R.is_met_under(held, &ScopeRule::exact()), R.is_met_by(held));
        }
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let counted = ScopeRule::custom(move |granted, required| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            granted == "root" && !required.is_empty()
        });
        assert!(R.is_met_under(&["root"], &counted));
        assert!(!R.is_met_under(&["user"], &counted));
        assert_eq!(counted, counted.clone(), "a custom rule equals its clones");
        assert_ne!(counted, ScopeRule::custom(|_, _| true));
        assert_ne!(ScopeRule::wildcard(), ScopeRule::wildcard_with_star());
    }

    #[test]
    fn the_principal_carries_its_strategy_rule() {
        let serde_json::Value::Object(claims) = serde_json::json!({ "scope": "orders:* profile" })
        else {
            unreachable!()
        };
        let read = One("orders:read");
        let exact = Principal::new(claims);
        assert!(exact.scope_rule().is_exact());
        assert!(authorize(&exact, Some(&read), None).is_err());
        let wildcard = exact.clone().with_scope_rule(ScopeRule::wildcard());
        assert_eq!(wildcard.scope_rule(), &ScopeRule::wildcard());
        assert!(authorize(&wildcard, Some(&read), None).is_ok());
        // A layer's rule wins over the principal's.
        let strict = ScopeRule::exact();
        assert!(authorize_under(&wildcard, Some(&read), None, Some(&strict)).is_err());
        assert!(authorize_under(&exact, Some(&read), None, Some(&ScopeRule::wildcard())).is_ok());
    }

    #[test]
    fn owned_requirements_behave_as_static_ones() {
        const R: Requirement = All(&[One("a"), Any(&[One("b"), One("c")])]);
        let owned = Requirement::all([
            Requirement::one(String::from("a")),
            Requirement::any(["b", "c"].map(Requirement::one)),
        ]);
        for held in [
            &["a", "c"][..],
            &["a"],
            &["b", "c"],
            &["A", "b"],
            &["c", "a", "b"],
            &[],
        ] {
            assert_eq!(owned.is_met_by(held), R.is_met_by(held), "{held:?}");
        }
        assert_eq!(owned.values(), R.values());
        assert_eq!(owned.to_string(), R.to_string());
        // Mixed: a static requirement inside an owned one.
        let mixed = Requirement::any([R.clone(), Requirement::one("admin")]);
        assert!(mixed.is_met_by(&["admin"]));
        assert!(mixed.is_met_by(&["a", "b"]));
        assert!(!mixed.is_met_by(&["b"]));
    }
}
