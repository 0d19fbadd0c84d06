//! A token issuer for examples and tests: fresh keys, tokens minted on demand, and — when
//! started — its JWK Set served over HTTP on 127.0.0.1.
//!
//! [`Issuer::start`] serves the key set from a thread and runtime of its own, so the
//! issuer outlives the test (or runtime) that started it and can be shared by many
//! tests; dropping the last handle stops the server. [`Issuer::offline`] mints tokens and
//! hands out its JWK Set without any server, for strategies with pinned keys.
//!
//! The key server's behaviour can be changed while it runs (status, delay, garbage body,
//! `Cache-Control`, `ETag`), and it counts the requests it serves, so tests can check
//! what the key engine does against a real server.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use jwt_guard::testkit::Issuer;
//!
//! let issuer = Issuer::start().await?;
//! let token = issuer.token(serde_json::json!({ "sub": "ada" }));
//! println!("curl -H 'Authorization: Bearer {token}' …");
//! # Ok(()) }
//! ```
//!
//! Without a server, for a strategy with pinned keys:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use jwt_guard::testkit::Issuer;
//!
//! let issuer = Issuer::offline("https://issuer.test")?;
//! let strategy = jwt_guard::JwtStrategy::builder()
//!     .issuer(issuer.issuer())
//!     .jwks_json(issuer.jwks().to_string().as_bytes())
//!     .build()?;
//! let token = issuer.token(serde_json::json!({ "sub": "ada" }));
//! # let _ = (strategy, token);
//! # Ok(()) }
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

mod dpop;
mod hooks;
mod keys;

pub use dpop::DpopKey;
pub use hooks::{advance_clock, advance_introspection_clock, cached_weight, settle};
use keys::{SigningKey, alg_name, unix_now};

use crate::Algorithm;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::{Value, json};

/// An issuer: signing keys, and the HTTP server of its key set when started. Dropping it
/// stops the server.
pub struct Issuer {
    shared: Arc<Shared>,
    addr: Option<SocketAddr>,
    /// Stops the server thread when dropped with the issuer.
    stop: Option<futures_util::future::AbortHandle>,
}

struct Shared {
    issuer: String,
    /// The server's origin (`http://127.0.0.1:PORT`), empty offline.
    origin: String,
    options: IssuerOptions,
    keys: Mutex<Vec<SigningKey>>,
    /// The paths of the JWK Set requests served, in order.
    jwks_paths: Mutex<Vec<String>>,
    control: Mutex<Control>,
    jwks_requests: AtomicUsize,
    discovery_requests: AtomicUsize,
}

/// How the key server answers. Change it with [`Issuer::control`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Control {
    /// Answer every JWKS request with this status and an empty body.
    pub status: Option<u16>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Answer with this body instead of the key set.
    pub body: Option<String>,
    /// Send the body slowly: in 64-byte chunks, pausing this long before each.
    pub slow_body: Option<Duration>,
    /// Send this `Cache-Control` value.
    pub cache_control: Option<String>,
    /// Send an `ETag` and answer `If-None-Match` with 304.
    pub etag: bool,
    /// The `issuer` the discovery document states (defaults to the real one).
    pub discovery_issuer: Option<String>,
}

/// Where a started issuer lives and what it signs with, for [`Issuer::start_with`]: the
/// shapes of real identity providers (an issuer with a path, keys at a path of their own,
/// one issuer per tenant, another key type or header `typ`).
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use jwt_guard::testkit::{Issuer, IssuerOptions};
///
/// // Keycloak: the realm is the issuer, its keys are at `protocol/openid-connect/certs`.
/// let keycloak = Issuer::start_with(
///     IssuerOptions::new()
///         .issuer_path("/realms/shop")
///         .jwks_path("/realms/shop/protocol/openid-connect/certs"),
/// )
/// .await?;
/// // Entra ID, multi-tenant: one issuer per tenant, keys per tenant.
/// let entra = Issuer::start_with(
///     IssuerOptions::new()
///         .issuer_path("/{tenant}/v2.0")
///         .jwks_path("/{tenant}/discovery/v2.0/keys"),
/// )
/// .await?;
/// let token = entra.token_for("tenant-a", serde_json::json!({ "sub": "ada" }));
/// # let _ = (keycloak, token);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IssuerOptions {
    /// The issuer's path under the server's origin. Defaults to `""` (the issuer is the
    /// origin). `{tenant}` stands for one path segment: an issuer per tenant.
    pub issuer_path: String,
    /// Where the JWK Set is served. Defaults to `ISSUER_PATH/.well-known/jwks.json`
    /// (LoopBack's rule); may hold `{tenant}`.
    pub jwks_path: Option<String>,
    /// The algorithm of the first key. Defaults to RS256.
    pub algorithm: Algorithm,
    /// The header `typ` of minted tokens. Defaults to `JWT`.
    pub typ: String,
}

