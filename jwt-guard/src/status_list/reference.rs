//! A token's reference to its status (`"status": {"status_list": {"idx": N, "uri":
//! "https://…"}}`), read from its verified claims, and the rule for where a list may be.

use serde_json::Value;
use url::{Origin, Url};

use crate::error::TokenError;

/// The longest list URI followed.
const MAX_URI_BYTES: usize = 2048;

/// A token's list and index, checked.
#[derive(Debug)]
pub(crate) struct Reference<'a> {
    pub(crate) uri: &'a str,
    pub(crate) idx: u64,
}

/// The status list reference of verified `claims`: `Ok(None)` when the token has none
/// (no `status`, or a `status` without `status_list`: another status mechanism). A
/// `status_list` that is not `{"idx": non-negative integer, "uri": string}` is refused.
pub(crate) fn read(
    claims: &serde_json::Map<String, Value>,
) -> Result<Option<Reference<'_>>, TokenError> {
    let invalid = TokenError::InvalidClaim("status");
    let Some(status) = claims.get("status") else {
        return Ok(None);
    };
    let Value::Object(status) = status else {
        return Err(invalid);
    };
    let Some(list) = status.get("status_list") else {
        return Ok(None);
    };
    let Value::Object(list) = list else {
        return Err(invalid);
    };
    let idx = list
        .get("idx")
        .and_then(Value::as_u64)
        .ok_or(invalid.clone())?;
    let uri = list.get("uri").and_then(Value::as_str).ok_or(invalid)?;
    Ok(Some(Reference { uri, idx }))
}

/// Where lists may be: the token issuer's origin, or the configured origins.
#[derive(Debug)]
pub(crate) struct Origins {
    allowed: Vec<Origin>,
    allow_http: bool,
}

impl Origins {
    /// `allowed` are origins as configured (`https://host[:port]`), checked here.
    pub(crate) fn new(allowed: &[String], allow_http: bool) -> Result<Self, String> {
        let allowed = allowed
            .iter()
            .map(|text| {
                let url = Url::parse(text).map_err(|e| format!("origin {text:?}: {e}"))?;
                if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
                    return Err(format!(
                        "origin {text:?} has a path, query or fragment: give scheme, host \
                         and port only"
                    ));
                }
                crate::jwks::check_transport(&url, allow_http).map_err(|e| e.to_string())?;
                Ok(url.origin())
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            allowed,
            allow_http,
        })
    }

    /// The list URI of a token issued by `iss`, if it may be fetched: parsed, no
    /// credentials or fragment, https (or the transport rule of the key engine), on an
    /// allowed origin. Anything else is the token's fault: refused, never fetched.
    pub(crate) fn check(&self, uri: &str, iss: &str) -> Result<Url, TokenError> {
        let invalid = TokenError::InvalidClaim("status");
        if uri.len() > MAX_URI_BYTES {
            return Err(invalid);
        }
        let url = Url::parse(uri).map_err(|_| invalid.clone())?;
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err(invalid);
        }
        if crate::jwks::check_transport(&url, self.allow_http).is_err() {
            return Err(invalid);
        }
        let origin = url.origin();
        let allowed = if self.allowed.is_empty() {
            Url::parse(iss).is_ok_and(|issuer| issuer.origin() == origin)
        } else {
            self.allowed.contains(&origin)
        };
        if !allowed {
            tracing::debug!("token refused: its status list is not on an allowed origin");
            return Err(invalid);
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("an object"),
        }
    }

    #[test]
    fn references() {
        let ok =
            claims(json!({"status": {"status_list": {"idx": 7, "uri": "https://i.example/l/1"}}}));
        let r = read(&ok).unwrap().unwrap();
        assert_eq!((r.idx, r.uri), (7, "https://i.example/l/1"));
        assert!(read(&claims(json!({}))).unwrap().is_none());
        assert!(
            read(&claims(json!({"status": {"other": 1}})))
                .unwrap()
                .is_none()
        );
        for bad in [
            json!({"status": 1}),
            json!({"status": {"status_list": []}}),
            json!({"status": {"status_list": {"idx": -1, "uri": "https://i.example/"}}}),
            json!({"status": {"status_list": {"idx": 1.5, "uri": "https://i.example/"}}}),
            json!({"status": {"status_list": {"idx": "1", "uri": "https://i.example/"}}}),
            json!({"status": {"status_list": {"idx": 1}}}),
            json!({"status": {"status_list": {"idx": 1, "uri": 5}}}),
        ] {
            assert_eq!(
                read(&claims(bad.clone())).unwrap_err(),
                TokenError::InvalidClaim("status"),
                "{bad}"
            );
        }
    }

    #[test]
    fn lists_stay_on_allowed_origins() {
        let same = Origins::new(&[], false).unwrap();
        let iss = "https://issuer.example/realms/a";
        assert!(same.check("https://issuer.example/lists/1", iss).is_ok());
        assert!(
            same.check("https://issuer.example:443/lists/1", iss)
                .is_ok()
        );
        for bad in [
            "https://evil.example/lists/1",
            "https://issuer.example:8443/lists/1",
            "http://issuer.example/lists/1",
            "https://user:pw@issuer.example/lists/1",
            "https://issuer.example/lists/1#frag",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(same.check(bad, iss).is_err(), "{bad}");
        }
        let listed = Origins::new(&["https://status.example".into()], false).unwrap();
        assert!(listed.check("https://status.example/l", iss).is_ok());
        assert!(
            listed.check("https://issuer.example/l", iss).is_err(),
            "the list replaces the default"
        );
        assert!(Origins::new(&["https://status.example/path".into()], false).is_err());
        assert!(Origins::new(&["http://status.example".into()], false).is_err());
        assert!(Origins::new(&["http://status.example".into()], true).is_ok());
        let long = format!("https://issuer.example/{}", "a".repeat(MAX_URI_BYTES));
        assert!(same.check(&long, iss).is_err());
    }
}
