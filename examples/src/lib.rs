//! Shared helpers for the jwt-guard examples.
