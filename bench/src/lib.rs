//! Benchmarks only: see `benches/guard.rs` and `load.sh`.
