//! Finite-size simulation of ridge regression with a population covariance and target
//! alignment (the setting of [`crate::theory::ridge::AnisotropicRidge`]).
//!
//! # Model
//!
//! The risk is rotation invariant, so the covariance is taken diagonal in its eigenbasis:
//! atom $j$ of the population occupies $m_j = \mathrm{round}(w_j p_0)$ coordinates
//! ($p_0 = \mathrm{round}(\gamma n)$; the realised dimension is $p = \sum_j m_j$, which can
//! differ from $p_0$ by the rounding, and the realised weights are $m_j/p$), each with variance
//! $s_j$. Rows $x_i \sim N(0, \Sigma)$, $y_i = x_i^\top\beta + \varepsilon_i$,
//! $\varepsilon_i \sim N(0, \sigma^2)$. $\beta$ is drawn per trial: on atom $j$'s coordinates
//! uniformly on the sphere of radius $\sqrt{c_j r^2}$ ($r^2 = \mathrm{snr}\,\sigma^2$). Atoms
//! with $m_j = 0$ are dropped and the signal shares of the rest renormalised (so
//! $\|\beta\|^2 = r^2$ exactly); [`AnisotropicRidgeSimulator::realised_population`] is the
//! population the simulation really has, and the theory is evaluated there.
//!
//! # What a trial computes (exactly, given $X$ and $\beta$; expectation over the noise)
//!
//! With $S = X^\top X/n$ and the spectral filter $f(d) = d/(d + \lambda)$ ($\lambda = 0$:
//! $f = 1$ above the relative cutoff [`crate::linalg::RIDGELESS_CUTOFF`], else 0):
//! $B = (f(S)\beta - \beta)^\top\Sigma(f(S)\beta - \beta)$,
//! $V = \frac{\sigma^2}{n}\operatorname{tr}\Sigma\,S(S+\lambda)^{-2}$, and the training error
//! $\frac1n\|(I - H)X\beta\|^2 + \frac{\sigma^2}{n}\operatorname{tr}(I - H)^2$ with $H$ the hat
//! matrix. For $p \le n$ through the eigendecomposition of $S$ ($p\times p$); for $p > n$
//! through that of $K = XX^\top/n$ ($n\times n$), with
//! $f(S)\beta = X^\top g(K)X\beta/n$, $g(e) = 1/(e + \lambda)$ (the min-norm solution at
//! $\lambda = 0$), $V = \frac{\sigma^2}{n^2}\sum_i g(e_i)^2\|\Sigma^{1/2}X^\top v_i\|^2$ and the
//! residual operator $I - H = I - Kg(K)$.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::experiment::RunOptions;
use crate::linalg::{Matrix, RIDGELESS_CUTOFF, SymmetricEigen};
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::sim::rng::{normal, trial_rng};
use crate::spectral::Population;
use crate::theory::ridge::{AnisotropicRidge, AnisotropicRidgeRisk};

use super::{RidgeSimReport, RidgeTrial};

/// Largest $n$ or $p$ accepted (eigenvectors are needed: smaller than the isotropic bound).
const MAX_SIZE: usize = 10_000;

/// Unchecked parameters: the theory's parameters (nominal $\gamma$) and the sample size.
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicRidgeSimulation {
    /// The model (population, $\gamma$, $\lambda$, snr, $\sigma$).
    pub model: AnisotropicRidge,
    /// Samples $n \in [2, 10000]$.
    pub n: usize,
}

/// A validated anisotropic ridge simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicRidgeSimulator {
    model: AnisotropicRidge,
    n: usize,
    /// Per coordinate: the variance and the index of its atom in `blocks`.
    blocks: Vec<Block>,
    p: usize,
    realised: Arc<Population>,
}

/// One atom's block of coordinates of a finite problem: its variance $s_j$, its number of
/// coordinates $\mathrm{round}(w_j p_0)$ and the norm of $\beta$ on them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Block {
    pub(crate) variance: f64,
    pub(crate) count: usize,
    /// $\sqrt{c_j r^2}$ after renormalisation.
    pub(crate) norm: f64,
}

