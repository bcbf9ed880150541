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
//! - [`shard`]: sharded runs that merge exactly (trial $k$ in shard $I$ of $M$ when
//!   $k \equiv I - 1 \pmod M$; capture a shard's trials, merge the parts, replay the run).
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
//! with rayon; the linear algebra inside a trial is single-threaded, except for a trial that
//! would leave a thread idle (one trial, the odd last trial), whose large products and Cholesky
//! factorisations run on the idle threads ([`crate::linalg::with_parallel_kernel`],
//! bit-identical for any number of threads).
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
pub mod shard;
pub mod spectral_distance;
pub mod two_layer;
pub mod two_layer_census;

/// The dense kernel moved to [`crate::linalg`]; this path is kept as a deprecated alias.
pub use crate::linalg;
pub use data::InputDistribution;
pub use estimate::{Estimate, PointEstimate};

/// Implement [`crate::experiment::Experiment`] for a simulator of the four risk metrics
/// (`test_error` primary, `bias`, `variance`, `train_error`), written once for every such
/// model. The simulator provides `theory()` (a risk with those four fields, at the realised
/// sizes), `run_with_budget(run, budget)` (a report with those four [`Estimate`]s) and
/// `memory_estimate(run)`; `$size` names its size field, which is also the $d$ of the
/// finite-size allowance $c|R|/d$ per metric ([`crate::compare::risk_allowances_of`]).
macro_rules! risk_metric_experiment {
    ($simulator:ty, size: $size:ident) => {
        impl $crate::experiment::Experiment for $simulator {
            /// `test_error` (primary), `bias`, `variance`, `train_error`.
            fn metric_names(&self) -> &'static [&'static str] {
                &$crate::compare::RISK_METRICS
            }
            fn size(&self) -> usize {
                self.$size
            }
            fn theory_realised(&self) -> $crate::Result<Vec<f64>> {
                let r = self.theory()?;
                Ok(vec![r.test_error, r.bias, r.variance, r.train_error])
            }
            fn simulate(
                &self,
                run: &$crate::experiment::RunOptions,
            ) -> $crate::Result<Vec<$crate::sim::PointEstimate>> {
                self.simulate_with_budget(run, &$crate::sim::memory::MemoryBudget::default())
            }
            fn memory_estimate(
                &self,
                run: &$crate::experiment::RunOptions,
            ) -> $crate::sim::memory::MemoryEstimate {
                <$simulator>::memory_estimate(self, run)
            }
            fn simulate_with_budget(
                &self,
                run: &$crate::experiment::RunOptions,
                budget: &$crate::sim::memory::MemoryBudget,
            ) -> $crate::Result<Vec<$crate::sim::PointEstimate>> {
                let r = self.run_with_budget(run, budget)?;
                Ok([&r.test_error, &r.bias, &r.variance, &r.train_error]
                    .into_iter()
                    .map($crate::sim::PointEstimate::from)
                    .collect())
            }
            fn allowances(
                &self,
                theory: &[f64],
                options: &$crate::experiment::JoinOptions,
            ) -> $crate::Result<Vec<f64>> {
                $crate::compare::risk_allowances_of(
                    theory,
                    options.finite_size_constant,
                    self.$size,
                )
            }
        }
    };
}
pub(crate) use risk_metric_experiment;

/// The smallest number of trials a simulation's `run` accepts: a standard error needs two.
pub const MIN_TRIALS: usize = 2;