impl Default for IssuerOptions {
    fn default() -> Self {
        Self {
            issuer_path: String::new(),
            jwks_path: None,
            algorithm: Algorithm::RS256,
            typ: "JWT".into(),
        }
    }
}

impl IssuerOptions {
    /// The defaults: the issuer at the origin, keys at `/.well-known/jwks.json`, RS256.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`issuer_path`](Self::issuer_path).
    pub fn issuer_path(mut self, path: impl Into<String>) -> Self {
        self.issuer_path = path.into();
        self
    }

    /// Sets [`jwks_path`](Self::jwks_path).
    pub fn jwks_path(mut self, path: impl Into<String>) -> Self {
        self.jwks_path = Some(path.into());
        self
    }

    /// Sets [`algorithm`](Self::algorithm).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Sets [`typ`](Self::typ).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = typ.into();
        self
    }

    fn jwks_pattern(&self) -> String {
        self.jwks_path
            .clone()
            .unwrap_or_else(|| format!("{}/.well-known/jwks.json", self.issuer_path))
    }
}

/// `{tenant}` in a path pattern matched against a request path: the tenant (one
/// non-empty segment), `Some("")` for a pattern without it that equals the path.
fn match_tenant<'p>(pattern: &str, path: &'p str) -> Option<&'p str> {
    match pattern.split_once("{tenant}") {
        None => (pattern == path).then_some(""),
        Some((prefix, suffix)) => {
            let tenant = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
            (!tenant.is_empty() && !tenant.contains('/')).then_some(tenant)
        }
    }
}

