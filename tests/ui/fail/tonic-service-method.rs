// `#[authenticate]` on a method of a tonic service (an `#[tonic::async_trait]` impl of the
// generated trait): tonic calls it through the generated service, so neither the hidden
// guard nor the wrapped return type can work. One error, naming the gRPC layer; the impl
// is left as written, so nothing else is reported.
use jwt_guard::authenticate;
use tonic::{Request, Response, Status};

pub struct GetRequest;
pub struct Order;

#[tonic::async_trait]
pub trait Orders: Send + Sync + 'static {
    async fn get(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status>;
}

struct Service;

#[tonic::async_trait]
impl Orders for Service {
    #[authenticate("jwt")]
    async fn get(&self, _request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        Ok(Response::new(Order))
    }
}

fn main() {}
