//! Finite-size simulation of random-features ridge regression (Mei & Montanari, *The
//! generalization error of random features regression*, Comm. Pure Appl. Math. 75(4), 2022,
//! arXiv:1908.05355), with a variance-reduced test-error estimator.
//!
//! # Model
//!
//! Inputs $x_i$ and weights $\theta_a$ are i.i.d. uniform on $\mathbb S^{d-1}(\sqrt d)$ (or
//! standard Gaussian, see [`InputDistribution`]), $i = 1..n$, $a = 1..N$, with
//! $N = \mathrm{round}(\psi_1 d)$ and $n = \mathrm{round}(\psi_2 d)$. Features are
//! $Z_{ia} = \sigma(\langle\theta_a, x_i\rangle/\sqrt d)$ and the fit is
//!
//! $$\hat a = \arg\min_a \frac1n\|y - Za\|^2 + \frac{N\lambda}{d}\|a\|^2
//!   = (Z^\top Z + cI_N)^{-1}Z^\top y = Z^\top(ZZ^\top + cI_n)^{-1}y,\qquad c = \frac{nN\lambda}{d},$$
//!
//! solved in the primal form ($N \times N$) when $N \le n$ and in the dual form ($n\times n$)
//! otherwise, by Cholesky; at $\lambda = 0$ by the eigendecomposition of the Gram matrix and a
//! pseudo-inverse with relative eigenvalue cutoff [`RIDGELESS_CUTOFF`] (least squares when
//! $N < n$, minimum-norm interpolation when $N > n$). Labels are $y = f(x) + \varepsilon$ with the
//! target of [`super::data`]: linear energy $F_1^2$, nonlinear (degree-2 Gaussian process)
//! energy $F_\star^2$, noise variance $\tau^2$, no constant term.
//!
//! # Variance-reduced estimator (exact average over $\beta$, $\varepsilon$ and the process)
//!
//! The prediction is linear in $y$: $\hat f(x_t) = p_t^\top y$ with
//! $p_t = Z(Z^\top Z + cI)^{-1}z(x_t) \in \mathbb R^n$. Given $(X, \Theta)$ and $T$ fresh test
//! points the conditional expectation of the test error over $\beta$, $\varepsilon$ and the
//! process is, with $k$ the process covariance ([`super::data::nonlinear_kernel`]),
//! $K_{ij} = k(x_i, x_j)$ and $(q_t)_j = k(x_t, x_j)$,
//!
//! $$\bar R = \frac{F_1^2}{d}\,\frac1T\sum_t\|x_t - X^\top p_t\|^2
//!   + \tau^2\,\frac1T\sum_t\|p_t\|^2
//!   + F_\star^2\,\frac1T\sum_t\big[k(x_t, x_t) - 2p_t^\top q_t + p_t^\top K p_t\big]$$
//!
//! (docs/simulation.md, "Protocol", item 4). Only the average over $x$ is sampled ($T$ points), which cuts
//! the per-trial spread from about 10% (one $\beta$, one noise draw) to well under 1%. The
//! training error $\frac1n\|y - Z\hat a\|^2$ (label noise included) is averaged likewise, with
//! $M = I - Z(Z^\top Z + cI)^{+}Z^\top$:
//!
//! $$\bar E_{\rm train} = \frac1n\Big[\frac{F_1^2}{d}\|MX\|_F^2 + \tau^2\|M\|_F^2
//!   + F_\star^2\operatorname{tr}(MKM)\Big].$$
//!
//! The split into bias and variance follows the theory's grouping
//! ($R = F_1^2\mathcal B + F_\star^2 + (\tau^2 + F_\star^2)\mathcal V$, the nonlinear target acting
//! as noise): the variance part is $(\tau^2 + F_\star^2)\frac1T\sum_t\|p_t\|^2$ and the bias part
//! is the rest. Compare against the theory at the **realised** ratios $N/d$, $n/d$
//! ([`RandomFeaturesSimulator::theory`]).

use super::data::{InputDistribution, sample_points};
use super::estimate::Estimate;
use super::rng::trial_rng;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, JoinOptions, RunOptions};
use crate::gaussian::Activation;
use crate::linalg::{Cholesky, Matrix, SymmetricEigen};
use crate::sim::PointEstimate;
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::theory::random_features::{RandomFeatures, RfRisk};

pub use crate::linalg::RIDGELESS_CUTOFF;

/// Largest $N$ or $n$ accepted (dense $O(\max(N,n)^2)$ memory).
const MAX_SIZE: usize = 20_000;

/// Unchecked parameters of a random-features ridge simulation: the theory's parameters
/// ([`RandomFeatures`], nominal ratios) and the finite-size settings.
///
/// [`RandomFeaturesSimulation::check`] validates `model` with the theory's own
/// [`RandomFeatures::check`] (so the simulation accepts exactly what the theory accepts; a linear
/// activation is rejected there), then the sizes.
///
/// ```
/// use overparam::experiment::RunOptions;
/// use overparam::sim::random_features::RandomFeaturesSimulation;
/// use overparam::theory::random_features::RandomFeatures;
/// let model = RandomFeatures { psi1: 2.0, psi2: 3.0, lambda: 0.1, noise_sd: 0.5, ..Default::default() };
/// let sim = RandomFeaturesSimulation { model, d: 40, test_points: 300, ..Default::default() }.check()?;
/// let report = sim.run(&RunOptions { seed: 7, trials: 4, progress: false })?;
/// let theory = sim.theory()?.test_error;
/// // Small d: allow the finite-size bias (about 3/d relative) and 4 standard errors.
/// let gap = (report.test_error.mean - theory).abs();
/// assert!(gap < 4.0 * report.test_error.std_err + 3.0 / 40.0 * theory);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RandomFeaturesSimulation {
    /// The model: $\psi_1$, $\psi_2$ (nominal; $N = \mathrm{round}(\psi_1 d)$,
    /// $n = \mathrm{round}(\psi_2 d)$), $\lambda$, activation, target amplitudes and noise.
    pub model: RandomFeatures,
    /// Input dimension $d \in [2, 20000]$.
    pub d: usize,
    /// Number $T \in [1, 20000]$ of fresh test points per trial.
    pub test_points: usize,
    /// Law of inputs and weights.
    pub input: InputDistribution,
}

impl Default for RandomFeaturesSimulation {
    /// The theory's default model ([`RandomFeatures::default`]) at $d = 100$ with $T = 1000$ test
    /// points on the sphere.
    fn default() -> Self {
        Self {
            model: RandomFeatures::default(),
            d: 100,
            test_points: 1000,
            input: InputDistribution::Sphere,
        }
    }
}

/// The realised size $\operatorname{round}(\text{ratio}\cdot d)$ (the number of features $N$ or
/// of samples $n$), in $[1, 20000]$; else [`Error::InvalidParameter`] naming `name`.
pub(crate) fn rounded_size(name: &'static str, ratio: f64, d: usize) -> Result<usize> {
    let size = (ratio * d as f64).round();
    if size >= 1.0 && size <= MAX_SIZE as f64 {
        Ok(size as usize)
    } else {
        Err(Error::InvalidParameter {
            name,
            value: ratio,
            expected: "a ratio with 1 <= round(ratio * d) <= 20000",
        })
    }
}

