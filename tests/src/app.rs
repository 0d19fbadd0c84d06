//! The app shared by the axum and actix-web suites (`authz.rs`, `actix.rs`): handlers
//! written once ([`app_handlers!`](crate::app_handlers) — they return `String`, a
//! response in both frameworks), the strategies, and the checks, each run against a
//! real server on 127.0.0.1 with tokens from [`Issuer`].

use http::HeaderMap;
use jwt_guard::testkit::Issuer;
use jwt_guard::{BoxFuture, Error, ErrorKind, JwtStrategy, Principal, Strategy};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::{bearer, get};

// ── claims types ──────────────────────────────────────────────────────────────────

#[derive(Debug, Deserialize)]
pub struct Profile {
    pub sub: String,
    #[serde(default)]
    pub tenant: Option<String>,
}

/// Needs a `tenant`: a token without one does not fit.
#[derive(Debug, Deserialize)]
pub struct Strict {
    pub tenant: String,
}

// ── handlers ──────────────────────────────────────────────────────────────────────

/// The app's `#[authenticate]` handlers, as items of the module that expands it:
///
/// ```ignore
/// mod handlers {
///     jwt_guard_tests::app_handlers!();
/// }
/// ```
///
/// A macro, not items of this library, because the attribute registers each site at link
/// time for the [audit](jwt_guard::Registry::audit): here, every suite that links the
/// library would list them and fail its audit without "jwt", "kc" and "api-key".
#[macro_export]
macro_rules! app_handlers {
    () => {
        use ::jwt_guard::{Claims, Principal, authenticate};
        use $crate::app::{Profile, Strict};

        #[authenticate("jwt", "api-key")]
        pub(crate) async fn either(who: Principal) -> String {
            format!("{} {}", who.strategy(), who.subject().unwrap_or("-"))
        }

        #[authenticate("jwt", scopes = ["orders:read"])]
        pub(crate) async fn orders(claims: Claims<Profile>) -> String {
            format!(
                "orders of {} in {}",
                claims.sub,
                claims.tenant.as_deref().unwrap_or("-")
            )
        }

        #[authenticate("jwt", scopes = all("orders:read", "orders:write"))]
        pub(crate) async fn write() -> String {
            "written".to_owned()
        }

        #[authenticate("jwt", "api-key", roles = any("admin", "ops"))]
        pub(crate) async fn admin(who: Principal) -> String {
            format!("admin {}", who.roles().join(","))
        }

        /// Roles from `realm_access.roles` (set for the "kc" strategy at start-up).
        #[authenticate("kc", roles = all("admin", "eu"))]
        pub(crate) async fn realm() -> String {
            "realm ok".to_owned()
        }

        #[authenticate("jwt", optional)]
        pub(crate) async fn maybe(claims: Option<Claims<Profile>>) -> String {
            match claims {
                Some(claims) => format!("hello {}", claims.sub),
                None => "hello anonymous".to_owned(),
            }
        }

        #[authenticate("jwt")]
        pub(crate) async fn strict(claims: Claims<Strict>, who: Principal) -> String {
            format!("{} {}", claims.tenant, who.strategy())
        }

        pub(crate) struct Orders;

        #[authenticate("jwt")]
        impl Orders {
            pub(crate) async fn list(who: Principal) -> String {
                format!("list for {}", who.subject().unwrap_or("-"))
            }

            #[authenticate(skip)]
            pub(crate) async fn health() -> String {
                "healthy".to_owned()
            }
        }
    };
}

// ── strategies ────────────────────────────────────────────────────────────────────

/// A custom strategy: `X-API-Key: <key>`. No header → no credentials of its kind (the
/// next strategy is tried); an unknown key → 401.
#[derive(Debug)]
pub struct ApiKey;

pub const SERVICE_KEY: &str = "key-service-7f3a";

impl Strategy for ApiKey {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, Error>> {
        Box::pin(async move {
            let Some(key) = headers.get("x-api-key") else {
                return Err(Error::new(ErrorKind::MissingAuthorization));
            };
            if key.as_bytes() != SERVICE_KEY.as_bytes() {
                return Err(Error::unauthorized("Invalid API key"));
            }
            let Value::Object(claims) =
                json!({ "sub": "billing-service", "roles": ["ops"], "scope": "orders:read" })
            else {
                unreachable!()
            };
            Ok(Principal::new(claims))
        })
    }
}

