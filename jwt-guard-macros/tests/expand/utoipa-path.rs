// `#[utoipa::path]` below `#[authenticate]`: beside the function, a stand-in
// `__path_hello` in a hidden module, glob-imported so that utoipa's own `__path_hello`
// shadows it; in the body, the site registered for the OpenAPI modifier.
#[authenticate("jwt", scopes = ["orders:read"])]
#[utoipa::path(get, path = "/hello", responses((status = 200, body = String)))]
pub async fn hello() -> String {
    "hello".to_owned()
}
