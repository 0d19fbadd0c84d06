//! One call to the introspection endpoint (RFC 7662 §2): the request with the resource
//! server's client authentication, the answer read under a cap, a JWT answer (RFC 9701)
//! verified. What it returns is the introspection object's JSON text, not yet checked.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::EncodingKey;
use reqwest::Url;
use tokio::sync::OnceCell;

use crate::algorithm::Algorithm;
use crate::config_error::ConfigError;
use crate::jwks::JwksClient;
use crate::verify::{self, Limits};

/// The media type of a JWT answer (RFC 9701 §4).
const JWT_ANSWER: &str = "application/token-introspection+jwt";

/// How the resource server authenticates to the endpoint, built.
pub(super) enum ClientAuth {
    /// RFC 6749 §2.3.1: `Authorization: Basic` of the form-encoded id and secret.
    Basic {
        id: String,
        header: http::HeaderValue,
    },
    /// RFC 6749 §2.3.1: `client_id` and `client_secret` in the body.
    Post { id: String, secret: String },
    /// RFC 7523 §2.2: a signed client assertion per call.
    Jwt {
        id: String,
        key: Box<EncodingKey>,
        alg: jsonwebtoken::Algorithm,
        kid: Option<String>,
        audience: String,
    },
}

/// An endpoint URL: parsed, https or loopback http.
pub(super) fn checked_url(text: &str) -> Result<reqwest::Url, ConfigError> {
    let url = reqwest::Url::parse(text).map_err(|e| ConfigError::InvalidUrl {
        url: text.to_owned(),
        reason: e.to_string(),
    })?;
    crate::jwks::check_transport(&url, false)?;
    Ok(url)
}

/// The algorithms a JWT answer may be signed with: any asymmetric one (the key engine
/// binds each key to its own).
const SIGNING_ALGORITHMS: [Algorithm; 10] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::EdDSA,
];

/// What a call produced: the introspection object's JSON, or why there is none (for
/// logs; never the token).
pub(super) type Answer = Result<String, String>;

/// Where the endpoint is.
pub(super) enum Endpoint {
    Fixed(Url),
    /// From the issuer's metadata, read on first use (a failure is retried next time).
    Discovered(Box<Discovered>),
}

/// An endpoint read from the issuer's metadata.
pub(super) struct Discovered {
    issuer: String,
    documents: [Url; 2],
    found: OnceCell<Url>,
}

impl Endpoint {
    pub(super) fn discovered(issuer: &str) -> Result<Self, ConfigError> {
        let base = issuer.trim_end_matches('/');
        let url = |path: &str| {
            checked_url(&format!("{base}{path}")).map_err(|e| ConfigError::InvalidIssuer {
                issuer: issuer.to_owned(),
                reason: format!("not a URL to discover the introspection endpoint from ({e})"),
            })
        };
        Ok(Self::Discovered(Box::new(Discovered {
            issuer: issuer.to_owned(),
            documents: [
                url("/.well-known/openid-configuration")?,
                url("/.well-known/oauth-authorization-server")?,
            ],
            found: OnceCell::new(),
        })))
    }
}

/// The HTTP side of an introspection strategy.
pub(super) struct Introspector {
    pub(super) http: reqwest::Client,
    pub(super) endpoint: Endpoint,
    pub(super) auth: ClientAuth,
    /// The issuer's keys, when answers are JWTs (RFC 9701).
    pub(super) jwks: Option<JwksClient>,
    pub(super) timeout: Duration,
    pub(super) max_response_bytes: usize,
}

