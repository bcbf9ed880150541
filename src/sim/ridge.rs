//! Finite-size simulation of isotropic linear ridge regression (the setting of Hastie, Montanari,
//! Rosset & Tibshirani, *Surprises in high-dimensional ridgeless least squares interpolation*,
//! Ann. Statist. 50(2), 2022, arXiv:1903.08560).
//!
//! # Model
//!
//! $x_i \sim \mathcal N(0, I_p)$, $y_i = x_i^\top\beta + \varepsilon_i$, $i = 1..n$, with
//! $\beta \sim \mathrm{Unif}(\mathbb S^{p-1}(r))$, $r^2 = \mathrm{snr}\cdot\sigma^2$, and
//! $\varepsilon_i \sim \mathcal N(0, \sigma^2)$; $p = \mathrm{round}(\gamma n)$. The estimator is
//!
//! $$\hat\beta_\lambda = \arg\min_b \frac1n\|y - Xb\|^2 + \lambda\|b\|^2 = (X^\top X + n\lambda I)^{-1}X^\top y,$$
//!
//! and for $\lambda = 0$ the minimum-norm least-squares solution $X^+ y$.
//!
//! # What a trial computes (exactly, given $X$)
//!
//! The excess test risk is $\|\hat\beta - \beta\|^2$ because $\mathbb E\,xx^\top = I$. Its
//! conditional expectation over $\beta$ and $\varepsilon$ given $X$ splits exactly into bias and
//! variance. With $g_1, \dots, g_k$ the eigenvalues of the smaller of $X^\top X/n$ ($p\times p$)
//! and $XX^\top/n$ ($n \times n$), $k = \min(n, p)$ (the two share their nonzero eigenvalues):
//!
//! $$B = \frac{r^2}{p}\Big[(p - k) + \sum_{i=1}^k \frac{\lambda^2}{(g_i + \lambda)^2}\Big],\qquad
//!   V = \frac{\sigma^2}{n}\sum_{i=1}^k \frac{g_i}{(g_i + \lambda)^2},$$
//!
//! and the training error $E_{\rm train} = \frac1n\|y - X\hat\beta\|^2$ (label noise included) has
//! conditional mean
//!
//! $$E_{\rm train} = \frac{r^2}{p}\sum_{i=1}^k \frac{\lambda^2 g_i}{(g_i + \lambda)^2}
//!   + \frac{\sigma^2}{n}\Big[(n - k) + \sum_{i=1}^k \frac{\lambda^2}{(g_i + \lambda)^2}\Big].$$
//!
//! At $\lambda = 0$ eigenvalues below a relative cutoff ([`RIDGELESS_CUTOFF`]) count as zero:
//! $B = r^2(p - \mathrm{rank})/p$, $V = \frac{\sigma^2}{n}\sum_{g_i > 0} 1/g_i$ and
//! $E_{\rm train} = \sigma^2(n - \mathrm{rank})/n$. Only eigenvalues are needed, so a trial costs
//! one Gram product and one symmetric eigenvalue computation of size $\min(n,p)$.

use super::estimate::Estimate;
use super::rng::{normal, trial_rng};
use crate::error::{Error, Result};
use crate::experiment::RunOptions;
use crate::linalg::{Matrix, symmetric_eigenvalues};
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::theory::ridge::{Ridge, RidgeRisk};

pub use crate::linalg::RIDGELESS_CUTOFF;

pub mod anisotropic;

pub use anisotropic::{AnisotropicRidgeSimulation, AnisotropicRidgeSimulator};

/// Largest $n$ or $p$ accepted.
const MAX_SIZE: usize = 20_000;

