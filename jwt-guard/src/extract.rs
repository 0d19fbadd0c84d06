//! Reading the bearer token from request headers: the `Authorization` header (the
//! default), a named header or a named cookie ([`TokenSource`]). Framework-free:
//! `http::HeaderMap` (and the request URI, to notice a token in the query) only.
//!
//! LoopBack's three messages are kept word for word. One deliberate difference: the
//! scheme name is matched case-insensitively (`bearer x` is accepted), as RFC 9110 §11.1
//! requires; LoopBack's strategy accepted only `Bearer `.
//!
//! The `access_token` query parameter and the form body are never read (OAuth 2.1 §5.1:
//! a token in a URL ends up in logs and `Referer` headers). A request that carries a
//! token in two places (RFC 6750 §2: "MUST NOT use more than one method") is refused
//! with 400 `invalid_request`.

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};

use crate::error::{Error, ErrorKind, TokenError};
use crate::token_source::Source;
use crate::token_source::TokenSource;

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
    Ok(Candidate {
        value: Some(value),
        token,
    })
}

/// See [`bearer_candidate`] and [`Reader::candidate`].
pub(crate) struct Candidate<'h> {
    /// The `Authorization` header, whose refusals have LoopBack's messages; `None` for a
    /// token from a named header or cookie.
    value: Option<&'h HeaderValue>,
    /// After `Bearer ` (any case), when the value starts with it; a named header's or
    /// cookie's token.
    token: Option<&'h [u8]>,
}

impl<'h> Candidate<'h> {
    /// The bytes after `Bearer `, unchecked.
    pub(crate) fn unchecked(&self) -> Option<&'h [u8]> {
        self.token
    }

    /// The token, or the refusal [`bearer_token`] documents (for a named header or
    /// cookie: [`TokenError::Malformed`]).
    pub(crate) fn check(self) -> Result<&'h str, Error> {
        if let Some(token) = self.token
            && !token.is_empty()
            && token.iter().fold(true, |ok, b| ok & b.is_ascii_graphic())
        {
            return std::str::from_utf8(token).map_err(|_| ErrorKind::InvalidHeaderEncoding.into());
        }
        match self.value {
            Some(value) => refusal(value),
            None => Err(TokenError::Malformed.into()),
        }
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

/// A strategy's [`TokenSource`], its name parsed once at build time: what the request
/// path matches on.
#[derive(Debug)]
pub(crate) struct Reader {
    kind: ReaderKind,
    source: TokenSource,
}

#[derive(Debug)]
enum ReaderKind {
    Authorization,
    Header(HeaderName),
    Cookie(Box<[u8]>),
}

