//! Verified claims as data: the [`ClaimsMap`], and [`ClaimPaths`], the strategy's rule
//! for where the scopes and the roles are.
//!
//! Near the bottom of the module graph: the verifier, the cache, the principal and
//! authorization all read claims through it, and it depends on nothing of theirs (only on
//! the strict JSON reader, `json`, a leaf).

use std::sync::{Arc, LazyLock, OnceLock};

use serde::de::{self, DeserializeOwned};

use crate::config_error::ConfigError;
use crate::json;

/// The verified claims of a token, as a JSON object.
pub type ClaimsMap = serde_json::Map<String, serde_json::Value>;

/// Where a strategy finds the caller's scopes and roles in the claims.
///
/// Each is a list of claim paths, read and merged (without repeats) in order. A path is a
/// claim name, a dotted path into objects (`realm_access.roles`), or a JSON Pointer
/// (RFC 6901) for names that contain dots (`/https:~1~1example.com~1roles`). A value is
/// an array of strings or a space-separated string.
///
/// | list | default |
/// |---|---|
/// | scopes | `scope` (RFC 8693 §4.2), `scp` |
/// | roles | `roles` |
///
/// Set them on the strategy ([`JwtStrategyBuilder::scopes_claim`] and
/// [`JwtStrategyBuilder::roles_claim`]); a custom strategy hands its own to
/// [`Principal::with_claim_paths`].
///
/// ```
/// use jwt_guard::claims::ClaimPaths;
///
/// // Auth0 permissions beside the standard scopes; Keycloak realm and client roles.
/// let paths = ClaimPaths::default()
///     .with_scopes(["scope", "scp", "permissions"])?
///     .with_roles(["realm_access.roles", "resource_access.my-app.roles"])?;
/// assert_eq!(paths.role_paths().collect::<Vec<_>>(), ["realm_access.roles", "resource_access.my-app.roles"]);
/// assert!(ClaimPaths::default().with_roles(["realm_access..roles"]).is_err());
/// # Ok::<(), jwt_guard::ConfigError>(())
/// ```
///
/// [`JwtStrategyBuilder::scopes_claim`]: crate::JwtStrategyBuilder::scopes_claim
/// [`JwtStrategyBuilder::roles_claim`]: crate::JwtStrategyBuilder::roles_claim
/// [`Principal::with_claim_paths`]: crate::Principal::with_claim_paths
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPaths {
    scopes: Vec<ClaimPath>,
    roles: Vec<ClaimPath>,
}

impl Default for ClaimPaths {
    fn default() -> Self {
        Self {
            scopes: vec![ClaimPath::name("scope"), ClaimPath::name("scp")],
            roles: vec![ClaimPath::name("roles")],
        }
    }
}

impl ClaimPaths {
    /// The same paths with the scopes read from `paths` instead (in order, merged).
    pub fn with_scopes<I>(mut self, paths: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.scopes = parse_list(paths)?;
        Ok(self)
    }

    /// The same paths with the roles read from `paths` instead (in order, merged).
    pub fn with_roles<I>(mut self, paths: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.roles = parse_list(paths)?;
        Ok(self)
    }

    /// The scope paths, as written.
    pub fn scope_paths(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(|p| p.source.as_str())
    }

    /// The role paths, as written.
    pub fn role_paths(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(|p| p.source.as_str())
    }

    pub(crate) fn scopes_of<'a>(&self, claims: &'a ClaimsMap) -> Vec<&'a str> {
        strings_at(&self.scopes, claims)
    }

    pub(crate) fn roles_of<'a>(&self, claims: &'a ClaimsMap) -> Vec<&'a str> {
        strings_at(&self.roles, claims)
    }

    /// The default paths, shared.
    pub(crate) fn shared_default() -> Arc<ClaimPaths> {
        static DEFAULT: LazyLock<Arc<ClaimPaths>> =
            LazyLock::new(|| Arc::new(ClaimPaths::default()));
        Arc::clone(&DEFAULT)
    }
}

/// One claim path, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClaimPath {
    /// As the user wrote it.
    source: String,
    /// Object keys from the top.
    segments: Vec<String>,
}

impl ClaimPath {
    fn name(name: &str) -> Self {
        Self {
            source: name.to_owned(),
            segments: vec![name.to_owned()],
        }
    }

    pub(crate) fn parse(path: &str) -> Result<Self, ConfigError> {
        let segments: Vec<String> = match path.strip_prefix('/') {
            Some(pointer) => pointer
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect(),
            None => path.split('.').map(str::to_owned).collect(),
        };
        if path.is_empty() || segments.iter().any(String::is_empty) {
            return Err(ConfigError::InvalidClaimPath {
                path: path.to_owned(),
            });
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

fn parse_list<I>(paths: I) -> Result<Vec<ClaimPath>, ConfigError>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut out: Vec<ClaimPath> = Vec::new();
    for path in paths {
        let path = ClaimPath::parse(path.as_ref())?;
        if !out.contains(&path) {
            out.push(path);
        }
    }
    Ok(out)
}

/// The strings at `paths`, merged without repeats: each string of an array, or the words
/// of a string. Other values are ignored.
fn strings_at<'a>(paths: &[ClaimPath], claims: &'a ClaimsMap) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut push = |s: &'a str| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    for path in paths {
        match path.lookup(claims) {
            Some(serde_json::Value::String(s)) => s.split_ascii_whitespace().for_each(&mut push),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(serde_json::Value::as_str)
                .for_each(&mut push),
            _ => {}
        }
    }
    out
}

