//! Named strategies: a [`Registry`] value, and the process-wide default one.
//!
//! Lookups on the request path are lock-free: the map is behind an [`ArcSwap`], read with
//! one atomic load. Registration (rare, at start-up) copies the map and swaps it in.
//!
//! `#[authenticate]` uses the registry that the request carries — one put in its
//! extensions (axum: `Router::layer(axum::Extension(registry))`; actix-web:
//! `App::app_data(registry)`) — and [`Registry::global`] otherwise. So a test, or one of
//! several apps in a process, owns its strategies without touching anybody else's.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock, Mutex};

use arc_swap::ArcSwap;
use http::HeaderMap;
use tracing::Instrument as _;

use crate::config_error::ConfigError;
use crate::error::{Error, ErrorKind};
use crate::future::Pending;
use crate::principal::Principal;
use crate::request::RequestInfo;
use crate::strategy::{JwtStrategy, Strategy};

/// A set of named strategies. Cheap to clone: clones share the same set.
///
/// ```
/// # fn main() -> Result<(), jwt_guard::ConfigError> {
/// use jwt_guard::{JwtStrategy, Registry};
///
/// let registry = Registry::new();
/// registry.register("jwt", JwtStrategy::builder().issuer("https://issuer.example").build()?)?;
/// assert!(registry.contains("jwt"));
/// assert!(!Registry::global().contains("jwt"), "registries are separate");
///
/// // Refused, and the first registration stays:
/// let again = JwtStrategy::builder().issuer("https://other.example").build()?;
/// assert!(registry.register("jwt", again).is_err());
///
/// // With axum: the attribute's handlers under this router use `registry`.
/// let app: axum::Router = axum::Router::new().layer(axum::Extension(registry));
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    map: Arc<ArcSwap<NameMap>>,
    /// The modules whose `#[authenticate]` sites this registry serves, for its audit.
    modules: Arc<Mutex<Vec<Box<str>>>>,
    /// The layers built to check requests with this registry, for its audit. Type-erased:
    /// the policies sit above the registry (see [`remember_layer`](Self::remember_layer)).
    layers: Arc<Mutex<Vec<Arc<dyn Any + Send + Sync>>>>,
    /// The renderer of this registry's error responses, if not the default one.
    renderer: Arc<arc_swap::ArcSwapOption<crate::render::Installed>>,
}

/// Every module some registry other than the global one serves: the global registry's
/// audit leaves their sites to that registry's.
static CLAIMED: Mutex<Vec<Box<str>>> = Mutex::new(Vec::new());

