//! The example server: the LoopBack API of the `@authenticate("jwt")` page, in Rust.
//!
//! `GET /protected` (guarded by `#[authenticate("jwt")]`) answers
//! `{"message":"Access granted"}`; `GET /public` is open; `GET /whoami` shows the
//! authenticated principal. With no `ISSUER`, an embedded issuer starts on 127.0.0.1 and
//! the server prints curl lines to try.
//!
//! ```text
//! cargo run --example server
//! cargo run --example server -- --help
//! ```

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard::cache::TokenCacheConfig;
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
    let mut builder = JwtStrategy::builder()
        .issuer(&issuer)
        .algorithms(config.algorithms.iter().copied());
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
    if let Some(jwks) = strategy.jwks() {
        // Warm the key cache; a key server that is down now is not fatal (requests get
        // 503 until it answers), but say so.
        if let Err(err) = jwks.warm_up().await {
            tracing::warn!(error = %err, "could not fetch the signing keys at start-up");
        }
    }
    jwt_guard::register("jwt", strategy).map_err(|e| e.to_string())?;
    // Every #[authenticate] handler must name a registered strategy: refuse to start
    // otherwise, rather than answer 500 on the first request.
    let audit = Registry::global()
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");

    let app = Router::new()
        .route("/protected", get(secure_endpoint))
        .route("/whoami", get(whoami))
        .route("/public", get(public));
    let listener = tokio::net::TcpListener::bind(config.addr())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr()))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("jwt-guard example server listening on http://{addr}");
    println!("issuer: {issuer}");
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
    /// `ISSUER` / `--issuer`. `None` starts the embedded issuer.
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
usage: server [--issuer URL] [--jwks-uri URL] [--audience AUD] [--algorithms RS256,ES256]
              [--host 127.0.0.1] [--port 3000] [--token-cache true]

Each flag has an environment variable of the same name in capitals (ISSUER, JWKS_URI,
AUDIENCE, ALGORITHMS, HOST, PORT, TOKEN_CACHE); a flag wins over its variable. With no issuer, an
embedded issuer starts on 127.0.0.1 and the server prints ready-to-paste curl lines.";

const OPTIONS: [(&str, &str); 7] = [
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
            issuer,
            jwks_uri,
            audience,
            algorithms,
            host,
            port,
            token_cache,
        ] = values.try_into().map_err(|_| "internal")?;
        if let Some(issuer) = &issuer {
            check_url("ISSUER", issuer)?;
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
    }
}
