//! The jwt-guard examples live in `examples/`, one file each, with every jwt-guard call
//! in the file itself: `cargo run --example server` (axum), `--example actix`,
//! `--example custom-strategy`, `--example layer` (a whole axum router behind one tower
//! layer), `--example grpc` (a tonic service behind the gRPC layer).
