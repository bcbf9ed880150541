//! Gaussian expectations.
//!
//! - [`activation`]: activation functions and their Hermite coefficients $\mu_0, \mu_1, \mu_\star$
//!   (closed forms, or adaptive Gauss–Legendre quadrature split at kinks; cached for built-ins).
//! - [`normal`]: the standard normal distribution with tail-stable functions ($\Phi$, $\bar\Phi$,
//!   $\log\bar\Phi$, $\Phi^{-1}$, and an accurate $\operatorname{erf}$).

pub mod activation;
pub mod normal;

pub use activation::{Activation, ActivationCoefficients, CustomActivation};