/// True when the handler path `handler` (`crate::module::function`) is in `module` or
/// below it.
pub(crate) fn in_module(handler: &str, module: &str) -> bool {
    handler
        .strip_prefix(module)
        .is_some_and(|rest| rest.starts_with("::"))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Strategies by name. The names come from the service's own configuration, never from
/// a request, so a fast non-keyed hash (FNV-1a) is safe here and costs a fraction of
/// SipHash on every request's lookup.
type NameMap = HashMap<Box<str>, Arc<Entry>, BuildHasherDefault<Fnv>>;

/// FNV-1a, 64-bit.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

struct Entry {
    name: Arc<str>,
    /// The name with its metrics keys, built once here.
    label: crate::telemetry::Label,
    strategy: Arc<dyn Strategy>,
    /// The same strategy when it is the built-in one, called without boxing its future.
    jwt: Option<JwtStrategy>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process-wide registry: what [`register`] fills and what `#[authenticate]` uses
    /// when the request carries no registry of its own.
    pub fn global() -> &'static Registry {
        static GLOBAL: LazyLock<Registry> = LazyLock::new(Registry::new);
        &GLOBAL
    }

    /// Sets the renderer of the error responses of requests this registry refuses (the
    /// attribute's handlers and the layers that use it). For the global registry, the
    /// same as [`render::set_renderer`](crate::render::set_renderer): the default for
    /// every registry without one of its own. See [`render`](crate::render).
    pub fn set_renderer(&self, renderer: impl crate::render::Renderer) {
        if self.same_as(Registry::global()) {
            crate::render::set_renderer(renderer);
        } else {
            self.renderer
                .store(Some(Arc::new(crate::render::Installed(Box::new(renderer)))));
        }
    }

    /// `error`, answered with this registry's renderer if it has one.
    pub(crate) fn rendering(&self, error: Error) -> Error {
        match self.renderer.load_full() {
            Some(installed) => error.with_renderer(installed),
            None => error,
        }
    }

    /// Registers `strategy` under `name`.
    ///
    /// Registering a name twice is an error ([`ConfigError::DuplicateStrategy`]): the
    /// first registration stays, nothing is replaced silently. Names are case-sensitive
    /// and must not be empty.
    pub fn register(&self, name: &str, strategy: impl Strategy) -> Result<(), ConfigError> {
        let jwt = (&strategy as &dyn Any)
            .downcast_ref::<JwtStrategy>()
            .cloned();
        self.insert(name, Arc::new(strategy), jwt)
    }

    /// Like [`register`](Self::register), for a strategy that is already shared.
    pub fn register_arc(&self, name: &str, strategy: Arc<dyn Strategy>) -> Result<(), ConfigError> {
        self.insert(name, strategy, None)
    }

    fn insert(
        &self,
        name: &str,
        strategy: Arc<dyn Strategy>,
        jwt: Option<JwtStrategy>,
    ) -> Result<(), ConfigError> {
        if name.is_empty() {
            return Err(ConfigError::EmptyStrategyName);
        }
        let name_arc: Arc<str> = Arc::from(name);
        let entry = Arc::new(Entry {
            label: crate::telemetry::Label::new(&name_arc),
            name: name_arc,
            strategy,
            jwt,
        });
        let mut inserted = false;
        self.map.rcu(|current| {
            if current.contains_key(name) {
                inserted = false;
                return Arc::clone(current);
            }
            let mut next = NameMap::clone(current);
            next.insert(Box::from(name), Arc::clone(&entry));
            inserted = true;
            Arc::new(next)
        });
        if inserted {
            // Labels for metrics: a JwtStrategy's own (its token cache, its engines), any
            // other strategy's key engines. A strategy that wraps a JwtStrategy labels its
            // engines through `key_engines`; its token cache stays `unregistered`.
            match &entry.jwt {
                Some(jwt) => jwt.registered_as(&entry.name),
                None => {
                    entry.strategy.registered_as(&entry.name);
                    for engine in entry.strategy.key_engines() {
                        engine.label(&entry.name);
                    }
                }
            }
            tracing::info!(strategy = name, "authentication strategy registered");
            Ok(())
        } else {
            Err(ConfigError::DuplicateStrategy {
                name: name.to_owned(),
            })
        }
    }

    /// True when a strategy is registered under `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.map.load().contains_key(name)
    }

    /// The names of all registered strategies, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.map.load().keys().map(|k| k.to_string()).collect();
        names.sort();
        names
    }

    /// Where the built-in strategy registered under `name` reads its token; `None` for
    /// another strategy, or no strategy of that name.
    pub(crate) fn token_source(&self, name: &str) -> Option<crate::TokenSource> {
        let map = self.map.load();
        let jwt = map.get(name)?.jwt.as_ref()?;
        Some(jwt.token_source().clone())
    }

    /// The strategy registered under `name`.
    pub fn strategy(&self, name: &str) -> Option<Arc<dyn Strategy>> {
        self.map
            .load()
            .get(name)
            .map(|entry| Arc::clone(&entry.strategy))
    }

    /// Runs the strategies registered under `names` on `headers`, in order; the first
    /// success wins. The names are anything that reads as `str` (`&str`, `String`,
    /// `Box<str>`), so a caller holding owned names allocates nothing per request.
    ///
    /// LoopBack's semantics for `@authenticate('a', 'b')`:
    ///
    /// - a strategy that finds **no credentials of its kind** (its error answers
    ///   [`Error::is_missing_credentials`]) passes the request on to the next one;
    /// - a strategy that finds credentials and **refuses** them ends the chain with its
    ///   error (a bad token is never retried as something else);
    /// - when **every** strategy passes, the result is [`ErrorKind::NoCredentials`], a 401
    ///   naming the strategies tried — itself a missing-credentials error. With one name,
    ///   that strategy's own error is returned unchanged.
    ///
    /// An unregistered name fails closed when it is reached, with
    /// [`ErrorKind::UnknownStrategy`] (a 500), and is logged: it is the service's
    /// misconfiguration, not the client's fault. The name is cut to 64 characters in the
    /// log and the error, and never put in the response body: a name taken from the
    /// request (as the example server's `GET /as/{name}` does) must not make 5 KB log
    /// lines or echo the client's text. Check [`contains`](Self::contains) first, and
    /// answer 404, when names come from requests.
    ///
    /// ```
    /// # async fn f(headers: &http::HeaderMap) -> Result<(), jwt_guard::Error> {
    /// let registry = jwt_guard::Registry::global();
    /// let principal = registry.authenticate(&["jwt", "api-key"], headers).await?;
    /// println!("authenticated by {}", principal.strategy());
    /// # Ok(()) }
    /// ```
    pub async fn authenticate<N: AsRef<str>>(
        &self,
        names: &[N],
        headers: &HeaderMap,
    ) -> Result<Principal, Error> {
        self.authenticate_request(names, RequestInfo::from_headers(headers))
            .await
    }

    /// Like [`authenticate`](Self::authenticate), with the request's method and URI for
    /// the strategies that need them (DPoP).
    pub async fn authenticate_request<N: AsRef<str>>(
        &self,
        names: &[N],
        request: RequestInfo<'_>,
    ) -> Result<Principal, Error> {
        let result = match names {
            [name] => self.authenticate_one(name.as_ref(), request).await,
            _ => self.authenticate_chain(names, request).await,
        };
        result.map_err(|err| self.rendering(err))
    }

    async fn authenticate_chain<N: AsRef<str>>(
        &self,
        names: &[N],
        request: RequestInfo<'_>,
    ) -> Result<Principal, Error> {
        for name in names {
            // In a chain, a JWT strategy leaves a token that is not a JWS to the others
            // (an opaque token for introspection): "not mine", as missing credentials.
            if self.is_jwt(name.as_ref()) && !crate::extract::may_be_jws(request.headers()) {
                continue;
            }
            match self.authenticate_one(name.as_ref(), request).await {
                Err(err) if err.is_missing_credentials() => continue,
                result => return result,
            }
        }
        Err(Error::new(ErrorKind::NoCredentials {
            expected: names.iter().map(|name| name.as_ref().to_owned()).collect(),
        }))
    }

    /// Now in Unix seconds and the leeway in seconds of the strategy registered as
    /// `name`, for the checks after authentication (step-up's `auth_time`): a
    /// [`JwtStrategy`]'s own clock (the one tests step) and leeway; the system clock and
    /// no leeway for any other strategy. Looked up only for a requirement that needs it.
    pub(crate) fn unix_now_and_leeway(&self, name: &str) -> (f64, f64) {
        match self
            .map
            .load()
            .get(name)
            .and_then(|entry| entry.jwt.as_ref())
        {
            Some(jwt) => jwt.unix_now_and_leeway(),
            None => (crate::time::unix_seconds(), 0.0),
        }
    }

    /// True when `self` and `other` are the same registry (clones of one value).
    /// True when `name` is a [`JwtStrategy`] reading the `Authorization` header (one
    /// reading a cookie or another header is not judged by what `Authorization` holds).
    fn is_jwt(&self, name: &str) -> bool {
        self.map.load().get(name).is_some_and(|entry| {
            entry.jwt.as_ref().is_some_and(|jwt| {
                jwt.token_source().0 == crate::token_source::Source::Authorization
            })
        })
    }

    pub(crate) fn same_as(&self, other: &Registry) -> bool {
        Arc::ptr_eq(&self.map, &other.map)
    }

    /// One strategy's authentication. What the built-in strategy decides without
    /// waiting (a token-cache hit, a refusal before any key is needed) is finished here
    /// and now, under the map's guard: no entry cloned, no future built or moved. The
    /// rest is boxed, awaited in its span.
    fn authenticate_one<'a>(
        &self,
        name: &str,
        request: RequestInfo<'a>,
    ) -> Pending<'a, Result<Principal, Error>> {
        let map = self.map.load();
        let Some(entry) = map.get(name) else {
            // The name may come from the request (a path parameter): bounded in the log
            // and in the error, never echoed in the response body.
            let name = crate::text::bounded(name);
            tracing::error!(
                strategy = %name,
                "handler names an authentication strategy that is not registered"
            );
            return Pending::Ready(Err(Error::new(ErrorKind::UnknownStrategy(
                name.into_owned(),
            ))));
        };
        let attempt = crate::telemetry::Attempt::start(name);
        let running = match &entry.jwt {
            Some(jwt) => {
                let pending = {
                    let _entered = attempt.enter();
                    jwt.authenticate_info(request)
                };
                match pending {
                    Pending::Ready(result) => {
                        return Pending::Ready(Self::finish(entry, attempt, result));
                    }
                    Pending::Running(running) => Some(running),
                }
            }
            None => {
                let now = {
                    let _entered = attempt.enter();
                    entry.strategy.authenticate_now(request)
                };
                if let Some(result) = now {
                    return Pending::Ready(Self::finish(entry, attempt, result));
                }
                None
            }
        };
        let entry = Arc::clone(entry);
        drop(map);
        Pending::Running(Box::pin(async move {
            let result = match running {
                Some(running) => running.instrument(attempt.span()).await,
                None => {
                    entry
                        .strategy
                        .authenticate_request(request)
                        .instrument(attempt.span())
                        .await
                }
            };
            Self::finish(&entry, attempt, result)
        }))
    }

    /// The outcome of one strategy: its span and metrics, and the principal named after
    /// the strategy.
    fn finish(
        entry: &Entry,
        attempt: crate::telemetry::Attempt,
        result: Result<Principal, Error>,
    ) -> Result<Principal, Error> {
        attempt.finish(&entry.label, result.as_ref().map(|_| ()));
        result.map(|principal| principal.with_strategy(&entry.name))
    }

    /// Remembers a layer built to check requests with this registry, for its audit; the
    /// same layer twice is kept once.
    #[cfg_attr(
        not(any(feature = "tower", feature = "actix-web")),
        allow(dead_code, reason = "called by the layers only")
    )]
    pub(crate) fn remember_layer(&self, layer: Arc<dyn Any + Send + Sync>) {
        let mut layers = lock(&self.layers);
        if !layers.iter().any(|seen| Arc::ptr_eq(seen, &layer)) {
            layers.push(layer);
        }
    }

    /// The layers remembered by [`remember_layer`](Self::remember_layer), in order.
    pub(crate) fn layers(&self) -> Vec<Arc<dyn Any + Send + Sync>> {
        lock(&self.layers).clone()
    }

    /// The modules this registry serves ([`serve_module`](Self::serve_module)), and the
    /// modules claimed by any registry: what its [audit](Self::audit) covers.
    pub(crate) fn audit_modules(&self) -> (Vec<Box<str>>, Vec<Box<str>>) {
        (lock(&self.modules).clone(), lock(&CLAIMED).clone())
    }

    /// Names a module whose `#[authenticate]` sites this registry serves (its path as
    /// `module_path!()` gives it, e.g. `"my_service::admin"`; sites in sub-modules
    /// included), so that its [`audit`](Self::audit) checks those sites, and the layers
    /// built with it, and no others.
    ///
    /// The global registry's audit then leaves those sites out. A registry that names
    /// no module audits every site, as the global one does: nothing passes unseen. The
    /// audit of a registry that names modules also fails if one of its handlers reads
    /// its own `&HeaderMap`: such a handler has no request to carry this registry, and
    /// authenticates with the global one.
    ///
    /// ```
    /// # fn main() -> Result<(), jwt_guard::ConfigError> {
    /// let admin = jwt_guard::Registry::new();
    /// admin.serve_module(concat!(module_path!(), "::admin"));
    /// // … admin.register(..) …; then, at start-up:
    /// let audit = admin.audit()?;
    /// assert_eq!(audit.handlers().len(), 0);
    /// # Ok(()) }
    /// ```
    pub fn serve_module(&self, module: &str) -> &Self {
        let module: Box<str> = module.trim_end_matches("::").into();
        let mut modules = lock(&self.modules);
        if !modules.contains(&module) {
            modules.push(module.clone());
        }
        drop(modules);
        if !self.same_as(Registry::global()) {
            let mut claimed = lock(&CLAIMED);
            if !claimed.contains(&module) {
                claimed.push(module);
            }
        }
        self
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("strategies", &self.names())
            .finish()
    }
}

/// Registers `strategy` under `name` in the process-wide registry
/// ([`Registry::global`]).
///
/// ```
/// # fn main() -> Result<(), jwt_guard::ConfigError> {
/// use jwt_guard::JwtStrategy;
///
/// jwt_guard::register("doc-jwt", JwtStrategy::builder().issuer("https://issuer.example").build()?)?;
/// # Ok(()) }
/// ```
pub fn register(name: &str, strategy: impl Strategy) -> Result<(), ConfigError> {
    Registry::global().register(name, strategy)
}