impl Reader {
    /// The reader of `source`, its name checked: once, when the strategy is built.
    pub(crate) fn new(source: &TokenSource) -> Result<Self, String> {
        let kind = match &source.0 {
            Source::Authorization => ReaderKind::Authorization,
            Source::Header(name) => {
                let header = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("{name:?} is not a header name"))?;
                if header == AUTHORIZATION {
                    return Err(
                        "the Authorization header is `TokenSource::authorization()` \
                                (the default)"
                            .into(),
                    );
                }
                if header == COOKIE || header.as_str() == "dpop" {
                    return Err(format!("the {name} header cannot hold the token"));
                }
                ReaderKind::Header(header)
            }
            Source::Cookie(name) => {
                if name.is_empty() || !name.bytes().all(is_tchar) {
                    return Err(format!(
                        "{name:?} is not a cookie name (RFC 6265: letters, digits and \
                         !#$%&'*+-.^_`|~)"
                    ));
                }
                ReaderKind::Cookie(name.as_bytes().into())
            }
        };
        Ok(Reader {
            kind,
            source: source.clone(),
        })
    }

    /// The source, for audits and messages.
    pub(crate) fn source(&self) -> &TokenSource {
        &self.source
    }

    /// The token of the request as this source finds it, unchecked (see [`Candidate`]),
    /// or why there is none: missing (a missing credential), in two places (400), over
    /// `max_bytes`. `uri`, when known, is looked at for an `access_token` query
    /// parameter beside the token.
    pub(crate) fn candidate<'h>(
        &self,
        headers: &'h HeaderMap,
        uri: Option<&Uri>,
        max_bytes: usize,
    ) -> Result<Candidate<'h>, Error> {
        let token = match &self.kind {
            ReaderKind::Authorization => {
                let candidate = bearer_candidate(headers, max_bytes)?;
                if query_has_token(uri) {
                    return Err(ErrorKind::MultipleCredentials.into());
                }
                return Ok(candidate);
            }
            ReaderKind::Header(name) => {
                let mut values = headers.get_all(name).iter();
                let Some(value) = values.next() else {
                    return Err(self.missing());
                };
                if values.next().is_some() {
                    return Err(ErrorKind::MultipleCredentials.into());
                }
                let bytes = value.as_bytes();
                match bytes.get(..7) {
                    Some(scheme)
                        if scheme[..6].eq_ignore_ascii_case(b"bearer") && scheme[6] == b' ' =>
                    {
                        &bytes[7..]
                    }
                    _ => bytes,
                }
            }
            ReaderKind::Cookie(name) => match cookie(headers, name) {
                Cookie::Missing => return Err(self.missing()),
                Cookie::Repeated => return Err(ErrorKind::MultipleCredentials.into()),
                Cookie::Found(value) => value,
            },
        };
        if authorization_credential(headers) || query_has_token(uri) {
            return Err(ErrorKind::MultipleCredentials.into());
        }
        if token.len() > max_bytes {
            return Err(TokenError::TooLarge.into());
        }
        Ok(Candidate {
            value: None,
            token: Some(token),
        })
    }

    fn missing(&self) -> Error {
        ErrorKind::MissingToken {
            source: self.source.clone(),
        }
        .into()
    }
}

/// True when an `Authorization` header carries a token (the `Bearer` or `DPoP` scheme,
/// any case); another scheme (`Basic` for a proxy) is not a token.
fn authorization_credential(headers: &HeaderMap) -> bool {
    headers.get_all(AUTHORIZATION).iter().any(|value| {
        let bytes = value.as_bytes();
        let scheme = |name: &[u8]| {
            bytes.len() > name.len()
                && bytes[..name.len()].eq_ignore_ascii_case(name)
                && bytes[name.len()] == b' '
        };
        scheme(b"bearer") || scheme(b"dpop")
    })
}

/// True when the query names an `access_token` parameter (RFC 6750 §2.3), its name
/// percent-decoded: never read, but a token beside another is two methods at once.
pub(crate) fn query_has_token(uri: Option<&Uri>) -> bool {
    const NAME: &[u8] = b"access_token";
    let Some(query) = uri.and_then(Uri::query) else {
        return false;
    };
    query.split('&').any(|pair| {
        let name = pair
            .split_once('=')
            .map_or(pair, |(name, _)| name)
            .as_bytes();
        name == NAME || (name.contains(&b'%') && percent_decodes_to(name, NAME))
    })
}

/// True when `encoded`, percent-decoded (`%XX`, any case), is exactly `want`.
fn percent_decodes_to(encoded: &[u8], want: &[u8]) -> bool {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut i = 0;
    let mut decoded = want.iter();
    while i < encoded.len() {
        let byte = if encoded[i] == b'%' {
            let pair = (encoded.get(i + 1), encoded.get(i + 2));
            let (Some(&hi), Some(&lo)) = pair else {
                return false;
            };
            let (Some(hi), Some(lo)) = (hex(hi), hex(lo)) else {
                return false;
            };
            i += 3;
            // Two hex digits: at most 255.
            u8::try_from(hi * 16 + lo).unwrap_or(0)
        } else {
            i += 1;
            encoded[i - 1]
        };
        if decoded.next() != Some(&byte) {
            return false;
        }
    }
    decoded.next().is_none()
}

enum Cookie<'h> {
    Missing,
    Repeated,
    Found(&'h [u8]),
}