impl Introspector {
    /// Asks the endpoint about `token`.
    pub(super) async fn introspect(&self, token: &str, issuer: &str) -> Answer {
        let url = self.endpoint_url().await?;
        let mut request = self.http.post(url.clone());
        if let ClientAuth::Basic { header, .. } = &self.auth {
            request = request.header(http::header::AUTHORIZATION, header.clone());
        }
        let body = self.form(token)?;
        let accept = if self.jwks.is_some() {
            JWT_ANSWER
        } else {
            "application/json"
        };
        let response = request
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::ACCEPT, accept)
            .body(body)
            .send()
            .await
            .map_err(|e| describe(url, &e, self.timeout))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(format!("{url}: status {status}"));
        }
        let body = read_capped(response, self.max_response_bytes)
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let text = String::from_utf8(body).map_err(|_| format!("{url}: answer is not UTF-8"))?;
        match &self.jwks {
            None => Ok(text),
            Some(jwks) => self.verified_jwt(jwks, text.trim(), issuer).await,
        }
    }

    /// The form of the call: the token, and the client's credentials unless they go in
    /// a header.
    fn form(&self, token: &str) -> Result<String, String> {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("token", token)
            .append_pair("token_type_hint", "access_token");
        match &self.auth {
            ClientAuth::Basic { .. } => {}
            ClientAuth::Post { id, secret } => {
                form.append_pair("client_id", id)
                    .append_pair("client_secret", secret);
            }
            ClientAuth::Jwt {
                id,
                key,
                alg,
                kid,
                audience,
            } => {
                let assertion = client_assertion(id, key, *alg, kid.as_deref(), audience)?;
                form.append_pair("client_id", id)
                    .append_pair(
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    )
                    .append_pair("client_assertion", &assertion);
            }
        }
        Ok(form.finish())
    }

    /// The endpoint, discovered on first use when it is not configured.
    async fn endpoint_url(&self) -> Result<&Url, String> {
        match &self.endpoint {
            Endpoint::Fixed(url) => Ok(url),
            Endpoint::Discovered(discovered) => {
                let Discovered {
                    issuer,
                    documents,
                    found,
                } = &**discovered;
                found
                    .get_or_try_init(|| async {
                        let mut last = String::new();
                        for document in documents {
                            match self.discover(document, issuer).await {
                                Ok(url) => {
                                    tracing::info!(introspection_endpoint = %url, "introspection endpoint discovered");
                                    return Ok(url);
                                }
                                Err(e) => last = e,
                            }
                        }
                        Err(last)
                    })
                    .await
            }
        }
    }

    async fn discover(&self, document: &Url, issuer: &str) -> Result<Url, String> {
        #[derive(serde::Deserialize)]
        struct Metadata {
            issuer: String,
            introspection_endpoint: Option<String>,
        }
        let response = self
            .http
            .get(document.clone())
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| describe(document, &e, self.timeout))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!("{document}: status {}", response.status()));
        }
        let body = read_capped(response, self.max_response_bytes)
            .await
            .map_err(|e| format!("{document}: {e}"))?;
        let meta: Metadata = serde_json::from_slice(&body)
            .map_err(|_| format!("{document}: not an authorization server's metadata"))?;
        if meta.issuer != issuer {
            return Err(format!(
                "{document}: issuer {:?} is not the configured {issuer:?}",
                meta.issuer
            ));
        }
        let endpoint = meta
            .introspection_endpoint
            .ok_or_else(|| format!("{document}: names no introspection_endpoint"))?;
        checked_url(&endpoint).map_err(|e| format!("{document}: {e}"))
    }

    /// A JWT answer (RFC 9701 §5): signed by the issuer's key, `typ`
    /// `token-introspection+jwt`, `iss` the issuer, `aud` our client id; its
    /// `token_introspection` member is the answer.
    async fn verified_jwt(&self, jwks: &JwksClient, jwt: &str, issuer: &str) -> Answer {
        let refused = |why: &str| format!("JWT answer refused: {why}");
        let parsed = verify::parse(jwt, &SIGNING_ALGORITHMS, &Limits::default())
            .map_err(|e| refused(&e.to_string()))?;
        if !typ_is_introspection(jwt) {
            return Err(refused("typ is not token-introspection+jwt"));
        }
        let key = jwks
            .key(parsed.kid.as_deref(), parsed.alg)
            .await
            .map_err(|e| refused(&e.to_string()))?;
        verify::verify_signature(&parsed, &key).map_err(|e| refused(&e.to_string()))?;
        let payload = verify::decode_payload(&parsed).map_err(|e| refused(&e.to_string()))?;
        let mut claims: serde_json::Map<String, serde_json::Value> =
            crate::json::parse_object(&payload)
                .map_err(|_| refused("payload is not a JSON object"))?;
        if claims.get("iss").and_then(|v| v.as_str()) != Some(issuer) {
            return Err(refused("iss is not the issuer"));
        }
        let id = self.auth.client_id();
        let aud_ok = match claims.get("aud") {
            Some(serde_json::Value::String(aud)) => aud == id,
            Some(serde_json::Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(id)),
            _ => false,
        };
        if !aud_ok {
            return Err(refused("aud is not the client id"));
        }
        match claims.remove("token_introspection") {
            Some(answer @ serde_json::Value::Object(_)) => Ok(answer.to_string()),
            _ => Err(refused("no token_introspection object")),
        }
    }
}

impl ClientAuth {
    /// The client id the resource server authenticates as.
    pub(super) fn client_id(&self) -> &str {
        match self {
            ClientAuth::Basic { id, .. }
            | ClientAuth::Post { id, .. }
            | ClientAuth::Jwt { id, .. } => id,
        }
    }
}

/// True when the JOSE header's `typ` is `token-introspection+jwt` (or its
/// `application/` form, RFC 7515 §4.1.9).
fn typ_is_introspection(jwt: &str) -> bool {
    let Some((header, _)) = jwt.split_once('.') else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    let Ok(header) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    header
        .get("typ")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|typ| {
            let typ = typ.strip_prefix("application/").unwrap_or(typ);
            typ.eq_ignore_ascii_case("token-introspection+jwt")
        })
}

/// A client assertion (RFC 7523 §3), valid for 60 s, with a random `jti`.
fn client_assertion(
    id: &str,
    key: &jsonwebtoken::EncodingKey,
    alg: jsonwebtoken::Algorithm,
    kid: Option<&str>,
    audience: &str,
) -> Result<String, String> {
    let mut jti = [0u8; 16];
    aws_lc_rs::rand::fill(&mut jti)
        .map_err(|_| "no randomness for a client assertion".to_owned())?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = serde_json::json!({
        "iss": id,
        "sub": id,
        "aud": audience,
        "jti": URL_SAFE_NO_PAD.encode(jti),
        "iat": now,
        "exp": now.saturating_add(60),
    });
    let mut header = jsonwebtoken::Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, &claims, key)
        .map_err(|e| format!("client assertion not signed: {e}"))
}

/// The body, at most `cap` bytes.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(format!("answer over {cap} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len().saturating_add(chunk.len()) > cap {
            return Err(format!("answer over {cap} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn describe(url: &Url, error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        format!("{url}: no answer within {} ms", timeout.as_millis())
    } else if error.is_connect() {
        format!("{url}: unreachable")
    } else {
        format!("{url}: {error}")
    }
}
