//! Implementation detail of [`jwt-guard`]: the `#[authenticate]` attribute.
//!
//! Use it through `jwt_guard::authenticate`; the code it generates names items of
//! `::jwt_guard::__private`, so this crate is of no use on its own.
//!
//! [`jwt-guard`]: https://docs.rs/jwt-guard

mod args;
mod expand;

use proc_macro::TokenStream;

/// Runs a registered authentication strategy before the body of an async function.
///
/// `#[authenticate("jwt")]` reads the request headers, runs the strategy registered under
/// `"jwt"` and only then runs the body. When the strategy refuses the request the body
/// does not run and the function returns the [`Error`], which axum turns into a 401 (or
/// 403, 5xx) response.
///
/// The declared return type `R` becomes `Result<R, jwt_guard::Error>`; `return` and `?`
/// in the body keep meaning what they meant.
///
/// # Where the headers come from
///
/// - **axum handlers** take no extra parameter: the attribute adds a hidden extractor,
///   first in the list, that takes the request headers.
/// - A function with a parameter of type `HeaderMap`, `Request<B>` or
///   `http::request::Parts` (or a reference to one) is authenticated with that parameter's
///   headers, and gets no hidden parameter.
/// - A **method** with `self` must have such a parameter: there is no request to take
///   the headers from otherwise. Associated functions without `self` are like free
///   functions.
///
/// # The principal
///
/// A parameter of type [`Principal`] is removed from the signature and bound to the
/// authenticated caller; there can be one.
///
/// # Options
///
/// | option | meaning |
/// | --- | --- |
/// | `"name"` (first, required) | the name the strategy was registered under |
/// | `crate = "path"` | where the runtime crate is, when it is renamed or re-exported; a bare path works too. Defaults to `::jwt_guard` |
///
/// # Examples
///
/// An axum handler. The hidden parameter takes the headers; `who` is the caller:
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
/// Equivalent code without `#[authenticate]`:
///
/// ```
/// # use axum::Json;
/// # use axum::extract::Path;
/// # use jwt_guard::Principal;
/// # use serde_json::{Value, json};
/// async fn show(
///     headers: http::HeaderMap,
///     Path(id): Path<u32>,
/// ) -> Result<Json<Value>, jwt_guard::Error> {
///     let who: Principal = jwt_guard::authenticate("jwt", &headers).await?;
///     Ok(Json(json!({ "id": id, "sub": who.subject() })))
/// }
/// # let app: axum::Router = axum::Router::new().route("/items/{id}", axum::routing::get(show));
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
/// [`Error`]: https://docs.rs/jwt-guard/latest/jwt_guard/struct.Error.html
/// [`Principal`]: https://docs.rs/jwt-guard/latest/jwt_guard/struct.Principal.html
#[proc_macro_attribute]
pub fn authenticate(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::authenticate(args.into(), item.into()).into()
}
