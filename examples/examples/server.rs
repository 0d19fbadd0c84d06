//! The example server: the LoopBack API of the `@authenticate("jwt")` page, in Rust.
//!
//! `GET /protected` (guarded by `#[authenticate("jwt")]`) answers
//! `{"message":"Access granted"}`; `GET /public` is open; `GET /whoami` shows the
//! authenticated principal. With no `ISSUER`, an embedded issuer starts on 127.0.0.1 and
//! the server prints curl lines to try. `ISSUER` may list several issuers, comma-separated
//! (then give `JWKS_URI` unless each issuer serves LoopBack's key URL).
//!
//! With `--config FILE`, the strategies come from a TOML file (several, by name; see
//! `examples/config/two-strategies.toml`): the one named `jwt` guards `/protected` and
//! `/whoami`, and `GET /as/{name}` authenticates with the strategy `name`.
//!
//! ```text
//! cargo run --example server
//! cargo run --example server -- --config examples/config/two-strategies.toml
//! cargo run --example server -- --help
//! ```

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use http::{HeaderMap, StatusCode};
use jwt_guard::TokenCacheConfig;
use jwt_guard::config::ConfigFile;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Algorithm, JwtStrategy, Principal, Registry, authenticate};
use serde_json::{Value, json};

#[authenticate("jwt")]
async fn secure_endpoint() -> Json<Value> {
    Json(json!({ "message": "Access granted" }))
}

#[authenticate("jwt")]
async fn whoami(principal: Principal) -> Json<Value> {
    Json(json!({ "strategy": principal.strategy(), "claims": principal.claims() }))
}

async fn public() -> Json<Value> {
    Json(json!({ "message": "Hello, anyone" }))
}

/// `GET /as/{name}`: authenticates with the strategy `name` of the registry. A name that
/// is not registered is the client's mistake here (it is in the URL): 404, with nothing
/// of it echoed or logged.
async fn as_strategy(
    Path(name): Path<String>,
    Extension(registry): Extension<Registry>,
    headers: HeaderMap,
) -> Response {
    if !registry.contains(&name) {
        return (StatusCode::NOT_FOUND, "no such strategy").into_response();
    }
    match registry.authenticate(&[name.as_str()], &headers).await {
        Ok(principal) => Json(json!({
            "strategy": principal.strategy(),
            "sub": principal.subject(),
            "roles": principal.roles(),
        }))
        .into_response(),
        Err(err) => err.into_response(),
    }
}

/// The routes, on the strategies of `registry`.
fn app(registry: Registry) -> Router {
    Router::new()
        .route("/protected", get(secure_endpoint))
        .route("/whoami", get(whoami))
        .route("/public", get(public))
        .route("/as/{name}", get(as_strategy))
        .layer(Extension(registry))
}

/// Registers the strategies of a TOML file (warming their key engines); the file must
/// name a `jwt` strategy. Returns their names.
async fn register_file(path: &str, registry: &Registry) -> Result<Vec<String>, String> {
    let file = ConfigFile::from_toml_file(path).map_err(|e| format!("{path}: {e}"))?;
    if !file.strategies.contains_key("jwt") {
        return Err(format!(
            "{path}: no [strategies.jwt] (the strategy of /protected)"
        ));
    }
    let mut names = Vec::new();
    for (name, strategy) in file.build_all().map_err(|e| format!("{path}: {e}"))? {
        // Registered first, so the key fetch's span names the strategy.
        registry
            .register(&name, strategy.clone())
            .map_err(|e| e.to_string())?;
        for engine in strategy.key_engines() {
            if let Err(err) = engine.warm_up().await {
                tracing::warn!(strategy = %name, error = %err, "could not fetch the signing keys at start-up");
            }
        }
        names.push(name);
    }
    Ok(names)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match ServerConfig::from_sources(|k| std::env::var(k).ok(), &args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: ServerConfig) -> Result<(), String> {
    let registry = Registry::new();
    if let Some(path) = &config.config {
        let names = register_file(path, &registry).await?;
        return serve(config, registry, None, &names.join(", ")).await;
    }
    // No issuer configured: start one here (keys served on 127.0.0.1), so the example
    // works with no setup. It lives as long as `embedded`.
    let embedded = match &config.issuer {
        Some(_) => None,
        None => Some(
            Issuer::start()
                .await
                .map_err(|e| format!("cannot start the embedded issuer: {e}"))?,
        ),
    };
    let issuer = match (&config.issuer, &embedded) {
        (Some(url), _) => url.clone(),
        (None, Some(embedded)) => embedded.issuer().to_owned(),
        (None, None) => unreachable!("an embedded issuer starts when none is configured"),
    };

    // The strategy: LoopBack's defaults (RS256, issuer checked, keys from
    // ISSUER/.well-known/jwks.json), with what the configuration adds.
    let mut builder = JwtStrategy::builder().algorithms(config.algorithms.iter().copied());
    for issuer in issuer.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        builder = builder.issuer(issuer);
    }
    if let Some(uri) = &config.jwks_uri {
        builder = builder.jwks_uri(uri);
    }
    if let Some(audience) = &config.audience {
        builder = builder.audience(audience);
    }
    if config.token_cache {
        builder = builder.token_cache(TokenCacheConfig::default());
    }
    let strategy = builder.build().map_err(|e| e.to_string())?;
    // Registered first, so the key fetch's span names the strategy.
    registry
        .register("jwt", strategy.clone())
        .map_err(|e| e.to_string())?;
    // Warm the key cache (each issuer's); a key server that is down now is not fatal
    // (requests get 503 until it answers), but say so.
    for jwks in strategy.key_engines() {
        if let Err(err) = jwks.warm_up().await {
            tracing::warn!(error = %err, "could not fetch the signing keys at start-up");
        }
    }
    serve(config, registry, embedded, &issuer).await
}

