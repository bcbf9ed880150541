//! Stieltjes transforms of limiting spectral distributions.
//!
//! - [`marchenko_pastur`]: the Marchenko–Pastur law in closed form.
//! - [`herglotz`]: physical-root selection for algebraic Stieltjes equations.

pub mod herglotz;
pub mod marchenko_pastur;
