// `#[authenticate]` on the impl block of a tonic service: one error, naming the gRPC
// layer; the block is left as written (and `#[tonic::async_trait]` below still expands).
use jwt_guard::authenticate;
use tonic::{Request, Response, Status};

pub struct GetRequest;
pub struct Order;

#[tonic::async_trait]
pub trait Orders: Send + Sync + 'static {
    async fn get(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status>;
}

struct Service;

#[authenticate("jwt")]
#[tonic::async_trait]
impl Orders for Service {
    async fn get(&self, _request: Request<GetRequest>) -> Result<Response<Order>, Status> {
        Ok(Response::new(Order))
    }
}

fn main() {}
