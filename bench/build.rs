//! The gRPC code of the examples' `orders.proto` (tonic + prost, through protox: no
//! `protoc` needed), for the load benchmark's gRPC server and client (`src/bin/load.rs`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "../examples/proto/orders.proto";
    println!("cargo:rerun-if-changed={proto}");
    let descriptors = protox::compile([proto], ["../examples/proto"])?;
    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
