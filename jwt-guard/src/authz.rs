//! Authorization: the scopes and roles a handler requires, checked after authentication.
//!
//! `#[authenticate("jwt", scopes = ["orders:read"], roles = any("admin", "ops"))]` turns
//! into two [`Requirement`]s checked by [`authorize`]. A failed check is a 403 with
//! `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750 §3.1); a failed
//! authentication stays a 401.
//!
//! Where the scopes and roles are read is the strategy's decision, carried by the
//! [`Principal`]: see [`ClaimPaths`](crate::claims::ClaimPaths).
//!
//! A [`StepUp`] requirement (`acr = ..`, `max_age = ..`; RFC 9470) is checked before
//! them: falling short is a 401 `insufficient_user_authentication`, which the client
//! answers by authenticating again.

use std::fmt;

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
pub fn authorize(
    principal: &Principal,
    scopes: Option<&Requirement>,
    roles: Option<&Requirement>,
) -> Result<(), Error> {
    if let Some(required) = scopes {
        let held = principal.scopes();
        if !required.is_met_by(&held) {
            tracing::debug!(
                strategy = principal.strategy(),
                required = %required,
                "insufficient scope"
            );
            return Err(Error::new(ErrorKind::InsufficientScope {
                required: required.values().into_iter().map(str::to_owned).collect(),
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
