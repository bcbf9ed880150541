//! # overparam
//!
//! Exact proportional-limit (high-dimensional) asymptotics of overparameterized models, each
//! cross-validated against finite-size simulation.
//!
//! In the proportional limit the sample size $n$, the input dimension $d$ and the number of
//! parameters $N$ grow together with fixed ratios ($\psi_1 = N/d$, $\psi_2 = n/d$, or
//! $\gamma = p/n$ for linear models). Test and training errors then concentrate on deterministic
//! limits that are solutions of scalar fixed-point equations; this crate computes those limits in
//! microseconds and simulates the finite-size models they describe.
//!
//! Modules:
//! - [`theory::ridge`]: linear ridge and min-norm regression (Hastie, Montanari, Rosset,
//!   Tibshirani 2022).
//! - [`theory::random_features`]: random-features ridge regression (Mei & Montanari 2022).
//! - [`theory::dynamics`]: training dynamics of least squares (gradient flow, gradient descent,
//!   heavy ball, Nesterov; Ali, Kolter & Tibshirani 2019).
//! - [`theory::adversarial`]: adversarially trained random features and the linear model
//!   (Hassani & Javanmard 2022).
//! - [`theory::membership`]: membership inference against ridge / min-norm regression (Tan,
//!   Mason, Javadi, Baraniuk 2022).
//! - [`theory::two_layer`]: symmetric critical points of two-layer ReLU networks and their
//!   Hessian spectra (Arjevani & Field 2020/2021).
//! - [`solver`]: the model-agnostic numerical engine (Brent, damped Picard, Anderson, Newton,
//!   continuation).
//! - [`spectral`]: Stieltjes transforms (Marchenko–Pastur) and Herglotz branch selection.
//! - [`gaussian`]: Gaussian expectations (activation coefficients, normal tails).
//! - [`linalg`]: the one dense linear-algebra module (pure-Rust `faer`), used by solver, theory
//!   and simulation alike.
//! - [`sim`]: finite-size Monte Carlo of every model.
//! - [`experiment`]: the theory-versus-simulation join, one shape for every model.
//! - [`compare`]: theory versus simulation (z-scores, finite-size allowance, size sweeps).
//! - `plot` (feature `plot`, on by default): SVG charts of theory (lines) versus simulation
//!   (points with error bars).
//!
//! Features: `cli` (default; the `overparam` binary: clap, serde_json, progress bars, `--plot`),
//! `plot` (default; plotters), `progress` (indicatif progress bars of long simulations; no-ops
//! without it), `proptest` (the `strategies` module). With `default-features = false` the crate
//! depends only on the mathematics (faer, rand, rayon and a few numerical crates).
//! - [`grid`]: log-spaced and evenly spaced parameter grids for sweeps.
//! - [`prelude`]: the model, simulation and join types, [`Error`] and [`Result`] in one import.
//!
//! Numerical contract (docs/numerics.md): no public function panics on caller input or returns a
//! non-finite number inside `Ok`; outside its documented domain a function returns a typed
//! [`Error`] naming the parameter. A seeded fuzz of the whole public API (`tests/fuzz_library.rs`,
//! hostile `f64` and `usize` inputs into every constructor, `check()`, solver and transform)
//! enforces it in CI.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod compare;
pub mod error;
pub mod experiment;
pub mod gaussian;
pub mod grid;
pub mod linalg;
#[cfg(feature = "plot")]
pub mod plot;
pub mod sim;
pub mod solver;
pub mod spectral;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod theory;

pub use error::{Error, Result};

/// One import for a program using the crate: the models' parameter structs and their checked
/// types, the simulations, the theory-versus-simulation join, [`Error`] and [`Result`].
///
/// ```
/// use overparam::prelude::*;
///
/// // Theory: plain parameters -> check() -> checked model -> risk.
/// let rf: RandomFeaturesModel =
///     RandomFeatures { psi1: 2.0, psi2: 3.0, lambda: 0.1, ..Default::default() }.check()?;
/// assert!(rf.risk()?.test_error > 0.0);
/// let ridge: RidgeModel = Ridge { gamma: 2.0, ..Default::default() }.check()?;
/// assert!(ridge.risk()?.test_error > 0.0);
/// let membership: MembershipModel = Membership::default().check()?;
/// assert!(membership.loss_attack()?.advantage > 0.0);
/// let _: Option<(AdversarialRf, AdversarialRfModel, AdversarialLinear, AdversarialLinearModel)> =
///     None;
/// let _ = (Activation::Relu, Family::TypeA);
///
/// // Simulation and the join: the realised-size theory against the Monte Carlo, metric by metric.
/// let sim = RandomFeaturesSimulation {
///     model: RandomFeatures { psi1: 2.0, psi2: 3.0, lambda: 0.1, noise_sd: 0.5, ..Default::default() },
///     d: 30,
///     test_points: 200,
///     ..Default::default()
/// }
/// .check()?;
/// let joined = join(&sim, &RunOptions { seed: 7, trials: 4, progress: false }, &JoinOptions::default())?;
/// assert_eq!(joined.metrics[0].name, "test_error");
/// let _: Option<(LinearRidgeSimulation, MembershipAttackSimulation, GradientDescentCensus)> = None;
/// let _: Option<(AdversarialRfSimulation, AdversarialLinearSimulation)> = None;
/// # Ok::<(), Error>(())
/// ```
pub mod prelude {
    pub use crate::error::{Error, Result};
    pub use crate::experiment::{Experiment, JoinOptions, RunOptions, join};
    pub use crate::gaussian::Activation;
    pub use crate::sim::adversarial::{AdversarialLinearSimulation, AdversarialRfSimulation};
    pub use crate::sim::dynamics::DynamicsSimulation;
    pub use crate::sim::membership::MembershipAttackSimulation;
    pub use crate::sim::random_features::RandomFeaturesSimulation;
    pub use crate::sim::ridge::LinearRidgeSimulation;
    pub use crate::sim::two_layer_census::GradientDescentCensus;
    pub use crate::theory::adversarial::{
        AdversarialLinear, AdversarialLinearModel, AdversarialRf, AdversarialRfModel,
    };
    pub use crate::theory::dynamics::{Dynamics, DynamicsModel};
    pub use crate::theory::membership::{Membership, MembershipModel};
    pub use crate::theory::random_features::{RandomFeatures, RandomFeaturesModel};
    pub use crate::theory::ridge::{Ridge, RidgeModel};
    pub use crate::theory::two_layer::critical::Family;
}

/// The README's Rust example runs as a doctest, so the front page cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
