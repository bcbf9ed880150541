//! Finite-size Monte Carlo simulation of the models whose limits [`crate::theory`] computes.
//!
//! - [`ridge`]: isotropic linear ridge / min-norm regression (Hastie–Montanari–Rosset–Tibshirani).
//! - [`random_features`]: random-features ridge regression (Mei–Montanari), with the
//!   variance-reduced estimator that averages exactly over the target and the noise.
//! - [`data`]: inputs on the sphere or Gaussian, linear and degree-2 Gaussian-process targets.
//! - [`estimate`]: per-trial values with mean and standard error ([`Estimate`]).
//! - [`rng`]: one portable random stream per trial, so runs are reproducible bit for bit
//!   whatever the number of threads.
//! - the dense kernel is [`crate::linalg`] (`sim::linalg` is kept as an alias of it).
//!
//! Every simulation follows the params pattern: a public-field struct, `check()` to a validated
//! simulator, then `run(seed, trials, progress)` returning an [`Estimate`] per metric. Trials run
//! in parallel with rayon; the linear algebra inside a trial is single-threaded.

pub mod adversarial;
pub mod data;
pub mod estimate;
pub mod membership;
mod progress;
pub mod random_features;
pub mod ridge;
pub mod rng;

/// The dense kernel moved to [`crate::linalg`]; this path is kept as a deprecated alias.
pub use crate::linalg;
pub use data::InputDistribution;
pub use estimate::{Estimate, PointEstimate};
