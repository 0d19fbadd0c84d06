//! Where a strategy reads its token: [`TokenSource`], a value of the base layer (the
//! error table names it); `extract` reads requests with it.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Where a strategy reads its token: the `Authorization` header (the default), a named
/// header, or a named cookie. Set with
/// [`JwtStrategyBuilder::token_source`](crate::JwtStrategyBuilder::token_source), or
/// `token_source = "…"` in a configuration file (the [`FromStr`] forms:
/// `authorization`, `header:X-Access-Token`, `cookie:__Host-access_token`).
///
/// - **`Authorization`**: `Authorization: Bearer <token>`, LoopBack's messages when it is
///   missing or malformed.
/// - **A named header** (`X-Access-Token: <token>`): the value is the token itself; one
///   leading `Bearer ` (any case, one space) is taken off when a client or gateway adds
///   it. Several values of the header are refused (400).
/// - **A named cookie** (`Cookie: __Host-access_token=<token>`): the cookie-string of
///   RFC 6265 §4.2.1 (pairs separated by `;` and a space), the name compared exactly; a
///   cookie sent twice under the name (cookie tossing by a sibling domain) is refused
///   (400). A cookie is sent by the browser on its own: protect state-changing requests
///   against CSRF (`SameSite=Strict` or `Lax` on the cookie, and a `__Host-` name, which
///   the browser accepts only from this host over HTTPS, with `Path=/` and no `Domain`).
///
/// Whatever the source, the `access_token` query parameter and the form body are never
/// read (OAuth 2.1 §5.1), and a request that carries a token in more than one place —
/// the configured header or cookie beside an `Authorization: Bearer`/`DPoP` header, or
/// any source beside an `access_token` query parameter — is refused with 400
/// `error="invalid_request"` (RFC 6750 §2). A token in the query alone is ignored: the
/// request has no credentials.
///
/// A missing named header or cookie is a missing credential, like a missing
/// `Authorization` header (401, a challenge without error code, so that the next
/// strategy of `#[authenticate("a", "b")]` is tried), with a message naming the source.
///
/// ```
/// use jwt_guard::TokenSource;
///
/// assert_eq!(TokenSource::default(), TokenSource::authorization());
/// let cookie: TokenSource = "cookie:__Host-access_token".parse().unwrap();
/// assert_eq!(cookie, TokenSource::cookie("__Host-access_token"));
/// assert_eq!(cookie.to_string(), "__Host-access_token cookie");
/// assert_eq!(TokenSource::header("X-Access-Token").to_string(), "X-Access-Token header");
/// assert!("query:access_token".parse::<TokenSource>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct TokenSource(pub(crate) Source);

/// The kinds of source, read by `extract`.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub(crate) enum Source {
    #[default]
    Authorization,
    Header(Arc<str>),
    Cookie(Arc<str>),
}

impl TokenSource {
    /// `Authorization: Bearer <token>`: the default.
    pub fn authorization() -> Self {
        Self(Source::Authorization)
    }

    /// The header `name` (case-insensitive), whose value is the token. Checked by
    /// [`build`](crate::JwtStrategyBuilder::build): a valid header name, not
    /// `Authorization` (that is [`authorization`](Self::authorization)), `Cookie` or
    /// `DPoP`.
    pub fn header(name: impl AsRef<str>) -> Self {
        Self(Source::Header(name.as_ref().into()))
    }

    /// The cookie `name` (case-sensitive), whose value is the token. Checked by
    /// [`build`](crate::JwtStrategyBuilder::build): an RFC 6265 cookie name (an RFC 9110
    /// token). Prefer a `__Host-` name, set `SameSite=Strict` or `Lax`, and guard
    /// state-changing requests against CSRF.
    pub fn cookie(name: impl AsRef<str>) -> Self {
        Self(Source::Cookie(name.as_ref().into()))
    }

    /// True for the `Authorization` header.
    pub fn is_authorization(&self) -> bool {
        matches!(self.0, Source::Authorization)
    }

    /// The header name as given, for a named header.
    pub fn header_name(&self) -> Option<&str> {
        match &self.0 {
            Source::Header(name) => Some(name),
            _ => None,
        }
    }

    /// The cookie name, for a named cookie.
    pub fn cookie_name(&self) -> Option<&str> {
        match &self.0 {
            Source::Cookie(name) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for TokenSource {
    /// `Authorization header`, `X-Access-Token header`, `__Host-at cookie`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Authorization => f.write_str("Authorization header"),
            Source::Header(name) => write!(f, "{name} header"),
            Source::Cookie(name) => write!(f, "{name} cookie"),
        }
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Authorization => f.write_str("authorization"),
            Source::Header(name) => write!(f, "header:{name}"),
            Source::Cookie(name) => write!(f, "cookie:{name}"),
        }
    }
}

/// The error of parsing a [`TokenSource`] that is none of its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTokenSource(());

impl fmt::Display for InvalidTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "expected \"authorization\", \"header:NAME\" or \"cookie:NAME\" (the query and \
             the form body are never read)",
        )
    }
}

impl std::error::Error for InvalidTokenSource {}

impl FromStr for TokenSource {
    type Err = InvalidTokenSource;

    /// `authorization`, `header:NAME` or `cookie:NAME` (the name is checked by `build`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once(':') {
            None if text.eq_ignore_ascii_case("authorization") => Ok(Self::authorization()),
            Some(("header", name)) if !name.is_empty() => Ok(Self::header(name)),
            Some(("cookie", name)) if !name.is_empty() => Ok(Self::cookie(name)),
            _ => Err(InvalidTokenSource(())),
        }
    }
}

impl<'de> serde::Deserialize<'de> for TokenSource {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