/// Registers "jwt", "kc" (roles at `realm_access.roles`) and "api-key", and checks the
/// audit.
pub fn register(issuer: &Issuer) {
    let jwt = || {
        JwtStrategy::builder()
            .issuer(issuer.issuer())
            .build()
            .expect("strategy")
    };
    let keycloak = JwtStrategy::builder()
        .issuer(issuer.issuer())
        .roles_claim("realm_access.roles")
        .build()
        .expect("strategy");
    jwt_guard::register("jwt", jwt()).expect("register");
    jwt_guard::register("kc", keycloak).expect("register");
    jwt_guard::register("api-key", ApiKey).expect("register");
    jwt_guard::Registry::global()
        .audit()
        .expect("every strategy is registered");
}

// ── the checks, run by both suites ────────────────────────────────────────────────

const INVALID_TOKEN: &str = "Bearer error=\"invalid_token\"";

pub async fn several_strategies(base: &str, issuer: &Issuer) {
    let token = issuer.token(json!({ "sub": "ada" }));
    bearer(base, "/either", &token).await.assert_ok("jwt ada");
    get(base, "/either", &[("x-api-key", SERVICE_KEY)])
        .await
        .assert_ok("api-key billing-service");
    // Another scheme is "no credentials" for jwt: the API key decides.
    get(
        base,
        "/either",
        &[("authorization", "Basic YTpi"), ("x-api-key", SERVICE_KEY)],
    )
    .await
    .assert_ok("api-key billing-service");
    // A strategy that finds credentials and refuses them ends the chain.
    get(base, "/either", &[("x-api-key", "wrong")])
        .await
        .assert_error(401, "Invalid API key", INVALID_TOKEN);
    get(
        base,
        "/either",
        &[
            ("authorization", "Bearer not.a.jwt"),
            ("x-api-key", SERVICE_KEY),
        ],
    )
    .await
    .assert_error(401, "Invalid token: jwt malformed", INVALID_TOKEN);
    // Nobody found credentials: the error names what was expected.
    get(base, "/either", &[]).await.assert_error(
        401,
        r#"No credentials: expected "jwt" or "api-key""#,
        "Bearer",
    );
}

pub async fn scopes(base: &str, issuer: &Issuer) {
    let read =
        issuer.token(json!({ "sub": "ada", "tenant": "eu", "scope": "profile orders:read" }));
    bearer(base, "/orders", &read)
        .await
        .assert_ok("orders of ada in eu");
    // `scp` as an array counts too.
    let scp = issuer.token(json!({ "sub": "bob", "scp": ["orders:read"] }));
    bearer(base, "/orders", &scp)
        .await
        .assert_ok("orders of bob in -");
    // Authenticated without the scope: 403 naming the scope (RFC 6750 §3.1).
    let none = issuer.token(json!({ "sub": "eve", "scope": "profile" }));
    bearer(base, "/orders", &none).await.assert_error(
        403,
        "Insufficient scope",
        r#"Bearer error="insufficient_scope", scope="orders:read""#,
    );
    bearer(base, "/write", &read).await.assert_error(
        403,
        "Insufficient scope",
        r#"Bearer error="insufficient_scope", scope="orders:read orders:write""#,
    );
    let both = issuer.token(json!({ "scope": "orders:write orders:read" }));
    bearer(base, "/write", &both).await.assert_ok("written");
    // Not authenticated stays 401, even where a scope is required; its challenge names
    // the scope the route requires, so that the client knows what to ask for.
    get(base, "/orders", &[]).await.assert_error(
        401,
        "Authorization header is missing",
        r#"Bearer scope="orders:read""#,
    );
    let expired = issuer.token(json!({ "scope": "orders:read", "exp": 1 }));
    bearer(base, "/orders", &expired).await.assert_error(
        401,
        "Invalid token: jwt expired",
        r#"Bearer error="invalid_token", scope="orders:read""#,
    );
}