/// A population fixed at a finite dimension: shared by the anisotropic ridge and dynamics
/// simulations.
pub(crate) struct RealisedPopulation {
    /// $p = \sum_j \mathrm{round}(w_j p_0)$.
    pub(crate) p: usize,
    /// The atoms that have a coordinate, weighted by their counts.
    pub(crate) population: Population,
    pub(crate) blocks: Vec<Block>,
}

/// Give atom $j$ of `pop` $\mathrm{round}(w_j p_0)$ coordinates and $\beta$ the norm
/// $\sqrt{c_j r^2}$ on them (signal shares renormalised over the atoms kept).
///
/// Errors: [`Error::InvalidParameter`] naming `gamma` (value `gamma`, `expected`) unless
/// $1 \le p \le$ `max`; naming `population` if the atoms kept carry no variance or signal.
pub(crate) fn realise_population(
    pop: &Population,
    p0: f64,
    max: usize,
    gamma: f64,
    expected: &'static str,
    r2: f64,
) -> Result<RealisedPopulation> {
    let counts: Vec<usize> = pop
        .weights()
        .iter()
        .map(|w| (w * p0).round() as usize)
        .collect();
    let p: usize = counts.iter().sum();
    if p == 0 || p > max {
        return Err(Error::InvalidParameter {
            name: "gamma",
            value: gamma,
            expected,
        });
    }
    let kept: Vec<usize> = (0..counts.len()).filter(|&j| counts[j] > 0).collect();
    let signal: f64 = kept.iter().map(|&j| pop.signal()[j]).sum();
    let population = Population::new(
        kept.iter().map(|&j| pop.eigenvalues()[j]).collect(),
        kept.iter().map(|&j| counts[j] as f64).collect(),
        kept.iter().map(|&j| pop.signal()[j]).collect(),
    )
    .map_err(|_| Error::InvalidParameter {
        name: "population",
        value: p as f64,
        expected: "a population whose atoms with a coordinate at this size carry variance and signal",
    })?;
    let blocks = kept
        .iter()
        .map(|&j| Block {
            variance: pop.eigenvalues()[j],
            count: counts[j],
            norm: (pop.signal()[j] / signal * r2).sqrt(),
        })
        .collect();
    Ok(RealisedPopulation {
        p,
        population,
        blocks,
    })
}

impl AnisotropicRidgeSimulation {
    /// Validate the model ([`AnisotropicRidge::check`]) and the sizes, and fix the coordinates.
    ///
    /// Errors: [`Error::InvalidParameter`] naming `n` (outside $[2, 10000]$), `gamma` (a
    /// realised $p$ outside $[1, 10000]$) or `population` (no atom with positive variance gets
    /// a coordinate, or the signal is all on atoms without coordinates).
    pub fn check(&self) -> Result<AnisotropicRidgeSimulator> {
        let checked = self.model.check()?;
        if self.n < 2 || self.n > MAX_SIZE {
            return Err(Error::InvalidParameter {
                name: "n",
                value: self.n as f64,
                expected: "an integer in [2, 10000]",
            });
        }
        let p0 = (self.model.gamma * self.n as f64).round();
        if !(1.0..=MAX_SIZE as f64).contains(&p0) {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: self.model.gamma,
                expected: "a ratio with 1 <= round(gamma * n) <= 10000",
            });
        }
        let pop = &self.model.population;
        let RealisedPopulation {
            p,
            population: realised,
            blocks,
        } = realise_population(
            pop,
            p0,
            MAX_SIZE,
            self.model.gamma,
            "a realised dimension sum_j round(w_j round(gamma n)) in [1, 10000]",
            checked.signal_energy(),
        )?;
        Ok(AnisotropicRidgeSimulator {
            model: AnisotropicRidge {
                noise_sd: checked.noise_sd(),
                ..self.model.clone()
            },
            n: self.n,
            blocks,
            p,
            realised: Arc::new(realised),
        })
    }
}

