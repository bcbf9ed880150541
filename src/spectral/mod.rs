//! Stieltjes transforms of limiting spectral distributions.
//!
//! - [`marchenko_pastur`]: the Marchenko–Pastur law in closed form (density, edges, atom,
//!   Stieltjes transform with a deliberate Herglotz branch, companion transform, resolvent
//!   moments on the negative axis). It is the crate's only implementation of these closed
//!   forms: ridge, membership inference and the adversarial models call it.
//! - [`herglotz`]: physical-root selection for algebraic Stieltjes equations by continuation
//!   from $z = iH$ (polynomial and fixed-point variants), and an Aberth–Ehrlich polynomial
//!   root finder.

pub mod herglotz;
pub mod marchenko_pastur;

#[allow(deprecated)]
pub use herglotz::ContinuationOptions;
pub use herglotz::{
    HerglotzOptions, HerglotzRoot, PolynomialRoots, herglotz_root, polynomial_roots,
};
pub use marchenko_pastur::{MarchenkoPastur, NegativeRealStieltjes, ResolventMoments};
