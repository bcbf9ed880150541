//! The theory-versus-simulation join, one shape for every model.
//!
//! A checked simulation (`sim::<model>::XSimulator`) implements [`Experiment`]: it names its
//! metrics, evaluates the exact limit of each at the *realised* sizes (after $N = \mathrm{round}(\psi_1 d)$
//! etc.), runs the Monte Carlo under [`RunOptions`], and states the finite-size allowance of each
//! metric. [`join`] puts the two sides together metric by metric:
//!
//! $$\text{agrees} \iff |\bar R_{\rm sim} - R_{\rm theory}| \le 4\,\mathrm{SE} + \text{allowance},
//! \qquad \text{allowance} = c\,|R_{\rm scale}|/d,$$
//!
//! with $c$ the [`JoinOptions::finite_size_constant`] (see [`crate::compare`] for how its default
//! was measured). The CLI prints a [`Joined`] the same way for every model, so `--simulate`
//! reports the same fields everywhere (docs/glossary.md).
//!
//! Implemented for every checked simulator: random features
//! ([`crate::sim::random_features::RandomFeaturesSimulator`]), ridge
//! ([`crate::sim::ridge::LinearRidgeSimulator`]), adversarial training
//! ([`crate::sim::adversarial::AdversarialRfSimulator`],
//! [`crate::sim::adversarial::AdversarialLinearSimulator`]), membership inference
//! ([`crate::sim::membership::MembershipAttackSimulator`], output and loss attacks) and the
//! two-layer Hessian ([`crate::sim::two_layer::TwoLayerHessianSimulator`]: block spectrum
//! versus dense eigendecomposition). Each documents its metrics and allowances;
//! docs/simulation.md has the measurements behind them. [`sweep_sizes`] joins any of them at
//! several sizes.
//!
//! ```
//! use overparam::experiment::{JoinOptions, RunOptions, join};
//! use overparam::sim::ridge::LinearRidgeSimulation;
//! use overparam::theory::ridge::Ridge;
//! let sim = LinearRidgeSimulation { model: Ridge::new(0.5, 0.1, 1.0), n: 200 }.check()?;
//! let joined = join(&sim, &RunOptions { seed: 1, trials: 8, progress: false },
//!                   &JoinOptions::default())?;
//! let primary = joined.primary().expect("ridge reports test_error");
//! assert_eq!(primary.name, "test_error");
//! assert!(joined.all_agree(), "{joined:?}");
//! # Ok::<(), overparam::Error>(())
//! ```

use crate::error::Result;
use crate::sim::PointEstimate;
use crate::sim::memory::{MemoryBudget, MemoryEstimate};

/// How to run a simulation: one struct instead of positional numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Base seed; trial $k$ draws from the stream `(seed, k)` (see [`crate::sim::rng`]).
    pub seed: u64,
    /// Number of independent trials ($\ge 2$, so that a standard error exists).
    pub trials: usize,
    /// Draw a progress bar on a terminal (never when stderr is not a terminal).
    pub progress: bool,
}

impl Default for RunOptions {
    /// Seed 1, 10 trials, no progress bar (the CLI's defaults too).
    fn default() -> Self {
        Self {
            seed: 1,
            trials: 10,
            progress: false,
        }
    }
}

/// Options of the join.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JoinOptions {
    /// The constant $c$ of the finite-size allowance $c\,|R|/d$.
    pub finite_size_constant: f64,
}

impl Default for JoinOptions {
    /// $c$ = [`crate::compare::DEFAULT_KAPPA`].
    fn default() -> Self {
        Self {
            finite_size_constant: crate::compare::DEFAULT_KAPPA,
        }
    }
}

/// One metric of one model: its theory value at the realised sizes, its simulated estimate, and
/// the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricComparison {
    /// The metric's name, as in docs/glossary.md (`test_error`, `robust_test_risk`, `advantage`, ...).
    pub name: &'static str,
    /// The limit at the realised sizes.
    pub theory_realised: f64,
    /// The Monte Carlo estimate (mean or derived value) and its standard error.
    pub simulation: PointEstimate,
    /// $z = (\bar R_{\rm sim} - R_{\rm theory})/\mathrm{SE}$ (`None` when SE = 0 and they differ).
    pub z: Option<f64>,
    /// The finite-size allowance.
    pub allowance: f64,
    /// Whether the gap is within $4\,\mathrm{SE}$ + allowance.
    pub agrees: bool,
}

