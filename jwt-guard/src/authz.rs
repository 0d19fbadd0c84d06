//! Authorization: the scopes and roles a handler requires, checked after authentication.
//!
//! `#[authenticate("jwt", scopes = ["orders:read"], roles = any("admin", "ops"))]` turns
//! into two [`Requirement`]s checked by [`authorize`]. A failed check is a 403 with
//! `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750 §3.1); a failed
//! authentication stays a 401.
//!
//! Where the scopes and roles are read is the strategy's decision, carried by the
//! [`Principal`]: see [`ClaimPaths`](crate::claims::ClaimPaths).

use std::fmt;

use crate::error::{Error, ErrorKind};
use crate::principal::Principal;

/// What a request must pass: an attribute site's static data
/// ([`GuardedHandler`](crate::audit::GuardedHandler)) or a layer's
/// [`Policy`], both checked by the guard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a, N> {
    pub(crate) strategies: &'a [N],
    pub(crate) scopes: Option<&'a Requirement>,
    pub(crate) roles: Option<&'a Requirement>,
    pub(crate) optional: bool,
}

/// A requirement on the scopes or the roles of the caller.
///
/// Written in the attribute as a string (`"admin"`), a list (`["a", "b"]`, all of them),
/// `all(...)` or `any(...)`, nested as needed. Being `Copy` and made of `'static` data, it
/// lives in a `static` the attribute generates, and costs nothing per request.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// This one value.
    One(&'static str),
    /// Every one of these (`[...]` or `all(...)` in the attribute).
    All(&'static [Requirement]),
    /// At least one of these (`any(...)` in the attribute).
    Any(&'static [Requirement]),
}

impl Requirement {
    /// True when the values in `held` satisfy the requirement. Comparison is exact
    /// (case-sensitive), as for OAuth scopes.
    pub fn is_met_by(&self, held: &[&str]) -> bool {
        match self {
            Self::One(value) => held.contains(value),
            Self::All(all) => all.iter().all(|r| r.is_met_by(held)),
            Self::Any(any) => any.iter().any(|r| r.is_met_by(held)),
        }
    }

    /// Every value the requirement mentions, in order, without repeats.
    pub fn values(&self) -> Vec<&'static str> {
        fn walk(requirement: &Requirement, out: &mut Vec<&'static str>) {
            match requirement {
                Requirement::One(value) => {
                    if !out.contains(value) {
                        out.push(value);
                    }
                }
                Requirement::All(list) | Requirement::Any(list) => {
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
        let (name, list) = match self {
            Self::One(value) => return write!(f, "{value:?}"),
            Self::All(list) => ("all", list),
            Self::Any(list) => ("any", list),
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
}
