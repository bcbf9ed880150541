//! Finite-size Monte Carlo simulation (in progress).
