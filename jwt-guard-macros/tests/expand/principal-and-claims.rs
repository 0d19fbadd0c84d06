// `Principal` and `Claims<T>` are removed from the signature and bound, in order, from
// the principal the guard returns (cloned when there are several).
#[authenticate("jwt")]
async fn orders(Path(id): Path<u32>, who: Principal, claims: Claims<Caller>) -> Json<Value> {
    Json(json!({ "id": id, "sub": who.subject(), "tenant": claims.tenant }))
}