impl Issuer {
    /// Starts an issuer on `127.0.0.1` (a free port) with one fresh RSA-2048 key (RS256).
    ///
    /// The server runs on a thread and runtime of its own: it keeps serving when the
    /// runtime that called this shuts down.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts an issuer on the given address (a loopback address, normally).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_at(addr, IssuerOptions::default()).await
    }

    /// Starts an issuer on `127.0.0.1` laid out as `options` say (issuer path, key path,
    /// tenants, key type). Discovery is served at `ISSUER/.well-known/openid-configuration`
    /// for every tenant, naming that tenant's issuer and key URL.
    pub async fn start_with(options: IssuerOptions) -> std::io::Result<Self> {
        Self::start_at(SocketAddr::from(([127, 0, 0, 1], 0)), options).await
    }

    async fn start_at(addr: SocketAddr, options: IssuerOptions) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let origin = format!("http://{addr}");
        let shared = Self::keys(format!("{origin}{}", options.issuer_path), origin, options)?;
        let app = Router::new()
            .fallback(get(serve_path))
            .with_state(Arc::clone(&shared));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = futures_util::future::AbortHandle::new_pair();
        std::thread::Builder::new()
            .name(format!("testkit-issuer-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let serve = async move {
                        let listener = tokio::net::TcpListener::from_std(listener)?;
                        axum::serve(listener, app).await
                    };
                    // Aborted: the issuer was dropped.
                    if let Ok(Err(err)) = futures_util::future::Abortable::new(serve, stopped).await
                    {
                        tracing::error!(error = %err, "testkit issuer stopped");
                    }
                });
            })?;
        Ok(Self {
            shared,
            addr: Some(addr),
            stop: Some(stop),
        })
    }

    /// An issuer with one fresh RSA-2048 key (RS256) and no server: tokens name `issuer`
    /// as their `iss`, and [`jwks`](Self::jwks) is the key set to pin.
    pub fn offline(issuer: impl Into<String>) -> std::io::Result<Self> {
        Ok(Self {
            shared: Self::keys(issuer.into(), String::new(), IssuerOptions::default())?,
            addr: None,
            stop: None,
        })
    }

    fn keys(
        issuer: String,
        origin: String,
        options: IssuerOptions,
    ) -> std::io::Result<Arc<Shared>> {
        let issuer_key = SigningKey::generate("key-1".into(), options.algorithm)?;
        Ok(Arc::new(Shared {
            issuer,
            origin,
            options,
            keys: Mutex::new(vec![issuer_key]),
            jwks_paths: Mutex::new(Vec::new()),
            control: Mutex::new(Control::default()),
            jwks_requests: AtomicUsize::new(0),
            discovery_requests: AtomicUsize::new(0),
        }))
    }

    /// The issuer URL (`http://127.0.0.1:PORT` and the issuer path), the `iss` of every
    /// minted token. With a tenant path, the pattern (`…/{tenant}/v2.0`).
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The issuer of `tenant`: [`issuer`](Self::issuer) with `{tenant}` replaced.
    pub fn issuer_for(&self, tenant: &str) -> String {
        self.shared.issuer.replace("{tenant}", tenant)
    }

    /// The JWK Set URL (`ISSUER/.well-known/jwks.json` unless the options say otherwise;
    /// with a tenant path, the pattern).
    pub fn jwks_uri(&self) -> String {
        if self.shared.origin.is_empty() {
            return format!("{}/.well-known/jwks.json", self.shared.issuer);
        }
        format!(
            "{}{}",
            self.shared.origin,
            self.shared.options.jwks_pattern()
        )
    }

    /// The paths of the JWK Set requests served so far, in order (a tenant's key path
    /// names the tenant).
    pub fn jwks_paths(&self) -> Vec<String> {
        lock(&self.shared.jwks_paths).clone()
    }

    /// A token of `tenant`: `iss` is [`issuer_for`](Self::issuer_for)`(tenant)` and `tid`
    /// (Entra ID's tenant claim) the tenant, unless `claims` sets them.
    pub fn token_for(&self, tenant: &str, claims: Value) -> String {
        let mut claims = match claims {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        claims
            .entry("iss")
            .or_insert_with(|| json!(self.issuer_for(tenant)));
        claims.entry("tid").or_insert_with(|| json!(tenant));
        self.token(Value::Object(claims))
    }

    /// The address the server listens on.
    ///
    /// # Panics
    ///
    /// For an [`offline`](Self::offline) issuer, which has no server.
    pub fn addr(&self) -> SocketAddr {
        self.addr
            .unwrap_or_else(|| panic!("an offline issuer has no server address"))
    }

    /// The `kid` of the first key, the one [`token`](Self::token) signs with.
    pub fn kid(&self) -> String {
        lock(&self.shared.keys)[0].kid.clone()
    }

    /// A token signed with the first key (RS256), with `iss`, `iat` and `exp` (one hour)
    /// added unless `claims` sets them. `claims` must be a JSON object.
    pub fn token(&self, claims: Value) -> String {
        self.token_with(&self.kid(), claims)
    }

    /// Like [`token`](Self::token), signed with the key `kid`.
    pub fn token_with(&self, kid: &str, claims: Value) -> String {
        let claims = self.claims(claims);
        let alg = self.with_key(kid, |k| k.alg);
        let header = json!({ "alg": alg_name(alg), "typ": self.shared.options.typ, "kid": kid });
        self.sign_with(kid, &header, &claims)
    }

    /// `claims` with `iss`, `iat` and `exp` (one hour) filled in where absent.
    pub fn claims(&self, claims: Value) -> Value {
        let mut claims = match claims {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        let now = unix_now();
        claims
            .entry("iss")
            .or_insert_with(|| json!(self.shared.issuer));
        claims.entry("iat").or_insert_with(|| json!(now));
        claims.entry("exp").or_insert_with(|| json!(now + 3600));
        Value::Object(claims)
    }

    /// Signs `header` and `claims` exactly as given with the first key (whatever `alg`
    /// the header claims), for crafting hostile tokens.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        self.sign_with(&self.kid(), header, claims)
    }

    /// Signs `header` and `claims` exactly as given with the key `kid`.
    pub fn sign_with(&self, kid: &str, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.with_key(kid, |k| k.sign(input.as_bytes()));
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Adds a fresh key for `alg` (RS*/PS*, ES256/ES384/ES512/ES256K, EdDSA or Ed25519),
    /// published in the key set at once, and returns its `kid`.
    pub fn add_key(&self, alg: Algorithm) -> std::io::Result<String> {
        let mut keys = lock(&self.shared.keys);
        let kid = format!("key-{}", keys.len() + 1);
        keys.push(SigningKey::generate(kid.clone(), alg)?);
        Ok(kid)
    }

    /// Adds a fresh key like [`add_key`](Self::add_key), not yet in the key set.
    pub fn add_unpublished_key(&self, alg: Algorithm) -> std::io::Result<String> {
        let kid = self.add_key(alg)?;
        self.set_published(&kid, false);
        Ok(kid)
    }

    /// Puts a key in the served key set or takes it out.
    pub fn set_published(&self, kid: &str, published: bool) {
        if let Some(key) = lock(&self.shared.keys).iter_mut().find(|k| k.kid == kid) {
            key.published = published;
        }
    }

    /// The JWK Set as served now (public keys only).
    pub fn jwks(&self) -> Value {
        jwks_document(&lock(&self.shared.keys))
    }

    /// The public key of `kid` as a PEM SubjectPublicKeyInfo (what an attacker would
    /// use as an HMAC secret in a key-confusion attack).
    pub fn public_key_pem(&self, kid: &str) -> String {
        let der = self.with_key(kid, |k| k.spki_der());
        let body = STANDARD.encode(der);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// Changes how the key server answers from now on.
    pub fn control(&self, change: impl FnOnce(&mut Control)) {
        change(&mut lock(&self.shared.control));
    }

    /// JWK Set requests served so far.
    pub fn jwks_requests(&self) -> usize {
        self.shared.jwks_requests.load(Ordering::SeqCst)
    }

    /// Discovery requests served so far.
    pub fn discovery_requests(&self) -> usize {
        self.shared.discovery_requests.load(Ordering::SeqCst)
    }

    fn with_key<T>(&self, kid: &str, f: impl FnOnce(&SigningKey) -> T) -> T {
        let keys = lock(&self.shared.keys);
        let key = keys.iter().find(|k| k.kid == kid).unwrap_or(&keys[0]);
        f(key)
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            stop.abort();
        }
    }
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("issuer", &self.shared.issuer)
            .finish_non_exhaustive()
    }
}

