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

/// The smallest number of trials [`run_trials`] accepts: a standard error needs two.
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