/// Unchecked parameters of a linear ridge simulation: the theory's parameters ([`Ridge`],
/// nominal $\gamma$) and the sample size.
///
/// [`LinearRidgeSimulation::check`] validates `model` with [`Ridge::check`] (so $\sigma > 0$ and
/// not $\gamma = 1$ with $\lambda = 0$, exactly as the theory), then the sizes.
///
/// ```
/// use overparam::experiment::RunOptions;
/// use overparam::sim::ridge::LinearRidgeSimulation;
/// use overparam::theory::ridge::Ridge;
/// // gamma = 0.25, OLS: the exact finite-n variance is sigma^2 p/(n - p - 1) = 25/74.
/// let sim = LinearRidgeSimulation { model: Ridge::new(0.25, 0.0, 1.0), n: 100 }.check()?;
/// let report = sim.run(&RunOptions { seed: 1, trials: 16, progress: false })?;
/// assert!((report.test_error.mean - 25.0 / 74.0).abs() < 5.0 * report.test_error.std_err);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearRidgeSimulation {
    /// The model: $\gamma = p/n$ (nominal; $p = \mathrm{round}(\gamma n)$), $\lambda$, snr, $\sigma$.
    pub model: Ridge,
    /// Number of samples $n \in [2, 20000]$.
    pub n: usize,
}

impl Default for LinearRidgeSimulation {
    /// $n = 200$, $\gamma = 0.5$, $\lambda = 0.1$, $\mathrm{snr} = 1$, $\sigma = 1$.
    fn default() -> Self {
        Self {
            model: Ridge {
                gamma: 0.5,
                lambda: 0.1,
                snr: 1.0,
                noise_sd: 1.0,
                ..Default::default()
            },
            n: 200,
        }
    }
}

impl LinearRidgeSimulation {
    /// Validate the model ([`Ridge::check`]) and the sizes, and fix the realised dimension $p$.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field.
    pub fn check(&self) -> Result<LinearRidgeSimulator> {
        let model = Ridge {
            noise_sd: self.model.check()?.noise_sd(),
            ..self.model
        };
        if self.n < 2 || self.n > MAX_SIZE {
            return Err(Error::InvalidParameter {
                name: "n",
                value: self.n as f64,
                expected: "an integer in [2, 20000]",
            });
        }
        let p = (self.model.gamma * self.n as f64).round();
        if !(1.0..=MAX_SIZE as f64).contains(&p) {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: self.model.gamma,
                expected: "a ratio with 1 <= round(gamma * n) <= 20000",
            });
        }
        let sigma = model.noise_sd;
        Ok(LinearRidgeSimulator {
            model,
            n: self.n,
            p: p as usize,
            r_sq: self.model.snr * sigma * sigma,
            sigma_sq: sigma * sigma,
        })
    }
}

/// A validated linear ridge simulation (build with [`LinearRidgeSimulation::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearRidgeSimulator {
    model: Ridge,
    n: usize,
    p: usize,
    r_sq: f64,
    sigma_sq: f64,
}

/// The conditional risks of one trial (exact given the design $X$).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RidgeTrial {
    /// Excess test risk $B + V$ (label noise excluded).
    pub test_error: f64,
    /// Bias $B$.
    pub bias: f64,
    /// Variance $V$.
    pub variance: f64,
    /// Training error $\frac1n\|y - X\hat\beta\|^2$ (label noise included).
    pub train_error: f64,
}

/// The result of a linear ridge simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct RidgeSimReport {
    /// Excess test risk (label noise excluded).
    pub test_error: Estimate,
    /// Bias part.
    pub bias: Estimate,
    /// Variance part.
    pub variance: Estimate,
    /// Training error (label noise included).
    pub train_error: Estimate,
    /// Samples $n$.
    pub n: usize,
    /// Dimension $p$.
    pub p: usize,
    /// The realised ratio $p/n$ (compare the theory at this value).
    pub realised_gamma: f64,
}

