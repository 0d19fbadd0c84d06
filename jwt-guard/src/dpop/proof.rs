//! Checking one DPoP proof (RFC 9449 §4.3), pure: no clock, no store, no I/O. The caller
//! hands in the request's method and path, the accepted origins, the access token and
//! the time.

use std::sync::Arc;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::error::DpopError;
use super::nonce::Nonces;
use crate::algorithm::Algorithm;
use crate::error::TokenError;
use crate::json;
use crate::jwks::{KeyEntry, ParseOptions, entry_from_value};
use crate::verify::{self, Limits};

/// The JWK members that only a private key has (RFC 7518 §6): a proof carrying one is
/// refused, whatever its signature.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The longest `jti` accepted, in bytes.
const MAX_JTI_BYTES: usize = 256;

/// Size caps of a proof: its header holds the public key (an RSA-8192 JWK fits).
pub(crate) const PROOF_LIMITS: Limits = Limits {
    max_token_bytes: 8 * 1024,
    max_header_bytes: 2 * 1024 + 512,
    max_payload_bytes: 2 * 1024,
};

/// Proof keys parsed before, by the SHA-256 of their JWK as JSON (every member: `alg`,
/// `use` and `key_ops` restrict a key too): a client signs many proofs with one key.
pub(crate) type KeyCache = quick_cache::sync::Cache<[u8; 32], Arc<KeyEntry>>;

/// How many proof keys a strategy keeps parsed.
pub(crate) const KEY_CACHE_CAPACITY: usize = 10_000;

/// What a proof is checked against.
#[derive(Debug)]
pub(crate) struct Expected<'a> {
    /// The request method, as sent (`GET`).
    pub(crate) method: &'a str,
    /// The origins clients address, serialised as [`split_htu`] does: `htu` must name one.
    pub(crate) origins: &'a [String],
    /// The request target's path as the router sees it, normalised ([`request_path`]).
    pub(crate) path: &'a str,
    /// The access token of the `Authorization: DPoP` header.
    pub(crate) access_token: &'a str,
    /// Seconds since the Unix epoch.
    pub(crate) now: f64,
    /// How old `iat` may be, in seconds.
    pub(crate) max_age: f64,
    /// How far in the future `iat` may be, in seconds.
    pub(crate) leeway: f64,
    /// The proof algorithm allow-list (asymmetric only).
    pub(crate) algorithms: &'a [Algorithm],
    /// Server nonces, when the strategy requires them.
    pub(crate) nonces: Option<&'a Nonces>,
    /// Proof keys parsed before.
    pub(crate) keys: &'a KeyCache,
}

/// A proof that passed every check but the replay check.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The RFC 7638 thumbprint of the proof key.
    pub(crate) jkt: String,
    /// The proof's `jti`.
    pub(crate) jti: String,
}

/// Checks `proof` as RFC 9449 §4.3 says, in its order: one well-formed JWT, `typ`, `alg`,
/// `jwk` (public, and verifying the signature), then the claims `jti`, `htm`, `htu`, `iat`,
/// `ath` and, when required, `nonce`.
pub(crate) fn check(proof: &str, expected: &Expected<'_>) -> Result<Checked, DpopError> {
    let compact =
        verify::parse(proof, expected.algorithms, &PROOF_LIMITS).map_err(|e| match e {
            TokenError::TooLarge => DpopError::ProofTooLarge,
            TokenError::AlgorithmNotAllowed => DpopError::AlgorithmNotAllowed,
            _ => DpopError::MalformedProof,
        })?;
    let (header_b64, _) = proof.split_once('.').ok_or(DpopError::MalformedProof)?;
    let header = json_object(header_b64)?;
    if header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(DpopError::InvalidType);
    }
    let Some(Value::Object(jwk)) = header.get("jwk") else {
        return Err(DpopError::InvalidKey);
    };
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return Err(DpopError::InvalidKey);
    }
    let jkt = thumbprint(jwk).ok_or(DpopError::InvalidKey)?;
    let jwk = Value::Object(jwk.clone());
    let mut id = [0u8; 32];
    id.copy_from_slice(digest::digest(&digest::SHA256, jwk.to_string().as_bytes()).as_ref());
    let key = match expected.keys.get(&id) {
        Some(key) => key,
        None => {
            let options = ParseOptions {
                allow_symmetric: false,
                max_keys: 1,
            };
            let key = entry_from_value(&jwk, options).map_err(|reason| {
                tracing::debug!(%reason, "dpop proof key refused");
                DpopError::InvalidKey
            })?;
            let key = Arc::new(key);
            expected.keys.insert(id, Arc::clone(&key));
            key
        }
    };
    verify::verify_signature(&compact, &key).map_err(|e| match e {
        TokenError::UnknownKey => DpopError::InvalidKey,
        _ => DpopError::InvalidSignature,
    })?;
    let claims = json_object(compact.payload)?;

    let jti = match claims.get("jti") {
        Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= MAX_JTI_BYTES => jti.clone(),
        Some(_) => return Err(DpopError::InvalidClaim("jti")),
        None => return Err(DpopError::MissingClaim("jti")),
    };
    match claims.get("htm") {
        Some(Value::String(htm)) if htm == expected.method => {}
        Some(Value::String(_)) => return Err(DpopError::MethodMismatch),
        Some(_) => return Err(DpopError::InvalidClaim("htm")),
        None => return Err(DpopError::MissingClaim("htm")),
    }
    match claims.get("htu") {
        Some(Value::String(htu)) => match split_htu(htu) {
            Some((origin, path)) if path == expected.path && expected.origins.contains(&origin) => {
            }
            Some(_) => return Err(DpopError::UriMismatch),
            None => return Err(DpopError::InvalidClaim("htu")),
        },
        Some(_) => return Err(DpopError::InvalidClaim("htu")),
        None => return Err(DpopError::MissingClaim("htu")),
    }
    let iat = match claims.get("iat") {
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|t| t.is_finite() && *t >= 0.0 && *t <= verify::MAX_NUMERIC_DATE)
            .ok_or(DpopError::InvalidClaim("iat"))?,
        Some(_) => return Err(DpopError::InvalidClaim("iat")),
        None => return Err(DpopError::MissingClaim("iat")),
    };
    if expected.now - iat > expected.max_age {
        return Err(DpopError::Stale);
    }
    if iat - expected.now > expected.leeway {
        return Err(DpopError::IssuedInFuture);
    }
    match claims.get("ath") {
        Some(Value::String(ath)) if *ath == access_token_hash(expected.access_token) => {}
        Some(Value::String(_)) => return Err(DpopError::AccessTokenHashMismatch),
        Some(_) => return Err(DpopError::InvalidClaim("ath")),
        None => return Err(DpopError::MissingClaim("ath")),
    }
    if let Some(nonces) = expected.nonces {
        let fresh = claims
            .get("nonce")
            .and_then(Value::as_str)
            .is_some_and(|nonce| nonces.is_valid(nonce, expected.now));
        if !fresh {
            return Err(DpopError::UseNonce(nonces.current(expected.now)));
        }
    }
    Ok(Checked { jkt, jti })
}

