//! A worked example of verifying an external implementation against the crate.
//!
//! The text below is `docs/property_testing.md`; its code blocks run as doctests (they need the
//! `proptest` feature, which the crate's dev-dependency enables for `cargo test`).
#![doc = include_str!("../../docs/property_testing.md")]
