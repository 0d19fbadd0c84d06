//! Authorization: the scopes and roles a handler requires, checked after authentication.
//!
//! `#[authenticate("jwt", scopes = ["orders:read"], roles = any("admin", "ops"))]` turns
//! into two [`Requirement`]s checked by [`authorize`]. A failed check is a 403 with
//! `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750 §3.1); a failed
//! authentication stays a 401.
//!
//! - **Scopes** come from the `scope` claim (a space-separated string, RFC 8693 §4.2) and
//!   the `scp` claim (an array of strings, or a space-separated string), merged.
//! - **Roles** come from a claim path, `roles` by default, set process-wide with
//!   [`set_roles_claim`] or per strategy with [`set_roles_claim_for`]. The value is an
//!   array of strings (a space-separated string is accepted too).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

use arc_swap::ArcSwap;

use crate::error::{Error, ErrorKind};
use crate::principal::{ClaimsMap, Principal};

/// The roles claim path used when none is set: the top-level `roles` claim.
pub const DEFAULT_ROLES_CLAIM: &str = "roles";

/// A requirement on the scopes or the roles of the caller.
///
/// Written in the attribute as a string (`"admin"`), a list (`["a", "b"]`, all of them),
/// `all(...)` or `any(...)`, nested as needed. Being `Copy` and made of `'static` data, it
/// lives in a `static` the attribute generates, and costs nothing per request.
///
/// ```
/// use jwt_guard::Requirement::{All, Any, One};
///
/// const ADMIN_OR_READER: jwt_guard::Requirement =
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
/// use jwt_guard::{Principal, Requirement};
///
/// let serde_json::Value::Object(claims) = serde_json::json!({ "scope": "orders:read profile" })
/// else { unreachable!() };
/// let caller = Principal::new(claims);
/// let read = Requirement::All(&[Requirement::One("orders:read")]);
/// let write = Requirement::One("orders:write");
/// assert!(jwt_guard::authorize(&caller, Some(&read), None).is_ok());
/// assert_eq!(jwt_guard::authorize(&caller, Some(&write), None).unwrap_err().status(), 403);
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

/// Sets the claim that holds the roles, for every strategy without its own setting.
///
/// Defaults to [`DEFAULT_ROLES_CLAIM`] (`roles`). A dotted path walks into objects
/// (`realm_access.roles` for Keycloak realm roles, `resource_access.my-app.roles` for
/// client roles). A path that starts with `/` is a JSON Pointer (RFC 6901), for claim
/// names that contain dots: `/https:~1~1example.com~1roles` reads the
/// `https://example.com/roles` claim.
///
/// Takes effect for the next request; call it at start-up.
///
/// ```
/// jwt_guard::set_roles_claim("realm_access.roles")?;
/// assert!(jwt_guard::set_roles_claim("realm_access..roles").is_err());
/// # jwt_guard::set_roles_claim(jwt_guard::DEFAULT_ROLES_CLAIM)?;
/// # Ok::<(), jwt_guard::Error>(())
/// ```
pub fn set_roles_claim(path: &str) -> Result<(), Error> {
    let path = ClaimPath::parse(path)?;
    ROLES.rcu(|current| {
        Arc::new(RolesConfig {
            default: path.clone(),
            per_strategy: current.per_strategy.clone(),
        })
    });
    Ok(())
}

/// Sets the roles claim for the strategy registered (or to be registered) under
/// `strategy`, overriding [`set_roles_claim`] for principals it authenticates. Same path
/// syntax.
pub fn set_roles_claim_for(strategy: &str, path: &str) -> Result<(), Error> {
    if strategy.is_empty() {
        return Err(Error::config("a strategy name must not be empty"));
    }
    let path = ClaimPath::parse(path)?;
    ROLES.rcu(|current| {
        let mut per_strategy = current.per_strategy.clone();
        per_strategy.insert(strategy.to_owned(), path.clone());
        Arc::new(RolesConfig {
            default: current.default.clone(),
            per_strategy,
        })
    });
    Ok(())
}

/// The roles claim path in force for `strategy`, as it was given.
pub fn roles_claim(strategy: &str) -> String {
    let config = ROLES.load();
    config
        .per_strategy
        .get(strategy)
        .unwrap_or(&config.default)
        .source
        .clone()
}

/// The scopes in `scope` (space-separated) and `scp` (array or space-separated), merged
/// without repeats.
pub(crate) fn scopes_of(claims: &ClaimsMap) -> Vec<&str> {
    let mut out = Vec::new();
    for name in ["scope", "scp"] {
        if let Some(value) = claims.get(name) {
            push_strings(value, &mut out);
        }
    }
    out
}

