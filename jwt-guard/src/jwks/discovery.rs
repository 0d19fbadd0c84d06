//! OpenID discovery (OpenID Connect Discovery 1.0 §4): the JWK Set URL an issuer's
//! configuration document names.

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::Url;

use super::fetch::{self, Fetched};
use super::keyset;
use super::settings::JwksConfig;
use crate::config_error::ConfigError;

pub(super) fn discovery_url(issuer: &str) -> Result<Url, ConfigError> {
    Url::parse(&format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    ))
    .map_err(|e| ConfigError::InvalidIssuer {
        issuer: issuer.to_owned(),
        reason: format!("not a URL to discover keys from ({e})"),
    })
}

/// The JWK Set URL of `issuer` by OpenID discovery: its configuration document is
/// fetched (counted in `fetches`), its `issuer` must equal this one, its `jwks_uri`
/// must be a URL the transport rules accept.
pub(super) async fn discover(
    http: &reqwest::Client,
    config: &JwksConfig,
    fetches: &AtomicU64,
    issuer: &str,
) -> Result<Url, String> {
    #[derive(serde::Deserialize)]
    struct Discovery {
        issuer: String,
        jwks_uri: String,
    }
    let url = discovery_url(issuer).map_err(|e| e.to_string())?;
    fetches.fetch_add(1, Ordering::Relaxed);
    let Fetched::Body { bytes, .. } = fetch::fetch(http, &url, None, config).await? else {
        return Err(format!("{url}: unexpected 304"));
    };
    let doc: Discovery = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{url}: not an OpenID configuration ({})",
            keyset::json_error(&e)
        )
    })?;
    if doc.issuer != issuer {
        return Err(format!(
            "{url}: discovered issuer {:?} does not equal the configured issuer {issuer:?}",
            doc.issuer
        ));
    }
    let jwks = Url::parse(&doc.jwks_uri).map_err(|e| format!("{url}: invalid jwks_uri: {e}"))?;
    fetch::check_transport(&jwks, config.allow_http).map_err(|e| e.to_string())?;
    tracing::info!(jwks_uri = %jwks, "JWKS URL discovered");
    Ok(jwks)
}
