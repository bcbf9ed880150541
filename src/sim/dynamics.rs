//! Finite-size simulation of least-squares training dynamics (gradient flow, gradient descent,
//! heavy ball, Nesterov) with isotropic Gaussian design: the finite problems whose limits
//! [`crate::theory::dynamics`] computes.
//!
//! # Model
//!
//! $x_i \sim \mathcal N(0, I_p)$, $y_i = x_i^\top\beta + \varepsilon_i$, $i = 1..n$,
//! $\beta \sim \mathrm{Unif}(\mathbb S^{p-1}(r))$, $r^2 = \mathrm{snr}\,\sigma^2$,
//! $\varepsilon_i \sim \mathcal N(0, \sigma^2)$, $p = \mathrm{round}(\gamma n)$; the method runs on
//! $L(b) = \tfrac1{2n}\|y - Xb\|^2 + \tfrac\lambda2\|b\|^2$ from $b_0 = b_{-1} = 0$.
//!
//! # What a trial computes (exactly, given $X$)
//!
//! Every method gives $b = q(S + \lambda)X^\top y/n$ with the scalar filter $q$ of
//! [`DynamicsModel::filter`], so with $g_1, \dots, g_k$ the eigenvalues of the smaller of
//! $X^\top X/n$ and $XX^\top/n$ ($k = \min(n, p)$), $q_i = q(g_i + \lambda)$ and
//! $\rho_i = 1 - g_iq_i = p(g_i + \lambda) + \lambda q_i$ (computed in the second form), the conditional expectations over $\beta$ and $\varepsilon$ are
//!
//! $$B = \frac{r^2}{p}\Big[\sum_i\rho_i^2 + (p - k)\Big],\qquad V = \frac{\sigma^2}{n}\sum_i g_iq_i^2,
//! \qquad E_{\rm train} = \frac{r^2}{p}\sum_i g_i\rho_i^2 + \frac{\sigma^2}{n}\Big[\sum_i\rho_i^2 + (n - k)\Big]$$
//!
//! (the same algebra as [`crate::sim::ridge`], whose filter is $1/(s + \lambda)$). One symmetric
//! eigenvalue computation per trial serves every time and every method
//! ([`DynamicsSimulator::run_many`]). [`fit_from_eigen`] is the realised estimator for a given
//! $\beta$ and $\varepsilon$ (eigenvectors included), which the tests compare with literal
//! iteration of each algorithm.

use super::estimate::Estimate;
use super::rng::{normal, trial_rng};
use crate::error::{Error, Result};
use crate::experiment::RunOptions;
use crate::linalg::{Matrix, SymmetricEigen, symmetric_eigenvalues};
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::theory::dynamics::{
    AnisotropicDynamics, AnisotropicDynamicsModel, Dynamics, DynamicsModel, DynamicsRisk,
};

/// Largest $n$ or $p$ accepted.
const MAX_SIZE: usize = 20_000;

/// Unchecked parameters of a dynamics simulation: the theory's parameters (nominal $\gamma$), the
/// sample size and the time ($t$ for gradient flow, the number of steps for a discrete method).
///
/// ```
/// use overparam::experiment::{JoinOptions, RunOptions, join};
/// use overparam::sim::dynamics::DynamicsSimulation;
/// use overparam::theory::dynamics::Dynamics;
/// let sim = DynamicsSimulation { model: Dynamics { gamma: 0.5, snr: 4.0, ..Default::default() },
///                                n: 200, time: 2.0 }.check()?;
/// let joined = join(&sim, &RunOptions { seed: 1, trials: 10, progress: false },
///                   &JoinOptions::default())?;
/// assert!(joined.all_agree(), "{joined:?}");
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsSimulation {
    /// The model: $\gamma$ (nominal; $p = \mathrm{round}(\gamma n)$), snr, $\sigma$, $\lambda$,
    /// method, step, momentum.
    pub model: Dynamics,
    /// Number of samples $n \in [2, 20000]$.
    pub n: usize,
    /// Gradient-flow time $t \ge 0$, or the number of steps (an integer) of a discrete method.
    pub time: f64,
}

impl Default for DynamicsSimulation {
    /// $n = 200$, $t = 2$, the default [`Dynamics`] (gradient flow, $\gamma = 0.5$, snr 4).
    fn default() -> Self {
        Self {
            model: Dynamics::default(),
            n: 200,
            time: 2.0,
        }
    }
}

