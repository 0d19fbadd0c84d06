//! Shared code of the jwt-guard examples: the example servers' configuration, read from
//! the environment and from matching flags (flags win), and their common start-up.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use jwt_guard::cache::TokenCacheConfig;
use jwt_guard::testkit::Issuer;
use jwt_guard::{Algorithm, JwtStrategy};

/// Reads the configuration from the environment and the flags. `Err` is the exit code
/// to stop with: 0 after printing the usage for `--help`, 2 after explaining a bad value.
pub fn read_config() -> Result<ServerConfig, ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match ServerConfig::from_sources(|k| std::env::var(k).ok(), &args) {
        Ok(Some(config)) => Ok(config),
        Ok(None) => {
            println!("{USAGE}");
            Err(ExitCode::SUCCESS)
        }
        Err(message) => {
            eprintln!("error: {message}");
            Err(ExitCode::from(2))
        }
    }
}

/// The exit code of a run: 1 after printing the error.
pub fn exit_code(outcome: Result<(), String>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The issuer the example trusts: the configured one, or an embedded one on 127.0.0.1
/// (kept alive by this value) when `ISSUER` is not set.
#[derive(Debug)]
pub struct TrustedIssuer {
    /// The issuer URL.
    pub url: String,
    /// The embedded issuer, when no `ISSUER` was configured.
    pub embedded: Option<Issuer>,
}

impl TrustedIssuer {
    /// Starts the embedded issuer if the configuration names none.
    pub async fn from_config(config: &ServerConfig) -> Result<Self, String> {
        match &config.issuer {
            Some(url) => Ok(Self {
                url: url.clone(),
                embedded: None,
            }),
            None => {
                let issuer = Issuer::start()
                    .await
                    .map_err(|e| format!("cannot start the embedded issuer: {e}"))?;
                Ok(Self {
                    url: issuer.issuer().to_owned(),
                    embedded: Some(issuer),
                })
            }
        }
    }

    /// The `JwtStrategy` the configuration describes, for this issuer.
    pub fn strategy(&self, config: &ServerConfig) -> Result<JwtStrategy, String> {
        let mut builder = JwtStrategy::builder()
            .issuer(&self.url)
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
        builder.build().map_err(|e| e.to_string())
    }
}

/// Runs the start-up audit: prints the protected handlers, or refuses to start when a
/// handler names a strategy nobody registered.
pub fn audit_or_refuse() -> Result<(), String> {
    let audit = jwt_guard::Registry::global()
        .audit()
        .map_err(|e| format!("refusing to start: {e}"))?;
    print!("{audit}");
    Ok(())
}

/// The example server's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// `ISSUER` / `--issuer`. `None` starts the embedded issuer.
    pub issuer: Option<String>,
    /// `JWKS_URI` / `--jwks-uri`. Defaults to `ISSUER/.well-known/jwks.json`.
    pub jwks_uri: Option<String>,
    /// `AUDIENCE` / `--audience`. Not checked when absent.
    pub audience: Option<String>,
    /// `ALGORITHMS` / `--algorithms`, comma-separated. Defaults to `RS256`.
    pub algorithms: Vec<Algorithm>,
    /// `HOST` / `--host`. Defaults to 127.0.0.1.
    pub host: IpAddr,
    /// `PORT` / `--port`. Defaults to 3000.
    pub port: u16,
    /// `TOKEN_CACHE` / `--token-cache` (`1`/`true` or `0`/`false`): the verified-token
    /// cache. Defaults to off.
    pub token_cache: bool,
}

/// The `--help` text.
pub const USAGE: &str = "\
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
    pub fn from_sources(
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
    pub fn addr(&self) -> SocketAddr {
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