/// A base64url segment holding a JSON object, read by the strict reader the verifier
/// uses (`json`): a repeated member name at any depth (two `x` in the `jwk`, a second
/// `htu`) is refused, never read last-wins.
fn json_object(segment: &str) -> Result<Map<String, Value>, DpopError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| DpopError::MalformedProof)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| DpopError::MalformedProof)?;
    json::parse_object(text).map_err(|_| DpopError::MalformedProof)
}

/// `ath`: base64url(SHA-256(access token)), RFC 9449 §4.2.
pub(crate) fn access_token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

/// The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key: the required members
/// of its `kty`, in lexicographic order, as compact JSON. `None` for a JWK that lacks one
/// of them or has a `kty` other than `EC`, `RSA` or `OKP`.
///
/// ```
/// // RFC 8037 §A.3: the Ed25519 key of Appendix A.2.
/// let jwk = serde_json::json!({
///     "kty": "OKP", "crv": "Ed25519",
///     "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
/// });
/// let serde_json::Value::Object(jwk) = jwk else { unreachable!() };
/// assert_eq!(
///     jwt_guard::dpop::jwk_thumbprint(&jwk).as_deref(),
///     Some("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"),
/// );
/// ```
pub fn jwk_thumbprint(jwk: &Map<String, Value>) -> Option<String> {
    thumbprint(jwk)
}

pub(crate) fn thumbprint(jwk: &Map<String, Value>) -> Option<String> {
    let members: &[&str] = match jwk.get("kty")?.as_str()? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "OKP" => &["crv", "kty", "x"],
        _ => return None,
    };
    let mut json = String::from("{");
    for (i, name) in members.iter().enumerate() {
        let value = jwk.get(*name)?.as_str()?;
        if i > 0 {
            json.push(',');
        }
        // Member names are fixed ASCII; values are escaped by serde_json.
        json.push('"');
        json.push_str(name);
        json.push_str("\":");
        json.push_str(&serde_json::to_string(value).ok()?);
    }
    json.push('}');
    Some(URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, json.as_bytes())))
}

/// An `htu` split into its origin and path, each normalised for comparison (RFC 9449
/// §4.3 point 9 with RFC 3986 §6.2.2.1 and §6.2.3): the origin with a lower-case scheme and
/// host and no default port (`https://api.example`), the path with upper-case hex in its
/// percent-encodings and `/` when empty; query and fragment dropped. `None` unless it is
/// an absolute http(s) URI with a host and no user information.
///
/// The path is otherwise kept as written, as the router reads it: dot segments are not
/// removed (`/files/../admin` is not `/admin`) and percent-encoded characters are not
/// decoded (`/%61dmin` is not `/admin`), so a proof names exactly one request target.
pub(crate) fn split_htu(htu: &str) -> Option<(String, String)> {
    let (scheme, rest) = htu.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = &rest[..path_end];
    if authority.is_empty() || authority.contains(['@', '\\']) || path.contains('\\') {
        return None;
    }
    let origin = url::Url::parse(&format!("{scheme}://{authority}/")).ok()?;
    if origin.host_str().is_none() || origin.path() != "/" || origin.query().is_some() {
        return None;
    }
    Some((origin.origin().ascii_serialization(), normalize_path(path)))
}