impl DynamicsSimulation {
    /// Validate the model ([`Dynamics::check`]), the time and the sizes.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field (`n`, `gamma`, `time`, `steps`, or
    /// the model's).
    pub fn check(&self) -> Result<DynamicsSimulator> {
        let checked = self.model.check()?;
        checked
            .filter(self.time, 1.0)
            .map(|_| ())
            .or_else(|e| match e {
                Error::NonFinite { .. } => Ok(()),
                e => Err(e),
            })?;
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
        Ok(DynamicsSimulator {
            model: checked,
            params: self.model,
            n: self.n,
            p: p as usize,
            time: self.time,
        })
    }
}

/// A validated dynamics simulation (build with [`DynamicsSimulation::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicsSimulator {
    model: DynamicsModel,
    params: Dynamics,
    n: usize,
    p: usize,
    time: f64,
}

/// The conditional risks of one trial (exact given the design).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsTrial {
    /// Excess test risk $B + V$.
    pub test_error: f64,
    /// Bias $B$.
    pub bias: f64,
    /// Variance $V$.
    pub variance: f64,
    /// Training error (label noise included).
    pub train_error: f64,
}

/// The result of a dynamics simulation at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicsSimReport {
    /// The time ($t$ or steps).
    pub time: f64,
    /// Excess test risk.
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
}

impl DynamicsSimulator {
    /// Samples $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Dimension $p$.
    pub fn p(&self) -> usize {
        self.p
    }
    /// The realised ratio $p/n$.
    pub fn realised_gamma(&self) -> f64 {
        self.p as f64 / self.n as f64
    }
    /// The time ($t$ or steps).
    pub fn time(&self) -> f64 {
        self.time
    }
    /// The checked model (nominal $\gamma$).
    pub fn model(&self) -> &DynamicsModel {
        &self.model
    }

    /// The model at the realised $\gamma = p/n$.
    ///
    /// Errors: those of [`Dynamics::check`] (e.g. a step that is stable at the nominal but not
    /// at the realised $\gamma$).
    pub fn realised_model(&self) -> Result<DynamicsModel> {
        Dynamics {
            gamma: self.realised_gamma(),
            ..self.params
        }
        .check()
    }

    /// The limit at the realised $\gamma$ and this simulator's time.
    ///
    /// Errors: as [`Self::realised_model`] and [`DynamicsModel::at`].
    pub fn theory(&self) -> Result<DynamicsRisk> {
        self.realised_model()?.at(self.time)
    }