impl RidgeSimReport {
    /// The estimates over `trials` (at least `min_trials`) of an $n\times p$ design; the
    /// realised ratio is $p/n$. Shared by the isotropic and the anisotropic simulation.
    pub(crate) fn from_trials(
        trials: &[RidgeTrial],
        min_trials: usize,
        n: usize,
        p: usize,
    ) -> Result<Self> {
        let pick = |f: fn(&RidgeTrial) -> f64| {
            Estimate::from_trials_at_least(trials.iter().map(f).collect(), min_trials)
        };
        Ok(Self {
            test_error: pick(|t| t.test_error)?,
            bias: pick(|t| t.bias)?,
            variance: pick(|t| t.variance)?,
            train_error: pick(|t| t.train_error)?,
            n,
            p,
            realised_gamma: p as f64 / n as f64,
        })
    }

    /// One report per point of a curve from per-trial rows (`trials[k][j]`: trial $k$ at point
    /// $j$ of `points`); shared by the isotropic and the anisotropic lambda-curves.
    pub(crate) fn from_curve_trials(
        trials: &[Vec<RidgeTrial>],
        points: usize,
        n: usize,
        p: usize,
    ) -> Result<Vec<Self>> {
        (0..points)
            .map(|j| {
                let column: Vec<RidgeTrial> = trials.iter().map(|t| t[j]).collect();
                Self::from_trials(&column, crate::sim::MIN_TRIALS, n, p)
            })
            .collect()
    }
}

impl LinearRidgeSimulator {
    /// Samples $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Dimension $p = \mathrm{round}(\gamma n)$.
    pub fn p(&self) -> usize {
        self.p
    }
    /// The realised ratio $\gamma = p/n$.
    pub fn realised_gamma(&self) -> f64 {
        self.p as f64 / self.n as f64
    }
    /// $\lambda$.
    pub fn lambda(&self) -> f64 {
        self.model.lambda
    }
    /// Signal energy $r^2 = \mathrm{snr}\,\sigma^2$.
    pub fn r_sq(&self) -> f64 {
        self.r_sq
    }
    /// Noise variance $\sigma^2$.
    pub fn sigma_sq(&self) -> f64 {
        self.sigma_sq
    }
    /// The model (nominal $\gamma$) this simulator was checked from.
    pub fn model(&self) -> &Ridge {
        &self.model
    }
    /// The model at the realised $\gamma = p/n$.
    pub fn realised_model(&self) -> Ridge {
        Ridge {
            gamma: self.realised_gamma(),
            ..self.model
        }
    }

    /// The Hastie–Montanari–Rosset–Tibshirani limit at the realised $\gamma = p/n$ (same
    /// $\lambda$, snr and $\sigma$).
    ///
    /// Errors: those of [`Ridge::check`] and `risk` (e.g. $\lambda = 0$ at a realised $p = n$,
    /// where the risk is infinite).
    pub fn theory(&self) -> Result<RidgeRisk> {
        self.realised_model().check()?.risk()
    }

