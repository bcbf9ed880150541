//! Exact proportional-limit theory, one module per model.
//!
//! Each model is a small parameter struct (unchecked, public fields) with a `check()` that
//! validates it once and returns the checked type; the functions that compute risks take the
//! checked type and can only fail on convergence.

pub mod adversarial;
pub mod dynamics;
pub mod membership;
pub mod random_features;
pub mod rf_dynamics;
pub mod rf_equivalent;
pub mod ridge;
pub mod two_layer;