fn jwks_document(keys: &[SigningKey]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .filter(|k| k.published)
        .map(SigningKey::public_jwk)
        .collect();
    json!({ "keys": keys })
}

/// Every request: the JWK Set at its path, discovery at the issuer's, else 404.
async fn serve_path(
    State(shared): State<Arc<Shared>>,
    uri: http::Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    if match_tenant(&shared.options.jwks_pattern(), path).is_some() {
        lock(&shared.jwks_paths).push(path.to_owned());
        return serve_jwks(&shared, &headers).await;
    }
    let discovery = format!(
        "{}/.well-known/openid-configuration",
        shared.options.issuer_path
    );
    if let Some(tenant) = match_tenant(&discovery, path) {
        return serve_discovery(&shared, tenant);
    }
    StatusCode::NOT_FOUND.into_response()
}

async fn serve_jwks(shared: &Shared, headers: &HeaderMap) -> Response {
    shared.jwks_requests.fetch_add(1, Ordering::SeqCst);
    let control = lock(&shared.control).clone();
    if let Some(delay) = control.delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(status) = control.status {
        return StatusCode::from_u16(status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
    }
    let body = match control.body {
        Some(body) => body,
        None => jwks_document(&lock(&shared.keys)).to_string(),
    };
    let mut response_headers = HeaderMap::new();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(cc) = control
        .cache_control
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        response_headers.insert(header::CACHE_CONTROL, cc);
    }
    if control.etag {
        let tag = format!("\"{:016x}\"", fnv1a(body.as_bytes()));
        if headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            == Some(tag.as_str())
        {
            return (StatusCode::NOT_MODIFIED, response_headers).into_response();
        }
        if let Ok(value) = HeaderValue::from_str(&tag) {
            response_headers.insert(header::ETAG, value);
        }
    }
    if let Some(pause) = control.slow_body {
        let chunks: Vec<Vec<u8>> = body.as_bytes().chunks(64).map(<[u8]>::to_vec).collect();
        let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut rest| async move {
            let chunk = rest.next()?;
            tokio::time::sleep(pause).await;
            Some((Ok::<_, std::io::Error>(chunk), rest))
        });
        return (
            StatusCode::OK,
            response_headers,
            axum::body::Body::from_stream(stream),
        )
            .into_response();
    }
    (StatusCode::OK, response_headers, body).into_response()
}

fn serve_discovery(shared: &Shared, tenant: &str) -> Response {
    shared.discovery_requests.fetch_add(1, Ordering::SeqCst);
    let issuer = lock(&shared.control)
        .discovery_issuer
        .clone()
        .unwrap_or_else(|| shared.issuer.replace("{tenant}", tenant));
    let jwks_path = shared.options.jwks_pattern().replace("{tenant}", tenant);
    axum::Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{}{jwks_path}", shared.origin),
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
    .into_response()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