/// The validation every random-features simulation starts with (this one and
/// [`crate::sim::rf_dynamics`]): the theory's own check, once (the label noise is stored under
/// its one name whichever name, `noise_sd` or the deprecated `tau`, the caller used), then `d`
/// in $[2, 20000]$ and `test_points` in $[1, 20000]$. Returns the model to store.
pub(crate) fn check_model_and_sizes(
    model: &RandomFeatures,
    d: usize,
    test_points: usize,
) -> Result<RandomFeatures> {
    let checked = RandomFeatures {
        noise_sd: model.check()?.noise_sd(),
        ..model.clone()
    };
    if !(2..=MAX_SIZE).contains(&d) {
        return Err(Error::InvalidParameter {
            name: "d",
            value: d as f64,
            expected: "an integer in [2, 20000]",
        });
    }
    if !(1..=MAX_SIZE).contains(&test_points) {
        return Err(Error::InvalidParameter {
            name: "test_points",
            value: test_points as f64,
            expected: "an integer in [1, 20000]",
        });
    }
    Ok(checked)
}

impl RandomFeaturesSimulation {
    /// Validate the model ([`RandomFeatures::check`]) and the sizes, and fix the realised $N$, $n$.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field (those of the model by its
    /// theory name; `d`, `test_points`; `psi1` / `psi2` when $N$ or $n$ would be outside
    /// $[1, 20000]$).
    pub fn check(&self) -> Result<RandomFeaturesSimulator> {
        let model = check_model_and_sizes(&self.model, self.d, self.test_points)?;
        let num_features = rounded_size("psi1", self.model.psi1, self.d)?;
        let n = rounded_size("psi2", self.model.psi2, self.d)?;
        Ok(RandomFeaturesSimulator {
            model,
            d: self.d,
            num_features,
            n,
            test_points: self.test_points,
            input: self.input,
        })
    }
}

/// A validated random-features simulation (build with [`RandomFeaturesSimulation::check`]).
#[derive(Debug, Clone)]
pub struct RandomFeaturesSimulator {
    model: RandomFeatures,
    d: usize,
    num_features: usize,
    n: usize,
    test_points: usize,
    input: InputDistribution,
}

/// The conditional risks of one trial (exact averages over $\beta$, $\varepsilon$ and the
/// nonlinear target given $X$, $\Theta$ and the test points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfTrial {
    /// Test error (label noise excluded).
    pub test_error: f64,
    /// Bias part (see the module docs).
    pub bias: f64,
    /// Variance part $(\tau^2 + F_\star^2)\frac1T\sum_t\|p_t\|^2$.
    pub variance: f64,
    /// Training error (label noise included).
    pub train_error: f64,
}

/// How the points of a $\psi_1$-curve draw their feature weights
/// ([`RandomFeaturesSimulator::run_psi1_curve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FeatureDraws {
    /// One wide draw per trial; point $j$ uses its first $N_j$ weights (dependent points, one
    /// feature product per trial).
    Nested,
    /// Every point drawn as its own run (point-by-point simulation).
    Independent,
}

/// A simulated $\psi_1$-curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Psi1Curve {
    /// One report per $\psi_1$, in the order given.
    pub reports: Vec<RfSimReport>,
    /// Whether the points share nested feature draws (then they are dependent: each point's
    /// SE is valid for the point, not for differences between points).
    pub nested: bool,
    /// The trials' values: element $k$ holds trial $k$ at every point (for differences).
    pub per_trial: Vec<Vec<RfTrial>>,
}

/// Which Gram matrix a random-features trial factors ([`RandomFeaturesSimulator::gram_side`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GramSide {
    /// The $N\times N$ feature Gram matrix $Z^\top Z$ (primal form; $N \le n$).
    Features,
    /// The $n\times n$ kernel matrix $ZZ^\top$ (dual form; $N > n$).
    Samples,
}

/// The result of a random-features simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct RfSimReport {
    /// Test error (label noise excluded).
    pub test_error: Estimate,
    /// Bias part of the test error.
    pub bias: Estimate,
    /// Variance part of the test error.
    pub variance: Estimate,
    /// Training error (label noise included).
    pub train_error: Estimate,
    /// Input dimension $d$.
    pub d: usize,
    /// Number of features $N$.
    pub num_features: usize,
    /// Number of samples $n$.
    pub n: usize,
    /// Realised $N/d$ (evaluate the theory here).
    pub realised_psi1: f64,
    /// Realised $n/d$ (evaluate the theory here).
    pub realised_psi2: f64,
    /// The ridge constant $c = nN\lambda/d$ actually used.
    pub ridge_constant: f64,
}

/// $(A + cI)^{+}$ applied to right-hand sides: Cholesky for $c > 0$, spectral pseudo-inverse for
/// $c = 0$ (or if Cholesky fails in floating point).
enum Regularised {
    Cholesky(Cholesky),
    Spectral {
        eigen: SymmetricEigen,
        shift: f64,
        cutoff: f64,
    },
}

impl Regularised {
    fn new(gram: &Matrix, shift: f64) -> Result<Self> {
        if shift > 0.0
            && let Ok(chol) = Cholesky::new(gram, shift)
        {
            return Ok(Self::Cholesky(chol));
        }
        let eigen = SymmetricEigen::new(gram)?;
        let max = eigen.values().iter().fold(0.0f64, |m, &s| m.max(s));
        Ok(Self::Spectral {
            eigen,
            shift,
            cutoff: RIDGELESS_CUTOFF * max,
        })
    }

    /// The spectral filter $s \mapsto (s + c)^{-1}$, or the pseudo-inverse's $1/s$ above the cutoff.
    fn filter(s: f64, shift: f64, cutoff: f64) -> f64 {
        let s = s.max(0.0);
        if shift > 0.0 {
            1.0 / (s + shift)
        } else if s > cutoff {
            1.0 / s
        } else {
            0.0
        }
    }

    /// $(A + cI)^{+} B$.
    fn solve(&self, rhs: &Matrix) -> Result<Matrix> {
        match self {
            Self::Cholesky(chol) => chol.solve(rhs),
            Self::Spectral {
                eigen,
                shift,
                cutoff,
            } => eigen.apply_filter(rhs, |s| Self::filter(s, *shift, *cutoff)),
        }
    }

    /// A "half solve" $W = S B$ with $S^\top S = (A + cI)^{+}$ ($S = L^{-1}$ or
    /// $\mathrm{diag}(g^{1/2})U^\top$), so that $B_1^\top(A + cI)^{+}B_2 = (SB_1)^\top(SB_2)$.
    fn half_solve(&self, rhs: &Matrix) -> Result<Matrix> {
        match self {
            Self::Cholesky(chol) => chol.solve_lower(rhs),
            Self::Spectral {
                eigen,
                shift,
                cutoff,
            } => eigen.apply_half_filter(rhs, |s| Self::filter(s, *shift, *cutoff)),
        }
    }
}

