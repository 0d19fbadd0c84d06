//! OpenAPI from the audit: `jwt_guard::openapi::utoipa::JwtSecurity` on a utoipa 5
//! document, and the same handlers in aide 0.15's `ApiRouter`. Handlers share function names across modules; `#[utoipa::path]` stands
//! below `#[authenticate]` (linked to its operation exactly) on some and above it
//! (matched by a unique function name) on others. Each operation is
//! checked, and the document is validated by `openapi-spec-validator` (Python, installed
//! by tests/openapi-validator/setup.sh into `target/openapi-validator/venv`). Without the
//! validator the validation test says so and passes locally; with `CI=true` it fails.

use std::path::PathBuf;

use jwt_guard::authenticate;
use jwt_guard::openapi::utoipa::JwtSecurity;
use serde_json::Value;
use utoipa::OpenApi;

mod orders {
    use super::authenticate;

    /// Lists orders: `#[authenticate]` above, so linked to its own operation.
    #[authenticate("oa-jwt", scopes = "orders:read")]
    #[utoipa::path(get, path = "/orders", operation_id = "orders_list",
        responses((status = 200, description = "the orders")))]
    pub(crate) async fn list() -> &'static str {
        "[]"
    }

    /// Creates an order: utoipa's attribute above, matched by its (unique) name.
    #[utoipa::path(post, path = "/orders",
        responses((status = 201, description = "created")))]
    #[authenticate("oa-jwt", "oa-key", scopes = all("orders:write", "orders:read"))]
    pub(crate) async fn create() -> &'static str {
        "{}"
    }

    /// A name shared with `users::item`, utoipa's attribute above: ambiguous.
    #[utoipa::path(get, path = "/orders/item", responses((status = 200, description = "an order")))]
    #[authenticate("oa-jwt")]
    pub(crate) async fn item() -> &'static str {
        "{}"
    }
}

mod payments {
    use super::authenticate;

    /// Step-up (RFC 9470): the extension names what a new authentication must meet.
    #[authenticate("oa-jwt", acr = any("urn:example:mfa", "urn:example:hwk"), max_age = "5m")]
    #[utoipa::path(post, path = "/payments", operation_id = "payments_create",
        responses((status = 200, description = "paid")))]
    pub(crate) async fn pay() -> &'static str {
        "paid"
    }
}

mod users {
    use super::authenticate;

    /// The same function name as `orders::list`, another module, other rules.
    #[authenticate("oa-jwt", roles = "admin")]
    #[utoipa::path(get, path = "/users", operation_id = "users_list",
        responses((status = 200, description = "the users")))]
    pub(crate) async fn list() -> &'static str {
        "[]"
    }

    /// Optional authentication, utoipa's attribute above.
    #[utoipa::path(get, path = "/users/me",
        responses((status = 200, description = "you, or anonymous")))]
    #[authenticate("oa-jwt", optional)]
    pub(crate) async fn me(who: Option<jwt_guard::Principal>) -> String {
        who.and_then(|p| p.subject().map(str::to_owned))
            .unwrap_or_default()
    }

    /// A name shared with `orders::item`, but `#[authenticate]` above: linked.
    #[authenticate("oa-jwt", scopes = "users:read")]
    #[utoipa::path(get, path = "/users/item", operation_id = "users_item", responses((status = 200, description = "a user")))]
    pub(crate) async fn item() -> &'static str {
        "{}"
    }
}

/// Not protected: left alone.
#[utoipa::path(get, path = "/health", responses((status = 200, description = "alive")))]
async fn health() -> &'static str {
    "ok"
}

#[derive(OpenApi)]
#[openapi(
    paths(orders::list, orders::create, orders::item, users::list, users::me, users::item, payments::pay, health),
    modifiers(&JwtSecurity)
)]
struct Api;

fn doc() -> Value {
    serde_json::to_value(Api::openapi()).expect("serializes")
}

fn op<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]
}

