//! Reading the bearer token from request headers. Framework-free: `http::HeaderMap` only.
//!
//! LoopBack's three messages are kept word for word. One deliberate difference: the
//! scheme name is matched case-insensitively (`bearer x` is accepted), as RFC 9110 §11.1
//! requires; LoopBack's strategy accepted only `Bearer `.

use http::HeaderMap;
use http::header::AUTHORIZATION;

use crate::error::{Error, ErrorKind};

/// The default cap on the `Authorization` header's size: 16 KiB, Node's default header
/// limit (Entra ID and Keycloak tokens with group or role lists often pass 8 KiB).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;

/// Returns the bearer token of the request's `Authorization` header.
///
/// Fails with
/// - [`ErrorKind::MissingAuthorization`] when there is no such header,
/// - [`ErrorKind::DuplicateAuthorization`] when there are several,
/// - [`ErrorKind::HeaderTooLarge`] when the value is over `max_bytes` (checked first,
///   before anything else is read),
/// - [`ErrorKind::InvalidHeaderEncoding`] for bytes that are not visible ASCII or space,
/// - [`ErrorKind::NotBearer`] when the scheme is not `Bearer` (any case),
/// - [`ErrorKind::TooManyParts`] when anything but exactly one token follows the scheme.
///
/// ```
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "Bearer abc.def.ghi".parse().unwrap());
/// assert_eq!(jwt_guard::low_level::bearer_token(&headers, 8192).unwrap(), "abc.def.ghi");
/// ```
pub fn bearer_token(headers: &HeaderMap, max_bytes: usize) -> Result<&str, Error> {
    bearer_candidate(headers, max_bytes)?.check()
}

/// The `Authorization` header's one value, within the size cap, and what follows
/// `Bearer ` in it — its characters not checked yet. [`Candidate::check`] finishes
/// [`bearer_token`]'s work; in between, a verified-token cache may look the bytes up:
/// bytes equal to a token it holds are a token that passed the check when it was
/// verified, so a hit skips the pass over the characters.
pub(crate) fn bearer_candidate(
    headers: &HeaderMap,
    max_bytes: usize,
) -> Result<Candidate<'_>, Error> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(ErrorKind::MissingAuthorization.into());
    };
    if values.next().is_some() {
        return Err(ErrorKind::DuplicateAuthorization.into());
    }
    let bytes = value.as_bytes();
    if bytes.len() > max_bytes {
        return Err(ErrorKind::HeaderTooLarge { limit: max_bytes }.into());
    }
    let token = bytes
        .get(..7)
        .filter(|scheme| scheme[..6].eq_ignore_ascii_case(b"bearer") && scheme[6] == b' ')
        .map(|_| &bytes[7..]);
    Ok(Candidate { value, token })
}

/// See [`bearer_candidate`].
pub(crate) struct Candidate<'h> {
    value: &'h http::HeaderValue,
    /// After `Bearer ` (any case), when the value starts with it.
    token: Option<&'h [u8]>,
}

impl<'h> Candidate<'h> {
    /// The bytes after `Bearer `, unchecked.
    pub(crate) fn unchecked(&self) -> Option<&'h [u8]> {
        self.token
    }

    /// The token, or the refusal [`bearer_token`] documents.
    pub(crate) fn check(self) -> Result<&'h str, Error> {
        if let Some(token) = self.token
            && !token.is_empty()
            && token.iter().fold(true, |ok, b| ok & b.is_ascii_graphic())
        {
            return std::str::from_utf8(token).map_err(|_| ErrorKind::InvalidHeaderEncoding.into());
        }
        refusal(self.value)
    }
}

/// False when the request's one `Authorization` value is `Bearer` or `DPoP` (any case)
/// with a single token that is not shaped as a compact JWS (three base64url segments):
/// in a chain of strategies, a JWT strategy leaves such a token to the next one (an
/// opaque token for introspection). True in every other case, so that the strategy
/// itself answers (and refuses what it must: no header, two headers, garbage in a
/// lone strategy).
pub(crate) fn may_be_jws(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return true;
    };
    let Some((scheme, token)) = value.to_str().ok().and_then(|v| v.split_once(' ')) else {
        return true;
    };
    if !(scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("dpop"))
        || token.is_empty()
        || token.contains(' ')
    {
        return true;
    }
    let base64url = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    let mut segments = 0;
    for segment in token.split('.') {
        segments += 1;
        if segments > 3 || !segment.as_bytes().iter().all(base64url) {
            return false;
        }
    }
    segments == 3
}

