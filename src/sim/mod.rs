//! Finite-size Monte Carlo simulation of the models whose limits [`crate::theory`] computes.
//!
//! - [`ridge`]: isotropic linear ridge / min-norm regression (Hastie–Montanari–Rosset–Tibshirani).
//! - [`dynamics`]: least-squares training dynamics (gradient flow, GD, heavy ball, Nesterov).
//! - [`random_features`]: random-features ridge regression (Mei–Montanari), with the
//!   variance-reduced estimator that averages exactly over the target and the noise.
//! - [`data`]: inputs on the sphere or Gaussian, linear and degree-2 Gaussian-process targets.
//! - [`estimate`]: per-trial values with mean and standard error ([`Estimate`]).
//! - [`adversarial`]: adversarially trained random features and linear model (Hassani &
//!   Javanmard).
//! - [`membership`]: membership-inference attacks on ridge / min-norm regression (Tan et al.).
//! - [`two_layer`]: the dense Hessian of a two-layer ReLU network at a symmetric critical point
//!   (the check of the symmetry-reduced spectrum); [`two_layer_census`]: the gradient-descent
//!   census (a Monte Carlo over initialisations).
//! - [`sample_covariance`]: eigenvalues of $X^\top X/n$ for a diagonal population covariance
//!   (the check of the generalised Marchenko–Pastur law).
//! - [`memory`]: the peak memory of a run, estimated before allocating, and the budget a run
//!   must fit ([`memory::MemoryBudget`], half of the physical memory by default).
//! - [`free_convolution`]: Haar Monte Carlo of $A + UBU^\top$ and $A^{1/2}UBU^\top A^{1/2}$;
//!   [`spectral_distance`]: the KS distance of eigenvalues to a spectral CDF, with its threshold.
//! - [`rng`]: one portable random stream per trial, so runs are reproducible bit for bit
//!   whatever the number of threads.
//! - the dense kernel is [`crate::linalg`] (`sim::linalg` is kept as an alias of it).
//!
//! Every simulation has one shape: a public-field struct that embeds the theory's parameter
//! struct (`model`) plus the finite sizes, `check()` (the model validated by the theory's own
//! `check()`, then the sizes, nothing twice) to a validated simulator, then
//! `run(&`[`crate::experiment::RunOptions`]`)` (seed, trials $\ge 2$, progress) returning a
//! report with an [`Estimate`] per named metric. Before allocating, `run` checks the
//! simulator's `memory_estimate(&RunOptions)` against the default [`memory::MemoryBudget`]
//! (`run_with_budget` takes another) and refuses with [`crate::Error::MemoryBudget`] naming the
//! size. Every checked simulator implements
//! [`crate::experiment::Experiment`], the theory-versus-simulation join. Trials run in parallel
//! with rayon; the linear algebra inside a trial is single-threaded.
//!
//! | model | unchecked | checked | report |
//! |---|---|---|---|
//! | random features | [`random_features::RandomFeaturesSimulation`] | [`random_features::RandomFeaturesSimulator`] | [`random_features::RfSimReport`] |
//! | ridge | [`ridge::LinearRidgeSimulation`] | [`ridge::LinearRidgeSimulator`] | [`ridge::RidgeSimReport`] |
//! | adversarial rf | [`adversarial::AdversarialRfSimulation`] | [`adversarial::AdversarialRfSimulator`] | [`adversarial::AdversarialSimReport`] |
//! | adversarial linear | [`adversarial::AdversarialLinearSimulation`] | [`adversarial::AdversarialLinearSimulator`] | [`adversarial::AdversarialSimReport`] |
//! | membership | [`membership::MembershipAttackSimulation`] | [`membership::MembershipAttackSimulator`] | [`membership::MembershipSimReport`] |
//! | two-layer Hessian | [`two_layer::TwoLayerHessian`] | [`two_layer::TwoLayerHessianSimulator`] | (join only) |
//! | two-layer census | [`two_layer_census::GradientDescentCensus`] | [`two_layer_census::CensusSimulator`] | [`two_layer_census::Census`] |
//!
//! The old shapes (`RfSimulation`, `RidgeSimulation`, `MembershipSimulation`,
//! `AdversarialRfSim`, `AdversarialLinearSim`, positional `run(seed, trials, progress)`) are
//! kept as deprecated wrappers over these.

pub mod adversarial;
pub mod data;
pub mod dynamics;
pub mod estimate;
pub mod free_convolution;
pub mod membership;
pub mod memory;
mod progress;
pub mod random_features;
pub mod rf_dynamics;
pub mod ridge;
pub mod rng;
pub mod sample_covariance;
pub mod spectral_distance;
pub mod two_layer;
pub mod two_layer_census;

/// The dense kernel moved to [`crate::linalg`]; this path is kept as a deprecated alias.
pub use crate::linalg;
pub use data::InputDistribution;
pub use estimate::{Estimate, PointEstimate};

/// The smallest number of trials a simulation's `run` accepts: a standard error needs two.
pub const MIN_TRIALS: usize = 2;

/// Run `f(k)` for trials $k = 0, \dots, m - 1$ in parallel (rayon), with a progress bar if
/// `run.progress`, and collect the results in trial order (so a run is bit-identical whatever the
/// number of threads when `f` draws from [`rng::trial_rng`]`(seed, k)`).
///
/// Errors: [`crate::Error::InvalidParameter`] (`trials`) if $m < $ `min_trials`; the first
/// error of a trial.
pub(crate) fn run_trials<T: Send>(
    run: &crate::experiment::RunOptions,
    min_trials: usize,
    label: &'static str,
    f: impl Fn(u64) -> crate::Result<T> + Sync + Send,
) -> crate::Result<Vec<T>> {
    use rayon::prelude::*;
    if run.trials < min_trials {
        return Err(crate::Error::InvalidParameter {
            name: "trials",
            value: run.trials as f64,
            expected: if min_trials <= 1 {
                "an integer >= 1"
            } else {
                "an integer >= 2 (a standard error needs two trials)"
            },
        });
    }
    let bar = progress::Progress::new(run.trials, run.progress, label);
    let results = (0..run.trials)
        .into_par_iter()
        .map(|k| {
            let r = f(k as u64);
            bar.tick();
            r
        })
        .collect::<crate::Result<Vec<T>>>();
    bar.finish();
    results
}