/// The value of the cookie `name` in the request's `Cookie` headers (HTTP/2 may split
/// them in several), read as RFC 6265 §4.2.1's `cookie-string`: `name=value` pairs
/// separated by `;` and a space; a pair without `=` is skipped. The value of a quoted
/// cookie (`"…"`) is what is inside the quotes.
fn cookie<'h>(headers: &'h HeaderMap, name: &[u8]) -> Cookie<'h> {
    let mut found = None;
    for header in headers.get_all(COOKIE) {
        let mut rest = header.as_bytes();
        loop {
            // memchr: the token is most of the bytes, and a cache hit reads nothing else.
            let end = memchr::memchr(b';', rest).unwrap_or(rest.len());
            let pair = &rest[..end];
            let pair = pair.strip_prefix(b" ").unwrap_or(pair);
            if let Some(value) = pair
                .strip_prefix(name)
                .and_then(|after| after.strip_prefix(b"="))
            {
                if found.is_some() {
                    return Cookie::Repeated;
                }
                found = Some(match value {
                    [b'"', inner @ .., b'"'] => inner,
                    _ => value,
                });
            }
            match rest.get(end + 1..) {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    found.map_or(Cookie::Missing, Cookie::Found)
}

/// An RFC 9110 `tchar`: what a cookie name (a `token`) is made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
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

#[cfg(test)]
mod source_tests {
    use super::*;

    fn read(source: &TokenSource, pairs: &[(&str, &[u8])], uri: Option<&str>) -> String {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        let uri: Option<Uri> = uri.map(|u| u.parse().unwrap());
        let reader = Reader::new(source).unwrap();
        match reader
            .candidate(&headers, uri.as_ref(), 64)
            .and_then(Candidate::check)
        {
            Ok(token) => format!("ok {token}"),
            Err(e) => format!("{:?} {}", e.kind(), e.status().as_u16()),
        }
    }

    #[test]
    fn the_authorization_header_keeps_its_rules_and_refuses_a_query_token_beside_it() {
        let auth = TokenSource::authorization();
        assert_eq!(read(&auth, &[("authorization", b"Bearer t")], None), "ok t");
        assert_eq!(read(&auth, &[], None), "MissingAuthorization 401");
        assert_eq!(
            read(&auth, &[("authorization", b"Basic x")], None),
            "NotBearer 401"
        );
        // A query token alone is not read: no credentials.
        let query = Some("/a?access_token=t");
        assert_eq!(read(&auth, &[], query), "MissingAuthorization 401");
        // Beside a header: two methods.
        let two = "MultipleCredentials 400";
        let bearer: &[(&str, &[u8])] = &[("authorization", b"Bearer t")];
        assert_eq!(read(&auth, bearer, query), two);
        for uri in [
            "/a?x=1&access_token=t",
            "/a?access_token",
            "/a?access%5Ftoken=t",
            "/a?%61ccess_token=t",
            "/a?y=2&access%5ftoken=t",
        ] {
            assert_eq!(read(&auth, bearer, Some(uri)), two, "{uri}");
        }
        for uri in [
            "/a?access_tokens=t",
            "/a?x=access_token",
            "/a?my_access_token=t",
            "/a?access%5",
            "/a?access%ZZtoken=t",
            "/access_token",
        ] {
            assert_eq!(read(&auth, bearer, Some(uri)), "ok t", "{uri}");
        }
    }

    #[test]
    fn a_named_header_holds_the_bare_token_or_a_bearer_one() {
        let source = TokenSource::header("X-Access-Token");
        let h = |v: &'static [u8]| [("x-access-token", v)];
        assert_eq!(read(&source, &h(b"a.b.c"), None), "ok a.b.c");
        assert_eq!(read(&source, &h(b"Bearer a.b.c"), None), "ok a.b.c");
        assert_eq!(read(&source, &h(b"bearer a.b.c"), None), "ok a.b.c");
        let missing = read(&source, &[], None);
        assert!(missing.starts_with("MissingToken"), "{missing}");
        assert!(missing.ends_with("401"));
        // An Authorization bearer alone is not this strategy's token.
        let other = read(&source, &[("authorization", b"Bearer t")], None);
        assert!(other.starts_with("MissingToken"), "{other}");
        for bad in [&b"a b"[..], b"Bearer ", b"", b"Bearer  a"] {
            assert_eq!(
                read(&source, &[("x-access-token", bad)], None),
                "InvalidToken(Malformed) 401",
                "{bad:?}"
            );
        }
        assert_eq!(
            read(&source, &h(&[b'a'; 65]), None),
            "InvalidToken(TooLarge) 401"
        );
        let two = "MultipleCredentials 400";
        let repeated = [("x-access-token", &b"a"[..]), ("x-access-token", b"b")];
        assert_eq!(read(&source, &repeated, None), two);
        for auth in [&b"Bearer t"[..], b"DPoP t", b"dpop t", b"BEARER t"] {
            let both = [("x-access-token", &b"a"[..]), ("authorization", auth)];
            assert_eq!(read(&source, &both, None), two, "{auth:?}");
        }
        // Another scheme (a proxy's Basic) is no token.
        let basic = [
            ("x-access-token", &b"a"[..]),
            ("authorization", b"Basic eA=="),
        ];
        assert_eq!(read(&source, &basic, None), "ok a");
        assert_eq!(read(&source, &h(b"a"), Some("/?access_token=b")), two);
    }

    #[test]
    fn a_named_cookie_is_read_from_the_cookie_string() {
        let source = TokenSource::cookie("__Host-at");
        let c = |v: &'static [u8]| [("cookie", v)];
        assert_eq!(read(&source, &c(b"__Host-at=a.b.c"), None), "ok a.b.c");
        assert_eq!(
            read(&source, &c(b"theme=dark; __Host-at=a.b.c; lang=en"), None),
            "ok a.b.c"
        );
        assert_eq!(read(&source, &c(b"__Host-at=\"a.b.c\""), None), "ok a.b.c");
        // HTTP/2 may split the cookies over several headers.
        let split = [("cookie", &b"theme=dark"[..]), ("cookie", b"__Host-at=t")];
        assert_eq!(read(&source, &split, None), "ok t");
        for absent in [
            &b"theme=dark"[..],
            b"__host-at=t",
            b"x__Host-at=t",
            b"__Host-at",
            b"__Host-at =t",
        ] {
            let answer = read(&source, &c(absent), None);
            assert!(answer.starts_with("MissingToken"), "{absent:?}: {answer}");
        }
        let two = "MultipleCredentials 400";
        assert_eq!(read(&source, &c(b"__Host-at=a; __Host-at=b"), None), two);
        let split_twice = [("cookie", &b"__Host-at=a"[..]), ("cookie", b"__Host-at=b")];
        assert_eq!(read(&source, &split_twice, None), two);
        let both = [
            ("cookie", &b"__Host-at=a"[..]),
            ("authorization", b"Bearer b"),
        ];
        assert_eq!(read(&source, &both, None), two);
        assert_eq!(
            read(&source, &c(b"__Host-at=a"), Some("/x?access_token=b")),
            two
        );
        assert_eq!(
            read(&source, &c(b"__Host-at=a b"), None),
            "InvalidToken(Malformed) 401"
        );
        assert_eq!(
            read(&source, &c(b"__Host-at="), None),
            "InvalidToken(Malformed) 401"
        );
    }

    #[test]
    fn source_names_are_checked_when_the_strategy_is_built() {
        for bad in [
            TokenSource::header("X Token"),
            TokenSource::header(""),
            TokenSource::header("Authorization"),
            TokenSource::header("cookie"),
            TokenSource::header("DPoP"),
            TokenSource::cookie(""),
            TokenSource::cookie("a=b"),
            TokenSource::cookie("a;b"),
            TokenSource::cookie("a b"),
            TokenSource::cookie("é"),
        ] {
            assert!(Reader::new(&bad).is_err(), "{bad:?}");
        }
        for good in [
            TokenSource::header("X-Access-Token"),
            TokenSource::cookie("__Host-access_token"),
            TokenSource::authorization(),
        ] {
            assert!(Reader::new(&good).is_ok(), "{good:?}");
        }
        assert_eq!(
            "header:X-Access-Token".parse::<TokenSource>(),
            Ok(TokenSource::header("X-Access-Token"))
        );
        assert_eq!(
            "Authorization".parse::<TokenSource>(),
            Ok(TokenSource::authorization())
        );
        for bad in ["", "query:access_token", "header:", "cookie", "body:x"] {
            assert!(bad.parse::<TokenSource>().is_err(), "{bad:?}");
        }
    }
}
