//! Finite-size Monte Carlo simulation (in progress).

pub mod adversarial;
pub mod membership;