    /// Eigenvalues of the smaller Gram matrix of trial `(seed, trial)`.
    ///
    /// Errors: linear-algebra failures.
    pub fn trial_eigenvalues(&self, seed: u64, trial: u64) -> Result<Vec<f64>> {
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

    /// The exact conditional risks of `model` (same $\gamma$, snr, $\sigma$ as this simulator;
    /// any method) at `time`, from the $k = \min(n, p)$ eigenvalues of a trial (module docs).
    ///
    /// Errors: [`Error::DimensionMismatch`] for the wrong number of eigenvalues; those of
    /// [`DynamicsModel::filter`]; [`Error::NonFinite`] on overflow.
    pub fn risks_from_eigenvalues(
        &self,
        eigenvalues: &[f64],
        model: &DynamicsModel,
        time: f64,
    ) -> Result<DynamicsTrial> {
        let k = self.n.min(self.p);
        if eigenvalues.len() != k {
            return Err(Error::DimensionMismatch {
                what: "Gram eigenvalues",
                expected: k,
                found: eigenvalues.len(),
            });
        }
        let (n, p) = (self.n as f64, self.p as f64);
        let sigma = model.noise_sd();
        let (r2, s2) = (model.signal_energy(), sigma * sigma);
        let (mut rho2, mut sq2, mut srho2) = (0.0, 0.0, 0.0);
        for &g in eigenvalues {
            let g = g.max(0.0);
            let (q, p_res) = model.filter_and_residual(time, g + model.lambda())?;
            // rho = 1 - g q = p(g + lambda) + lambda q, without the cancellation.
            let rho = p_res + model.lambda() * q;
            rho2 += rho * rho;
            sq2 += g * q * q;
            srho2 += g * rho * rho;
        }
        let kf = k as f64;
        let bias = r2 / p * (rho2 + (p - kf));
        let variance = s2 / n * sq2;
        let train_error = r2 / p * srho2 + s2 / n * (rho2 + (n - kf));
        let trial = DynamicsTrial {
            test_error: bias + variance,
            bias,
            variance,
            train_error,
        };
        for v in [trial.test_error, trial.train_error] {
            crate::error::finite(v, "dynamics simulation risk")?;
        }
        Ok(trial)
    }

    /// Run `run.trials` ($\ge 2$) trials at this simulator's model and time.
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`) for fewer than 2; [`Error::MemoryBudget`]
    /// (`n`) over the default budget; linear-algebra failures.
    pub fn run(&self, run: &RunOptions) -> Result<DynamicsSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: as [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<DynamicsSimReport> {
        let mut out = self.run_many_with_budget(run, &[(self.model, self.time)], budget)?;
        out.pop().ok_or(Error::DimensionMismatch {
            what: "simulated points",
            expected: 1,
            found: 0,
        })
    }

    /// Every `(model, time)` pair from the same trials: one eigenvalue computation per trial,
    /// then the filters of every method at every time. The models must have this simulator's
    /// $\gamma$, snr and $\sigma$ (their method, step, momentum and $\lambda$ are free).
    ///
    /// Errors: [`Error::InvalidParameter`] (`gamma`, `snr` or `noise_sd`) for a model of another
    /// problem; as [`Self::run`].
    pub fn run_many(
        &self,
        run: &RunOptions,
        points: &[(DynamicsModel, f64)],
    ) -> Result<Vec<DynamicsSimReport>> {
        self.run_many_with_budget(run, points, &MemoryBudget::default())
    }

    fn run_many_with_budget(
        &self,
        run: &RunOptions,
        points: &[(DynamicsModel, f64)],
        budget: &MemoryBudget,
    ) -> Result<Vec<DynamicsSimReport>> {
        for (m, _) in points {
            for (name, a, b) in [
                ("gamma", m.gamma(), self.model.gamma()),
                ("snr", m.snr(), self.model.snr()),
                ("noise_sd", m.noise_sd(), self.model.noise_sd()),
            ] {
                if a != b {
                    return Err(Error::InvalidParameter {
                        name,
                        value: a,
                        expected: "the simulator's value (run_many varies the method, not the problem)",
                    });
                }
            }
        }
        budget.check(&self.memory_estimate(run))?;
        let results = crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "dynamics", |k| {
            let eig = self.trial_eigenvalues(run.seed, k)?;
            points
                .iter()
                .map(|(m, t)| self.risks_from_eigenvalues(&eig, m, *t))
                .collect::<Result<Vec<_>>>()
        })?;
        points
            .iter()
            .enumerate()
            .map(|(i, (_, t))| {
                let pick = |f: fn(&DynamicsTrial) -> f64| {
                    Estimate::from_trials(results.iter().map(|r| f(&r[i])).collect())
                };
                Ok(DynamicsSimReport {
                    time: *t,
                    test_error: pick(|t| t.test_error)?,
                    bias: pick(|t| t.bias)?,
                    variance: pick(|t| t.variance)?,
                    train_error: pick(|t| t.train_error)?,
                    n: self.n,
                    p: self.p,
                })
            })
            .collect()
    }

    /// Peak memory of a run: the draws and the design ($2np$), the Gram matrix and the
    /// eigenvalue solver's copy and workspace ($3k^2$), per concurrent trial.
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let (n, p) = (self.n, self.p);
        let k = n.min(p);
        let per_trial = (2 * memory::mul(n, p) + 3 * memory::mul(k, k)) * memory::F64;
        MemoryEstimate::new("n", per_trial, 0, 96, run)
    }
}

/// The realised estimator $b = q(S + \lambda)\,c$ for one data set, from the full
/// eigendecomposition of $S = X^\top X/n$ and $c = X^\top y/n$ ($p\times1$): what any number of
/// steps of the method gives, without iterating.
///
/// Errors: [`Error::DimensionMismatch`] if `c` is not $p\times1$; those of
/// [`DynamicsModel::filter`].
pub fn fit_from_eigen(
    eigen: &SymmetricEigen,
    c: &Matrix,
    model: &DynamicsModel,
    time: f64,
) -> Result<Matrix> {
    let p = eigen.values().len();
    if c.nrows() != p || c.ncols() != 1 {
        return Err(Error::DimensionMismatch {
            what: "X^T y / n (p x 1)",
            expected: p,
            found: c.nrows(),
        });
    }
    let filters = eigen
        .values()
        .iter()
        .map(|&s| model.filter(time, s.max(0.0) + model.lambda()))
        .collect::<Result<Vec<f64>>>()?;
    let mut coeffs = eigen.vectors().matmul_tn(c, 1.0)?;
    coeffs.scale_rows(&filters)?;
    eigen.vectors().matmul(&coeffs, 1.0)
}

crate::sim::risk_metric_experiment!(DynamicsSimulator, size: n);

/// Largest $n$ or $p$ of the general-population simulation (a $p \times p$ eigendecomposition
/// with eigenvectors per trial).
const MAX_SIZE_ANISOTROPIC: usize = 5_000;

/// Unchecked parameters of a dynamics simulation with a population spectrum: the theory's
/// parameters ([`AnisotropicDynamics`], nominal $\gamma$), the sample size and the time.
///
/// # Model
///
/// As [`crate::sim::ridge::anisotropic`]: $\Sigma$ diagonal in its eigenbasis, atom $j$ on
/// $m_j = \mathrm{round}(w_j\,\mathrm{round}(\gamma n))$ coordinates with variance $s_j$, $\beta$
/// uniform on the sphere of radius $\sqrt{c_jr^2}$ on atom $j$'s coordinates (the shares of the
/// atoms kept renormalised; the theory is evaluated at the realised population and $p/n$).
///
/// # What a trial computes (exactly given $X$ and $\beta$; expectation over the noise)
///
/// With $S = X^\top X/n = U\operatorname{diag}(d)U^\top$ ($p \times p$, one eigendecomposition
/// per trial for every time and method), $\rho_i = 1 - d_iq(d_i + \lambda)$, $a = U^\top\beta$:
/// $B = \sum_k s_k\big(U(\rho\circ a)\big)_k^2$,
/// $V = \frac{\sigma^2}{n}\sum_i d_iq_i^2\,(U^\top\Sigma U)_{ii}$,
/// $E_{\rm train} = \sum_i d_i\rho_i^2a_i^2 + \frac{\sigma^2}{n}\big[\sum_{i \le \min(n,p)}\rho_i^2
/// + (n - p)_+\big]$ (the $\min(n, p)$ largest $d_i$: the spectrum of $XX^\top/n$).
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicDynamicsSimulation {
    /// The model (population, nominal $\gamma$, energies, $\lambda$, method).
    pub model: AnisotropicDynamics,
    /// Samples $n \in [2, 5000]$.
    pub n: usize,
    /// Gradient-flow time, or the number of steps of a discrete method.
    pub time: f64,
}

/// A validated general-population dynamics simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicDynamicsSimulator {
    model: AnisotropicDynamicsModel,
    realised: AnisotropicDynamicsModel,
    n: usize,
    p: usize,
    time: f64,
    blocks: Vec<crate::sim::ridge::anisotropic::Block>,
}

impl AnisotropicDynamicsSimulation {
    /// Validate the model, the time, the sizes, and the theory at the realised population.
    ///
    /// Errors: [`Error::InvalidParameter`] naming `n` (outside $[2, 5000]$), `gamma` (a
    /// realised $p$ outside $[1, 5000]$), `population` (no atom with variance and signal gets a
    /// coordinate), `time`/`steps`; those of [`AnisotropicDynamics::check`] (also at the
    /// realised population and $p/n$).
    pub fn check(&self) -> Result<AnisotropicDynamicsSimulator> {
        let model = self.model.check()?;
        model
            .filter_and_residual(self.time, 1.0)
            .map(|_| ())
            .or_else(|e| match e {
                Error::NonFinite { .. } => Ok(()),
                e => Err(e),
            })?;
        if self.n < 2 || self.n > MAX_SIZE_ANISOTROPIC {
            return Err(Error::InvalidParameter {
                name: "n",
                value: self.n as f64,
                expected: "an integer in [2, 5000]",
            });
        }
        let p0 = (model.gamma() * self.n as f64).round();
        let pop = model.population();
        let crate::sim::ridge::anisotropic::RealisedPopulation {
            p,
            population: realised_pop,
            blocks,
        } = crate::sim::ridge::anisotropic::realise_population(
            pop,
            p0,
            MAX_SIZE_ANISOTROPIC,
            model.gamma(),
            "a realised dimension sum_j round(w_j round(gamma n)) in [1, 5000]",
            model.signal_energy(),
        )?;
        let realised = model
            .params()
            .clone()
            .with_population(realised_pop)
            .with_gamma(p as f64 / self.n as f64)
            .check()?;
        Ok(AnisotropicDynamicsSimulator {
            model,
            realised,
            n: self.n,
            p,
            time: self.time,
            blocks,
        })
    }
}

impl AnisotropicDynamicsSimulator {
    /// Samples $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Realised dimension $p$.
    pub fn p(&self) -> usize {
        self.p
    }
    /// $p/n$.
    pub fn realised_gamma(&self) -> f64 {
        self.p as f64 / self.n as f64
    }
    /// The time ($t$ or steps).
    pub fn time(&self) -> f64 {
        self.time
    }
    /// The checked model (nominal).
    pub fn model(&self) -> &AnisotropicDynamicsModel {
        &self.model
    }
    /// The model at the realised population and $p/n$.
    pub fn realised_model(&self) -> &AnisotropicDynamicsModel {
        &self.realised
    }
    /// The limit at the realised population and $p/n$, at this simulator's time.
    ///
    /// Errors: as [`AnisotropicDynamicsModel::at`].
    pub fn theory(&self) -> Result<DynamicsRisk> {
        self.realised.at(self.time)
    }

    /// Peak memory per concurrent trial: the design ($np$), $S$, its eigenvectors and the
    /// solver's workspace ($4p^2$), 8 bytes each.
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let (n, p) = (self.n, self.p);
        let per_trial = (2 * memory::mul(n, p) + 4 * memory::mul(p, p)) * memory::F64;
        MemoryEstimate::new("n", per_trial, 0, 96, run)
    }

    /// Run at this simulator's model and time.
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`); [`Error::MemoryBudget`]; linear-algebra
    /// failures.
    pub fn run(&self, run: &RunOptions) -> Result<DynamicsSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: as [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<DynamicsSimReport> {
        let points = [(self.model.clone(), self.time)];
        let mut out = self.run_many_with_budget(run, &points, budget)?;
        out.pop().ok_or(Error::DimensionMismatch {
            what: "simulated points",
            expected: 1,
            found: 0,
        })
    }

    /// Every `(model, time)` pair from the same trials (one eigendecomposition per trial). The
    /// models must have this simulator's $r^2$ and $\sigma^2$ (method, step, momentum and
    /// $\lambda$ are free; population and $\gamma$ are the simulator's).
    ///
    /// Errors: [`Error::InvalidParameter`] (`signal_energy`, `noise_variance`) for another
    /// problem; as [`Self::run`].
    pub fn run_many(
        &self,
        run: &RunOptions,
        points: &[(AnisotropicDynamicsModel, f64)],
    ) -> Result<Vec<DynamicsSimReport>> {
        self.run_many_with_budget(run, points, &MemoryBudget::default())
    }

    fn run_many_with_budget(
        &self,
        run: &RunOptions,
        points: &[(AnisotropicDynamicsModel, f64)],
        budget: &MemoryBudget,
    ) -> Result<Vec<DynamicsSimReport>> {
        for (m, _) in points {
            for (name, a, b) in [
                (
                    "signal_energy",
                    m.signal_energy(),
                    self.model.signal_energy(),
                ),
                (
                    "noise_variance",
                    m.noise_variance(),
                    self.model.noise_variance(),
                ),
            ] {
                if a != b {
                    return Err(Error::InvalidParameter {
                        name,
                        value: a,
                        expected: "the simulator's value (run_many varies the method, not the problem)",
                    });
                }
            }
        }
        budget.check(&self.memory_estimate(run))?;
        let results = crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "dynamics", |k| {
            self.run_trial(run.seed, k, points)
        })?;
        points
            .iter()
            .enumerate()
            .map(|(i, (_, t))| {
                let pick = |f: fn(&DynamicsTrial) -> f64| {
                    Estimate::from_trials(results.iter().map(|r| f(&r[i])).collect())
                };
                Ok(DynamicsSimReport {
                    time: *t,
                    test_error: pick(|t| t.test_error)?,
                    bias: pick(|t| t.bias)?,
                    variance: pick(|t| t.variance)?,
                    train_error: pick(|t| t.train_error)?,
                    n: self.n,
                    p: self.p,
                })
            })
            .collect()
    }