/// The output field names of joined metric `name` at position `index` of
/// [`Experiment::metric_names`] (one vocabulary for the CLI's JSON/CSV and the Python package,
/// docs/glossary.md): the primary metric (`index = 0`) has the short names `sim_mean`, `sim_se`,
/// `theory_realised`, `z`, `allowance`, `agrees`; every other metric `M` has `sim_M`,
/// `sim_M_se`, `theory_realised_M`, `z_M`, `allowance_M`, `agrees_M`. In that order: mean,
/// standard error, theory at the realised sizes, z-score, finite-size allowance, verdict
/// ([`MetricComparison`]).
///
/// ```
/// use overparam::experiment::join_field_names;
/// assert_eq!(join_field_names(0, "test_error")[0], "sim_mean");
/// assert_eq!(join_field_names(1, "train_error")[1], "sim_train_error_se");
/// ```
pub fn join_field_names(index: usize, name: &str) -> [std::borrow::Cow<'static, str>; 6] {
    use std::borrow::Cow;
    if index == 0 {
        [
            "sim_mean",
            "sim_se",
            "theory_realised",
            "z",
            "allowance",
            "agrees",
        ]
        .map(Cow::Borrowed)
    } else {
        [
            format!("sim_{name}"),
            format!("sim_{name}_se"),
            format!("theory_realised_{name}"),
            format!("z_{name}"),
            format!("allowance_{name}"),
            format!("agrees_{name}"),
        ]
        .map(Cow::Owned)
    }
}

/// Every metric of one simulated point, the model's primary metric first.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    /// The metrics, primary first.
    pub metrics: Vec<MetricComparison>,
    /// The size $d$ (or $n$) that the allowance divides by.
    pub size: usize,
    /// Trials and seed used.
    pub run: RunOptions,
}

/// A checked simulation whose metrics can be joined with the theory.
pub trait Experiment {
    /// Metric names, primary first (docs/glossary.md).
    fn metric_names(&self) -> &'static [&'static str];
    /// The size the allowance divides by ($d$ for random features, $n$ for linear models).
    fn size(&self) -> usize;
    /// Theory values of [`Experiment::metric_names`], in that order, at the realised sizes.
    fn theory_realised(&self) -> Result<Vec<f64>>;
    /// Simulated estimates of the same metrics, in the same order.
    fn simulate(&self, run: &RunOptions) -> Result<Vec<PointEstimate>>;
    /// Allowance of each metric given the theory values (default $c\,|R_i|/\text{size}$).
    fn allowances(&self, theory: &[f64], options: &JoinOptions) -> Result<Vec<f64>>;
    /// The peak memory of [`Experiment::simulate`] under `run`, estimated before allocating
    /// ([`crate::sim::memory`]). Every simulator of the crate overrides it; the default (for
    /// implementors outside the crate) is [`MemoryEstimate::unknown`], zero bytes.
    fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let _ = run;
        MemoryEstimate::unknown("size")
    }
    /// [`Experiment::simulate`] under an explicit memory budget: refused with
    /// [`crate::Error::MemoryBudget`] before allocating when
    /// [`Experiment::memory_estimate`] is over it. (`simulate` itself uses the crate
    /// simulators' default budget, [`MemoryBudget::default`].)
    ///
    /// Errors: [`crate::Error::MemoryBudget`]; those of `simulate`.
    fn simulate_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<Vec<PointEstimate>> {
        budget.check(&self.memory_estimate(run))?;
        self.simulate(run)
    }
}

/// Run the simulation and compare every metric with its theory value.
///
/// Errors: [`crate::Error::InvalidParameter`] for fewer than 2 trials; those of the model's
/// theory (e.g. a limit that diverges at the realised sizes) and simulation;
/// [`crate::Error::DimensionMismatch`] if the model returns the wrong number of values.
pub fn join<E: Experiment + ?Sized>(
    experiment: &E,
    run: &RunOptions,
    options: &JoinOptions,
) -> Result<Joined> {
    check_trials(run)?;
    let theory = experiment.theory_realised()?;
    let simulated = experiment.simulate(run)?;
    assemble(experiment, &theory, &simulated, run, options)
}

/// Join estimates that were already simulated (with `run`) against the theory: the same
/// comparison as [`join`], for a caller that ran the simulation itself, e.g. to keep the
/// model's full report (membership's other advantage estimators) next to the join, or to report
/// the estimates even when the theory at the realised sizes fails. `simulated` must be the
/// estimates of [`Experiment::metric_names`], in that order (what [`Experiment::simulate`]
/// returns).
///
/// ```
/// use overparam::experiment::{Experiment, JoinOptions, RunOptions, join, join_simulated};
/// use overparam::sim::ridge::LinearRidgeSimulation;
/// let sim = LinearRidgeSimulation { n: 100, ..Default::default() }.check()?;
/// let run = RunOptions { seed: 2, trials: 4, progress: false };
/// let estimates = sim.simulate(&run)?;
/// let joined = join_simulated(&sim, &estimates, &run, &JoinOptions::default())?;
/// assert_eq!(joined, join(&sim, &run, &JoinOptions::default())?);
/// # Ok::<(), overparam::Error>(())
/// ```
///
/// Errors: as [`join`].
pub fn join_simulated<E: Experiment + ?Sized>(
    experiment: &E,
    simulated: &[PointEstimate],
    run: &RunOptions,
    options: &JoinOptions,
) -> Result<Joined> {
    check_trials(run)?;
    let theory = experiment.theory_realised()?;
    assemble(experiment, &theory, simulated, run, options)
}

