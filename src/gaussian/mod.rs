//! Gaussian expectations.
//!
//! - [`activation`]: activation functions and their Hermite coefficients $\mu_0, \mu_1, \mu_\star$.
//! - [`normal`]: the standard normal distribution with tail-stable functions.

pub mod activation;
pub mod normal;

pub use activation::{Activation, ActivationCoefficients};
