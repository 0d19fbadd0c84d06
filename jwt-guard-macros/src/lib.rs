//! Implementation detail of [`jwt-guard`]: the `#[authenticate]` attribute.
//!
//! Use it through `jwt_guard::authenticate`; the code it generates names items of
//! `::jwt_guard::__private`, so this crate is of no use on its own.
//!
//! [`jwt-guard`]: https://docs.rs/jwt-guard

mod args;
mod check;
mod config;
mod expand;
mod plan;
mod ty;

use proc_macro::TokenStream;

/// Runs registered authentication strategies, and checks scopes and roles, before the
/// body of an async function (or of every async method of an impl block).
///
/// `#[authenticate("jwt")]` authenticates the request with the strategy registered under
/// `"jwt"` and only then runs the body. When the strategy refuses the request the body
/// does not run and the function returns the [`Error`], which axum and actix-web turn
/// into a 401 (or 403, 5xx) response.
///
/// The declared return type `R` becomes `Result<R, jwt_guard::Error>`; `return` and `?`
/// in the body keep meaning what they meant.
///
/// # When authentication runs
///
/// - **axum and actix-web handlers** get a hidden first parameter, an extractor that
///   authenticates when it is extracted: a refused request is answered before any other
///   extractor runs and before the request body is read.
/// - A function with a parameter of type `Request<B>`, `http::request::Parts` or
///   actix-web's `HttpRequest` (or a reference to one), or `&HeaderMap`, gets no hidden
///   parameter: it is authenticated with that parameter's headers, first thing in the
///   body. Such a function can be called directly, outside any framework.
/// - A handler's own `HeaderMap` **by value** gets the hidden parameter beside it: a
///   `HeaderMap` carries no registry, and the hidden guard authenticates with the
///   registry of the request it serves.
///
/// # Which registry
///
/// Every form uses the [`Registry`] the request carries (`axum::Extension(registry)`,
/// actix-web's `app_data`), else the global one — except `&HeaderMap` (and a method's
/// `HeaderMap`): there is no request to carry one, so it is always the global registry.
/// The [audit] shows each site's form; the audit of a registry that serves modules of
/// its own fails on such a site.
///
/// # With `#[tracing::instrument]`
///
/// `#[instrument]` records every parameter with `Debug`, and the header source holds the
/// bearer token. Written **below** `#[authenticate]`, it is seen by the attribute, which
/// adds the header source and the hidden guard to its `skip(..)`. Written **above**, it
/// has expanded before the attribute runs: write the `skip(..)` yourself, naming the
/// `HeaderMap` / `Request` / `Parts` parameter, or use `skip_all`:
///
/// ```
/// use jwt_guard::authenticate;
///
/// #[tracing::instrument(skip(headers))] // above: skip the headers by hand
/// #[authenticate("jwt")]
/// async fn above(headers: http::HeaderMap) -> String {
///     format!("{} headers", headers.len())
/// }
///
/// #[authenticate("jwt")]
/// #[tracing::instrument] // below: the attribute skips `headers` and its hidden guard
/// async fn below(headers: http::HeaderMap) -> String {
///     format!("{} headers", headers.len())
/// }
/// # let app: axum::Router = axum::Router::new()
/// #     .route("/a", axum::routing::get(above))
/// #     .route("/b", axum::routing::get(below));
/// ```
/// - A **method** with `self` must have such a parameter: there is no request to take
///   the headers from otherwise. Associated functions without `self` are like free
///   functions.
///
/// # With `#[axum::debug_handler]`
///
/// Write it **below** `#[authenticate]`: it then checks the guarded function, hidden
/// guard extractor included. Written above, it has expanded first and calls the function
/// with the parameters as written; where the attribute changes their number (a handler
/// with no parameter gets the hidden guard; a second `Principal`/`Claims<T>` is removed)
/// rustc reports E0061 on its hidden `Guard<..>` parameter. The attribute cannot see an
/// attribute above it, so it can neither fix nor explain this.
///
/// # What it generates
///
/// The expansion snapshots are the description of the generated code, one per case (a
/// plain handler, `Principal` and `Claims<T>`, `optional`, header parameters, methods,
/// impl blocks, requirements, `crate = ..`, `impl Trait` returns, `#[utoipa::path]` below
/// the attribute, a body that does not parse yet, a misuse): the inputs are in [`jwt-guard-macros/tests/expand/`], the
/// expanded code in [`jwt-guard-macros/tests/expand/snapshots/`].
///
/// [`jwt-guard-macros/tests/expand/`]: https://example.invalid/jwt-guard/tree/main/jwt-guard-macros/tests/expand
/// [`jwt-guard-macros/tests/expand/snapshots/`]: https://example.invalid/jwt-guard/tree/main/jwt-guard-macros/tests/expand/snapshots
///
/// # The principal and typed claims
///
/// A parameter of type [`Principal`] is removed from the signature and bound to the
/// authenticated caller; so is a parameter of type [`Claims<T>`], deserialized once from
/// the verified claims (`T: serde::Deserialize`). There can be one of each. With
/// `optional` they are `Option<Principal>` / `Option<Claims<T>>`, `None` for a request
/// without credentials.
///
/// # Options
///
/// | option | meaning |
/// | --- | --- |
/// | `"name", ..` (first, at least one) | the names the strategies were registered under, tried in order: one that finds no credentials of its kind passes to the next, one that refuses them ends the chain, and when all pass the answer is a 401 naming them |
/// | `scopes = R` | the token's scopes (`scope`, `scp`) must satisfy `R`, else 403 `insufficient_scope` |
/// | `roles = R` | the caller's roles (at the roles claim path, `roles` by default) must satisfy `R`, else 403 |
/// | `acr = "v"` or `acr = any("v", ..)` | step-up (RFC 9470): the token's `acr` must be one of the values, else 401 `insufficient_user_authentication` with `acr_values`; checked before `scopes` and `roles` |
/// | `max_age = "5m"` | step-up: the token's `auth_time` must be at most this old by the strategy's clock (`ms`, `s`, `m`, `h`, `d`; whole seconds, not zero), else 401 `insufficient_user_authentication` with `max_age` |
/// | `optional` | no credentials: the body runs with no principal; bad credentials: 401 |
/// | `skip` | alone, on a method of an impl block that has the attribute: not authenticated |
/// | `crate = "path"` | where the runtime crate is, when it is renamed or re-exported; a bare path works too. Defaults to `::jwt_guard` |
///
/// A requirement `R` is a string, a list `["a", "b"]` (all), `all(..)` or `any(..)`,
/// nested at will.
///
/// Every use registers itself for the [audit], which lists the protected handlers and
/// fails naming any strategy that is used but not registered.
///
/// # Examples
///
/// An axum handler. The hidden extractor authenticates; `who` is the caller:
///
/// ```
/// use axum::Json;
/// use axum::extract::Path;
/// use jwt_guard::{Principal, authenticate};
/// use serde_json::{Value, json};
///
/// #[authenticate("jwt")]
/// async fn show(Path(id): Path<u32>, who: Principal) -> Json<Value> {
///     Json(json!({ "id": id, "sub": who.subject() }))
/// }
///
/// let app: axum::Router = axum::Router::new().route("/items/{id}", axum::routing::get(show));
/// ```
///
/// Outside axum, with the headers of a plain `http::Request`:
///
/// ```
/// use jwt_guard::authenticate;
///
/// #[authenticate("jwt")]
/// async fn handle(request: http::Request<String>) -> String {
///     format!("hello, {}", request.body())
/// }
///
/// // `handle(request).await` is `Result<String, jwt_guard::Error>`.
/// ```
///
/// A method reads the headers from its own parameter:
///
/// ```
/// use jwt_guard::{Principal, authenticate};
///
/// struct Inbox;
///
/// impl Inbox {
///     #[authenticate("jwt")]
///     async fn unread(&self, headers: &http::HeaderMap, who: Principal) -> usize {
///         who.claims().len()
///     }
/// }
/// ```
///
/// Several strategies, scopes, roles and typed claims:
///
/// ```
/// use jwt_guard::{Claims, Principal, authenticate};
///
/// #[derive(serde::Deserialize)]
/// struct Caller {
///     sub: String,
/// }
///
/// #[authenticate("jwt", "api-key", scopes = ["orders:read"], roles = any("admin", "ops"))]
/// async fn orders(caller: Claims<Caller>, who: Principal) -> String {
///     format!("{} via {}", caller.sub, who.strategy())
/// }
/// # let app: axum::Router = axum::Router::new().route("/", axum::routing::get(orders));
/// ```
///
/// Step-up (RFC 9470): a strong and recent authentication, else a 401 whose challenge
/// asks for it (`acr_values`, `max_age`):
///
/// ```
/// use jwt_guard::{Principal, authenticate};
///
/// #[authenticate("jwt", acr = any("urn:example:mfa", "urn:example:hwk"), max_age = "5m")]
/// async fn transfer(who: Principal) -> String {
///     format!("approved for {}", who.subject().unwrap_or("-"))
/// }
/// # let app: axum::Router = axum::Router::new().route("/", axum::routing::post(transfer));
/// ```
///
/// A token carries one `acr`, so `all(..)` of several is refused:
///
/// ```compile_fail
/// #[jwt_guard::authenticate("jwt", acr = all("urn:example:mfa", "urn:example:hwk"))]
/// async fn transfer() {}
/// ```
///
/// ```text
/// error: a token carries one acr value, so it cannot meet all of several: write `acr = any(..)` to accept any one of them, or `acr = ".."` for one
///  --> src/main.rs:1:40
///   |
/// 1 | #[jwt_guard::authenticate("jwt", acr = all("urn:example:mfa", "urn:example:hwk"))]
///   |                                        ^^^
/// ```
///
/// `optional`:
///
/// ```
/// use jwt_guard::{Principal, authenticate};
///
/// #[authenticate("jwt", optional)]
/// async fn greet(who: Option<Principal>) -> String {
///     match who {
///         Some(who) => format!("hello {}", who.subject().unwrap_or("?")),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// # let app: axum::Router = axum::Router::new().route("/", axum::routing::get(greet));
/// ```
///
/// An impl block: every `async fn` is protected, except those marked `skip`; a method's
/// own attribute replaces the block's. A sync method is not a handler, but it must not
/// return a future (that would be a handler left unguarded): the attribute asserts it
/// on the return type, and a sync method that returns a future, or a type the assertion
/// cannot decide — one that names a generic parameter, `Self` of a generic block, an
/// associated type, or `impl Trait` — must be marked `#[authenticate(skip)]`. A macro
/// call in the block is refused (the methods it would expand to cannot be seen, and
/// would be left unguarded) unless it is marked `#[authenticate(skip)]`.
///
/// ```
/// use jwt_guard::authenticate;
///
/// struct Orders;
///
/// #[authenticate("jwt")]
/// impl Orders {
///     async fn list() -> &'static str {
///         "orders"
///     }
///
///     #[authenticate(skip)]
///     async fn health() -> &'static str {
///         "ok"
///     }
///
///     #[authenticate("jwt", roles = "admin")]
///     async fn purge() {}
///
///     fn new() -> Self {
///         Orders
///     }
/// }
/// # let app: axum::Router = axum::Router::new()
/// #     .route("/", axum::routing::get(Orders::list))
/// #     .route("/health", axum::routing::get(Orders::health))
/// #     .route("/purge", axum::routing::post(Orders::purge));
/// ```
///
/// With the runtime crate under another name, e.g. re-exported by a company crate:
///
/// ```
/// use jwt_guard as auth;
///
/// #[auth::authenticate("jwt", crate = "auth")]
/// async fn ping() -> &'static str {
///     "pong"
/// }
/// ```
///
/// # Not for tonic services
///
/// On a tonic service method, or on the impl block of a tonic service, the attribute is one
/// error naming `jwt_guard::tonic::GrpcAuthLayer`, the layer for gRPC servers (a
/// `Policy` per method), and the item is left as written.
///
/// # Mistakes
///
/// Misuse is a compile error on the offending token. A function that is not `async`:
///
/// ```compile_fail
/// #[jwt_guard::authenticate("jwt")]
/// fn ping() -> &'static str {
///     "pong"
/// }
/// ```
///
/// ```text
/// error: the `async` keyword is missing from the function declaration
///  --> src/main.rs:2:1
///   |
/// 2 | fn ping() -> &'static str {
///   | ^^
/// ```
///
/// A method without the request headers:
///
/// ```compile_fail
/// # struct Inbox;
/// impl Inbox {
///     #[jwt_guard::authenticate("jwt")]
///     async fn unread(&self) -> usize {
///         0
///     }
/// }
/// ```
///
/// ```text
/// error: #[authenticate] on a method needs the request headers: add a parameter of type `&HeaderMap` (or `&http::Request<B>`), e.g. `headers: &http::HeaderMap`
///  --> src/main.rs:4:21
///   |
/// 4 |     async fn unread(&self) -> usize {
///   |                     ^^^^^
/// ```
///
/// A claims type that is not `Deserialize`:
///
/// ```compile_fail
/// struct Caller {
///     sub: String,
/// }
///
/// #[jwt_guard::authenticate("jwt")]
/// async fn me(caller: jwt_guard::Claims<Caller>) -> String {
///     caller.sub.clone()
/// }
/// ```
///
/// ```text
/// error[E0277]: the claims type `Caller` does not implement `serde::Deserialize`
///  --> src/main.rs:6:37
///   |
/// 6 | async fn me(caller: jwt_guard::Claims<Caller>) -> String {
///   |                                       ^^^^^^ `Claims<T>` deserializes the verified claims into `T`
///   = note: add `#[derive(serde::Deserialize)]` to `Caller`
/// ```
///
/// `skip` with anything else:
///
/// ```compile_fail
/// # struct Api;
/// #[jwt_guard::authenticate("jwt")]
/// impl Api {
///     #[jwt_guard::authenticate(skip, optional)]
///     async fn health() -> &'static str {
///         "ok"
///     }
/// }
/// ```
///
/// ```text
/// error: `skip` cannot be combined with strategies or options: a skipped method is not authenticated at all; write `#[authenticate(skip)]` alone
///  --> src/main.rs:4:37
///   |
/// 4 |     #[jwt_guard::authenticate(skip, optional)]
///   |                                     ^^^^^^^^
/// ```
///
/// [`Error`]: https://docs.rs/jwt-guard/latest/jwt_guard/struct.Error.html
/// [`Principal`]: https://docs.rs/jwt-guard/latest/jwt_guard/struct.Principal.html
/// [`Claims<T>`]: https://docs.rs/jwt-guard/latest/jwt_guard/struct.Claims.html
/// [audit]: https://docs.rs/jwt-guard/latest/jwt_guard/struct.Registry.html#method.audit
/// [`Registry`]: https://docs.rs/jwt-guard/latest/jwt_guard/struct.Registry.html
#[proc_macro_attribute]
pub fn authenticate(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(check::check(args.into(), item.into())).into()
}