fn check_trials(run: &RunOptions) -> Result<()> {
    if run.trials < 2 {
        return Err(crate::Error::InvalidParameter {
            name: "trials",
            value: run.trials as f64,
            expected: "an integer >= 2 (a standard error needs two trials)",
        });
    }
    Ok(())
}

fn assemble<E: Experiment + ?Sized>(
    experiment: &E,
    theory: &[f64],
    simulated: &[PointEstimate],
    run: &RunOptions,
    options: &JoinOptions,
) -> Result<Joined> {
    let names = experiment.metric_names();
    let allowances = experiment.allowances(theory, options)?;
    for (what, len) in [
        ("theory values", theory.len()),
        ("simulated metrics", simulated.len()),
        ("allowances", allowances.len()),
    ] {
        if len != names.len() {
            return Err(crate::Error::DimensionMismatch {
                what,
                expected: names.len(),
                found: len,
            });
        }
    }
    let mut metrics = Vec::with_capacity(names.len());
    for (((name, &t), s), &a) in names.iter().zip(theory).zip(simulated).zip(&allowances) {
        let c = crate::compare::compare_point(t, s, a)?;
        metrics.push(MetricComparison {
            name,
            theory_realised: t,
            simulation: *s,
            // `compare` saturates an infinite z at +-f64::MAX (issue 13): keep reporting it as None.
            z: (c.z.abs() < f64::MAX).then_some(c.z),
            allowance: a,
            agrees: c.agrees(),
        });
    }
    Ok(Joined {
        metrics,
        size: experiment.size(),
        run: *run,
    })
}

impl Joined {
    /// The model's primary metric (the first).
    pub fn primary(&self) -> Option<&MetricComparison> {
        self.metrics.first()
    }

    /// The metric called `name`, if the model reports it.
    pub fn metric(&self, name: &str) -> Option<&MetricComparison> {
        self.metrics.iter().find(|m| m.name == name)
    }

    /// Whether every metric agrees.
    pub fn all_agree(&self) -> bool {
        self.metrics.iter().all(|m| m.agrees)
    }
}

/// One size of a [`sweep_sizes`] run.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// The size ($d$ or $n$) the experiment was built at.
    pub size: usize,
    /// The join at that size.
    pub joined: Joined,
}

/// A size sweep of any model: the join at increasing sizes and the fitted decay of the primary
/// metric's gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// One point per size, in the order given.
    pub points: Vec<SweepPoint>,
    /// Least-squares fit of $\log|\bar R_{\rm sim} - R_{\rm theory}|$ (primary metric) against
    /// $\log(\text{size})$; a slope near $-1$ is the $1/d$ finite-size bias the allowance models.
    pub fit: crate::compare::LogLogFit,
}

/// Join `build(size)` with its theory at every size in `sizes` (same [`RunOptions`], hence the
/// same seed, at every size) and fit the decay of the primary metric's gap.
///
/// ```
/// use overparam::experiment::{JoinOptions, RunOptions, sweep_sizes};
/// use overparam::sim::ridge::LinearRidgeSimulation;
/// use overparam::theory::ridge::Ridge;
/// let model = Ridge { gamma: 0.5, lambda: 0.0, snr: 1.0, ..Ridge::default() };
/// let run = RunOptions { seed: 3, trials: 40, progress: false };
/// let sweep = sweep_sizes(|n| LinearRidgeSimulation { model, n }.check(), &[50, 100, 200],
///                         &run, &JoinOptions::default())?;
/// // Least squares: the exact mean exceeds the limit by about 1/(n (1 - gamma)), slope -1.
/// assert!((sweep.fit.slope + 1.0).abs() < 0.5, "{}", sweep.fit.slope);
/// # Ok::<(), overparam::Error>(())
/// ```
///
/// Errors: those of `build`, [`join`] and [`crate::compare::fit_log_log`] (e.g. a gap of exactly
/// zero, which has no logarithm).
pub fn sweep_sizes<E, F>(
    build: F,
    sizes: &[usize],
    run: &RunOptions,
    options: &JoinOptions,
) -> Result<Sweep>
where
    E: Experiment,
    F: Fn(usize) -> Result<E>,
{
    let mut points = Vec::with_capacity(sizes.len());
    for &size in sizes {
        let experiment = build(size)?;
        points.push(SweepPoint {
            size,
            joined: join(&experiment, run, options)?,
        });
    }
    let mut xs = Vec::with_capacity(points.len());
    let mut ys = Vec::with_capacity(points.len());
    for p in &points {
        let primary = p.joined.primary().ok_or(crate::Error::DimensionMismatch {
            what: "metrics of a joined point",
            expected: 1,
            found: 0,
        })?;
        xs.push(p.size as f64);
        ys.push(primary.simulation.value - primary.theory_realised);
    }
    let fit = crate::compare::fit_log_log(&xs, &ys)?;
    Ok(Sweep { points, fit })
}
