//! Finite-size Monte Carlo simulation (in progress).

pub mod membership;
