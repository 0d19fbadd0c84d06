// The plain case: an axum handler with no parameter of its own gets the hidden guard
// extractor, first; the body's value is annotated with the declared return type.
#[authenticate("jwt")]
pub async fn hello(Path(id): Path<u32>) -> String {
    format!("item {id}")
}