impl RandomFeaturesSimulator {
    /// Input dimension $d$.
    pub fn d(&self) -> usize {
        self.d
    }
    /// Number of features $N = \mathrm{round}(\psi_1 d)$.
    pub fn num_features(&self) -> usize {
        self.num_features
    }
    /// Number of samples $n = \mathrm{round}(\psi_2 d)$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Number $T$ of test points per trial.
    pub fn test_points(&self) -> usize {
        self.test_points
    }
    /// Realised $\psi_1 = N/d$.
    pub fn realised_psi1(&self) -> f64 {
        self.num_features as f64 / self.d as f64
    }
    /// Realised $\psi_2 = n/d$.
    pub fn realised_psi2(&self) -> f64 {
        self.n as f64 / self.d as f64
    }
    /// The ridge constant $c = nN\lambda/d$.
    pub fn ridge_constant(&self) -> f64 {
        self.n as f64 * self.num_features as f64 * self.model.lambda / self.d as f64
    }
    /// The activation.
    pub fn activation(&self) -> &Activation {
        &self.model.activation
    }
    /// The model (nominal ratios) this simulator was checked from.
    pub fn model(&self) -> &RandomFeatures {
        &self.model
    }
    /// The parameters this simulator was checked from, e.g. to rebuild it at another $d$.
    pub fn simulation(&self) -> RandomFeaturesSimulation {
        RandomFeaturesSimulation {
            model: self.model.clone(),
            d: self.d,
            test_points: self.test_points,
            input: self.input,
        }
    }

    /// The model at the realised ratios $N/d$, $n/d$ (same $\lambda$, activation and target).
    pub fn realised_model(&self) -> RandomFeatures {
        RandomFeatures {
            psi1: self.realised_psi1(),
            psi2: self.realised_psi2(),
            ..self.model.clone()
        }
    }

    /// The Mei–Montanari limit at the realised ratios $N/d$, $n/d$.
    ///
    /// Errors: those of [`RandomFeatures::check`] and `risk` (e.g. the ridgeless risk diverges at
    /// $N = n$).
    pub fn theory(&self) -> Result<RfRisk> {
        self.realised_model().check()?.risk()
    }