/// The request target's path, normalised as [`split_htu`] normalises an `htu`'s; `None`
/// when it has a dot segment (`.`, `..`, or either percent-encoded): routers and proxies
/// differ on those, so a proof is never checked against one.
pub(crate) fn request_path(path: &str) -> Option<String> {
    if has_dot_segment(path) {
        return None;
    }
    Some(normalize_path(path))
}

/// True when a segment of `path` is `.` or `..`, `%2e` standing for `.`.
fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    })
}

/// `path` with upper-case percent-encodings, `/` when empty.
fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    normalize_percent(path)
}

/// Upper-case hex in percent-encodings (RFC 3986 §6.2.2.1); nothing decoded.
fn normalize_percent(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1), bytes.get(i + 2))
            && h.is_ascii_hexdigit()
            && l.is_ascii_hexdigit()
        {
            out.push('%');
            out.push(char::from(h.to_ascii_uppercase()));
            out.push(char::from(l.to_ascii_uppercase()));
            i += 3;
            continue;
        }
        // Any other character, copied whole (an `htu` may hold non-ASCII text).
        let len = path[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&path[i..i + len]);
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_of_rfc_7638_example() {
        // RFC 7638 §3.1.
        let jwk = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let Value::Object(jwk) = jwk else {
            unreachable!()
        };
        assert_eq!(
            thumbprint(&jwk).as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
        let mut no_e = jwk.clone();
        no_e.remove("e");
        assert_eq!(thumbprint(&no_e), None);
    }

    #[test]
    fn proof_json_refuses_repeated_names_at_any_depth() {
        let segment = |json: &str| URL_SAFE_NO_PAD.encode(json);
        for json in [
            r#"{"typ":"dpop+jwt","typ":"dpop+jwt"}"#,
            r#"{"jwk":{"kty":"EC","x":"a","x":"b"}}"#,
            r#"{"jwk":{"kty":"EC","\u0078":"a","x":"b"}}"#,
            r#"{"htu":"https://a/x","jti":"1","h\u0074u":"https://b/y"}"#,
        ] {
            assert!(
                matches!(json_object(&segment(json)), Err(DpopError::MalformedProof)),
                "{json}"
            );
        }
        let map = json_object(&segment(r#"{"jwk":{"x":"a"},"a":[{"x":1},{"x":2}]}"#)).unwrap();
        assert_eq!(map.len(), 2);
        assert!(matches!(
            json_object(&URL_SAFE_NO_PAD.encode(b"{\"a\":\"\xff\"}")),
            Err(DpopError::MalformedProof)
        ));
    }

    #[test]
    fn htu_normalisation() {
        let n = |s| split_htu(s).map(|(origin, path)| format!("{origin}{path}"));
        assert_eq!(
            n("HTTPS://Api.Example.COM:443/a/b?x=1#f").as_deref(),
            Some("https://api.example.com/a/b")
        );
        assert_eq!(n("http://h:80").as_deref(), Some("http://h/"));
        assert_eq!(n("http://h?q").as_deref(), Some("http://h/"));
        assert_eq!(n("http://h:8080/x").as_deref(), Some("http://h:8080/x"));
        // Percent-encodings: case only, nothing decoded.
        assert_eq!(
            n("http://h/%7euser/%2f%41").as_deref(),
            Some("http://h/%7Euser/%2F%41")
        );
        // Dot segments are kept: the router does not remove them either.
        assert_eq!(
            n("http://h/files/../admin").as_deref(),
            Some("http://h/files/../admin")
        );
        assert_eq!(
            n("http://h/caf\u{e9}").as_deref(),
            Some("http://h/caf\u{e9}")
        );
        assert_eq!(n("ftp://h/x"), None);
        assert_eq!(n("/relative"), None);
        assert_eq!(n("https://user:pw@h/x"), None);
        assert_eq!(n(r"https://h\evil/x"), None);
        assert_eq!(n("https:///x"), None);
        assert_ne!(n("https://h/x"), n("http://h/x"));
    }

    #[test]
    fn request_paths_with_dot_segments_are_refused() {
        assert_eq!(request_path("/a/%2fb").as_deref(), Some("/a/%2Fb"));
        assert_eq!(request_path("").as_deref(), Some("/"));
        assert_eq!(request_path("/a/.b/..c/").as_deref(), Some("/a/.b/..c/"));
        for dotted in [
            "/files/../admin",
            "/files/./admin",
            "/files/%2e%2E/admin",
            "/files/.%2e/admin",
            "/files/%2E",
            "/..",
            "/a/.",
        ] {
            assert_eq!(request_path(dotted), None, "{dotted}");
        }
    }

    #[test]
    fn ath_is_sha256_base64url() {
        // RFC 9449 §7.1's example: the hash of "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".
        assert_eq!(
            access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }
}