async fn serve(
    config: ServerConfig,
    registry: Registry,
    embedded: Option<Issuer>,
    issuer: &str,
) -> Result<(), String> {
    // Every #[authenticate] handler must name a registered strategy: refuse to start
    // otherwise, rather than answer 500 on the first request.
    let audit = registry
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");

    let app = app(registry);
    let listener = tokio::net::TcpListener::bind(config.addr())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr()))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("jwt-guard example server listening on http://{addr}");
    match &config.config {
        Some(path) => println!("strategies from {path}: {issuer}"),
        None => println!("issuer: {issuer}"),
    }
    if let Some(embedded) = &embedded {
        let token = embedded.token(json!({ "sub": "demo-user", "name": "Demo User" }));
        println!();
        println!("Embedded issuer (no ISSUER set). Try:");
        println!("  curl -i -H 'Authorization: Bearer {token}' http://{addr}/protected");
        println!("  curl -i http://{addr}/protected");
        println!("  curl -i http://{addr}/public");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

// ── configuration: the environment and matching flags (flags win) ─────────────────

/// The example server's settings.
#[derive(Debug, Clone, PartialEq)]
struct ServerConfig {
    /// `CONFIG` / `--config`: a TOML file of strategies, instead of the variables below.
    config: Option<String>,
    /// `ISSUER` / `--issuer`, one or several comma-separated. `None` starts the embedded
    /// issuer.
    issuer: Option<String>,
    /// `JWKS_URI` / `--jwks-uri`. Defaults to `ISSUER/.well-known/jwks.json`.
    jwks_uri: Option<String>,
    /// `AUDIENCE` / `--audience`. Not checked when absent.
    audience: Option<String>,
    /// `ALGORITHMS` / `--algorithms`, comma-separated. Defaults to `RS256`.
    algorithms: Vec<Algorithm>,
    /// `HOST` / `--host`. Defaults to 127.0.0.1.
    host: IpAddr,
    /// `PORT` / `--port`. Defaults to 3000.
    port: u16,
    /// `TOKEN_CACHE` / `--token-cache` (`1`/`true` or `0`/`false`): the verified-token
    /// cache. Defaults to off.
    token_cache: bool,
}

/// The `--help` text.
const USAGE: &str = "\
usage: server [--config FILE.toml]
              [--issuer URL[,ISSUER...]] [--jwks-uri URL] [--audience AUD]
              [--algorithms RS256,ES256] [--host 127.0.0.1] [--port 3000] [--token-cache true]

Each flag has an environment variable of the same name in capitals (CONFIG, ISSUER, JWKS_URI,
AUDIENCE, ALGORITHMS, HOST, PORT, TOKEN_CACHE); a flag wins over its variable. --config takes
the strategies from a TOML file (one must be named jwt) instead of ISSUER and the rest. With
no issuer, an embedded issuer starts on 127.0.0.1 and the server prints ready-to-paste curl
lines.";

const OPTIONS: [(&str, &str); 8] = [
    ("config", "CONFIG"),
    ("issuer", "ISSUER"),
    ("jwks-uri", "JWKS_URI"),
    ("audience", "AUDIENCE"),
    ("algorithms", "ALGORITHMS"),
    ("host", "HOST"),
    ("port", "PORT"),
    ("token-cache", "TOKEN_CACHE"),
];

impl ServerConfig {
    /// Reads the settings. `env` looks a variable up; `args` are the flags (without the
    /// program name). Returns `Err` with a message for the user on any bad value, and
    /// `Ok(None)` for `--help`.
    fn from_sources(
        env: impl Fn(&str) -> Option<String>,
        args: &[String],
    ) -> Result<Option<Self>, String> {
        let mut values: Vec<Option<String>> = OPTIONS
            .iter()
            .map(|(_, var)| env(var).filter(|v| !v.is_empty()))
            .collect();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                return Ok(None);
            }
            let Some(flag) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?}\n\n{USAGE}"));
            };
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (flag, None),
            };
            let Some(index) = OPTIONS.iter().position(|(n, _)| *n == name) else {
                return Err(format!("unknown flag --{name}\n\n{USAGE}"));
            };
            let value = match inline {
                Some(v) => v,
                None => args
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("--{name} needs a value"))?,
            };
            values[index] = Some(value);
        }
        let [
            config,
            issuer,
            jwks_uri,
            audience,
            algorithms,
            host,
            port,
            token_cache,
        ] = values.try_into().map_err(|_| "internal")?;
        if config.is_some() && (issuer.is_some() || jwks_uri.is_some() || audience.is_some()) {
            return Err(
                "--config takes the strategies from the file: drop ISSUER, JWKS_URI and AUDIENCE"
                    .into(),
            );
        }
        if let Some(issuer) = &issuer {
            // The first issuer is a URL (its keys are found from it); another may be a
            // bare spelling, as Google's `accounts.google.com`.
            check_url(
                "ISSUER",
                issuer.split(',').next().unwrap_or_default().trim(),
            )?;
        }
        if let Some(uri) = &jwks_uri {
            check_url("JWKS_URI", uri)?;
            if issuer.is_none() {
                return Err(
                    "JWKS_URI needs ISSUER: the embedded issuer serves its own keys".into(),
                );
            }
        }
        let algorithms = match algorithms {
            None => vec![Algorithm::RS256],
            Some(list) => list
                .split(',')
                .map(str::trim)
                .map(|name| {
                    name.parse::<Algorithm>().map_err(|_| {
                        format!("ALGORITHMS: unknown algorithm {name:?} (use e.g. RS256,ES256)")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let host = match host {
            None => IpAddr::from([127, 0, 0, 1]),
            Some(h) => h
                .parse()
                .map_err(|_| format!("HOST: {h:?} is not an IP address"))?,
        };
        let port = match port {
            None => 3000,
            Some(p) => p
                .parse()
                .map_err(|_| format!("PORT: {p:?} is not a port number (0-65535)"))?,
        };
        let token_cache = match token_cache.as_deref() {
            None | Some("0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => return Err(format!("TOKEN_CACHE: {other:?} is not true/false/1/0")),
        };
        Ok(Some(Self {
            config,
            issuer,
            jwks_uri,
            audience,
            algorithms,
            host,
            port,
            token_cache,
        }))
    }

    /// The address to listen on.
    fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }
}

fn check_url(name: &str, value: &str) -> Result<(), String> {
    if value.starts_with("https://") || value.starts_with("http://") {
        Ok(())
    } else {
        Err(format!("{name}: {value:?} is not an http(s) URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(env: &[(&str, &str)], args: &[&str]) -> Result<Option<ServerConfig>, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        ServerConfig::from_sources(
            |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
            &args,
        )
    }

    #[test]
    fn defaults() {
        let c = read(&[], &[]).unwrap().unwrap();
        assert_eq!(c.issuer, None);
        assert_eq!(c.algorithms, vec![Algorithm::RS256]);
        assert_eq!(c.addr().to_string(), "127.0.0.1:3000");
    }

    #[test]
    fn flags_win_over_env() {
        let c = read(
            &[("PORT", "1"), ("ISSUER", "https://a")],
            &["--port", "2", "--issuer=https://b"],
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.port, 2);
        assert_eq!(c.issuer.as_deref(), Some("https://b"));
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(read(&[("PORT", "x")], &[]).unwrap_err().contains("PORT"));
        assert!(
            read(&[], &["--algorithms", "RS256,none"])
                .unwrap_err()
                .contains("\"none\"")
        );
        assert!(
            read(&[], &["--issuer", "issuer.example"])
                .unwrap_err()
                .contains("not an http(s) URL")
        );
        assert!(
            read(&[], &["--bogus"])
                .unwrap_err()
                .contains("unknown flag")
        );
        assert!(
            read(&[], &["--port"])
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(
            read(&[("HOST", "localhost!")], &[])
                .unwrap_err()
                .contains("HOST")
        );
        assert!(read(&[], &["--help"]).unwrap().is_none());
        assert!(
            read(&[("TOKEN_CACHE", "yes")], &[])
                .unwrap_err()
                .contains("TOKEN_CACHE")
        );
        assert!(
            read(&[], &["--token-cache", "1"])
                .unwrap()
                .unwrap()
                .token_cache
        );
        assert!(
            read(&[("ISSUER", "https://a")], &["--config", "s.toml"])
                .unwrap_err()
                .contains("--config")
        );
    }

    #[test]
    fn several_issuers_and_a_config_file() {
        let c = read(
            &[("ISSUER", "https://accounts.google.com,accounts.google.com")],
            &[],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            c.issuer.as_deref(),
            Some("https://accounts.google.com,accounts.google.com")
        );
        assert!(read(&[("ISSUER", "accounts.google.com,https://a")], &[]).is_err());
        let c = read(&[("CONFIG", "a.toml")], &[]).unwrap().unwrap();
        assert_eq!(c.config.as_deref(), Some("a.toml"));
    }

    /// The committed example file parses and builds (no network: keys are fetched on
    /// first use).
    #[test]
    fn the_committed_file_builds() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/two-strategies.toml");
        let file = ConfigFile::from_toml_file(path).expect("the example file");
        let names: Vec<String> = file
            .build_all()
            .expect("builds")
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["jwt", "keycloak"]);
    }

    /// The server from a TOML file with two strategies, against two key servers on
    /// 127.0.0.1: each strategy accepts its issuer's tokens only.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_from_a_toml_file_with_two_strategies() {
        let main = Issuer::start().await.unwrap();
        let partners = Issuer::start().await.unwrap();
        let toml = format!(
            "[strategies.jwt]\nissuer = \"{}\"\nleeway = \"5s\"\n\n\
             [strategies.partners]\nissuer = \"{}\"\ndiscover = true\n\
             roles_claims = [\"realm_access.roles\"]\n",
            main.issuer(),
            partners.issuer()
        );
        let path = std::env::temp_dir().join(format!(
            "jwt-guard-server-{}-{}.toml",
            std::process::id(),
            main.addr().port()
        ));
        std::fs::write(&path, toml).unwrap();
        let registry = Registry::new();
        let names = register_file(path.to_str().unwrap(), &registry)
            .await
            .unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(names, ["jwt", "partners"]);
        assert_eq!(
            registry.audit().map(|_| ()).map_err(|e| e.to_string()),
            Ok(())
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app(registry)).await });
        let client = reqwest::Client::new();
        let get = |path: &str, token: String| {
            let request = client
                .get(format!("http://{addr}{path}"))
                .bearer_auth(token);
            async move {
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let ada = || main.token(json!({ "sub": "ada" }));
        let bob =
            || partners.token(json!({ "sub": "bob", "realm_access": { "roles": ["partner"] } }));
        assert_eq!(get("/protected", ada()).await.0, 200);
        assert_eq!(get("/protected", bob()).await.0, 401);
        let (status, body) = get("/as/partners", bob()).await;
        assert_eq!(status, 200, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["sub"], "bob");
        assert_eq!(body["roles"], json!(["partner"]));
        assert_eq!(get("/as/partners", ada()).await.0, 401);
        assert_eq!(get("/as/nobody", ada()).await.0, 404);
        // Issue 18 item 14: a 5 KB name is neither echoed nor a 500.
        let long = "n".repeat(5000);
        let (status, body) = get(&format!("/as/{long}"), ada()).await;
        assert_eq!(status, 404);
        assert!(!body.contains("nnnnnnnn"), "{body}");
        assert_eq!(partners.discovery_requests(), 1);
    }
}