fn refusal(value: &http::HeaderValue) -> Result<&str, Error> {
    let bytes = value.as_bytes();
    // Visible ASCII and spaces only; `to_str` also refuses obs-text, so this never panics.
    if bytes.iter().any(|&b| !(b == b' ' || b.is_ascii_graphic())) {
        return Err(ErrorKind::InvalidHeaderEncoding.into());
    }
    let value = value
        .to_str()
        .map_err(|_| Error::new(ErrorKind::InvalidHeaderEncoding))?;
    parse_bearer(value)
}

/// Parses an `Authorization` value (already checked to be visible ASCII).
fn parse_bearer(value: &str) -> Result<&str, Error> {
    const SCHEME: &str = "bearer";
    let is_bearer = value.len() > SCHEME.len()
        && value.as_bytes()[..SCHEME.len()].eq_ignore_ascii_case(SCHEME.as_bytes())
        && value.as_bytes()[SCHEME.len()] == b' ';
    if !is_bearer {
        return Err(ErrorKind::NotBearer.into());
    }
    // As LoopBack's strategy: the value split on single spaces must give exactly two parts.
    let token = &value[SCHEME.len() + 1..];
    if token.is_empty() || token.contains(' ') {
        return Err(ErrorKind::TooManyParts.into());
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(AUTHORIZATION, http::HeaderValue::from_bytes(v).unwrap());
        }
        map
    }

    fn kind(values: &[&[u8]]) -> String {
        match bearer_token(&headers(values), 64) {
            Ok(token) => format!("ok {token}"),
            Err(e) => format!("{:?}", e.kind()),
        }
    }

    #[test]
    fn loopback_cases() {
        assert_eq!(kind(&[]), "MissingAuthorization");
        assert_eq!(kind(&[b"Basic abc"]), "NotBearer");
        assert_eq!(kind(&[b"Bearer"]), "NotBearer");
        assert_eq!(kind(&[b"Bearerabc"]), "NotBearer");
        assert_eq!(kind(&[b"Bearer a b"]), "TooManyParts");
        assert_eq!(kind(&[b"Bearer a "]), "TooManyParts");
        assert_eq!(kind(&[b"Bearer  a"]), "TooManyParts");
        assert_eq!(kind(&[b"Bearer "]), "TooManyParts");
        assert_eq!(kind(&[b"Bearer a.b.c"]), "ok a.b.c");
    }

    #[test]
    fn jws_shape() {
        let shaped = |value: &[u8]| may_be_jws(&headers(&[value]));
        assert!(shaped(b"Bearer aaa.bbb.ccc"));
        assert!(
            shaped(b"DPoP aaa.bbb."),
            "a JWS with an empty segment is still one"
        );
        assert!(!shaped(b"Bearer opaque-token_123"), "no dots: opaque");
        assert!(
            !shaped(b"bearer a.b.c.d.e"),
            "five parts (a JWE) is not a JWS"
        );
        assert!(!shaped(b"Bearer a.b"));
        assert!(!shaped(b"Bearer a+b.c/d.e="), "not base64url");
        // Left to the strategy itself: its own refusal.
        assert!(shaped(b"Basic abc"));
        assert!(shaped(b"Bearer "));
        assert!(shaped(b"Bearer a b"));
        assert!(may_be_jws(&HeaderMap::new()));
        assert!(may_be_jws(&headers(&[b"Bearer x", b"Bearer y"])));
    }

    #[test]
    fn scheme_is_case_insensitive() {
        assert_eq!(kind(&[b"bearer t"]), "ok t");
        assert_eq!(kind(&[b"BEARER t"]), "ok t");
    }

    #[test]
    fn hostile_values() {
        assert_eq!(kind(&[b"Bearer a", b"Bearer b"]), "DuplicateAuthorization");
        assert_eq!(kind(&[&[b'a'; 65]]), "HeaderTooLarge { limit: 64 }");
        assert_eq!(kind(&[b"Bearer \xff\xfe"]), "InvalidHeaderEncoding");
        assert_eq!(kind(&[b"Bearer a\tb"]), "InvalidHeaderEncoding");
        assert_eq!(kind(&[b"Bearer \x80abc"]), "InvalidHeaderEncoding");
        assert_eq!(kind(&[b"\xc3\xa9 abc"]), "InvalidHeaderEncoding");
    }

    #[test]
    fn size_cap_comes_first_and_is_inclusive() {
        // At the cap: read. One over: refused before the bytes are even looked at.
        let at_cap = format!("Bearer {}", "a".repeat(64 - 7));
        assert_eq!(kind(&[at_cap.as_bytes()]), format!("ok {}", &at_cap[7..]));
        let mut over = vec![0xff; 65];
        over[..7].copy_from_slice(b"Bearer ");
        assert_eq!(kind(&[&over]), "HeaderTooLarge { limit: 64 }");
        // A token of dots is a token to this layer; the verifier refuses it.
        assert_eq!(kind(&[b"Bearer ........"]), "ok ........");
    }
}