impl AnisotropicRidgeSimulator {
    /// Samples $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The realised dimension $p = \sum_j \mathrm{round}(w_j\,\mathrm{round}(\gamma n))$.
    pub fn p(&self) -> usize {
        self.p
    }
    /// The model (nominal $\gamma$) this simulator was checked from.
    pub fn model(&self) -> &AnisotropicRidge {
        &self.model
    }
    /// $p/n$.
    pub fn realised_gamma(&self) -> f64 {
        self.p as f64 / self.n as f64
    }
    /// The population the simulation has: the atoms with a coordinate, weights $m_j/p$, signal
    /// shares renormalised over them.
    pub fn realised_population(&self) -> &Population {
        &self.realised
    }
    /// The theory at the realised $\gamma$ and population.
    ///
    /// Errors: those of [`AnisotropicRidge::check`] and `risk` (e.g. $\lambda = 0$ at a
    /// realised $\gamma w_+ = 1$).
    pub fn theory(&self) -> Result<AnisotropicRidgeRisk> {
        AnisotropicRidge {
            population: Arc::clone(&self.realised),
            gamma: self.realised_gamma(),
            ..self.model.clone()
        }
        .check()?
        .risk()
    }

    /// Peak memory: the design ($np$), the smaller Gram matrix and its eigenvectors and faer's
    /// workspace ($3k^2$, $k = \min(n, p)$), and $X^\top V$ when $p > n$ ($pn$), 8 bytes each.
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let (n, p) = (self.n, self.p);
        let k = n.min(p);
        let per_trial = (2 * memory::mul(n, p) + 4 * memory::mul(k, k)) * memory::F64;
        MemoryEstimate::new("n", per_trial, 0, 96, run)
    }

    /// Run `run.trials` ($\ge 2$) trials (rayon; bit-identical for any thread count).
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`); [`Error::MemoryBudget`];
    /// linear-algebra failures.
    pub fn run(&self, run: &RunOptions) -> Result<RidgeSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: as [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<RidgeSimReport> {
        budget.check(&self.memory_estimate(run))?;
        let min = crate::sim::MIN_TRIALS;
        let results = crate::sim::run_trials(run, min, "ridge", |k| self.run_trial(run.seed, k))?;
        RidgeSimReport::from_trials(&results, min, self.n, self.p)
    }

    /// A $\lambda$-curve amortised over one eigendecomposition per trial: trial $k$ draws $X$
    /// and $\beta$ from the stream `(seed, k)` exactly as [`Self::run`] does, decomposes the
    /// smaller Gram matrix once ($O(\min(n,p)^3)$, plus $X^\top V$ when $p > n$), and evaluates
    /// every $\lambda$ of `lambdas` with matrix-vector products only ($O(\min(n,p)^2)$, or
    /// $O(np)$ when $p > n$). Report $j$ equals [`Self::run`] of the same model at
    /// $\lambda$ = `lambdas[j]` with the same `run` bit for bit (both go through the same
    /// factorisation; tested). The points share their designs: each report's standard error is
    /// valid for that point, not for differences between points (use
    /// [`Self::lambda_curve_trials`] and per-trial differences for those).
    ///
    /// Domain: every $\lambda$ [`AnisotropicRidgeSimulation::check`] accepts with this model.
    ///
    /// Errors: [`Error::InvalidParameter`] naming `lambdas` (empty) or the model's parameter
    /// (a $\lambda$ outside the domain), before any trial; those of [`Self::run`].
    pub fn run_lambda_curve(
        &self,
        run: &RunOptions,
        lambdas: &[f64],
    ) -> Result<Vec<RidgeSimReport>> {
        self.run_lambda_curve_with_budget(run, lambdas, &MemoryBudget::default())
    }

    /// [`Self::run_lambda_curve`] under an explicit memory budget.
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

    /// The per-trial values of [`Self::run_lambda_curve`]: element $k$ holds trial $k$ at every
    /// $\lambda$, in the order of `lambdas`.
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
        if lambdas.is_empty() {
            return Err(Error::InvalidParameter {
                name: "lambdas",
                value: 0.0,
                expected: "at least one lambda",
            });
        }
        for &lambda in lambdas {
            AnisotropicRidge {
                lambda,
                ..self.model.clone()
            }
            .check()?;
        }
        budget.check(&self.memory_estimate(run))?;
        crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "ridge", |k| {
            let factor = self.factor(run.seed, k)?;
            lambdas.iter().map(|&l| factor.risks(l)).collect()
        })
    }

    /// One trial: draw $X$ and $\beta$ from the stream `(seed, trial)` and return the exact
    /// conditional risks (expectation over the label noise).
    ///
    /// Errors: linear-algebra failures; [`Error::NonFinite`].
    pub fn run_trial(&self, seed: u64, trial: u64) -> Result<RidgeTrial> {
        self.factor(seed, trial)?.risks(self.model.lambda)
    }

    /// Draw trial `trial` and factor it: everything that does not depend on $\lambda$.
    fn factor(&self, seed: u64, trial: u64) -> Result<TrialFactor> {
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
        let beta_m = Matrix::from_fn(p, 1, |i, _| beta[i]);
        let at = |m: &Matrix, i: usize, j: usize| m.get(i, j).unwrap_or(0.0);
        let s2 = self.model.noise_sd * self.model.noise_sd;
        if p <= n {
            let eig = SymmetricEigen::new(&x.gram(1.0 / nf))?;
            let u = eig.vectors();
            let coef = u.matmul_tn(&beta_m, 1.0)?;
            // sum_k var_k U_ki^2 per eigenvector i.
            let weight = (0..p)
                .map(|i| (0..p).map(|k| var[k] * at(u, k, i).powi(2)).sum())
                .collect();
            Ok(TrialFactor::Primal {
                n,
                s2,
                var,
                eig,
                coef,
                weight,
            })
        } else {
            let eig = SymmetricEigen::new(&x.gram_rows(1.0 / nf))?;
            let v = eig.vectors();
            let xb = x.matmul(&beta_m, 1.0)?; // n x 1
            let w = v.matmul_tn(&xb, 1.0)?; // V^T X beta
            let a = x.matmul_tn(v, 1.0)?; // p x n, columns X^T v_i
            let weight = (0..n)
                .map(|i| (0..p).map(|k| var[k] * at(&a, k, i).powi(2)).sum())
                .collect();
            Ok(TrialFactor::Dual {
                n,
                s2,
                var,
                beta,
                eig,
                w,
                a,
                weight,
            })
        }
    }
}

/// What a trial keeps across $\lambda$: the eigendecomposition of the smaller Gram matrix and
/// the projections of the signal and the covariance on its eigenvectors.
enum TrialFactor {
    /// $p \le n$: $S = X^\top X/n = U\mathrm{diag}(d)U^\top$, `coef` $= U^\top\beta$,
    /// `weight`$_i = \sum_k \Sigma_{kk}U_{ki}^2$.
    Primal {
        n: usize,
        s2: f64,
        var: Vec<f64>,
        eig: SymmetricEigen,
        coef: Matrix,
        weight: Vec<f64>,
    },
    /// $p > n$: $K = XX^\top/n = V\mathrm{diag}(e)V^\top$, `w` $= V^\top X\beta$,
    /// `a` $= X^\top V$, `weight`$_i = \sum_k \Sigma_{kk}a_{ki}^2$.
    Dual {
        n: usize,
        s2: f64,
        var: Vec<f64>,
        beta: Vec<f64>,
        eig: SymmetricEigen,
        w: Matrix,
        a: Matrix,
        weight: Vec<f64>,
    },
}

impl TrialFactor {
    /// The exact conditional risks at `lambda` (module docs).
    fn risks(&self, lambda: f64) -> Result<RidgeTrial> {
        let at = |m: &Matrix, i: usize, j: usize| m.get(i, j).unwrap_or(0.0);
        let (bias, variance, train) = match self {
            Self::Primal {
                n,
                s2,
                var,
                eig,
                coef,
                weight,
            } => {
                let (d, u, p, nf) = (eig.values(), eig.vectors(), var.len(), *n as f64);
                let max = d.iter().fold(0.0f64, |m, &v| m.max(v));
                let f = |v: f64| {
                    let v = v.max(0.0);
                    if lambda > 0.0 {
                        v / (v + lambda)
                    } else if v > RIDGELESS_CUTOFF * max {
                        1.0
                    } else {
                        0.0
                    }
                };
                let h = |v: f64| {
                    let v = v.max(0.0);
                    if lambda > 0.0 {
                        v / ((v + lambda) * (v + lambda))
                    } else if v > RIDGELESS_CUTOFF * max {
                        1.0 / v
                    } else {
                        0.0
                    }
                };
                let t = Matrix::from_fn(p, 1, |i, _| (f(d[i]) - 1.0) * at(coef, i, 0));
                let diff = u.matmul(&t, 1.0)?;
                let bias: f64 = (0..p).map(|k| var[k] * at(&diff, k, 0).powi(2)).sum();
                let mut vsum = 0.0;
                for (i, &di) in d.iter().enumerate() {
                    let hi = h(di);
                    if hi != 0.0 {
                        vsum += hi * weight[i];
                    }
                }
                let mut sig = 0.0;
                let mut noise = (n - p) as f64;
                for (i, &di) in d.iter().enumerate() {
                    let one = 1.0 - f(di);
                    sig += di.max(0.0) * one * one * at(coef, i, 0).powi(2);
                    noise += one * one;
                }
                (bias, s2 / nf * vsum, sig + s2 / nf * noise)
            }
            Self::Dual {
                n,
                s2,
                var,
                beta,
                eig,
                w,
                a,
                weight,
            } => {
                let (e, p, nf) = (eig.values(), var.len(), *n as f64);
                let max = e.iter().fold(0.0f64, |m, &z| m.max(z));
                let g = |z: f64| {
                    let z = z.max(0.0);
                    if lambda > 0.0 {
                        1.0 / (z + lambda)
                    } else if z > RIDGELESS_CUTOFF * max {
                        1.0 / z
                    } else {
                        0.0
                    }
                };
                let t = Matrix::from_fn(*n, 1, |i, _| g(e[i]) * at(w, i, 0) / nf);
                let b_sig = a.matmul(&t, 1.0)?; // X^T V t, p x 1
                let bias: f64 = (0..p)
                    .map(|k| var[k] * (at(&b_sig, k, 0) - beta[k]).powi(2))
                    .sum();
                let mut vsum = 0.0;
                for (i, &ei) in e.iter().enumerate() {
                    let gi = g(ei);
                    if gi != 0.0 {
                        vsum += gi * gi * weight[i];
                    }
                }
                let (mut sig, mut noise) = (0.0, 0.0);
                for (i, &ei) in e.iter().enumerate() {
                    let one = 1.0 - ei.max(0.0) * g(ei);
                    sig += one * one * at(w, i, 0).powi(2);
                    noise += one * one;
                }
                (bias, s2 / (nf * nf) * vsum, (sig + s2 * noise) / nf)
            }
        };
        let trial = RidgeTrial {
            test_error: bias + variance,
            bias,
            variance,
            train_error: train,
        };
        for value in [trial.test_error, trial.train_error] {
            crate::error::finite(value, "anisotropic ridge simulation risk")?;
        }
        Ok(trial)
    }
}

crate::sim::risk_metric_experiment!(AnisotropicRidgeSimulator, size: n);