pub async fn roles(base: &str, issuer: &Issuer) {
    let ops = issuer.token(json!({ "roles": ["viewer", "ops"] }));
    bearer(base, "/admin", &ops)
        .await
        .assert_ok("admin viewer,ops");
    // A custom strategy's principal is checked the same way.
    get(base, "/admin", &[("x-api-key", SERVICE_KEY)])
        .await
        .assert_ok("admin ops");
    let viewer = issuer.token(json!({ "roles": ["viewer"] }));
    bearer(base, "/admin", &viewer).await.assert_error(
        403,
        "Insufficient role",
        r#"Bearer error="insufficient_scope""#,
    );
    // "kc" reads `realm_access.roles`, and needs all of them.
    let realm = issuer.token(json!({ "realm_access": { "roles": ["eu", "admin"] } }));
    bearer(base, "/realm", &realm).await.assert_ok("realm ok");
    let partial = issuer.token(json!({ "realm_access": { "roles": ["admin"] } }));
    bearer(base, "/realm", &partial).await.assert_error(
        403,
        "Insufficient role",
        r#"Bearer error="insufficient_scope""#,
    );
    let top_level = issuer.token(json!({ "roles": ["admin", "eu"] }));
    assert_eq!(bearer(base, "/realm", &top_level).await.status, 403);
    get(base, "/realm", &[])
        .await
        .assert_error(401, "Authorization header is missing", "Bearer");
}

pub async fn optional(base: &str, issuer: &Issuer) {
    get(base, "/maybe", &[]).await.assert_ok("hello anonymous");
    get(base, "/maybe", &[("authorization", "Basic YTpi")])
        .await
        .assert_ok("hello anonymous");
    let token = issuer.token(json!({ "sub": "ada" }));
    bearer(base, "/maybe", &token).await.assert_ok("hello ada");
    // Bad credentials are not "no credentials".
    let expired = issuer.token(json!({ "sub": "ada", "exp": 1 }));
    bearer(base, "/maybe", &expired).await.assert_error(
        401,
        "Invalid token: jwt expired",
        INVALID_TOKEN,
    );
    get(base, "/maybe", &[("authorization", "Bearer a b")])
        .await
        .assert_error(
            401,
            "Authorization header value has too many parts.",
            "Bearer error=\"invalid_request\"",
        );
}

pub async fn typed_claims(base: &str, issuer: &Issuer) {
    let fits = issuer.token(json!({ "tenant": "eu" }));
    bearer(base, "/strict", &fits).await.assert_ok("eu jwt");
    let misfit = issuer.token(json!({ "tenant": 42 }));
    bearer(base, "/strict", &misfit).await.assert_error(
        401,
        "Invalid token: invalid claims value",
        INVALID_TOKEN,
    );
}

pub async fn impl_block(base: &str, issuer: &Issuer) {
    get(base, "/list", &[])
        .await
        .assert_error(401, "Authorization header is missing", "Bearer");
    let token = issuer.token(json!({ "sub": "ada" }));
    bearer(base, "/list", &token)
        .await
        .assert_ok("list for ada");
    get(base, "/health", &[]).await.assert_ok("healthy");
}

/// The five shared checks as `#[tokio::test]`s against `$env` (an `Env` with `base` and
/// `issuer`): `jwt_guard_tests::shared_checks!(ENV);` in a suite.
#[macro_export]
macro_rules! shared_checks {
    ($env:expr) => {
        #[tokio::test]
        async fn several_strategies_first_success_wins() {
            $crate::app::several_strategies(&$env.base, &$env.issuer).await;
        }

        #[tokio::test]
        async fn scopes_answer_403_with_the_scope_challenge() {
            $crate::app::scopes(&$env.base, &$env.issuer).await;
        }

        #[tokio::test]
        async fn roles_from_a_claim_path() {
            $crate::app::roles(&$env.base, &$env.issuer).await;
        }

        #[tokio::test]
        async fn optional_runs_without_a_principal() {
            $crate::app::optional(&$env.base, &$env.issuer).await;
        }

        #[tokio::test]
        async fn typed_claims_are_deserialized_or_refused() {
            $crate::app::typed_claims(&$env.base, &$env.issuer).await;
        }
    };
}