/// The roles of a principal authenticated by `strategy`, read at its roles claim path.
pub(crate) fn roles_of<'a>(claims: &'a ClaimsMap, strategy: &str) -> Vec<&'a str> {
    let config = ROLES.load();
    let path = config.per_strategy.get(strategy).unwrap_or(&config.default);
    let mut out = Vec::new();
    if let Some(value) = path.lookup(claims) {
        push_strings(value, &mut out);
    }
    out
}

/// True for an RFC 6749 §3.3 scope token: visible ASCII except `"` and `\`.
pub(crate) fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// Strings of a claim value: each string of an array, or the words of a string.
fn push_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    let push = |s: &'a str| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    match value {
        serde_json::Value::String(s) => s.split_ascii_whitespace().for_each(push),
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(serde_json::Value::as_str)
            .for_each(push),
        _ => {}
    }
}

/// Where the roles are in the claims.
#[derive(Debug, Clone)]
struct ClaimPath {
    /// As the user wrote it.
    source: String,
    /// Object keys from the top.
    segments: Vec<String>,
}

impl ClaimPath {
    fn parse(path: &str) -> Result<Self, Error> {
        let segments: Vec<String> = match path.strip_prefix('/') {
            Some(pointer) => pointer
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect(),
            None => path.split('.').map(str::to_owned).collect(),
        };
        if path.is_empty() || segments.iter().any(String::is_empty) {
            return Err(Error::config(format!(
                "the roles claim path {path:?} has an empty segment"
            )));
        }
        Ok(Self {
            source: path.to_owned(),
            segments,
        })
    }

    fn lookup<'a>(&self, claims: &'a ClaimsMap) -> Option<&'a serde_json::Value> {
        let (first, rest) = self.segments.split_first()?;
        rest.iter()
            .try_fold(claims.get(first)?, |value, key| value.get(key.as_str()))
    }
}

struct RolesConfig {
    default: ClaimPath,
    per_strategy: HashMap<String, ClaimPath>,
}

static ROLES: LazyLock<ArcSwap<RolesConfig>> = LazyLock::new(|| {
    ArcSwap::from_pointee(RolesConfig {
        default: ClaimPath {
            source: DEFAULT_ROLES_CLAIM.to_owned(),
            segments: vec![DEFAULT_ROLES_CLAIM.to_owned()],
        },
        per_strategy: HashMap::new(),
    })
});

#[cfg(test)]
mod tests {
    use super::Requirement::{All, Any, One};
    use super::*;

    fn claims(json: serde_json::Value) -> ClaimsMap {
        match json {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

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
    fn scopes_from_scope_and_scp() {
        let c = claims(serde_json::json!({ "scope": "a  b", "scp": ["b", "c", 7] }));
        assert_eq!(scopes_of(&c), ["a", "b", "c"]);
        let c = claims(serde_json::json!({ "scp": "x y" }));
        assert_eq!(scopes_of(&c), ["x", "y"]);
        let c = claims(serde_json::json!({ "scope": ["not", "rfc", "but", "fine"] }));
        assert_eq!(scopes_of(&c).len(), 4);
        assert!(scopes_of(&claims(serde_json::json!({ "scope": 1 }))).is_empty());
    }

    #[test]
    fn claim_paths() {
        let c = claims(serde_json::json!({
            "realm_access": { "roles": ["admin"] },
            "https://example.com/roles": ["ops"],
            "a.b": "dotted",
        }));
        let dotted = ClaimPath::parse("realm_access.roles").unwrap();
        assert_eq!(dotted.lookup(&c), Some(&serde_json::json!(["admin"])));
        let pointer = ClaimPath::parse("/https:~1~1example.com~1roles").unwrap();
        assert_eq!(pointer.lookup(&c), Some(&serde_json::json!(["ops"])));
        assert_eq!(
            ClaimPath::parse("/a.b").unwrap().lookup(&c),
            Some(&serde_json::json!("dotted"))
        );
        assert!(
            ClaimPath::parse("nope.deeper")
                .unwrap()
                .lookup(&c)
                .is_none()
        );
        for bad in ["", ".", "a.", "/", "/a//b"] {
            assert!(ClaimPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scope_tokens() {
        assert!(is_scope_token("orders:read"));
        assert!(is_scope_token("https://api.example/x!"));
        for bad in ["", "a b", "a\"b", "a\\b", "é", "a\tb"] {
            assert!(!is_scope_token(bad), "{bad:?}");
        }
    }
}