fn statuses(op: &Value) -> Vec<String> {
    op["responses"]
        .as_object()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_protected_operation_documents_its_security_and_refusals() {
    let doc = doc();
    // Schemes: one bearer scheme per strategy used.
    for scheme in ["oa-jwt", "oa-key"] {
        let s = &doc["components"]["securitySchemes"][scheme];
        assert_eq!(s["type"], "http", "{scheme}: {s}");
        assert_eq!(s["scheme"], "bearer");
        assert_eq!(s["bearerFormat"], "JWT");
    }

    // orders::list: its scopes, 401/403/503, its own 200 kept.
    let list = op(&doc, "/orders", "get");
    assert_eq!(
        list["security"],
        serde_json::json!([{ "oa-jwt": ["orders:read"] }])
    );
    assert_eq!(statuses(list), ["200", "401", "403", "503"]);
    assert!(list["responses"]["401"]["headers"]["WWW-Authenticate"].is_object());

    // payments::pay: step-up, in the extension and the 401's description; no 403.
    assert_step_up(op(&doc, "/payments", "post"), true);
    assert!(list.get("x-jwt-guard-step-up").is_none(), "{list}");

    // orders::create (attribute above utoipa's): two strategies as alternatives.
    let create = op(&doc, "/orders", "post");
    assert_eq!(
        create["security"],
        serde_json::json!([
            { "oa-jwt": ["orders:write", "orders:read"] },
            { "oa-key": ["orders:write", "orders:read"] }
        ])
    );
    assert_eq!(statuses(create), ["201", "401", "403", "503"]);

    // users::list: same function name as orders::list, matched to its own site (roles,
    // no scopes), not to the other module's.
    let users = op(&doc, "/users", "get");
    assert_eq!(users["security"], serde_json::json!([{ "oa-jwt": [] }]));
    assert_eq!(statuses(users), ["200", "401", "403", "503"]);

    // users::me: optional, so anonymous is an alternative; no scopes or roles, no 403.
    let me = op(&doc, "/users/me", "get");
    assert_eq!(me["security"], serde_json::json!([{ "oa-jwt": [] }, {}]));
    assert_eq!(statuses(me), ["200", "401", "503"]);

    // users::item: linked, although orders::item shares its name.
    let user_item = op(&doc, "/users/item", "get");
    assert_eq!(
        user_item["security"],
        serde_json::json!([{ "oa-jwt": ["users:read"] }])
    );
    // orders::item: utoipa's attribute above and a shared name: not guessed (logged);
    let order_item = op(&doc, "/orders/item", "get");
    assert!(order_item.get("security").is_none(), "{order_item}");

    // Not protected: untouched.
    let health = op(&doc, "/health", "get");
    assert!(health.get("security").is_none(), "{health}");
    assert_eq!(statuses(health), ["200"]);
}

#[test]
fn the_documented_handlers_are_axum_handlers() {
    use axum::routing::get;
    let _app: axum::Router = axum::Router::new()
        .route("/orders", get(orders::list).post(orders::create))
        .route("/users", get(users::list))
        .route("/users/me", get(users::me))
        .route("/orders/item", get(orders::item))
        .route("/users/item", get(users::item))
        .route("/health", get(health));
}

#[test]
fn modifying_twice_adds_nothing() {
    let mut doc = Api::openapi();
    utoipa::Modify::modify(&JwtSecurity, &mut doc);
    assert_eq!(serde_json::to_value(&doc).expect("json"), self::doc());
}

/// The step-up operation of `payments::pay`, in either document; `described`: its 401
/// says why (utoipa; aide keeps the 401 of the handler's `Error`, described first).
fn assert_step_up(op: &Value, described: bool) {
    assert_eq!(
        op["x-jwt-guard-step-up"],
        serde_json::json!({ "acr_values": ["urn:example:mfa", "urn:example:hwk"], "max_age": 300 }),
        "{op}"
    );
    assert_eq!(statuses(op), ["200", "401", "503"], "{op}");
    let description = op["responses"]["401"]["description"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        description.contains("insufficient_user_authentication"),
        described,
        "{op}"
    );
}

/// A handler under a layer: `Principal` as an ordinary extractor.
async fn whoami(who: jwt_guard::Principal) -> String {
    who.subject().unwrap_or_default().to_owned()
}

/// The same handlers in aide's `ApiRouter`: the attribute's handlers are aide handlers.
fn aide_doc() -> Value {
    use aide::axum::ApiRouter;
    use aide::axum::routing::get;
    let mut api = aide::openapi::OpenApi::default();
    api.info.title = "jwt-guard aide test".to_owned();
    api.info.version = "1".to_owned();
    let _router: axum::Router = ApiRouter::new()
        .api_route("/orders", get(orders::list).post(orders::create))
        .api_route("/users", get(users::list))
        .api_route("/users/me", get(users::me))
        .api_route("/payments", aide::axum::routing::post(payments::pay))
        .api_route("/health", get(health))
        .api_route("/whoami", get(whoami))
        .finish_api(&mut api);
    jwt_guard::openapi::aide::security_schemes(&mut api);
    serde_json::to_value(&api).expect("json")
}

#[test]
fn aide_documents_the_attributed_handlers() {
    let doc = aide_doc();
    for scheme in ["oa-jwt", "oa-key"] {
        let s = &doc["components"]["securitySchemes"][scheme];
        assert_eq!(s["type"], "http", "{scheme}: {doc}");
        assert_eq!(s["scheme"], "bearer");
    }
    let list = op(&doc, "/orders", "get");
    assert_eq!(
        list["security"],
        serde_json::json!([{ "oa-jwt": ["orders:read"] }])
    );
    assert_eq!(statuses(list), ["200", "401", "403", "503"], "{list}");
    let create = op(&doc, "/orders", "post");
    assert_eq!(
        create["security"],
        serde_json::json!([
            { "oa-jwt": ["orders:write", "orders:read"] },
            { "oa-key": ["orders:write", "orders:read"] }
        ])
    );
    let users = op(&doc, "/users", "get");
    assert_eq!(users["security"], serde_json::json!([{ "oa-jwt": [] }]));
    assert_eq!(statuses(users), ["200", "401", "403", "503"]);
    let me = op(&doc, "/users/me", "get");
    assert_eq!(me["security"], serde_json::json!([{ "oa-jwt": [] }, {}]));
    assert_eq!(statuses(me), ["200", "401", "503"], "{me}");
    let health = op(&doc, "/health", "get");
    assert!(health.get("security").is_none(), "{health}");
    assert!(!statuses(health).contains(&"401".to_owned()));
    assert_step_up(op(&doc, "/payments", "post"), false);
    // Under a layer the route's policy is not known: the extractor's 401 only.
    let whoami = op(&doc, "/whoami", "get");
    assert_eq!(statuses(whoami), ["200", "401", "503"], "{whoami}");
}

/// The venv's Python with `openapi_spec_validator`, installed by
/// `tests/openapi-validator/setup.sh` on first use.
fn validator() -> PathBuf {
    let python = jwt_guard_tests::install("openapi-validator").join("venv/bin/python");
    let probe = std::process::Command::new(&python)
        .args(["-c", "import openapi_spec_validator"])
        .output();
    match probe {
        Ok(out) if out.status.success() => python,
        Ok(out) => panic!(
            "{} cannot import openapi_spec_validator: {}; run tests/openapi-validator/setup.sh",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(err) => panic!(
            "{}: {err}; run tests/openapi-validator/setup.sh",
            python.display()
        ),
    }
}

#[test]
fn an_independent_validator_accepts_the_document() {
    let python = validator();
    let dir = jwt_guard_tests::target_dir().join("openapi-validator");
    std::fs::create_dir_all(&dir).expect("dir");
    let check = |name: &str, doc: &Value| {
        let file = dir.join(name);
        std::fs::write(&file, serde_json::to_vec_pretty(doc).expect("json")).expect("write");
        let out = std::process::Command::new(&python)
            .args(["-m", "openapi_spec_validator"])
            .arg(&file)
            .output()
            .expect("run the validator");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, report) = check("utoipa.json", &doc());
    assert!(ok, "the validator refuses the utoipa document:\n{report}");
    let (ok, report) = check("aide.json", &aide_doc());
    assert!(ok, "the validator refuses the aide document:\n{report}");
    // The validator does refuse a broken one: a requirement naming no scheme.
    let mut broken = doc();
    broken["components"]["securitySchemes"]
        .as_object_mut()
        .expect("schemes")
        .clear();
    broken["paths"]["/orders"]["get"]["responses"] = serde_json::json!("not a map");
    let (ok, _) = check("utoipa-broken.json", &broken);
    assert!(!ok, "the validator accepts anything: it proves nothing");
}