    /// Run `run.trials` ($\ge 2$) independent trials in parallel (rayon). Trial $k$ draws
    /// everything from the stream [`trial_rng`]`(seed, k)`, so the result is bit-identical
    /// whatever the number of threads; `run.progress` shows a progress bar on a terminal.
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`) for fewer than 2 trials; linear-algebra
    /// failures; [`Error::NonFinite`] if the activation produces non-finite features;
    /// [`Error::MemoryBudget`] (below).
    ///
    /// The run is refused before allocating when its [`Self::memory_estimate`] is over the
    /// default budget ([`MemoryBudget::default`], half of the physical memory):
    /// [`Error::MemoryBudget`] naming `d`. [`Self::run_with_budget`] takes another budget.
    pub fn run(&self, run: &RunOptions) -> Result<RfSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: [`Error::MemoryBudget`] (`d`) if [`Self::memory_estimate`] is over `budget`;
    /// those of [`Self::run`].
    pub fn run_with_budget(&self, run: &RunOptions, budget: &MemoryBudget) -> Result<RfSimReport> {
        self.run_at_least(run, crate::sim::MIN_TRIALS, budget)
    }

    /// The peak memory of [`Self::run`] under `run`, from the matrices a trial holds at once
    /// ($k = \min(N, n)$, $T$ test points, every entry 8 bytes): the inputs $X$, $\Theta$,
    /// $X_{\rm test}$ ($(n + N + T)d$) and the features $Z$, $Z_{\rm test}^\top$ ($nN + NT$)
    /// throughout; on top of them the largest of the factorisation of the $k\times k$ Gram
    /// matrix (the matrix, its shifted copy and the factor, or the eigenvectors and faer's
    /// copy: $4k^2$), the half solves ($k^2 + NT + 2Nn + nT + n^2$ in the primal form,
    /// $2n^2 + 2nT$ in the dual), and the risk assembly ($nT + n^2$ plus $2dT + nd$, or
    /// $3n^2 + 3nT$ with a nonlinear target), plus the draw buffer of the largest input.
    /// Trials at once: $\min(\text{trials}, \text{rayon threads})$; per-trial results are
    /// shared. See [`crate::sim::memory`].
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        MemoryEstimate::new("d", self.trial_bytes(), 0, 96, run)
    }

    fn trial_bytes(&self) -> u128 {
        let (d, n, nf, t) = (
            self.d as u128,
            self.n as u128,
            self.num_features as u128,
            self.test_points as u128,
        );
        let k = n.min(nf);
        let inputs = (n + nf + t) * d;
        let draw = n.max(nf).max(t) * d;
        let features = n * nf + nf * t;
        let factor = 4 * k * k;
        let solve = if nf <= n {
            k * k + nf * t + 2 * nf * n + n * t + n * n
        } else {
            n * n + 2 * n * n + 2 * n * t
        };
        let assembly = n * t
            + n * n
            + if self.model.f_star != 0.0 {
                3 * n * n + 3 * n * t
            } else {
                2 * d * t + n * d
            };
        let phase = draw.max(features + factor.max(solve).max(assembly));
        (inputs + phase).saturating_mul(memory::F64)
    }

    fn run_at_least(
        &self,
        run: &RunOptions,
        min_trials: usize,
        budget: &MemoryBudget,
    ) -> Result<RfSimReport> {
        budget.check(&self.memory_estimate(run))?;
        let results = crate::sim::run_trials(run, min_trials, "random features", |k| {
            self.run_trial(run.seed, k)
        })?;
        self.report(&results, min_trials)
    }

    /// The report of per-trial values (trial order) at this simulator's $\lambda$.
    fn report(&self, results: &[RfTrial], min_trials: usize) -> Result<RfSimReport> {
        let pick = |f: fn(&RfTrial) -> f64| {
            Estimate::from_trials_at_least(results.iter().map(f).collect(), min_trials)
        };
        Ok(RfSimReport {
            test_error: pick(|t| t.test_error)?,
            bias: pick(|t| t.bias)?,
            variance: pick(|t| t.variance)?,
            train_error: pick(|t| t.train_error)?,
            d: self.d,
            num_features: self.num_features,
            n: self.n,
            realised_psi1: self.realised_psi1(),
            realised_psi2: self.realised_psi2(),
            ridge_constant: self.ridge_constant(),
        })
    }

    /// [`Error::DimensionMismatch`] unless `x` is $n\times d$, `theta` $N\times d$ and `x_test`
    /// $T\times d$ with $T \ge 1$.
    fn check_shapes(&self, x: &Matrix, theta: &Matrix, x_test: &Matrix) -> Result<()> {
        let (d, n, nf, t) = (self.d, self.n, self.num_features, x_test.nrows());
        for (what, m, rows) in [
            ("training inputs", x, n),
            ("feature weights", theta, nf),
            ("test inputs", x_test, t.max(1)),
        ] {
            if m.nrows() != rows {
                return Err(Error::DimensionMismatch {
                    what,
                    expected: rows,
                    found: m.nrows(),
                });
            }
            if m.ncols() != d {
                return Err(Error::DimensionMismatch {
                    what,
                    expected: d,
                    found: m.ncols(),
                });
            }
        }
        Ok(())
    }

    /// The features $Z$ ($n\times N$) and $Z_{\rm test}^\top$ ($N\times T$).
    ///
    /// Errors: [`Error::NonFinite`] if the activation produces a non-finite feature.
    fn features(&self, x: &Matrix, theta: &Matrix, x_test: &Matrix) -> Result<(Matrix, Matrix)> {
        let scale = 1.0 / (self.d as f64).sqrt();
        let activation = &self.model.activation;
        let mut z = x.matmul_nt(theta, scale)?;
        z.map_in_place(|v| activation.eval(v));
        let mut z_test_t = theta.matmul_nt(x_test, scale)?;
        z_test_t.map_in_place(|v| activation.eval(v));
        if !z.is_finite() || !z_test_t.is_finite() {
            return Err(Error::NonFinite {
                what: "random features (activation output)",
            });
        }
        Ok((z, z_test_t))
    }

    /// Which Gram matrix a trial factors: the $N\times N$ feature Gram $Z^\top Z$ when
    /// $N \le n$, the $n\times n$ kernel $ZZ^\top$ otherwise (the cheaper side).
    pub fn gram_side(&self) -> GramSide {
        if self.num_features <= self.n {
            GramSide::Features
        } else {
            GramSide::Samples
        }
    }

    /// A $\psi_1$-curve (number of features $N_j = \mathrm{round}(\psi_{1,j} d)$, everything else
    /// fixed) over the same trials.
    ///
    /// With [`FeatureDraws::Nested`] each trial draws $X$, one wide $\Theta$ of
    /// $N_{\max} = \max_j N_j$ rows and the test points from the stream `(seed, k)` (the draws of
    /// [`Self::run`] at $N_{\max}$), forms the features once, and point $j$ uses the first $N_j$
    /// feature columns (the rows of $\Theta$ are i.i.d., so the first $N_j$ are a draw of $N_j$
    /// weights): the point at $N_{\max}$ equals [`Self::run`] there bit for bit, and the others
    /// are valid simulations of their own $N_j$ (same law), **dependent** across points.
    /// With [`FeatureDraws::Independent`] every point is [`Self::run`] of its own model with the
    /// same `run` (each point's trials use the streams `(seed, k)` from scratch; the points are
    /// as dependent as any two runs with one seed, i.e. not nested).
    ///
    /// Standard errors: each point's SE is over independent trials and is valid for that point
    /// in both modes. For differences between points use [`Psi1Curve::per_trial`] (the same
    /// trial index at two points shares its draws in the nested mode), not the two SEs.
    ///
    /// Domain: every $\psi_1$ [`RandomFeaturesSimulation::check`] accepts at this $d$.
    ///
    /// Errors: [`Error::InvalidParameter`] naming `psi1s` (empty) or `psi1`, before any trial;
    /// those of [`Self::run`] (the memory budget is checked at $N_{\max}$).
    pub fn run_psi1_curve(
        &self,
        run: &RunOptions,
        psi1s: &[f64],
        draws: FeatureDraws,
    ) -> Result<Psi1Curve> {
        if psi1s.is_empty() {
            return Err(Error::InvalidParameter {
                name: "psi1s",
                value: 0.0,
                expected: "at least one psi1",
            });
        }
        let points = psi1s
            .iter()
            .map(|&psi1| {
                RandomFeaturesSimulation {
                    model: RandomFeatures {
                        psi1,
                        ..self.model.clone()
                    },
                    ..self.simulation()
                }
                .check()
            })
            .collect::<Result<Vec<Self>>>()?;
        let widest = points
            .iter()
            .max_by_key(|p| p.num_features)
            .cloned()
            .unwrap_or_else(|| self.clone());
        let min = crate::sim::MIN_TRIALS;
        let per_trial: Vec<Vec<RfTrial>> = match draws {
            FeatureDraws::Independent => {
                let columns = points
                    .iter()
                    .map(|p| {
                        crate::sim::run_trials(run, min, "random features", |k| {
                            p.run_trial(run.seed, k)
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                (0..run.trials)
                    .map(|k| columns.iter().map(|c| c[k]).collect())
                    .collect()
            }
            FeatureDraws::Nested => {
                MemoryBudget::default().check(&widest.memory_estimate(run))?;
                crate::sim::run_trials(run, min, "random features", |k| {
                    let mut rng = trial_rng(run.seed, k);
                    let (d, n, t) = (widest.d, widest.n, widest.test_points);
                    let x = sample_points(&mut rng, n, d, widest.input);
                    let theta = sample_points(&mut rng, widest.num_features, d, widest.input);
                    let x_test = sample_points(&mut rng, t, d, widest.input);
                    let (z, z_test_t) = widest.features(&x, &theta, &x_test)?;
                    points
                        .iter()
                        .map(|p| {
                            let m = p.num_features;
                            if m == widest.num_features {
                                return p.risks_from_features(&x, &x_test, &z, &z_test_t);
                            }
                            let zj = Matrix::from_fn(n, m, |i, a| z.col(a)[i]);
                            let zt = Matrix::from_fn(m, t, |a, j| z_test_t.col(j)[a]);
                            p.risks_from_features(&x, &x_test, &zj, &zt)
                        })
                        .collect()
                })?
            }
        };
        let reports = points
            .iter()
            .enumerate()
            .map(|(j, p)| {
                let column: Vec<RfTrial> = per_trial.iter().map(|t| t[j]).collect();
                p.report(&column, min)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Psi1Curve {
            reports,
            nested: draws == FeatureDraws::Nested,
            per_trial,
        })
    }

    /// A $\lambda$-curve amortised over one symmetric eigendecomposition per trial.
    ///
    /// Trial $k$ draws $X$, $\Theta$ and the test points from the stream `(seed, k)` exactly
    /// as [`Self::run`] does, forms the features once, decomposes the smaller Gram matrix
    /// ([`Self::gram_side`]) $= F$-side eigenbasis once, and evaluates every $\lambda$ of
    /// `lambdas` from $\lambda$-free projections in $O(k^2)$, $k = \min(N, n)$ (see
    /// [`Self::conditional_risks_curve`]). Report $j$ equals [`Self::run`] at
    /// $\lambda$ = `lambdas[j]` with the same `run` to rounding (the point path factors by
    /// Cholesky, the curve by the eigendecomposition; tested at $10^{-10}$ relative). The
    /// points share their draws: each report's standard error is valid for that point over the
    /// independent trials; a difference between points is not (its spread is smaller than the
    /// two SEs suggest), use [`Self::lambda_curve_trials`] and per-trial differences.
    ///
    /// Domain: every $\lambda$ that [`RandomFeaturesSimulation::check`] accepts with this
    /// model.
    ///
    /// Errors: [`Error::InvalidParameter`] naming `lambdas` (empty) or `lambda` (outside the
    /// domain), before any trial; those of [`Self::run`].
    pub fn run_lambda_curve(&self, run: &RunOptions, lambdas: &[f64]) -> Result<Vec<RfSimReport>> {
        self.run_lambda_curve_with_budget(run, lambdas, &MemoryBudget::default())
    }

    /// [`Self::run_lambda_curve`] under an explicit memory budget.
    ///
    /// Errors: as [`Self::run_lambda_curve`]; [`Error::MemoryBudget`] (`d`).
    pub fn run_lambda_curve_with_budget(
        &self,
        run: &RunOptions,
        lambdas: &[f64],
        budget: &MemoryBudget,
    ) -> Result<Vec<RfSimReport>> {
        let points = self.curve_points(lambdas)?;
        let trials = self.curve_trials(run, &points, budget)?;
        points
            .iter()
            .enumerate()
            .map(|(j, p)| {
                let column: Vec<RfTrial> = trials.iter().map(|t| t[j]).collect();
                p.report(&column, crate::sim::MIN_TRIALS)
            })
            .collect()
    }

    /// The per-trial values of [`Self::run_lambda_curve`]: element $k$ holds trial $k$ at every
    /// $\lambda$, in the order of `lambdas`.
    ///
    /// Errors: as [`Self::run_lambda_curve`].
    pub fn lambda_curve_trials(
        &self,
        run: &RunOptions,
        lambdas: &[f64],
    ) -> Result<Vec<Vec<RfTrial>>> {
        let points = self.curve_points(lambdas)?;
        self.curve_trials(run, &points, &MemoryBudget::default())
    }

    fn curve_points(&self, lambdas: &[f64]) -> Result<Vec<Self>> {
        if lambdas.is_empty() {
            return Err(Error::InvalidParameter {
                name: "lambdas",
                value: 0.0,
                expected: "at least one lambda",
            });
        }
        lambdas
            .iter()
            .map(|&lambda| {
                RandomFeaturesSimulation {
                    model: RandomFeatures {
                        lambda,
                        ..self.model.clone()
                    },
                    ..self.simulation()
                }
                .check()
            })
            .collect()
    }

    fn curve_trials(
        &self,
        run: &RunOptions,
        points: &[Self],
        budget: &MemoryBudget,
    ) -> Result<Vec<Vec<RfTrial>>> {
        budget.check(&self.curve_memory_estimate(run))?;
        let constants: Vec<f64> = points.iter().map(Self::ridge_constant).collect();
        crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "random features", |k| {
            let mut rng = trial_rng(run.seed, k);
            let (d, n, nf, t) = (self.d, self.n, self.num_features, self.test_points);
            let x = sample_points(&mut rng, n, d, self.input);
            let theta = sample_points(&mut rng, nf, d, self.input);
            let x_test = sample_points(&mut rng, t, d, self.input);
            self.conditional_risks_curve(&x, &theta, &x_test, &constants)
        })
    }

    /// The peak memory of [`Self::run_lambda_curve`]: that of a point
    /// ([`Self::memory_estimate`]) plus the eigenbasis and its projections
    /// ($F$: $nk$, $B$: $kT$, $X^\top F$: $dk$, three $k\times k$ matrices and $kT$ more).
    pub fn curve_memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let (d, n, nf, t) = (
            self.d as u128,
            self.n as u128,
            self.num_features as u128,
            self.test_points as u128,
        );
        let k = n.min(nf);
        let extra = (n * k + 2 * k * t + d * k + 4 * k * k).saturating_mul(memory::F64);
        MemoryEstimate::new("d", self.trial_bytes().saturating_add(extra), 0, 96, run)
    }

    /// The conditional risks of [`Self::conditional_risks`] at every ridge constant of
    /// `constants` ($c = nN\lambda/d \ge 0$), from one eigendecomposition.
    ///
    /// With $k = \min(N, n)$ and the smaller Gram matrix decomposed, write the predictor
    /// $P^\top = F\,\mathrm{diag}(w)\,B$ and the hat matrix $H = F\,\mathrm{diag}(u)\,F^\top$,
    /// $F^\top F = \mathrm{diag}(s)$: for $N \le n$, $Z^\top Z = U\mathrm{diag}(\delta)U^\top$,
    /// $F = ZU$, $B = U^\top Z_{\rm test}^\top$, $s = \delta$, $w = u = g$; for $N > n$,
    /// $ZZ^\top = V\mathrm{diag}(e)V^\top$, $F = V$, $B = V^\top Z Z_{\rm test}^\top$, $s = 1$,
    /// $w = g$, $u = e\,g$; with the filter $g_i = (\delta_i + c)^{-1}$ (at $c = 0$: $1/\delta_i$
    /// above the relative cutoff [`RIDGELESS_CUTOFF`], else 0). Then, with $C = X^\top F$,
    /// $\|P\|_F^2 = \sum_i w_i^2 s_i\|B_{i\cdot}\|^2$,
    ///
    /// $$\|X^\top P^\top - X_{\rm test}^\top\|_F^2 = \|X_{\rm test}\|_F^2 -
    ///   2\sum_i w_i (C^\top X_{\rm test}^\top)_{i\cdot}\cdot B_{i\cdot} +
    ///   w^\top[(C^\top C)\circ(BB^\top)]w,$$
    ///
    /// $\|I - H\|_F^2 = (n - k) + \sum_i (1 - u_i s_i)^2$ and
    /// $\|(I - H)X\|_F^2 = \|X\|_F^2 - \sum_i u_i(2 - u_i s_i)\|C_{\cdot i}\|^2$, and the
    /// nonlinear-target terms likewise with $F^\top Q$ and $F^\top K F$. Squared norms formed by
    /// cancellation are clamped at 0. Each constant costs $O(k^2)$ after the
    /// $O(k^3 + k(n + d)T)$ set-up.
    ///
    /// Errors: as [`Self::conditional_risks`]; [`Error::InvalidParameter`] (`lambda`) for a
    /// negative or non-finite constant.
    pub fn conditional_risks_curve(
        &self,
        x: &Matrix,
        theta: &Matrix,
        x_test: &Matrix,
        constants: &[f64],
    ) -> Result<Vec<RfTrial>> {
        self.check_shapes(x, theta, x_test)?;
        if let Some(&bad) = constants.iter().find(|c| !(c.is_finite() && **c >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: bad,
                expected: "a finite ridge constant >= 0",
            });
        }
        let (z, z_test_t) = self.features(x, theta, x_test)?;
        let (d, n, t) = (self.d, self.n, x_test.nrows());
        let primal = self.gram_side() == GramSide::Features;
        let (eig, f, b) = if primal {
            let eig = SymmetricEigen::new(&z.gram(1.0))?;
            let f = z.matmul(eig.vectors(), 1.0)?;
            let b = eig.vectors().matmul_tn(&z_test_t, 1.0)?;
            (eig, f, b)
        } else {
            let eig = SymmetricEigen::new(&z.gram_rows(1.0))?;
            let b = eig.vectors().matmul_tn(&z.matmul(&z_test_t, 1.0)?, 1.0)?;
            let f = eig.vectors().clone();
            (eig, f, b)
        };
        drop((z, z_test_t));
        let values: Vec<f64> = eig.values().iter().map(|v| v.max(0.0)).collect();
        let k = values.len();
        let cutoff = RIDGELESS_CUTOFF * values.iter().fold(0.0f64, |m, &v| m.max(v));
        let s: Vec<f64> = if primal { values.clone() } else { vec![1.0; k] };
        let b_norms = b.row_norms_sq();
        let c_mat = x.matmul_tn(&f, 1.0)?; // d x k
        let c_norms: Vec<f64> = (0..k)
            .map(|i| c_mat.col(i).iter().map(|v| v * v).sum())
            .collect();
        let row_dots = |a: &Matrix| -> Vec<f64> {
            let mut out = vec![0.0; k];
            for j in 0..t {
                for ((o, &p), &q) in out.iter_mut().zip(a.col(j)).zip(b.col(j)) {
                    *o += p * q;
                }
            }
            out
        };
        let ce = row_dots(&c_mat.matmul_tn(&x_test.transpose(), 1.0)?); // C^T X_test^T, k x T
        let bbt = b.gram_rows(1.0);
        let hadamard = |a: &Matrix| Matrix::from_fn(k, k, |i, j| a.col(j)[i] * bbt.col(j)[i]);
        let w_lin = hadamard(&c_mat.gram(1.0));
        let quad_form = |m: &Matrix, w: &[f64]| -> f64 {
            (0..k)
                .map(|j| w[j] * m.col(j).iter().zip(w).map(|(a, b)| a * b).sum::<f64>())
                .sum()
        };
        let x_sq = x.frobenius_sq();
        let x_test_sq = x_test.frobenius_sq();

        let (f1_sq, fs_sq, tau_sq) = (
            self.model.f1 * self.model.f1,
            self.model.f_star * self.model.f_star,
            self.model.noise_sd * self.model.noise_sd,
        );
        let nonlinear_parts = if fs_sq > 0.0 {
            let law = self.input;
            let norms = x.row_norms_sq();
            let test_norms = x_test.row_norms_sq();
            let kernel_of = |inner: &Matrix, left: &[f64], right: &[f64]| {
                Matrix::from_fn(inner.nrows(), inner.ncols(), |i, j| {
                    let v = inner.col(j)[i];
                    super::data::nonlinear_kernel(v, left[i], right[j], d, law)
                })
            };
            let k_train = kernel_of(&x.gram_rows(1.0), &norms, &norms); // n x n
            let q = kernel_of(&x.matmul_nt(x_test, 1.0)?, &norms, &test_norms); // n x T
            let self_term: f64 = test_norms
                .iter()
                .map(|&v| super::data::nonlinear_kernel(v, v, v, d, law))
                .sum::<f64>()
                / t as f64;
            let fq = row_dots(&f.matmul_tn(&q, 1.0)?);
            let fkf = f.matmul_tn(&k_train.matmul(&f, 1.0)?, 1.0)?;
            let fkf_diag = fkf.diagonal();
            let trace_k: f64 = k_train.diagonal().iter().sum();
            Some((self_term, fq, hadamard(&fkf), fkf_diag, trace_k))
        } else {
            None
        };

        let (t_f, n_f, d_f) = (t as f64, n as f64, d as f64);
        constants
            .iter()
            .map(|&c| {
                let g: Vec<f64> = values
                    .iter()
                    .map(|&v| Regularised::filter(v, c, cutoff))
                    .collect();
                let w = &g;
                let u: Vec<f64> = if primal {
                    g.clone()
                } else {
                    g.iter().zip(&values).map(|(g, e)| g * e).collect()
                };
                let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
                // ||I - H||^2 = (n - k) + sum_i (1 - u_i s_i)^2: the eigenvalues of H are
                // u_i s_i on span F and 0 off it (exactly 0 at interpolation, never negative).
                let mut noise_like = 0.0;
                let (mut residual, mut mx) = ((n - k) as f64, 0.0);
                for i in 0..k {
                    noise_like += w[i] * w[i] * s[i] * b_norms[i];
                    residual += (1.0 - u[i] * s[i]).powi(2);
                    mx += u[i] * (2.0 - u[i] * s[i]) * c_norms[i];
                }
                let noise_like = noise_like / t_f;
                // Squared norms computed by cancellation: clamped at 0 (they are >= 0 exactly;
                // at interpolation they vanish and the difference is rounding).
                let linear =
                    ((x_test_sq - 2.0 * dot(w, &ce) + quad_form(&w_lin, w)) / (t_f * d_f)).max(0.0);
                let train_noise = residual / n_f;
                let train_linear = ((x_sq - mx) / (n_f * d_f)).max(0.0);
                let (nonlinear, train_nonlinear) = match &nonlinear_parts {
                    Some((self_term, fq, w_quad, fkf_diag, trace_k)) => {
                        let cross = dot(w, fq) / t_f;
                        let quad = quad_form(w_quad, w) / t_f;
                        let mut tr = *trace_k;
                        for i in 0..k {
                            tr -= u[i] * (2.0 - u[i] * s[i]) * fkf_diag[i];
                        }
                        ((self_term - 2.0 * cross + quad).max(0.0), tr.max(0.0) / n_f)
                    }
                    None => (0.0, 0.0),
                };
                let test_error = f1_sq * linear + tau_sq * noise_like + fs_sq * nonlinear;
                let variance = (tau_sq + fs_sq) * noise_like;
                let train_error =
                    f1_sq * train_linear + tau_sq * train_noise + fs_sq * train_nonlinear;
                crate::error::finite(test_error, "random-features test error")?;
                crate::error::finite(train_error, "random-features training error")?;
                Ok(RfTrial {
                    test_error,
                    bias: test_error - variance,
                    variance,
                    train_error,
                })
            })
            .collect()
    }

    /// One trial: draw $X$ ($n \times d$), $\Theta$ ($N \times d$) and $T$ test points, in that
    /// order, from the stream `(seed, trial)`, fit, and return the conditional risks.
    pub fn run_trial(&self, seed: u64, trial: u64) -> Result<RfTrial> {
        let mut rng = trial_rng(seed, trial);
        let (d, n, nf, t) = (self.d, self.n, self.num_features, self.test_points);
        let x = sample_points(&mut rng, n, d, self.input);
        let theta = sample_points(&mut rng, nf, d, self.input);
        let x_test = sample_points(&mut rng, t, d, self.input);
        self.conditional_risks(&x, &theta, &x_test)
    }

    /// The conditional risks given the training inputs `x` ($n \times d$), the feature weights
    /// `theta` ($N \times d$) and the test inputs `x_test` ($T \times d$, any $T \ge 1$), averaged
    /// exactly over $\beta$, the noise and the nonlinear target (see the module docs).
    ///
    /// Errors: [`Error::DimensionMismatch`] for shapes other than $n \times d$, $N \times d$,
    /// $\cdot \times d$; linear-algebra failures; [`Error::NonFinite`].
    pub fn conditional_risks(
        &self,
        x: &Matrix,
        theta: &Matrix,
        x_test: &Matrix,
    ) -> Result<RfTrial> {
        self.check_shapes(x, theta, x_test)?;
        let (z, z_test_t) = self.features(x, theta, x_test)?;
        self.risks_from_features(x, x_test, &z, &z_test_t)
    }

    /// [`Self::conditional_risks`] from the features $Z$ ($n\times N$) and
    /// $Z_{\rm test}^\top$ ($N\times T$) already formed (shapes checked by the callers).
    fn risks_from_features(
        &self,
        x: &Matrix,
        x_test: &Matrix,
        z: &Matrix,
        z_test_t: &Matrix,
    ) -> Result<RfTrial> {
        let (d, n, nf, t) = (self.d, self.n, self.num_features, x_test.nrows());
        let c = self.ridge_constant();
        // P^T (n x T): column t is p_t. H (n x n): the hat matrix Z (Z^T Z + cI)^+ Z^T.
        let (p_t, hat) = if nf <= n {
            // With S^T S = (Z^T Z + cI)^+: P^T = (S Z^T)^T (S Z_test^T) and H = (S Z^T)^T (S Z^T).
            let reg = Regularised::new(&z.gram(1.0), c)?;
            let half_test = reg.half_solve(z_test_t)?;
            let half_train = reg.half_solve(&z.transpose())?;
            (half_train.matmul_tn(&half_test, 1.0)?, half_train.gram(1.0))
        } else {
            let kernel = z.gram_rows(1.0);
            let reg = Regularised::new(&kernel, c)?;
            let p_t = reg.solve(&z.matmul(z_test_t, 1.0)?)?;
            // (ZZ^T + cI)^+ ZZ^T, symmetric since the two commute.
            (p_t, reg.solve(&kernel)?)
        };
        let mut residual_op = hat;
        residual_op.scale(-1.0);
        residual_op.add_to_diagonal(1.0);
        let m = residual_op;

        let (f1_sq, fs_sq, tau_sq) = (
            self.model.f1 * self.model.f1,
            self.model.f_star * self.model.f_star,
            self.model.noise_sd * self.model.noise_sd,
        );
        let (t_f, n_f, d_f) = (t as f64, n as f64, d as f64);
        // Linear part: (F1^2/d) mean_t ||x_t - X^T p_t||^2.
        let fitted_inputs = x.matmul_tn(&p_t, 1.0)?; // d x T
        let linear = fitted_inputs.distance_sq(&x_test.transpose())? / (t_f * d_f);
        let noise_like = p_t.frobenius_sq() / t_f;
        let train_linear = m.matmul(x, 1.0)?.frobenius_sq() / (n_f * d_f);
        let train_noise = m.frobenius_sq() / n_f;
        let (nonlinear, train_nonlinear) = if fs_sq > 0.0 {
            let law = self.input;
            let norms = x.row_norms_sq();
            let test_norms = x_test.row_norms_sq();
            let kernel_of = |inner: &Matrix, left: &[f64], right: &[f64]| {
                Matrix::from_fn(inner.nrows(), inner.ncols(), |i, j| {
                    let v = inner.col(j)[i];
                    super::data::nonlinear_kernel(v, left[i], right[j], d, law)
                })
            };
            let k_train = kernel_of(&x.gram_rows(1.0), &norms, &norms); // n x n
            let q = kernel_of(&x.matmul_nt(x_test, 1.0)?, &norms, &test_norms); // n x T
            let self_term: f64 = test_norms
                .iter()
                .map(|&s| super::data::nonlinear_kernel(s, s, s, d, law))
                .sum::<f64>()
                / t_f;
            let cross = p_t.dot(&q)? / t_f;
            let quad = k_train.matmul(&p_t, 1.0)?.dot(&p_t)? / t_f;
            let train = k_train.matmul(&m, 1.0)?.dot(&m)? / n_f;
            (self_term - 2.0 * cross + quad, train)
        } else {
            (0.0, 0.0)
        };
        let test_error = f1_sq * linear + tau_sq * noise_like + fs_sq * nonlinear;
        let variance = (tau_sq + fs_sq) * noise_like;
        let train_error = f1_sq * train_linear + tau_sq * train_noise + fs_sq * train_nonlinear;
        let trial = RfTrial {
            test_error,
            bias: test_error - variance,
            variance,
            train_error,
        };
        crate::error::finite(test_error, "random-features test error")?;
        crate::error::finite(train_error, "random-features training error")?;
        Ok(trial)
    }
}

impl Experiment for RandomFeaturesSimulator {
    /// `test_error` (primary), `bias`, `variance`, `train_error`.
    fn metric_names(&self) -> &'static [&'static str] {
        &crate::compare::RISK_METRICS
    }
    /// $d$.
    fn size(&self) -> usize {
        self.d
    }
    fn theory_realised(&self) -> Result<Vec<f64>> {
        Ok(crate::compare::RiskValues::from(&self.theory()?)
            .to_array()
            .to_vec())
    }
    fn simulate(&self, run: &RunOptions) -> Result<Vec<PointEstimate>> {
        self.simulate_with_budget(run, &MemoryBudget::default())
    }
    fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        RandomFeaturesSimulator::memory_estimate(self, run)
    }
    fn simulate_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<Vec<PointEstimate>> {
        let r = self.run_with_budget(run, budget)?;
        Ok([&r.test_error, &r.bias, &r.variance, &r.train_error]
            .into_iter()
            .map(PointEstimate::from)
            .collect())
    }
    /// As [`crate::compare::compare_risks`] with size $d$.
    fn allowances(&self, theory: &[f64], options: &JoinOptions) -> Result<Vec<f64>> {
        crate::compare::risk_allowances_of(theory, options.finite_size_constant, self.d)
    }
}

/// Unchecked parameters of a random-features simulation, with the model's fields copied.
///
/// Deprecated since the one-spine refactor: use [`RandomFeaturesSimulation`], which embeds the
/// theory's [`RandomFeatures`] instead of repeating its fields. [`RfSimulation::check`] builds
/// the new simulation and validates it once, the theory's way (so a linear activation, which
/// the theory rejects, is now rejected here too).
#[deprecated(
    note = "use RandomFeaturesSimulation { model: RandomFeatures { .. }, d, test_points, input }"
)]
#[derive(Debug, Clone)]
pub struct RfSimulation {
    /// Input dimension $d \ge 2$.
    pub d: usize,
    /// $\psi_1 = N/d$; the number of features is $N = \mathrm{round}(\psi_1 d) \ge 1$.
    pub psi1: f64,
    /// $\psi_2 = n/d$; the number of samples is $n = \mathrm{round}(\psi_2 d) \ge 1$.
    pub psi2: f64,
    /// Ridge penalty $\lambda \ge 0$ ($0$: least squares if $N < n$, min-norm if $N > n$).
    pub lambda: f64,
    /// Activation $\sigma$.
    pub activation: Activation,
    /// Amplitude $F_1 \ge 0$ of the linear part of the target.
    pub f1: f64,
    /// Amplitude $F_\star \ge 0$ of the nonlinear (degree-2) part of the target.
    pub f_star: f64,
    /// Standard deviation $\tau \ge 0$ of the label noise.
    pub tau: f64,
    /// Number $T \ge 1$ of fresh test points per trial.
    pub test_points: usize,
    /// Law of inputs and weights.
    pub input: InputDistribution,
}

#[allow(deprecated)]
impl Default for RfSimulation {
    /// $d = 100$, $\psi_1 = 2$, $\psi_2 = 3$, $\lambda = 10^{-3}$, ReLU, $F_1 = 1$, $F_\star = 0$,
    /// $\tau = 0.5$, $T = 1000$, sphere inputs (unchanged; the new
    /// [`RandomFeaturesSimulation::default`] uses the theory's default model instead).
    fn default() -> Self {
        Self {
            d: 100,
            psi1: 2.0,
            psi2: 3.0,
            lambda: 1e-3,
            activation: Activation::Relu,
            f1: 1.0,
            f_star: 0.0,
            tau: 0.5,
            test_points: 1000,
            input: InputDistribution::Sphere,
        }
    }
}

#[allow(deprecated)]
impl RfSimulation {
    /// The same parameters in the new shape.
    pub fn simulation(&self) -> RandomFeaturesSimulation {
        RandomFeaturesSimulation {
            model: RandomFeatures {
                psi1: self.psi1,
                psi2: self.psi2,
                lambda: self.lambda,
                activation: self.activation.clone(),
                f1: self.f1,
                f_star: self.f_star,
                noise_sd: self.tau,
                ..Default::default()
            },
            d: self.d,
            test_points: self.test_points,
            input: self.input,
        }
    }

    /// Validate (by [`RandomFeaturesSimulation::check`]) and fix the realised sizes.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field.
    pub fn check(&self) -> Result<RfSimulator> {
        Ok(RfSimulator(self.simulation().check()?))
    }
}

/// A validated random-features simulation with the old positional `run(seed, trials, progress)`.
///
/// Deprecated: use [`RandomFeaturesSimulator`] (every other method is reached through `Deref`).
#[deprecated(note = "use RandomFeaturesSimulator and run(&RunOptions)")]
#[derive(Debug, Clone)]
pub struct RfSimulator(RandomFeaturesSimulator);

#[allow(deprecated)]
impl std::ops::Deref for RfSimulator {
    type Target = RandomFeaturesSimulator;
    fn deref(&self) -> &RandomFeaturesSimulator {
        &self.0
    }
}

#[allow(deprecated)]
impl RfSimulator {
    /// The new-shape simulator.
    pub fn simulator(&self) -> &RandomFeaturesSimulator {
        &self.0
    }

    /// The parameters this simulator was checked from (old shape).
    pub fn params(&self) -> RfSimulation {
        let m = &self.0.model;
        RfSimulation {
            d: self.0.d,
            psi1: m.psi1,
            psi2: m.psi2,
            lambda: m.lambda,
            activation: m.activation.clone(),
            f1: m.f1,
            f_star: m.f_star,
            tau: m.tau,
            test_points: self.0.test_points,
            input: self.0.input,
        }
    }

    /// [`RandomFeaturesSimulator::run`] with positional arguments; accepts a single trial (whose
    /// standard error is reported as 0), as it always did.
    ///
    /// Errors: [`Error::InvalidParameter`] if `trials == 0`; as [`RandomFeaturesSimulator::run`].
    pub fn run(&self, seed: u64, trials: usize, progress: bool) -> Result<RfSimReport> {
        self.0.run_at_least(
            &RunOptions {
                seed,
                trials,
                progress,
            },
            1,
            &MemoryBudget::default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::data::QuadraticTarget;
    use crate::sim::rng::normal;

    /// Brute force: draw the target and the noise, fit the weights explicitly, and average the
    /// realised test and training errors over many draws, for fixed inputs and features.
    fn brute_force(
        sim: &RandomFeaturesSimulator,
        x: &Matrix,
        theta: &Matrix,
        x_test: &Matrix,
        draws: usize,
    ) -> (f64, f64) {
        let (d, n, nf) = (sim.d, sim.n, sim.num_features);
        let features = |inputs: &Matrix| {
            let mut z = inputs.matmul_nt(theta, 1.0 / (d as f64).sqrt()).unwrap();
            z.map_in_place(|v| sim.model.activation.eval(v));
            z
        };
        let (z, z_test) = (features(x), features(x_test));
        let chol = Cholesky::new(&z.gram(1.0), sim.ridge_constant()).unwrap();
        let row = |m: &Matrix, i: usize| (0..d).map(|j| m.get(i, j).unwrap()).collect::<Vec<_>>();
        let mut rng = trial_rng(99, 0);
        let (mut test, mut train) = (0.0, 0.0);
        for _ in 0..draws {
            let m = &sim.model;
            let target = QuadraticTarget::sample(&mut rng, d, m.f1, m.f_star, sim.input);
            let mut y = Matrix::zeros(n, 1);
            let mut clean = vec![0.0; n];
            for (i, c) in clean.iter_mut().enumerate() {
                *c = target.eval(&row(x, i)).unwrap();
            }
            let noisy: Vec<f64> = clean
                .iter()
                .map(|c| c + m.noise_sd * normal(&mut rng))
                .collect();
            y.col_mut(0).copy_from_slice(&noisy);
            let a = chol.solve(&z.matmul_tn(&y, 1.0).unwrap()).unwrap(); // N x 1
            assert_eq!(a.nrows(), nf);
            let fit = z.matmul(&a, 1.0).unwrap();
            train += fit.distance_sq(&y).unwrap() / n as f64;
            let pred = z_test.matmul(&a, 1.0).unwrap();
            let mut err = 0.0;
            for k in 0..x_test.nrows() {
                let truth = target.eval(&row(x_test, k)).unwrap();
                err += (truth - pred.get(k, 0).unwrap()).powi(2);
            }
            test += err / x_test.nrows() as f64;
        }
        (test / draws as f64, train / draws as f64)
    }

    #[test]
    fn variance_reduced_estimator_matches_explicit_fits() {
        for (psi1, input) in [
            (1.5, InputDistribution::Sphere),
            (3.0, InputDistribution::Gaussian),
        ] {
            let sim = RandomFeaturesSimulation {
                model: RandomFeatures {
                    psi1,
                    psi2: 2.0,
                    lambda: 0.05,
                    activation: Activation::Tanh,
                    f1: 1.0,
                    f_star: 0.8,
                    noise_sd: 0.4,
                    ..Default::default()
                },
                d: 8,
                test_points: 40,
                input,
            }
            .check()
            .unwrap();
            let mut rng = trial_rng(5, 1);
            let x = sample_points(&mut rng, sim.n, sim.d, input);
            let theta = sample_points(&mut rng, sim.num_features, sim.d, input);
            let x_test = sample_points(&mut rng, 40, sim.d, input);
            let exact = sim.conditional_risks(&x, &theta, &x_test).unwrap();
            // Per-draw relative SD about 0.5: the brute-force SE is about 0.35% with 20000 draws.
            let (test, train) = brute_force(&sim, &x, &theta, &x_test, 20_000);
            println!("{input}: brute force test {test:.5} train {train:.5}; exact {exact:?}");
            assert!(
                (test - exact.test_error).abs() < 0.015 * exact.test_error,
                "{input}: {test} vs {exact:?}"
            );
            assert!(
                (train - exact.train_error).abs() < 0.015 * exact.train_error,
                "{input}: {train} vs {exact:?}"
            );
            assert!((exact.bias + exact.variance - exact.test_error).abs() < 1e-12);
            assert!(matches!(
                sim.conditional_risks(&x, &theta, &x.transpose()),
                Err(Error::DimensionMismatch { .. })
            ));
        }
    }
}
