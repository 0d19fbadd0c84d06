//! Generates the gRPC code of `orders.proto` (tonic + prost) with protox: pure Rust, no
//! `protoc` binary needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "../examples/proto/orders.proto";
    println!("cargo:rerun-if-changed={proto}");
    let descriptors = protox::compile([proto], ["../examples/proto"])?;
    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