/// The verified claims of one token, as the verifier leaves them: the payload's JSON
/// text (already checked to be an object with no repeated member names, at any depth),
/// and the [`ClaimsMap`] built from it the first time something asks for it.
///
/// The request path never builds the map: the registered claims are checked in one
/// borrowed pass over the text (`verify::scan_claims`), typed claims
/// ([`Principal::claims_as`](crate::Principal::claims_as)) deserialize from the text, and
/// only `claims()`, scopes and roles build the map — once per token, shared by clones.
///
/// It also holds what the strategy that verified the claims attaches to its principals
/// ([`Attached`]), so that a principal made from cached claims counts no reference of its
/// own on any of it.
pub(crate) struct ClaimsCell {
    json: String,
    map: OnceLock<ClaimsMap>,
    attached: Attached,
}

/// What a strategy attaches to the claims it verified, the same for all its principals:
/// where scopes and roles are read, the name it is registered under, its scope rule and
/// its challenges.
#[derive(Clone)]
pub(crate) struct Attached {
    pub(crate) paths: Arc<ClaimPaths>,
    /// The registered name, once the strategy was registered.
    pub(crate) strategy: Option<Arc<str>>,
    /// An `authz::ScopeRule`, type-erased (authorization sits above the claims); `None`
    /// for exact match.
    pub(crate) scope_rule: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// The challenges its 403s carry (DPoP, resource metadata), if any.
    pub(crate) challenge: Option<Arc<crate::challenge::ChallengeParams>>,
}

impl Attached {
    /// The default paths and nothing else.
    pub(crate) fn plain(paths: Arc<ClaimPaths>) -> Self {
        Self {
            paths,
            strategy: None,
            scope_rule: None,
            challenge: None,
        }
    }
}

impl ClaimsCell {
    /// From checked JSON text (the verifier's output), with what its strategy attaches.
    pub(crate) fn from_json(json: String, attached: Attached) -> Self {
        Self {
            json,
            map: OnceLock::new(),
            attached,
        }
    }

    /// From a map (a custom strategy's claims), read at the default paths.
    pub(crate) fn from_map(map: ClaimsMap) -> Self {
        Self {
            json: String::new(),
            map: OnceLock::from(map),
            attached: Attached::plain(ClaimPaths::shared_default()),
        }
    }

    /// What the verifying strategy attached.
    pub(crate) fn attached(&self) -> &Attached {
        &self.attached
    }

    /// The claims as a map, built on first use.
    pub(crate) fn map(&self) -> &ClaimsMap {
        self.map.get_or_init(|| {
            json::parse_object(&self.json).unwrap_or_else(|err| {
                // The verifier checked this text with the same rules (`json`, the one
                // strict reader): unreachable, and an
                // empty map grants no scope or role (fails closed).
                tracing::error!(error = %err, "verified claims did not parse again");
                ClaimsMap::new()
            })
        })
    }

    /// The claims deserialized into `T`: from the map when it was built, else from the
    /// text (which is then not turned into a map at all).
    pub(crate) fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match self.map.get() {
            Some(map) => T::deserialize(MapRef(map)),
            None => serde_json::from_str(&self.json),
        }
    }

    /// Bytes of the JSON text held.
    pub(crate) fn text_capacity(&self) -> usize {
        self.json.capacity()
    }
}

/// Deserializes from a borrowed map without cloning it into a `Value` first.
struct MapRef<'a>(&'a ClaimsMap);

impl<'de> serde::Deserializer<'de> for MapRef<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_any(
            de::value::MapDeserializer::new(self.0.iter().map(|(k, v)| (k.as_str(), v))),
            visitor,
        )
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: serde_json::Value) -> ClaimsMap {
        match json {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn default_scopes_from_scope_and_scp() {
        let paths = ClaimPaths::default();
        let c = claims(serde_json::json!({ "scope": "a  b", "scp": ["b", "c", 7] }));
        assert_eq!(paths.scopes_of(&c), ["a", "b", "c"]);
        let c = claims(serde_json::json!({ "scp": "x y" }));
        assert_eq!(paths.scopes_of(&c), ["x", "y"]);
        assert!(
            paths
                .scopes_of(&claims(serde_json::json!({ "scope": 1 })))
                .is_empty()
        );
        let c = claims(serde_json::json!({ "roles": ["admin"], "permissions": ["p"] }));
        assert_eq!(paths.roles_of(&c), ["admin"]);
        assert!(
            paths.scopes_of(&c).is_empty(),
            "permissions is not a default"
        );
    }

    #[test]
    fn several_paths_merge() {
        let paths = ClaimPaths::default()
            .with_scopes(["scope", "permissions"])
            .unwrap()
            .with_roles(["realm_access.roles", "resource_access.app.roles", "roles"])
            .unwrap();
        let c = claims(serde_json::json!({
            "scope": "read",
            "scp": ["ignored"],
            "permissions": ["write", "read"],
            "realm_access": { "roles": ["admin"] },
            "resource_access": { "app": { "roles": ["ops", "admin"] } },
        }));
        assert_eq!(paths.scopes_of(&c), ["read", "write"]);
        assert_eq!(paths.roles_of(&c), ["admin", "ops"]);
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
            assert!(
                matches!(
                    ClaimPath::parse(bad),
                    Err(ConfigError::InvalidClaimPath { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