/// Run `f(k)` for trials $k = 0, \dots, m - 1$ in parallel (rayon), with a progress bar if
/// `run.progress`, and collect the results in trial order (so a run is bit-identical whatever the
/// number of threads when `f` draws from [`rng::trial_rng`]`(seed, k)`).
///
/// Inside [`shard::capture`] only the trials of the shard are computed and recorded, and the
/// loop returns [`crate::Error::Sharded`]; inside [`shard::replay`] the trials are decoded from
/// the merged parts (a trial that failed in its shard is computed again, for its error), so the
/// caller aggregates exactly the values of a single run.
///
/// A trial that starts when fewer trials are left to start (itself included) than the pool has
/// threads — one trial, a shard holding one trial, the odd last trial — would leave a thread
/// idle; it runs inside [`crate::linalg::with_parallel_kernel`], so its large products and
/// Cholesky factorisations use the idle threads. That kernel is bit-identical to the sequential
/// one for any number of threads, so the results still do not depend on the pool.
///
/// Errors: [`crate::Error::InvalidParameter`] (`trials`) if $m < $ `min_trials`; the error of
/// a trial (the first in trial order under replay); [`crate::Error::Sharded`] under capture;
/// [`crate::Error::InvalidData`] when a replay does not match the parts.
pub(crate) fn run_trials<T: Send + shard::TrialOutcome>(
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
    let f = |k: u64, tail: &Tail| tail.run(|| f(k));
    match shard::plan(label, run) {
        shard::Plan::All => {}
        shard::Plan::Fail(e) => return Err(e),
        shard::Plan::Capture(s) => {
            let ks: Vec<u64> = s.trials(run.trials).collect();
            let bar = progress::Progress::new(ks.len(), run.progress, label);
            let tail = Tail::new(ks.len());
            let results: Vec<(u64, crate::Result<T>)> = ks
                .into_par_iter()
                .map(|k| {
                    let r = f(k, &tail);
                    bar.tick();
                    (k, r)
                })
                .collect();
            bar.finish();
            shard::record(shard::partial_call(label, run, results));
            return Err(crate::Error::Sharded {
                index: s.index(),
                count: s.count(),
            });
        }
        shard::Plan::Replay(call) => {
            let mut decoded: Vec<Option<T>> = Vec::with_capacity(call.outcomes.len());
            for (k, o) in call.outcomes.iter().enumerate() {
                let Ok(values) = o else {
                    decoded.push(None);
                    continue;
                };
                let mut v = shard::Values::new(values);
                match T::decode(&mut v) {
                    Ok(t) if v.is_done() => decoded.push(Some(t)),
                    _ => {
                        return Err(shard::fail(crate::Error::InvalidData {
                            origin: "merge".into(),
                            line: 0,
                            problem: format!(
                                "trial {k} of `{label}`: its values do not decode as this simulation's trial"
                            ),
                        }));
                    }
                }
            }
            // Trials that failed in their shard: computed again, for the real error.
            let redo: Vec<u64> = (0..decoded.len() as u64)
                .filter(|&k| decoded[k as usize].is_none())
                .collect();
            let tail = Tail::new(redo.len());
            let redone: Vec<(u64, crate::Result<T>)> =
                redo.into_par_iter().map(|k| (k, f(k, &tail))).collect();
            for (k, r) in redone {
                decoded[k as usize] = Some(r?);
            }
            return Ok(decoded.into_iter().flatten().collect());
        }
    }
    let bar = progress::Progress::new(run.trials, run.progress, label);
    let tail = Tail::new(run.trials);
    let results = (0..run.trials)
        .into_par_iter()
        .map(|k| {
            let r = f(k as u64, &tail);
            bar.tick();
            r
        })
        .collect::<crate::Result<Vec<T>>>();
    bar.finish();
    results
}

/// The tail of a parallel trial loop: counts the trials started, and runs a trial inside
/// [`crate::linalg::with_parallel_kernel`] when fewer trials are left to start (itself included)
/// than the pool has threads.
pub(crate) struct Tail {
    total: usize,
    started: std::sync::atomic::AtomicUsize,
    threads: usize,
}

impl Tail {
    /// A loop of `total` trials on rayon's current pool.
    pub(crate) fn new(total: usize) -> Self {
        Self {
            total,
            started: std::sync::atomic::AtomicUsize::new(0),
            threads: rayon::current_num_threads(),
        }
    }

    /// Start one trial: `trial()`, inside the parallel kernel if it is in the tail.
    pub(crate) fn run<R>(&self, trial: impl FnOnce() -> R) -> R {
        let started = self
            .started
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .saturating_add(1);
        let left = self.total.saturating_sub(started).saturating_add(1);
        if self.threads > 1 && left < self.threads {
            crate::linalg::with_parallel_kernel(trial)
        } else {
            trial()
        }
    }
}
