//! One HTTP fetch of a JWK Set (or an OpenID configuration): timeout, body cap,
//! limited redirects, `ETag` and `Cache-Control`.

use std::time::Duration;

use http::StatusCode;
use http::header::{ACCEPT, CACHE_CONTROL, CONTENT_LENGTH, ETAG, IF_NONE_MATCH};
use reqwest::Url;

use super::settings::JwksConfig;
use crate::config_error::ConfigError;

/// What a fetch brought back.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// `304 Not Modified`: the held set is still current.
    NotModified { max_age: Option<Duration> },
    /// A new body.
    Body {
        bytes: Vec<u8>,
        max_age: Option<Duration>,
        etag: Option<String>,
    },
}

/// Builds the HTTP client used by one key source: timeout, redirect policy, no cookies.
pub(crate) fn client(config: &JwksConfig) -> Result<reqwest::Client, ConfigError> {
    let max_redirects = config.max_redirects;
    let allow_http = config.allow_http;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max_redirects {
            attempt.error("too many redirects")
        } else if check_transport(attempt.url(), allow_http).is_err() {
            attempt.error("redirect to an insecure URL")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .redirect(policy)
        .user_agent(concat!("jwt-guard/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ConfigError::HttpClient(Box::new(e)))
}

/// HTTPS, or plain HTTP to a loopback address, or anything with the explicit opt-in.
pub(crate) fn check_transport(url: &Url, allow_http: bool) -> Result<(), ConfigError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(url) => Ok(()),
        "http" => Err(ConfigError::InsecureUrl {
            url: url.to_string(),
        }),
        other => Err(ConfigError::InvalidUrl {
            url: url.to_string(),
            reason: format!("unsupported scheme {other:?}"),
        }),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// GETs `url`, reading at most `config.max_body_bytes` of body.
pub(crate) async fn fetch(
    client: &reqwest::Client,
    url: &Url,
    etag: Option<&str>,
    config: &JwksConfig,
) -> Result<Fetched, String> {
    let mut request = client
        .get(url.clone())
        .header(ACCEPT, "application/jwk-set+json, application/json");
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    let mut response = request.send().await.map_err(describe)?;
    let status = response.status();
    let max_age = cache_max_age(response.headers());
    if status == StatusCode::NOT_MODIFIED && etag.is_some() {
        return Ok(Fetched::NotModified { max_age });
    }
    if !status.is_success() {
        return Err(format!("{url} answered HTTP {status}"));
    }
    let declared = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > config.max_body_bytes as u64) {
        return Err(format!(
            "{url}: body of {} bytes is over the {}-byte cap",
            declared.unwrap_or(0),
            config.max_body_bytes
        ));
    }
    let new_etag = response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut bytes =
        Vec::with_capacity(declared.unwrap_or(0).min(config.max_body_bytes as u64) as usize);
    while let Some(chunk) = response.chunk().await.map_err(describe)? {
        if bytes.len() + chunk.len() > config.max_body_bytes {
            return Err(format!(
                "{url}: body is over the {}-byte cap",
                config.max_body_bytes
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Fetched::Body {
        bytes,
        max_age,
        etag: new_etag,
    })
}

/// `max-age` from `Cache-Control`; `no-cache`/`no-store` count as zero (then clamped
/// up to the configured minimum by the caller).
pub(crate) fn cache_max_age(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(CACHE_CONTROL)?.to_str().ok()?;
    let mut result = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-cache" || lower == "no-store" {
            return Some(Duration::ZERO);
        }
        if let Some(secs) = lower.strip_prefix("max-age=") {
            result = secs
                .trim_matches('"')
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs);
        }
    }
    result
}

fn describe(err: reqwest::Error) -> String {
    let url = err.url().map(|u| u.to_string()).unwrap_or_default();
    let what = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "connection failed".to_owned()
    } else if err.is_redirect() {
        "redirect refused".to_owned()
    } else {
        let mut msg = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        msg
    };
    format!("{url} {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cc: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(CACHE_CONTROL, cc.parse().unwrap());
        h
    }

    #[test]
    fn cache_control() {
        assert_eq!(
            cache_max_age(&headers("public, max-age=300")),
            Some(Duration::from_secs(300))
        );
        assert_eq!(cache_max_age(&headers("no-store")), Some(Duration::ZERO));
        assert_eq!(cache_max_age(&headers("public")), None);
        assert_eq!(cache_max_age(&headers("max-age=abc")), None);
        assert_eq!(cache_max_age(&http::HeaderMap::new()), None);
    }

    #[test]
    fn transport_rules() {
        let ok = |u: &str| check_transport(&Url::parse(u).unwrap(), false).is_ok();
        assert!(ok("https://issuer.example/jwks"));
        assert!(ok("http://127.0.0.1:8080/jwks"));
        assert!(ok("http://127.1.2.3/jwks"));
        assert!(ok("http://[::1]:9/jwks"));
        assert!(ok("http://localhost:9/jwks"));
        assert!(!ok("http://issuer.example/jwks"));
        assert!(!ok("ftp://127.0.0.1/jwks"));
        assert!(check_transport(&Url::parse("http://issuer.example/").unwrap(), true).is_ok());
    }
}