    /// Run `run.trials` ($\ge 2$) independent trials in parallel (rayon). Trial $k$ uses the
    /// stream [`trial_rng`]`(seed, k)`, so the result is bit-identical whatever the number of
    /// threads; `run.progress` shows a progress bar on a terminal.
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`) for fewer than 2 trials; linear-algebra
    /// failures; [`Error::MemoryBudget`] (`n`), before allocating, when
    /// [`Self::memory_estimate`] is over the default budget ([`MemoryBudget::default`], half of
    /// the physical memory; [`Self::run_with_budget`] takes another).
    pub fn run(&self, run: &RunOptions) -> Result<RidgeSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: [`Error::MemoryBudget`] (`n`) if [`Self::memory_estimate`] is over `budget`;
    /// those of [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<RidgeSimReport> {
        self.run_at_least(run, crate::sim::MIN_TRIALS, budget)
    }

    /// The peak memory of [`Self::run`] under `run`, from the arrays a trial holds at once
    /// ($k = \min(n, p)$, 8 bytes an entry): the draws and the design $X$ ($2np$), the
    /// $k\times k$ Gram matrix, and faer's copy and workspace of its eigenvalue solver
    /// ($3k^2$ in all). Trials at once: $\min(\text{trials}, \text{rayon threads})$;
    /// per-trial results are shared. See [`crate::sim::memory`].
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let (n, p) = (self.n, self.p);
        let k = n.min(p);
        let per_trial = (2 * memory::mul(n, p) + 3 * memory::mul(k, k)) * memory::F64;
        MemoryEstimate::new("n", per_trial, 0, 96, run)
    }

    fn run_at_least(
        &self,
        run: &RunOptions,
        min_trials: usize,
        budget: &MemoryBudget,
    ) -> Result<RidgeSimReport> {
        budget.check(&self.memory_estimate(run))?;
        let results =
            crate::sim::run_trials(run, min_trials, "ridge", |k| self.run_trial(run.seed, k))?;
        RidgeSimReport::from_trials(&results, min_trials, self.n, self.p)
    }

    /// A $\lambda$-curve amortised over one factorisation per trial: trial $k$ draws $X$ from
    /// the stream `(seed, k)` exactly as [`Self::run`] does, computes the eigenvalues of the
    /// smaller Gram matrix once, and evaluates the closed forms of the module docs at every
    /// $\lambda$ of `lambdas` (each $O(\min(n,p))$). Report $j$ is therefore, bit for bit, what
    /// [`Self::run`] returns for the same model at $\lambda$ = `lambdas[j]` and the same
    /// `run` (tested), for the price of about one point. The points of the curve share their
    /// designs, so they are dependent: each report's standard error is valid for that point
    /// (over the independent trials), but a difference between two points has a smaller spread
    /// than the two standard errors suggest; compute its SE from per-trial differences
    /// ([`Self::lambda_curve_trials`]).
    ///
    /// Domain: every $\lambda$ that [`LinearRidgeSimulation::check`] accepts with this
    /// model's $\gamma$, snr and $\sigma$ (finite, $\ge 0$, not $0$ at $\gamma = 1$).
    ///
    /// Errors: [`Error::InvalidParameter`] naming `lambdas` if the slice is empty, `lambda` for
    /// a value outside the domain (before any trial runs); those of [`Self::run`].
    pub fn run_lambda_curve(
        &self,
        run: &RunOptions,
        lambdas: &[f64],
    ) -> Result<Vec<RidgeSimReport>> {
        self.run_lambda_curve_with_budget(run, lambdas, &MemoryBudget::default())
    }

    /// [`Self::run_lambda_curve`] under an explicit memory budget (the curve needs the memory
    /// of one point).
    ///
    /// Errors: as [`Self::run_lambda_curve`]; [`Error::MemoryBudget`] (`n`).
    pub fn run_lambda_curve_with_budget(
        &self,
        run: &RunOptions,
        lambdas: &[f64],
        budget: &MemoryBudget,
    ) -> Result<Vec<RidgeSimReport>> {
        let trials = self.lambda_curve_trials_with_budget(run, lambdas, budget)?;
        RidgeSimReport::from_curve_trials(&trials, lambdas.len(), self.n, self.p)
    }

    /// The per-trial values of [`Self::run_lambda_curve`]: element $k$ is trial $k$'s
    /// [`RidgeTrial`] at every $\lambda$ (in the order of `lambdas`), for statistics across
    /// points (e.g. the SE of a difference between two $\lambda$ from per-trial differences).
    ///
    /// Errors: as [`Self::run_lambda_curve`].
    pub fn lambda_curve_trials(
        &self,
        run: &RunOptions,
        lambdas: &[f64],
    ) -> Result<Vec<Vec<RidgeTrial>>> {
        self.lambda_curve_trials_with_budget(run, lambdas, &MemoryBudget::default())
    }

    fn lambda_curve_trials_with_budget(
        &self,
        run: &RunOptions,
        lambdas: &[f64],
        budget: &MemoryBudget,
    ) -> Result<Vec<Vec<RidgeTrial>>> {
        let points = self.curve_points(lambdas)?;
        budget.check(&self.memory_estimate(run))?;
        crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "ridge", |k| {
            let eigenvalues = self.gram_eigenvalues(run.seed, k)?;
            points
                .iter()
                .map(|s| s.risks_from_eigenvalues(&eigenvalues))
                .collect()
        })
    }

    /// This simulator at every $\lambda$ of a curve, each validated as a point would be.
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
                let s = LinearRidgeSimulation {
                    model: Ridge {
                        lambda,
                        ..self.model
                    },
                    n: self.n,
                }
                .check()?;
                debug_assert_eq!((s.n, s.p), (self.n, self.p));
                Ok(s)
            })
            .collect()
    }

    /// One trial: draw $X$ from the stream `(seed, trial)` and return its exact conditional risks.
    pub fn run_trial(&self, seed: u64, trial: u64) -> Result<RidgeTrial> {
        let eigenvalues = self.gram_eigenvalues(seed, trial)?;
        self.risks_from_eigenvalues(&eigenvalues)
    }

    /// The eigenvalues of the smaller Gram matrix of trial `trial`'s design.
    fn gram_eigenvalues(&self, seed: u64, trial: u64) -> Result<Vec<f64>> {
        let mut rng = trial_rng(seed, trial);
        let (n, p) = (self.n, self.p);
        let mut draws = Vec::with_capacity(n * p);
        for _ in 0..n * p {
            draws.push(normal(&mut rng));
        }
        let x = Matrix::from_fn(n, p, |i, j| draws[i * p + j]);
        let inv_n = 1.0 / n as f64;
        let gram = if p <= n {
            x.gram(inv_n)
        } else {
            x.gram_rows(inv_n)
        };
        symmetric_eigenvalues(&gram)
    }

    /// The conditional risks from the $k = \min(n, p)$ eigenvalues of the smaller Gram matrix
    /// ($X^\top X/n$ or $XX^\top/n$); see the module docs.
    pub fn risks_from_eigenvalues(&self, eigenvalues: &[f64]) -> Result<RidgeTrial> {
        let k = self.n.min(self.p);
        if eigenvalues.len() != k {
            return Err(Error::DimensionMismatch {
                what: "Gram eigenvalues",
                expected: k,
                found: eigenvalues.len(),
            });
        }
        let (n, p, lambda) = (self.n as f64, self.p as f64, self.model.lambda);
        let max = eigenvalues.iter().fold(0.0f64, |m, &g| m.max(g));
        let (mut bias_sum, mut var_sum, mut train_signal, mut train_noise) = (0.0, 0.0, 0.0, 0.0);
        let mut zero = 0.0;
        for &g in eigenvalues {
            let g = g.max(0.0);
            if lambda > 0.0 {
                let shrink = lambda / (g + lambda);
                bias_sum += shrink * shrink;
                var_sum += g / ((g + lambda) * (g + lambda));
                train_signal += g * shrink * shrink;
                train_noise += shrink * shrink;
            } else if g > RIDGELESS_CUTOFF * max {
                var_sum += 1.0 / g;
            } else {
                zero += 1.0;
            }
        }
        // lambda = 0: a null direction is unpenalised and unlearnt (shrink factor 1).
        bias_sum += zero;
        train_noise += zero;
        // Directions of the larger side beyond the k eigenvalues have g = 0 (shrink factor 1).
        let k = k as f64;
        let bias = self.r_sq / p * (bias_sum + (p - k));
        let variance = self.sigma_sq / n * var_sum;
        let train_error =
            self.r_sq / p * train_signal + self.sigma_sq / n * (train_noise + (n - k));
        let trial = RidgeTrial {
            test_error: bias + variance,
            bias,
            variance,
            train_error,
        };
        for v in [trial.test_error, trial.train_error] {
            crate::error::finite(v, "ridge simulation risk")?;
        }
        Ok(trial)
    }
}

crate::sim::risk_metric_experiment!(LinearRidgeSimulator, size: n);

/// Unchecked parameters of a linear ridge simulation, with the model's fields copied.
///
/// Deprecated since the one-spine refactor: use [`LinearRidgeSimulation`], which embeds the
/// theory's [`Ridge`]. [`RidgeSimulation::check`] builds the new simulation and validates it
/// once, the theory's way: $\sigma = 0$, which this struct used to accept, is now rejected as
/// the theory rejects it (a noiseless problem is a large `snr`).
#[deprecated(note = "use LinearRidgeSimulation { model: Ridge { .. }, n }")]
#[derive(Debug, Clone, PartialEq)]
pub struct RidgeSimulation {
    /// Number of samples $n \ge 2$.
    pub n: usize,
    /// Aspect ratio $\gamma = p/n > 0$; the dimension is $p = \mathrm{round}(\gamma n) \ge 1$.
    pub gamma: f64,
    /// Ridge penalty $\lambda \ge 0$ ($0$: least squares / minimum-norm interpolation).
    pub lambda: f64,
    /// Signal-to-noise ratio $r^2/\sigma^2 \ge 0$.
    pub snr: f64,
    /// Noise standard deviation $\sigma > 0$.
    pub sigma: f64,
}

#[allow(deprecated)]
impl Default for RidgeSimulation {
    /// $n = 200$, $\gamma = 0.5$, $\lambda = 0.1$, $\mathrm{snr} = 1$, $\sigma = 1$.
    fn default() -> Self {
        Self {
            n: 200,
            gamma: 0.5,
            lambda: 0.1,
            snr: 1.0,
            sigma: 1.0,
        }
    }
}

#[allow(deprecated)]
impl RidgeSimulation {
    /// The same parameters in the new shape.
    pub fn simulation(&self) -> LinearRidgeSimulation {
        LinearRidgeSimulation {
            model: Ridge {
                gamma: self.gamma,
                lambda: self.lambda,
                snr: self.snr,
                noise_sd: self.sigma,
                ..Default::default()
            },
            n: self.n,
        }
    }

    /// Validate (by [`LinearRidgeSimulation::check`]) and fix the realised dimension $p$.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field.
    pub fn check(&self) -> Result<RidgeSimulator> {
        Ok(RidgeSimulator(self.simulation().check()?))
    }
}

/// A validated linear ridge simulation with the old positional `run(seed, trials, progress)`.
///
/// Deprecated: use [`LinearRidgeSimulator`] (every other method is reached through `Deref`).
#[deprecated(note = "use LinearRidgeSimulator and run(&RunOptions)")]
#[derive(Debug, Clone, PartialEq)]
pub struct RidgeSimulator(LinearRidgeSimulator);

#[allow(deprecated)]
impl std::ops::Deref for RidgeSimulator {
    type Target = LinearRidgeSimulator;
    fn deref(&self) -> &LinearRidgeSimulator {
        &self.0
    }
}

#[allow(deprecated)]
impl RidgeSimulator {
    /// The new-shape simulator.
    pub fn simulator(&self) -> &LinearRidgeSimulator {
        &self.0
    }

    /// [`LinearRidgeSimulator::run`] with positional arguments; accepts a single trial (standard
    /// error 0), as it always did.
    ///
    /// Errors: [`Error::InvalidParameter`] if `trials == 0`; as [`LinearRidgeSimulator::run`].
    pub fn run(&self, seed: u64, trials: usize, progress: bool) -> Result<RidgeSimReport> {
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

    #[test]
    fn eigenvalue_formulas_match_a_direct_fit() {
        // Independent check of the closed forms: fit beta-hat by an explicit solve for a fixed
        // design and average the squared error over beta and noise by Monte Carlo.
        use super::super::rng::trial_rng;
        use crate::linalg::Cholesky;
        let sim = LinearRidgeSimulation {
            model: Ridge {
                gamma: 0.75,
                lambda: 0.3,
                snr: 2.0,
                noise_sd: 0.7,
                ..Default::default()
            },
            n: 12,
        }
        .check()
        .unwrap();
        let (n, p) = (12, 9);
        let mut rng = trial_rng(9, 0);
        let x = Matrix::from_fn(n, p, |_, _| normal(&mut rng));
        let eig = symmetric_eigenvalues(&x.gram(1.0 / n as f64)).unwrap();
        let exact = sim.risks_from_eigenvalues(&eig).unwrap();
        let chol = Cholesky::new(&x.gram(1.0), n as f64 * 0.3).unwrap();
        let (mut test, mut train) = (0.0, 0.0);
        let draws = 20_000;
        let r = (2.0f64).sqrt() * 0.7;
        for _ in 0..draws {
            let beta = super::super::data::sample_sphere_vector(&mut rng, p, r);
            let y = Matrix::from_fn(n, 1, |i, _| {
                (0..p).map(|j| x.get(i, j).unwrap() * beta[j]).sum::<f64>() + 0.7 * normal(&mut rng)
            });
            let b = chol.solve(&x.matmul_tn(&y, 1.0).unwrap()).unwrap();
            test += (0..p)
                .map(|j| (b.get(j, 0).unwrap() - beta[j]).powi(2))
                .sum::<f64>();
            let fit = x.matmul(&b, 1.0).unwrap();
            train += fit.distance_sq(&y).unwrap() / n as f64;
        }
        let (test, train) = (test / draws as f64, train / draws as f64);
        assert!(
            (test - exact.test_error).abs() < 0.02 * exact.test_error,
            "{test} {exact:?}"
        );
        assert!(
            (train - exact.train_error).abs() < 0.02 * exact.train_error,
            "{train} {exact:?}"
        );
    }

    #[test]
    fn ridgeless_limits_of_the_formulas() {
        // lambda = 0 with p > n: the bias is r^2 (1 - n/p) exactly, whatever the eigenvalues.
        let sim = LinearRidgeSimulation {
            model: Ridge::new(1.5, 0.0, 1.0),
            n: 4,
        }
        .check()
        .unwrap();
        let t = sim.risks_from_eigenvalues(&[0.5, 1.0, 2.0, 4.0]).unwrap();
        assert!((t.bias - (1.0 - 4.0 / 6.0)).abs() < 1e-15);
        assert!((t.variance - (2.0 + 1.0 + 0.5 + 0.25) / 4.0).abs() < 1e-15);
        assert_eq!(t.train_error, 0.0);
        // p < n: no bias, training error sigma^2 (n - p)/n.
        let sim = LinearRidgeSimulation {
            model: Ridge::new(0.5, 0.0, 1.0),
            n: 4,
        }
        .check()
        .unwrap();
        let t = sim.risks_from_eigenvalues(&[1.0, 2.0]).unwrap();
        assert_eq!(t.bias, 0.0);
        assert!((t.train_error - 0.5).abs() < 1e-15);
        assert!(sim.risks_from_eigenvalues(&[1.0]).is_err());
        assert!(
            LinearRidgeSimulation {
                n: 1,
                ..Default::default()
            }
            .check()
            .is_err()
        );
        assert!(
            LinearRidgeSimulation {
                model: Ridge::new(-1.0, 0.1, 1.0),
                ..Default::default()
            }
            .check()
            .is_err()
        );
        for trials in [0, 1] {
            let run = RunOptions {
                seed: 0,
                trials,
                progress: false,
            };
            assert!(matches!(
                sim.run(&run),
                Err(Error::InvalidParameter { name: "trials", .. })
            ));
        }
        // One validation, the theory's: noise_sd = 0 is rejected as by Ridge::check, which
        // names the field noise_sd (docs/glossary.md; `sigma` is its deprecated alias).
        let noiseless = LinearRidgeSimulation {
            model: Ridge {
                noise_sd: 0.0,
                ..Ridge::new(0.5, 0.1, 1.0)
            },
            n: 10,
        };
        assert!(matches!(
            noiseless.check(),
            Err(Error::InvalidParameter {
                name: "noise_sd",
                ..
            })
        ));
    }
}