    /// One trial at every point: draw $X$ and $\beta$ from the stream `(seed, trial)`,
    /// eigendecompose $S$ once, and return the exact conditional risks (module docs).
    ///
    /// Errors: linear-algebra failures; those of the filters; [`Error::NonFinite`].
    pub fn run_trial(
        &self,
        seed: u64,
        trial: u64,
        points: &[(AnisotropicDynamicsModel, f64)],
    ) -> Result<Vec<DynamicsTrial>> {
        let mut rng = trial_rng(seed, trial);
        let (n, p) = (self.n, self.p);
        let mut var = Vec::with_capacity(p);
        let mut beta = Vec::with_capacity(p);
        for b in &self.blocks {
            let g: Vec<f64> = (0..b.count).map(|_| normal(&mut rng)).collect();
            let norm = g.iter().map(|x| x * x).sum::<f64>().sqrt();
            for x in g {
                var.push(b.variance);
                beta.push(if norm > 0.0 { b.norm * x / norm } else { 0.0 });
            }
        }
        let sd: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
        let mut draws = Vec::with_capacity(n * p);
        for _ in 0..n * p {
            draws.push(normal(&mut rng));
        }
        let x = Matrix::from_fn(n, p, |i, j| draws[i * p + j] * sd[j]);
        drop(draws);
        let nf = n as f64;
        let eig = SymmetricEigen::new(&x.gram(1.0 / nf))?;
        drop(x);
        let d: Vec<f64> = eig.values().iter().map(|v| v.max(0.0)).collect();
        let u = eig.vectors();
        let at = |m: &Matrix, i: usize, j: usize| m.get(i, j).unwrap_or(0.0);
        let beta_m = Matrix::from_fn(p, 1, |i, _| beta[i]);
        let coef = u.matmul_tn(&beta_m, 1.0)?;
        // (U^T Sigma U)_ii.
        let sig_diag: Vec<f64> = (0..p)
            .map(|i| (0..p).map(|k| var[k] * at(u, k, i).powi(2)).sum())
            .collect();
        // The min(n, p) largest eigenvalues are the spectrum of X X^T / n.
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&a, &b| d[b].total_cmp(&d[a]));
        let top = n.min(p);
        let mut in_top = vec![false; p];
        for &i in order.iter().take(top) {
            in_top[i] = true;
        }
        points
            .iter()
            .map(|(m, time)| {
                let lambda = m.lambda();
                let s2 = m.noise_variance();
                let mut rho = vec![0.0; p];
                let (mut var_sum, mut sig, mut noise) = (0.0, 0.0, (n.saturating_sub(p)) as f64);
                for i in 0..p {
                    let (q, p_res) = m.filter_and_residual(*time, d[i] + lambda)?;
                    let r = p_res + lambda * q;
                    rho[i] = r;
                    var_sum += d[i] * q * q * sig_diag[i];
                    let c = at(&coef, i, 0);
                    sig += d[i] * r * r * c * c;
                    if in_top[i] {
                        noise += r * r;
                    }
                }
                let t = Matrix::from_fn(p, 1, |i, _| rho[i] * at(&coef, i, 0));
                let diff = u.matmul(&t, 1.0)?;
                let bias: f64 = (0..p).map(|k| var[k] * at(&diff, k, 0).powi(2)).sum();
                let variance = s2 / nf * var_sum;
                let trial = DynamicsTrial {
                    test_error: bias + variance,
                    bias,
                    variance,
                    train_error: sig + s2 / nf * noise,
                };
                for v in [trial.test_error, trial.train_error] {
                    crate::error::finite(v, "dynamics simulation risk")?;
                }
                Ok(trial)
            })
            .collect()
    }
}

crate::sim::risk_metric_experiment!(AnisotropicDynamicsSimulator, size: n);
